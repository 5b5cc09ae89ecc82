package license_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"

	"github.com/rvendor/rvendor/internal/golden"
	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/policy/license"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files from what the code gives now")

func mustParse(t *testing.T, s string) *license.Expr {
	t.Helper()
	e, err := license.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return e
}

func TestParseCanonical(t *testing.T) {
	for _, tc := range []struct {
		in, str, kernel string
	}{
		{"MIT", "MIT", "MIT"},
		{"GPL-2.0", "GPL-2.0", "GPL-2.0"},
		{"GPL-2.0+", "GPL-2.0+", "GPL-2.0+"},
		{"GPL-2.0-only", "GPL-2.0-only", "GPL-2.0-only"},
		{"MIT OR Apache-2.0", "MIT OR Apache-2.0", "MIT OR Apache-2.0"},
		{"  MIT   OR\tApache-2.0 ", "MIT OR Apache-2.0", "MIT OR Apache-2.0"},
		{"(MIT OR Apache-2.0)", "MIT OR Apache-2.0", "MIT OR Apache-2.0"},
		{"((MIT))", "MIT", "MIT"},
		{"MIT OR (Apache-2.0 OR Zlib)", "MIT OR Apache-2.0 OR Zlib", "(MIT OR Apache-2.0) OR Zlib"},
		{"(MIT AND Zlib) OR ISC", "MIT AND Zlib OR ISC", "(MIT AND Zlib) OR ISC"},
		{"MIT AND (Zlib OR ISC)", "MIT AND (Zlib OR ISC)", "MIT AND (Zlib OR ISC)"},
		{"MIT AND Zlib AND ISC", "MIT AND Zlib AND ISC", "(MIT AND Zlib) AND ISC"},
		{"GPL-2.0 WITH Linux-syscall-note", "GPL-2.0 WITH Linux-syscall-note", "GPL-2.0 WITH Linux-syscall-note"},
		{"(GPL-2.0 WITH Linux-syscall-note) OR MIT", "GPL-2.0 WITH Linux-syscall-note OR MIT", "(GPL-2.0 WITH Linux-syscall-note) OR MIT"},
		{"GPL-2.0+ WITH Linux-syscall-note AND MIT", "GPL-2.0+ WITH Linux-syscall-note AND MIT", "(GPL-2.0+ WITH Linux-syscall-note) AND MIT"},
		{"Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT", "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT", "((Apache-2.0 WITH LLVM-exception) OR Apache-2.0) OR MIT"},
		{"LicenseRef-Vendor-1.0 OR MIT", "LicenseRef-Vendor-1.0 OR MIT", "LicenseRef-Vendor-1.0 OR MIT"},
		{"DocumentRef-spdx.tool:LicenseRef-x", "DocumentRef-spdx.tool:LicenseRef-x", "DocumentRef-spdx.tool:LicenseRef-x"},
	} {
		e := mustParse(t, tc.in)
		if got := e.String(); got != tc.str {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.str)
		}
		if got := e.KernelString(); got != tc.kernel {
			t.Errorf("Parse(%q).KernelString() = %q, want %q", tc.in, got, tc.kernel)
		}
		// The canonical and kernel forms are fixed points with the same meaning.
		for _, form := range []string{tc.str, tc.kernel} {
			again := mustParse(t, form)
			if again.String() != tc.str || !license.Equivalent(again, e) {
				t.Errorf("Parse(%q) = %q, not equivalent to %q", form, again, tc.str)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		in, token, reason string
	}{
		{"", "", "empty expression"},
		{"   ", "", "empty expression"},
		{"MIT OR", "", "found the end of the expression"},
		{"OR MIT", "OR", "expected a license id"},
		{"MIT Apache-2.0", "Apache-2.0", "expected AND, OR or the end"},
		{"(MIT OR Apache-2.0", "", "expected )"},
		{"MIT OR Apache-2.0)", ")", "expected AND, OR or the end"},
		{"MIT/Apache-2.0", "/", `"/" is not an SPDX operator`},
		{"MIT or Apache-2.0", "or", "operators are upper case: write OR"},
		{"MIT and Zlib", "and", "write AND"},
		{"GPL-2.0 with Linux-syscall-note", "with", "write WITH"},
		{"mit", "mit", `the SPDX list spells it "MIT"`},
		{"GPL-2.0 WITH linux-syscall-note", "linux-syscall-note", `spells it "Linux-syscall-note"`},
		{"Foo-1.0", "Foo-1.0", "unknown SPDX license id"},
		{"MIT OR NotALicense", "NotALicense", "unknown SPDX license id"},
		{"LLVM-exception", "LLVM-exception", "license exception id: use it after WITH"},
		{"MIT WITH Apache-2.0", "Apache-2.0", "license id, not a license exception id"},
		{"MIT WITH Not-an-exception", "Not-an-exception", "unknown SPDX license exception id"},
		{"MIT WITH", "", "expected an exception id after WITH"},
		{"(MIT OR ISC) WITH LLVM-exception", "WITH", "not a parenthesized expression"},
		{"GPL-2.0 WITH Linux-syscall-note WITH GCC-exception-2.0", "WITH", "expected AND, OR"},
		{"GPL-2.0 +", "+", "no space"},
		{"GPL-2.0-only+", "GPL-2.0-only+", `"+" cannot follow an -only or -or-later id`},
		{"GPL-2.0-or-later+", "GPL-2.0-or-later+", "-or-later"},
		{"LicenseRef-x+", "LicenseRef-x+", `"+" cannot follow a LicenseRef`},
		{"LicenseRef-", "LicenseRef-", "malformed reference"},
		{"LicenseRef-a_b", "_", "unexpected character"},
		{"DocumentRef-x:MIT", "DocumentRef-x:MIT", "malformed reference"},
		{"MIT:x", "MIT:x", "unexpected ':'"},
		{"MIT OR Apache-2.0\n", "\n", "unexpected character"},
		{"MIT, Apache-2.0", ",", "unexpected character"},
		{strings.Repeat("(", license.MaxDepth+1) + "MIT" + strings.Repeat(")", license.MaxDepth+1), "(", "nested deeper than"},
		{strings.Repeat("(MIT OR ISC) AND ", 11) + "Zlib", "", "more than 1024 options"},
		{strings.Repeat("MIT OR ", 400) + "MIT", "", "longer than 2048 bytes"},
	} {
		_, err := license.Parse(tc.in)
		var ee *license.ExprError
		if !errors.As(err, &ee) {
			t.Errorf("Parse(%q) = %v, want an *ExprError", tc.in, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.reason) || ee.Token != tc.token {
			t.Errorf("Parse(%q) = %v (token %q), want %q at token %q", tc.in, err, ee.Token, tc.reason, tc.token)
		}
		if len(tc.in) <= license.MaxExprLen && !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.in)) {
			t.Errorf("Parse(%q): error %q does not quote the input", tc.in, err)
		}
		if tc.token != "" && tc.in[ee.Offset:ee.Offset+len(tc.token)] != tc.token {
			t.Errorf("Parse(%q): offset %d does not point at %q", tc.in, ee.Offset, tc.token)
		}
	}
}

func TestParseDeclared(t *testing.T) {
	for _, tc := range []struct {
		in, str, normalized string
	}{
		{"MIT OR Apache-2.0", "MIT OR Apache-2.0", ""},
		{"MIT/Apache-2.0", "MIT OR Apache-2.0", "MIT OR Apache-2.0"},
		{"MIT / Apache-2.0", "MIT OR Apache-2.0", "MIT OR Apache-2.0"},
		{"Unlicense/MIT", "Unlicense OR MIT", "Unlicense OR MIT"},
		{"MIT/Apache-2.0/Zlib", "MIT OR Apache-2.0 OR Zlib", "MIT OR Apache-2.0 OR Zlib"},
		{"mit or apache-2.0", "MIT OR Apache-2.0", "MIT OR Apache-2.0"},
		{"MIT  OR  Apache-2.0", "MIT OR Apache-2.0", "MIT OR Apache-2.0"},
		{"(MIT OR Apache-2.0)", "MIT OR Apache-2.0", "MIT OR Apache-2.0"},
		{"Apache-2.0 with LLVM-exception or MIT", "Apache-2.0 WITH LLVM-exception OR MIT", "Apache-2.0 WITH LLVM-exception OR MIT"},
		{"apache-2.0 WITH llvm-exception", "Apache-2.0 WITH LLVM-exception", "Apache-2.0 WITH LLVM-exception"},
		{"MIT AND Zlib/ISC", "MIT AND Zlib OR ISC", "MIT AND Zlib OR ISC"},
		{"licenseref-Foo OR MIT", "LicenseRef-Foo OR MIT", "LicenseRef-Foo OR MIT"},
		{"Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT", "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT", ""},
		{"GPL-2.0", "GPL-2.0", ""},
	} {
		e, norm, err := license.ParseDeclared(tc.in)
		if err != nil {
			t.Errorf("ParseDeclared(%q): %v", tc.in, err)
			continue
		}
		if e.String() != tc.str || norm != tc.normalized {
			t.Errorf("ParseDeclared(%q) = %q, normalized %q; want %q, %q", tc.in, e, norm, tc.str, tc.normalized)
		}
	}
	for _, in := range []string{"", "MIT//Apache-2.0", "MIT OR Foo", "/MIT", "MIT +"} {
		if e, _, err := license.ParseDeclared(in); err == nil {
			t.Errorf("ParseDeclared(%q) = %q, want an error", in, e)
		}
	}
}

// TestStrictIDs pins that ids compare exactly: the kernel writes GPL-2.0,
// SPDX now says GPL-2.0-only, and only the caller may equate them.
func TestStrictIDs(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"GPL-2.0", "GPL-2.0-only"},
		{"GPL-2.0+", "GPL-2.0-or-later"},
		{"GPL-2.0", "GPL-2.0+"},
		{"LGPL-2.1", "LGPL-2.1-only"},
		{"Apache-2.0", "Apache-2.0 WITH LLVM-exception"},
		{"GPL-2.0 WITH Linux-syscall-note", "GPL-2.0-only WITH Linux-syscall-note"},
	} {
		a, b := mustParse(t, tc.a), mustParse(t, tc.b)
		if license.Equivalent(a, b) {
			t.Errorf("Equivalent(%q, %q) = true", tc.a, tc.b)
		}
		allow, err := license.NewAllowList([]string{tc.a})
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := allow.Allows(b); ok {
			t.Errorf("allow list [%s] allows %q", tc.a, tc.b)
		}
		if b.SatisfiedBy(func(x license.Term) bool { return x == a.Terms()[0] }) {
			t.Errorf("%q satisfied by %q alone", tc.b, tc.a)
		}
	}
}

func TestTermsAndOptions(t *testing.T) {
	for _, tc := range []struct {
		in      string
		terms   string   // Term.String of each, joined by "|"
		options []string // each option's terms joined by " & "
	}{
		{"MIT", "MIT", []string{"MIT"}},
		{"MIT OR Apache-2.0", "MIT|Apache-2.0", []string{"MIT", "Apache-2.0"}},
		{"MIT AND Zlib", "MIT|Zlib", []string{"MIT & Zlib"}},
		{"(MIT OR Apache-2.0) AND Zlib", "MIT|Apache-2.0|Zlib", []string{"MIT & Zlib", "Apache-2.0 & Zlib"}},
		{"(MIT OR ISC) AND (Zlib OR 0BSD)", "MIT|ISC|Zlib|0BSD", []string{"MIT & Zlib", "MIT & 0BSD", "ISC & Zlib", "ISC & 0BSD"}},
		{"MIT OR MIT", "MIT", []string{"MIT"}},
		{"MIT AND MIT", "MIT", []string{"MIT"}},
		{"MIT OR (MIT AND Zlib)", "MIT|Zlib", []string{"MIT"}},
		{"(MIT AND Zlib) OR MIT", "MIT|Zlib", []string{"MIT"}},
		{"(MIT AND Zlib) OR (Zlib AND MIT)", "MIT|Zlib", []string{"MIT & Zlib"}},
		{"GPL-2.0+ WITH Linux-syscall-note OR GPL-2.0+", "GPL-2.0+ WITH Linux-syscall-note|GPL-2.0+", []string{"GPL-2.0+ WITH Linux-syscall-note", "GPL-2.0+"}},
	} {
		e := mustParse(t, tc.in)
		var terms []string
		for _, x := range e.Terms() {
			terms = append(terms, x.String())
		}
		if got := strings.Join(terms, "|"); got != tc.terms {
			t.Errorf("Parse(%q).Terms() = %s, want %s", tc.in, got, tc.terms)
		}
		var opts []string
		for _, o := range e.Options() {
			var s []string
			for _, x := range o {
				s = append(s, x.String())
			}
			opts = append(opts, strings.Join(s, " & "))
		}
		if !slices.Equal(opts, tc.options) {
			t.Errorf("Parse(%q).Options() = %q, want %q", tc.in, opts, tc.options)
		}
	}
	if got := mustParse(t, "GPL-2.0+ WITH Linux-syscall-note").Terms(); len(got) != 1 || got[0] != (license.Term{ID: "GPL-2.0", Plus: true, Exception: "Linux-syscall-note"}) {
		t.Errorf("Terms() = %#v", got)
	}
}

func TestSatisfiedBy(t *testing.T) {
	only := func(ids ...string) func(license.Term) bool {
		return func(x license.Term) bool { return slices.Contains(ids, x.String()) }
	}
	for _, tc := range []struct {
		in   string
		ok   []string
		want bool
	}{
		{"MIT OR Apache-2.0", []string{"MIT"}, true},
		{"MIT OR Apache-2.0", []string{"Apache-2.0"}, true},
		{"MIT OR Apache-2.0", []string{"ISC"}, false},
		{"MIT AND Zlib", []string{"MIT"}, false},
		{"MIT AND Zlib", []string{"MIT", "Zlib"}, true},
		{"(MIT OR ISC) AND Zlib", []string{"ISC", "Zlib"}, true},
		{"(MIT OR ISC) AND Zlib", []string{"ISC", "MIT"}, false},
		{"Apache-2.0 WITH LLVM-exception", []string{"Apache-2.0"}, false},
		{"Apache-2.0 WITH LLVM-exception", []string{"Apache-2.0 WITH LLVM-exception"}, true},
	} {
		if got := mustParse(t, tc.in).SatisfiedBy(only(tc.ok...)); got != tc.want {
			t.Errorf("Parse(%q).SatisfiedBy(%q) = %v, want %v", tc.in, tc.ok, got, tc.want)
		}
	}
	var nilExpr *license.Expr
	if nilExpr.SatisfiedBy(func(license.Term) bool { return true }) || nilExpr.String() != "" || nilExpr.Terms() != nil {
		t.Error("a nil Expr is satisfied or has text or terms")
	}
}

func TestEquivalent(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"MIT OR Apache-2.0", "Apache-2.0 OR MIT", true},
		{"MIT AND Zlib", "Zlib AND MIT", true},
		{"(MIT OR ISC) AND Zlib", "MIT AND Zlib OR Zlib AND ISC", true},
		{"MIT OR (MIT AND Zlib)", "MIT", true},
		{"MIT OR MIT", "MIT", true},
		{"MIT OR Apache-2.0", "MIT", false},
		{"MIT OR Apache-2.0", "MIT AND Apache-2.0", false},
		{"MIT OR Apache-2.0 OR Zlib", "MIT OR Apache-2.0", false},
		{"GPL-2.0", "GPL-2.0-only", false},
	} {
		if got := license.Equivalent(mustParse(t, tc.a), mustParse(t, tc.b)); got != tc.want {
			t.Errorf("Equivalent(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := license.Equivalent(mustParse(t, tc.b), mustParse(t, tc.a)); got != tc.want {
			t.Errorf("Equivalent(%q, %q) = %v, want %v", tc.b, tc.a, got, tc.want)
		}
	}
	if license.Equivalent(nil, mustParse(t, "MIT")) || !license.Equivalent(nil, nil) {
		t.Error("Equivalent with nil")
	}
}

func TestDeprecated(t *testing.T) {
	for id, want := range map[string]bool{
		"GPL-2.0": true, "GPL-2.0+": true, "LGPL-2.1": true, "GPL-1.0+": true,
		"GPL-2.0-only": false, "GPL-2.0-or-later": false, "MIT": false, "gpl-2.0": false,
		"Linux-syscall-note": false, "": false,
	} {
		if got := license.Deprecated(id); got != want {
			t.Errorf("Deprecated(%q) = %v, want %v", id, got, want)
		}
	}
}

// TestCargoLicenses parses the `license` field of every real crate of the
// bindgen 0.60.1 closure and pins the normalized texts.
func TestCargoLicenses(t *testing.T) {
	root := realdata.CratesBindgen(t)
	tomls, err := filepath.Glob(filepath.Join(root, "*", "Cargo.toml"))
	if err != nil || len(tomls) < 90 {
		t.Fatalf("found %d Cargo.toml files under %s (%v), want at least 90", len(tomls), root, err)
	}
	var golden strings.Builder
	golden.WriteString("# crate\tCargo.toml license\tcanonical (\"=\" when unchanged)\n")
	slashes := 0
	for _, p := range tomls {
		var m struct {
			Package struct {
				License string `toml:"license"`
			} `toml:"package"`
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := toml.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		crate := filepath.Base(filepath.Dir(p))
		in := m.Package.License
		e, norm, err := license.ParseDeclared(in)
		if err != nil {
			t.Errorf("%s: license %q: %v", crate, in, err)
			continue
		}
		if strings.Contains(in, "/") {
			slashes++
		}
		if norm == "" {
			norm = "="
			if _, err := license.Parse(in); err != nil {
				t.Errorf("%s: %q needs no normalizing but Parse refuses it: %v", crate, in, err)
			}
		} else if strict, err := license.Parse(norm); err != nil || !license.Equivalent(strict, e) {
			t.Errorf("%s: normalized %q does not Parse to the same expression: %v", crate, norm, err)
		}
		fmt.Fprintf(&golden, "%s\t%s\t%s\n", crate, in, norm)
	}
	if slashes == 0 {
		t.Error("no crate uses the legacy slash form: the real data changed")
	}
	checkGolden(t, "testdata/cargo-licenses.golden", golden.String())
}

// checkGolden compares got with the golden file, or rewrites it with
// -update.
func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	golden.Check(t, file, got, *update)
}

// TestOptionsLarge expands the largest expressions Parse accepts: ten
// two-way choices (MaxOptions options) ANDed with a long conjunction up to
// MaxExprLen bytes. It guards against expansion that copies partial
// products (which took seconds here).
func TestOptionsLarge(t *testing.T) {
	ids := []string{"MIT", "ISC", "Zlib", "0BSD", "X11", "NCSA", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "GPL-2.0", "LGPL-2.1"}
	var b strings.Builder
	for i := 0; i < 10; i++ {
		b.WriteString("(" + ids[i] + " OR " + ids[i+1] + ") AND ")
	}
	for b.Len()+len("AAL AND MIT") <= license.MaxExprLen {
		b.WriteString("AAL AND ")
	}
	b.WriteString("MIT")
	e := mustParse(t, b.String())
	// The minimal ones of the 1024 choices are the minimal vertex covers
	// of a path of 11 ids that hold its first id, MIT, which the
	// conjunction repeats: 16 (counted by brute force).
	if n := len(e.Options()); n != 16 {
		t.Errorf("%d options, want 16", n)
	}
	if !license.Equivalent(e, mustParse(t, e.String())) || license.Equivalent(e, mustParse(t, "MIT")) {
		t.Error("Equivalent is wrong on a large expression")
	}
}
