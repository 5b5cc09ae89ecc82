package rustdist_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/rustdist"
	"github.com/rvendor/rvendor/internal/distserver"
	"github.com/rvendor/rvendor/internal/realdata"
)

// TestEndToEndRealOrig resolves rustc-src 1.63.0 to the real upstream
// tarball (Debian's repack, 32.5 MB xz, 51,690 entries) on the loopback
// server, verifies the archive's own signature while streaming it, streams
// core, alloc and the two crates core needs out of it with fetch.Extract,
// and checks with FollowRefs that the extracted tree is complete.
func TestEndToEndRealOrig(t *testing.T) {
	if testing.Short() {
		t.Skip("streams the 32.5 MB real tarball twice")
	}
	orig := realdata.RustcOrig163(t)
	s := distserver.New(t, distserver.Options{Library: realdata.RustSrc163(t), RealOrig: orig})
	ctx := context.Background()
	g := &fetch.Cache{}
	res, err := rustdist.Resolve(ctx, g, rustdist.Request{
		Version: "1.63.0", Kind: rustdist.KindRustcSrc, Root: s.URL, Keyring: s.Keyring(), Format: "tar.xz",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ArchiveURL != s.URL+"/dist/rustc-1.63.0-src.tar.xz" || res.ArchiveSigURL == "" {
		t.Fatalf("Resolve = %+v", res)
	}
	open := func() *http.Response {
		resp, err := http.Get(res.ArchiveURL)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", res.ArchiveURL, resp, err)
		}
		return resp
	}
	start := time.Now()
	resp := open()
	signer, err := res.CheckArchive(ctx, g, resp.Body, s.Keyring(), false)
	resp.Body.Close()
	if err != nil || signer == "" {
		t.Fatalf("CheckArchive: %q %v", signer, err)
	}
	t.Logf("archive signature checked in %v", time.Since(start))

	root, _ := rustdist.ArchivePath(res.Kind, "1.63.0", "library")
	var paths []string
	for _, p := range []string{"library/core", "library/alloc", "library/stdarch/crates/core_arch", "library/portable-simd/crates/core_simd"} {
		ap, err := rustdist.ArchivePath(res.Kind, "1.63.0", p)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, ap)
	}
	dst := filepath.Join(t.TempDir(), "library")
	start = time.Now()
	resp = open()
	defer resp.Body.Close()
	x, err := fetch.Extract(ctx, resp.Body, fetch.FormatXZ, dst, fetch.Selection{Root: root, Paths: paths, Archive: "rustc-1.63.0-src.tar.xz"}, fetch.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("extracted %d files of %d entries in %v", len(x.Files), x.Entries, time.Since(start))
	refs, err := rustdist.FollowRefs(filepath.Dir(dst), []string{"library/core", "library/alloc", "library/stdarch/crates/core_arch", "library/portable-simd/crates/core_simd"})
	if err != nil {
		t.Fatal(err)
	}
	if adds := rustdist.Subtrees(refs); len(adds) != 0 {
		t.Errorf("extracted tree still needs %q", adds)
	}
}
