package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/policy"
	"github.com/rvendor/rvendor/policy/audit"
	"github.com/rvendor/rvendor/policy/license"
)

func newPolicyCheckCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check every policy: licenses, advisories and network fetches",
		Long: `Check runs every policy the spec sets and exits 1 when one is broken.
Each violation names its rule and how to fix it.

Licenses ([policy.licenses] in rvendor.toml). Each vendored package (each
component, and each crate of a crate component's closure) is checked with
the license "rvendor licenses" concludes, by the rules of its role:
  role = "built-in"   (the default) code compiled into the kernel
  role = "host-tool"  code that runs on the build machine only (bindgen);
                      a crate component's role covers its whole closure
[policy.licenses] sets the rules of every role; [policy.licenses.built-in]
and [policy.licenses.host-tool] replace them for one role:
  allow = [...]   SPDX ids or expressions, checked by satisfaction:
                  "MIT OR Apache-2.0" passes an allowlist holding "MIT"
  kernel = true   the tree's own LICENSES/ folder decides, with the
                  kernel's rules: preferred/ ids are allowed; a dual/ id
                  only in an OR with a preferred one; deprecated/ ids are
                  allowed for imported code, with a warning; exceptions/
                  only WITH the licenses their SPDX-Licenses line names;
                  an id with no file in LICENSES/ is refused (rules
                  kernel-dual-only, kernel-deprecated, kernel-exception,
                  kernel-unknown-license); an unknown id or exception
                  beside an option the kernel takes is a warning naming
                  that option
With both, both must hold. Ids are compared exactly: GPL-2.0 is not
GPL-2.0-only. Other rules: license-invalid, license-unknown,
license-mismatch (warning), license-allow, clarification-stale, drift.

[[policy.licenses.exception]] (component, crate, license, reason) lets one
package through with that license; the reason is printed, and an exception
that is not needed is warned about. [[policy.licenses.clarify]]
(component, crate, path, sha256, license, reason) concludes the license
of a file detection cannot read, pinned by its sha256: a file that no
longer matches is an error.

Advisories ([policy.advisories] db, ignore, max-age-days, os, arch): the
vendored crates and Rust library are checked as "rvendor audit" does; a
vulnerability or a stale database breaks the policy.

Network: the build files and scripts are linted as "rvendor policy
lint-network" does, with [policy] network-allow.

With --json it prints {"status": "pass"|"fail", "licenses": {"packages":
[{"id", "component", "role", "license", "rules", "result"
(pass|warn|fail|excepted|unchecked), "findings": [{"severity", "rule",
"license", "message", "fix"}], "exception"}], "unused_exceptions",
"unused_clarifications", "failed", "warned"} or null when the spec has no
license policy, "advisories": what "rvendor audit --json" prints, or null
when the spec names no database, "network": {"findings", "allowed", "unused_allow",
"build_files", "scripts"}}.

EXIT STATUS
  0  no policy is broken (warnings may be printed)
  1  a policy is broken
  2  bad usage, or a spec, lock, sum or LICENSES/ that cannot be used`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPolicyCheck(cmd.Context(), g)
		},
	}
	return cmd
}

// policyCheckJSON is policy check --json's output.
type policyCheckJSON struct {
	Status     string              `json:"status"`
	Licenses   *audit.PolicyReport `json:"licenses"`
	Advisories *advisoryJSON       `json:"advisories"`
	Network    *lintNetworkJSON    `json:"network"`
}

func runPolicyCheck(ctx context.Context, g *globalOptions) error {
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	out := policyCheckJSON{Status: "pass"}
	pol := &p.Spec.Policy.Licenses
	if pol.Written() {
		if out.Licenses, err = checkLicenses(orBackground(ctx), p); err != nil {
			return err
		}
	}
	if db := audit.AdvisoryDB(p.Spec, ""); db != "" {
		rep, err := audit.CheckAdvisories(p.Spec, p.Lock, db, time.Now().UTC())
		if err != nil {
			return usageErr(err, "point [policy.advisories] db at a copy of the RustSec advisory database")
		}
		a := advisoryOutput(rep)
		out.Advisories = &a
	}
	allow, err := networkAllow(p, nil)
	if err != nil {
		return err
	}
	nr, err := policy.LintNetwork(p.Spec.Dir, policy.NetworkLintOptions{Allow: allow})
	if err != nil {
		return err
	}
	out.Network = &lintNetworkJSON{Root: p.Spec.Dir, BuildFiles: nr.BuildFiles, Scripts: nr.Scripts,
		Findings: []networkFindingJSON{}, Allowed: []networkFindingJSON{}, UnusedAllow: append([]string{}, nr.UnusedAllow...)}
	for _, f := range nr.Findings {
		out.Network.Findings = append(out.Network.Findings, networkFindingJSON(f))
	}
	for _, f := range nr.Allowed {
		out.Network.Allowed = append(out.Network.Allowed, networkFindingJSON(f))
	}
	failed := (out.Licenses != nil && !out.Licenses.OK()) || (out.Advisories != nil && out.Advisories.Status == "fail") || nr.Err() != nil
	if failed {
		out.Status = "fail"
	}
	if g.JSON {
		if err := writeJSONIndent(g, out); err != nil {
			return err
		}
	} else {
		printPolicyCheck(g, &out)
	}
	if failed {
		return &exitError{Code: exitFailure, Err: fmt.Errorf("%s", policyFailure(&out)),
			Remedy: "each violation above says how to fix it"}
	}
	return nil
}

// checkLicenses audits every vendored package and checks the license
// policy against the audit.
func checkLicenses(ctx context.Context, p *project) (*audit.PolicyReport, error) {
	rep, err := audit.Audit(ctx, p.Spec, p.Lock, p.Sum, nil, false, false)
	if err != nil {
		return nil, usageErr(err, "run rvendor verify, and rvendor update if a component is not vendored")
	}
	pol := &p.Spec.Policy.Licenses
	var k *license.Kernel
	if audit.NeedsKernel(pol) {
		kl, err := audit.LoadKernel(p.Spec.Dir)
		if err != nil {
			return nil, usageErr(err, "")
		}
		k = kl
	}
	pr, err := audit.Check(rep, pol, k)
	if err != nil {
		return nil, usageErr(err, "")
	}
	return pr, nil
}

func policyFailure(out *policyCheckJSON) string {
	var parts []string
	if l := out.Licenses; l != nil && l.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d package%s break%s the license policy", l.Failed, plural(l.Failed), map[bool]string{true: "s", false: ""}[l.Failed == 1]))
	}
	if a := out.Advisories; a != nil && a.Status == "fail" {
		if n := len(a.Vulnerabilities); n > 0 {
			parts = append(parts, fmt.Sprintf("%d vulnerable package%s", n, plural(n)))
		}
		if a.Stale != "" {
			parts = append(parts, "the advisory database is stale")
		}
	}
	if n := out.Network; n != nil && len(n.Findings) > 0 {
		parts = append(parts, fmt.Sprintf("%d network fetch%s in the build", len(n.Findings), map[bool]string{true: "", false: "es"}[len(n.Findings) == 1]))
	}
	return "policy check failed: " + strings.Join(parts, "; ")
}

// printPolicyCheck renders the check for people: every package that
// fails, is excepted or warns, with its findings, then a summary.
func printPolicyCheck(g *globalOptions, out *policyCheckJSON) {
	w, q := g.stdout, quote.Path
	if l := out.Licenses; l != nil {
		counts := map[string]int{}
		for _, v := range l.Verdicts {
			counts[v.Result]++
			if v.Result == audit.Pass || v.Result == audit.Unchecked {
				continue
			}
			fmt.Fprintf(w, "%-8s %s (%s, %s rules): %s\n", strings.ToUpper(v.Result), q(v.ID), v.Role, v.Rules, q(orNone(v.License)))
			for _, f := range v.Findings {
				fmt.Fprintf(w, "  %s [%s] %s\n    fix: %s\n", f.Severity, f.Rule, q(f.Message), q(f.Fix))
			}
			if v.Exception != "" {
				fmt.Fprintf(w, "  exception: %s\n", q(v.Exception))
			}
		}
		for _, x := range l.UnusedExceptions {
			g.warn("exception %s is not needed: remove it", q(x))
		}
		for _, c := range l.UnusedClarifications {
			g.warn("clarification %s matches no vendored file: remove it", q(c))
		}
		fmt.Fprintf(w, "licenses: %d packages: %d pass, %d warn, %d excepted, %d fail, %d unchecked\n",
			len(l.Verdicts), counts[audit.Pass], counts[audit.Warn], counts[audit.Excepted], counts[audit.Fail], counts[audit.Unchecked])
	} else {
		fmt.Fprintln(w, "licenses: no [policy.licenses] in the spec: not checked")
	}
	if a := out.Advisories; a != nil {
		printAudit(g, a)
	} else {
		fmt.Fprintln(w, "advisories: no [policy.advisories] db in the spec: not checked")
	}
	if n := out.Network; n != nil {
		for _, f := range n.Findings {
			fmt.Fprintf(w, "%s:%d: %s: %s\n", f.File, f.Line, f.Tool, f.Text)
		}
		for _, a := range n.UnusedAllow {
			g.warn("allowlist entry %q allows nothing: remove it", a)
		}
		fmt.Fprintf(w, "network: %d build files and %d scripts: %d fetch(es), %d allowed\n", n.BuildFiles, n.Scripts, len(n.Findings), len(n.Allowed))
	}
}

func orNone(s string) string {
	if s == "" {
		return "no license known"
	}
	return s
}
