package bundle_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/rvendor/rvendor/bundle"
)

// files is a small bundle's content, laid out as on a mirror.
var files = map[string]string{
	"dist/channel-rust-1.63.0.toml":                               "manifest-version = \"2\"\n",
	"dist/channel-rust-1.63.0.toml.sha256":                        "0000  channel-rust-1.63.0.toml\n",
	"dist/2022-08-11/rust-src-1.63.0.tar.gz":                      strings.Repeat("archive bytes ", 1000),
	"index/config.json":                                           `{"dl":"https://static.crates.io/crates"}`,
	"index/bi/nd/bindgen":                                         `{"name":"bindgen","vers":"0.60.1"}` + "\n",
	"crates/bindgen/bindgen-0.60.1.crate":                         "crate bytes",
	"archives/" + strings.Repeat("ab", 32) + "/demo-1.2.0.tar.gz": "demo",
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// manifestOf lists content as a valid manifest.
func manifestOf(content map[string]string) *bundle.Manifest {
	m := &bundle.Manifest{Version: bundle.Version, Components: []bundle.Component{{Name: "rust-library", Kind: "rust-src", Version: "1.63.0"}}}
	for p, c := range content {
		m.Files = append(m.Files, bundle.Member{Path: p, Size: int64(len(c)), SHA256: sum(c)})
	}
	slices.SortFunc(m.Files, func(a, b bundle.Member) int { return strings.Compare(a.Path, b.Path) })
	return m
}

func write(t *testing.T, content map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	err := bundle.Write(&buf, manifestOf(content), func(f bundle.Member) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content[f.Path])), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWriteDeterministic: two writes of the same files are byte-identical,
// check clean, and unpack to the files.
func TestWriteDeterministic(t *testing.T) {
	a, b := write(t, files), write(t, files)
	if !bytes.Equal(a, b) {
		t.Fatal("two bundles of the same files differ")
	}
	rep, err := bundle.Check(context.Background(), bytes.NewReader(a))
	if err != nil || rep.Err() != nil {
		t.Fatalf("check: %v, %v", err, rep.Err())
	}
	if rep.Checked != len(files) || rep.Manifest.Components[0].Name != "rust-library" {
		t.Errorf("checked %d members, want %d; manifest %+v", rep.Checked, len(files), rep.Manifest)
	}
	dst := filepath.Join(t.TempDir(), "out")
	m, err := bundle.Unpack(context.Background(), bytes.NewReader(a), dst)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != len(files) {
		t.Errorf("manifest lists %d files", len(m.Files))
	}
	for p, c := range files {
		got, err := os.ReadFile(filepath.Join(dst, p))
		if err != nil || string(got) != c {
			t.Errorf("%s: %q, %v", p, got, err)
		}
		fi, _ := os.Stat(filepath.Join(dst, p))
		if fi != nil && fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v", p, fi.Mode())
		}
	}
	// The tar headers are the fixed ones, the manifest first.
	entries := readTar(t, a)
	if entries[0].hdr.Name != bundle.ManifestName {
		t.Errorf("first member %s", entries[0].hdr.Name)
	}
	for _, e := range entries {
		h := e.hdr
		if h.Mode != 0o644 || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || h.ModTime.Unix() != 0 {
			t.Errorf("%s: header %+v is not the fixed one", h.Name, h)
		}
	}
}

// TestWriteRefusesChangedContent: content that no longer matches the
// manifest fails the write.
func TestWriteRefusesChangedContent(t *testing.T) {
	for _, c := range []string{"crate bytez", "crate byte", "crate bytes!"} {
		err := bundle.Write(io.Discard, manifestOf(files), func(f bundle.Member) (io.ReadCloser, error) {
			if strings.HasSuffix(f.Path, ".crate") {
				return io.NopCloser(strings.NewReader(c)), nil
			}
			return io.NopCloser(strings.NewReader(files[f.Path])), nil
		})
		if !errors.Is(err, bundle.ErrMismatch) {
			t.Errorf("content %q: err = %v, want ErrMismatch", c, err)
		}
	}
}

type entry struct {
	hdr  *tar.Header
	data []byte
}

func readTar(t *testing.T, b []byte) []entry {
	t.Helper()
	zr, err := zstd.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	var out []entry
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
		out = append(out, entry{h, data})
	}
}

// rebuild writes entries as a bundle (tar in zstd), plus trailer after
// the tar's end.
func rebuild(t *testing.T, entries []entry, trailer []byte) []byte {
	t.Helper()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for _, e := range entries {
		h := *e.hdr
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.data))
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	tb.Write(trailer)
	var out bytes.Buffer
	zw, _ := zstd.NewWriter(&out)
	zw.Write(tb.Bytes())
	zw.Close()
	return out.Bytes()
}

func reg(name, data string) entry {
	return entry{&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644}, []byte(data)}
}

// withManifest returns the entries of the good bundle with its manifest
// replaced by edit(manifest JSON).
func withManifest(t *testing.T, good []entry, edit func(m map[string]any)) []entry {
	var m map[string]any
	if err := json.Unmarshal(good[0].data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	data, _ := json.Marshal(m)
	out := slices.Clone(good)
	out[0] = reg(bundle.ManifestName, string(data))
	return out
}

func sortFiles(m map[string]any) {
	slices.SortFunc(m["files"].([]any), func(a, b any) int {
		return strings.Compare(a.(map[string]any)["path"].(string), b.(map[string]any)["path"].(string))
	})
}

// TestReadRefuses: each damaged bundle is refused by Check (a problem or
// an error, wrapping the expected error) and by Unpack, which leaves
// nothing behind.
func TestReadRefuses(t *testing.T) {
	good := readTar(t, write(t, files))
	crate := slices.IndexFunc(good, func(e entry) bool { return strings.HasSuffix(e.hdr.Name, ".crate") })
	replace := func(i int, e entry) []entry { out := slices.Clone(good); out[i] = e; return out }
	flipped := slices.Clone(good[crate].data)
	flipped[3] ^= 1
	cases := []struct {
		name    string
		entries []entry
		trailer []byte
		raw     []byte
		want    error
	}{
		{name: "changed byte", entries: replace(crate, entry{good[crate].hdr, flipped}), want: bundle.ErrMismatch},
		{name: "shorter", entries: replace(crate, entry{good[crate].hdr, flipped[1:]}), want: bundle.ErrMismatch},
		{name: "missing", entries: slices.Delete(slices.Clone(good), crate, crate+1), want: bundle.ErrMissing},
		{name: "extra", entries: append(slices.Clone(good), reg("crates/evil/evil-1.0.0.crate", "x")), want: bundle.ErrExtra},
		{name: "twice", entries: append(slices.Clone(good), good[crate]), want: bundle.ErrDuplicate},
		{name: "dotdot", entries: append(slices.Clone(good), reg("crates/../../etc/passwd", "x")), want: bundle.ErrUnsafeName},
		{name: "absolute", entries: append(slices.Clone(good), reg("/etc/passwd", "x")), want: bundle.ErrUnsafeName},
		{name: "top-level file", entries: append(slices.Clone(good), reg("evil", "x")), want: bundle.ErrUnsafeName},
		{name: "git", entries: append(slices.Clone(good), reg("dist/.git/config", "x")), want: bundle.ErrUnsafeName},
		{name: "rvendor", entries: append(slices.Clone(good), reg("index/.rvendor/journal", "x")), want: bundle.ErrUnsafeName},
		{name: "backslash", entries: append(slices.Clone(good), reg(`dist/a\b`, "x")), want: bundle.ErrUnsafeName},
		{name: "newline", entries: append(slices.Clone(good), reg("dist/a\nb", "x")), want: bundle.ErrUnsafeName},
		{name: "non-ascii", entries: append(slices.Clone(good), reg("dist/é", "x")), want: bundle.ErrUnsafeName},
		{name: "empty element", entries: append(slices.Clone(good), reg("dist//x", "x")), want: bundle.ErrUnsafeName},
		{name: "symlink", entries: append(slices.Clone(good), entry{&tar.Header{Typeflag: tar.TypeSymlink, Name: "dist/link", Linkname: "/etc"}, nil}), want: bundle.ErrNotFile},
		{name: "hardlink", entries: append(slices.Clone(good), entry{&tar.Header{Typeflag: tar.TypeLink, Name: "dist/hard", Linkname: good[crate].hdr.Name}, nil}), want: bundle.ErrNotFile},
		{name: "folder", entries: append(slices.Clone(good), entry{&tar.Header{Typeflag: tar.TypeDir, Name: "dist/dir/", Mode: 0o755}, nil}), want: bundle.ErrNotFile},
		{name: "device", entries: append(slices.Clone(good), entry{&tar.Header{Typeflag: tar.TypeChar, Name: "dist/null"}, nil}), want: bundle.ErrNotFile},
		{name: "fifo", entries: append(slices.Clone(good), entry{&tar.Header{Typeflag: tar.TypeFifo, Name: "dist/fifo"}, nil}), want: bundle.ErrNotFile},
		{name: "trailing data", entries: good, trailer: []byte("hidden"), want: bundle.ErrExtra},
		{name: "manifest not first", entries: append(slices.Clone(good[1:]), good[0]), want: bundle.ErrFormat},
		{name: "no manifest", entries: good[1:], want: bundle.ErrFormat},
		{name: "manifest changed", entries: replace(0, entry{good[0].hdr, []byte(strings.Replace(string(good[0].data), `"size": 11`, `"size": 12`, 1))}), want: bundle.ErrMismatch},
		{name: "manifest unknown field", entries: withManifest(t, good, func(m map[string]any) { m["trust-me"] = true }), want: bundle.ErrFormat},
		{name: "manifest version", entries: withManifest(t, good, func(m map[string]any) { m["rvendor-bundle"] = 2 }), want: bundle.ErrFormat},
		{name: "manifest unsorted", entries: withManifest(t, good, func(m map[string]any) {
			fs := m["files"].([]any)
			fs[0], fs[1] = fs[1], fs[0]
		}), want: bundle.ErrFormat},
		{name: "manifest component name", entries: withManifest(t, good, func(m map[string]any) {
			m["components"] = []any{map[string]any{"name": "x\nrvendor: ok", "kind": "crate", "version": "1.0.0"}}
		}), want: bundle.ErrFormat},
		{name: "manifest bad sha256", entries: withManifest(t, good, func(m map[string]any) {
			m["files"].([]any)[0].(map[string]any)["sha256"] = "XYZ"
		}), want: bundle.ErrFormat},
		{name: "manifest size over the limit", entries: withManifest(t, good, func(m map[string]any) {
			m["files"].([]any)[0].(map[string]any)["size"] = int64(bundle.MaxMemberSize) + 1
		}), want: bundle.ErrTooLarge},
		{name: "manifest unsafe name", entries: withManifest(t, good, func(m map[string]any) {
			m["files"].([]any)[0].(map[string]any)["path"] = "archives/../x"
		}), want: bundle.ErrUnsafeName},
		{name: "manifest case collision", entries: withManifest(t, good, func(m map[string]any) {
			fs := m["files"].([]any)
			m["files"] = append([]any{map[string]any{"path": "crates/Bindgen/bindgen-0.60.1.crate", "size": 0, "sha256": sum("")}}, fs...)
			sortFiles(m)
		}), want: bundle.ErrUnsafeName},
		{name: "manifest file and folder", entries: withManifest(t, good, func(m map[string]any) {
			fs := m["files"].([]any)
			m["files"] = append([]any{map[string]any{"path": "crates/bindgen", "size": 0, "sha256": sum("")}}, fs[1:]...)
			sortFiles(m)
		}), want: bundle.ErrUnsafeName},
		{name: "not zstd", raw: []byte("PK\x03\x04 a zip file"), want: bundle.ErrFormat},
		{name: "empty", raw: []byte{}, want: bundle.ErrFormat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := c.raw
			if b == nil {
				b = rebuild(t, c.entries, c.trailer)
			}
			rep, err := bundle.Check(context.Background(), bytes.NewReader(b))
			if err == nil {
				err = rep.Err()
			}
			if !errors.Is(err, c.want) {
				t.Errorf("check: %v, want %v", err, c.want)
			}
			dst := filepath.Join(t.TempDir(), "out")
			if _, err := bundle.Unpack(context.Background(), bytes.NewReader(b), dst); !errors.Is(err, c.want) {
				t.Errorf("unpack: %v, want %v", err, c.want)
			}
			if _, err := os.Lstat(dst); !os.IsNotExist(err) {
				t.Errorf("unpack left %s behind: %v", dst, err)
			}
			if strings.Contains(c.name, "dotdot") {
				if _, err := os.Stat(filepath.Join(filepath.Dir(dst), "etc")); err == nil {
					t.Error("unpack wrote outside dst")
				}
			}
		})
	}
}

// TestCheckReportsEveryProblem: check goes on after a problem and names
// every member that is wrong.
func TestCheckReportsEveryProblem(t *testing.T) {
	good := readTar(t, write(t, files))
	var bad []entry
	for _, e := range good {
		if e.hdr.Name == "index/config.json" {
			continue // missing
		}
		if strings.HasSuffix(e.hdr.Name, ".crate") {
			e = entry{e.hdr, []byte("crate bytez")} // changed
		}
		bad = append(bad, e)
	}
	bad = append(bad, reg("dist/extra", "x"))
	rep, err := bundle.Check(context.Background(), bytes.NewReader(rebuild(t, bad, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rep.Problems {
		got = append(got, p.Error())
	}
	want := []string{
		"bundle member crates/bindgen/bindgen-0.60.1.crate: does not match the bundle manifest: sha256 " + sum("crate bytez") + ", the manifest says " + sum("crate bytes"),
		"bundle member dist/extra: not listed in the bundle manifest",
		"bundle member index/config.json: listed in the bundle manifest but missing",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep.Checked != len(files)-2 {
		t.Errorf("checked %d", rep.Checked)
	}
}

// TestCheckPath: the names a bundle may hold.
func TestCheckPath(t *testing.T) {
	ok := []string{"dist/channel-rust-1.63.0.toml.asc", "index/3/s/syn", "index/1/a", "crates/wasi/wasi-0.11.0+wasi-snapshot-preview1.crate",
		"archives/" + strings.Repeat("0", 64) + "/demo_1.2~rc1.tar.zst", "index/config.json"}
	bad := []string{"", "dist", "rvendor-bundle.json", "other/x", "dist/", "dist/.hidden", "dist/..", "dist/./x", "dist/a b", "dist/a:b",
		"dist/" + strings.Repeat("a", 256), strings.Repeat("dist/", 17) + "x", "./dist/x", "Dist/x"}
	for _, p := range ok {
		if err := bundle.CheckPath(p); err != nil {
			t.Errorf("CheckPath(%q) = %v", p, err)
		}
	}
	for _, p := range bad {
		if err := bundle.CheckPath(p); !errors.Is(err, bundle.ErrUnsafeName) {
			t.Errorf("CheckPath(%q) = %v, want ErrUnsafeName", p, err)
		}
	}
}
