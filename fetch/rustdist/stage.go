package rustdist

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

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/tree"
)

// MaxRefRounds bounds how often ExtractSelection grows the selection to
// follow references.
const MaxRefRounds = 8

// Selection is what to take out of a Rust source archive: paths as they
// are written in the spec (library/core), relative to the source tree,
// whatever the archive's layout.
type Selection struct {
	Kind, Version string   // rust-src or rustc-src, and the release
	Root          string   // the folder dst mirrors, e.g. "library"
	Paths         []string // folders or files under Root
	Exclude       []string // globs; ones with a "/" are source paths
	Archive       string   // the archive's file name, for messages
	Format        fetch.Format
	// Scratch returns a new path (not existing, its parent existing) for
	// the subtrees a later pass adds. Required.
	Scratch func() (string, error)
	// Progress is passed to fetch.Extract.
	Progress func(entries int, read int64)
}

// Extracted is the result of ExtractSelection.
type Extracted struct {
	Files []tree.File // every file of dst, sorted by path
	// Added lists the source paths added to the selection because the
	// selected files reference them (#[path], include!, include_str!).
	Added []string
	// Notes says why each was added: "added X: <reference>".
	Notes []string
}

// ExtractSelection extracts sel from archive (an open, verified archive
// file; it is read from its start once per pass) into dst, then follows
// the #[path], include!, include_str! and include_bytes! references of the
// selected files out of the selection, extracting the crates they lead to
// in further passes until none is missing (at most MaxRefRounds). dst
// must not exist; its parent must. dst is taken to mirror sel.Root of the
// source tree (dst's ancestors stand for Root's parents), so references
// are resolved in dst's parent folders: give dst a folder of its own. Nothing is written outside dst and the
// Scratch paths.
func ExtractSelection(ctx context.Context, archive io.ReadSeeker, dst string, sel Selection) (*Extracted, error) {
	if sel.Scratch == nil {
		return nil, errors.New("rustdist: Selection.Scratch is required")
	}
	archiveRoot, err := ArchivePath(sel.Kind, sel.Version, sel.Root)
	if err != nil {
		return nil, err
	}
	exclude := make([]string, len(sel.Exclude))
	for i, x := range sel.Exclude {
		exclude[i] = x
		if strings.Contains(x, "/") {
			if exclude[i], err = ArchivePath(sel.Kind, sel.Version, x); err != nil {
				return nil, err
			}
		}
	}
	x := &refExtractor{ctx: ctx, archive: archive, sel: sel, archiveRoot: archiveRoot, exclude: exclude}
	// base mirrors the Rust source tree: base/<root> is dst. The
	// references are resolved against it.
	base := dst
	if sel.Root != "" {
		for range strings.Split(sel.Root, "/") {
			base = filepath.Dir(base)
		}
	}
	if err := x.extract(sel.Paths, dst); err != nil {
		return nil, err
	}
	if err := x.follow(base, dst); err != nil {
		return nil, err
	}
	slices.SortFunc(x.files, func(a, b tree.File) int { return strings.Compare(a.Path, b.Path) })
	return &Extracted{Files: x.files, Added: x.added, Notes: x.notes}, nil
}

type refExtractor struct {
	ctx         context.Context
	archive     io.ReadSeeker
	sel         Selection
	archiveRoot string
	exclude     []string
	files       []tree.File
	added       []string
	notes       []string
}

// extract takes paths (source paths) out of the archive into into.
func (x *refExtractor) extract(paths []string, into string) error {
	ap := make([]string, len(paths))
	for i, q := range paths {
		a, err := ArchivePath(x.sel.Kind, x.sel.Version, q)
		if err != nil {
			return err
		}
		ap[i] = a
	}
	if _, err := x.archive.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("reading %s: %w", x.sel.Archive, err)
	}
	r, err := fetch.Extract(x.ctx, x.archive, x.sel.Format, into, fetch.Selection{
		Root: x.archiveRoot, Paths: ap, Exclude: x.exclude, Archive: x.sel.Archive, Progress: x.sel.Progress,
	}, fetch.Limits{})
	if err != nil {
		return err
	}
	x.files = append(x.files, r.Files...)
	return nil
}

// follow grows the selection until every reference of the selected
// files resolves. base is the folder that mirrors the source tree.
func (x *refExtractor) follow(base, dst string) error {
	root := x.sel.Root
	paths := slices.Clone(x.sel.Paths)
	for round := 0; ; round++ {
		_, err := FollowRefs(base, paths)
		var missing []Ref
		if err != nil {
			for _, e := range unwrapAll(err) {
				var me *MissingError
				if !errors.As(e, &me) {
					return err
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
				return fmt.Errorf("the selected sources reference files missing from %s: %w", x.sel.Archive, err)
			}
			break
		}
		if round == MaxRefRounds {
			return fmt.Errorf("following references did not settle after %d rounds (still adding %s)", MaxRefRounds, strings.Join(grow, ", "))
		}
		for _, add := range grow {
			if add != root && !strings.HasPrefix(add, root+"/") {
				return fmt.Errorf("the selected sources need %s, which is outside root %q (set root to a folder holding both)", add, root)
			}
		}
		if err := x.grow(grow, missing, dst); err != nil {
			return err
		}
		paths = append(paths, grow...)
		x.added = append(x.added, grow...)
	}
	slices.Sort(x.added)
	if len(x.added) > 0 {
		// Say why each subtree was added: the references from the
		// original selection into it.
		refs, _ := FollowRefs(base, x.sel.Paths)
		seen := map[string]bool{}
		for _, ref := range refs {
			if ref.Unresolved == "" && slices.Contains(x.added, ref.Add) {
				n := fmt.Sprintf("added %s: %s", ref.Add, ref)
				if !seen[n] {
					seen[n] = true
					x.notes = append(x.notes, n)
				}
			}
		}
	}
	return nil
}

// grow extracts the subtrees grow into a scratch folder, then moves
// their files into dst, keeping files already selected.
func (x *refExtractor) grow(grow []string, missing []Ref, dst string) error {
	extra, err := x.sel.Scratch()
	if err != nil {
		return err
	}
	defer os.RemoveAll(extra)
	before := len(x.files)
	if err := x.extract(grow, extra); err != nil {
		var se *fetch.SelectionError
		if errors.As(err, &se) {
			errs := make([]error, len(missing))
			for i, r := range missing {
				errs[i] = &MissingError{Ref: r}
			}
			return fmt.Errorf("the selected sources reference files missing from %s: %w", x.sel.Archive, errors.Join(errs...))
		}
		return err
	}
	kept := x.files[:before]
	for _, f := range x.files[before:] {
		to := filepath.Join(dst, filepath.FromSlash(f.Path))
		if _, err := os.Lstat(to); err == nil {
			continue // already selected: keep the one file
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(extra, filepath.FromSlash(f.Path)), to); err != nil {
			return fmt.Errorf("placing %s: %w", f.Path, err)
		}
		kept = append(kept, f)
	}
	x.files = kept
	return nil
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
