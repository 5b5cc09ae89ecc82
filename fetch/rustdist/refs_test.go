package rustdist_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/fetch/rustdist"
	"github.com/rvendor/rvendor/internal/realdata"
)

// TestFollowRefsRust163 runs FollowRefs over Debian's real library/ of Rust
// 1.63: core and alloc need exactly stdarch's core_arch and
// portable-simd's core_simd.
func TestFollowRefsRust163(t *testing.T) {
	lib := realdata.RustSrc163(t)
	refs, err := rustdist.FollowRefs(filepath.Dir(lib), []string{"library/core", "library/alloc"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		t.Log(r)
	}
	want := []string{"library/portable-simd/crates/core_simd", "library/stdarch/crates/core_arch"}
	if got := rustdist.Subtrees(refs); !reflect.DeepEqual(got, want) {
		t.Errorf("Subtrees = %q, want %q", got, want)
	}
	var resolved []string
	var unresolved int
	for _, r := range refs {
		if r.Unresolved != "" {
			unresolved++
			continue
		}
		resolved = append(resolved, r.String())
	}
	wantRefs := []string{
		`library/core/src/lib.rs:358: #[path = "../../stdarch/crates/core_arch/src/mod.rs"] needs library/stdarch/crates/core_arch/src/mod.rs (add library/stdarch/crates/core_arch)`,
		`library/core/src/lib.rs:373: include_str!("../../stdarch/crates/core_arch/src/core_arch_docs.md") needs library/stdarch/crates/core_arch/src/core_arch_docs.md (add library/stdarch/crates/core_arch)`,
		`library/core/src/lib.rs:412: #[path = "../../portable-simd/crates/core_simd/src/mod.rs"] needs library/portable-simd/crates/core_simd/src/mod.rs (add library/portable-simd/crates/core_simd)`,
		`library/core/src/lib.rs:418: include_str!("../../portable-simd/crates/core_simd/src/core_simd_docs.md") needs library/portable-simd/crates/core_simd/src/core_simd_docs.md (add library/portable-simd/crates/core_simd)`,
	}
	if !reflect.DeepEqual(resolved, wantRefs) {
		t.Errorf("resolved refs:\n%s\nwant:\n%s", strings.Join(resolved, "\n"), strings.Join(wantRefs, "\n"))
	}
	// core/src/ffi/mod.rs: include_str!($Docfile) inside a macro.
	if unresolved != 1 {
		t.Errorf("%d unresolved refs, want 1 (ffi/mod.rs include_str!($Docfile))", unresolved)
	}

	// With the two crates added, nothing more is needed.
	refs, err = rustdist.FollowRefs(filepath.Dir(lib), append([]string{"library/core", "library/alloc"}, want...))
	if err != nil {
		t.Fatal(err)
	}
	if got := rustdist.Subtrees(refs); len(got) != 0 {
		t.Errorf("after adding them, still needs %q", got)
	}
}

func TestFollowRefsRules(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("lib/a/Cargo.toml", "")
	write("lib/a/src/lib.rs", `
// #[path = "../../nope.rs"] in a comment is ignored
/* nested /* block */ include!("../../nope2.rs") */
const S: &str = "include!(\"../../nope3.rs\")";
const R: &str = r#"#[path = "x"] mod q;"#;
#[cfg_attr(unix, path = "../../b/src/unix.rs")]
#[cfg_attr(not(unix), path = "../../b/src/other.rs")]
mod sys;
mod inl {
    #[path = "deep.rs"]
    mod deep;
}
include!(concat!(env!("OUT_DIR"), "/gen.rs"));
fn f<'a>(x: &'a str) -> char { 'x' }
`)
	write("lib/a/src/inl/deep.rs", "")
	write("lib/a/src/other.rs", `
mod m {
    #[path = "w.rs"]
    mod w;
}
#[path = "../../c/x.rs"] pub(crate) mod x;
`)
	write("lib/a/src/other/m/w.rs", "")
	write("lib/b/Cargo.toml", "")
	write("lib/b/src/unix.rs", `const D: &[u8] = include_bytes!("../../c/data.bin");`)
	write("lib/b/src/other.rs", "")
	write("lib/c/x.rs", "")
	write("lib/c/data.bin", "")

	refs, err := rustdist.FollowRefs(dir, []string{"lib/a"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range refs {
		got = append(got, r.String())
	}
	want := []string{
		`lib/a/src/lib.rs:6: #[path = "../../b/src/unix.rs"] needs lib/b/src/unix.rs (add lib/b)`,
		`lib/a/src/lib.rs:7: #[path = "../../b/src/other.rs"] needs lib/b/src/other.rs (add lib/b)`,
		`lib/a/src/lib.rs:13: include!(…): not followed: argument is concat!(…), not a string literal`,
		`lib/a/src/other.rs:6: #[path = "../../c/x.rs"] needs lib/c/x.rs (add lib/c)`,
		`lib/b/src/unix.rs:1: include_bytes!("../../c/data.bin") needs lib/c/data.bin (add lib/c)`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("refs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A reference to a missing file is an error naming file:line.
	write("lib/a/src/bad.rs", "\n#[doc = include_str!(\"missing.md\")]\nfn f() {}\n")
	_, err = rustdist.FollowRefs(dir, []string{"lib/a"})
	var me *rustdist.MissingError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), `lib/a/src/bad.rs:2: include_str!("missing.md"): lib/a/src/missing.md does not exist`) {
		t.Errorf("err = %v, want a MissingError for bad.rs:2", err)
	}
}

// TestFollowRefsRust196 runs FollowRefs over Debian's library/ of Rust
// 1.96: core and alloc still need core_arch and core_simd.
func TestFollowRefsRust196(t *testing.T) {
	lib := realdata.RustWebSrc196(t)
	refs, err := rustdist.FollowRefs(filepath.Dir(lib), []string{"library/core", "library/alloc"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		t.Log(r)
	}
	want := []string{"library/portable-simd/crates/core_simd", "library/stdarch/crates/core_arch"}
	if got := rustdist.Subtrees(refs); !reflect.DeepEqual(got, want) {
		t.Errorf("Subtrees = %q, want %q", got, want)
	}
}
