package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/engine"
	"github.com/rvendor/rvendor/internal/distserver"
	"github.com/rvendor/rvendor/internal/realdata"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// rustTree writes a tree whose spec takes core and alloc of Rust 1.63 as
// kind, and returns its folder.
func rustTree(t *testing.T, kind, extra string) string {
	dir := t.TempDir()
	spec := `version = 1
[[component]]
name = "rust-library"
kind = "` + kind + `"
version = "1.63.0"
paths = ["library/core", "library/alloc"]
dest = "rust/vendor/library"
license = "MIT OR Apache-2.0"
` + extra
	if err := os.WriteFile(filepath.Join(dir, "rvendor.toml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rustCLI runs rvendor in-process against srv with a shared cache.
type rustCLI struct {
	t     *testing.T
	srv   *distserver.Server
	cache string
}

func (c *rustCLI) run(args ...string) (int, string) {
	c.t.Helper()
	var out bytes.Buffer
	env := map[string]string{"RVENDOR_CACHE": c.cache, engine.RustDistEnv: c.srv.URL}
	for _, a := range args {
		if a == "update" || a == "fetch" {
			args = append(args, "--keyring", c.srv.KeyringFile)
			break
		}
	}
	code := run(args, strings.NewReader(""), &out, &out, func(k string) string { return env[k] })
	return code, out.String()
}

func newRustCLI(t *testing.T) *rustCLI {
	lib := realdata.RustSrc163(t)
	srv := distserver.New(t, distserver.Options{Library: lib})
	return &rustCLI{t: t, srv: srv, cache: filepath.Join(t.TempDir(), "cache")}
}

// TestRustSourcesUpdate: rust-src and rustc-src of 1.63 from the loopback
// dist server give identical library/ content and upstream hash, follow
// core's #[path] references to core_arch and core_simd, record what was
// checked, and verify clean.
func TestRustSourcesUpdate(t *testing.T) {
	c := newRustCLI(t)
	locks := map[string]*vendorspec.LockedComponent{}
	for _, kind := range []string{"rust-src", "rustc-src"} {
		dir := rustTree(t, kind, "")
		code, out := c.run("-C", dir, "update")
		if code != 0 {
			t.Fatalf("%s: update exit %d:\n%s", kind, code, out)
		}
		for _, want := range []string{"added library/stdarch/crates/core_arch", "added library/portable-simd/crates/core_simd"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: update does not say %q:\n%s", kind, want, out)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "rust/vendor/library/core/src/lib.rs")); err != nil {
			t.Errorf("%s: core not vendored: %v", kind, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "rust/vendor/library/stdarch/crates/core_arch/src/mod.rs")); err != nil {
			t.Errorf("%s: core_arch not vendored: %v", kind, err)
		}
		if code, out := c.run("-C", dir, "verify"); code != 0 {
			t.Errorf("%s: verify exit %d:\n%s", kind, code, out)
		}
		lock, err := vendorspec.ReadLock(filepath.Join(dir, "rvendor.lock"))
		if err != nil {
			t.Fatal(err)
		}
		lc := lock.Component("rust-library")
		locks[kind] = lc
		if lc.Signer == "" || lc.Signer == "unsigned" || lc.SHA256 == "" || !strings.HasPrefix(lc.URL, "https://static.rust-lang.org/dist/") {
			t.Errorf("%s: lock does not record what was checked: %+v", kind, lc)
		}
		if kind == "rust-src" && (lc.Manifest == "" || lc.ManifestSHA256 == "") {
			t.Errorf("rust-src: lock does not record the manifest: %+v", lc)
		}
		want := []string{"library/portable-simd/crates/core_simd", "library/stdarch/crates/core_arch"}
		if strings.Join(lc.Added, ",") != strings.Join(want, ",") {
			t.Errorf("%s: added = %v, want %v", kind, lc.Added, want)
		}
	}
	if a, b := locks["rust-src"], locks["rustc-src"]; a.Upstream != b.Upstream || a.Files != b.Files {
		t.Errorf("rust-src and rustc-src differ: %s (%d files) vs %s (%d files)", a.Upstream, a.Files, b.Upstream, b.Files)
	}
}

// TestRustSourcesFaults: every server fault ends in a clear error, a
// non-zero exit, and a tree, lock and sum byte-for-byte unchanged.
func TestRustSourcesFaults(t *testing.T) {
	c := newRustCLI(t)
	manifest := "/dist/channel-rust-1.63.0.toml"
	archive := ""
	for p := range c.srv.Archives {
		if strings.HasSuffix(p, "/rust-src-1.63.0.tar.gz") {
			archive = p
		}
	}
	if archive == "" {
		t.Fatal("the server has no rust-src .tar.gz")
	}
	// One good update, copied for each case.
	good := rustTree(t, "rust-src", "")
	if code, out := c.run("-C", good, "update"); code != 0 {
		t.Fatalf("update: %s", out)
	}
	for _, tc := range []struct {
		name  string
		path  string
		fault distserver.Fault
		want  string
	}{
		{"manifest 500", manifest, distserver.Status500, "500"},
		{"manifest truncated", manifest, distserver.Truncate, manifest},
		{"manifest corrupt", manifest, distserver.Corrupt, "SECURITY"},
		{"manifest signature missing", manifest + ".asc", distserver.NotFound, "no signature (.asc) found"},
		{"manifest signed by another key", manifest + ".asc", distserver.WrongKey, "key"},
		{"manifest signature bad", manifest + ".asc", distserver.BadSig, "signature"},
		{"manifest sha256 wrong", manifest + ".sha256", distserver.Corrupt, "SECURITY"},
		{"manifest redirected", manifest, distserver.Redirect, "redirect"},
		{"archive 500", archive, distserver.Status500, "500"},
		{"archive truncated", archive, distserver.Truncate, "rust-src-1.63.0.tar.gz"},
		{"archive wrong hash", archive, distserver.Corrupt, "SECURITY ERROR"},
		{"archive stalls", archive, distserver.Stall, "rust-src-1.63.0.tar.gz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tree")
			if out, err := exec.Command("cp", "-a", good, dir).CombinedOutput(); err != nil {
				t.Fatalf("copying the tree: %v %s", err, out)
			}
			// A spec change that needs a new fetch.
			before := snapshotDir(t, dir)
			spec, _ := os.ReadFile(filepath.Join(dir, "rvendor.toml"))
			os.WriteFile(filepath.Join(dir, "rvendor.toml"), bytes.Replace(spec, []byte(`license = "MIT OR Apache-2.0"`), []byte(`license = "Apache-2.0 OR MIT"`), 1), 0o644)
			c.srv.SetFault(tc.path, tc.fault)
			defer c.srv.SetFault(tc.path, distserver.OK)
			cache := c.cache
			c.cache = filepath.Join(t.TempDir(), "cold") // force a download
			code, out := c.run("-C", dir, "update")
			c.cache = cache
			if code == 0 {
				t.Fatalf("update succeeded despite the fault:\n%s", out)
			}
			if !strings.Contains(strings.ToLower(out), strings.ToLower(tc.want)) {
				t.Errorf("error does not mention %q:\n%s", tc.want, out)
			}
			after := snapshotDir(t, dir)
			if before != after {
				t.Errorf("tree changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// snapshotDir lists every entry below dir with its content, leaving out
// the spec (the test edits it) and rvendor's state folder's lock file.
func snapshotDir(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "rvendor.toml" {
			return nil
		}
		b.WriteString(rel + " " + fi.Mode().String())
		if fi.Mode().IsRegular() {
			data, _ := os.ReadFile(p)
			b.WriteString(" " + hashHex(data))
		}
		b.WriteString("\n")
		return nil
	})
	return b.String()
}

// TestRustLibraryCompiles compiles the vendored core and alloc with the
// matching real compiler (Debian's rustc 1.63 for the 1.63 sources).
func TestRustLibraryCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("compiling core takes about 20 s; skipped with -short")
	}
	rustc := realdata.Rustc163(t)
	c := newRustCLI(t)
	dir := rustTree(t, "rust-src", "")
	if code, out := c.run("-C", dir, "update"); code != 0 {
		t.Fatalf("update: %s", out)
	}
	cmd := exec.Command("bash", "../../scripts/compile-rust-library.sh", rustc.Bin, filepath.Join(dir, "rust/vendor/library"))
	cmd.Env = append(os.Environ(), rustc.Env()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("compiling the vendored library: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

func hashHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestRustSignerChangeWarns: an update whose manifest is signed by another
// key than the lock recorded, with the keys given by --keyring (which
// accepts the change), says so loudly (and a custom keyring too). Without
// --keyring or --accept-signer it is refused (engine's TestSignerChange).
func TestRustSignerChangeWarns(t *testing.T) {
	c := newRustCLI(t)
	dir := rustTree(t, "rust-src", "")
	if code, out := c.run("-C", dir, "update"); code != 0 {
		t.Fatalf("update: %s", out)
	}
	if _, out := c.run("-C", dir, "update", "--force"); !strings.Contains(out, "NOT the Rust release key built into rvendor") {
		t.Errorf("a custom keyring was not announced:\n%s", out)
	}
	// The same release from a server with another key.
	c.srv = distserver.New(t, distserver.Options{Library: realdata.RustSrc163(t)})
	code, out := c.run("-C", dir, "update", "--force")
	if code != 0 {
		t.Fatalf("update from the second server: %s", out)
	}
	if !strings.Contains(out, "but the last update was signed by") {
		t.Errorf("a change of signer was not reported:\n%s", out)
	}
}

// TestRustArchiveFormat (issue 14): where the manifest offers both, update
// takes the .tar.gz and says why; --compression xz takes the .tar.xz,
// which the lock then records and a later update keeps; the choice never
// changes the vendored tree; a bad value is bad usage.
func TestRustArchiveFormat(t *testing.T) {
	c := newRustCLI(t)
	dir := rustTree(t, "rust-src", "")
	lockURL := func() (string, string) {
		t.Helper()
		lock, err := vendorspec.ReadLock(filepath.Join(dir, "rvendor.lock"))
		if err != nil {
			t.Fatal(err)
		}
		lc := lock.Component("rust-library")
		return lc.URL, lc.Upstream
	}
	code, out := c.run("-C", dir, "update")
	if code != 0 || !strings.Contains(out, ".tar.gz (.tar.gz: decodes about 4x faster than the .tar.xz") {
		t.Fatalf("update: exit %d, does not say why it took the .tar.gz:\n%s", code, out)
	}
	gzURL, upstream := lockURL()
	if !strings.HasSuffix(gzURL, "/rust-src-1.63.0.tar.gz") {
		t.Fatalf("lock url %s, want the .tar.gz", gzURL)
	}
	if code, out := c.run("-C", dir, "update", "--force", "--compression", "xz"); code != 0 || !strings.Contains(out, ".tar.xz (.tar.xz: --compression xz)") {
		t.Fatalf("update --compression xz: exit %d:\n%s", code, out)
	}
	xzURL, upstream2 := lockURL()
	if !strings.HasSuffix(xzURL, "/rust-src-1.63.0.tar.xz") || upstream2 != upstream {
		t.Fatalf("after --compression xz: lock url %s (want the .tar.xz), upstream %s (want %s)", xzURL, upstream2, upstream)
	}
	if code, out := c.run("-C", dir, "update", "--force"); code != 0 || !strings.Contains(out, "(.tar.xz: as rvendor.lock recorded it)") {
		t.Fatalf("update --force: exit %d, does not keep the lock's .tar.xz:\n%s", code, out)
	}
	if u, _ := lockURL(); u != xzURL {
		t.Errorf("auto changed the lock's archive to %s", u)
	}
	if code, out := c.run("-C", dir, "verify"); code != 0 {
		t.Errorf("verify: exit %d\n%s", code, out)
	}
	if code, out := c.run("-C", dir, "update", "--compression", "bz2"); code != 2 || !strings.Contains(out, `--compression "bz2": want auto, gz or xz`) {
		t.Errorf("--compression bz2: exit %d\n%s", code, out)
	}
}
