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
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

type adoptOptions struct {
	Component string
	From      string
	Path      string
	Split     bool
	Guess     string
	Patches   string
	License   string
	Message   string
	Author    string
}

func newAdoptCommand(g *globalOptions) *cobra.Command {
	var o adoptOptions
	cmd := &cobra.Command{
		Use:   "adopt PATH --component NAME --from KIND@VERSION [--path SUBPATH]",
		Short: "Bring a hand-vendored folder under rvendor, its differences as a patch queue",
		Long: `Adopt compares PATH, a folder vendored by hand, with the pristine upstream
subtree SUBPATH of KIND@VERSION (rust-src or rustc-src; e.g.
--from rust-src@1.63.0 --path library/alloc/src), and then, in one
transaction:

  - appends a [[component]] to rvendor.toml whose paths are the upstream
    files actually present in PATH (or SUBPATH itself when all are);
  - turns every difference (edited files, and files that exist only in
    PATH, such as a README) into a patch queue: one patch, or one per file
    with --split;
  - writes rvendor.lock and rvendor.sum, so that verify is clean.

PATH's files are not changed. With --guess V1,V2,... adopt tries each
candidate version, prints each one's score (lines added plus deleted), and
adopts the one with the smallest diff.

EXIT STATUS
  0  the folder was adopted
  1  a fetch or the operation failed; nothing was changed
  2  bad usage, or a spec or lock that cannot be used`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAdopt(cmd.Context(), g, &o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Component, "component", "", "the new component's `NAME` (required)")
	f.StringVar(&o.From, "from", "", "the upstream it came from, `KIND@VERSION` (required)")
	f.StringVar(&o.Path, "path", "", "the upstream folder PATH mirrors, e.g. library/alloc/src (default: library)")
	f.BoolVar(&o.Split, "split", false, "one patch per changed file instead of one patch")
	f.StringVar(&o.Guess, "guess", "", "candidate upstream `VERSIONS`, comma-separated: adopt the one with the smallest diff")
	f.StringVar(&o.Patches, "patches", "", "the patch queue folder (default: rvendor/patches/NAME)")
	f.StringVar(&o.License, "license", "MIT OR Apache-2.0", "the component's SPDX license expression")
	f.StringVarP(&o.Message, "message", "m", "", "the subject of the single patch (default: \"<NAME>: local changes to upstream <VERSION>\")")
	f.StringVar(&o.Author, "author", "", "the patches' author, \"Name <mail>\"")
	addKeyringFlag(cmd, g)
	return cmd
}

func runAdopt(ctx context.Context, g *globalOptions, o *adoptOptions, target string) error {
	kind, version, ok := strings.Cut(o.From, "@")
	switch {
	case o.Component == "":
		return usageErr(errors.New("adopt needs --component NAME"), "")
	case !ok || (kind != vendorspec.KindRustSrc && kind != vendorspec.KindRustcSrc):
		return usageErr(fmt.Errorf("--from %q: want rust-src@VERSION or rustc-src@VERSION", o.From), "")
	}
	if o.Path == "" {
		o.Path = "library"
	}
	if o.Patches == "" {
		o.Patches = "rvendor/patches/" + o.Component
	}
	versions := []string{version}
	if o.Guess != "" {
		versions = nil
		for _, v := range strings.Split(o.Guess, ",") {
			if v = strings.TrimSpace(v); v != "" {
				versions = append(versions, v)
			}
		}
	}
	if err := g.absKeyring(); err != nil {
		return err
	}
	dir, err := g.dir()
	if err != nil {
		return err
	}
	abs := target
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(dir, target)
	}
	return g.withEngine(func(ws *tree.Workspace, e *engine.Engine) error {
		res, err := e.Adopt(ctx, ws, engine.AdoptOptions{Dir: abs, Component: o.Component, Kind: kind, Versions: versions,
			Root: o.Path, Patches: o.Patches, License: o.License, Message: o.Message, Author: o.Author, Split: o.Split})
		if err != nil {
			return err
		}
		g.say("%s: adopted %s as %s@%s %s: %d upstream files, %d patch%s in %s", o.Component, res.Dest, kind, res.Version, o.Path,
			res.Files, len(res.Patches), map[bool]string{true: "", false: "es"}[len(res.Patches) == 1], o.Patches)
		if g.JSON {
			return writeJSON(g, res)
		}
		return nil
	})
}
