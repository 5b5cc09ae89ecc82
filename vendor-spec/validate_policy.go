package vendorspec

import (
	"fmt"
	"strings"

	"github.com/rvendor/rvendor/tree"
)

// validatePolicy checks [policy.licenses]: every expression parses, every
// exception and clarification names a component of the spec, has a
// license and a reason, and a clarification pins a clean path by a full
// lowercase sha256.
func validatePolicy(s *Spec, d *decoder) {
	validateAdvisories(&s.Policy.Advisories, d)
	l := &s.Policy.Licenses
	validateRules(&l.Rules, "policy.licenses", d)
	for _, role := range Roles() {
		if r, ok := l.Roles[role]; ok {
			validateRules(r, "policy.licenses."+role, d)
		}
	}
	names := map[string]bool{}
	for _, c := range s.Components {
		names[c.Name] = true
	}
	component := func(name string, pos Positions, what string) {
		switch {
		case name == "":
			d.errorf(pos.At(""), "add component = \"NAME\"", "%s: component is missing", what)
		case !names[name]:
			d.errorf(pos.At("component"), "name a [[component]] of this spec", "%s: no component %q", what, name)
		}
	}
	required := func(val, key string, pos Positions, what, fix string) bool {
		if strings.TrimSpace(val) == "" {
			d.errorf(pos.At(key), fix, "%s: %s is missing", what, key)
			return false
		}
		return true
	}
	for _, x := range l.Exceptions {
		what := fmt.Sprintf("[[policy.licenses.exception]] at line %d", x.Pos.At("").Line)
		component(x.Component, x.Pos, what)
		if required(x.License, "license", x.Pos, what, `write the expression the exception lets through, e.g. license = "MPL-2.0"`) {
			validateLicense(x.License, x.Pos.At("license"), what+": license", d)
		}
		required(x.Reason, "reason", x.Pos, what, "say why the exception is acceptable: the report prints it")
	}
	for _, c := range l.Clarifications {
		what := fmt.Sprintf("[[policy.licenses.clarify]] at line %d", c.Pos.At("").Line)
		component(c.Component, c.Pos, what)
		if required(c.Path, "path", c.Pos, what, "write the file's path, relative to the component's dest (or the crate's folder)") {
			if why, fix := checkPath(c.Path, destPath); why != "" {
				d.errorf(c.Pos.At("path"), fix, "%s: path %q %s", what, c.Path, why)
			}
		}
		if required(c.SHA256, "sha256", c.Pos, what, "write the file's sha256 (sha256sum FILE)") && !tree.IsSHA256Hex(c.SHA256) {
			d.errorf(c.Pos.At("sha256"), "write the 64 lowercase hex digits sha256sum prints", "%s: sha256 %q is not a sha256", what, c.SHA256)
		}
		if required(c.License, "license", c.Pos, what, `write the concluded expression, e.g. license = "ISC AND MIT"`) {
			validateLicense(c.License, c.Pos.At("license"), what+": license", d)
		}
		required(c.Reason, "reason", c.Pos, what, "say how the license was concluded: the report prints it")
	}
}

// validateAdvisories checks [policy.advisories]: a db when anything
// else is set, a non-negative age, and ignores with an id and a reason.
func validateAdvisories(a *Advisories, d *decoder) {
	if a.DB == "" && (a.MaxAgeDays != 0 || a.OS != "" || a.Arch != "" || len(a.Ignore) > 0) {
		d.errorf(a.Pos.At(""), `add db = "PATH" (a local copy of the RustSec advisory database)`, "[policy.advisories] has no db")
	}
	if a.MaxAgeDays < 0 {
		d.errorf(a.Pos.At("max-age-days"), "write a number of days, or remove the key for no limit", "max-age-days %d is negative", a.MaxAgeDays)
	}
	seen := map[string]int{}
	for _, x := range a.Ignore {
		what := fmt.Sprintf("[[policy.advisories.ignore]] at line %d", x.Pos.At("").Line)
		if strings.TrimSpace(x.ID) == "" {
			d.errorf(x.Pos.At("id"), `write id = "RUSTSEC-YYYY-NNNN" (or an alias such as a CVE id)`, "%s: id is missing", what)
		} else if line, dup := seen[x.ID]; dup {
			d.errorf(x.Pos.At("id"), "remove one of them", "%s: %s is already ignored at line %d", what, x.ID, line)
		}
		seen[x.ID] = x.Pos.At("").Line
		if strings.TrimSpace(x.Reason) == "" {
			d.errorf(x.Pos.At("reason"), "say why the advisory does not apply: the report prints it", "%s: reason is missing", what)
		}
	}
}

func validateRules(r *LicenseRules, table string, d *decoder) {
	for i, a := range r.Allow {
		validateLicense(a, r.Pos.At(fmt.Sprintf("allow[%d]", i)), table+": allow entry", d)
	}
}
