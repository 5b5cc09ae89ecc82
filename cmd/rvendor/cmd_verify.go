package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/engine"
	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/verify"
)

type verifyOptions struct {
	NoCache bool
	Jobs    int
}

func newVerifyCommand(g *globalOptions) *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify [COMPONENT...]",
		Short: "Check offline that the tree is what the lock says",
		Long: `Verify proves, offline and without writing to the tree, that each vendored
folder holds exactly the files rvendor.lock and rvendor.sum record: it names
every file modified, added, deleted, changed in mode or replaced by another
kind of entry, and every component whose spec changed since the last update.

Each file is in one of three states: as upstream has it; changed by a
recorded patch of the component's queue (listed as "patched", with the
patch's name; not drift); or an undeclared edit (modified, added, deleted,
mode), which is drift: "rvendor diff" shows it and "rvendor patch record"
turns it into a patch. rvendor.lock records the pristine upstream hash and
the tree hash after the queue, and each patch file's sha256; rvendor.sum
records the pristine version of each patched file, so verify checks both
hashes, and notices a patch file edited, added or removed by hand (status
stale), without the download cache.

It hashes on all cores. A stat cache outside the tree (in $RVENDOR_CACHE or
the user cache folder) lets a warm run re-hash only files whose size, times
or inode changed; files changed within the same clock tick as the cache was
written are always re-hashed. --no-cache hashes everything.

With --json it prints a stable report: {"version":1,"status":"clean"|"drift",
"components":[{"name","dest","status","hint","stale","modified","added",
"deleted","mode":[{"path","want","got"}],"type":[{"path","want","got"}],
"patches":[NAME...],"patched":[{"path","patches"}]}],
"stats":{...}}. A component's status is clean, drift, stale (the spec changed
since the last update), not-vendored, missing (dest is gone) or removed (no
longer in the spec).

EXIT STATUS
  0  every checked component is clean
  1  drift: a file, a component or the spec differs from the lock
  2  bad usage, or a spec, lock or sum that cannot be used (including an
     rvendor.sum that does not match rvendor.lock, an interrupted update,
     or a conflicted update waiting for --continue or --abort)`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), g, &o, args)
		},
	}
	cmd.Flags().BoolVar(&o.NoCache, "no-cache", false, "hash every file; neither read nor write the stat cache")
	cmd.Flags().IntVarP(&o.Jobs, "jobs", "j", 0, "hash with `N` workers (default: one per core)")
	return cmd
}

func runVerify(ctx context.Context, g *globalOptions, o *verifyOptions, args []string) error {
	// An interrupted update comes first: its lock and sum may be half-way.
	if specPath, err := g.specPath(); err == nil && tree.Pending(filepath.Dir(specPath)) {
		return usageErr(fmt.Errorf("%w in %s", tree.ErrPending, filepath.Dir(specPath)), "run rvendor update to finish it, then verify again")
	}
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	if err := engine.RefuseConflict(p.Spec.Dir); err != nil {
		return err
	}
	opt := verify.Options{Spec: p.Spec, Lock: p.Lock, Sum: p.Sum, Components: args, Jobs: o.Jobs}
	if !o.NoCache {
		opt.StatCache = statCachePath(g, p.Spec.Dir)
	}
	rep, err := verify.Verify(ctx, opt)
	// verify takes no lock: an update that began meanwhile shows as a
	// journal, and then what was read may be half old, half new.
	if (err != nil || rep.ExitCode() != 0) && tree.Pending(p.Spec.Dir) {
		return usageErr(fmt.Errorf("%w in %s", tree.ErrPending, p.Spec.Dir), "an update is under way or was interrupted: run rvendor update to finish it, then verify again")
	}
	if err != nil {
		if errors.Is(err, verify.ErrUnknownComponent) {
			return usageErr(err, "see the [[component]] names in the spec")
		}
		return usageErr(err, "")
	}
	if g.JSON {
		if err := writeJSON(g, rep); err != nil {
			return err
		}
	} else {
		printVerify(g, rep)
	}
	if rep.ExitCode() != 0 {
		return &exitError{code: exitFailure}
	}
	return nil
}

// statCachePath returns the stat cache file for the tree at root, under
// $RVENDOR_CACHE or the user cache folder, or "" when there is none.
func statCachePath(g *globalOptions, root string) string {
	dir := g.getenv("RVENDOR_CACHE")
	if dir == "" {
		base, err := userCacheDir(g)
		if err != nil {
			return ""
		}
		dir = filepath.Join(base, "rvendor")
	}
	sum := sha256.Sum256([]byte(root))
	return filepath.Join(dir, "stat", hex.EncodeToString(sum[:16]))
}

// userCacheDir is os.UserCacheDir reading the environment through g.
func userCacheDir(g *globalOptions) (string, error) {
	if d := g.getenv("XDG_CACHE_HOME"); d != "" {
		return d, nil
	}
	if h := g.getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache"), nil
	}
	return "", errors.New("neither $XDG_CACHE_HOME nor $HOME is set")
}

// printVerify renders the report for people: one line per problem file,
// prefixed by the component, then a summary line per component.
func printVerify(g *globalOptions, rep *verify.Report) {
	w := g.stdout
	patched := func(c *verify.ComponentReport) {
		for _, f := range c.Patched {
			fmt.Fprintf(w, "  patched       %s (%s)\n", filepath.ToSlash(filepath.Join(c.Dest, f.Path)), strings.Join(f.Patches, ", "))
		}
	}
	for _, c := range rep.Components {
		queue := ""
		if n := len(c.Patches); n > 0 {
			queue = fmt.Sprintf(", %d patch%s", n, map[bool]string{true: "", false: "es"}[n == 1])
		}
		if c.Status == verify.StatusClean {
			if !g.Quiet {
				fmt.Fprintf(w, "%s: clean (%s%s)\n", c.Name, c.Dest, queue)
				patched(c)
			}
			continue
		}
		fmt.Fprintf(w, "%s: %s (%s%s)\n", c.Name, c.Status, c.Dest, queue)
		patched(c)
		for _, s := range c.Stale {
			fmt.Fprintf(w, "  spec changed  %s\n", s)
		}
		for _, f := range c.Modified {
			fmt.Fprintf(w, "  modified      %s\n", filepath.ToSlash(filepath.Join(c.Dest, f)))
		}
		for _, f := range c.Added {
			fmt.Fprintf(w, "  added         %s\n", filepath.ToSlash(filepath.Join(c.Dest, f)))
		}
		for _, f := range c.Deleted {
			fmt.Fprintf(w, "  deleted       %s\n", filepath.ToSlash(filepath.Join(c.Dest, f)))
		}
		for _, m := range c.Mode {
			fmt.Fprintf(w, "  mode          %s (%s, want %s)\n", filepath.ToSlash(filepath.Join(c.Dest, m.Path)), m.Got, m.Want)
		}
		for _, t := range c.Type {
			fmt.Fprintf(w, "  type          %s (%s, want %s)\n", filepath.ToSlash(filepath.Join(c.Dest, t.Path)), t.Got, t.Want)
		}
		if c.Hint != "" {
			fmt.Fprintf(w, "  hint: %s\n", c.Hint)
		}
	}
}
