package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/tree/patch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

type adoptOptions struct {
	Component string
	From      string
	Path      string
	Split     bool
	Guess     string
	Patches   string
	License   string
	Message   string
	Author    string
}

func newAdoptCommand(g *globalOptions) *cobra.Command {
	var o adoptOptions
	cmd := &cobra.Command{
		Use:   "adopt PATH --component NAME --from KIND@VERSION [--path SUBPATH]",
		Short: "Bring a hand-vendored folder under rvendor, its differences as a patch queue",
		Long: `Adopt compares PATH, a folder vendored by hand, with the pristine upstream
subtree SUBPATH of KIND@VERSION (rust-src or rustc-src; e.g.
--from rust-src@1.63.0 --path library/alloc/src), and then, in one
transaction:

  - appends a [[component]] to rvendor.toml whose paths are the upstream
    files actually present in PATH (or SUBPATH itself when all are);
  - turns every difference (edited files, and files that exist only in
    PATH, such as a README) into a patch queue: one patch, or one per file
    with --split;
  - writes rvendor.lock and rvendor.sum, so that verify is clean.

PATH's files are not changed. With --guess V1,V2,... adopt tries each
candidate version, prints each one's score (lines added plus deleted), and
adopts the one with the smallest diff.

EXIT STATUS
  0  the folder was adopted
  1  a fetch or the operation failed; nothing was changed
  2  bad usage, or a spec or lock that cannot be used`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAdopt(cmd.Context(), g, &o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Component, "component", "", "the new component's `NAME` (required)")
	f.StringVar(&o.From, "from", "", "the upstream it came from, `KIND@VERSION` (required)")
	f.StringVar(&o.Path, "path", "", "the upstream folder PATH mirrors, e.g. library/alloc/src (default: library)")
	f.BoolVar(&o.Split, "split", false, "one patch per changed file instead of one patch")
	f.StringVar(&o.Guess, "guess", "", "candidate upstream `VERSIONS`, comma-separated: adopt the one with the smallest diff")
	f.StringVar(&o.Patches, "patches", "", "the patch queue folder (default: rvendor/patches/NAME)")
	f.StringVar(&o.License, "license", "MIT OR Apache-2.0", "the component's SPDX license expression")
	f.StringVarP(&o.Message, "message", "m", "", "the subject of the single patch (default: \"<NAME>: local changes to upstream <VERSION>\")")
	f.StringVar(&o.Author, "author", "", "the patches' author, \"Name <mail>\"")
	addKeyringFlag(cmd, g)
	return cmd
}

// adoptCandidate is one upstream version compared with the folder.
type adoptCandidate struct {
	Version string       `json:"version"`
	Score   int          `json:"score"` // lines added + deleted
	Files   int          `json:"files"` // upstream files present in PATH
	Stats   []patch.Stat `json:"-"`
}

func runAdopt(ctx context.Context, g *globalOptions, o *adoptOptions, target string) error {
	kind, version, ok := strings.Cut(o.From, "@")
	switch {
	case o.Component == "":
		return usageErr(errors.New("adopt needs --component NAME"), "")
	case !ok || (kind != vendorspec.KindRustSrc && kind != vendorspec.KindRustcSrc):
		return usageErr(fmt.Errorf("--from %q: want rust-src@VERSION or rustc-src@VERSION", o.From), "")
	}
	if o.Path == "" {
		o.Path = "library"
	}
	if err := g.absKeyring(); err != nil {
		return err
	}
	ws, p, err := openWorkspace(g)
	if err != nil {
		return err
	}
	defer ws.Close()
	if specComponent(p.Spec, o.Component) != nil || p.Lock.Component(o.Component) != nil {
		return usageErr(fmt.Errorf("component %s already exists", o.Component), "choose another --component name")
	}
	dir, err := g.dir()
	if err != nil {
		return err
	}
	abs := target
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(dir, target)
	}
	dest, err := filepath.Rel(p.Spec.Dir, abs)
	if err != nil || !filepath.IsLocal(dest) {
		return usageErr(fmt.Errorf("%s is not inside the tree of %s", target, p.Spec.Path), "")
	}
	dest = filepath.ToSlash(dest)
	if !dirExists(abs) {
		return usageErr(fmt.Errorf("%s is not a folder", target), "")
	}
	if o.Patches == "" {
		o.Patches = "rvendor/patches/" + o.Component
	}
	cache, err := g.cache()
	if err != nil {
		return err
	}
	txn, err := ws.Begin()
	if err != nil {
		return err
	}
	defer txn.Abort()
	have, irr, err := tree.Scan(ctx, abs, 0)
	if err != nil {
		return err
	}
	if len(irr) > 0 {
		return fmt.Errorf("%s is a %s: adopt takes regular files only", filepath.Join(target, irr[0].Path), irr[0].TypeString())
	}
	haveSet := map[string]bool{}
	for _, f := range have {
		haveSet[f.Path] = true
	}

	versions := []string{version}
	if o.Guess != "" {
		versions = nil
		for _, v := range strings.Split(o.Guess, ",") {
			if v = strings.TrimSpace(v); v != "" {
				versions = append(versions, v)
			}
		}
	}
	// stage extracts the upstream subset present in PATH for version v.
	type result struct {
		cand adoptCandidate
		st   *staged
		c    *vendorspec.Component
		ch   []patch.Change
	}
	stage := func(v string, n int) (*result, error) {
		c := &vendorspec.Component{Name: o.Component, Kind: kind, Version: v, Root: o.Path, Paths: []string{o.Path},
			Dest: dest, License: o.License, Patches: o.Patches}
		whole, err := stageComponent(ctx, g, p, cache, txn, &vendorspec.Component{Name: fmt.Sprintf("%s-all-%d", o.Component, n),
			Kind: kind, Version: v, Root: o.Path, Paths: []string{o.Path}, Dest: dest, License: o.License})
		if err != nil {
			return nil, fmt.Errorf("%s@%s: %w", kind, v, err)
		}
		var subset []string
		for _, f := range whole.Files {
			if haveSet[f.Path] {
				subset = append(subset, path.Join(o.Path, f.Path))
			}
		}
		if len(subset) == 0 {
			return nil, fmt.Errorf("no file of %s matches a file of %s@%s %s: check --path", target, kind, v, o.Path)
		}
		if len(subset) < len(whole.Files) {
			c.Paths = subset
		}
		c.Name = fmt.Sprintf("%s-%d", o.Component, n)
		st, err := stageComponent(ctx, g, p, cache, txn, c)
		if err != nil {
			return nil, fmt.Errorf("%s@%s: %w", kind, v, err)
		}
		c.Name = o.Component
		st.Lock.Name = o.Component
		st.Lock.Patches = nil
		ch, err := treeChanges(ctx, st.Dir, abs)
		if err != nil {
			return nil, err
		}
		_, stats, err := patch.Diff(ch)
		if err != nil {
			return nil, err
		}
		r := &result{cand: adoptCandidate{Version: v, Files: len(st.Files), Stats: stats}, st: st, c: c, ch: ch}
		for _, s := range stats {
			r.cand.Score += s.Added + s.Deleted
		}
		return r, nil
	}
	var best *result
	var cands []adoptCandidate
	for i, v := range versions {
		r, err := stage(v, i)
		if err != nil {
			return err
		}
		cands = append(cands, r.cand)
		if len(versions) > 1 {
			g.say("%s@%s: %d upstream files present, %d lines differ", kind, v, r.cand.Files, r.cand.Score)
		}
		if best == nil || r.cand.Score < best.cand.Score {
			best = r
		}
	}
	if len(versions) > 1 {
		g.say("picked %s@%s (smallest diff)", kind, best.cand.Version)
	}

	// The patch queue.
	var queue []*patch.Patch
	subject := o.Message
	if subject == "" {
		subject = fmt.Sprintf("%s: local changes to upstream %s", o.Component, best.cand.Version)
	}
	h := patch.Header{Author: o.Author, Subject: subject}
	groups := [][]patch.Change{best.ch}
	if o.Split {
		groups = nil
		for _, ch := range best.ch {
			groups = append(groups, []patch.Change{ch})
		}
	}
	qrel := o.Patches
	for _, grp := range groups {
		if len(grp) == 0 {
			continue
		}
		hh := h
		if o.Split {
			hh.Subject = fmt.Sprintf("%s: %s", o.Component, grp[0].Path)
		}
		data, _, err := patch.Format(hh, grp)
		if errors.Is(err, patch.ErrEmpty) {
			continue
		}
		if err != nil {
			return err
		}
		name := patch.NextName(queue, hh.Subject)
		q, err := patch.Parse(name, data)
		if err != nil {
			return err
		}
		queue = append(queue, q)
		if err := txn.WriteFile(path.Join(qrel, name), data); err != nil {
			return err
		}
	}
	// Check: pristine plus the queue is PATH, byte for byte.
	if err := applyQueue(queue, best.st.Dir, "the pristine files"); err != nil {
		return fmt.Errorf("the adopted queue does not reproduce %s (a bug): %w", target, err)
	}
	if left, err := treeChanges(ctx, best.st.Dir, abs); err != nil || len(left) > 0 {
		return fmt.Errorf("the adopted queue does not reproduce %s (a bug): %v %v", target, left, err)
	}

	lc := best.st.Lock
	for _, q := range queue {
		lc.Patches = append(lc.Patches, vendorspec.LockedPatch{Name: q.Name, SHA256: q.SHA256, Files: q.Paths()})
	}
	specData, err := os.ReadFile(p.Spec.Path)
	if err != nil {
		return err
	}
	c := best.c
	newSpec := appendComponent(specData, c)
	if _, err := vendorspec.Parse(p.Spec.Path, newSpec); err != nil {
		return fmt.Errorf("the spec entry adopt writes does not validate: %w", err)
	}
	if err := txn.WriteFile(filepath.Base(p.Spec.Path), newSpec); err != nil {
		return err
	}
	if err := writeComponentState(p, txn, lc, have, best.st.Files); err != nil {
		return err
	}
	if err := txn.Commit(); err != nil {
		return err
	}
	g.say("%s: adopted %s as %s@%s %s: %d upstream files, %d patch%s in %s", o.Component, dest, kind, best.cand.Version, o.Path,
		len(best.st.Files), len(queue), map[bool]string{true: "", false: "es"}[len(queue) == 1], qrel)
	if g.JSON {
		return writeJSON(g, struct {
			Component  string           `json:"component"`
			Version    string           `json:"version"`
			Candidates []adoptCandidate `json:"candidates"`
			Patches    []string         `json:"patches"`
		}{o.Component, best.cand.Version, cands, lockedNames(lc)})
	}
	return nil
}

func lockedNames(lc *vendorspec.LockedComponent) []string {
	out := []string{}
	for _, p := range lc.Patches {
		out = append(out, p.Name)
	}
	return out
}

// appendComponent returns spec with a [[component]] table for c appended;
// the existing bytes are kept as they are.
func appendComponent(spec []byte, c *vendorspec.Component) []byte {
	var b bytes.Buffer
	b.Write(spec)
	if len(spec) > 0 && !bytes.HasSuffix(spec, []byte("\n")) {
		b.WriteString("\n")
	}
	q := strconvQuote
	fmt.Fprintf(&b, "\n# Adopted by rvendor adopt: the differences from upstream are the patch queue.\n")
	fmt.Fprintf(&b, "[[component]]\nname = %s\nkind = %s\nversion = %s\nroot = %s\n", q(c.Name), q(c.Kind), q(c.Version), q(c.Root))
	if len(c.Paths) == 1 {
		fmt.Fprintf(&b, "paths = [%s]\n", q(c.Paths[0]))
	} else {
		b.WriteString("paths = [\n")
		for _, p := range slices.Sorted(slices.Values(c.Paths)) {
			fmt.Fprintf(&b, "  %s,\n", q(p))
		}
		b.WriteString("]\n")
	}
	fmt.Fprintf(&b, "dest = %s\nlicense = %s\npatches = %s\n", q(c.Dest), q(c.License), q(c.Patches))
	return b.Bytes()
}
