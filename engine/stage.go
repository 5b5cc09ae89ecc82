package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/crates"
	"github.com/rvendor/rvendor/fetch/rustdist"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// RustDistEnv overrides [sources] rust-dist, as RUSTUP_DIST_SERVER does
// for rustup.
const RustDistEnv = "RVENDOR_RUST_DIST"

// Staged is a component's new pristine content, ready to be carried and
// swapped in.
type Staged struct {
	Lock  *vendorspec.LockedComponent // complete lock entry (before the patch queue)
	Files []tree.File                 // every file of Dir, for rvendor.sum
	Dir   string                      // the staging folder holding them
}

// scratch hands out staging and scratch paths: a tree.Txn, or a
// temporary folder for commands that change nothing.
type scratch interface {
	NewPath(hint string) (string, error)
}

// stage fetches c and places its selected files into a new staging folder
// from s, by kind, and completes its lock entry's hashes and counts.
func (e *Engine) stage(ctx context.Context, s scratch, c *vendorspec.Component) (*Staged, error) {
	var (
		st  *Staged
		err error
	)
	switch c.Kind {
	case vendorspec.KindArchive:
		st, err = e.stageArchive(ctx, s, c)
	case vendorspec.KindRustSrc, vendorspec.KindRustcSrc:
		st, err = e.stageRust(ctx, s, c)
	case vendorspec.KindCrate:
		st, err = e.stageCrate(ctx, s, c)
	default:
		return nil, unusablef("", "kind %q cannot be fetched", c.Kind)
	}
	if err != nil {
		return nil, err
	}
	h1, err := tree.H1(st.Files)
	if err != nil {
		return nil, err
	}
	st.Lock.Upstream, st.Lock.Tree = h1, h1
	st.Lock.Files, st.Lock.Bytes = len(st.Files), sumBytes(st.Files)
	return st, nil
}

func sumBytes(files []tree.File) int64 {
	var n int64
	for _, f := range files {
		n += f.Size
	}
	return n
}

// progress returns a fetch.Selection Progress callback for archive.
func (e *Engine) extractProgress(component, archive string) func(entries int, read int64) {
	if e.Events == nil {
		return nil
	}
	return func(entries int, read int64) {
		e.emit(Event{Kind: Extract, Component: component, Name: archive, Entries: entries, Done: read})
	}
}

func (e *Engine) progressEnd() { e.emit(Event{Kind: ProgressEnd}) }

// stageArchive fetches an archive component (its sha256 checked before
// anything is unpacked) and extracts the selected paths.
func (e *Engine) stageArchive(ctx context.Context, s scratch, c *vendorspec.Component) (*Staged, error) {
	e.say(fmt.Sprintf("%s %s: fetching %s", c.Name, c.Version, e.archiveFrom(c.URL, c.SHA256)))
	f, err := e.openArchive(ctx, c.URL, c.SHA256)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	format, err := fetch.FormatOf(c.URL)
	if err != nil {
		return nil, err
	}
	dir, err := s.NewPath(path.Base(c.Dest))
	if err != nil {
		return nil, err
	}
	defer e.progressEnd()
	r, err := fetch.Extract(ctx, f, format, dir, fetch.Selection{Root: c.Root, Paths: c.Paths, Exclude: c.Exclude,
		Archive: path.Base(c.URL), Progress: e.extractProgress(c.Name, path.Base(c.URL))}, fetch.Limits{})
	if err != nil {
		return nil, err
	}
	return &Staged{Lock: c.Locked(), Files: r.Files, Dir: dir}, nil
}

// rustSource is a resolved, checked Rust source archive, open.
type rustSource struct {
	res  *rustdist.Resolution
	file *os.File // the verified archive, at its start
}

// resolveRust resolves c against the distribution server (and mirrors),
// checks the manifest's hash and signature, opens the archive from the
// cache (downloading it and checking its hash) and, for direct archives,
// checks its own signature.
func (e *Engine) resolveRust(ctx context.Context, c *vendorspec.Component) (*rustSource, error) {
	p := e.Project
	root, mirrors := e.rustRoots()
	var kr *rustdist.Keyring
	if p.Keyring != "" {
		var err error
		if kr, err = rustdist.ReadKeyringFile(p.Keyring); err != nil {
			return nil, unusable(fmt.Errorf("keyring: %w", err), "point [sources] keyring (or --keyring) at an OpenPGP public key file")
		}
		e.warn(fmt.Sprintf("%s: checking signatures against the keys in %s, NOT the Rust release key built into rvendor", c.Name, p.Keyring))
	}
	format, why := e.archiveFormat(c)
	res, err := rustdist.Resolve(ctx, e.getter(), rustdist.Request{
		Version: c.Version, Kind: c.Kind, Root: root, Mirrors: mirrors,
		Keyring: kr, AllowUnsigned: e.allowUnsigned(),
		Format: format, Cached: e.cached,
	})
	if err != nil {
		return nil, err
	}
	for _, s := range res.Skipped {
		e.warn(fmt.Sprintf("%s: passed over a server: %v", c.Name, s))
	}
	if res.Signer == "" {
		e.warn(fmt.Sprintf("%s: the manifest %s is NOT SIGNED; it was accepted only because [sources] allow-unsigned = true", c.Name, res.ManifestURL))
	}
	if why != "" && res.FormatWhy == "asked for" {
		res.FormatWhy = why
	}
	e.say(fmt.Sprintf("%s %s: fetching %s (.%s: %s)", c.Name, c.Version, res.ArchiveURL, res.Format, res.FormatWhy))
	f, err := e.Cache.Open(ctx, res.ArchiveURL, res.ArchiveSHA256)
	if err != nil {
		return nil, err
	}
	if res.ArchiveSigURL != "" {
		signer, err := res.CheckArchive(ctx, e.getter(), f, kr, e.allowUnsigned())
		if err == nil {
			_, err = f.Seek(0, 0)
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		if signer == "" {
			e.warn(fmt.Sprintf("%s: the archive %s is NOT SIGNED; it was accepted only because [sources] allow-unsigned = true", c.Name, res.ArchiveURL))
		} else if res.Signer == "" {
			res.Signer = signer
		}
	}
	return &rustSource{res: res, file: f}, nil
}

// archiveFormat is the archive format to ask the distribution server for
// c, and why: --compression's, else the one rvendor.lock recorded for c
// (an update that changes nothing else keeps its archive, and a bundle
// or mirror made from the lock has it); "" lets rustdist.Choose decide.
func (e *Engine) archiveFormat(c *vendorspec.Component) (string, string) {
	switch e.Compression {
	case "gz":
		return "tar.gz", "--compression gz"
	case "xz":
		return "tar.xz", "--compression xz"
	}
	if old := e.Project.Lock.Component(c.Name); old != nil && old.Kind == c.Kind {
		for _, f := range []string{"tar.gz", "tar.xz"} {
			if strings.HasSuffix(old.URL, "."+f) {
				return f, "as rvendor.lock recorded it"
			}
		}
	}
	return "", ""
}

// cached reports whether the download cache holds the file of sum.
func (e *Engine) cached(sum string) bool {
	if e.Cache == nil || !tree.IsSHA256Hex(sum) {
		return false
	}
	fi, err := os.Stat(e.Cache.Path(sum))
	return err == nil && fi.Mode().IsRegular()
}

// checkSigner refuses a Rust source signed by another key than the last
// update of the component, unless the maintainer accepted it
// (AcceptSigner, or a keyring given on the command line).
func (e *Engine) checkSigner(c *vendorspec.Component, signer string) error {
	old := e.Project.Lock.Component(c.Name)
	if old == nil || old.Signer == "" || old.Signer == signer {
		return nil
	}
	if e.AcceptSigner || e.Project.KeyringFromFlag {
		e.warn(fmt.Sprintf("%s: signed by %s, but the last update was signed by %s: check that the new key is one you trust", c.Name, signer, old.Signer))
		return nil
	}
	return failed(fmt.Errorf("component %s: %s %s is signed by %s, but rvendor.lock records that the last update was signed by %s",
		c.Name, c.Kind, c.Version, signer, old.Signer),
		"if the Rust project changed its release key, check the new key, then run rvendor update --accept-signer (or give the key with --keyring)")
}

// stageRust fetches a rust-src or rustc-src component from the Rust
// distribution server and extracts its paths, growing them until every
// #[path], include!, include_str! and include_bytes! they reference is
// present.
func (e *Engine) stageRust(ctx context.Context, s scratch, c *vendorspec.Component) (*Staged, error) {
	rs, err := e.resolveRust(ctx, c)
	if err != nil {
		return nil, err
	}
	defer rs.file.Close()
	res := rs.res
	signer := res.Signer
	if signer == "" {
		signer = "unsigned"
	}
	if err := e.checkSigner(c, signer); err != nil {
		return nil, err
	}
	format, err := fetch.FormatOf(res.ArchiveURL)
	if err != nil {
		return nil, err
	}
	// dst mirrors root of the source tree inside a folder of its own.
	base, err := s.NewPath("rust")
	if err != nil {
		return nil, err
	}
	dst := filepath.Join(base, filepath.FromSlash(c.Root))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return nil, err
	}
	archive := path.Base(res.ArchiveURL)
	defer e.progressEnd()
	x, err := rustdist.ExtractSelection(ctx, rs.file, dst, rustdist.Selection{
		Kind: c.Kind, Version: c.Version, Root: c.Root, Paths: c.Paths, Exclude: c.Exclude,
		Archive: archive, Format: format, Progress: e.extractProgress(c.Name, archive),
		Scratch: func() (string, error) { return s.NewPath("refs") },
	})
	if err != nil {
		return nil, err
	}
	for _, n := range x.Notes {
		e.say(fmt.Sprintf("%s: %s", c.Name, n))
	}
	lc := c.Locked()
	lc.URL = res.CanonicalURL
	if lc.URL == "" {
		lc.URL = res.ArchiveURL
	}
	lc.SHA256 = res.ArchiveSHA256
	lc.Manifest, lc.ManifestSHA256, lc.Signer = e.recordedManifest(res), res.ManifestSHA256, signer
	lc.Added = x.Added
	return &Staged{Lock: lc, Files: x.Files, Dir: dst}, nil
}

// crateOptions builds the options of crates.Vendor for c, reading its
// lockfile from the tree when the spec names one; it also returns that
// file's sha256 ("" when none), which the lock records.
func (e *Engine) crateOptions(c *vendorspec.Component) (crates.Options, string, error) {
	p := e.Project
	o := crates.Options{
		Crate: c.Crate, Version: c.Version,
		Registry:    e.registry(),
		Cache:       e.Cache,
		Platforms:   c.Platforms,
		AllowYanked: e.AllowYanked,
		DirName:     path.Base(c.Dest),
	}
	if o.Crate == "" {
		o.Crate = c.Name
	}
	lockSum := ""
	if c.Lockfile != "" {
		data, err := readInTree(p.Spec.Dir, c.Lockfile)
		if err != nil {
			return o, "", unusable(fmt.Errorf("lockfile: %w", err), "lockfile names a Cargo.lock in the tree, relative to rvendor.toml")
		}
		o.Lockfile = data
		sum := sha256.Sum256(data)
		lockSum = hex.EncodeToString(sum[:])
	}
	index := o.Registry.URL
	if index == "" {
		index = crates.DefaultIndex
	}
	e.say(fmt.Sprintf("%s %s: crate %s %s and its locked closure from %s", c.Name, c.Version, o.Crate, c.Version, index))
	o.Progress = func(done, total int, name string) {
		e.emit(Event{Kind: Crates, Component: c.Name, Name: name, Done: int64(done), Total: int64(total)})
		if done == total {
			e.progressEnd()
		}
	}
	return o, lockSum, nil
}

// stageCrate vendors a crate and its locked closure from a registry into
// a cargo directory source: one folder per crate with its
// .cargo-checksum.json, the closure's Cargo.lock and cargo-config.toml.
func (e *Engine) stageCrate(ctx context.Context, s scratch, c *vendorspec.Component) (*Staged, error) {
	o, lockSum, err := e.crateOptions(c)
	if err != nil {
		return nil, err
	}
	pinned := e.pinnedCrates(c.Name)
	if e.Mirror != "" && c.Lockfile == "" && pinned[o.Crate+"@"+c.Version] == "" {
		return nil, unusable(fmt.Errorf("the bundle or mirror is the only source of crate %s %s's checksum: nothing outside it vouches for the closure", o.Crate, c.Version),
			"add lockfile = \"PATH/Cargo.lock\" (a Cargo.lock reviewed in the tree), or vendor this version once with network so that rvendor.lock records its checksum")
	}
	dir, err := s.NewPath(path.Base(c.Dest))
	if err != nil {
		return nil, err
	}
	res, err := crates.Vendor(ctx, dir, o)
	if err != nil {
		return nil, err
	}
	if err := checkPinned(pinned, res.Crates); err != nil {
		return nil, err
	}
	lc := c.Locked()
	lc.LockfileSHA256 = lockSum
	for _, cr := range res.Crates {
		lc.Crates = append(lc.Crates, vendorspec.LockedCrate{Name: cr.Name, Version: cr.Version, Checksum: cr.Checksum,
			License: cr.License, Dir: cr.Dir, Tree: cr.Tree, Stub: cr.Stub})
	}
	e.say(fmt.Sprintf("%s: %d crates, closure from %s", c.Name, len(res.Crates), res.LockSource))
	for _, w := range res.Warnings {
		e.say(fmt.Sprintf("%s: %s", c.Name, w))
	}
	if stubs, saved := res.Stubbed(); len(stubs) > 0 {
		names := make([]string, len(stubs))
		for i, s := range stubs {
			names[i] = s.Name + " " + s.Version
		}
		e.say(fmt.Sprintf("%s: stubbed %d crates only other platforms than %s need, saving %s: %s",
			c.Name, len(stubs), strings.Join(c.Platforms, ", "), HumanBytes(saved), strings.Join(names, ", ")))
	}
	return &Staged{Lock: lc, Files: res.Files, Dir: dir}, nil
}

// allowUnsigned is [sources] allow-unsigned, which trusts a private
// server; a bundle or mirror is not that server, so it does not carry
// over to one.
func (e *Engine) allowUnsigned() bool {
	return e.Mirror == "" && e.Project.Spec.Sources.AllowUnsigned
}

// pinnedCrates returns the checksum rvendor.lock records for each crate
// (name@version) of component name's closure: a published crate never
// changes, so a source that serves other bytes under one is refused.
func (e *Engine) pinnedCrates(name string) map[string]string {
	out := map[string]string{}
	if lc := e.Project.Lock.Component(name); lc != nil {
		for _, cr := range lc.Crates {
			out[cr.Name+"@"+cr.Version] = cr.Checksum
		}
	}
	return out
}

// checkPinned refuses a crate whose checksum is not the one rvendor.lock
// records for its name and version.
func checkPinned(pinned map[string]string, got []crates.Crate) error {
	for _, cr := range got {
		if want := pinned[cr.Name+"@"+cr.Version]; want != "" && want != cr.Checksum {
			return failed(fmt.Errorf("security error: crate %s %s has checksum %s, rvendor.lock records %s: a published crate never changes, so this source serves other bytes under its name", cr.Name, cr.Version, cr.Checksum, want),
				"do not use this registry, mirror or bundle; if the lock is wrong, restore it from version control")
		}
	}
	return nil
}

// HumanBytes renders n as "12 B", "3.4 KiB" or "5.6 MiB".
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
