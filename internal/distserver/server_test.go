package distserver_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

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
