package license

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/google/licensecheck"
)

// MinExprCoverage is the least Detection.Coverage, in percent, for which
// Detector.Expr suggests an expression: below it the file is mostly
// something else (a COPYRIGHT notice that names licenses, a README) and
// the licenses it matched do not describe it.
const MinExprCoverage = 75.0

// licenseFilePrefixes are the upper-case base-name prefixes of license
// files.
var licenseFilePrefixes = []string{"LICENSE", "LICENCE", "COPYING", "COPYRIGHT", "NOTICE", "UNLICENSE"}

// sourceExts are the extensions that make a license-like name source
// code: a crate's src/license.rs or copying.c is code, not a license.
var sourceExts = map[string]bool{
	".rs": true, ".c": true, ".h": true, ".cc": true, ".cpp": true, ".cxx": true, ".hpp": true,
	".s": true, ".asm": true, ".py": true, ".pl": true, ".pm": true, ".sh": true, ".go": true,
	".js": true, ".ts": true, ".java": true, ".rb": true, ".lua": true, ".swift": true,
	".kt": true, ".m": true, ".mm": true, ".zig": true, ".d": true, ".o": true, ".a": true,
	".so": true, ".rlib": true, ".stderr": true, ".stdout": true,
}

// IsLicenseFile reports whether the base name of the slash or OS path
// name is that of a license file: it starts, in any case, with LICENSE,
// LICENCE, COPYING, COPYRIGHT, NOTICE or UNLICENSE and then ends or goes
// on after '-', '.', '_' or ' ' ("LICENSE-MIT", "license-apache",
// "COPYING.LIB", "LICENSE.md", but not "licenses.md"); and it
// has no source extension (.rs, .c, .h, .py, .sh, ...), so a crate's
// src/license.rs is code. Any depth counts; a name ending in "/" is a
// folder, not a license file.
func IsLicenseFile(name string) bool {
	name = strings.ReplaceAll(name, `\`, "/")
	if name == "" || strings.HasSuffix(name, "/") {
		return false
	}
	base := strings.ToUpper(path.Base(name))
	if sourceExts[strings.ToLower(path.Ext(base))] {
		return false
	}
	for _, p := range licenseFilePrefixes {
		rest, ok := strings.CutPrefix(base, p)
		if !ok {
			continue
		}
		if rest == "" || strings.ContainsRune("-._ ", rune(rest[0])) {
			return true
		}
	}
	return false
}

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

// NewDetector returns a Detector. Its scanner, slow to build (about a
// second), is built once, on the first Detect.
func NewDetector() *Detector {
	return &Detector{scanner: sync.OnceValue(func() *licensecheck.Scanner {
		s, err := newScanner()
		if err != nil {
			panic("license: the embedded license patterns do not build: " + err.Error())
		}
		return s
	})}
}

// newScanner builds a scanner from licensecheck's built-in patterns and
// the embedded ones, an embedded pattern replacing a built-in one of the
// same id.
func newScanner() (*licensecheck.Scanner, error) {
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
	var list []licensecheck.License
	for _, l := range licensecheck.BuiltinLicenses() {
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
// "", parses with Parse.
func (d *Detector) Expr(det Detection) string {
	if len(det.IDs) == 0 || det.Coverage < MinExprCoverage {
		return ""
	}
	var lics, excs []string
	for _, id := range det.IDs {
		switch {
		case KnownException(id):
			excs = append(excs, id)
		case KnownLicense(id):
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
