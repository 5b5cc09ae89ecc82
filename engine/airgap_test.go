package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/bundle"
	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
	"github.com/rvendor/rvendor/tree"
)

// TestBundleCarriesMergeBase (issue #12): a component with a patch queue
// moving to a new version is updated from a bundle with no network and an
// empty cache, the merge base (the old archive) coming from the bundle;
// the result is the networked update's.
func TestBundleCarriesMergeBase(t *testing.T) {
	base := "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\n"
	edited := "l1\nl2\nl3\nl4 edited\nl5\nl6\nl7\nl8\nl9\n"
	f := newFixture(t)
	f.spec(comp{name: "demo", version: "1.0.0", dest: "third_party/demo", patches: "patches/demo", files: map[string]string{"src/lib.rs": base}})
	f.mustUpdate(UpdateOptions{})
	f.write("third_party/demo/src/lib.rs", edited)
	if _, err := f.record("demo", "edit l4"); err != nil {
		t.Fatal(err)
	}
	f.spec(comp{name: "demo", version: "2.0.0", dest: "third_party/demo", patches: "patches/demo", files: map[string]string{"src/lib.rs": "l0\n" + base + "l10\n"}})

	e := f.engine()
	col, err := e.Collect(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, cf := range col.Files {
		paths = append(paths, cf.Path)
	}
	if len(paths) != 2 || !strings.HasSuffix(paths[0], "/demo-1.0.0.tar.gz") && !strings.HasSuffix(paths[1], "/demo-1.0.0.tar.gz") {
		t.Fatalf("collected %v, want the 2.0.0 archive and the 1.0.0 base", paths)
	}
	file := filepath.Join(t.TempDir(), "b.tar.zst")
	res, err := col.WriteBundle(file)
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 2 || res.Components[0].Version != "2.0.0" {
		t.Errorf("bundle result %+v", res)
	}

	// No network: the archives' file:// URLs are gone, and so is the
	// cache.
	if err := os.RemoveAll(f.dir); err != nil {
		t.Fatal(err)
	}
	f.cache = filepath.Join(t.TempDir(), "empty-cache")
	b, err := OpenBundle(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	cfg, err := os.ReadFile(filepath.Join(b.Dir, "index", "config.json"))
	if err != nil || !strings.Contains(string(cfg), `"dl":"file://`+filepath.ToSlash(b.Dir)+`/crates/{crate}/{crate}-{version}.crate"`) {
		t.Errorf("index/config.json: %s, %v", cfg, err)
	}
	err = f.with(func(e *Engine, ws *tree.Workspace) error {
		e.Mirror = b.Dir
		_, err := e.Update(context.Background(), ws, UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("update from the bundle: %v", err)
	}
	if got := f.read("third_party/demo/src/lib.rs"); got != "l0\n"+edited+"l10\n" {
		t.Errorf("lib.rs = %q", got)
	}
	if !f.said("merged (three-way) and refreshed") {
		t.Error("the patch was not merged")
	}
	f.verifyClean()
}

// TestWriteMirror: the layout, the index's dl, files kept when they
// match and replaced otherwise, and parents that are links refused.
func TestWriteMirror(t *testing.T) {
	sum := func(s string) string { return archivetest.SHA256([]byte(s)) }
	small := func(p, s string) CollectedFile {
		return CollectedFile{Member: bundle.Member{Path: p, Size: int64(len(s)), SHA256: sum(s)}, Data: []byte(s)}
	}
	crate := filepath.Join(t.TempDir(), "x.crate")
	if err := os.WriteFile(crate, []byte("crate"), 0o444); err != nil {
		t.Fatal(err)
	}
	col := &Collection{Files: []CollectedFile{
		{Member: bundle.Member{Path: "crates/x/x-1.0.0.crate", Size: 5, SHA256: sum("crate")}, File: crate},
		small("dist/channel-rust-1.63.0.toml", "m"),
		small("index/1/x", `{"name":"x"}`),
		small("index/config.json", `{"dl":"https://static.crates.io/crates"}`),
	}}
	dir := filepath.Join(t.TempDir(), "mirror")
	res, err := col.WriteMirror(dir, "https://mirror.example.org/rv")
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 4 || res.Kept != 0 || res.BaseURL != "https://mirror.example.org/rv/" {
		t.Errorf("first write: %+v", res)
	}
	var cfg struct{ DL string }
	data, _ := os.ReadFile(filepath.Join(dir, "index", "config.json"))
	if err := json.Unmarshal(data, &cfg); err != nil || cfg.DL != "https://mirror.example.org/rv/crates/{crate}/{crate}-{version}.crate" {
		t.Errorf("config.json %s: %v", data, err)
	}
	for p, want := range map[string]string{"crates/x/x-1.0.0.crate": "crate", "dist/channel-rust-1.63.0.toml": "m", "index/1/x": `{"name":"x"}`} {
		got, err := os.ReadFile(filepath.Join(dir, p))
		fi, _ := os.Stat(filepath.Join(dir, p))
		if err != nil || string(got) != want || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: %q %v %v", p, got, fi.Mode(), err)
		}
	}
	os.WriteFile(filepath.Join(dir, "index", "1", "x"), []byte("stale"), 0o644)
	os.WriteFile(filepath.Join(dir, "other"), []byte("kept"), 0o644)
	if res, err = col.WriteMirror(dir, ""); err != nil || res.Written != 2 || res.Kept != 2 {
		t.Errorf("second write: %+v, %v (want the stale index file and config.json written)", res, err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "index", "1", "x")); string(got) != `{"name":"x"}` {
		t.Errorf("stale file not replaced: %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "other")); string(got) != "kept" {
		t.Error("a file the collection does not hold was touched")
	}

	// A parent that is a link is refused, and nothing is written through it.
	elsewhere := t.TempDir()
	os.RemoveAll(filepath.Join(dir, "dist"))
	if err := os.Symlink(elsewhere, filepath.Join(dir, "dist")); err != nil {
		t.Fatal(err)
	}
	if _, err := col.WriteMirror(dir, ""); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("write through a link: %v", err)
	}
	if ents, _ := os.ReadDir(elsewhere); len(ents) != 0 {
		t.Errorf("wrote through the link: %v", ents)
	}
	if _, err := col.WriteMirror(t.TempDir(), "ftp://x/"); err == nil {
		t.Error("an ftp base URL was accepted")
	}
}

// TestArchiveMirrors: an archive component whose URL fails is taken from
// a [sources] mirror's archives/ folder, under its sha256; a mirror
// serving other bytes is refused.
func TestArchiveMirrors(t *testing.T) {
	f := newFixture(t)
	f.spec(comp{name: "demo", version: "1.0.0", dest: "third_party/demo", files: map[string]string{"src/lib.rs": "x\n"}})
	e := f.engine()
	col, err := e.Collect(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	mirror := t.TempDir()
	if _, err := col.WriteMirror(mirror, ""); err != nil {
		t.Fatal(err)
	}
	spec := f.read("rvendor.toml")
	f.write("rvendor.toml", strings.Replace(spec, "version = 1\n", "version = 1\n\n[sources]\nmirrors = [\"file://"+filepath.ToSlash(mirror)+"\"]\n", 1))
	os.RemoveAll(f.dir)
	f.cache = filepath.Join(t.TempDir(), "cache")
	f.mustUpdate(UpdateOptions{})
	f.verifyClean()

	// Other bytes on the mirror: a checksum mismatch, nothing changes.
	p := filepath.Join(mirror, filepath.FromSlash(col.Files[0].Path))
	os.Chmod(p, 0o644)
	os.WriteFile(p, []byte("not the archive"), 0o644)
	f.cache = filepath.Join(t.TempDir(), "cache2")
	before := f.snapshot()
	if _, err := f.update(UpdateOptions{Force: true}); !errors.Is(err, fetch.ErrChecksumMismatch) {
		t.Errorf("update from a bad mirror: %v", err)
	}
	sameTree(t, before, f.snapshot())
}
