package advisory_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/policy/advisory"
)

func mustVersion(t testing.TB, s string) advisory.Version {
	t.Helper()
	v, err := advisory.ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want advisory.Version
	}{
		{"0.0.0", advisory.Version{}},
		{"1.2.3", advisory.Version{Major: 1, Minor: 2, Patch: 3}},
		{"1.63.0", advisory.Version{Major: 1, Minor: 63}},
		{"1.0.0-alpha.5", advisory.Version{Major: 1, Pre: "alpha.5"}},
		{"1.0.0-0.3.7", advisory.Version{Major: 1, Pre: "0.3.7"}},
		{"1.0.0-x-y.7.z.92", advisory.Version{Major: 1, Pre: "x-y.7.z.92"}},
		{"1.0.0-alpha+001", advisory.Version{Major: 1, Pre: "alpha", Build: "001"}},
		{"1.63.0+dfsg1", advisory.Version{Major: 1, Minor: 63, Build: "dfsg1"}},
		{"1.0.0-rc1+build.1-x", advisory.Version{Major: 1, Pre: "rc1", Build: "build.1-x"}},
		{"18446744073709551615.0.0", advisory.Version{Major: 1<<64 - 1}},
	} {
		got, err := advisory.ParseVersion(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseVersion(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		if got.String() != tc.in {
			t.Errorf("ParseVersion(%q).String() = %q", tc.in, got.String())
		}
	}
}

func TestParseVersionRejects(t *testing.T) {
	for _, in := range []string{
		"", "1", "1.2", "1.2.3.4", "v1.2.3", " 1.2.3", "1.2.3 ", "1.2.3\n",
		"01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3+", "1.2.3-01",
		"1.2.3-alpha..1", "1.2.3-alpha.", "1.2.3+a..b", "1.2.3_4", "1.2.3-é",
		"18446744073709551616.0.0", "-1.2.3", "1.-2.3", "a.b.c", "1.2.*",
	} {
		v, err := advisory.ParseVersion(in)
		if err == nil {
			t.Errorf("ParseVersion(%q) = %+v, want an error", in, v)
			continue
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
			t.Errorf("ParseVersion(%q): error %q does not quote the input", in, err)
		}
	}
}

// TestVersionCompare checks SemVer 2.0's precedence on the example chain of
// its section 11 and on numbers, and that build metadata is ignored.
func TestVersionCompare(t *testing.T) {
	chain := []string{
		"0.0.0", "0.0.1", "0.1.0", "0.9.9", "0.10.0", "1.0.0-0", "1.0.0-2", "1.0.0-10",
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
		"1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.9.0",
		"1.10.0", "2.0.0", "10.0.0", "18446744073709551615.0.0",
	}
	for i, a := range chain {
		va := mustVersion(t, a)
		for j, b := range chain {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got := va.Compare(mustVersion(t, b)); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
	if c := mustVersion(t, "1.0.0+a").Compare(mustVersion(t, "1.0.0+b")); c != 0 {
		t.Errorf("build metadata changes the order: %d", c)
	}
}
