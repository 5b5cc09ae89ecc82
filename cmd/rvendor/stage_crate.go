package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/crates"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// crateOptions builds the options of crates.Vendor for c, reading its
// lockfile from the tree when the spec names one; it also returns that
// file's sha256 ("" when none), which the lock records.
func crateOptions(g *globalOptions, p *project, cache *fetch.Cache, c *vendorspec.Component) (crates.Options, string, error) {
	o := crates.Options{
		Crate: c.Crate, Version: c.Version,
		Registry:    &crates.Registry{URL: p.Spec.Sources.CratesIndex, Mirrors: p.Spec.Sources.Mirrors},
		Cache:       cache,
		Platforms:   c.Platforms,
		AllowYanked: g.AllowYanked,
	}
	if o.Crate == "" {
		o.Crate = c.Name
	}
	lockSum := ""
	if c.Lockfile != "" {
		data, err := os.ReadFile(filepath.Join(p.Spec.Dir, filepath.FromSlash(c.Lockfile)))
		if err != nil {
			return o, "", usageErr(fmt.Errorf("lockfile: %w", err), "lockfile names a Cargo.lock in the tree, relative to rvendor.toml")
		}
		o.Lockfile = data
		sum := sha256.Sum256(data)
		lockSum = hex.EncodeToString(sum[:])
	}
	index := p.Spec.Sources.CratesIndex
	if index == "" {
		index = crates.DefaultIndex
	}
	g.say("%s %s: crate %s %s and its locked closure from %s", c.Name, c.Version, o.Crate, c.Version, index)
	pr := g.progress()
	o.Progress = func(done, total int, name string) {
		pr.show(fmt.Sprintf("%s: %d/%d crates fetched and checked (%s)", c.Name, done, total, name), done == total)
		if done == total {
			pr.done()
		}
	}
	return o, lockSum, nil
}

// vendorCrates runs crates.Vendor into dir, turning a package error's
// hint into rvendor's hint line.
func vendorCrates(ctx context.Context, dir string, o crates.Options) (*crates.Result, error) {
	res, err := crates.Vendor(ctx, dir, o)
	if err != nil {
		var pe *crates.PackageError
		if errors.As(err, &pe) && pe.Hint() != "" {
			return nil, &exitError{code: exitFailure, err: err, hint: pe.Hint()}
		}
		return nil, err
	}
	return res, nil
}

// stageCrate vendors a crate and its locked closure from a registry into
// a cargo directory source: one folder per crate with its
// .cargo-checksum.json, the closure's Cargo.lock and cargo-config.toml.
func stageCrate(ctx context.Context, g *globalOptions, p *project, cache *fetch.Cache, txn *tree.Txn, c *vendorspec.Component) (*staged, error) {
	o, lockSum, err := crateOptions(g, p, cache, c)
	if err != nil {
		return nil, err
	}
	dir := txn.StagePath(c.Name)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	res, err := vendorCrates(ctx, dir, o)
	if err != nil {
		return nil, err
	}
	lc := c.Locked()
	lc.LockfileSHA256 = lockSum
	for _, cr := range res.Crates {
		lc.Crates = append(lc.Crates, vendorspec.LockedCrate{Name: cr.Name, Version: cr.Version, Checksum: cr.Checksum,
			License: cr.License, Dir: cr.Dir, Tree: cr.Tree, Stub: cr.Stub})
	}
	notes := []string{fmt.Sprintf("%d crates, closure from %s", len(res.Crates), res.LockSource)}
	notes = append(notes, res.Warnings...)
	if stubs, saved := res.Stubbed(); len(stubs) > 0 {
		names := make([]string, len(stubs))
		for i, s := range stubs {
			names[i] = s.Name + " " + s.Version
		}
		notes = append(notes, fmt.Sprintf("stubbed %d crates only other platforms than %s need, saving %s: %s",
			len(stubs), strings.Join(c.Platforms, ", "), humanBytes(saved), strings.Join(names, ", ")))
	}
	return &staged{Lock: lc, Files: res.Files, Dir: dir, Notes: notes}, nil
}
