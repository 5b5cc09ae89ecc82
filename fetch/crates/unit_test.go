package crates_test

import (
	"crypto/sha256"
	"testing"

	"github.com/rvendor/rvendor/fetch/crates"
	"github.com/rvendor/rvendor/tree"
)

func TestCfg(t *testing.T) {
	for _, tc := range []struct {
		key    string
		triple string
		want   bool
	}{
		{`cfg(windows)`, "x86_64-pc-windows-msvc", true},
		{`cfg(windows)`, "x86_64-unknown-linux-gnu", false},
		{`cfg(unix)`, "x86_64-unknown-linux-gnu", true},
		{`cfg(unix)`, "wasm32-unknown-unknown", false},
		{`cfg(target_os = "linux")`, "aarch64-unknown-linux-gnu", true},
		{`cfg(target_os="macos")`, "x86_64-unknown-linux-gnu", false},
		{`cfg(not(windows))`, "x86_64-unknown-linux-gnu", true},
		{`cfg(all(unix, target_env = "musl"))`, "x86_64-unknown-linux-musl", true},
		{`cfg(all(unix, target_env = "musl"))`, "x86_64-unknown-linux-gnu", false},
		{`cfg(any(target_os = "redox", target_os = "linux", ))`, "x86_64-unknown-linux-gnu", true},
		{`cfg(all(target_arch = "x86_64", target_pointer_width = "64", target_endian = "little", target_vendor = "unknown", target_family = "unix"))`, "x86_64-unknown-linux-gnu", true},
		{`cfg(target_endian = "big")`, "s390x-unknown-linux-gnu", true},
		{`cfg(all())`, "x86_64-unknown-linux-gnu", true},
		{`cfg(any())`, "x86_64-unknown-linux-gnu", false},
		{`i686-pc-windows-gnu`, "i686-pc-windows-gnu", true},
		{`x86_64-pc-windows-gnu`, "x86_64-unknown-linux-gnu", false},
		{`cfg(target_env = "")`, "x86_64-apple-darwin", true},
	} {
		c, err := crates.ParseTargetKey(tc.key)
		if err != nil {
			t.Errorf("%s: %v", tc.key, err)
			continue
		}
		tg, err := crates.LookupTarget(tc.triple)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Match(tg); got != tc.want {
			t.Errorf("%s on %s = %v, want %v", tc.key, tc.triple, got, tc.want)
		}
	}
	for _, bad := range []string{`cfg(`, `cfg(foo(bar))`, `cfg(not(a, b))`, `cfg(a = b)`, `cfg(a = "b)`, `cfg(a b)`, `has space`} {
		if _, err := crates.ParseTargetKey(bad); err == nil {
			t.Errorf("%s: parsed, want an error", bad)
		}
	}
	if _, err := crates.LookupTarget("x86_64-unknown-plan9"); err == nil {
		t.Error("unknown triple accepted")
	}
}

func TestIndexPathAndDownloadURL(t *testing.T) {
	for name, want := range map[string]string{"a": "1/a", "ab": "2/ab", "abc": "3/a/abc", "bindgen-cli": "bi/nd/bindgen-cli", "Serde": "se/rd/serde"} {
		if got := crates.IndexPath(name); got != want {
			t.Errorf("IndexPath(%s) = %s, want %s", name, got, want)
		}
	}
	sum := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, tc := range []struct{ dl, name, want string }{
		{"https://static.crates.io/crates", "bindgen", "https://static.crates.io/crates/bindgen/0.65.1/download"},
		{"https://x.org/api/v1/crates/", "bindgen", "https://x.org/api/v1/crates/bindgen/0.65.1/download"},
		{"https://static.crates.io/crates/{crate}/{crate}-{version}.crate", "bindgen", "https://static.crates.io/crates/bindgen/bindgen-0.65.1.crate"},
		{"file:///m/{prefix}/{crate}/{version}", "FooBar", "file:///m/Fo/oB/FooBar/0.65.1"},
		{"file:///m/{lowerprefix}/{crate}", "FooBar", "file:///m/fo/ob/FooBar"},
		{"file:///m/{lowerprefix}/{crate}", "Abc", "file:///m/3/a/Abc"},
		{"https://m/{sha256-checksum}", "x", "https://m/" + sum},
	} {
		if got := crates.DownloadURL(tc.dl, tc.name, "0.65.1", sum); got != tc.want {
			t.Errorf("DownloadURL(%s, %s) = %s, want %s", tc.dl, tc.name, got, tc.want)
		}
	}
}

func TestMarshalChecksum(t *testing.T) {
	f := func(p, content string) tree.File {
		return tree.File{Path: p, Size: int64(len(content)), SHA256: sha256.Sum256([]byte(content))}
	}
	got := string(crates.MarshalChecksum([]tree.File{f("src/lib.rs", ""), f("Cargo.toml", "x"), f("a\"b\\c\td\x01<>&\u2028é", "")}, "ff"))
	want := `{"files":{"Cargo.toml":"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",` +
		`"a\"b\\c\td\u0001<>&` + "\u2028é" + `":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",` +
		`"src/lib.rs":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},"package":"ff"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestParseLockfile(t *testing.T) {
	l, err := crates.ParseLockfile([]byte(`
[[package]]
name = "a"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["b"]

[[package]]
name = "b"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum a 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "aa"
`))
	if err != nil {
		t.Fatal(err)
	}
	if p := l.Find("a", "1.0.0"); p == nil || p.Checksum != "aa" {
		t.Errorf("v1 metadata checksum not read: %+v", p)
	}
	if _, err := crates.ParseLockfile([]byte("version = 9\n[[package]]\nname=\"a\"\nversion=\"1.0.0\"\n")); err == nil {
		t.Error("version 9 accepted")
	}
}

func TestStubManifest(t *testing.T) {
	out, err := crates.StubManifest([]byte(`[package]
name = "winapi"
version = "0.3.9"
build = "build.rs"
links = "winapi"
include = ["src/**"]

[lib]
path = "src/winapi.rs"

[[bin]]
name = "x"

[features]
consoleapi = []

[target.i686-pc-windows-gnu.dependencies.winapi-i686-pc-windows-gnu]
version = "0.4"
`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := crates.ParseManifest(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if m.Name != "winapi" || len(m.Deps) != 1 || m.Deps[0].Package != "winapi-i686-pc-windows-gnu" {
		t.Errorf("stub lost its package or dependencies:\n%s", out)
	}
	for _, gone := range []string{"build.rs", "links", "include", "[lib]", "[[bin]]"} {
		if contains(string(out), gone) {
			t.Errorf("stub still has %s:\n%s", gone, out)
		}
	}
	if !contains(string(out), "consoleapi") {
		t.Errorf("stub lost its features:\n%s", out)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
