package rustdist_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/internal/web"
	"github.com/rvendor/rvendor/fetch/rustdist"
	"github.com/rvendor/rvendor/internal/distserver"
	"github.com/rvendor/rvendor/internal/realdata"
)

func TestEmbeddedKey(t *testing.T) {
	keys := rustdist.EmbeddedKeyring().SigningKeys()
	found := false
	for _, k := range keys {
		if k.Fingerprint == rustdist.RustSigningSubkey {
			found = true
			if k.Primary != rustdist.RustKeyFingerprint {
				t.Errorf("subkey primary = %s", k.Primary)
			}
			if !strings.Contains(k.Identity, "rust-key@rust-lang.org") {
				t.Errorf("identity = %q", k.Identity)
			}
		}
		if strings.HasSuffix(k.Fingerprint, "8E9AA3F7AB3F5826") {
			t.Errorf("encryption subkey offered for signing")
		}
	}
	if !found {
		t.Errorf("signing subkey %s not offered: %+v", rustdist.RustSigningSubkey, keys)
	}
	// The published key (with third-party certifications) is refused by
	// go-crypto; the error says what to do.
	if pub, err := os.ReadFile("/work/shared/data/rust-signing-key/rust-key.published.asc"); err == nil {
		if _, err := rustdist.ReadKeyring(bytes.NewReader(pub), "published"); err == nil || !strings.Contains(err.Error(), "export-minimal") {
			t.Errorf("published key: err = %v", err)
		}
	}
}

func TestVerifyDetached(t *testing.T) {
	e, err := openpgp.NewEntity("t", "", "t@rvendor.invalid", nil)
	if err != nil {
		t.Fatal(err)
	}
	var pub, sig bytes.Buffer
	if err := e.Serialize(&pub); err != nil {
		t.Fatal(err)
	}
	kr, err := rustdist.ReadKeyring(&pub, "test")
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("manifest-version = \"2\"\n")
	if err := openpgp.ArmoredDetachSign(&sig, e, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	f, err := rustdist.VerifyDetached(kr, data, sig.Bytes())
	if err != nil || f == "" {
		t.Fatalf("VerifyDetached = %q, %v", f, err)
	}
	if _, err := rustdist.VerifyDetached(rustdist.EmbeddedKeyring(), data, sig.Bytes()); !errors.Is(err, rustdist.ErrUnknownSigner) {
		t.Errorf("with the Rust key: %v, want ErrUnknownSigner", err)
	}
	if _, err := rustdist.VerifyDetached(kr, append(data, 'x'), sig.Bytes()); !errors.Is(err, rustdist.ErrBadSignature) {
		t.Errorf("tampered data: %v, want ErrBadSignature", err)
	}
	if _, err := rustdist.VerifyDetached(kr, data, nil); !errors.Is(err, rustdist.ErrUnsigned) {
		t.Errorf("no signature: %v, want ErrUnsigned", err)
	}
	if _, err := rustdist.VerifyDetached(kr, data, []byte("-----BEGIN PGP SIGNATURE-----\n\ngarbage\n-----END PGP SIGNATURE-----\n")); !errors.Is(err, rustdist.ErrBadSignature) {
		t.Errorf("garbage signature: %v, want ErrBadSignature", err)
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]string{
		"1.78.0":             "https://static.rust-lang.org/dist/channel-rust-1.78.0.toml",
		"nightly-2024-05-01": "https://static.rust-lang.org/dist/2024-05-01/channel-rust-nightly.toml",
		"beta-2024-05-01":    "https://static.rust-lang.org/dist/2024-05-01/channel-rust-beta.toml",
	} {
		v, err := rustdist.ParseVersion(in)
		if err != nil || v.ManifestURL("") != want || v.String() != in {
			t.Errorf("ParseVersion(%q) = %+v, %v", in, v, err)
		}
	}
	for _, bad := range []string{"1.78", "stable", "nightly", "nightly-2024-13-01", "1.078.0", "v1.78.0", ""} {
		if _, err := rustdist.ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) succeeded", bad)
		}
	}
}

func TestMapURL(t *testing.T) {
	u := "https://static.rust-lang.org/dist/2026-04-16/rust-src-1.95.0.tar.xz"
	for root, want := range map[string]string{
		"https://static.rust-lang.org": u,
		"https://mirror.example/rust/": "https://mirror.example/rust/dist/2026-04-16/rust-src-1.95.0.tar.xz",
		"file:///srv/mirror":           "file:///srv/mirror/dist/2026-04-16/rust-src-1.95.0.tar.xz",
		"http://127.0.0.1:8080":        "http://127.0.0.1:8080/dist/2026-04-16/rust-src-1.95.0.tar.xz",
	} {
		if got, err := rustdist.MapURL(u, root); err != nil || got != want {
			t.Errorf("MapURL(%s) = %q, %v; want %q", root, got, err, want)
		}
	}
	for _, root := range []string{"http://mirror.example", "ftp://x", "https://user:pw@x", "file://host/x", "https://x/?q"} {
		if _, err := rustdist.MapURL(u, root); err == nil {
			t.Errorf("root %q accepted", root)
		}
	}
	for _, bad := range []string{"https://evil.example/dist/x.tar.gz", "https://static.rust-lang.org/other/x", "https://static.rust-lang.org/dist/../x", "https://static.rust-lang.org/dist/x?y"} {
		if _, err := rustdist.MapURL(bad, "https://mirror.example"); err == nil {
			t.Errorf("MapURL(%q) accepted", bad)
		}
	}
}

func TestParseSHA256File(t *testing.T) {
	h := strings.Repeat("ab", 32)
	if got, err := rustdist.ParseSHA256File([]byte(h+"  x.toml\n"), "x.toml"); err != nil || got != h {
		t.Errorf("good: %q %v", got, err)
	}
	for _, bad := range []string{h + "  y.toml\n", h + "  x.toml", strings.ToUpper(h) + "  x.toml\n", h + " x.toml\n", h + "  x.toml\n\n"} {
		if _, err := rustdist.ParseSHA256File([]byte(bad), "x.toml"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestParseManifestErrors(t *testing.T) {
	m, err := rustdist.ParseManifest([]byte("manifest-version = \"2\"\ndate = \"2022-08-11\"\n[pkg.rust-src]\nversion = \"1.63.0 (x)\"\n[pkg.rust-src.target.\"*\"]\navailable = false\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Target("rust-src", "*"); err == nil || !strings.Contains(err.Error(), "not available") {
		t.Errorf("unavailable: %v", err)
	}
	if _, _, err := m.Target("rust-docs", "*"); err == nil || !strings.Contains(err.Error(), "no [pkg.rust-docs]") {
		t.Errorf("missing: %v", err)
	}
	if _, err := rustdist.ParseManifest([]byte("manifest-version = \"1\"\ndate = \"2022-08-11\"\n")); err == nil {
		t.Errorf("manifest-version 1 accepted")
	}
	if _, err := rustdist.ParseManifest([]byte("manifest-version = \"2\"\ndate = \"2022-08-11\"\n[pkg.rust-src.target.\"*\"]\navailable = true\nurl = \"u\"\nhash = \"XYZ\"\n")); err == nil {
		t.Errorf("bad hash accepted")
	}
}

func server(t *testing.T, opts distserver.Options) *distserver.Server {
	opts.Library = realdata.RustSrc163(t)
	return distserver.New(t, opts)
}

func TestResolve(t *testing.T) {
	s := server(t, distserver.Options{TLS: true})
	g := &fetch.Cache{RootCAs: s.Client.Transport.(*http.Transport).TLSClientConfig.RootCAs}
	ctx := context.Background()
	req := rustdist.Request{Version: "1.63.0", Kind: rustdist.KindRustSrc, Root: s.URL, Keyring: s.Keyring()}
	res, err := rustdist.Resolve(ctx, g, req)
	if err != nil {
		t.Fatal(err)
	}
	gz := s.Archives["/dist/2022-08-11/rust-src-1.63.0.tar.gz"]
	if res.ArchiveURL != s.URL+"/dist/2022-08-11/rust-src-1.63.0.tar.gz" || res.ArchiveSHA256 != gz.SHA256 || res.Format != "tar.gz" ||
		res.CanonicalURL != "https://static.rust-lang.org/dist/2022-08-11/rust-src-1.63.0.tar.gz" ||
		res.Signer == "" || res.SignerPrimary == "" || res.GitCommitHash != distserver.GitCommitHash || res.ArchiveSigURL != "" {
		t.Errorf("Resolve = %+v", res)
	}
	req.Format = "tar.xz"
	if res, err := rustdist.Resolve(ctx, g, req); err != nil || res.Format != "tar.xz" || res.FormatWhy != "asked for" {
		t.Errorf("Format tar.xz: %+v %v", res, err)
	}
	req.Format = ""
	xz := s.Archives["/dist/2022-08-11/rust-src-1.63.0.tar.xz"]
	req.Cached = func(sum string) bool { return sum == xz.SHA256 }
	if res, err := rustdist.Resolve(ctx, g, req); err != nil || res.Format != "tar.xz" || res.FormatWhy != "already in the download cache" {
		t.Errorf("xz in the cache: %+v %v", res, err)
	}
	req.Cached = nil

	// The embedded Rust key does not know the test key.
	r2 := req
	r2.Keyring = nil
	if _, err := rustdist.Resolve(ctx, g, r2); !errors.Is(err, rustdist.ErrUnknownSigner) {
		t.Errorf("Rust key: %v", err)
	}
	// A keyring file.
	kr, err := rustdist.ReadKeyringFile(s.KeyringFile)
	if err != nil {
		t.Fatal(err)
	}
	r2.Keyring = kr
	if _, err := rustdist.Resolve(ctx, g, r2); err != nil {
		t.Errorf("keyring file: %v", err)
	}

	m := "/dist/channel-rust-1.63.0.toml"
	for _, tc := range []struct {
		path  string
		fault distserver.Fault
		want  error  // errors.Is
		msg   string // substring
	}{
		{m, distserver.Status500, nil, "500 Internal Server Error"},
		{m, distserver.Truncate, nil, "truncated: the connection closed after 363 of 726 bytes"},
		{m, distserver.Corrupt, nil, "SECURITY ERROR"},
		{m, distserver.Redirect, nil, ""}, // https to another host: followed
		{m + ".asc", distserver.NotFound, rustdist.ErrUnsigned, "allow-unsigned"},
		{m + ".asc", distserver.WrongKey, rustdist.ErrUnknownSigner, "SECURITY ERROR"},
		{m + ".asc", distserver.BadSig, rustdist.ErrBadSignature, "SECURITY ERROR"},
		{m + ".asc", distserver.Corrupt, rustdist.ErrBadSignature, "SECURITY ERROR"},
		{m + ".sha256", distserver.NotFound, rustdist.ErrNotFound, "404"},
		{m + ".sha256", distserver.Corrupt, nil, ""},
	} {
		s.SetFault(tc.path, tc.fault)
		_, err := rustdist.Resolve(ctx, g, req)
		s.SetFault(tc.path, distserver.OK)
		if tc.fault == distserver.Redirect {
			if err != nil {
				t.Errorf("%s redirected to another https host: %v", tc.path, err)
			}
			continue
		}
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s fault %d: err = %v", tc.path, tc.fault, err)
		}
	}
	// Unsigned allowed: accepted without a signer; a bad signature still refused.
	s.SetFault(m+".asc", distserver.NotFound)
	r3 := req
	r3.AllowUnsigned = true
	if res, err := rustdist.Resolve(ctx, g, r3); err != nil || res.Signer != "" {
		t.Errorf("allow-unsigned: %+v %v", res, err)
	}
	s.SetFault(m+".asc", distserver.BadSig)
	if _, err := rustdist.Resolve(ctx, g, r3); !errors.Is(err, rustdist.ErrBadSignature) {
		t.Errorf("allow-unsigned with a bad signature: %v", err)
	}
	s.SetFault(m+".asc", distserver.OK)

	// A signed manifest of another release is refused.
	wrong := strings.ReplaceAll(string(s.Get(m)), "1.63.0 (", "1.62.0 (")
	s.PutSigned(m, []byte(wrong))
	if _, err := rustdist.Resolve(ctx, g, req); err == nil || !strings.Contains(err.Error(), "wrong release") {
		t.Errorf("wrong release: %v", err)
	}
}

func TestResolveMirrors(t *testing.T) {
	bad := server(t, distserver.Options{})
	good := server(t, distserver.Options{})
	bad.SetFault("/dist/channel-rust-1.63.0.toml", distserver.Status500)
	g := &fetch.Cache{}
	res, err := rustdist.Resolve(context.Background(), g, rustdist.Request{
		Version: "1.63.0", Kind: rustdist.KindRustSrc, Root: bad.URL, Mirrors: []string{good.URL}, Keyring: good.Keyring(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Root != good.URL || len(res.Skipped) != 1 || !strings.HasPrefix(res.ArchiveURL, good.URL+"/dist/") {
		t.Errorf("Resolve = %+v", res)
	}
}

func TestResolveRustcSrc(t *testing.T) {
	ctx := context.Background()
	// Without [artifacts.source-code]: the direct archive, whose .asc must
	// be checked after download.
	s := server(t, distserver.Options{})
	g := &fetch.Cache{}
	req := rustdist.Request{Version: "1.63.0", Kind: rustdist.KindRustcSrc, Root: s.URL, Keyring: s.Keyring()}
	res, err := rustdist.Resolve(ctx, g, req)
	if err != nil {
		t.Fatal(err)
	}
	a := s.Archives["/dist/rustc-1.63.0-src.tar.gz"]
	if res.ArchiveURL != s.URL+"/dist/rustc-1.63.0-src.tar.gz" || res.ArchiveSHA256 != a.SHA256 || res.ArchiveSigURL == "" {
		t.Fatalf("Resolve = %+v", res)
	}
	f, _ := os.Open(a.Path)
	defer f.Close()
	if signer, err := res.CheckArchive(ctx, g, f, s.Keyring(), false); err != nil || signer == "" {
		t.Errorf("CheckArchive: %q %v", signer, err)
	}
	if _, err := res.CheckArchive(ctx, g, strings.NewReader("other"), s.Keyring(), false); !errors.Is(err, rustdist.ErrBadSignature) {
		t.Errorf("CheckArchive of other data: %v", err)
	}

	// With [artifacts.source-code]: covered by the manifest's signature.
	s2 := server(t, distserver.Options{SourceArtifacts: true})
	req.Root = s2.URL
	req.Keyring = s2.Keyring()
	res, err = rustdist.Resolve(ctx, g, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.ArchiveURL != s2.URL+"/dist/2022-08-11/rustc-1.63.0-src.tar.gz" || res.ArchiveSigURL != "" {
		t.Errorf("Resolve = %+v", res)
	}
}

func TestLayout(t *testing.T) {
	for _, tc := range [][3]string{
		{rustdist.KindRustSrc, "1.63.0", "rust-src-1.63.0/rust-src/lib/rustlib/src/rust/library"},
		{rustdist.KindRustcSrc, "1.63.0", "rustc-1.63.0-src/library"},
		{rustdist.KindRustSrc, "nightly-2024-05-01", "rust-src-nightly/rust-src/lib/rustlib/src/rust/library"},
	} {
		if got, err := rustdist.LayoutRoot(tc[0], tc[1]); err != nil || got != tc[2] {
			t.Errorf("LayoutRoot(%s, %s) = %q, %v", tc[0], tc[1], got, err)
		}
	}
	if got, _ := rustdist.ArchivePath(rustdist.KindRustcSrc, "1.63.0", "library/core"); got != "rustc-1.63.0-src/library/core" {
		t.Errorf("ArchivePath = %q", got)
	}
	for _, bad := range []string{"../x", "/library", "library/../x", "library/"} {
		if _, err := rustdist.ArchivePath(rustdist.KindRustSrc, "1.63.0", bad); err == nil {
			t.Errorf("ArchivePath(%q) accepted", bad)
		}
	}
}

// TestGetterRetries: a *fetch.Cache as the Getter: 5xx answers are tried
// again (bounded), 4xx never.
func TestGetterRetries(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := n.Add(1)
		switch r.URL.Path {
		case "/flaky":
			if c == 1 {
				http.Error(w, "busy", http.StatusBadGateway)
				return
			}
			w.Write([]byte("ok"))
		case "/forbidden":
			http.Error(w, "no", http.StatusForbidden)
		}
	}))
	defer srv.Close()
	var g rustdist.Getter = &fetch.Cache{Retry: web.RetryPolicy{Attempts: 3, Delay: time.Millisecond}}
	data, err := g.Get(context.Background(), srv.URL+"/flaky", 100)
	if err != nil || string(data) != "ok" || n.Load() != 2 {
		t.Errorf("flaky: %q, %v after %d requests", data, err, n.Load())
	}
	n.Store(0)
	if _, err := g.Get(context.Background(), srv.URL+"/forbidden", 100); err == nil || n.Load() != 1 {
		t.Errorf("403: err %v after %d requests, want one failed request", err, n.Load())
	}
}

// TestRedirectOverHTTP: over plain http (loopback), a redirect to
// another host is refused, by fetch's one redirect rule; the same
// redirect over https is followed (TestResolve).
func TestRedirectOverHTTP(t *testing.T) {
	s := server(t, distserver.Options{})
	m := "/dist/channel-rust-1.63.0.toml"
	s.SetFault(m, distserver.Redirect)
	_, err := rustdist.Resolve(context.Background(), &fetch.Cache{}, rustdist.Request{Version: "1.63.0", Kind: rustdist.KindRustSrc, Root: s.URL, Keyring: s.Keyring()})
	if err == nil || !strings.Contains(err.Error(), "refusing redirect from "+s.URL+m+" to "+s.OtherURL()+m+": a redirect may use plain http only within the same loopback host") {
		t.Errorf("err = %v", err)
	}
}
