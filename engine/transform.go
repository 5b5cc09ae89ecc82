package engine

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/policy/license"
	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/tree/patch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// The declared transformations of a component, in the order they apply:
//
//	pristine upstream -> SPDX headers (spdx-header) -> patch queue -> README.md (readme)
//
// The headers come before the queue, so patches are recorded against
// stamped files and carry across upgrades like any other; the README
// comes last because it lists the queue. Both are recorded in the lock
// (stamped, generated), so the pristine hash stays checkable and verify
// does not call them drift.

// ReadmeName is the file readme = true writes at the top of dest.
const ReadmeName = "README.md"

// maxStampSize caps the files the header is added to: a source file
// larger than this is left as it is (and not listed as stamped).
const maxStampSize = 16 << 20

// stampDir adds expr as an SPDX-License-Identifier line to every file of
// files (below dir) whose type has a comment style and that has no tag
// in its first lines (license.Stamp), or, with only set, to exactly those
// paths. It returns the stamped paths, sorted; with only, a listed file
// that does not take the stamp is an error naming it.
func stampDir(ctx context.Context, dir string, files []tree.File, expr string, only []string) ([]string, error) {
	var stamped []string
	want := map[string]bool{}
	for _, p := range only {
		want[p] = true
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if only != nil && !want[f.Path] {
			continue
		}
		if _, ok := license.CommentStyle(path.Base(f.Path)); !ok || f.Size > maxStampSize {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		data, err := tree.ReadFile(p, maxStampSize)
		if err != nil {
			return nil, err
		}
		out, changed, err := license.Stamp(path.Base(f.Path), data, expr)
		if err != nil {
			return nil, fmt.Errorf("stamping %s: %w", quote.Path(f.Path), err)
		}
		if !changed {
			continue
		}
		if err := os.WriteFile(p, out, f.Mode); err != nil {
			return nil, err
		}
		stamped = append(stamped, f.Path)
	}
	slices.Sort(stamped)
	if only != nil {
		for _, p := range only {
			if _, ok := slices.BinarySearch(stamped, p); !ok {
				return nil, fmt.Errorf("%s, which rvendor.lock lists as stamped, does not take the SPDX header %q", quote.Path(p), expr)
			}
		}
	}
	return stamped, nil
}

// stampedIntact checks that each stamped file of lc in dir that no patch
// touches (touched) is its pristine upstream file (pristine, from the
// sum) plus the tag and nothing else; it returns the first that is not.
func stampedIntact(lc *vendorspec.LockedComponent, dir string, pristine []tree.File, touched map[string]bool) (string, error) {
	want := make(map[string][32]byte, len(pristine))
	for _, f := range pristine {
		want[f.Path] = f.SHA256
	}
	for _, p := range lc.Stamped {
		if touched[p] {
			continue
		}
		data, err := tree.ReadFile(filepath.Join(dir, filepath.FromSlash(p)), maxStampSize+1<<10)
		if err != nil {
			return p, err
		}
		if !license.StampedFrom(path.Base(p), data, lc.SPDXHeader, want[p]) {
			return p, nil
		}
	}
	return "", nil
}

// checkHeader refuses, before anything is fetched, an spdx-header that
// the strict parser refuses or that is not the component's license: the
// header must say what the license says (an equivalent expression), or
// name one of its options.
func checkHeader(c *vendorspec.Component) error {
	if c.SPDXHeader == "" {
		return nil
	}
	at := c.Pos.At("spdx-header")
	h, err := license.Parse(c.SPDXHeader)
	if err != nil {
		return &vendorspec.Error{Pos: at, Msg: fmt.Sprintf("component %s: spdx-header %q: %v", c.Name, c.SPDXHeader, err), Hint: "write it as the SPDX list spells it"}
	}
	if c.License == "" {
		return &vendorspec.Error{Pos: at, Msg: fmt.Sprintf("component %s: spdx-header needs the component's license", c.Name), Hint: "add license = \"" + h.String() + "\" (what upstream declares)"}
	}
	l, _, err := license.ParseDeclared(c.License)
	if err != nil {
		return &vendorspec.Error{Pos: c.Pos.At("license"), Msg: fmt.Sprintf("component %s: license %q: %v", c.Name, c.License, err), Hint: "write it as the SPDX list spells it"}
	}
	if license.Equivalent(h, l) {
		return nil
	}
	for _, o := range l.Options() {
		names := make([]string, len(o))
		for i, t := range o {
			names[i] = t.String()
		}
		if oe, err := license.Parse(strings.Join(names, " AND ")); err == nil && license.Equivalent(h, oe) {
			return nil
		}
	}
	return &vendorspec.Error{Pos: at, Msg: fmt.Sprintf("component %s: spdx-header %q is not its license %q, nor one of its options", c.Name, c.SPDXHeader, c.License),
		Hint: "stamp the license upstream declares: spdx-header = \"" + l.String() + "\""}
}

// stamp applies lc's spdx-header to the pristine files in dir and
// records the stamped paths in lc.
func (e *Engine) stamp(ctx context.Context, lc *vendorspec.LockedComponent, dir string, files []tree.File) error {
	lc.Stamped = nil
	if lc.SPDXHeader == "" {
		return nil
	}
	stamped, err := stampDir(ctx, dir, files, lc.SPDXHeader, nil)
	if err != nil {
		return err
	}
	lc.Stamped = stamped
	e.say(fmt.Sprintf("%s: stamped %d of %d files with SPDX-License-Identifier: %s", lc.Name, len(stamped), len(files), lc.SPDXHeader))
	return nil
}

// restamp applies lc's spdx-header to pristine files extracted again
// (for a merge base, pristine plus queue, a rebuilt dest): exactly to the
// files the lock lists, whatever the rules of this rvendor would stamp
// today, so a base is the same on every version of rvendor.
func restamp(ctx context.Context, lc *vendorspec.LockedComponent, dir string, files []tree.File) error {
	if lc.SPDXHeader == "" {
		if len(lc.Stamped) > 0 {
			return failed(fmt.Errorf("rvendor.lock lists stamped files for %s but no spdx-header", lc.Name), "run rvendor update --force "+lc.Name)
		}
		return nil
	}
	if _, err := stampDir(ctx, dir, files, lc.SPDXHeader, nonNil(lc.Stamped)); err != nil {
		return failed(fmt.Errorf("rebuilding the stamped files of %s: %w", lc.Name, err), "run rvendor update --force "+lc.Name)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// extractBase extracts the pristine files of lc into dir and applies its
// SPDX headers: the base its patch queue applies to.
func (e *Engine) extractBase(ctx context.Context, lc *vendorspec.LockedComponent, dir string, allowFetch bool) ([]tree.File, error) {
	files, err := e.extractPristine(ctx, lc, dir, allowFetch)
	if err != nil {
		return nil, err
	}
	if err := restamp(ctx, lc, dir, files); err != nil {
		return nil, err
	}
	return files, nil
}

// refuseReadmeClash refuses readme = true for a component whose
// upstream has a README.md of its own at the top of dest.
func refuseReadmeClash(c *vendorspec.Component, pristine []tree.File) error {
	if !c.Readme {
		return nil
	}
	if _, ok := slices.BinarySearchFunc(pristine, ReadmeName, func(f tree.File, p string) int { return strings.Compare(f.Path, p) }); ok {
		return unusable(fmt.Errorf("component %s: upstream has a %s at the top of dest, which readme = true would replace", c.Name, ReadmeName),
			"remove readme = true, or exclude the upstream "+ReadmeName)
	}
	return nil
}

// refuseGeneratedPatches refuses a queue that touches a file rvendor
// generates: the next generation would silently undo it.
func refuseGeneratedPatches(lc *vendorspec.LockedComponent) error {
	for _, p := range lc.Patches {
		for _, f := range p.Files {
			if slices.Contains(lc.Generated, f) || (lc.Readme && f == ReadmeName) {
				return failed(fmt.Errorf("%s of %s is generated by rvendor (readme = true), and patch %s changes it", f, lc.Name, p.Name),
					"leave "+f+" as rvendor writes it (restore it from version control; rvendor rewrites it), or set readme = false")
			}
		}
	}
	return nil
}

// writeReadme writes lc's generated README.md into dir when the lock
// says readme, and records it in lc.Generated; subjects gives each
// patch's subject by name. It reports whether it wrote.
func writeReadme(lc *vendorspec.LockedComponent, dir string, files []tree.File, subjects map[string]string) (bool, error) {
	lc.Generated = nil
	if !lc.Readme {
		return false, nil
	}
	if err := refuseGeneratedPatches(lc); err != nil {
		return false, err
	}
	text := readmeText(lc, files, subjects)
	if err := os.WriteFile(filepath.Join(dir, ReadmeName), text, 0o644); err != nil {
		return false, err
	}
	lc.Generated = []string{ReadmeName}
	return true, nil
}

// subjectsOf maps each patch of queue to its subject.
func subjectsOf(queue []*patch.Patch) map[string]string {
	m := make(map[string]string, len(queue))
	for _, q := range queue {
		m[q.Name] = q.Title
	}
	return m
}

// rustRepo is where the Rust kinds' license files live upstream: the top
// of the rust-lang/rust repository, outside library/.
const rustRepo = "https://github.com/rust-lang/rust/blob/"

// readmeText is the provenance README of lc: what it is, where it comes
// from, its archive's sha256 and signer, its license and license files,
// the SPDX headers and the patch queue. It depends on lc and the file
// list only, so it is the same on every run.
func readmeText(lc *vendorspec.LockedComponent, files []tree.File, subjects map[string]string) []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# %s %s\n\n", lc.Name, lc.Version)
	w("This folder is vendored by rvendor from upstream sources. rvendor generated\n")
	w("this file from rvendor.lock; it is rewritten on every update. Change the\n")
	w("vendored files only by recording a patch (`rvendor patch record %s`).\n\n", lc.Name)
	w("| | |\n| --- | --- |\n")
	w("| Upstream | %s, version %s |\n", kindText(lc.Kind), lc.Version)
	w("| Archive | <%s> |\n", lc.URL)
	if lc.SHA256 != "" {
		w("| Archive sha256 | `%s` |\n", lc.SHA256)
	}
	if lc.Signer != "" {
		w("| Signed by | `%s` (OpenPGP fingerprint; checked on the channel manifest) |\n", lc.Signer)
	}
	if lc.Root != "" {
		w("| Folder in the archive | `%s` |\n", lc.Root)
	}
	if lc.License != "" {
		w("| License | `%s` |\n", lc.License)
	}
	if lc.SPDXHeader != "" {
		w("| SPDX headers | `SPDX-License-Identifier: %s` added by rvendor to %d files that had none |\n", lc.SPDXHeader, len(lc.Stamped))
	}
	w("\n## License files\n\n")
	n := 0
	for _, f := range files {
		if license.IsLicenseFile(path.Base(f.Path)) {
			w("- [%s](%s)\n", f.Path, f.Path)
			n++
		}
	}
	if lc.Kind == vendorspec.KindRustSrc || lc.Kind == vendorspec.KindRustcSrc {
		for _, l := range []string{"COPYRIGHT", "LICENSE-APACHE", "LICENSE-MIT"} {
			w("- [%s](%s%s/%s) (upstream, at the top of the Rust repository)\n", l, rustRepo, lc.Version, l)
			n++
		}
	}
	if n == 0 {
		w("None in this folder: see the upstream archive.\n")
	}
	w("\n## Patches\n\n")
	if len(lc.Patches) == 0 {
		w("None: the files are as upstream has them")
		if lc.SPDXHeader != "" {
			w(", apart from the SPDX headers")
		}
		w(".\n")
	}
	for i, p := range lc.Patches {
		w("%d. `%s`: %s\n", i+1, p.Name, subjects[p.Name])
	}
	return []byte(b.String())
}

func kindText(kind string) string {
	switch kind {
	case vendorspec.KindRustSrc:
		return "the rust-src component of the Rust release"
	case vendorspec.KindRustcSrc:
		return "the Rust source tarball (rustc-src)"
	case vendorspec.KindArchive:
		return "an archive"
	}
	return kind
}
