package audit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rvendor/rvendor/policy/license"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

func pkg(t *testing.T, id, comp, role, declared string) *Package {
	t.Helper()
	p := &Package{ID: id, Component: comp, Name: id, Role: role, Declared: declared, DeclaredIn: "Cargo.toml"}
	if strings.Contains(id, "@") {
		p.Crate = true
		p.Name, p.Version, _ = strings.Cut(strings.TrimPrefix(id, comp+"/"), "@")
	}
	e, _, err := license.ParseDeclared(declared)
	if err != nil {
		p.DeclaredError = err.Error()
		return p
	}
	p.expr, p.Concluded, p.ConcludedFrom = e, e.String(), "declared"
	return p
}

// TestCheckRules: allowlists by satisfaction, per-role tables, exceptions
// (used and unused, by crate name or name@version, whole component),
// invalid and unknown licenses, strict ids.
func TestCheckRules(t *testing.T) {
	rep := &Report{Packages: []*Package{
		pkg(t, "lib", "lib", vendorspec.RoleBuiltIn, "MIT OR Apache-2.0"),
		pkg(t, "gpl", "gpl", vendorspec.RoleBuiltIn, "GPL-2.0-only"),
		pkg(t, "b/a@1.0.0", "b", vendorspec.RoleHostTool, "Apache-2.0"),
		pkg(t, "b/z@2.0.0", "b", vendorspec.RoleHostTool, "Zlib AND MIT"),
		pkg(t, "b/bad@1.0.0", "b", vendorspec.RoleHostTool, "MIT AND"),
	}}
	rep.Packages = append(rep.Packages, &Package{ID: "b/none@1.0.0", Component: "b", Name: "none", Version: "1.0.0", Crate: true, Role: vendorspec.RoleHostTool})
	pol := &vendorspec.Licenses{
		Rules: vendorspec.LicenseRules{Allow: []string{"MIT", "GPL-2.0"}},
		Roles: map[string]*vendorspec.LicenseRules{vendorspec.RoleHostTool: {Allow: []string{"MIT", "Apache-2.0"}}},
		Exceptions: []*vendorspec.LicenseException{
			{Component: "b", Crate: "z@2.0.0", License: "MIT AND Zlib", Reason: "zlib tables"},
			{Component: "b", Crate: "a", License: "MIT", Reason: "wrong license: unused"},
		},
	}
	got, err := Check(rep, pol, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"lib":          Pass,     // MIT satisfies the OR
		"gpl":          Fail,     // GPL-2.0 is not GPL-2.0-only
		"b/a@1.0.0":    Pass,     // the host-tool table allows it
		"b/z@2.0.0":    Excepted, // Zlib is not allowed; the exception names an equivalent expression
		"b/bad@1.0.0":  Fail,     // license-invalid
		"b/none@1.0.0": Fail,     // license-unknown
	}
	rules := map[string]string{"gpl": RuleAllow, "b/bad@1.0.0": RuleInvalid, "b/none@1.0.0": RuleUnknown}
	for _, v := range got.Verdicts {
		if v.Result != want[v.ID] {
			t.Errorf("%s: %s, want %s (%+v)", v.ID, v.Result, want[v.ID], v.Findings)
		}
		if r := rules[v.ID]; r != "" && (len(v.Findings) == 0 || v.Findings[0].Rule != r || v.Findings[0].Fix == "") {
			t.Errorf("%s: findings %+v, want rule %s with a fix", v.ID, v.Findings, r)
		}
	}
	if got.Failed != 3 || got.OK() {
		t.Errorf("failed %d", got.Failed)
	}
	if len(got.UnusedExceptions) != 1 || !strings.HasPrefix(got.UnusedExceptions[0], "b/a (MIT)") {
		t.Errorf("unused exceptions %v", got.UnusedExceptions)
	}
	// Kernel mode without LICENSES/ is refused, not passed.
	if _, err := Check(rep, &vendorspec.Licenses{Rules: vendorspec.LicenseRules{Kernel: true}}, nil); err == nil || !strings.Contains(err.Error(), "LICENSES/") {
		t.Errorf("kernel mode with no LICENSES/: %v", err)
	}
}

// TestExceptionNeverCoversIntegrity: an exception lets a license through,
// never a stale clarification or a drifted license file.
func TestExceptionNeverCoversIntegrity(t *testing.T) {
	p := pkg(t, "c", "c", vendorspec.RoleBuiltIn, "Zlib")
	p.Files = []*LicenseFile{{Path: "LICENSE", Error: "clarification is stale: ..."}}
	pol := &vendorspec.Licenses{Rules: vendorspec.LicenseRules{Allow: []string{"MIT"}},
		Exceptions: []*vendorspec.LicenseException{{Component: "c", License: "Zlib", Reason: "r"}}}
	got, err := Check(&Report{Packages: []*Package{p}}, pol, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v := got.Verdicts[0]; v.Result != Fail || v.Exception != "" {
		t.Errorf("verdict %+v", v)
	}
	p.Files[0].Error = ""
	got, _ = Check(&Report{Packages: []*Package{p}}, pol, nil)
	if v := got.Verdicts[0]; v.Result != Excepted || v.Exception != "r" {
		t.Errorf("without the stale clarification: %+v", v)
	}
}

// TestValidatePolicy: expressions go-spdx accepts and the strict parser
// refuses are reported at their place, with the canonical spelling.
func TestValidatePolicy(t *testing.T) {
	src := "version = 1\n[policy.licenses]\nallow = [\"mit\"]\n[[component]]\nname = \"a\"\nkind = \"archive\"\nversion = \"1\"\nurl = \"https://x/a.tar.gz\"\nsha256 = \"" + strings.Repeat("a", 64) + "\"\ndest = \"d\"\nspdx-header = \"mit OR apache-2.0\"\n"
	spec, err := vendorspec.Parse("rvendor.toml", []byte(src))
	if err != nil {
		t.Skipf("the spec parser refuses it already: %v", err)
	}
	err = ValidatePolicy(spec)
	var list vendorspec.ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("got %v", err)
	}
	if list[0].Pos.Line != 3 || !strings.Contains(list[0].Hint, `"MIT"`) || list[1].Pos.Line != 11 || !strings.Contains(list[1].Hint, `"MIT OR Apache-2.0"`) {
		t.Errorf("errors %v (hints %q, %q)", list, list[0].Hint, list[1].Hint)
	}
}

// TestUnreadableAdvisoryFails: an advisory file that cannot be parsed and
// concerns a vendored crate fails the check (what it says was not
// checked); one about another crate does not; an unreadable crates/
// folder stops the check.
func TestUnreadableAdvisoryFails(t *testing.T) {
	db := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(db, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(db, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("crates/shlex/RUSTSEC-2024-0006.md", "```toml\n[advisory]\nid = \"RUSTSEC-2024-0006\"\npackage = \"shlex\"\ndate = \"2024-01-21\"\n[versions]\npatched = [{ new = \"shape\" }]\n```\n# Title\n")
	write("crates/other/RUSTSEC-2024-0007.md", "not an advisory\n")
	lock := &vendorspec.Lock{Components: []*vendorspec.LockedComponent{{Name: "b", Kind: vendorspec.KindCrate, Version: "1", Crates: []vendorspec.LockedCrate{{Name: "shlex", Version: "1.1.0"}}}}}
	spec := &vendorspec.Spec{Dir: db}
	rep, err := CheckAdvisories(spec, lock, db, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Failed() || len(rep.Unreadable) != 1 || !strings.HasPrefix(rep.Unreadable[0], "crates/shlex/") {
		t.Errorf("unreadable %v, failed %v", rep.Unreadable, rep.Failed())
	}
	if err := os.RemoveAll(filepath.Join(db, "crates")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(t.TempDir(), filepath.Join(db, "crates")); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckAdvisories(spec, lock, db, time.Now()); err == nil || !strings.Contains(err.Error(), "crates/ folder cannot be read") {
		t.Errorf("a crates/ folder that is a link: %v", err)
	}
}
