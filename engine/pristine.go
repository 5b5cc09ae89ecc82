package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/rustdist"
	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/tree/patch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// openPristine returns the verified, open archive of the locked
// component lc from the cache, downloading it only when allowFetch is set
// and the kind has a fetchable URL.
func (e *Engine) openPristine(ctx context.Context, lc *vendorspec.LockedComponent, allowFetch bool) (*os.File, error) {
	f, ok, err := e.Cache.OpenCached(lc.SHA256)
	if err != nil {
		return nil, err
	}
	if ok {
		return f, nil
	}
	if allowFetch && (lc.Kind == vendorspec.KindArchive || e.Mirror != "") {
		// A local mirror (a bundle) holds the old archives a patch
		// queue's merge needs under archives/, every kind alike.
		return e.openArchive(ctx, lc.URL, lc.SHA256)
	}
	return nil, failed(fmt.Errorf("the pristine sources of %s %s (sha256 %s) are not in rvendor's download cache", lc.Name, lc.Version, lc.SHA256),
		fmt.Sprintf("run rvendor fetch %s (it downloads the archive of the version rvendor.toml names; verify never needs it)", lc.Name))
}

// pristineSelection is the archive selection that reproduces lc's
// pristine files.
func pristineSelection(lc *vendorspec.LockedComponent) (fetch.Selection, error) {
	sel := fetch.Selection{Root: lc.Root, Paths: lc.Paths, Exclude: lc.Exclude, Archive: path.Base(lc.URL)}
	switch lc.Kind {
	case vendorspec.KindArchive:
		return sel, nil
	case vendorspec.KindRustSrc, vendorspec.KindRustcSrc:
	default:
		return sel, unusablef("", "component %s: patch queues are supported for rust-src, rustc-src and archive components", lc.Name)
	}
	var err error
	if sel.Root, err = rustdist.ArchivePath(lc.Kind, lc.Version, lc.Root); err != nil {
		return sel, err
	}
	sel.Paths = nil
	for _, q := range append(slices.Clone(lc.Paths), lc.Added...) {
		a, err := rustdist.ArchivePath(lc.Kind, lc.Version, q)
		if err != nil {
			return sel, err
		}
		sel.Paths = append(sel.Paths, a)
	}
	sel.Exclude = nil
	for _, x := range lc.Exclude {
		if strings.Contains(x, "/") {
			if x, err = rustdist.ArchivePath(lc.Kind, lc.Version, x); err != nil {
				return sel, err
			}
		}
		sel.Exclude = append(sel.Exclude, x)
	}
	return sel, nil
}

// extractPristine writes the pristine upstream files of the locked
// component lc into dir (which must not exist; its parent must) from the
// download cache, checks them against the lock's upstream hash and
// returns them.
func (e *Engine) extractPristine(ctx context.Context, lc *vendorspec.LockedComponent, dir string, allowFetch bool) ([]tree.File, error) {
	sel, err := pristineSelection(lc)
	if err != nil {
		return nil, err
	}
	format, err := fetch.FormatOf(lc.URL)
	if err != nil {
		return nil, err
	}
	f, err := e.openPristine(ctx, lc, allowFetch)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := fetch.Extract(ctx, f, format, dir, sel, fetch.Limits{})
	if err != nil {
		return nil, fmt.Errorf("extracting the pristine sources of %s: %w", lc.Name, err)
	}
	if h1, err := tree.H1(r.Files); err != nil || h1 != lc.Upstream {
		return nil, failed(fmt.Errorf("the pristine sources of %s hash to %s, rvendor.lock records upstream %s: the lock does not match its archive", lc.Name, h1, lc.Upstream),
			"run rvendor update --force "+lc.Name)
	}
	return r.Files, nil
}

// Queue reads the patch queue of c, in order (none when c has no
// patches folder, or it does not exist).
func (p *Project) Queue(c *vendorspec.Component) ([]*patch.Patch, error) {
	if c.Patches == "" {
		return nil, nil
	}
	dir, err := inTree(p.Spec.Dir, c.Patches)
	if err != nil {
		return nil, unusable(fmt.Errorf("component %s: patches: %w", c.Name, err), "")
	}
	q, err := patch.ReadQueue(dir)
	if err != nil {
		return nil, unusable(err, "fix or remove the patch file")
	}
	return q, nil
}

// applyQueue applies queue exactly to the tree at dir, in order.
func applyQueue(queue []*patch.Patch, dir, what string) error {
	for _, q := range queue {
		if err := patch.ApplyDir(q, dir); err != nil {
			return failed(fmt.Errorf("%w; it no longer applies to %s", err, what), "fix or drop it (rvendor patch drop)")
		}
	}
	return nil
}

// Expected is pristine upstream plus the recorded queue, in a folder.
type Expected struct {
	Dir      string
	Pristine []tree.File
	Queue    []*patch.Patch
}

// buildExpected extracts the pristine files of lc into dir and, unless
// pristineOnly, applies its SPDX headers, c's patch queue and writes its
// README: what dest must hold. It never downloads.
func (e *Engine) buildExpected(ctx context.Context, c *vendorspec.Component, lc *vendorspec.LockedComponent, dir string, pristineOnly bool) (*Expected, error) {
	extract := e.extractBase
	if pristineOnly {
		extract = e.extractPristine
	}
	files, err := extract(ctx, lc, dir, false)
	if err != nil {
		return nil, err
	}
	x := &Expected{Dir: dir, Pristine: files}
	if x.Queue, err = e.Project.Queue(c); err != nil {
		return nil, err
	}
	if !pristineOnly {
		if err := applyQueue(x.Queue, dir, "pristine "+lc.Name+" "+lc.Version); err != nil {
			return nil, err
		}
		// The generated README as the lock's queue makes it: a copy of
		// lc, whose Generated writeReadme sets.
		l := *lc
		if _, err := writeReadme(&l, dir, files, subjectsOf(x.Queue)); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// snapshot copies every regular file below src into dst (which must not
// exist), hashing each while it copies: one read of src, and the hashes
// returned are of the bytes in dst. Symbolic links and other irregular
// files are refused: patches carry regular files only.
func snapshot(ctx context.Context, src, dst, what string) ([]tree.File, error) {
	files, err := tree.Copy(ctx, src, dst)
	if err != nil {
		var ie *tree.IrregularError
		if errors.As(err, &ie) {
			return nil, failed(fmt.Errorf("%s is a %s, not a regular file: patches carry regular files only", quote.Path(filepath.ToSlash(filepath.Join(what, ie.Path))), ie.Type),
				"remove it, or replace it by a regular file")
		}
		return nil, err
	}
	return files, nil
}

// changes returns every file that differs between the trees at from and
// to, whose files (from one scan each) are a and b, with both contents.
func changes(from, to string, a, b []tree.File) ([]patch.Change, error) {
	am := map[string]tree.File{}
	for _, f := range a {
		am[f.Path] = f
	}
	var paths []string
	for _, f := range b {
		if old, ok := am[f.Path]; !ok || old.SHA256 != f.SHA256 || old.Mode.Perm() != f.Mode.Perm() {
			paths = append(paths, f.Path)
		}
		delete(am, f.Path)
	}
	for p := range am {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var out []patch.Change
	for _, p := range paths {
		oc, err := patch.Read(from, p)
		if err != nil {
			return nil, err
		}
		nc, err := patch.Read(to, p)
		if err != nil {
			return nil, err
		}
		out = append(out, patch.Change{Path: p, Old: oc, New: nc})
	}
	return out, nil
}

// scanChanges scans both trees (to must hold regular files only) and
// returns their differences. Use it only for folders rvendor staged
// itself; a folder of the tree is snapshot first.
func scanChanges(ctx context.Context, from, to string) ([]patch.Change, []tree.File, error) {
	a, _, err := tree.Scan(ctx, from, 0)
	if err != nil {
		return nil, nil, err
	}
	b, irr, err := tree.Scan(ctx, to, 0)
	if err != nil {
		return nil, nil, err
	}
	if len(irr) > 0 {
		return nil, nil, failed(fmt.Errorf("%s is a %s, not a regular file: patches carry regular files only", quote.Path(filepath.Join(to, irr[0].Path)), irr[0].TypeString()), "remove it")
	}
	ch, err := changes(from, to, a, b)
	return ch, b, err
}

// inTree returns root/rel, refusing a path that leaves the tree, passes
// through a symbolic link or names rvendor's state.
func inTree(root, rel string) (string, error) { return tree.InTree(root, rel) }

// readInTree reads the file root/rel after the same checks, refusing a
// symbolic link in its place.
func readInTree(root, rel string) ([]byte, error) {
	p, err := inTree(root, rel)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
