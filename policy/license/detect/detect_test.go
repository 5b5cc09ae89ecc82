package detect_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pelletier/go-toml/v2"

	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/policy/license"
	"github.com/rvendor/rvendor/policy/license/detect"
)

// detector is shared by the tests: its scanner takes about a second to
// build.
var detector = detect.NewDetector()

func TestDetectorExpr(t *testing.T) {
	for _, tc := range []struct {
		ids      []string
		coverage float64
		want     string
	}{
		{[]string{"MIT"}, 100, "MIT"},
		{[]string{"MIT"}, detect.MinExprCoverage, "MIT"},
		{[]string{"MIT"}, detect.MinExprCoverage - 0.1, ""},
		{nil, 100, ""},
		{[]string{"Apache-2.0", "MIT"}, 99, "Apache-2.0 AND MIT"},
		{[]string{"Apache-2.0", "LLVM-exception"}, 100, "Apache-2.0 WITH LLVM-exception"},
		{[]string{"LLVM-exception"}, 100, ""},
		{[]string{"Apache-2.0", "LLVM-exception", "MIT"}, 100, ""},
		{[]string{"BSD-3-Clause-NoTrademark"}, 100, ""}, // licensecheck's own id, not SPDX
		{[]string{"GPL-2.0"}, 100, "GPL-2.0"},
	} {
		got := detector.Expr(detect.Detection{IDs: tc.ids, Coverage: tc.coverage})
		if got != tc.want {
			t.Errorf("Expr(%q at %.1f%%) = %q, want %q", tc.ids, tc.coverage, got, tc.want)
		}
		if got != "" {
			mustParse(t, got)
		}
	}
}

// TestUnicodePatterns checks rvendor's Unicode patterns on real texts:
// the Unicode-DFS-2016 copy in regex-syntax, the same agreement as
// dfinity/candid ships it (with "See Terms of Use"), the Unicode License
// v3 as ICU ships it (Node.js's LICENSE) and as the SPDX list has it.
func TestUnicodePatterns(t *testing.T) {
	for _, tc := range []struct {
		file, id string
		min      float64
	}{
		{"testdata/unicode/Unicode-3.0-spdx.txt", "Unicode-3.0", 100},
		{"testdata/unicode/Unicode-3.0-icu.txt", "Unicode-3.0", 98},
		{"testdata/unicode/Unicode-DFS-2016-candid.txt", "Unicode-DFS-2016", 100},
	} {
		data, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		det := detector.Detect(data)
		if !slices.Equal(det.IDs, []string{tc.id}) || det.Coverage < tc.min || detector.Expr(det) != tc.id {
			t.Errorf("%s: %v at %.1f%%, expr %q; want [%s] at %.0f%% or more", tc.file, det.IDs, det.Coverage, detector.Expr(det), tc.id, tc.min)
		}
	}
	// A text cut in the middle of the permission paragraph is not a
	// license: no false positive.
	data, _ := os.ReadFile("testdata/unicode/Unicode-3.0-spdx.txt")
	cut := strings.Replace(string(data), "provided that either", "provided that", 1)
	if det := detector.Detect([]byte(cut)); slices.Contains(det.IDs, "Unicode-3.0") {
		t.Errorf("a changed Unicode-3.0 text still detected: %v", det.IDs)
	}
	realText := filepath.Join(realdata.CratesBindgen(t), "regex-syntax-0.6.27/src/unicode_tables/LICENSE-UNICODE")
	data, err := os.ReadFile(realText)
	if err != nil {
		t.Fatal(err)
	}
	if det := detector.Detect(data); !slices.Equal(det.IDs, []string{"Unicode-DFS-2016"}) || det.Coverage != 100 {
		t.Errorf("%s: %v at %.1f%%, want Unicode-DFS-2016 at 100%%", realText, det.IDs, det.Coverage)
	}
}

// TestReuseLicenses detects the REUSE LICENSES/ folder of rustc-perf in
// Rust 1.96's sources, whose files are named after their SPDX ids.
func TestReuseLicenses(t *testing.T) {
	dir := realdata.Path(t, "rust-web-src/usr/src/rustc-1.96.0/src/tools/rustc-perf/LICENSES")
	want := map[string]string{
		"Apache-2.0.txt": "Apache-2.0", "CC-BY-4.0.txt": "CC-BY-4.0", "EUPL-1.2.txt": "EUPL-1.2",
		"MIT.txt": "MIT", "MPL-2.0.txt": "MPL-2.0", "Unlicense.txt": "Unlicense",
		// An exception alone suggests no expression.
		"LLVM-exception.txt": "",
		// Named Unicode-DFS-2016 but the 2015 agreement's (a)(b)(c)
		// permission without its preamble: neither pattern matches.
		"Unicode-DFS-2016.txt": "",
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range ents {
		data, err := os.ReadFile(filepath.Join(dir, ent.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, ok := want[ent.Name()]
		det := detector.Detect(data)
		if got := detector.Expr(det); !ok || got != w {
			t.Errorf("%s: Expr = %q (%v at %.1f%%), want %q", ent.Name(), got, det.IDs, det.Coverage, w)
		}
		if ent.Name() == "LLVM-exception.txt" && !slices.Equal(det.IDs, []string{"LLVM-exception"}) {
			t.Errorf("%s: %v, want [LLVM-exception]", ent.Name(), det.IDs)
		}
	}
}

// detectTree appends one golden line per license file under root.
func detectTree(t *testing.T, b *strings.Builder, root, label string) (exprs map[string]string) {
	t.Helper()
	exprs = map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || !license.IsLicenseFile(p) {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		det := detector.Detect(data)
		x := detector.Expr(det)
		exprs[rel] = x
		ids := strings.Join(det.IDs, ",")
		if ids == "" {
			ids = "-"
		}
		if x == "" {
			x = "-"
		}
		fmt.Fprintf(b, "%s\t%s\t%.1f\t%s\n", label+rel, ids, det.Coverage, x)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return exprs
}

// noticeOnly are the real license files with no license text of their
// own, or with one that is not an SPDX license.
var noticeOnly = map[string]string{
	"regex-1.7.1/src/testdata/LICENSE": "AT&T's license of testregex.c, not on the SPDX list",
}

// TestDetectCrates detects every license file of the real crates of the
// bindgen 0.60.1 closure and of Debian's rust-src 1.63, and pins the
// results in testdata/crates-detected.golden (go test -update rewrites
// it).
func TestDetectCrates(t *testing.T) {
	root := realdata.CratesBindgen(t)
	var b strings.Builder
	b.WriteString("# file\tids\tcoverage %\tDetector.Expr (\"-\": none)\n")
	exprs := detectTree(t, &b, root, "")
	if len(exprs) < 200 {
		t.Fatalf("%d license files under %s, want at least 200", len(exprs), root)
	}
	for rel, x := range exprs {
		base := strings.ToUpper(filepath.Base(rel))
		text := strings.HasPrefix(base, "LICEN") || strings.HasPrefix(base, "UNLICENSE")
		if _, known := noticeOnly[rel]; text && x == "" && !known {
			t.Errorf("%s: no license detected", rel)
		}
	}
	checkDeclared(t, root, exprs)

	// Debian's rust-src has no license file under library/; the Rust
	// tree's COPYRIGHT and Debian's copyright file stand for it.
	lib := realdata.RustSrc163(t)
	if n := len(detectTree(t, &strings.Builder{}, lib, "")); n != 0 {
		t.Errorf("rust-src 1.63 library/ has %d license files, want 0 (the real data changed)", n)
	}
	detectTree(t, &b, filepath.Dir(lib), "rust-src:rustc-1.63.0/")
	detectTree(t, &b, realdata.Path(t, "rust-src/usr/share/doc/rust-src"), "rust-src:usr/share/doc/rust-src/")
	checkGolden(t, "testdata/crates-detected.golden", b.String())
}

// checkDeclared checks, for each crate, that the licenses detected in
// its top-level license files satisfy its Cargo.toml license.
func checkDeclared(t *testing.T, root string, exprs map[string]string) {
	t.Helper()
	detected := map[string]map[license.Term]bool{}
	for rel, x := range exprs {
		crate, file, _ := strings.Cut(rel, "/")
		if x == "" || strings.Contains(file, "/") || strings.Contains(file, "THIRD-PARTY") {
			continue
		}
		if detected[crate] == nil {
			detected[crate] = map[license.Term]bool{}
		}
		for _, term := range mustParse(t, x).Terms() {
			detected[crate][term] = true
		}
	}
	for crate, terms := range detected {
		var m struct {
			Package struct{ License string } `toml:"package"`
		}
		data, err := os.ReadFile(filepath.Join(root, crate, "Cargo.toml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := toml.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		e, _, err := license.ParseDeclared(m.Package.License)
		if err != nil {
			t.Fatal(err)
		}
		if !e.SatisfiedBy(func(x license.Term) bool { return terms[x] }) {
			t.Errorf("%s: its license files (%v) do not satisfy its declared %q", crate, terms, e)
		}
	}
}

func TestDetectConcurrent(t *testing.T) {
	texts := [][]byte{}
	for _, f := range []string{"testdata/unicode/Unicode-3.0-spdx.txt", "testdata/unicode/Unicode-DFS-2016-candid.txt"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, data)
	}
	d := detect.NewDetector() // a fresh one: its scanner is built under contention
	var wg sync.WaitGroup
	got := make([]detect.Detection, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = d.Detect(texts[i%2])
		}()
	}
	wg.Wait()
	for i, det := range got {
		if want := detector.Detect(texts[i%2]); !reflect.DeepEqual(det, want) {
			t.Errorf("concurrent Detect %d = %+v, want %+v", i, det, want)
		}
	}
}

func TestDetectMatches(t *testing.T) {
	mit := "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n"
	text := "See https://www.opensource.org/licenses/mit for details.\n\n" + mit
	det := detector.Detect([]byte(text))
	if !slices.Equal(det.IDs, []string{"MIT"}) || len(det.Matches) != 2 || !det.Matches[0].IsURL || det.Matches[1].IsURL {
		t.Fatalf("Detect = %+v, want a URL match then the MIT text", det)
	}
	if m := det.Matches[1]; !strings.HasPrefix(text[m.Start:m.End], "Permission is hereby granted") || m.End != len(text) {
		t.Errorf("MIT match [%d:%d] = %q", m.Start, m.End, text[m.Start:m.End])
	}
	// A URL alone names a license but is not its text.
	if det := detector.Detect([]byte("See https://www.opensource.org/licenses/mit\n")); det.IDs != nil || len(det.Matches) != 1 {
		t.Errorf("URL only: %+v, want one URL match and no ids", det)
	}
	if det := detector.Detect(nil); det.IDs != nil || det.Coverage != 0 {
		t.Errorf("Detect(nil) = %+v", det)
	}
}
