package engine

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/rustdist"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// retarget implements UpdateOptions.To: the one named component moves to
// version. It returns the project with the edited spec, and the spec's
// new bytes (only that value rewritten, through vendorspec's edit API).
func (e *Engine) retarget(names []string, version string) (*Project, []byte, error) {
	p := e.Project
	if len(names) != 1 {
		return nil, nil, unusable(errors.New("--to needs exactly one COMPONENT"), "run rvendor update --to VERSION COMPONENT")
	}
	c := p.Component(names[0])
	if c == nil {
		return nil, nil, unusablef("see the [[component]] names in the spec", "no component %q in %s", names[0], p.Spec.Path)
	}
	if c.Kind != vendorspec.KindRustSrc && c.Kind != vendorspec.KindRustcSrc {
		return nil, nil, unusable(fmt.Errorf("--to moves rust-src and rustc-src components; %s is a %s component", c.Name, c.Kind),
			"edit its url, sha256 and version in rvendor.toml and run rvendor update: its patches are carried the same way")
	}
	data, err := os.ReadFile(p.Spec.Path)
	if err != nil {
		return nil, nil, err
	}
	f, err := vendorspec.ParseEditable(p.Spec.Path, data)
	if err != nil {
		return nil, nil, err
	}
	if err := f.SetComponentVersion(c.Name, version); err != nil {
		return nil, nil, unusable(fmt.Errorf("version %q: %w", version, err), "")
	}
	np := *p
	np.Spec = f.Spec
	return &np, f.Bytes(), nil
}

// movedPathsError explains an update --to that failed because the new
// release lacks paths the spec names (adopt lists single files, which
// upstream may move or remove): it names each path as written in the
// spec with the patches that change it, and says how to go on. It
// returns nil when err is not such a failure.
func (e *Engine) movedPathsError(c *vendorspec.Component, err error) error {
	missing := map[string]bool{}
	var walk func(error)
	walk = func(x error) {
		switch x := x.(type) {
		case *fetch.SelectionError:
			if x.Field == "paths" {
				missing[x.Value] = true
			}
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	if len(missing) == 0 {
		return nil
	}
	queue, _ := e.Project.Queue(c)
	var b strings.Builder
	var gone []string
	for _, sp := range c.Paths {
		ap, aerr := rustdist.ArchivePath(c.Kind, c.Version, sp)
		if aerr != nil || !missing[ap] {
			continue
		}
		gone = append(gone, sp)
		fmt.Fprintf(&b, "\n  %s", sp)
		// Patch paths are relative to dest, which mirrors root.
		rel := strings.TrimPrefix(strings.TrimPrefix(sp, c.Root), "/")
		var by []string
		for _, q := range queue {
			for _, qp := range q.Paths() {
				if rel == "" || qp == rel || strings.HasPrefix(qp, rel+"/") {
					by = append(by, q.Name)
					break
				}
			}
		}
		if len(by) > 0 {
			fmt.Fprintf(&b, ": changed by %s", strings.Join(by, ", "))
		}
	}
	if len(gone) == 0 {
		return nil
	}
	return failed(fmt.Errorf("component %s: %s %s no longer has %d of the paths rvendor.toml lists (upstream moved or removed them); nothing was changed:%s",
		c.Name, c.Kind, c.Version, len(gone), b.String()),
		fmt.Sprintf("edit rvendor.toml: set version = %q and drop these paths from paths (or name their new places), then run rvendor update %s: the patch queue is carried, and a patch to a file upstream removed is reported as a conflict to resolve",
			c.Version, c.Name))
}
