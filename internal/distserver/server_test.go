package distserver_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/rustdist"
	"github.com/rvendor/rvendor/internal/distserver"
	"github.com/rvendor/rvendor/internal/realdata"
)

func get(t *testing.T, c *http.Client, u string) (int, []byte, error) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

func TestLayoutAndFaults(t *testing.T) {
	start := time.Now()
	s := distserver.New(t, distserver.Options{Library: realdata.RustSrc163(t), TLS: true, StallFor: 300 * time.Millisecond})
	t.Logf("built and started in %v", time.Since(start))
	for p, a := range s.Archives {
		t.Logf("%s: %d bytes", p, a.Size)
	}
	c := s.Client
	for _, p := range []string{
		"/dist/channel-rust-1.63.0.toml", "/dist/channel-rust-1.63.0.toml.sha256", "/dist/channel-rust-1.63.0.toml.asc",
		"/dist/2022-08-11/channel-rust-1.63.0.toml",
		"/dist/2022-08-11/rust-src-1.63.0.tar.gz", "/dist/2022-08-11/rust-src-1.63.0.tar.xz.sha256",
		"/dist/rustc-1.63.0-src.tar.gz", "/dist/rustc-1.63.0-src.tar.xz.asc",
	} {
		code, _, err := get(t, c, s.URL+p)
		if err != nil || code != 200 {
			t.Errorf("GET %s: %d %v", p, code, err)
		}
	}
	_, data, _ := get(t, c, s.URL+"/dist/2022-08-11/rust-src-1.63.0.tar.gz")
	h := sha256.Sum256(data)
	if got, want := hex.EncodeToString(h[:]), s.Archives["/dist/2022-08-11/rust-src-1.63.0.tar.gz"].SHA256; got != want {
		t.Errorf("archive sha256 %s, want %s", got, want)
	}

	m := "/dist/channel-rust-1.63.0.toml"
	s.SetFault(m, distserver.Status500)
	if code, _, _ := get(t, c, s.URL+m); code != 500 {
		t.Errorf("Status500: got %d", code)
	}
	s.SetFault(m, distserver.Truncate)
	if _, _, err := get(t, c, s.URL+m); err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Errorf("Truncate: err = %v, want unexpected EOF", err)
	}
	s.SetFault(m, distserver.Stall)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+m, nil)
	if resp, err := c.Do(req); err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Errorf("Stall: read completed")
		}
	}
	s.SetFault(m, distserver.Redirect)
	nc := *c
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := nc.Get(s.URL + m)
	if err != nil || resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), s.OtherURL()) {
		t.Errorf("Redirect: %v %v", resp, err)
	}
	s.SetFault(m, distserver.OK)

	// Signatures verify with the server's key and not with the Rust key.
	_, toml, _ := get(t, c, s.URL+m)
	_, asc, _ := get(t, c, s.URL+m+".asc")
	if _, err := rustdist.VerifyDetached(s.Keyring(), toml, asc); err != nil {
		t.Errorf("manifest signature: %v", err)
	}
	if _, err := rustdist.VerifyDetached(rustdist.EmbeddedKeyring(), toml, asc); err == nil {
		t.Errorf("manifest verified with the Rust key")
	}
}

// TestTwoReleases: one server serves 1.63.0 (Debian's rust-src) and
// 1.96.0 (Debian's rust-web-src) from the same root; each manifest
// resolves, names its own release, commit and date, and its archive holds
// that release's library under that release's top folder.
func TestTwoReleases(t *testing.T) {
	start := time.Now()
	s := distserver.New(t, distserver.Options{Library: realdata.RustSrc163(t),
		Versions: []distserver.VersionSpec{{Version: "1.96.0", Library: realdata.RustWebSrc196(t)}}})
	t.Logf("built and started in %v", time.Since(start))
	if len(s.Releases) != 2 || s.Releases[0] != distserver.Release163 || s.Releases[1] != distserver.Release196 {
		t.Fatalf("Releases = %+v", s.Releases)
	}
	g := &fetch.Cache{}
	for _, rel := range s.Releases {
		for _, kind := range []string{rustdist.KindRustSrc, rustdist.KindRustcSrc} {
			res, err := rustdist.Resolve(context.Background(), g, rustdist.Request{Version: rel.Version, Kind: kind, Root: s.URL, Keyring: s.Keyring()})
			if err != nil {
				t.Fatalf("%s %s: %v", kind, rel.Version, err)
			}
			if res.PkgVersion != rel.PkgVersion || res.GitCommitHash != rel.GitCommitHash || res.Date != rel.Date || res.Signer == "" {
				t.Errorf("%s %s: resolved %+v", kind, rel.Version, res)
			}
			want := "/dist/" + rel.Date + "/rust-src-" + rel.Version + ".tar.gz"
			if kind == rustdist.KindRustcSrc {
				want = "/dist/rustc-" + rel.Version + "-src.tar.gz"
			}
			if res.ArchiveURL != s.URL+want || res.ArchiveSHA256 != s.Archives[want].SHA256 {
				t.Errorf("%s %s: archive %s %s, want %s %s", kind, rel.Version, res.ArchiveURL, res.ArchiveSHA256, s.URL+want, s.Archives[want].SHA256)
			}
		}
		// The rustc-src tarball says which release it is, and holds that
		// release's core (1.96's has core/src/arch.rs, 1.63's does not).
		names, version := tarNames(t, s.Archives["/dist/rustc-"+rel.Version+"-src.tar.gz"].Path)
		top := "rustc-" + rel.Version + "-src/"
		if version != rel.PkgVersion+"\n" {
			t.Errorf("%s: version file %q, want %q", rel.Version, version, rel.PkgVersion)
		}
		if !names[top+"library/core/src/lib.rs"] || !names[top+"library/stdarch/crates/core_arch/src/mod.rs"] {
			t.Errorf("%s: rustc-src lacks core or core_arch (%d entries)", rel.Version, len(names))
		}
		if got, want := names[top+"library/core/src/arch.rs"], rel.Version == "1.96.0"; got != want {
			t.Errorf("%s: core/src/arch.rs present = %v, want %v", rel.Version, got, want)
		}
	}
	if !strings.Contains(string(s.Get("/dist/channel-rust-1.96.0.toml")), `date = "2026-05-28"`) {
		t.Errorf("1.96.0 manifest:\n%s", s.Get("/dist/channel-rust-1.96.0.toml"))
	}
}

// tarNames lists the entries of a .tar.gz and returns the content of its
// top folder's version file.
func tarNames(t *testing.T, file string) (map[string]bool, string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	names := map[string]bool{}
	version := ""
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names[h.Name] = true
		if strings.Count(h.Name, "/") == 1 && strings.HasSuffix(h.Name, "/version") {
			data, _ := io.ReadAll(tr)
			version = string(data)
		}
	}
	return names, version
}
