package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/policy"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

func newPolicyCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Check the tree against rvendor's policies",
		Long: `Policy checks the tree against rvendor's policies. Its subcommands:
  check         every policy at once: licenses ([policy.licenses]) and the
                network lint
  lint-network  find build files and scripts that fetch from the network

EXIT STATUS
  0  no policy is broken
  1  a policy is broken
  2  bad usage`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageErr(errors.New("policy needs a subcommand"), "see 'rvendor policy --help'")
		},
	}
	cmd.AddCommand(newPolicyCheckCommand(g), newLintNetworkCommand(g))
	return cmd
}

type lintNetworkOptions struct {
	Allow []string
}

func newLintNetworkCommand(g *globalOptions) *cobra.Command {
	var o lintNetworkOptions
	cmd := &cobra.Command{
		Use:   "lint-network [--allow ENTRY]...",
		Short: "Find build files and scripts that fetch from the network",
		Long: `Lint-network scans the files a build runs for network fetches: every
Makefile, Makefile.*, GNUmakefile, Kbuild, Kbuild.* and *.mk below the
tree's top (the spec's folder, or -C DIR without a spec), and the scripts
they invoke, transitively. It reports, with file:line, commands that run
  curl, wget, git clone/fetch/pull/ls-remote/push/submodule update,
  cargo without --offline or --frozen (or --locked with CARGO_NET_OFFLINE=true
  or --config net.offline=true), rustup, pip install, python -m pip install,
  go get, go mod download, go install PKG@VERSION, npm/yarn/pnpm install, npx
outside comments. A tool's name inside an echoed message or as an argument
is not a finding; version queries (curl --version) are not either.

Reviewed exceptions are allowlist entries, given with --allow:
  PATH:LINE   that line of that file
  PATH        every finding in that file (path.Match wildcards allowed)
  DIR/        every finding below that folder
  re:REGEXP   the findings whose "PATH:LINE: TOOL: TEXT" matches
An entry that allows nothing is reported, so stale exceptions get removed.

--json prints {"root", "build_files", "scripts", "findings": [{"file",
"line", "tool", "text"}], "allowed": [... with "allow"], "unused_allow"}.

EXIT STATUS
  0  no fetch outside the allowlist
  1  a build file or script fetches from the network
  2  bad usage, a bad allowlist entry, or a spec that cannot be used`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLintNetwork(g, &o)
		},
	}
	cmd.Flags().StringArrayVar(&o.Allow, "allow", nil, "allow a reviewed fetch: PATH:LINE, PATH, DIR/ or re:REGEXP (repeatable)")
	return cmd
}

// networkFindingJSON is one fetch in lint-network --json's output.
type networkFindingJSON struct {
	File  string `json:"file"`
	Line  int    `json:"line"`
	Tool  string `json:"tool"`
	Text  string `json:"text"`
	Allow string `json:"allow,omitempty"` // the allowlist entry that covers it
}

// lintNetworkJSON is lint-network --json's output.
type lintNetworkJSON struct {
	Root        string               `json:"root"`
	BuildFiles  int                  `json:"build_files"`
	Scripts     int                  `json:"scripts"`
	Findings    []networkFindingJSON `json:"findings"`
	Allowed     []networkFindingJSON `json:"allowed"`
	UnusedAllow []string             `json:"unused_allow"`
}

func runLintNetwork(g *globalOptions, o *lintNetworkOptions) error {
	root, err := g.dir()
	if err != nil {
		return err
	}
	p, err := g.loadProjectIfAny(false)
	if err != nil {
		return err
	}
	allow, err := networkAllow(p, o.Allow)
	if err != nil {
		return err
	}
	if p != nil {
		root = p.Spec.Dir
	}
	start := time.Now()
	r, err := policy.LintNetwork(root, policy.NetworkLintOptions{Allow: allow})
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if g.JSON {
		out := lintNetworkJSON{Root: root, BuildFiles: r.BuildFiles, Scripts: r.Scripts,
			Findings: []networkFindingJSON{}, Allowed: []networkFindingJSON{}, UnusedAllow: []string{}}
		for _, f := range r.Findings {
			out.Findings = append(out.Findings, networkFindingJSON(f))
		}
		for _, f := range r.Allowed {
			out.Allowed = append(out.Allowed, networkFindingJSON(f))
		}
		out.UnusedAllow = append(out.UnusedAllow, r.UnusedAllow...)
		if err := writeJSONIndent(g, out); err != nil {
			return err
		}
		if r.Err() != nil {
			return &exitError{Code: exitFailure}
		}
		return nil
	}
	for _, f := range r.Findings {
		fmt.Fprintf(g.stdout, "%s:%d: %s: %s\n", f.File, f.Line, f.Tool, f.Text)
	}
	for _, a := range r.UnusedAllow {
		fmt.Fprintf(g.stderr, "rvendor: warning: allowlist entry %q allows nothing: remove it\n", a)
	}
	g.say("rvendor: scanned %d build files and %d scripts under %s in %v: %d fetch(es), %d allowed",
		r.BuildFiles, r.Scripts, root, elapsed.Round(time.Millisecond), len(r.Findings), len(r.Allowed))
	if err := r.Err(); err != nil {
		return &exitError{Code: exitFailure, Err: err,
			Remedy: "vendor what the fetch downloads, or, once reviewed, allow it with --allow PATH:LINE"}
	}
	return nil
}

// networkAllow returns the network lint's allowlist: the spec's
// [policy] network-allow (checked at their place in the spec; p may be
// nil) and the entries given with --allow.
func networkAllow(p *project, flags []string) ([]string, error) {
	var allow []string
	if p != nil {
		var bad vendorspec.ErrorList
		for i, a := range p.Spec.Policy.NetworkAllow {
			if _, err := policy.ParseAllow(a); err != nil {
				bad = append(bad, &vendorspec.Error{Pos: p.Spec.Policy.Pos.At(fmt.Sprintf("network-allow[%d]", i)),
					Msg: err.Error(), Hint: "write PATH:LINE, PATH, DIR/ or re:REGEXP"})
			}
		}
		if len(bad) > 0 {
			return nil, bad
		}
		allow = append(allow, p.Spec.Policy.NetworkAllow...)
	}
	for _, a := range flags {
		if _, err := policy.ParseAllow(a); err != nil {
			return nil, usageErr(err, "write PATH:LINE, PATH, DIR/ or re:REGEXP")
		}
	}
	return append(allow, flags...), nil
}
