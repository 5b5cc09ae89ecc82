package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// crashEnv names a testing hook: when set to one of tree.CrashPoints,
// update exits abruptly there, as if killed, so tests can prove that the
// next run recovers. It has no other use.
const crashEnv = "RVENDOR_TEST_CRASH_AT"

type updateOptions struct {
	Force bool
}

func newUpdateCommand(g *globalOptions) *cobra.Command {
	var o updateOptions
	cmd := &cobra.Command{
		Use:   "update [COMPONENT...]",
		Short: "Fetch the pinned sources and place them into the tree",
		Long: `Update fetches each component of rvendor.toml (all, or those named), checks
its sha256 before anything is unpacked, extracts only the selected paths
with a hardened extractor, and swaps the result into dest atomically; then it
writes rvendor.lock and rvendor.sum.

A component whose lock entry already matches the spec is left alone (use
--force to fetch and place it again). Components removed from the spec are
removed from the tree when update runs without arguments.

Nothing changes until everything has been fetched and checked: a hash
mismatch, a refused archive entry or an interrupted run leaves the tree, the
lock and the sum as they were. Downloads are cached ($RVENDOR_CACHE, or the
user cache folder). Two rvendor runs in one tree wait for each other.

EXIT STATUS
  0  the tree, lock and sum are up to date
  1  a fetch, a check or the update failed; nothing was changed
  2  bad usage, or a spec or lock that cannot be used`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUpdate(cmd.Context(), g, &o, args)
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "fetch and place components even when the lock says they are current")
	addKeyringFlag(cmd, g)
	return cmd
}

// updateResult is the --json output of update.
type updateResult struct {
	Components []updatedComponent `json:"components"`
	Removed    []string           `json:"removed,omitempty"`
	Recovered  []string           `json:"recovered,omitempty"`
	Changed    bool               `json:"changed"`
}

type updatedComponent struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Dest     string `json:"dest"`
	Status   string `json:"status"` // "updated" or "current"
	Files    int    `json:"files"`
	Bytes    int64  `json:"bytes"`
	Upstream string `json:"upstream"`
	Tree     string `json:"tree"`
}

func runUpdate(ctx context.Context, g *globalOptions, o *updateOptions, args []string) error {
	if err := g.absKeyring(); err != nil {
		return err
	}
	specPath, err := g.specPath()
	if err != nil {
		return err
	}
	if _, err := vendorspec.Load(specPath); err != nil {
		return err
	}
	ws, err := tree.Open(filepath.Dir(specPath))
	if err != nil {
		return err
	}
	defer ws.Close()
	if point := g.getenv(crashEnv); point != "" {
		ws.Hook = func(p string) {
			if p == point {
				fmt.Fprintf(g.stderr, "rvendor: test hook: stopping at %s\n", p)
				os.Exit(99)
			}
		}
	}
	for _, r := range ws.Recovered {
		g.say("rvendor: %s", r)
	}
	// Read everything again under the lock: recovery may have changed it.
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	comps, err := selectComponents(p.Spec, args)
	if err != nil {
		return err
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

	newLock := &vendorspec.Lock{Version: vendorspec.LockVersion, Components: append([]*vendorspec.LockedComponent(nil), p.Lock.Components...)}
	newSum := &vendorspec.Sum{Files: map[string][]tree.File{}}
	for k, v := range p.Sum.Files {
		newSum.Files[k] = v
	}
	res := updateResult{Recovered: ws.Recovered}
	swapped := false
	for _, c := range comps {
		old := p.Lock.Component(c.Name)
		if old != nil && !o.Force && len(c.Stale(old)) == 0 && dirExists(filepath.Join(p.Spec.Dir, filepath.FromSlash(c.Dest))) {
			res.Components = append(res.Components, updatedComponent{Name: c.Name, Version: c.Version, Dest: c.Dest,
				Status: "current", Files: old.Files, Bytes: old.Bytes, Upstream: old.Upstream, Tree: old.Tree})
			g.say("%s %s: up to date in %s", c.Name, c.Version, c.Dest)
			continue
		}
		if err := checkDest(p.Spec.Dir, c.Dest); err != nil {
			return fmt.Errorf("component %s: %w", c.Name, err)
		}
		st, err := stageComponent(ctx, g, p, cache, txn, c)
		if err != nil {
			return fmt.Errorf("component %s: %w", c.Name, err)
		}
		for _, n := range st.Notes {
			g.say("%s: %s", c.Name, n)
		}
		lc, files := st.Lock, st.Files
		if err := txn.Replace(c.Dest, st.Dir); err != nil {
			return err
		}
		if old != nil && old.Dest != c.Dest {
			if err := txn.Replace(old.Dest, ""); err != nil {
				return err
			}
		}
		swapped = true
		newLock.Set(lc)
		newSum.Files[c.Name] = files
		res.Components = append(res.Components, updatedComponent{Name: c.Name, Version: c.Version, Dest: c.Dest,
			Status: "updated", Files: lc.Files, Bytes: lc.Bytes, Upstream: lc.Upstream, Tree: lc.Tree})
	}
	if len(args) == 0 {
		for _, lc := range p.Lock.Components {
			if specComponent(p.Spec, lc.Name) != nil {
				continue
			}
			if err := txn.Replace(lc.Dest, ""); err != nil {
				return err
			}
			swapped = true
			newLock.Remove(lc.Name)
			delete(newSum.Files, lc.Name)
			res.Removed = append(res.Removed, lc.Name)
		}
	}

	lockBytes, err := newLock.Marshal()
	if err != nil {
		return err
	}
	sumBytes := newSum.Marshal()
	oldLock, _ := os.ReadFile(p.LockPath)
	oldSum, _ := os.ReadFile(p.SumPath)
	lockChanged := !bytes.Equal(lockBytes, oldLock)
	sumChanged := !bytes.Equal(sumBytes, oldSum)
	if lockChanged {
		if err := txn.WriteFile(vendorspec.LockName, lockBytes); err != nil {
			return err
		}
	}
	if sumChanged {
		if err := txn.WriteFile(vendorspec.SumName, sumBytes); err != nil {
			return err
		}
	}
	res.Changed = swapped || lockChanged || sumChanged
	if res.Changed {
		if err := txn.Commit(); err != nil {
			return err
		}
	}
	for _, c := range res.Components {
		if c.Status == "updated" {
			g.say("%s %s: %d files (%s) into %s", c.Name, c.Version, c.Files, humanBytes(c.Bytes), c.Dest)
		}
	}
	for _, n := range res.Removed {
		g.say("%s: removed (no longer in the spec)", n)
	}
	if !res.Changed {
		g.say("nothing to do: the tree and %s are up to date", vendorspec.LockName)
	}
	if g.JSON {
		return writeJSON(g, res)
	}
	return nil
}

// staged is a component's new content, ready to be swapped in.
type staged struct {
	Lock  *vendorspec.LockedComponent // complete lock entry
	Files []tree.File                 // every file of Dir, for rvendor.sum
	Dir   string                      // the staging folder holding them
	Notes []string                    // what the user should be told
}

// stageComponent fetches c and places its selected files into a new
// staging folder of txn, by kind.
func stageComponent(ctx context.Context, g *globalOptions, p *project, cache *fetch.Cache, txn *tree.Txn, c *vendorspec.Component) (*staged, error) {
	var (
		st  *staged
		err error
	)
	switch c.Kind {
	case vendorspec.KindArchive:
		st, err = stageArchive(ctx, g, cache, txn, c)
	case vendorspec.KindRustSrc, vendorspec.KindRustcSrc:
		st, err = stageRust(ctx, g, p, cache, txn, c)
	case vendorspec.KindCrate:
		st, err = stageCrate(ctx, g, p, cache, txn, c)
	default:
		return nil, usageErr(fmt.Errorf("kind %q cannot be fetched", c.Kind), "")
	}
	if err != nil {
		return nil, err
	}
	if st.Lock.Tree == "" {
		h1, err := tree.H1(st.Files)
		if err != nil {
			return nil, err
		}
		st.Lock.Tree = h1
		if st.Lock.Upstream == "" {
			st.Lock.Upstream = h1
		}
	}
	st.Lock.Files, st.Lock.Bytes = len(st.Files), 0
	for _, f := range st.Files {
		st.Lock.Bytes += f.Size
	}
	return st, nil
}

// checkDest refuses a dest that is not a folder, or that leads out of the
// tree through a symbolic link.
func checkDest(root, dest string) error {
	p := filepath.Join(root, filepath.FromSlash(dest))
	if fi, err := os.Lstat(p); err == nil && !fi.IsDir() {
		return fmt.Errorf("dest %s exists and is not a folder; move it away or choose another dest", dest)
	}
	// Every existing ancestor must resolve inside the tree.
	for q := filepath.Dir(p); len(q) > len(root); q = filepath.Dir(q) {
		real, err := filepath.EvalSymlinks(q)
		if err != nil {
			continue
		}
		rootReal, err := filepath.EvalSymlinks(root)
		if err != nil {
			return err
		}
		if real != rootReal && !strings.HasPrefix(real, rootReal+string(filepath.Separator)) {
			return fmt.Errorf("dest %s leads out of the tree through a symbolic link (%s -> %s)", dest, q, real)
		}
		break
	}
	return nil
}

func selectComponents(s *vendorspec.Spec, names []string) ([]*vendorspec.Component, error) {
	if len(names) == 0 {
		return s.Components, nil
	}
	var out []*vendorspec.Component
	for _, n := range names {
		c := specComponent(s, n)
		if c == nil {
			return nil, usageErr(fmt.Errorf("no component %q in %s", n, s.Path), "run rvendor tree, or see the [[component]] names in the spec")
		}
		out = append(out, c)
	}
	return out, nil
}

func specComponent(s *vendorspec.Spec, name string) *vendorspec.Component {
	for _, c := range s.Components {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func dirExists(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.IsDir()
}

func writeJSON(g *globalOptions, v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
