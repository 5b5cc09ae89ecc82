package crates_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"

	"github.com/rvendor/rvendor/fetch/crates"
)

// The seeds of these targets, in testdata/fuzz, are real files: Cargo.lock
// files of versions 3 and 4 and of the old format without a version (from
// Debian's Rust 1.96 sources and the sandbox test's crate), and the
// Cargo.toml of Debian-packaged crates of the bindgen closure the crate
// tests vendor, several with [target.'cfg(...)'] tables.

// FuzzParseCargoLock parses arbitrary bytes as a Cargo.lock. It checks
// that an accepted lock has at least one package, each with a name and a
// version, none listed twice, a version of 0 to 4, and Find finds each;
// and that the lock written back in version 3 form (checksums inline)
// parses to the same packages.
func FuzzParseCargoLock(f *testing.F) {
	f.Add([]byte("[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\ndependencies = [\"b\"]\n\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[metadata]\n\"checksum a 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\" = \"aa\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := crates.ParseLockfile(data)
		if err != nil {
			if !strings.Contains(err.Error(), "Cargo.lock") {
				t.Errorf("error %q does not say it is about Cargo.lock", err)
			}
			return
		}
		if len(l.Packages) == 0 || l.Version > 4 {
			t.Errorf("lock version %d with %d packages accepted", l.Version, len(l.Packages))
		}
		seen := map[string]bool{}
		for _, p := range l.Packages {
			key := p.ID() + " " + p.Source
			if p.Name == "" || p.Version == "" || seen[key] {
				t.Errorf("package %q accepted (no name or version, or twice)", key)
			}
			seen[key] = true
			if q := l.Find(p.Name, p.Version); q == nil || q.Name != p.Name || q.Version != p.Version {
				t.Errorf("Find(%q, %q) = %+v", p.Name, p.Version, q)
			}
		}
		type pkg struct {
			Name         string   `toml:"name"`
			Version      string   `toml:"version"`
			Source       string   `toml:"source,omitempty"`
			Checksum     string   `toml:"checksum,omitempty"`
			Dependencies []string `toml:"dependencies,omitempty"`
		}
		out := struct {
			Version  int   `toml:"version,omitempty"`
			Packages []pkg `toml:"package"`
		}{Version: l.Version}
		for _, p := range l.Packages {
			out.Packages = append(out.Packages, pkg{p.Name, p.Version, p.Source, p.Checksum, p.Dependencies})
		}
		b, err := toml.Marshal(out)
		if err != nil {
			t.Fatalf("writing the lock back: %v", err)
		}
		l2, err := crates.ParseLockfile(b)
		if err != nil {
			t.Fatalf("the lock written back does not parse: %v\n%s", err, b)
		}
		for _, x := range []*crates.Lockfile{l, l2} {
			for _, p := range x.Packages {
				if len(p.Dependencies) == 0 {
					p.Dependencies = nil
				}
			}
		}
		if !reflect.DeepEqual(l, l2) {
			t.Errorf("the lock written back reads differently:\n%s", b)
		}
	})
}

// FuzzParseCargoToml reads arbitrary bytes as a crate's Cargo.toml, with
// ParseManifest and StubManifest. It checks that every dependency has a
// crate and a kind, a target exactly when it has a [target.KEY], and that
// the target is what ParseTargetKey reads from the key; and that a stub
// of a manifest parses to the same package and dependencies, without any
// of the keys a stub drops (build script, links, targets, file lists).
func FuzzParseCargoToml(f *testing.F) {
	f.Add([]byte("[package]\nname = \"winapi\"\nversion = \"0.3.9\"\nbuild = \"build.rs\"\nlinks = \"winapi\"\ninclude = [\"src/**\"]\n\n[lib]\npath = \"src/winapi.rs\"\n\n[features]\nconsoleapi = []\n\n[target.i686-pc-windows-gnu.dependencies.winapi-i686-pc-windows-gnu]\nversion = \"0.4\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := crates.ParseManifest(data)
		if err != nil {
			if !strings.Contains(err.Error(), "Cargo.toml") {
				t.Errorf("error %q does not say it is about Cargo.toml", err)
			}
			return
		}
		for _, d := range m.Deps {
			if d.Package == "" || d.Kind != "normal" && d.Kind != "build" && d.Kind != "dev" || (d.Target == nil) != (d.Key == "") {
				t.Errorf("dependency %+v", d)
			}
			if d.Target != nil {
				c, err := crates.ParseTargetKey(d.Key)
				if err != nil || c.String() != d.Target.String() {
					t.Errorf("[target.%q]: %v, %v; dependency has %v", d.Key, c, err, d.Target)
				}
			}
		}
		stub, err := crates.StubManifest(data)
		if err != nil {
			return
		}
		m2, err := crates.ParseManifest(stub)
		if err != nil {
			t.Fatalf("the stub of an accepted Cargo.toml does not parse: %v\n%s", err, stub)
		}
		m.LicenseFile, m2.LicenseFile = "", "" // a stub has no files
		if !reflect.DeepEqual(m, m2) {
			t.Errorf("the stub has another package or dependencies:\n%+v\n%+v\n%s", m, m2, stub)
		}
		var raw map[string]any
		if err := toml.Unmarshal(stub, &raw); err != nil {
			t.Fatalf("stub: %v", err)
		}
		pkg, _ := raw["package"].(map[string]any)
		for _, k := range []string{"lib", "bin", "example", "test", "bench", "badges"} {
			if _, ok := raw[k]; ok {
				t.Errorf("the stub keeps [%s]", k)
			}
		}
		for _, k := range []string{"build", "links", "include", "exclude", "readme", "license-file", "workspace", "default-run"} {
			if _, ok := pkg[k]; ok {
				t.Errorf("the stub keeps package.%s", k)
			}
		}
	})
}

// FuzzParseTargetKey parses arbitrary [target.KEY] keys. It checks that
// the String of an accepted key (in cfg(...) when the key is) is read
// back as the same expression: it is what messages show, and must be
// valid cfg syntax; and that Match does not depend on how the key was
// written.
func FuzzParseTargetKey(f *testing.F) {
	for _, k := range []string{
		`cfg(windows)`, `cfg(unix)`, `cfg(target_os = "linux")`, `cfg(not(windows))`,
		`cfg(all(unix, target_env = "musl"))`, `cfg(any(target_os = "redox", target_os = "linux", ))`,
		`cfg(all(target_arch = "x86_64", target_pointer_width = "64"))`, `cfg(all())`, `cfg(any())`,
		`i686-pc-windows-gnu`, `cfg(target_env = "")`, `cfg(any(target_arch = "wasm32", target_os = "wasi"))`,
		`cfg(all(target_arch = "wasm32", not(target_os = "emscripten")))`, `cfg(any(unix, target_os = "wasi"))`,
	} {
		f.Add(k)
	}
	targets := crates.KnownTargets()
	f.Fuzz(func(t *testing.T, key string) {
		c, err := crates.ParseTargetKey(key)
		if err != nil {
			if !strings.Contains(err.Error(), "target key") {
				t.Errorf("error %q does not say it is about a target key", err)
			}
			return
		}
		// String is the expression inside cfg(...), or the triple.
		s := c.String()
		if strings.HasPrefix(strings.TrimSpace(key), "cfg(") {
			s = "cfg(" + s + ")"
		}
		c2, err := crates.ParseTargetKey(s)
		if err != nil {
			t.Fatalf("%q prints as %q, which does not parse: %v", key, s, err)
		}
		if s2 := c2.String(); s2 != c.String() {
			t.Errorf("%q prints as %q, read back as %q", key, s, s2)
		}
		for _, triple := range targets {
			tg, err := crates.LookupTarget(triple)
			if err != nil {
				t.Fatal(err)
			}
			if c.Match(tg) != c2.Match(tg) {
				t.Errorf("%q and %q differ on %s", key, s, triple)
			}
		}
	})
}
