package detect

import (
	"embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/google/licensecheck"

	"github.com/rvendor/rvendor/policy/license"
)

// MinExprCoverage is the least Detection.Coverage, in percent, for which
// Detector.Expr suggests an expression: below it the file is mostly
// something else (a COPYRIGHT notice that names licenses, a README) and
// the licenses it matched do not describe it.
const MinExprCoverage = 75.0

// patterns holds rvendor's own license patterns, in licensecheck's
// license regular expression (LRE) syntax, one file per SPDX id.
//
//go:embed patterns/*.lre
var patterns embed.FS

// Match is one license matched in a text.
type Match struct {
	ID         string // licensecheck's id: an SPDX id, or one of its own ("BSD-3-Clause-NoTrademark")
	Start, End int    // byte offsets: the match is data[Start:End]
	IsURL      bool   // the match is a URL naming the license, not its text
}

// Detection is what a Detector found in one text.
type Detection struct {
	IDs      []string // ids of the license texts matched (not of URLs), sorted, each once
	Coverage float64  // percent of the text's words that matched, as licensecheck reports
	Matches  []Match  // every match, URLs too, in text order
}

// Detector finds license texts with github.com/google/licensecheck: its
// built-in patterns, with rvendor's own for Unicode-3.0, Unicode-DFS-2016
// (replacing licensecheck's) and LLVM-exception. licensecheck reports a
// license only where the text matches its pattern nearly word for word,
// so it has no false positives by design; a text it does not know gives
// no id. A Detector is safe for concurrent use.
type Detector struct {
	scanner func() *licensecheck.Scanner
}

// NewDetector returns a Detector for the licenses vendored code carries
// in practice (CommonLicenses: every id of the kernel's LICENSES/, the
// licenses found on crates.io and in Rust's own tree, and rvendor's own
// patterns). Its scanner builds in a fraction of the time the full set
// takes, which dominates an audit: a text under a license outside the
// set gives no id, so it is reported as undetected (and needs a
// declaration or a clarification), never as another license. The
// scanner is built once, on the first Detect.
func NewDetector() *Detector { return newDetector(false) }

// NewFullDetector returns a Detector for every license licensecheck
// knows (over 500) plus rvendor's own patterns: slower to build (about
// two seconds), for audits that must name any license text.
func NewFullDetector() *Detector { return newDetector(true) }

func newDetector(full bool) *Detector {
	return &Detector{scanner: sync.OnceValue(func() *licensecheck.Scanner {
		s, err := newScanner(full)
		if err != nil {
			panic("detect: the embedded license patterns do not build: " + err.Error())
		}
		return s
	})}
}

// CommonLicenses returns the ids NewDetector detects (besides rvendor's
// own patterns), when licensecheck has a pattern for them.
func CommonLicenses() []string {
	return []string{
		"0BSD", "AFL-3.0", "AGPL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-1.1", "Apache-2.0",
		"Artistic-2.0", "BSD-1-Clause", "BSD-2-Clause", "BSD-2-Clause-Patent", "BSD-2-Clause-Views",
		"BSD-3-Clause", "BSD-3-Clause-Clear", "BSD-4-Clause", "BSL-1.0", "BlueOak-1.0.0", "CC-BY-3.0",
		"CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "CDDL-1.0", "CDDL-1.1", "EPL-1.0", "EPL-2.0", "EUPL-1.2",
		"GFDL-1.1", "GFDL-1.2", "GFDL-1.3", "GPL-1.0", "GPL-1.0-only", "GPL-1.0-or-later", "GPL-2.0",
		"GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0", "GPL-3.0-only", "GPL-3.0-or-later", "ICU", "ISC",
		"JSON", "LGPL-2.0", "LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1", "LGPL-2.1-only",
		"LGPL-2.1-or-later", "LGPL-3.0", "LGPL-3.0-only", "LGPL-3.0-or-later", "Libpng", "Linux-OpenIB",
		"MIT", "MIT-0", "MPL-1.1", "MPL-2.0", "MPL-2.0-no-copyleft-exception", "NCSA", "OpenSSL",
		"PSF-2.0", "Python-2.0", "Unicode-DFS-2015", "Unicode-TOU", "Unlicense", "WTFPL", "X11", "Zlib",
		"copyleft-next-0.3.1", "zlib-acknowledgement",
	}
}

// newScanner builds a scanner from licensecheck's built-in patterns (all,
// or the CommonLicenses) and the embedded ones, an embedded pattern
// replacing a built-in one of the same id.
func newScanner(full bool) (*licensecheck.Scanner, error) {
	ents, err := patterns.ReadDir("patterns")
	if err != nil {
		return nil, err
	}
	own := make(map[string]licensecheck.License)
	for _, ent := range ents {
		data, err := patterns.ReadFile("patterns/" + ent.Name())
		if err != nil {
			return nil, err
		}
		id := strings.TrimSuffix(ent.Name(), ".lre")
		own[id] = licensecheck.License{ID: id, Type: licensecheck.Notice, LRE: string(data)}
	}
	common := make(map[string]bool)
	for _, id := range CommonLicenses() {
		common[id] = true
	}
	var list []licensecheck.License
	for _, l := range licensecheck.BuiltinLicenses() {
		if !full && !common[l.ID] {
			continue
		}
		if _, ok := own[l.ID]; !ok || l.LRE == "" {
			list = append(list, l)
		}
	}
	for _, ent := range ents {
		list = append(list, own[strings.TrimSuffix(ent.Name(), ".lre")])
	}
	s, err := licensecheck.NewScanner(list)
	if err != nil {
		return nil, fmt.Errorf("building the license scanner: %w", err)
	}
	return s, nil
}

// Detect scans data for license texts. Its cost grows with len(data):
// callers pass license files, which are small.
func (d *Detector) Detect(data []byte) Detection {
	cov := d.scanner().Scan(data)
	det := Detection{Coverage: cov.Percent}
	seen := make(map[string]bool)
	for _, m := range cov.Match {
		det.Matches = append(det.Matches, Match{ID: m.ID, Start: m.Start, End: m.End, IsURL: m.IsURL})
		if !m.IsURL && !seen[m.ID] {
			seen[m.ID] = true
			det.IDs = append(det.IDs, m.ID)
		}
	}
	sort.Strings(det.IDs)
	return det
}

// Expr returns the SPDX expression det suggests for the one license file
// it was made from: its one id ("MIT"), several ids joined with AND (a
// file that holds several license texts is under all of them), or one
// license WITH the one exception matched beside it ("Apache-2.0 WITH
// LLVM-exception"). It returns "" when there is no id, when the file is
// less than MinExprCoverage percent license text, or when an id is not an
// SPDX license or exception id (licensecheck knows a few of its own) or
// the exceptions cannot be paired with one license. The text, when not
// "", parses with license.Parse.
func (d *Detector) Expr(det Detection) string {
	if len(det.IDs) == 0 || det.Coverage < MinExprCoverage {
		return ""
	}
	var lics, excs []string
	for _, id := range det.IDs {
		switch {
		case license.KnownException(id):
			excs = append(excs, id)
		case license.KnownLicense(id):
			lics = append(lics, id)
		default:
			return ""
		}
	}
	switch {
	case len(excs) == 0:
		return strings.Join(lics, " AND ")
	case len(excs) == 1 && len(lics) == 1:
		return lics[0] + " WITH " + excs[0]
	}
	return ""
}
