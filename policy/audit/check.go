package audit

import (
	"fmt"
	"strings"

	"github.com/rvendor/rvendor/policy/license"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// Rules of the license policy, as findings name them. The kernel's own
// rules (LICENSES/) are named by package license ("kernel-…").
const (
	RuleInvalid  = "license-invalid"     // the declared license is not an SPDX expression
	RuleUnknown  = "license-unknown"     // no license declared, detected or clarified
	RuleMismatch = "license-mismatch"    // a license file holds a license the declaration does not name
	RuleAllow    = "license-allow"       // not satisfied by the role's allowlist
	RuleStale    = "clarification-stale" // a clarification's sha256 no longer matches its file
	RuleDrift    = "drift"               // a license file is not what rvendor.sum records
)

// Results of a package under the policy.
const (
	Pass      = "pass"
	Warn      = "warn"      // passes, with warnings
	Fail      = "fail"      // an error finding
	Excepted  = "excepted"  // would fail; an exception lets it through
	Unchecked = "unchecked" // its role has no rules
)

// Finding is one thing the policy says about a package.
type Finding struct {
	Severity string `json:"severity"` // "error" or "warning"
	Rule     string `json:"rule"`
	License  string `json:"license,omitempty"` // the term concerned
	Message  string `json:"message"`
	Fix      string `json:"fix"`
}

// Verdict is the policy's result for one package.
type Verdict struct {
	ID        string    `json:"id"`
	Component string    `json:"component"`
	Role      string    `json:"role"`
	License   string    `json:"license"` // the concluded expression
	Rules     string    `json:"rules"`   // "kernel", "allow", "kernel+allow" or "none"
	Result    string    `json:"result"`
	Findings  []Finding `json:"findings"`
	// Exception is the reason of the exception that let it through.
	Exception string `json:"exception,omitempty"`
}

// PolicyReport is the license policy checked against an audit.
type PolicyReport struct {
	Verdicts             []*Verdict `json:"packages"`
	UnusedExceptions     []string   `json:"unused_exceptions"`
	UnusedClarifications []string   `json:"unused_clarifications"`
	Failed               int        `json:"failed"`
	Warned               int        `json:"warned"`
}

// OK reports whether no package fails.
func (r *PolicyReport) OK() bool { return r.Failed == 0 }

// Check checks every package of rep against pol. k is the tree's
// LICENSES/ as license.LoadKernel read it; it must be non-nil when a
// role's rules say kernel.
func Check(rep *Report, pol *vendorspec.Licenses, k *license.Kernel) (*PolicyReport, error) {
	out := &PolicyReport{Verdicts: []*Verdict{}, UnusedExceptions: []string{}, UnusedClarifications: rep.UnusedClarifications}
	lists := map[string]*license.AllowList{}
	for _, role := range vendorspec.Roles() {
		r := pol.For(role)
		if r.Kernel && k == nil {
			return nil, fmt.Errorf("the license policy of role %s is the kernel's, but the tree has no LICENSES/ folder", role)
		}
		if len(r.Allow) > 0 {
			al, err := license.NewAllowList(r.Allow)
			if err != nil {
				return nil, fmt.Errorf("[policy.licenses] allow of role %s: %w", role, err)
			}
			lists[role] = &al
		}
	}
	used := make([]bool, len(pol.Exceptions))
	for _, p := range rep.Packages {
		v := verdict(p, pol.For(p.Role), lists[p.Role], k)
		if v.Result == Fail && licenseOnly(v) {
			if j := exceptionFor(pol.Exceptions, p); j >= 0 {
				used[j] = true
				v.Result, v.Exception = Excepted, pol.Exceptions[j].Reason
			}
		}
		switch v.Result {
		case Fail:
			out.Failed++
		case Warn:
			out.Warned++
		}
		out.Verdicts = append(out.Verdicts, v)
	}
	for j, x := range pol.Exceptions {
		if !used[j] {
			name := x.Component
			if x.Crate != "" {
				name += "/" + x.Crate
			}
			out.UnusedExceptions = append(out.UnusedExceptions, fmt.Sprintf("%s (%s)", name, x.License))
		}
	}
	return out, nil
}

// verdict checks one package against its role's rules.
func verdict(p *Package, r *vendorspec.LicenseRules, al *license.AllowList, k *license.Kernel) *Verdict {
	v := &Verdict{ID: p.ID, Component: p.Component, Role: p.Role, License: p.Concluded, Findings: []Finding{}}
	var rules []string
	if r.Kernel {
		rules = append(rules, "kernel")
	}
	if al != nil {
		rules = append(rules, "allow")
	}
	v.Rules = strings.Join(rules, "+")
	if v.Rules == "" {
		v.Rules = "none"
	}
	add := func(sev, rule, lic, msg, fix string) {
		v.Findings = append(v.Findings, Finding{Severity: sev, Rule: rule, License: lic, Message: msg, Fix: fix})
	}
	integrity(p, add)
	e := p.Expr()
	switch {
	case e == nil:
		add("error", RuleUnknown, "", "no license is declared, and none was detected or clarified",
			"add a [[policy.licenses.clarify]] for its license file, or an exception")
	default:
		if r.Kernel {
			for _, f := range k.Check(e) {
				add(severityOf(f), f.Rule, f.Term.String(), strings.TrimSuffix(f.Msg, " ("+f.Rule+")"), f.Fix)
			}
		}
		if al != nil {
			if ok, unmet := al.Allows(e); !ok {
				names := make([]string, len(unmet))
				for i, t := range unmet {
					names[i] = t.String()
				}
				add("error", RuleAllow, strings.Join(names, ", "),
					fmt.Sprintf("%s is not satisfied by the %s allowlist (needs %s)", p.Concluded, p.Role, strings.Join(names, ", ")),
					fmt.Sprintf("add %s to [policy.licenses] allow (or the %s table's), or add an exception", strings.Join(names, ", "), p.Role))
			}
		}
	}
	v.Result = Pass
	if v.Rules == "none" {
		v.Result = Unchecked
	}
	for _, f := range v.Findings {
		if f.Severity == "error" {
			v.Result = Fail
			break
		}
		v.Result = Warn
	}
	return v
}

// licenseOnly reports whether every error of v is about which license
// the package has: only those can be excepted, never a stale
// clarification or a drifted license file.
func licenseOnly(v *Verdict) bool {
	for _, f := range v.Findings {
		if f.Severity == "error" && (f.Rule == RuleStale || f.Rule == RuleDrift) {
			return false
		}
	}
	return true
}

// integrity adds the findings that do not depend on the rules: an
// unreadable declaration, a mismatch with the license files, stale
// clarifications and drifted license files.
func integrity(p *Package, add func(sev, rule, lic, msg, fix string)) {
	if p.DeclaredError != "" {
		add("error", RuleInvalid, p.Declared, fmt.Sprintf("%s declares %q: %s", p.DeclaredIn, p.Declared, p.DeclaredError),
			"correct the license in "+p.DeclaredIn+" through a patch, or add an exception")
	}
	if len(p.Undeclared) > 0 {
		add("warning", RuleMismatch, strings.Join(p.Undeclared, ", "),
			fmt.Sprintf("its license files hold %s, which the declared %q does not name", strings.Join(p.Undeclared, ", "), p.Declared),
			"check the license files; where the declaration is wrong, add an exception stating the real license")
	}
	for _, f := range p.Files {
		switch {
		case strings.HasPrefix(f.Error, "clarification is stale"):
			add("error", RuleStale, "", f.Path+": "+f.Error, "read the file again and update the clarification's sha256 and license")
		case f.Error != "":
			add("error", RuleDrift, "", f.Error, "run rvendor verify, and restore or record the edit")
		}
	}
}

func severityOf(f license.Finding) string {
	if f.Severity == license.Error {
		return "error"
	}
	return "warning"
}

// exceptionFor returns the index of the exception that covers p: same
// component; the crate by name or name@version, or no crate (then it
// covers the component and every crate of its closure); and a license
// equivalent to p's concluded or declared one.
func exceptionFor(xs []*vendorspec.LicenseException, p *Package) int {
	for j, x := range xs {
		if x.Component != p.Component {
			continue
		}
		if x.Crate != "" && (!p.Crate || x.Crate != p.Name && x.Crate != p.Name+"@"+p.Version) {
			continue
		}
		if x.License == p.Declared || x.License == p.Concluded {
			return j
		}
		if xe, err := license.Parse(x.License); err == nil && p.Expr() != nil && license.Equivalent(xe, p.Expr()) {
			return j
		}
	}
	return -1
}
