package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/engine"
	"github.com/rvendor/rvendor/tree"
)

type updateOptions struct {
	Force      bool
	To         string
	Continue   bool
	Abort      bool
	FromBundle string
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

PATCHES
A component with a patch queue ("patches" in its [[component]]) is placed as
pristine upstream plus its patches, applied in order in the staging folder:
exactly first; where a patch does not apply exactly, by a three-way merge per
file with the version it was recorded against as the base. Patches that
needed a merge are refreshed so they apply exactly to the new version;
patches that became empty (upstream took the change) are reported and
dropped. The tree changes only when every patch lands.

--to VERSION moves one rust-src or rustc-src component to another release
and rewrites its version in rvendor.toml (only that value; the rest of the
file is kept byte for byte). For an archive component, edit its url, sha256
and version in rvendor.toml and run rvendor update: the queue is carried
the same way.

On a conflict, update stops with exit status 1, leaving the tree, the lock
and the spec untouched: it lists the conflicting patch and each file and
keeps the conflict-marked files in .rvendor/conflict/tree (the update's
other components wait in .rvendor/conflict too). Resolve them there and
run "rvendor update --continue" (which refreshes the patch, carries the rest
of the queues and commits every component at once, with the same checks as
update), or drop the attempt with "rvendor update --abort". Until then
update, verify and patch refuse to run.

A Rust source signed by another key than the one rvendor.lock recorded is
refused unless --accept-signer (after checking the new key) or --keyring is
given.

Where the Rust distribution server offers a .tar.gz and a .tar.xz of the
same source, --compression chooses: auto (the default) keeps the one
rvendor.lock records (its url), else takes one already in the download
cache, else the .tar.gz, which decodes about four times as fast (it is
about 1.4 times the size: the quicker whole above ~10 MB/s); xz downloads
the smaller file for slow links; gz forces the .tar.gz. Update says which
it took and why; the lock's url records it. The vendored files are the
same either way.

--from-bundle FILE updates with no network from a bundle that "rvendor
bundle create" wrote: the bundle is checked to be whole, unpacked into a
temporary folder laid out as a mirror, and every file in it is checked again
exactly as a download is (the Rust manifest's .sha256 and signature against
the embedded Rust key or the keyring, archives against the signed manifest
or the spec's sha256, each .crate against Cargo.lock and the index): a
bundle is never trusted for itself. A crate closure needs a pin from
outside the bundle: the spec's lockfile, or the checksums rvendor.lock
records; a crate whose bytes differ from the locked checksum is refused. The lock records the same URLs as a
networked update. With --continue it gives the files the rest of a
conflicted update needs.

Nothing changes until everything has been fetched and checked: a hash
mismatch, a refused archive entry or an interrupted run leaves the tree, the
lock and the sum as they were. A run interrupted while swapping is finished
by the next rvendor update, or rolled back to how things were before it by
"rvendor update --abort". Downloads are cached ($RVENDOR_CACHE, or the user
cache folder). Two rvendor runs in one tree wait for each other.

A component re-vendored prints how its licenses changed: its declared
license, each crate added, removed or relicensed, each license file added,
removed or changed. With --json it prints {"components": [{"name",
"version", "dest", "status" (updated|current), "files", "bytes",
"upstream", "tree", "licenses": [{"what", "name", "old", "new"}]}],
"removed", "recovered", "changed"}.

EXIT STATUS
  0  the tree, lock and sum are up to date
  1  a fetch, a check or the update failed, or a patch conflicts; nothing
     was changed, unless the error says an update is pending (decided
     but not finished): run rvendor update to finish it, or rvendor
     update --abort to put everything back
  2  bad usage, a spec or lock that cannot be used, or a pending conflict`,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case o.Continue && o.Abort:
				return usageErr(errors.New("--continue and --abort exclude each other"), "")
			case o.Abort && o.FromBundle != "":
				return usageErr(errors.New("--abort reads no bundle: drop --from-bundle"), "")
			case o.Abort:
				return runUpdateAbort(g)
			}
			return withBundle(cmd.Context(), g, o.FromBundle, func(mirror string) error {
				if o.Continue {
					return runUpdateContinue(cmd.Context(), g, mirror)
				}
				return runUpdate(cmd.Context(), g, &o, args, mirror)
			})
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "fetch and place components even when the lock says they are current (undeclared edits are discarded)")
	cmd.Flags().StringVar(&o.To, "to", "", "move the one named rust-src or rustc-src component to `VERSION`, carrying its patches, and rewrite its version in rvendor.toml")
	cmd.Flags().BoolVar(&o.Continue, "continue", false, "finish a conflicted update once its files in .rvendor/conflict/tree are resolved")
	cmd.Flags().BoolVar(&o.Abort, "abort", false, "drop a conflicted update (the tree, lock and spec stay as they are), or roll back an interrupted one")
	cmd.Flags().StringVar(&o.FromBundle, "from-bundle", "", "update with no network from the bundle `FILE` (rvendor bundle create), every file checked again")
	cmd.Flags().BoolVar(&g.AcceptSigner, "accept-signer", false, "accept a Rust source signed by another key than the one rvendor.lock recorded")
	addKeyringFlag(cmd, g)
	return cmd
}

// withBundle runs op with no mirror when file is "", else with the
// bundle file checked and unpacked as a local mirror (engine.OpenBundle),
// removed afterwards.
func withBundle(ctx context.Context, g *globalOptions, file string, op func(mirror string) error) error {
	if file == "" {
		return op("")
	}
	file, err := g.abs(file)
	if err != nil {
		return err
	}
	b, err := engine.OpenBundle(ctx, file)
	if err != nil {
		return err
	}
	defer b.Close()
	var made []string
	for _, c := range b.Manifest.Components {
		made = append(made, c.Name+" "+c.Kind+" "+c.Version)
	}
	g.say("%s: whole (%d file%s, made for %s); every file is checked again as it is used",
		file, len(b.Manifest.Files), plural(len(b.Manifest.Files)), strings.Join(made, ", "))
	return op(b.Dir)
}

// runUpdate runs an update, from the local mirror when not "".
func runUpdate(ctx context.Context, g *globalOptions, o *updateOptions, args []string, mirror string) error {
	if err := g.absKeyring(); err != nil {
		return err
	}
	return g.withEngine(func(ws *tree.Workspace, e *engine.Engine) error {
		e.Mirror = mirror
		res, err := e.Update(ctx, ws, engine.UpdateOptions{Names: args, Force: o.Force, To: o.To})
		if err != nil {
			return err
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
			g.say("nothing to do: the tree and rvendor.lock are up to date")
		}
		if g.JSON {
			return writeJSON(g, updateResult{Components: res.Components, Removed: res.Removed, Recovered: ws.Recovered, Changed: res.Changed})
		}
		return nil
	})
}

// updateResult is the --json output of update and update --continue.
type updateResult struct {
	Components []engine.ComponentResult `json:"components"`
	Removed    []string                 `json:"removed,omitempty"`
	Recovered  []string                 `json:"recovered,omitempty"`
	Changed    bool                     `json:"changed"`
}

func runUpdateAbort(g *globalOptions) error {
	// An update interrupted after it decided (its journal is there) is
	// rolled back to the tree, lock and sum from before it: for when it
	// cannot be finished.
	specPath, err := g.specPath()
	if err != nil {
		return err
	}
	if root := filepath.Dir(specPath); tree.Pending(root) {
		if err := tree.RollBackSpec(root, filepath.Base(specPath)); err != nil {
			return fmt.Errorf("rolling back the interrupted update: %w", err)
		}
		g.say("rolled back the interrupted update: the tree, lock and sum are as they were before it")
		return nil
	}
	ws, _, err := g.openWorkspace()
	if err != nil {
		return err
	}
	defer ws.Close()
	name, err := engine.Abort(ws)
	if err != nil {
		return err
	}
	if name == "" {
		name = "rvendor"
	}
	g.say("%s: dropped the conflicted update; the tree, lock and spec are as they were", name)
	return nil
}

func runUpdateContinue(ctx context.Context, g *globalOptions, mirror string) error {
	return g.withEngine(func(ws *tree.Workspace, e *engine.Engine) error {
		e.Mirror = mirror
		res, err := e.Continue(ctx, ws)
		if err != nil {
			return err
		}
		for _, c := range res.Components {
			g.say("%s %s: %d files (%s) into %s, %d patch%s carried", c.Name, c.Version, c.Files, humanBytes(c.Bytes), c.Dest, c.Patches, map[bool]string{true: "", false: "es"}[c.Patches == 1])
		}
		for _, n := range res.Removed {
			g.say("%s: removed (no longer in the spec)", n)
		}
		if g.JSON {
			return writeJSON(g, updateResult{Components: res.Components, Removed: res.Removed, Changed: res.Changed})
		}
		return nil
	})
}
