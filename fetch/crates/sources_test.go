package crates_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/crates"
	"github.com/rvendor/rvendor/internal/registry"
)

// diskRegistry is a two-crate registry laid out in a folder: demo 0.1.0
// depending on tinydep 1.0.0, packed as .crate files under
// crates/{name}/{name}-{version}.crate (static.crates.io's layout, so the
// folder is also a mirror), with a sparse index under index/.
type diskRegistry struct {
	dir    string
	lock   []byte
	crates []*registry.Crate
}

func newDiskRegistry(t *testing.T) *diskRegistry {
	t.Helper()
	src := t.TempDir()
	r := &diskRegistry{dir: t.TempDir()}
	for _, c := range []struct{ name, version, deps string }{
		{"demo", "0.1.0", "[dependencies]\ntinydep = \"1\"\n"},
		{"tinydep", "1.0.0", ""},
	} {
		d := filepath.Join(src, c.name+"-"+c.version)
		must(t, os.MkdirAll(filepath.Join(d, "src"), 0o755))
		must(t, os.WriteFile(filepath.Join(d, "Cargo.toml"), []byte("[package]\nname = \""+c.name+"\"\nversion = \""+c.version+"\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n"+c.deps), 0o644))
		must(t, os.WriteFile(filepath.Join(d, "src", "lib.rs"), []byte("// "+c.name+"\n"), 0o644))
		pc, err := registry.Pack(d, c.name, c.version, nil)
		must(t, err)
		p := filepath.Join(r.dir, "crates", c.name, c.name+"-"+c.version+".crate")
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, pc.Data, 0o644))
		r.crates = append(r.crates, pc)
	}
	r.lock = []byte(`version = 3

[[package]]
name = "demo"
version = "0.1.0"
dependencies = [
 "tinydep",
]

[[package]]
name = "tinydep"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "` + r.crates[1].Sum + `"
`)
	return r
}

// index writes a sparse index whose config.json downloads from dl into
// a new folder, and returns its crates-index value.
func (r *diskRegistry) index(t *testing.T, dl string) string {
	t.Helper()
	dir := t.TempDir()
	cfg, _ := json.Marshal(map[string]string{"dl": dl})
	must(t, os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644))
	for _, c := range r.crates {
		line, _ := json.Marshal(map[string]any{"name": c.Name, "vers": c.Version, "deps": []any{}, "cksum": c.Sum, "features": map[string]any{}, "yanked": false})
		p := filepath.Join(dir, filepath.FromSlash(crates.IndexPath(c.Name)))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, append(line, '\n'), 0o644))
	}
	return "sparse+file://" + filepath.ToSlash(dir) + "/"
}

func (r *diskRegistry) vendor(t *testing.T, reg *crates.Registry) (*crates.Result, error) {
	t.Helper()
	return crates.Vendor(context.Background(), filepath.Join(t.TempDir(), "vendor"), crates.Options{
		Crate: "demo", Version: "0.1.0", Lockfile: r.lock, Registry: reg,
		Cache: &fetch.Cache{Dir: t.TempDir()},
	})
}

// TestVendorFileIndex: a registry laid out on disk, named
// sparse+file:///..., with a file:// dl, vendors like a served one.
func TestVendorFileIndex(t *testing.T) {
	r := newDiskRegistry(t)
	dl := "file://" + filepath.ToSlash(r.dir) + "/crates/{crate}/{crate}-{version}.crate"
	res, err := r.vendor(t, &crates.Registry{URL: r.index(t, dl)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Crates) != 2 {
		t.Fatalf("vendored %+v", res.Crates)
	}
	for _, c := range res.Crates {
		if want := "file://" + filepath.ToSlash(r.dir) + "/crates/" + c.Name + "/" + c.Name + "-" + c.Version + ".crate"; c.URL != want {
			t.Errorf("%s from %s, want %s", c.Name, c.URL, want)
		}
	}
	// A crate the index lacks is ErrNotFound, from a file index too.
	idx := r.index(t, dl)
	os.Remove(filepath.Join(strings.TrimPrefix(idx, "sparse+file://"), crates.IndexPath("tinydep")))
	if _, err := r.vendor(t, &crates.Registry{URL: idx}); !errors.Is(err, crates.ErrNotFound) {
		t.Errorf("missing index file: %v", err)
	}
}

// mirrorServer serves the registry's .crate files at /good/crates/...,
// flipped ones at /tampered/crates/..., 404 at /bad/..., and records the
// requests.
type mirrorServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []string
}

func newMirrorServer(t *testing.T, r *diskRegistry) *mirrorServer {
	m := &mirrorServer{}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		m.mu.Lock()
		m.reqs = append(m.reqs, req.URL.Path)
		m.mu.Unlock()
		kind, rest, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/"), "/")
		data, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(rest)))
		if err != nil || kind == "bad" {
			http.NotFound(w, req)
			return
		}
		if kind == "tampered" {
			data[len(data)/2] ^= 1
		}
		w.Write(data)
	}))
	t.Cleanup(m.Close)
	return m
}

func (m *mirrorServer) requests(prefix string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, r := range m.reqs {
		if strings.HasPrefix(r, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// TestVendorMirrors: the mirrors of [sources] are tried in order after
// the registry's dl fails, and never after a checksum mismatch.
func TestVendorMirrors(t *testing.T) {
	r := newDiskRegistry(t)
	m := newMirrorServer(t, r)
	dl := m.URL + "/bad/crates/{crate}/{crate}-{version}.crate"
	fileMirror := "file://" + filepath.ToSlash(r.dir)
	res, err := r.vendor(t, &crates.Registry{URL: r.index(t, dl),
		Mirrors: []string{m.URL + "/bad", "file:///nonexistent/mirror", m.URL + "/good", fileMirror}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Crates {
		if want := m.URL + "/good/crates/" + c.Name + "/" + c.Name + "-" + c.Version + ".crate"; c.URL != want {
			t.Errorf("%s came from %s, want the first good mirror %s", c.Name, c.URL, want)
		}
	}
	for _, c := range []string{"demo/demo-0.1.0.crate", "tinydep/tinydep-1.0.0.crate"} {
		var got []string
		for _, p := range m.requests("/") {
			if strings.HasSuffix(p, c) {
				got = append(got, strings.TrimSuffix(p, "/crates/"+c))
			}
		}
		if strings.Join(got, " ") != "/bad /bad /good" { // dl, then the mirrors in order
			t.Errorf("%s: requests %q, want dl (/bad), /bad, /good", c, got)
		}
	}

	// A mismatch from the registry stops: no mirror is asked.
	m2 := newMirrorServer(t, r)
	_, err = r.vendor(t, &crates.Registry{URL: r.index(t, m2.URL+"/tampered/crates/{crate}/{crate}-{version}.crate"),
		Mirrors: []string{m2.URL + "/good", fileMirror}})
	if !errors.Is(err, fetch.ErrChecksumMismatch) || !errors.Is(err, crates.ErrChecksum) {
		t.Fatalf("tampered registry: err = %v, want a checksum mismatch", err)
	}
	if got := m2.requests("/good"); got != nil {
		t.Errorf("mirrors asked after a mismatch: %q", got)
	}

	// A mismatch from a mirror stops too: the next mirror is not asked.
	m3 := newMirrorServer(t, r)
	_, err = r.vendor(t, &crates.Registry{URL: r.index(t, m3.URL+"/bad/crates/{crate}/{crate}-{version}.crate"),
		Mirrors: []string{m3.URL + "/tampered", m3.URL + "/good"}})
	if !errors.Is(err, fetch.ErrChecksumMismatch) {
		t.Fatalf("tampered mirror: err = %v, want a checksum mismatch", err)
	}
	if got := m3.requests("/good"); got != nil {
		t.Errorf("next mirror asked after a mismatch: %q", got)
	}

	// Every source failing: one error naming each.
	_, err = r.vendor(t, &crates.Registry{URL: r.index(t, dl), Mirrors: []string{m.URL + "/bad"}})
	if err == nil || !strings.Contains(err.Error(), "downloading the .crate failed") || strings.Count(err.Error(), "404 Not Found") != 2 {
		t.Errorf("all failing: %v", err)
	}
}
