package advisory_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rvendor/rvendor/policy/advisory"
)

const testDB = "testdata/db"

func loadTestDB(t testing.TB) *advisory.DB {
	t.Helper()
	db, err := advisory.Load(testDB)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func ids(as []*advisory.Advisory) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func byID(t *testing.T, db *advisory.DB, id string) *advisory.Advisory {
	t.Helper()
	for _, a := range db.Advisories {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("advisory %s not loaded", id)
	return nil
}

// TestLoadTestdata reads testdata/db: one advisory per rule, the broken
// files reported with their reason, and the snapshot's commit.
func TestLoadTestdata(t *testing.T) {
	db := loadTestDB(t)
	want := []string{"CVE-2099-0001", "RUSTSEC-2099-0001", "RUSTSEC-2099-0002", "RUSTSEC-2099-0003",
		"RUSTSEC-2099-0004", "RUSTSEC-2099-0005", "RUSTSEC-2099-0006", "RUSTSEC-2099-0007",
		"RUSTSEC-2099-0008", "RUSTSEC-2099-0009", "RUSTSEC-2099-0010", "RUSTSEC-2099-0011"}
	if got := ids(db.Advisories); !slices.Equal(got, want) {
		t.Errorf("advisories %q\nwant %q", got, want)
	}
	wantErrs := []struct{ file, text string }{
		{"crates/broken-date/RUSTSEC-2099-0103.md", `date "01/02/2099" is not a YYYY-MM-DD date`},
		{"crates/broken-fence/RUSTSEC-2099-0106.md", "no ```toml front matter"},
		{"crates/broken-folder/RUSTSEC-2099-0104.md", `package "alpha" is not the folder's name "broken-folder"`},
		{"crates/broken-name/RUSTSEC-2099-0105.md", `id "RUSTSEC-2099-0999" does not match the file name`},
		{"crates/broken-patched/RUSTSEC-2099-0102.md", "[versions] patched is missing"},
		{"crates/broken-req/RUSTSEC-2099-0101.md", `version requirement ">= 1.0.0 < 2.0.0"`},
		{"crates/broken-toml/RUSTSEC-2099-0100.md", "front matter:"},
	}
	if len(db.Errors) != len(wantErrs) {
		t.Errorf("%d load errors, want %d: %v", len(db.Errors), len(wantErrs), db.Errors)
	}
	for i, w := range wantErrs {
		if i >= len(db.Errors) {
			break
		}
		e := db.Errors[i]
		if e.File != w.file || !strings.Contains(e.Error(), w.text) || !strings.HasPrefix(e.Error(), w.file+": ") {
			t.Errorf("load error %d: %q, want %s: ...%s...", i, e.Error(), w.file, w.text)
		}
	}
	if db.Commit != "0123456789abcdef0123456789abcdef01234567" || !db.CommitDate.Equal(day("2099-03-01")) {
		t.Errorf("commit %q of %v, want the SNAPSHOT.txt line's", db.Commit, db.CommitDate)
	}
	if !db.Newest.Equal(day("2099-03-01")) {
		t.Errorf("newest %v, want 2099-03-01", db.Newest)
	}
}

// TestLoadFields checks that each front matter field lands in its
// Advisory field.
func TestLoadFields(t *testing.T) {
	db := loadTestDB(t)
	a := byID(t, db, "RUSTSEC-2099-0001")
	if a.Package != "alpha" || a.URL != "https://example.com/alpha/1" || !a.Date.Equal(day("2099-01-01")) ||
		!slices.Equal(a.Categories, []string{"memory-corruption"}) || !slices.Equal(a.Keywords, []string{"overflow"}) ||
		a.CVSS != "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" || a.Informational != "" || a.IsWithdrawn() ||
		a.Title != "Rule: vulnerable" || !strings.HasPrefix(a.Description, "Every version of `alpha` below 1.4.0") ||
		a.Collection != advisory.CollectionCrates || a.File != "crates/alpha/RUSTSEC-2099-0001.md" ||
		len(a.Patched) != 1 || a.Patched[0].String() != ">=1.4.0" || a.Unaffected != nil {
		t.Errorf("RUSTSEC-2099-0001 read as %+v", a)
	}
	theta := byID(t, db, "RUSTSEC-2099-0009")
	if !slices.Equal(theta.Aliases, []string{"CVE-2099-1234", "GHSA-aaaa-bbbb-cccc"}) || !slices.Equal(theta.Related, []string{"CVE-2099-9999"}) {
		t.Errorf("theta's aliases %q, related %q", theta.Aliases, theta.Related)
	}
	if eps := byID(t, db, "RUSTSEC-2099-0005"); eps.Informational != advisory.Unsound ||
		len(eps.Functions["epsilon::Cell::get"]) != 1 || eps.Functions["epsilon::Cell::get"][0].String() != "<0.5.2" {
		t.Errorf("epsilon: informational %q, functions %v", eps.Informational, eps.Functions)
	}
	if d := byID(t, db, "RUSTSEC-2099-0004"); d.Informational != advisory.Unmaintained || d.Patched != nil {
		t.Errorf("delta: informational %q, patched %v", d.Informational, d.Patched)
	}
	if z := byID(t, db, "RUSTSEC-2099-0006"); !z.Withdrawn.Equal(day("2099-02-01")) {
		t.Errorf("zeta withdrawn %v", z.Withdrawn)
	}
	if e := byID(t, db, "RUSTSEC-2099-0007"); !slices.Equal(e.OS, []string{"windows"}) || e.Arch != nil {
		t.Errorf("eta 7: os %q arch %q", e.OS, e.Arch)
	}
	if e := byID(t, db, "RUSTSEC-2099-0008"); !slices.Equal(e.Arch, []string{"x86", "arm"}) || e.OS != nil {
		t.Errorf("eta 8: os %q arch %q", e.OS, e.Arch)
	}
	k := byID(t, db, "RUSTSEC-2099-0010") // unknown fields everywhere
	if !slices.Equal(k.References, []string{"https://example.com/kappa"}) || k.License != "CC0-1.0" ||
		!slices.Equal(k.OS, []string{"linux"}) || len(k.Patched) != 1 || k.Patched[0].String() != ">=1.0.1" {
		t.Errorf("kappa read as %+v", k)
	}
	std := byID(t, db, "CVE-2099-0001")
	if std.Collection != advisory.CollectionRust || std.Package != "std" || std.File != "rust/std/CVE-2099-0001.md" ||
		!slices.Equal(std.Names(), []string{"CVE-2099-0001", "GHSA-dddd-eeee-ffff"}) {
		t.Errorf("std advisory read as %+v", std)
	}
}

func TestParseAdvisoryForms(t *testing.T) {
	const front = "```toml\n[advisory]\nid = \"X-1\"\npackage = \"p\"\ndate = %s\n[versions]\npatched = []\n```\n"
	for _, tc := range []struct {
		name, data, title, desc string
	}{
		{"TOML local date", strings.Replace(front, "%s", "2020-02-29", 1) + "# T\nD\n", "T", "D"},
		{"CRLF and blank lines first", strings.ReplaceAll("\n\n"+strings.Replace(front, "%s", `"2020-02-29"`, 1)+"# T\n\nD1\nD2\n", "\n", "\r\n"), "T", "D1\nD2"},
		{"no title heading", strings.Replace(front, "%s", `"2020-02-29"`, 1) + "Just text.\n", "", "Just text."},
		{"title in the front matter (first schema)", strings.Replace(strings.Replace(front, "%s", `"2020-02-29"`, 1), "[versions]", "title = \"Old T\"\ndescription = \"Old D\"\n[versions]", 1), "Old T", "Old D"},
		{"fence at the end of the file", strings.TrimSuffix(strings.Replace(front, "%s", `"2020-02-29"`, 1), "\n"), "", ""},
	} {
		a, err := advisory.ParseAdvisory([]byte(tc.data))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !a.Date.Equal(day("2020-02-29")) || a.Title != tc.title || a.Description != tc.desc {
			t.Errorf("%s: date %v, title %q, description %q; want %q, %q", tc.name, a.Date, a.Title, a.Description, tc.title, tc.desc)
		}
	}
	for name, data := range map[string]string{
		"unclosed fence":    "```toml\n[advisory]\nid = \"X\"\n",
		"no id":             "```toml\n[advisory]\npackage = \"p\"\ndate = \"2020-01-01\"\n[versions]\npatched = []\n```\n",
		"no package":        "```toml\n[advisory]\nid = \"X\"\ndate = \"2020-01-01\"\n[versions]\npatched = []\n```\n",
		"no date":           "```toml\n[advisory]\nid = \"X\"\npackage = \"p\"\n[versions]\npatched = []\n```\n",
		"bad withdrawn":     "```toml\n[advisory]\nid = \"X\"\npackage = \"p\"\ndate = \"2020-01-01\"\nwithdrawn = \"soon\"\n[versions]\npatched = []\n```\n",
		"date not a string": "```toml\n[advisory]\nid = \"X\"\npackage = \"p\"\ndate = 2020\n[versions]\npatched = []\n```\n",
		"bad unaffected":    "```toml\n[advisory]\nid = \"X\"\npackage = \"p\"\ndate = \"2020-01-01\"\n[versions]\npatched = []\nunaffected = [\"<\"]\n```\n",
		"bad function req":  "```toml\n[advisory]\nid = \"X\"\npackage = \"p\"\ndate = \"2020-01-01\"\n[affected.functions]\n\"p::f\" = [\"1.2.3.4\"]\n[versions]\npatched = []\n```\n",
		"wrong type":        "```toml\n[advisory]\nid = \"X\"\npackage = \"p\"\ndate = \"2020-01-01\"\naliases = \"CVE-1\"\n[versions]\npatched = []\n```\n",
		"yaml front matter": "---\nid: X\n---\n",
	} {
		if a, err := advisory.ParseAdvisory([]byte(data)); err == nil {
			t.Errorf("%s: accepted as %+v", name, a)
		}
	}
}

// copyAdvisory writes testdata's alpha advisory to root/rel with its id
// and package replaced.
func copyAdvisory(t *testing.T, root, rel, id, pkg string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testDB, "crates/alpha/RUSTSEC-2099-0001.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(strings.Replace(string(data), "RUSTSEC-2099-0001", id, 1), `package = "alpha"`, `package = "`+pkg+`"`, 1)
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadRefusesHostileFiles builds a database with a symlinked advisory,
// a FIFO, a folder named like an advisory, a symlinked package folder, an
// oversized file and a duplicate id: each is a LoadError, nothing blocks,
// and the good advisory is still loaded.
func TestLoadRefusesHostileFiles(t *testing.T) {
	root := t.TempDir()
	copyAdvisory(t, root, "crates/good/RUSTSEC-2099-0001.md", "RUSTSEC-2099-0001", "good")
	copyAdvisory(t, root, "rust/good/RUSTSEC-2099-0001.md", "RUSTSEC-2099-0001", "good")
	outside := t.TempDir()
	copyAdvisory(t, outside, "RUSTSEC-2099-0002.md", "RUSTSEC-2099-0002", "link")
	copyAdvisory(t, outside, "pkg/RUSTSEC-2099-0003.md", "RUSTSEC-2099-0003", "linkdir")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "crates/link"), 0o755))
	must(os.Symlink(filepath.Join(outside, "RUSTSEC-2099-0002.md"), filepath.Join(root, "crates/link/RUSTSEC-2099-0002.md")))
	must(os.Symlink(filepath.Join(outside, "pkg"), filepath.Join(root, "crates/linkdir")))
	must(os.MkdirAll(filepath.Join(root, "crates/fifo"), 0o755))
	must(syscall.Mkfifo(filepath.Join(root, "crates/fifo/RUSTSEC-2099-0004.md"), 0o644))
	must(os.MkdirAll(filepath.Join(root, "crates/dir/RUSTSEC-2099-0005.md"), 0o755))
	copyAdvisory(t, root, "crates/big/RUSTSEC-2099-0006.md", "RUSTSEC-2099-0006", "big")
	f, err := os.OpenFile(filepath.Join(root, "crates/big/RUSTSEC-2099-0006.md"), os.O_APPEND|os.O_WRONLY, 0)
	must(err)
	_, err = f.Write(make([]byte, advisory.MaxAdvisoryFile))
	must(err)
	must(f.Close())

	db, err := advisory.Load(root)
	must(err)
	if got := ids(db.Advisories); !slices.Equal(got, []string{"RUSTSEC-2099-0001"}) || db.Advisories[0].File != "crates/good/RUSTSEC-2099-0001.md" {
		t.Errorf("loaded %q (first from %s), want only crates/good's RUSTSEC-2099-0001", got, db.Advisories[0].File)
	}
	want := map[string]string{
		"crates/big/RUSTSEC-2099-0006.md":  "file too large",
		"crates/dir/RUSTSEC-2099-0005.md":  "not a regular file",
		"crates/fifo/RUSTSEC-2099-0004.md": "not a regular file",
		"crates/link/RUSTSEC-2099-0002.md": "not a regular file",
		"crates/linkdir":                   "not a package folder",
		"rust/good/RUSTSEC-2099-0001.md":   "id RUSTSEC-2099-0001 is already used by crates/good/RUSTSEC-2099-0001.md",
	}
	for _, e := range db.Errors {
		if w, ok := want[e.File]; !ok || !strings.Contains(e.Err.Error(), w) {
			t.Errorf("unexpected load error %v", &e)
		}
		delete(want, e.File)
	}
	for f, w := range want {
		t.Errorf("no load error for %s (%s)", f, w)
	}
	for _, e := range db.Errors {
		if e.File == "crates/big/RUSTSEC-2099-0006.md" && !errors.Is(&e, advisory.ErrTooLarge) {
			t.Errorf("the oversized file's error %v does not wrap ErrTooLarge", e.Err)
		}
	}
}

func TestLoadRoot(t *testing.T) {
	if _, err := advisory.Load(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing root: %v", err)
	}
	if _, err := advisory.Load(filepath.Join(testDB, "SNAPSHOT.txt")); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("a file as root: %v", err)
	}
	if _, err := advisory.Load(t.TempDir()); !errors.Is(err, advisory.ErrNotDatabase) {
		t.Errorf("empty root: %v", err)
	}
	// A rust/ folder alone is a database, with no snapshot: no commit.
	root := t.TempDir()
	copyAdvisory(t, root, "rust/std/RUSTSEC-2099-0001.md", "RUSTSEC-2099-0001", "std")
	db, err := advisory.Load(root)
	if err != nil || len(db.Advisories) != 1 || db.Commit != "" || !db.CommitDate.IsZero() {
		t.Errorf("rust/ only: %+v, %v", db, err)
	}
}
