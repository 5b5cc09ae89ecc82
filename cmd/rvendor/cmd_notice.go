package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/notice"
)

type noticeOptions struct {
	Format string
	Output string
}

func newNoticeCommand(g *globalOptions) *cobra.Command {
	var o noticeOptions
	cmd := &cobra.Command{
		Use:   "notice [--format text|html] [-o FILE]",
		Short: "Write the attribution notice for the vendored code built into the kernel",
		Long: `Notice writes what MIT, BSD, ISC and Apache-2.0 ask for when their code
ships, here inside a kernel image: each vendored component and crate whose
role is built-in, with its license (the license audit's concluded one),
the copyright lines of its license files, and the full text of every
license file vendored with it (LICENSE*, COPYING*, COPYRIGHT*, NOTICE*,
UNLICENSE at any depth, and Cargo.toml's license-file). Each distinct text
is printed once (texts that differ only in white space are one text), and
names the files it came from.

Packages whose role is host-tool (bindgen and its crates: they run on the
build machine and are not in the image) and platform stubs are left out;
the notice names them and says why. A built-in package with no license
file is listed with "none vendored" and a warning: its license may ask for
a text the tree does not hold (add the upstream LICENSE files to its paths).

--format text (the default) writes plain text; --format html one
self-contained page (inline CSS, no scripts, nothing loaded from
elsewhere) that any browser shows and prints. Output goes to stdout, or to
-o FILE (written whole, then renamed into place). Only files rvendor.sum
lists are read, each checked against its sha256. Deterministic: the same
tree gives the same bytes.

With --json it prints {"tree", "packages": [{"id", "component", "name",
"version", "crate", "license", "copyrights", "texts" (numbers of the
texts), "files"}], "left_out": [{"id", "reason"}], "texts": [{"n",
"sha256" (of the words, white space normalized), "licenses", "files",
"packages", "text"}]}.

EXIT STATUS
  0  the notice was written (warnings are on stderr)
  1  a license file differs from rvendor.sum (run rvendor verify), or the
     output could not be written
  2  bad usage, or a spec, lock or sum that cannot be used`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runNotice(cmd.Context(), g, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Format, "format", "text", "text or html")
	f.StringVarP(&o.Output, "output", "o", "", "write the notice to `FILE` instead of stdout")
	return cmd
}

func runNotice(ctx context.Context, g *globalOptions, o *noticeOptions) error {
	if o.Format != "text" && o.Format != "html" {
		return usageErr(fmt.Errorf("--format %q: use text or html", o.Format), "")
	}
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	if len(p.Lock.Components) == 0 {
		return usageErr(errors.New("nothing is vendored: rvendor.lock lists no component"), "run rvendor update")
	}
	n, err := notice.Load(orBackground(ctx), p.Spec, p.Lock, p.Sum)
	if err != nil {
		return readErr(err)
	}
	for _, np := range n.Missing() {
		fix := "add the upstream license files to its paths"
		if np.Crate {
			fix = "its .crate ships none: add the texts to the notice by hand"
		}
		g.warn("%s is built in, but no license file is vendored with it: its license may require a text the notice cannot give (%s)", quote.Path(np.ID), fix)
	}
	data := n.Text()
	switch {
	case g.JSON:
		if data, err = json.MarshalIndent(n, "", "  "); err != nil {
			return err
		}
		data = append(data, '\n')
	case o.Format == "html":
		if data, err = n.HTML(); err != nil {
			return err
		}
	}
	if err := writeOutput(g, o.Output, data); err != nil {
		return err
	}
	if o.Output != "" {
		g.say("wrote %s: %d built-in package%s, %d license text%s", o.Output, len(n.Packages), plural(len(n.Packages)), len(n.Texts), plural(len(n.Texts)))
	}
	return nil
}
