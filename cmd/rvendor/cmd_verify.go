package main

import (
	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/cmd/internal/cli"
)

// newVerifyCommand is "rvendor verify"; the command itself is cli.Verify,
// which rvendor-verify runs too.
func newVerifyCommand(g *globalOptions) *cobra.Command {
	var o cli.VerifyOptions
	cmd := &cobra.Command{
		Use:   "verify [COMPONENT...]",
		Short: cli.VerifyShort,
		Long:  cli.VerifyLong,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Dir, o.SpecFile, o.JSON, o.Quiet, o.Components = g.Dir, g.SpecFile, g.JSON, g.Quiet, args
			return cli.Verify(cmd.Context(), g.env(), o)
		},
	}
	cmd.Flags().BoolVar(&o.NoCache, "no-cache", false, "hash every file; neither read nor write the stat cache")
	cmd.Flags().IntVarP(&o.Jobs, "jobs", "j", 0, "hash with `N` workers (default: one per core)")
	return cmd
}

// statCachePath returns verify's stat cache file for the tree at root, or
// "" when there is none.
func statCachePath(g *globalOptions, root string) string {
	return cli.StatCachePath(g.getenv, root)
}
