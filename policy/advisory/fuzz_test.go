package advisory_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/policy/advisory"
)

// probeVersions are the versions every fuzzed requirement is tried on:
// edges of the caret, tilde and wildcard ranges and pre-releases.
var probeVersions = []string{
	"0.0.0", "0.0.1", "0.0.3", "0.1.0", "0.2.3", "0.3.0", "0.9.9", "1.0.0-alpha",
	"1.0.0-alpha.1", "1.0.0", "1.0.1", "1.2.0", "1.2.3-beta.2", "1.2.3", "1.2.4",
	"1.3.0", "2.0.0-rc.1", "2.0.0", "10.20.30", "18446744073709551615.0.0",
}

// FuzzParseReq parses an arbitrary requirement. A rejected one must be
// quoted in the error; an accepted one must print (String) as a
// requirement that parses back, prints the same, and matches exactly the
// same versions among probeVersions and the fuzzed version.
func FuzzParseReq(f *testing.F) {
	for _, tc := range reqCases {
		f.Add(tc.req, "1.2.3")
	}
	for _, s := range []string{">= 1.2.3, < 1.3.0", "^ 0.3.1", "< 1.0.0-rc1", "*", "1.*.*", "< 0.10.0, >= 0.9.3", "=1.2.3+b", ">= 1.0.0-alpha.1"} {
		f.Add(s, "1.0.0-alpha.2")
	}
	f.Fuzz(func(t *testing.T, in, ver string) {
		r, err := advisory.ParseReq(in)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
				t.Errorf("error %q does not quote the requirement", err)
			}
			return
		}
		s := r.String()
		again, err := advisory.ParseReq(s)
		if err != nil {
			t.Fatalf("%q prints as %q, which does not parse: %v", in, s, err)
		}
		if again.String() != s {
			t.Errorf("%q prints as %q, then as %q", in, s, again.String())
		}
		vs := probeVersions
		if _, err := advisory.ParseVersion(ver); err == nil {
			vs = append(vs[:len(vs):len(vs)], ver)
		}
		for _, v := range vs {
			pv, err := advisory.ParseVersion(v)
			if err != nil {
				t.Fatal(err)
			}
			if r.Matches(pv) != again.Matches(pv) {
				t.Errorf("%q matches %s: %v, but its String %q: %v", in, v, r.Matches(pv), s, again.Matches(pv))
			}
		}
	})
}

// FuzzParseVersion parses two arbitrary versions. An accepted version reads
// back from its String, and Compare is reflexive and antisymmetric.
func FuzzParseVersion(f *testing.F) {
	for _, s := range [][2]string{{"1.2.3", "1.2.3-alpha.1"}, {"1.0.0-alpha.beta", "1.0.0-alpha.1"}, {"1.63.0+dfsg1", "1.63.0"}, {"1.0.0-0.3.7", "1.0.0-x.7.z.92"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		va, err := advisory.ParseVersion(a)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", a)) {
				t.Errorf("error %q does not quote the version", err)
			}
			return
		}
		if again, err := advisory.ParseVersion(va.String()); err != nil || again != va {
			t.Errorf("%q prints as %q, read back as %+v, %v", a, va.String(), again, err)
		}
		if va.Compare(va) != 0 {
			t.Errorf("%q: Compare with itself %d", a, va.Compare(va))
		}
		vb, err := advisory.ParseVersion(b)
		if err != nil {
			return
		}
		if va.Compare(vb) != -vb.Compare(va) {
			t.Errorf("Compare(%q, %q) = %d, but the reverse is %d", a, b, va.Compare(vb), vb.Compare(va))
		}
	})
}

// FuzzParseAdvisory parses arbitrary files, seeded with the testdata
// database. An accepted advisory has an ID, a package and a date, and its
// requirements print as requirements that parse.
func FuzzParseAdvisory(f *testing.F) {
	files, err := filepath.Glob("testdata/db/*/*/*.md")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := advisory.ParseAdvisory(data)
		if err != nil {
			return
		}
		if a.ID == "" || a.Package == "" || a.Date.IsZero() {
			t.Errorf("accepted an advisory without id, package or date: %+v", a)
		}
		for _, r := range append(a.Patched, a.Unaffected...) {
			if _, err := advisory.ParseReq(r.String()); err != nil {
				t.Errorf("requirement prints as %q: %v", r, err)
			}
		}
	})
}
