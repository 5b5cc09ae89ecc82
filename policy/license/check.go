package license

import (
	"fmt"
	"strings"
)

// Severity says whether a Finding blocks (Error) or informs (Warning).
type Severity int

// The severities of a Finding.
const (
	Error Severity = iota + 1
	Warning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// The rules Kernel.Check applies, from the kernel's
// Documentation/process/license-rules.rst. A term whose license is in
// LICENSES/preferred/ raises no finding.
const (
	// RuleUnknownLicense (Error): a license id or exception id of the
	// expression has no file in LICENSES/ ("All SPDX license identifiers
	// and exceptions must have a corresponding file in the LICENSES
	// subdirectories"). LicenseRef- terms always break it.
	RuleUnknownLicense = "kernel-unknown-license"
	// RuleException (Error): an exception is used WITH a license its
	// file's SPDX-Licenses line does not name.
	RuleException = "kernel-exception"
	// RuleDualOnly (Error): a LICENSES/dual/ license, when no option of
	// the expression is made only of known preferred or deprecated
	// licenses ("MIT AND Apache-2.0", "Apache-2.0"): dual licenses may
	// only be offered OR'ed with a preferred one.
	RuleDualOnly = "kernel-dual-only"
	// RuleDeprecated (Warning): a LICENSES/deprecated/ license, when no
	// option of the expression is made only of preferred licenses:
	// allowed for code imported from another project, which is all that
	// rvendor vendors.
	RuleDeprecated = "kernel-deprecated"
)

// Finding is one rule a kernel license expression breaks.
type Finding struct {
	Severity Severity
	Rule     string // RuleUnknownLicense, RuleException, RuleDualOnly or RuleDeprecated
	Term     Term   // the term at fault
	Msg      string // names the id and the rule
	Fix      string // what to do
}

// Check applies the kernel's license rules (see the Rule constants) to e
// and returns what it breaks, in the order of e's terms (Terms), at most
// one finding per term and rule; nil when the kernel accepts e as it is.
// Ids compare exactly, as declared in LICENSES/.
func (k *Kernel) Check(e *Expr) []Finding {
	var out []Finding
	usable, preferredOnly, take := k.options(e)
	for _, t := range e.Terms() {
		lic := k.Licenses[t.license()]
		if f, bad := k.checkKnown(t); bad {
			if usable {
				// Another option is one the kernel takes: the code can be
				// used under it, and its files tagged so.
				f.Severity = Warning
				f.Msg = strings.TrimSuffix(f.Msg, " ("+f.Rule+")") + fmt.Sprintf("; the code can be taken under %q, which the kernel accepts (%s)", take, f.Rule)
				f.Fix = fmt.Sprintf("take it under %q (tag its files so, not with %s), or add the missing text to LICENSES/", take, t.String())
			}
			out = append(out, f)
		}
		if lic == nil {
			continue
		}
		switch {
		case lic.Class == ClassDual && !usable:
			out = append(out, Finding{Severity: Error, Rule: RuleDualOnly, Term: t,
				Msg: fmt.Sprintf("license %s is in %s: the kernel takes it only OR'ed with a preferred license, and no option of %q avoids it (%s)", t.license(), lic.File, e.String(), RuleDualOnly),
				Fix: fmt.Sprintf("use the code under an option of preferred licenses (LICENSES/preferred/), e.g. %q, or record a license exception in rvendor.toml", t.license()+" OR MIT")})
		case lic.Class == ClassDeprecated && !preferredOnly:
			out = append(out, Finding{Severity: Warning, Rule: RuleDeprecated, Term: t,
				Msg: fmt.Sprintf("license %s is in %s: the kernel takes it only for code imported from another project (%s)", t.license(), lic.File, RuleDeprecated),
				Fix: "nothing for vendored code, which is imported; prefer an option of preferred licenses if upstream offers one"})
		}
	}
	return out
}

// options reports whether e has an option made only of known preferred
// or deprecated licenses (with valid exceptions), and whether it has one
// made only of preferred ones; take is the best such option, as an
// expression (a preferred-only one when there is one).
func (k *Kernel) options(e *Expr) (usable, preferredOnly bool, take string) {
	for _, o := range e.Options() {
		ok, pref := true, true
		for _, t := range o {
			lic := k.Licenses[t.license()]
			if _, bad := k.checkKnown(t); bad || lic.Class == ClassDual {
				ok = false
				break
			}
			pref = pref && lic.Class == ClassPreferred
		}
		if ok && (take == "" || pref && !preferredOnly) {
			names := make([]string, len(o))
			for i, t := range o {
				names[i] = t.String()
			}
			take = strings.Join(names, " AND ")
		}
		usable = usable || ok
		preferredOnly = preferredOnly || ok && pref
	}
	return usable, preferredOnly, take
}

// checkKnown returns the RuleUnknownLicense or RuleException finding of
// t, if it has one.
func (k *Kernel) checkKnown(t Term) (Finding, bool) {
	var missing []string
	if k.Licenses[t.license()] == nil {
		missing = append(missing, "license "+t.license())
	}
	x := k.Exceptions[t.Exception]
	if t.Exception != "" && x == nil {
		missing = append(missing, "exception "+t.Exception)
	}
	if len(missing) > 0 {
		return Finding{Severity: Error, Rule: RuleUnknownLicense, Term: t,
			Msg: fmt.Sprintf("%s: no file in the kernel's LICENSES/ declares it (%s)", strings.Join(missing, " and "), RuleUnknownLicense),
			Fix: "add the text with the metatags of Documentation/process/license-rules.rst to LICENSES/, or record a license exception in rvendor.toml"}, true
	}
	if t.Exception == "" {
		return Finding{}, false
	}
	for _, l := range x.Licenses {
		if l == t.license() {
			return Finding{}, false
		}
	}
	return Finding{Severity: Error, Rule: RuleException, Term: t,
		Msg: fmt.Sprintf("exception %s may be used only WITH %s (SPDX-Licenses of %s), not WITH %s (%s)", t.Exception, strings.Join(x.Licenses, ", "), x.File, t.license(), RuleException),
		Fix: fmt.Sprintf("use %s WITH one of the licenses its file names, or add %s to that SPDX-Licenses line if the exception applies to it", t.Exception, t.license())}, true
}
