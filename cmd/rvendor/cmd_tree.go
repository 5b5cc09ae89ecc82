package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/internal/quote"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

type treeOptions struct {
	Crates bool
}

func newTreeCommand(g *globalOptions) *cobra.Command {
	var o treeOptions
	cmd := &cobra.Command{
		Use:   "tree [COMPONENT...]",
		Short: "Show what is vendored: from where, at which version, under which license",
		Long: `Tree lists each component of the spec as the lock records it: kind,
version, dest, the upstream it came from (URL and sha256, and for the Rust
kinds the signed manifest and signer), the declared license, how many files
and bytes it holds, its patch queue and, for crates, its locked closure
(--crates lists every crate with its version and license).

It reads only the spec and the lock: no network, no tree walk. A component
in the spec that the lock does not record yet is shown as not vendored.
In the text output, a name or value holding a control character or invalid
UTF-8, or beginning or ending with a space, is quoted like a Go string;
--json keeps them as they are.

With --json it prints {"components": [{"name", "kind", "version", "dest",
"vendored", "url", "sha256", "manifest", "signer", "license", "files",
"bytes", "upstream", "tree", "added", "patches": [{"name", "files"}],
"crates": [{"name", "version", "license", "dir", "stub"}]}]}.

EXIT STATUS
  0  the listing was printed
  2  bad usage, or a spec or lock that cannot be used`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTree(g, &o, args)
		},
	}
	cmd.Flags().BoolVar(&o.Crates, "crates", false, "list every crate of crate components")
	return cmd
}

// treeComponent is one component of tree --json.
type treeComponent struct {
	Name     string      `json:"name"`
	Kind     string      `json:"kind"`
	Version  string      `json:"version"`
	Dest     string      `json:"dest"`
	Vendored bool        `json:"vendored"`
	URL      string      `json:"url,omitempty"`
	SHA256   string      `json:"sha256,omitempty"`
	Manifest string      `json:"manifest,omitempty"`
	Signer   string      `json:"signer,omitempty"`
	License  string      `json:"license,omitempty"`
	Files    int         `json:"files"`
	Bytes    int64       `json:"bytes"`
	Upstream string      `json:"upstream,omitempty"`
	Tree     string      `json:"tree,omitempty"`
	Added    []string    `json:"added,omitempty"`
	Patches  []treePatch `json:"patches"`
	Crates   []treeCrate `json:"crates,omitempty"`
	Stale    []string    `json:"stale,omitempty"`
}

type treePatch struct {
	Name  string   `json:"name"`
	Files []string `json:"files"`
}

type treeCrate struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	License string `json:"license,omitempty"`
	Dir     string `json:"dir"`
	Stub    bool   `json:"stub,omitempty"`
}

func runTree(g *globalOptions, o *treeOptions, args []string) error {
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	comps, err := p.Select(args)
	if err != nil {
		return err
	}
	var out []treeComponent
	for _, c := range comps {
		tc := treeComponent{Name: c.Name, Kind: c.Kind, Version: c.Version, Dest: c.Dest, License: c.License, Patches: []treePatch{}}
		if lc := p.Lock.Component(c.Name); lc != nil {
			tc.Vendored = true
			tc.Version, tc.Dest, tc.License = lc.Version, lc.Dest, lc.License
			tc.URL, tc.SHA256, tc.Manifest, tc.Signer = lc.URL, lc.SHA256, lc.Manifest, lc.Signer
			tc.Files, tc.Bytes, tc.Upstream, tc.Tree, tc.Added = lc.Files, lc.Bytes, lc.Upstream, lc.Tree, lc.Added
			for _, pt := range lc.Patches {
				tc.Patches = append(tc.Patches, treePatch{Name: pt.Name, Files: pt.Files})
			}
			for _, cr := range lc.Crates {
				tc.Crates = append(tc.Crates, treeCrate{Name: cr.Name, Version: cr.Version, License: cr.License, Dir: cr.Dir, Stub: cr.Stub})
			}
			tc.Stale = append(c.Stale(lc), c.StaleInputs(p.Spec.Dir, lc)...)
		} else if c.Kind == vendorspec.KindArchive {
			tc.URL, tc.SHA256 = c.URL, c.SHA256
		}
		out = append(out, tc)
	}
	if g.JSON {
		if out == nil {
			out = []treeComponent{}
		}
		return writeJSON(g, map[string]any{"components": out})
	}
	printTree(g, o, out)
	return nil
}

// printTree renders the listing for people. Every name and value, most
// of which come from upstream (crate names, versions and licenses, patch
// file names), goes through quote.Path, so that none can forge a line.
func printTree(g *globalOptions, o *treeOptions, comps []treeComponent) {
	w := g.stdout
	q := quote.Path
	for i, c := range comps {
		if i > 0 {
			fmt.Fprintln(w)
		}
		state := ""
		switch {
		case !c.Vendored:
			state = " (not vendored yet: run rvendor update)"
		case len(c.Stale) > 0:
			state = " (the spec changed since the last update: run rvendor update)"
		}
		fmt.Fprintf(w, "%s: %s %s in %s%s\n", q(c.Name), q(c.Kind), q(c.Version), q(c.Dest), state)
		tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
		row := func(k, v string) {
			if v != "" {
				fmt.Fprintf(tw, "  %s\t%s\n", k, v)
			}
		}
		quoted := func(v string) string {
			if v == "" {
				return ""
			}
			return q(v)
		}
		row("from", quoted(c.URL))
		row("sha256", quoted(c.SHA256))
		row("manifest", quoted(c.Manifest))
		row("signer", quoted(c.Signer))
		license := quoted(c.License)
		if license == "" {
			license = "(not declared in the spec)"
		}
		row("license", license)
		if c.Vendored {
			row("content", fmt.Sprintf("%d files, %s, tree %s", c.Files, humanBytes(c.Bytes), q(c.Tree)))
			if c.Upstream != c.Tree {
				row("upstream", q(c.Upstream))
			}
		}
		added := make([]string, len(c.Added))
		for i, a := range c.Added {
			added[i] = q(a)
		}
		row("added", strings.Join(added, ", "))
		if len(c.Patches) > 0 {
			names := make([]string, len(c.Patches))
			for i, pt := range c.Patches {
				names[i] = fmt.Sprintf("%s (%d files)", q(pt.Name), len(pt.Files))
			}
			row("patches", strings.Join(names, ", "))
		}
		if len(c.Crates) > 0 {
			licenses := map[string]int{}
			stubs := 0
			for _, cr := range c.Crates {
				licenses[cr.License]++
				if cr.Stub {
					stubs++
				}
			}
			keys := make([]string, 0, len(licenses))
			for l := range licenses {
				keys = append(keys, l)
			}
			sort.Strings(keys)
			var parts []string
			for _, l := range keys {
				name := "(none declared)"
				if l != "" {
					name = q(l)
				}
				parts = append(parts, fmt.Sprintf("%s x%d", name, licenses[l]))
			}
			summary := fmt.Sprintf("%d crates", len(c.Crates))
			if stubs > 0 {
				summary += fmt.Sprintf(" (%d stubbed)", stubs)
			}
			row("crates", summary+": "+strings.Join(parts, "; "))
		}
		tw.Flush()
		if o.Crates {
			for _, cr := range c.Crates {
				stub := ""
				if cr.Stub {
					stub = " (stub)"
				}
				fmt.Fprintf(w, "    %s %s  %s  %s%s\n", q(cr.Name), q(cr.Version), quoted(cr.License), q(cr.Dir), stub)
			}
		}
	}
}
