package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/engine"
	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/tree/patch"
)

func newPatchCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "patch",
		Short: "Keep maintainer edits of vendored files as a patch queue",
		Long: `A component's patch queue is the folder named by "patches" in its
[[component]]: git format-patch files applied in name order to the pristine
upstream files. rvendor.lock records each patch's sha256 and the files it
touches, and rvendor.sum the pristine version of every patched file, so
verify tells upstream files, patched files and undeclared edits apart
offline.

  rvendor patch record COMPONENT -m SUBJECT   turn undeclared edits into the next patch
  rvendor patch list [COMPONENT]              show the queue
  rvendor patch drop COMPONENT N              remove patch N and restore its files

EXIT STATUS
  0  success
  1  the operation failed; nothing was changed
  2  bad usage, or a spec, lock or sum that cannot be used`,
	}
	cmd.AddCommand(newPatchRecordCommand(g), newPatchListCommand(g), newPatchDropCommand(g))
	return cmd
}

type patchRecordOptions struct {
	Message string
	Author  string
	Date    string
}

func newPatchRecordCommand(g *globalOptions) *cobra.Command {
	var o patchRecordOptions
	cmd := &cobra.Command{
		Use:   "record COMPONENT -m SUBJECT",
		Short: "Turn the undeclared edits of a component into the next patch of its queue",
		Long: `Record compares the component's dest with pristine upstream plus its
patch queue (the pristine files come from rvendor's download cache) and
writes the difference, exactly what "rvendor diff COMPONENT" shows, as the
next patch of the queue: NNNN-<subject>.patch, git format-patch compatible
(git am and git apply take it). The patch is deterministic: its Date is
fixed unless --date is given. Then rvendor.lock and rvendor.sum record it
and verify is clean. The tree's files are not changed.

EXIT STATUS
  0  the patch was recorded
  1  nothing to record, or the operation failed; nothing was changed
  2  bad usage, or a spec, lock or sum that cannot be used`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPatchRecord(cmd.Context(), g, &o, args[0])
		},
	}
	cmd.Flags().StringVarP(&o.Message, "message", "m", "", "the patch's `SUBJECT` (required); further lines become its body")
	cmd.Flags().StringVar(&o.Author, "author", "", "the patch's author, \"Name <mail>\" (default: rvendor <rvendor@localhost>)")
	cmd.Flags().StringVar(&o.Date, "date", "", "the patch's Date header, RFC 2822 (default: fixed, for deterministic output)")
	return cmd
}

func runPatchRecord(ctx context.Context, g *globalOptions, o *patchRecordOptions, name string) error {
	subject, body, _ := strings.Cut(strings.TrimSpace(o.Message), "\n")
	if strings.TrimSpace(subject) == "" {
		return usageErr(errors.New("patch record needs a subject"), "pass -m \"what the change does\"")
	}
	return g.withEngine(func(ws *tree.Workspace, e *engine.Engine) error {
		rec, err := e.Record(ctx, ws, name, engine.RecordOptions{Subject: subject, Body: body, Author: o.Author, Date: o.Date})
		if err != nil {
			return err
		}
		g.say("%s: recorded %s (%s)", name, rec.Path, statLine(rec.Stats))
		if g.JSON {
			return writeJSON(g, patchInfo{Name: rec.Name, Subject: subject, SHA256: rec.SHA256, Files: rec.Stats})
		}
		return nil
	})
}

func statLine(stats []patch.Stat) string {
	var add, del int
	for _, s := range stats {
		add += s.Added
		del += s.Deleted
	}
	return fmt.Sprintf("%d file%s, +%d -%d", len(stats), plural(len(stats)), add, del)
}

// patchInfo is one patch in --json output.
type patchInfo struct {
	Name    string       `json:"name"`
	Subject string       `json:"subject"`
	SHA256  string       `json:"sha256"`
	State   string       `json:"state,omitempty"` // "applied", "edited", "missing", "new"
	Files   []patch.Stat `json:"files"`
}

// patchList is the --json output of patch list.
type patchList struct {
	Components []patchQueue `json:"components"`
}

type patchQueue struct {
	Name    string      `json:"name"`
	Folder  string      `json:"folder"`
	Patches []patchInfo `json:"patches"`
}

func newPatchListCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "list [COMPONENT...]",
		Short: "Show the patch queues with the files each patch touches and its line counts",
		Long: `List shows each component's patch queue in order: the patch file, its
subject, its state against rvendor.lock (applied; edited by hand since the
last update; new, not applied yet; or missing), and per file the lines
added and deleted. --json prints {"components":[{"name","folder",
"patches":[{"name","subject","sha256","state","files":[{"path","added",
"deleted","status"}]}]}]}.

EXIT STATUS
  0  success
  2  bad usage, or a spec, lock or patch file that cannot be used`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPatchList(g, args)
		},
	}
}

func runPatchList(g *globalOptions, args []string) error {
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	comps, err := p.Select(args)
	if err != nil {
		return err
	}
	var out patchList
	out.Components = []patchQueue{}
	for _, c := range comps {
		if c.Patches == "" {
			continue
		}
		queue, err := p.Queue(c)
		if err != nil {
			return err
		}
		pq := patchQueue{Name: c.Name, Folder: c.Patches, Patches: []patchInfo{}}
		locked := map[string]string{}
		if lc := p.Lock.Component(c.Name); lc != nil {
			for _, lp := range lc.Patches {
				locked[lp.Name] = lp.SHA256
			}
		}
		for _, q := range queue {
			state := "applied"
			switch h, ok := locked[q.Name]; {
			case !ok:
				state = "new"
			case h != q.SHA256:
				state = "edited"
			}
			delete(locked, q.Name)
			pq.Patches = append(pq.Patches, patchInfo{Name: q.Name, Subject: q.Title, SHA256: q.SHA256, State: state, Files: q.Stats()})
		}
		for n := range locked {
			pq.Patches = append(pq.Patches, patchInfo{Name: n, State: "missing", Files: []patch.Stat{}})
		}
		out.Components = append(out.Components, pq)
	}
	if g.JSON {
		return writeJSON(g, out)
	}
	for _, pq := range out.Components {
		fmt.Fprintf(g.stdout, "%s (%s): %d patch%s\n", pq.Name, pq.Folder, len(pq.Patches), map[bool]string{true: "", false: "es"}[len(pq.Patches) == 1])
		for i, pi := range pq.Patches {
			fmt.Fprintf(g.stdout, "  %d  %s  [%s]  %s\n", i+1, quote.Path(pi.Name), pi.State, quote.Path(pi.Subject))
			for _, f := range pi.Files {
				fmt.Fprintf(g.stdout, "       %-8s %s +%d -%d\n", f.Status, quote.Path(f.Path), f.Added, f.Deleted)
			}
		}
	}
	return nil
}

func newPatchDropCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "drop COMPONENT N",
		Short: "Remove patch N from the queue and restore its files",
		Long: `Drop removes one patch from the component's queue and rebuilds dest as
pristine upstream plus the remaining patches, so the files the patch touched
are restored. It refuses while dest has undeclared edits (record or discard
them first) and when a later patch no longer applies without the dropped
one. Everything changes in one transaction.

N is the patch's position as rvendor patch list shows it ("2"), its
four-digit number ("0003") or its file name ("0003-add-try_push.patch").

EXIT STATUS
  0  the patch was dropped
  1  the operation failed; nothing was changed
  2  bad usage, or a spec, lock or sum that cannot be used`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPatchDrop(cmd.Context(), g, args[0], args[1])
		},
	}
}

func runPatchDrop(ctx context.Context, g *globalOptions, name, which string) error {
	return g.withEngine(func(ws *tree.Workspace, e *engine.Engine) error {
		dropped, err := e.Drop(ctx, ws, name, which)
		if err != nil {
			return err
		}
		paths := dropped.Paths()
		for i, p := range paths {
			paths[i] = quote.Path(p)
		}
		g.say("%s: dropped %s; restored %s", name, dropped.Name, strings.Join(paths, ", "))
		return nil
	})
}
