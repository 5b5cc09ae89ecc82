package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/cmd/internal/cli"
	"github.com/rvendor/rvendor/verify"
)

// TestPrintVerifyNames covers verify's text report: a crate component's
// files are named by crate and version (issue #9), and hostile names are
// quoted so that none forges a line (issue #10 item 9).
func TestPrintVerifyNames(t *testing.T) {
	evil := "evil.rs\ndemo: clean (everything fine)"
	c := &verify.ComponentReport{Name: "bindgen", Dest: "rust/vendor/crates", Status: verify.StatusDrift,
		Hint:     "files differ",
		Patches:  []string{"0001-fix.patch"},
		Patched:  []verify.PatchedFile{{Path: "memchr/src/memchr.rs", Patches: []string{"0001-fix.patch"}}},
		Modified: []string{"Cargo.lock", "memchr/src/lib.rs"},
		Added:    []string{"libc-0.2.1/" + evil, " lead.rs"}, // a space inside a path is visible
		Deleted:  []string{"memchr/" + evil},
		Mode:     []verify.ModeChange{{Path: "memchr/build.rs", Want: "0644", Got: "0755"}},
		Type:     []verify.TypeChange{{Path: "x\x1b[2K", Want: "none", Got: "symlink"}},
		CrateFiles: []verify.CrateFile{
			{Path: "libc-0.2.1/" + evil, Crate: "libc", Version: "0.2.1", Dir: "libc-0.2.1", File: evil},
			{Path: "memchr/build.rs", Crate: "memchr", Version: "2.5.0", Dir: "memchr", File: "build.rs"},
			{Path: "memchr/" + evil, Crate: "memchr", Version: "2.5.0", Dir: "memchr", File: evil},
			{Path: "memchr/src/lib.rs", Crate: "memchr", Version: "2.5.0", Dir: "memchr", File: "src/lib.rs"},
			{Path: "memchr/src/memchr.rs", Crate: "memchr", Version: "2.5.0", Dir: "memchr", File: "src/memchr.rs"},
		},
	}
	var out bytes.Buffer
	cli.PrintVerify(&out, false, &verify.Report{Components: []*verify.ComponentReport{c}})
	want := `bindgen: drift (rust/vendor/crates, 1 patch)
  patched       crate memchr 2.5.0: src/memchr.rs (rust/vendor/crates/memchr/src/memchr.rs; 0001-fix.patch)
  modified      rust/vendor/crates/Cargo.lock
  modified      crate memchr 2.5.0: src/lib.rs (rust/vendor/crates/memchr/src/lib.rs)
  added         crate libc 0.2.1: "evil.rs\ndemo: clean (everything fine)" ("rust/vendor/crates/libc-0.2.1/evil.rs\ndemo: clean (everything fine)")
  added         rust/vendor/crates/ lead.rs
  deleted       crate memchr 2.5.0: "evil.rs\ndemo: clean (everything fine)" ("rust/vendor/crates/memchr/evil.rs\ndemo: clean (everything fine)")
  mode          crate memchr 2.5.0: build.rs (rust/vendor/crates/memchr/build.rs; 0755, want 0644)
  type          "rust/vendor/crates/x\x1b[2K" (symlink, want none)
  hint: files differ
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestPrintTreeQuotes: values of rvendor tree that come from upstream
// (crate names, versions, licenses, patch names) are quoted where
// printing them raw could mislead.
func TestPrintTreeQuotes(t *testing.T) {
	comps := []treeComponent{{Name: "bindgen", Kind: "crate", Version: "0.65.1", Dest: "rust/vendor/crates", Vendored: true,
		License: "BSD-3-Clause", Files: 2, Bytes: 10, Tree: "h1:x", Upstream: "h1:x",
		Patches: []treePatch{{Name: "0001-a\nbindgen: crate 0.65.1 in x.patch", Files: []string{"a"}}},
		Crates: []treeCrate{
			{Name: "memchr", Version: "2.5.0", License: "MIT", Dir: "memchr"},
			{Name: "evil\nok", Version: "1.0.0 ", License: "MIT\x1b[8m", Dir: "evil-1.0.0"},
		},
	}}
	var out bytes.Buffer
	printTree(&globalOptions{stdout: &out}, &treeOptions{Crates: true}, comps)
	got := out.String()
	for _, want := range []string{
		"\n  patches \"0001-a\\nbindgen: crate 0.65.1 in x.patch\" (1 files)\n",
		"\n  crates  2 crates: MIT x1; \"MIT\\x1b[8m\" x1\n",
		"\n    memchr 2.5.0  MIT  memchr\n",
		"\n    \"evil\\nok\" \"1.0.0 \"  \"MIT\\x1b[8m\"  evil-1.0.0\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "\n") != 7 || strings.Contains(got, "\x1b") {
		t.Errorf("a name broke a line or kept an escape:\n%s", got)
	}
}
