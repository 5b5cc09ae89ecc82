package advisory_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rvendor/rvendor/policy/advisory"
)

func crate(name, version string) advisory.Package {
	return advisory.Package{Name: name, Version: version, Collection: advisory.CollectionCrates}
}

// lines renders findings as "ID NAME VERSION".
func lines(fs []advisory.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Advisory.ID+" "+f.Package.Name+" "+f.Package.Version)
	}
	return out
}

// TestCheckRules checks each package alone against testdata/db, one rule
// per case; vuln and info are the expected findings, as "ID NAME VERSION".
func TestCheckRules(t *testing.T) {
	db := loadTestDB(t)
	rust := func(name, version string) advisory.Package {
		return advisory.Package{Name: name, Version: version, Collection: advisory.CollectionRust}
	}
	for _, tc := range []struct {
		rule     string
		pkg      advisory.Package
		os, arch string
		vuln     []string
		info     []string
	}{
		{"vulnerable below patched", crate("alpha", "1.3.9"), "", "", []string{"RUSTSEC-2099-0001 alpha 1.3.9"}, nil},
		{"vulnerable with no unaffected list", crate("alpha", "0.1.0"), "", "", []string{"RUSTSEC-2099-0001 alpha 0.1.0"}, nil},
		{"patched", crate("alpha", "1.4.0"), "", "", nil, nil},
		{"patched build metadata", crate("alpha", "1.4.0+dfsg1"), "", "", nil, nil},
		{"name is exact", crate("Alpha", "1.0.0"), "", "", nil, nil},
		{"below the 1.2 fix", crate("beta", "1.2.2"), "", "", []string{"RUSTSEC-2099-0002 beta 1.2.2"}, nil},
		{"patched on the 1.2 branch", crate("beta", "1.2.5"), "", "", nil, nil},
		{"between the patched ranges", crate("beta", "1.3.0"), "", "", []string{"RUSTSEC-2099-0002 beta 1.3.0"}, nil},
		{"second patched range", crate("beta", "1.3.4"), "", "", nil, nil},
		{"unaffected", crate("gamma", "0.1.9"), "", "", nil, nil},
		{"above unaffected", crate("gamma", "0.2.1"), "", "", []string{"RUSTSEC-2099-0003 gamma 0.2.1"}, nil},
		{"caret 0.x is not patched below", crate("gamma", "0.3.0"), "", "", []string{"RUSTSEC-2099-0003 gamma 0.3.0"}, nil},
		{"caret 0.x patched", crate("gamma", "0.3.1"), "", "", nil, nil},
		{"unmaintained", crate("delta", "9.9.9"), "", "", nil, []string{"RUSTSEC-2099-0004 delta 9.9.9"}},
		{"unsound", crate("epsilon", "0.5.1"), "", "", nil, []string{"RUSTSEC-2099-0005 epsilon 0.5.1"}},
		{"unsound, patched", crate("epsilon", "0.5.2"), "", "", nil, nil},
		{"withdrawn", crate("zeta", "1.0.0"), "", "", nil, nil},
		{"any target", crate("eta", "1.0.0"), "", "", []string{"RUSTSEC-2099-0007 eta 1.0.0", "RUSTSEC-2099-0008 eta 1.0.0"}, nil},
		{"os and arch excluded", crate("eta", "1.0.0"), "linux", "x86_64", nil, nil},
		{"os included", crate("eta", "1.0.0"), "windows", "x86_64", []string{"RUSTSEC-2099-0007 eta 1.0.0"}, nil},
		{"arch included", crate("eta", "1.0.0"), "linux", "x86", []string{"RUSTSEC-2099-0008 eta 1.0.0"}, nil},
		{"os only given", crate("eta", "1.0.0"), "linux", "", []string{"RUSTSEC-2099-0008 eta 1.0.0"}, nil},
		{"unknown fields", crate("kappa", "1.0.0"), "linux", "x86_64", []string{"RUSTSEC-2099-0010 kappa 1.0.0"}, nil},
		{"unknown fields, other os", crate("kappa", "1.0.0"), "windows", "", nil, nil},
		{"pre-release below patched", crate("lambda", "1.0.0-alpha.5"), "", "", []string{"RUSTSEC-2099-0011 lambda 1.0.0-alpha.5"}, nil},
		{"release patched", crate("lambda", "1.0.0"), "", "", nil, nil},
		{"rust std", rust("std", "1.63.0"), "", "", []string{"CVE-2099-0001 std 1.63.0"}, nil},
		{"rust std patched", rust("std", "1.64.0"), "", "", nil, nil},
		{"rust std unaffected", rust("std", "1.49.0"), "", "", nil, nil},
		{"rust core has no advisory", rust("core", "1.63.0"), "", "", nil, nil},
		{"a crate named std", crate("std", "1.63.0"), "", "", nil, nil},
		{"a rust package named alpha", rust("alpha", "1.0.0"), "", "", nil, nil},
	} {
		r, err := db.Check([]advisory.Package{tc.pkg}, advisory.Options{OS: tc.os, Arch: tc.arch})
		if err != nil {
			t.Errorf("%s: %v", tc.rule, err)
			continue
		}
		if got := lines(r.Vulnerabilities); !slices.Equal(got, tc.vuln) {
			t.Errorf("%s: vulnerabilities %q, want %q", tc.rule, got, tc.vuln)
		}
		if got := lines(r.Informational); !slices.Equal(got, tc.info) {
			t.Errorf("%s: informational %q, want %q", tc.rule, got, tc.info)
		}
		if (r.Err() != nil) != (len(tc.vuln) > 0) || (r.Err() != nil && !errors.Is(r.Err(), advisory.ErrVulnerable)) {
			t.Errorf("%s: Err() = %v", tc.rule, r.Err())
		}
	}
}

// TestCheckReport checks a whole report: ignores by id and alias with
// their reasons, unused ignores, sorting, duplicates, Unparsed and DB.
func TestCheckReport(t *testing.T) {
	db := loadTestDB(t)
	pkgs := []advisory.Package{
		crate("theta", "2.0.0"), crate("beta", "1.3.0"), crate("alpha", "1.0.0"),
		crate("alpha", "1.0.0"), // the same package twice is checked once
		{Name: "alpha", Version: "0.10.0", Collection: advisory.CollectionCrates, Where: "b"},
		{Name: "alpha", Version: "0.9.0", Collection: advisory.CollectionCrates, Where: "a"},
		crate("delta", "1.0.0"), crate("zeta", "1.0.0"),
	}
	ignore := map[string]string{
		"CVE-2099-1234":     "theta: not reachable",   // alias of RUSTSEC-2099-0009
		"RUSTSEC-2099-0004": "delta: accepted",        // id, of an informational
		"RUSTSEC-2099-0006": "zeta: withdrawn anyway", // never a finding: unused
		"RUSTSEC-0000-0000": "stale",                  // unknown: unused
	}
	r, err := db.Check(pkgs, advisory.Options{Ignore: ignore})
	if err != nil {
		t.Fatal(err)
	}
	wantVuln := []string{"RUSTSEC-2099-0001 alpha 0.9.0", "RUSTSEC-2099-0001 alpha 0.10.0", "RUSTSEC-2099-0001 alpha 1.0.0", "RUSTSEC-2099-0002 beta 1.3.0"}
	if got := lines(r.Vulnerabilities); !slices.Equal(got, wantVuln) {
		t.Errorf("vulnerabilities %q\nwant %q", got, wantVuln)
	}
	if len(r.Informational) != 0 {
		t.Errorf("informational %q, want none (ignored)", lines(r.Informational))
	}
	if got := lines(r.Ignored); !slices.Equal(got, []string{"RUSTSEC-2099-0004 delta 1.0.0", "RUSTSEC-2099-0009 theta 2.0.0"}) {
		t.Errorf("ignored %q", got)
	} else if r.Ignored[1].Ignore != "CVE-2099-1234" || r.Ignored[1].Reason != "theta: not reachable" || r.Ignored[0].Reason != "delta: accepted" {
		t.Errorf("ignored keys and reasons: %+v", r.Ignored)
	}
	if !slices.Equal(r.UnusedIgnores, []string{"RUSTSEC-0000-0000", "RUSTSEC-2099-0006"}) {
		t.Errorf("unused ignores %q", r.UnusedIgnores)
	}
	if len(r.Unparsed) != len(db.Errors) || len(r.Unparsed) == 0 || r.Unparsed[0].File != db.Errors[0].File {
		t.Errorf("unparsed %v, want the DB's %d errors", r.Unparsed, len(db.Errors))
	}
	want := advisory.DBInfo{Root: testDB, Commit: db.Commit, CommitDate: db.CommitDate, Newest: db.Newest, Advisories: 12}
	if r.DB != want {
		t.Errorf("DB info %+v, want %+v", r.DB, want)
	}
	if err := r.Err(); !errors.Is(err, advisory.ErrVulnerable) || !strings.Contains(err.Error(), "4 finding(s), first RUSTSEC-2099-0001 in alpha 0.9.0") {
		t.Errorf("Err() = %v", err)
	}
}

func TestCheckStale(t *testing.T) {
	db := loadTestDB(t) // newest advisory: 2099-03-01
	month := 30 * 24 * time.Hour
	r, err := db.Check([]advisory.Package{crate("alpha", "1.0.0")}, advisory.Options{MaxAge: month, Now: day("2099-03-31")})
	if err != nil || len(r.Vulnerabilities) != 1 {
		t.Errorf("30 days old with a 30-day limit: %v, %v", r, err)
	}
	r, err = db.Check([]advisory.Package{crate("alpha", "1.0.0")}, advisory.Options{MaxAge: month, Now: day("2099-04-01")})
	var stale *advisory.StaleError
	if !errors.As(err, &stale) || !stale.Newest.Equal(day("2099-03-01")) || stale.MaxAge != month {
		t.Fatalf("31 days old with a 30-day limit: %v", err)
	}
	if r == nil || len(r.Vulnerabilities) != 1 {
		t.Errorf("a stale check does not return the whole report: %+v", r)
	}
	if want := "advisory database is stale: its newest advisory is from 2099-03-01, 31 days before 2099-04-01 (the limit is 30 days)"; err.Error() != want {
		t.Errorf("error %q\nwant %q", err, want)
	}
	if _, err := db.Check(nil, advisory.Options{Now: day("2200-01-01")}); err != nil {
		t.Errorf("no MaxAge: %v", err)
	}
	// Without Now, the clock is used: advisories dated in 2099 are in the
	// future, and cannot keep a database fresh.
	if _, err := db.Check(nil, advisory.Options{MaxAge: month}); !errors.As(err, &stale) {
		t.Errorf("Now unset, every advisory dated in the future: %v", err)
	}
	if _, err := (&advisory.DB{}).Check(nil, advisory.Options{MaxAge: month}); !errors.As(err, &stale) {
		t.Errorf("an empty database is not stale: %v", err)
	}
}

func TestCheckRejectsBadPackages(t *testing.T) {
	db := loadTestDB(t)
	for _, tc := range []struct {
		pkg  advisory.Package
		text string
	}{
		{advisory.Package{Name: "alpha", Version: "1.0.0"}, `collection ""`},
		{advisory.Package{Name: "alpha", Version: "1.0.0", Collection: "cargo"}, `collection "cargo"`},
		{crate("alpha", "1.0"), `version "1.0"`},
		{crate("alpha", "v1.0.0"), `version "v1.0.0"`},
	} {
		if r, err := db.Check([]advisory.Package{crate("beta", "1.0.0"), tc.pkg}, advisory.Options{}); err == nil || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%+v: %v, %v; want an error naming %s", tc.pkg, r, err, tc.text)
		}
	}
}
