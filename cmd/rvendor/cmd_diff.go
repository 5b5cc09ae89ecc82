package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/tree/patch"
)

type diffOptions struct {
	All  bool
	Stat bool
}

func newDiffCommand(g *globalOptions) *cobra.Command {
	var o diffOptions
	cmd := &cobra.Command{
		Use:   "diff [COMPONENT...]",
		Short: "Show the undeclared edits of the vendored tree as a unified diff",
		Long: `Diff prints, git style (a/ and b/ relative to the component's dest), how
each component's dest differs from pristine upstream plus its recorded patch
queue: exactly the undeclared edits that verify reports and that
"rvendor patch record" would turn into a patch. With --all it shows every
difference from pristine upstream, recorded patches included.

The pristine files come from rvendor's download cache; when they are not
there, diff names the "rvendor fetch" that brings them (verify never needs
them). --stat prints one line per file; with --json, a list of
{"component","path","added","deleted","status"}.

EXIT STATUS
  0  success (whether or not there are differences)
  1  the pristine sources are not cached, or a patch no longer applies
  2  bad usage, or a spec, lock or sum that cannot be used`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd.Context(), g, &o, args)
		},
	}
	cmd.Flags().BoolVar(&o.All, "all", false, "show every difference from pristine upstream, recorded patches included")
	cmd.Flags().BoolVar(&o.Stat, "stat", false, "print a diffstat instead of the diff")
	return cmd
}

// diffStat is one line of diff --stat --json.
type diffStat struct {
	Component string `json:"component"`
	patch.Stat
}

func runDiff(ctx context.Context, g *globalOptions, o *diffOptions, args []string) error {
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	e, err := g.newEngine(p)
	if err != nil {
		return err
	}
	diffs, err := e.Diff(ctx, args, o.All)
	if err != nil {
		return err
	}
	stats := []diffStat{}
	for _, d := range diffs {
		for _, s := range d.Stats {
			stats = append(stats, diffStat{Component: d.Component, Stat: s})
		}
		if !o.Stat && !g.JSON {
			g.stdout.Write(d.Text)
		}
	}
	switch {
	case g.JSON:
		return writeJSON(g, stats)
	case o.Stat:
		for _, s := range stats {
			fmt.Fprintf(g.stdout, "%s %-8s %s +%d -%d\n", s.Component, s.Status, quote.Path(s.Path), s.Added, s.Deleted)
		}
	}
	return nil
}
