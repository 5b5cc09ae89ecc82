package license_test

import (
	"strings"
	"testing"

	"github.com/rvendor/rvendor/policy/license"
)

func TestAllowList(t *testing.T) {
	for _, tc := range []struct {
		entries []string
		expr    string
		ok      bool
		unmet   string // Term.String of each unmet term, joined by "|"
	}{
		{[]string{"MIT"}, "MIT", true, ""},
		{[]string{"MIT"}, "MIT OR Apache-2.0", true, ""},
		{[]string{"MIT"}, "Apache-2.0 OR MIT", true, ""},
		{[]string{"MIT"}, "Apache-2.0", false, "Apache-2.0"},
		{[]string{"MIT"}, "MIT AND Zlib", false, "Zlib"},
		{[]string{"MIT", "Zlib"}, "MIT AND Zlib", true, ""},
		{[]string{"MIT AND Zlib"}, "MIT AND Zlib", true, ""},
		{[]string{"MIT AND Zlib"}, "Zlib AND MIT", true, ""},
		{[]string{"MIT AND Zlib"}, "MIT", false, "MIT"},
		{[]string{"MIT AND Zlib"}, "(MIT AND Zlib) OR GPL-3.0-only", true, ""},
		{[]string{"MIT AND Zlib", "ISC"}, "MIT AND Zlib AND ISC", true, ""},
		{[]string{"MIT AND Zlib"}, "MIT AND ISC", false, "MIT|ISC"},
		{[]string{"GPL-2.0 OR MIT"}, "MIT OR GPL-2.0", true, ""},
		{[]string{"GPL-2.0 OR MIT"}, "MIT", false, "MIT"},
		{[]string{"GPL-2.0 OR MIT"}, "GPL-2.0 OR MIT OR Apache-2.0", false, "GPL-2.0"},
		// The closest option is the one with the fewest unmet terms.
		{[]string{"MIT"}, "(Apache-2.0 AND Zlib) OR (MIT AND ISC)", false, "ISC"},
		{[]string{"ISC"}, "(Apache-2.0 AND Zlib) OR BSD-3-Clause OR 0BSD", false, "BSD-3-Clause"},
		{[]string{"Apache-2.0"}, "Apache-2.0 WITH LLVM-exception", false, "Apache-2.0 WITH LLVM-exception"},
		{[]string{"Apache-2.0 WITH LLVM-exception"}, "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT", true, ""},
		{[]string{"GPL-2.0+"}, "GPL-2.0+", true, ""},
		{[]string{"GPL-2.0+"}, "GPL-2.0", false, "GPL-2.0"},
		{[]string{"LicenseRef-Vendor"}, "LicenseRef-Vendor OR Unlicense", true, ""},
		{nil, "MIT", false, "MIT"},
	} {
		a, err := license.NewAllowList(tc.entries)
		if err != nil {
			t.Fatalf("NewAllowList(%q): %v", tc.entries, err)
		}
		ok, unmet := a.Allows(mustParse(t, tc.expr))
		var u []string
		for _, x := range unmet {
			u = append(u, x.String())
		}
		if ok != tc.ok || strings.Join(u, "|") != tc.unmet {
			t.Errorf("allow list %q, Allows(%q) = %v, unmet %q; want %v, %q", tc.entries, tc.expr, ok, u, tc.ok, tc.unmet)
		}
	}
	var zero license.AllowList
	if ok, _ := zero.Allows(mustParse(t, "MIT")); ok {
		t.Error("the zero AllowList allows MIT")
	}
	a, _ := license.NewAllowList([]string{"MIT"})
	if ok, _ := a.Allows(nil); ok {
		t.Error("an allow list allows a nil expression")
	}
}

func TestAllowListBadEntry(t *testing.T) {
	for _, tc := range []struct {
		entries []string
		want    string
	}{
		{[]string{"MIT", "mit"}, `entry 2 "mit"`},
		{[]string{"MIT/Apache-2.0"}, `entry 1 "MIT/Apache-2.0"`},
		{[]string{""}, `entry 1 ""`},
		{[]string{"MIT", "Apache-2.0", "Nope-1.0"}, `entry 3 "Nope-1.0"`},
	} {
		_, err := license.NewAllowList(tc.entries)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewAllowList(%q) = %v, want an error naming %s", tc.entries, err, tc.want)
		}
	}
}
