package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/rustdist"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// rustDistEnv overrides [sources] rust-dist, as RUSTUP_DIST_SERVER does
// for rustup.
const rustDistEnv = "RVENDOR_RUST_DIST"

// maxRefRounds bounds how often the selection grows to follow references.
const maxRefRounds = 8

// rustSource is a resolved, checked Rust source archive in the cache.
type rustSource struct {
	res  *rustdist.Resolution
	file string // the cached archive
	kr   *rustdist.Keyring
}

// resolveRust resolves c against the distribution server (and mirrors),
// checks the manifest's hash and signature, downloads the archive into the
// cache (checking its hash) and, for direct archives, its own signature.
func resolveRust(ctx context.Context, g *globalOptions, p *project, cache *fetch.Cache, c *vendorspec.Component) (*rustSource, error) {
	src := p.Spec.Sources
	root := src.RustDist
	if env := g.getenv(rustDistEnv); env != "" {
		root = env
	}
	var kr *rustdist.Keyring
	if p.Keyring != "" {
		var err error
		if kr, err = rustdist.ReadKeyringFile(p.Keyring); err != nil {
			return nil, usageErr(fmt.Errorf("keyring: %w", err), "point [sources] keyring (or --keyring) at an OpenPGP public key file")
		}
		g.warn("%s: checking signatures against the keys in %s, NOT the Rust release key built into rvendor", c.Name, p.Keyring)
	}
	getter := &rustdist.HTTPGetter{}
	res, err := rustdist.Resolve(ctx, getter, rustdist.Request{
		Version: c.Version, Kind: c.Kind, Root: root, Mirrors: src.Mirrors,
		Keyring: kr, AllowUnsigned: src.AllowUnsigned,
	})
	if err != nil {
		return nil, err
	}
	for _, s := range res.Skipped {
		g.warn("%s: passed over a server: %v", c.Name, s)
	}
	if res.Signer == "" {
		g.warn("%s: the manifest %s is NOT SIGNED; it was accepted only because [sources] allow-unsigned = true", c.Name, res.ManifestURL)
	}
	g.say("%s %s: fetching %s", c.Name, c.Version, res.ArchiveURL)
	file, err := cache.Fetch(ctx, res.ArchiveURL, res.ArchiveSHA256)
	if err != nil {
		return nil, err
	}
	if res.ArchiveSigURL != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		signer, err := res.CheckArchive(ctx, getter, f, kr, src.AllowUnsigned)
		f.Close()
		if err != nil {
			return nil, err
		}
		if signer == "" {
			g.warn("%s: the archive %s is NOT SIGNED; it was accepted only because [sources] allow-unsigned = true", c.Name, res.ArchiveURL)
		} else if res.Signer == "" {
			res.Signer = signer
		}
	}
	return &rustSource{res: res, file: file, kr: kr}, nil
}

// stageRust fetches a rust-src or rustc-src component from the Rust
// distribution server and extracts its paths, growing them until every
// #[path], include!, include_str! and include_bytes! they reference is
// present.
func stageRust(ctx context.Context, g *globalOptions, p *project, cache *fetch.Cache, txn *tree.Txn, c *vendorspec.Component) (*staged, error) {
	rs, err := resolveRust(ctx, g, p, cache, c)
	if err != nil {
		return nil, err
	}
	res := rs.res
	format, err := fetch.FormatOf(res.ArchiveURL)
	if err != nil {
		return nil, err
	}
	archiveRoot, err := rustdist.ArchivePath(c.Kind, c.Version, c.Root)
	if err != nil {
		return nil, err
	}
	toArchive := func(paths []string) ([]string, error) {
		out := make([]string, len(paths))
		for i, q := range paths {
			a, err := rustdist.ArchivePath(c.Kind, c.Version, q)
			if err != nil {
				return nil, err
			}
			out[i] = a
		}
		return out, nil
	}
	exclude := make([]string, len(c.Exclude))
	for i, x := range c.Exclude {
		exclude[i] = x
		if strings.Contains(x, "/") {
			if exclude[i], err = rustdist.ArchivePath(c.Kind, c.Version, x); err != nil {
				return nil, err
			}
		}
	}

	// base mirrors the Rust source tree; base/<root> becomes dest.
	base := txn.StagePath(c.Name)
	dst := filepath.Join(base, filepath.FromSlash(c.Root))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return nil, err
	}
	var files []tree.File
	extract := func(paths []string, into string) error {
		ap, err := toArchive(paths)
		if err != nil {
			return err
		}
		f, err := os.Open(rs.file)
		if err != nil {
			return err
		}
		defer f.Close()
		pr := g.progress()
		defer pr.done()
		r, err := fetch.Extract(ctx, f, format, into, fetch.Selection{
			Root: archiveRoot, Paths: ap, Exclude: exclude, Archive: path.Base(res.ArchiveURL),
			Progress: pr.extract(path.Base(res.ArchiveURL)),
		}, fetch.Limits{})
		if err != nil {
			return err
		}
		files = append(files, r.Files...)
		return nil
	}
	if err := extract(c.Paths, dst); err != nil {
		return nil, err
	}

	// Follow references out of the selection to a fixed point.
	paths := slices.Clone(c.Paths)
	var added []string
	var notes []string
	for round := 0; ; round++ {
		_, err := rustdist.FollowRefs(base, paths)
		var missing []rustdist.Ref
		if err != nil {
			for _, e := range unwrapAll(err) {
				var me *rustdist.MissingError
				if !errors.As(e, &me) {
					return nil, err
				}
				missing = append(missing, me.Ref)
			}
		}
		// The targets are not on disk yet, so their crate is guessed by
		// Rust's layout (the folder above src/); a wrong guess shows as
		// missing files in the next round.
		var grow []string
		for _, ref := range missing {
			add := crateGuess(ref.Target)
			if !slices.Contains(paths, add) && !slices.Contains(grow, add) {
				grow = append(grow, add)
			}
		}
		if len(grow) == 0 {
			if len(missing) > 0 {
				return nil, fmt.Errorf("the selected sources reference files missing from %s: %w", path.Base(res.ArchiveURL), err)
			}
			break
		}
		if round == maxRefRounds {
			return nil, fmt.Errorf("following references did not settle after %d rounds (still adding %s)", maxRefRounds, strings.Join(grow, ", "))
		}
		for _, add := range grow {
			if add != c.Root && !strings.HasPrefix(add, c.Root+"/") {
				return nil, fmt.Errorf("the selected sources need %s, which is outside root %q (set root to a folder holding both)", add, c.Root)
			}
		}
		// Extract the new subtrees beside dst, then move their files in.
		extra := filepath.Join(filepath.Dir(base), c.Name+fmt.Sprintf("-refs%d", round))
		before := len(files)
		if err := extract(grow, extra); err != nil {
			var se *fetch.SelectionError
			if errors.As(err, &se) {
				return nil, fmt.Errorf("the selected sources reference files missing from %s: %w", path.Base(res.ArchiveURL), errors.Join(missingErrs(missing)...))
			}
			return nil, err
		}
		kept := files[:before]
		for _, f := range files[before:] {
			to := filepath.Join(dst, filepath.FromSlash(f.Path))
			if _, err := os.Lstat(to); err == nil {
				continue // already selected: keep the one file
			}
			if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
				return nil, err
			}
			if err := os.Rename(filepath.Join(extra, filepath.FromSlash(f.Path)), to); err != nil {
				return nil, fmt.Errorf("placing %s: %w", f.Path, err)
			}
			kept = append(kept, f)
		}
		files = kept
		os.RemoveAll(extra)
		paths = append(paths, grow...)
		added = append(added, grow...)
	}
	slices.Sort(added)
	if len(added) > 0 {
		// Say why each subtree was added: the references from the
		// original selection into it.
		refs, _ := rustdist.FollowRefs(base, c.Paths)
		for _, ref := range refs {
			if ref.Unresolved == "" && slices.Contains(added, ref.Add) {
				notes = append(notes, fmt.Sprintf("added %s: %s", ref.Add, ref))
			}
		}
	}

	lc := c.Locked()
	lc.URL = res.CanonicalURL
	if lc.URL == "" {
		lc.URL = res.ArchiveURL
	}
	lc.SHA256 = res.ArchiveSHA256
	lc.Manifest, lc.ManifestSHA256, lc.Signer = res.ManifestURL, res.ManifestSHA256, res.Signer
	if lc.Signer == "" {
		lc.Signer = "unsigned"
	}
	if old := p.Lock.Component(c.Name); old != nil && old.Signer != "" && old.Signer != lc.Signer {
		g.warn("%s: signed by %s, but the last update was signed by %s: check that the new key is one you trust", c.Name, lc.Signer, old.Signer)
	}
	lc.Added = added
	slices.SortFunc(files, func(a, b tree.File) int { return strings.Compare(a.Path, b.Path) })
	return &staged{Lock: lc, Files: files, Dir: dst, Notes: dedupe(notes)}, nil
}

// crateGuess returns the folder to add for a referenced file that is not
// extracted yet: the crate holding it by Rust's layout (the folder above
// the last src/ element), or its own folder.
func crateGuess(target string) string {
	dir := path.Dir(target)
	for d := dir; d != "." && d != "/"; d = path.Dir(d) {
		if path.Base(d) == "src" {
			return path.Dir(d)
		}
	}
	return dir
}

func missingErrs(refs []rustdist.Ref) []error {
	errs := make([]error, len(refs))
	for i, r := range refs {
		errs[i] = &rustdist.MissingError{Ref: r}
	}
	return errs
}

// unwrapAll returns the errors joined in err (errors.Join), or err alone.
func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unwrapAll(e)...)
		}
		return out
	}
	return []error{err}
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
