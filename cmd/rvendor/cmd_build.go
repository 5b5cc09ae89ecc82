package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/rvendor/rvendor/engine"
	"github.com/spf13/cobra"
)

type buildOptions struct {
	Features  string
	TargetDir string
	NoSandbox bool
}

func newBuildCommand(g *globalOptions) *cobra.Command {
	var o buildOptions
	cmd := &cobra.Command{
		Use:   "build COMPONENT",
		Short: "Build a vendored binary crate offline, in a sandbox without network",
		Long: `Build compiles the binaries of a vendored crate component (kind "crate")
from the tree alone: cargo build --release --offline --locked, with the
cargo-config.toml that update wrote into the component's dest (which
replaces crates.io by the vendored folder and sets net.offline), inside a
network namespace whose only interface is loopback where the system allows
one (else it says so and relies on --offline alone).

The crate's folder is copied, with the closure's Cargo.lock, to a work
folder in the cache ($RVENDOR_CACHE/build/...), so the tree is never
written; the target folder is there too unless --target-dir is given. It
prints the path of each binary built, one a line (--json: an object with
"component" and "binaries").

Run rvendor verify first: cargo checks the files each .cargo-checksum.json
lists, but not files added beside them.

EXIT STATUS
  0  the binaries were built
  1  cargo failed, or built no binary
  2  bad usage, or a component that is not a vendored crate`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBuild(cmd.Context(), g, &o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Features, "features", "", "comma-separated `FEATURES` to enable (cargo --features)")
	f.StringVar(&o.TargetDir, "target-dir", "", "cargo's target `DIR` (default: in the cache)")
	f.BoolVar(&o.NoSandbox, "no-sandbox", false, "do not try a network namespace; rely on --offline alone")
	return cmd
}

// buildResult is the --json output of build.

func runBuild(ctx context.Context, g *globalOptions, o *buildOptions, name string) error {
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	e, err := g.newEngine(p)
	if err != nil {
		return err
	}
	bo := engine.BuildOptions{Features: o.Features, TargetDir: o.TargetDir, NoSandbox: o.NoSandbox, Stderr: g.stderr}
	if g.Quiet || g.JSON {
		bo.Stderr = nil
	}
	if bo.TargetDir != "" && !filepath.IsAbs(bo.TargetDir) {
		d, err := g.dir()
		if err != nil {
			return err
		}
		bo.TargetDir = filepath.Join(d, bo.TargetDir)
	}
	res, err := e.Build(ctx, name, bo)
	if err != nil {
		return err
	}
	if g.JSON {
		return writeJSON(g, res)
	}
	for _, b := range res.Binaries {
		fmt.Fprintln(g.stdout, b)
	}
	return nil
}
