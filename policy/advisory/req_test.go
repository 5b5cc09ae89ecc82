package advisory_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/policy/advisory"
)

func mustReq(t testing.TB, s string) advisory.Req {
	t.Helper()
	r, err := advisory.ParseReq(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// reqCases follow Cargo's documentation ("Specifying dependencies",
// doc.rust-lang.org/cargo/reference/specifying-dependencies.html) and the
// semver crate's tests: each requirement with versions that match (yes)
// and versions that do not (no), chosen at the edges of the range.
var reqCases = []struct {
	req     string
	yes, no []string
}{
	// Caret, and a bare version, which is the same.
	{"1.2.3", []string{"1.2.3", "1.2.4", "1.3.0", "1.99.99"}, []string{"1.2.2", "2.0.0", "0.2.3", "1.2.3-alpha"}},
	{"^1.2.3", []string{"1.2.3", "1.9.0"}, []string{"1.2.2", "2.0.0"}},
	{"^1.2", []string{"1.2.0", "1.9.9"}, []string{"1.1.9", "2.0.0"}},
	{"^1", []string{"1.0.0", "1.99.0"}, []string{"0.9.9", "2.0.0"}},
	{"^0.2.3", []string{"0.2.3", "0.2.99"}, []string{"0.2.2", "0.3.0", "1.0.0"}},
	{"0.2.3", []string{"0.2.3", "0.2.4"}, []string{"0.3.0"}},
	{"^0.2", []string{"0.2.0", "0.2.9"}, []string{"0.1.9", "0.3.0"}},
	{"^0.0.3", []string{"0.0.3"}, []string{"0.0.2", "0.0.4", "0.1.3"}},
	{"^0.0", []string{"0.0.0", "0.0.9"}, []string{"0.1.0"}},
	{"^0", []string{"0.0.0", "0.9.9"}, []string{"1.0.0"}},
	{"^ 0.3.1", []string{"0.3.1", "0.3.5"}, []string{"0.3.0", "0.4.0"}},
	// Tilde.
	{"~1.2.3", []string{"1.2.3", "1.2.9"}, []string{"1.2.2", "1.3.0"}},
	{"~1.2", []string{"1.2.0", "1.2.9"}, []string{"1.1.9", "1.3.0"}},
	{"~1", []string{"1.0.0", "1.9.0"}, []string{"0.9.0", "2.0.0"}},
	{"~0.2.3", []string{"0.2.3", "0.2.4"}, []string{"0.3.0"}},
	// Wildcards.
	{"*", []string{"0.0.0", "1.0.0", "999.0.0"}, []string{"1.0.0-alpha"}},
	{"1.*", []string{"1.0.0", "1.9.9"}, []string{"0.9.9", "2.0.0"}},
	{"1.2.*", []string{"1.2.0", "1.2.9"}, []string{"1.1.9", "1.3.0"}},
	{"1.x", []string{"1.0.0"}, []string{"2.0.0"}},
	{"1.X.x", []string{"1.5.0"}, []string{"2.0.0"}},
	{"0.*", []string{"0.0.0", "0.9.0"}, []string{"1.0.0"}},
	// Comparisons, with full and partial versions.
	{"= 1.2.3", []string{"1.2.3", "1.2.3+build"}, []string{"1.2.4", "1.2.2"}},
	{"=1.2", []string{"1.2.0", "1.2.9"}, []string{"1.3.0"}},
	{">= 1.2.0", []string{"1.2.0", "2.0.0"}, []string{"1.1.9"}},
	{">=1.2", []string{"1.2.0", "5.0.0"}, []string{"1.1.99"}},
	{"> 1.2.3", []string{"1.2.4", "2.0.0"}, []string{"1.2.3"}},
	{">1.2", []string{"1.3.0"}, []string{"1.2.99"}},
	{"> 1", []string{"2.0.0"}, []string{"1.99.99"}},
	{">= 0", []string{"0.0.0", "7.0.0"}, nil},
	{"< 1.2.3", []string{"1.2.2", "0.0.0"}, []string{"1.2.3", "1.3.0"}},
	{"<1.2", []string{"1.1.99"}, []string{"1.2.0"}},
	{"<= 1.2.3", []string{"1.2.3", "1.0.0"}, []string{"1.2.4"}},
	{"<= 1.2", []string{"1.2.99"}, []string{"1.3.0"}},
	{"<=1", []string{"1.99.0"}, []string{"2.0.0"}},
	// Comma-separated comparators must all hold.
	{">= 1.2.3, < 1.3.0", []string{"1.2.3", "1.2.99"}, []string{"1.2.2", "1.3.0"}},
	{">=1.2,<1.5", []string{"1.4.9"}, []string{"1.5.0", "1.1.0"}},
	{"< 0.10.0, >= 0.9.3", []string{"0.9.3", "0.9.9"}, []string{"0.9.2", "0.10.0"}},
	{" >= 1.0.0 ,  < 2.0.0 ", []string{"1.5.0"}, []string{"2.0.0"}},
	{"^1.2, ~1.3", []string{"1.3.5"}, []string{"1.2.5", "1.4.0"}},
	// Pre-releases match only a comparator on the same major.minor.patch
	// that has a pre-release (Cargo's rule).
	{">= 1.0.0-alpha.1", []string{"1.0.0-alpha.1", "1.0.0-alpha.2", "1.0.0-beta", "1.0.0", "2.0.0"}, []string{"1.0.0-alpha.0", "1.0.0-alpha", "1.0.1-alpha.1", "2.0.0-alpha.1"}},
	{">= 1.0.0", []string{"1.0.0"}, []string{"1.0.0-alpha.5", "1.0.1-rc.1", "2.0.0-0"}},
	{"< 1.0.0", []string{"0.9.0"}, []string{"0.9.0-alpha", "1.0.0-alpha"}},
	{"< 1.0.0-rc.1", []string{"0.9.0", "1.0.0-beta", "1.0.0-rc.0"}, []string{"1.0.0-rc.1", "1.0.0-rc.2", "1.0.0", "0.9.0-alpha"}},
	{"^1.2.3-beta.2", []string{"1.2.3-beta.2", "1.2.3-beta.10", "1.2.3", "1.9.0"}, []string{"1.2.3-beta.1", "1.2.4-beta.3", "2.0.0"}},
	{"~1.2.3-beta", []string{"1.2.3-beta", "1.2.3", "1.2.4"}, []string{"1.2.3-alpha", "1.2.4-beta"}},
	{"=1.0.0-alpha.1", []string{"1.0.0-alpha.1"}, []string{"1.0.0-alpha.2", "1.0.0"}},
	{">= 1.0.0-alpha.1, < 1.0.0", []string{"1.0.0-rc.3"}, []string{"1.0.0"}},
	{"^0.0.3-pre", []string{"0.0.3-pre", "0.0.3"}, []string{"0.0.4"}},
	// A comparator's build metadata is read and ignored.
	{"=1.2.3+build", []string{"1.2.3", "1.2.3+other"}, []string{"1.2.4"}},
}

func TestReqMatches(t *testing.T) {
	for _, tc := range reqCases {
		r := mustReq(t, tc.req)
		for _, v := range tc.yes {
			if !r.Matches(mustVersion(t, v)) {
				t.Errorf("%q does not match %s", tc.req, v)
			}
		}
		for _, v := range tc.no {
			if r.Matches(mustVersion(t, v)) {
				t.Errorf("%q matches %s", tc.req, v)
			}
		}
	}
}

func TestZeroReqMatchesLikeStar(t *testing.T) {
	var r advisory.Req
	if !r.Matches(mustVersion(t, "3.1.4")) || r.Matches(mustVersion(t, "3.1.4-rc.1")) {
		t.Error("the zero Req does not behave like \"*\"")
	}
	if r.String() != "*" {
		t.Errorf("zero Req prints as %q", r.String())
	}
}

func TestReqString(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3":                "^1.2.3",
		"^ 0.3.1":              "^0.3.1",
		">= 1.2.3, < 1.3.0":    ">=1.2.3, <1.3.0",
		" >=1.2 ,<1.5 ":        ">=1.2, <1.5",
		"~1":                   "~1",
		"*":                    "*",
		"x":                    "*",
		"1.*":                  "1.*",
		"1.x.X":                "1.*",
		"1.2.*":                "1.2.*",
		"=1.*":                 "=1",
		"< 1.0.0-rc.1":         "<1.0.0-rc.1",
		"=1.2.3+build":         "=1.2.3",
		"<= 0.1.2":             "<=0.1.2",
		"> 1":                  ">1",
		">= 1.0.0-alpha.1, <2": ">=1.0.0-alpha.1, <2",
	} {
		if got := mustReq(t, in).String(); got != want {
			t.Errorf("ParseReq(%q).String() = %q, want %q", in, got, want)
		}
	}
}

func TestParseReqRejects(t *testing.T) {
	for _, in := range []string{
		"", " ", ",", "1.2.3,", ",1.2.3", "1.2.3,,1.2.4", "v1.2.3", "1.2.3.4",
		"01.2.3", "1.02", "1.2.03", "1.2-alpha", "1-alpha", "1.2.3-", "1.2.3-01",
		"1.2.3-alpha..1", "1.2.3+", "1.*.3", "1.*-alpha", "*.1", "**", "*, 1.0",
		"1.0, *", ">= 1.0.0 < 2.0.0", "1.2.3 - 2.0.0", "=>1.0", "~>1.0", ">=*",
		"^*", "> ", ">== 1.0", "1 .2", "1.2 .3", "a.b.c", "latest",
		"18446744073709551616", "1.2.3 || 2.0.0", "\t1.2.3", "1.2.3\n",
	} {
		r, err := advisory.ParseReq(in)
		if err == nil {
			t.Errorf("ParseReq(%q) = %q, want an error", in, r)
			continue
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
			t.Errorf("ParseReq(%q): error %q does not quote the input", in, err)
		}
	}
}

// TestJSON checks that requirements and versions are strings in JSON, as
// in an advisory, and read back.
func TestJSON(t *testing.T) {
	in := struct {
		Patched []advisory.Req
		Version advisory.Version
	}{[]advisory.Req{mustReq(t, ">= 1.2.3, < 1.3.0"), mustReq(t, "*")}, mustVersion(t, "1.0.0-rc.1+b")}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	// encoding/json escapes < and > as \u003c and \u003e.
	if want := `{"Patched":["\u003e=1.2.3, \u003c1.3.0","*"],"Version":"1.0.0-rc.1+b"}`; string(data) != want {
		t.Errorf("JSON %s, want %s", data, want)
	}
	out := in
	out.Patched, out.Version = nil, advisory.Version{}
	if err := json.Unmarshal(data, &out); err != nil || out.Version != in.Version || len(out.Patched) != 2 || out.Patched[0].String() != ">=1.2.3, <1.3.0" {
		t.Errorf("read back as %+v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"Patched":["1.2.3 - 2"]}`), &out); err == nil || !strings.Contains(err.Error(), `"1.2.3 - 2"`) {
		t.Errorf("a bad requirement in JSON: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"Version":"1.2"}`), &out); err == nil || !strings.Contains(err.Error(), `"1.2"`) {
		t.Errorf("a bad version in JSON: %v", err)
	}
}
