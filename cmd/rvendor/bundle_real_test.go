package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/rvendor/rvendor/bundle"
	"github.com/rvendor/rvendor/engine"
	"github.com/rvendor/rvendor/internal/registry"
	"github.com/rvendor/rvendor/internal/sandbox"
)

// airgap is the setting of issue 12's air-gapped tests: a tree template
// (spec and in-tree Cargo.lock, nothing vendored) whose spec takes core
// and alloc of Rust 1.63 (rust-src, from the loopback dist server) and
// the real bindgen 0.60.1 closure (from the loopback registry).
type airgap struct {
	t       *testing.T
	c       *rustCLI
	tmpl    string
	keyring string
}

func newAirgap(t *testing.T) *airgap {
	c := newRustCLI(t)
	reg, srv := registry.Shared(t)
	lock, err := os.ReadFile(filepath.Join(reg.Dir, "Cargo.lock"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := t.TempDir()
	writeFile(t, filepath.Join(tmpl, "bindgen.Cargo.lock"), string(lock))
	writeFile(t, filepath.Join(tmpl, "rvendor.toml"), licenseSpec(srv.Index("lib"), "", ""))
	return &airgap{t: t, c: c, tmpl: tmpl, keyring: c.srv.KeyringFile}
}

// tree returns a fresh copy of the template.
func (a *airgap) tree() string {
	dir := filepath.Join(a.t.TempDir(), "linux")
	copyDir(a.t, a.tmpl, dir)
	return dir
}

// run runs rvendor in-process in dir with the cache and the loopback
// servers' environment.
func (a *airgap) run(dir, cache string, args ...string) (int, string) {
	a.t.Helper()
	var out bytes.Buffer
	env := map[string]string{"RVENDOR_CACHE": cache, engine.RustDistEnv: a.c.srv.URL}
	code := run(append([]string{"-C", dir}, args...), strings.NewReader(""), &out, &out, func(k string) string { return env[k] })
	return code, out.String()
}

func (a *airgap) must(dir, cache string, args ...string) string {
	a.t.Helper()
	code, out := a.run(dir, cache, args...)
	if code != 0 {
		a.t.Fatalf("rvendor %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// TestBundleRoundTripReal is issue 12's air-gapped round trip: a bundle
// made with the loopback servers updates a fresh copy of the tree inside
// rvendor offline (no network at all) to exactly the tree, lock and sum
// of a networked update; a bundle with one byte changed in any member, or
// a member changed together with its manifest entry, is refused and
// nothing changes.
func TestBundleRoundTripReal(t *testing.T) {
	if _, err := sandbox.Check(sandbox.UserNSAuto); err != nil {
		t.Skipf("rvendor offline cannot make its network sandbox here: %v", err)
	}
	a := newAirgap(t)
	cache := a.c.cache
	start := time.Now()
	treeA := a.tree()
	a.must(treeA, cache, "update", "--keyring", a.keyring)
	t.Logf("networked update: %v", time.Since(start).Round(time.Millisecond))

	// Two creates, the second from an empty cache, give the same bytes.
	b1 := filepath.Join(t.TempDir(), "linux-rust.tar.zst")
	b2 := filepath.Join(t.TempDir(), "again.tar.zst")
	start = time.Now()
	out := a.must(a.tmpl, cache, "bundle", "create", b1, "--keyring", a.keyring)
	t.Logf("bundle create: %v\n%s", time.Since(start).Round(time.Millisecond), out)
	a.must(a.tmpl, filepath.Join(t.TempDir(), "cache2"), "bundle", "create", b2, "--keyring", a.keyring)
	good, err := os.ReadFile(b1)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(b2); !bytes.Equal(good, again) {
		t.Fatal("two bundle create runs gave different bytes")
	}
	if !strings.Contains(out, "sha256 "+hashHex(good)) {
		t.Errorf("bundle create does not print the bundle's sha256 %s:\n%s", hashHex(good), out)
	}
	checkBundleLayout(t, good)
	a.must(t.TempDir(), cache, "bundle", "verify", b1)

	// The update from the bundle, in the network sandbox, with an empty
	// cache: the rvendor the sandbox runs is this test binary (TestMain
	// put it on $PATH), reading the environment set here.
	treeB := a.tree()
	t.Setenv("RVENDOR_CACHE", filepath.Join(t.TempDir(), "empty-cache"))
	t.Setenv(engine.RustDistEnv, a.c.srv.URL)
	start = time.Now()
	var buf bytes.Buffer
	// (offline runs from a folder without a spec: in one, it wants the
	// library the update has yet to vendor, for RUST_LIB_SRC.)
	code := run([]string{"-C", t.TempDir(), "offline", "--", "rvendor", "-C", treeB, "update", "--from-bundle", b1, "--keyring", a.keyring},
		strings.NewReader(""), &buf, &buf, os.Getenv)
	t.Logf("update --from-bundle under rvendor offline: %v\n%s", time.Since(start).Round(time.Millisecond), buf.String())
	if code != 0 {
		t.Fatalf("offline update --from-bundle: exit %d", code)
	}
	for _, f := range []string{"rvendor.lock", "rvendor.sum"} {
		x, _ := os.ReadFile(filepath.Join(treeA, f))
		y, _ := os.ReadFile(filepath.Join(treeB, f))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s differs from the networked update's:\n%s", f, diffLines(string(x), string(y)))
		}
	}
	if sa, sb := snapshotTree(t, treeA), snapshotTree(t, treeB); sa != sb {
		t.Errorf("the trees differ:\n%s", diffLines(sa, sb))
	}
	a.must(treeB, cache, "verify")
	checkTamperedBundles(t, a, good, treeA)
}

// checkBundleLayout checks the members of a bundle of the airgap spec.
func checkBundleLayout(t *testing.T, b []byte) {
	names := map[string]bool{}
	for i, e := range bundleEntries(t, b) {
		if i == 0 && e.name != bundle.ManifestName {
			t.Errorf("first member %s", e.name)
		}
		names[e.name] = true
	}
	for _, want := range []string{
		"dist/channel-rust-1.63.0.toml", "dist/channel-rust-1.63.0.toml.sha256", "dist/channel-rust-1.63.0.toml.asc",
		"dist/2022-08-11/rust-src-1.63.0.tar.gz", "index/config.json", "index/bi/nd/bindgen",
		"crates/bindgen/bindgen-0.60.1.crate", "crates/clang-sys/clang-sys-1.3.0.crate", "index/cl/an/clang-sys",
	} {
		if !names[want] {
			t.Errorf("the bundle has no %s", want)
		}
	}
}

// tamperCase changes the bundle's member named name; consistent cases
// rewrite the manifest to match, so that only update's own checks can
// catch them.
type tamperCase struct {
	name       string
	member     string
	edit       func([]byte) []byte
	consistent bool
	want       string // in the error
}

func checkTamperedBundles(t *testing.T, a *airgap, good []byte, treeA string) {
	flip := func(at func([]byte) int) func([]byte) []byte {
		return func(b []byte) []byte { b = bytes.Clone(b); b[at(b)] ^= 0x01; return b }
	}
	middle := func(b []byte) int { return len(b) / 2 }
	// hexFlip changes the 10th hex digit of the first sha256 after key,
	// on the first line holding anchor: a sha256 of the manifest, or
	// clang-sys 1.3.0's cksum in its index file, stays 64 hex digits and
	// the file valid JSON.
	hexFlip := func(anchor, key string) func([]byte) []byte {
		return func(b []byte) []byte {
			b = bytes.Clone(b)
			line := 0
			for _, l := range bytes.SplitAfter(b, []byte("\n")) {
				if bytes.Contains(l, []byte(anchor)) {
					break
				}
				line += len(l)
			}
			i := line + bytes.Index(b[line:], []byte(key))
			for !isHexRun(b[i:]) {
				i++
			}
			if i += 10; b[i] == '0' {
				b[i] = '1'
			} else {
				b[i] = '0'
			}
			return b
		}
	}
	mismatch := "does not match the bundle manifest"
	cases := []tamperCase{
		{"archive", "dist/2022-08-11/rust-src-1.63.0.tar.gz", flip(middle), false, mismatch},
		{"crate", "crates/bindgen/bindgen-0.60.1.crate", flip(middle), false, mismatch},
		{"manifest signature", "dist/channel-rust-1.63.0.toml.asc", flip(middle), false, mismatch},
		{"index entry", "index/bi/nd/bindgen", flip(middle), false, mismatch},
		{"bundle manifest", bundle.ManifestName, hexFlip("", `"sha256"`), false, mismatch},
		{"archive and manifest", "dist/2022-08-11/rust-src-1.63.0.tar.gz", flip(middle), true, "sha256"},
		{"crate and manifest", "crates/bindgen/bindgen-0.60.1.crate", flip(middle), true, "checksum"},
		{"signature and manifest", "dist/channel-rust-1.63.0.toml.asc", flip(middle), true, "signature"},
		{"channel manifest and manifest", "dist/channel-rust-1.63.0.toml", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`date = "2022-08-11"`), []byte(`date = "2022-08-12"`), 1)
		}, true, "channel-rust-1.63.0.toml"},
		{"index cksum and manifest", "index/cl/an/clang-sys", hexFlip(`"1.3.0"`, `"cksum"`), true, "the index says"},
	}
	tree := filepath.Join(t.TempDir(), "linux")
	copyTree(t, treeA, tree)
	before := snapshotTree(t, tree)
	for _, tc := range cases {
		bad := tamperBundle(t, good, tc)
		file := filepath.Join(t.TempDir(), "bad.tar.zst")
		if err := os.WriteFile(file, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		cache := filepath.Join(t.TempDir(), "cache")
		code, out := a.run(tree, cache, "update", "--force", "--from-bundle", file, "--keyring", a.keyring)
		t.Logf("%s: exit %d\n%s", tc.name, code, lastLines(out, 4))
		if code != 1 || !strings.Contains(out, tc.want) {
			t.Errorf("%s: update --from-bundle: exit %d, want 1 and an error saying %q:\n%s", tc.name, code, tc.want, out)
		}
		if !tc.consistent && tc.member != bundle.ManifestName {
			if !strings.Contains(out, "bundle member "+tc.member) {
				t.Errorf("%s: the error does not name the member %s", tc.name, tc.member)
			}
			if code, vout := a.run(tree, cache, "bundle", "verify", file); code != 1 || !strings.Contains(vout, tc.member) {
				t.Errorf("%s: bundle verify: exit %d, want 1 naming %s:\n%s", tc.name, code, tc.member, vout)
			}
		}
		if after := snapshotTree(t, tree); after != before {
			t.Errorf("%s: the tree changed:\n%s", tc.name, diffLines(before, after))
		}
	}
	a.must(tree, a.c.cache, "verify")
}

type tarEntry struct {
	name string
	data []byte
}

func bundleEntries(t *testing.T, b []byte) []tarEntry {
	t.Helper()
	zr, err := zstd.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	var out []tarEntry
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tarEntry{h.Name, data})
	}
}

// tamperBundle returns good with tc's member edited: the tar rewritten
// as it is (the manifest then no longer matches), or, for a consistent
// case, a new bundle whose manifest lists the edited member.
func tamperBundle(t *testing.T, good []byte, tc tamperCase) []byte {
	t.Helper()
	entries := bundleEntries(t, good)
	found := false
	for i := range entries {
		if entries[i].name == tc.member {
			edited := tc.edit(entries[i].data)
			if bytes.Equal(edited, entries[i].data) {
				t.Fatalf("%s: the edit changed nothing in %s", tc.name, tc.member)
			}
			entries[i].data, found = edited, true
		}
	}
	if !found {
		t.Fatalf("%s: no member %s", tc.name, tc.member)
	}
	var out bytes.Buffer
	if tc.consistent {
		m, err := bundle.ParseManifest(entries[0].data)
		if err != nil {
			t.Fatal(err)
		}
		content := map[string][]byte{}
		for _, e := range entries[1:] {
			content[e.name] = e.data
		}
		for i := range m.Files {
			d := content[m.Files[i].Path]
			h := sha256.Sum256(d)
			m.Files[i].Size, m.Files[i].SHA256 = int64(len(d)), hex.EncodeToString(h[:])
		}
		err = bundle.Write(&out, m, func(f bundle.Member) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(content[f.Path])), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	zw, _ := zstd.NewWriter(&out)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: e.name, Size: int64(len(e.data)), Mode: 0o644, ModTime: time.Unix(0, 0)})
		tw.Write(e.data)
	}
	tw.Close()
	zw.Close()
	return out.Bytes()
}

// copyTree copies a tree without rvendor's state folder (a copy is
// another checkout).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel == ".rvendor" {
			return filepath.SkipDir
		}
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, data, fi.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// isHexRun reports whether b starts with 64 lowercase hex digits.
func isHexRun(b []byte) bool {
	if len(b) < 64 {
		return false
	}
	for _, c := range b[:64] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestMirrorServesUpdateReal (issue #12): rvendor mirror writes a static
// tree that a plain web server (net/http's FileServer on loopback)
// serves to an update whose [sources] point at it, giving the tree and
// sum of an update from the upstream servers (the lock differs only in
// the manifest URL it records); mirror --from-bundle writes the same
// files from a bundle.
func TestMirrorServesUpdateReal(t *testing.T) {
	a := newAirgap(t)
	treeA := a.tree()
	a.must(treeA, a.c.cache, "update", "--keyring", a.keyring)

	dir := filepath.Join(t.TempDir(), "mirror")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	start := time.Now()
	out := a.must(a.tmpl, a.c.cache, "mirror", dir, "--base-url", srv.URL, "--keyring", a.keyring)
	t.Logf("mirror: %v\n%s", time.Since(start).Round(time.Millisecond), lastLines(out, 1))
	for _, p := range []string{"dist/channel-rust-1.63.0.toml.asc", "dist/2022-08-11/rust-src-1.63.0.tar.gz", "index/bi/nd/bindgen", "crates/bindgen/bindgen-0.60.1.crate"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("the mirror has no %s: %v", p, err)
		}
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, "index", "config.json"))
	if want := `{"dl":"` + srv.URL + `/crates/{crate}/{crate}-{version}.crate"}` + "\n"; string(cfg) != want {
		t.Errorf("index/config.json = %q, want %q", cfg, want)
	}

	// A tree whose spec names the mirror, with no RVENDOR_RUST_DIST.
	treeM := a.tree()
	spec := strings.Replace(licenseSpec("sparse+"+srv.URL+"/index/", "", ""), "[sources]\n", "[sources]\nrust-dist = \""+srv.URL+"\"\n", 1)
	writeFile(t, filepath.Join(treeM, "rvendor.toml"), spec)
	var buf bytes.Buffer
	env := map[string]string{"RVENDOR_CACHE": filepath.Join(t.TempDir(), "cache")}
	if code := run([]string{"-C", treeM, "update", "--keyring", a.keyring}, strings.NewReader(""), &buf, &buf, func(k string) string { return env[k] }); code != 0 {
		t.Fatalf("update from the mirror: exit %d\n%s", code, buf.String())
	}
	sa, sm := snapshotTree(t, treeA), snapshotTree(t, treeM)
	dropSpecLock := func(s string) string {
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.HasPrefix(l, "rvendor.toml ") && !strings.HasPrefix(l, "rvendor.lock ") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	if dropSpecLock(sa) != dropSpecLock(sm) {
		t.Errorf("the tree from the mirror differs:\n%s", diffLines(dropSpecLock(sa), dropSpecLock(sm)))
	}
	la, _ := os.ReadFile(filepath.Join(treeA, "rvendor.lock"))
	lm, _ := os.ReadFile(filepath.Join(treeM, "rvendor.lock"))
	if d := diffLines(string(la), string(lm)); strings.Count(d, "\n") != 2 || !strings.Contains(d, "+ manifest = '"+srv.URL+"/dist/channel-rust-1.63.0.toml'") {
		t.Errorf("the locks differ by more than the manifest URL:\n%s", d)
	}

	// The same files from a bundle.
	file := filepath.Join(t.TempDir(), "b.tar.zst")
	a.must(a.tmpl, a.c.cache, "bundle", "create", file, "--keyring", a.keyring)
	dir2 := filepath.Join(t.TempDir(), "mirror2")
	a.must(t.TempDir(), a.c.cache, "mirror", "--from-bundle", file, dir2, "--base-url", srv.URL)
	if s1, s2 := snapshotTree(t, dir), snapshotTree(t, dir2); s1 != s2 {
		t.Errorf("mirror --from-bundle differs from mirror:\n%s", diffLines(s1, s2))
	}
}
