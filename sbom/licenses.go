package sbom

import (
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/notice"
	"github.com/rvendor/rvendor/policy/audit"
	"github.com/rvendor/rvendor/policy/license"
)

// NoAssertion is SPDX's "we do not say".
const NoAssertion = "NOASSERTION"

// terms returns the license ids of expr ("" when it does not parse),
// each with its "+" and WITH exception, in the expression's order.
func terms(expr string) []license.Term {
	if expr == "" {
		return nil
	}
	e, _, err := license.ParseDeclared(expr)
	if err != nil {
		return nil
	}
	return e.Terms()
}

// canonical returns the canonical text of the expression s (Cargo's
// legacy forms read as license.ParseDeclared reads them), "" when it
// does not parse.
func canonical(s string) string {
	e, _, err := license.ParseDeclared(s)
	if err != nil {
		return ""
	}
	return e.String()
}

// licenseRefs finds every LicenseRef- id the source uses and its text:
// the license file a clarification concludes it for, else the license
// file Cargo.toml names, of the first package that names the id.
func licenseRefs(s *Source, audited map[int]*audit.Package) ([]LicenseRef, error) {
	users := map[string][]int{}
	add := func(expr string, i int) {
		for _, t := range terms(expr) {
			if strings.HasPrefix(t.ID, "LicenseRef-") && !slices.Contains(users[t.ID], i) {
				users[t.ID] = append(users[t.ID], i)
			}
		}
	}
	for i, p := range s.Packages {
		add(p.License.Declared, i)
		add(p.License.Concluded, i)
		for _, f := range p.Files {
			add(f.Tag, i)
		}
	}
	ids := make([]string, 0, len(users))
	for id := range users {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []LicenseRef
	for _, id := range ids {
		ref := LicenseRef{ID: id, Text: NoAssertion}
		var names []string
		for _, i := range users[id] {
			names = append(names, s.Packages[i].ID())
		}
		for _, i := range users[id] {
			text, from, err := refText(s.Root, s.Packages[i], audited[i], id)
			if err != nil {
				return nil, err
			}
			if text != "" {
				ref.Text, ref.Comment = text, "The text of "+from+"."
				break
			}
		}
		if ref.Text == NoAssertion {
			ref.Comment = "rvendor found no license file that holds it: no clarification names it and no license-file key points to one."
		}
		ref.Comment += " Used by " + strings.Join(names, ", ") + "."
		out = append(out, ref)
	}
	return out, nil
}

// refText returns the text of the license id for package p, and the
// file it comes from: a license file clarified as (an expression
// naming) id, else Cargo.toml's license-file when p's declaration names
// id. It returns "" when neither exists.
func refText(root string, p *Package, ap *audit.Package, id string) (string, string, error) {
	var rel, why string
	if ap != nil {
		for _, lf := range ap.Files {
			if lf.Clarified != "" && slices.ContainsFunc(terms(lf.Clarified), func(t license.Term) bool { return t.ID == id }) {
				rel, why = lf.Path, " (clarified: "+notice.Sanitize(lf.Reason)+")"
				break
			}
		}
	}
	if rel == "" && p.LicenseFile != "" && slices.ContainsFunc(terms(p.License.Declared), func(t license.Term) bool { return t.ID == id }) {
		if _, ok := p.File(p.LicenseFile); ok {
			rel, why = p.LicenseFile, " (Cargo.toml's license-file)"
		}
	}
	if rel == "" {
		return "", "", nil
	}
	data, err := inventory.ReadFile(root, p.Package, rel, audit.MaxLicenseFileSize)
	if err != nil {
		return "", "", err
	}
	return notice.Body(data), path.Join(p.Dir, rel) + why, nil
}

// spdxLicense returns expr as an SPDX document may hold it: NOASSERTION
// when it is empty or refers to another document (DocumentRef-), which
// rvendor cannot name.
func spdxLicense(expr string) string {
	if expr == "" || strings.Contains(expr, "DocumentRef-") {
		return NoAssertion
	}
	return expr
}
