package fetch_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/internal/web"
	"github.com/rvendor/rvendor/internal/archivetest"
)

// fetchRetry keeps retry tests fast: 3 tries, 1 ms apart.
var fetchRetry = web.RetryPolicy{Attempts: 3, Delay: time.Millisecond}

// roots trusts the TLS test server s.
func roots(s *httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.Certificate())
	return p
}

var (
	content     = []byte("the archive's bytes\n")
	contentHash = archivetest.SHA256(content)
	otherHash   = archivetest.SHA256([]byte("something else"))
)

// server serves content at /demo.tar.gz and counts the requests.
func server(t *testing.T, tls bool) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		switch r.URL.Path {
		case "/demo.tar.gz":
			w.Write(content)
		case "/redirect-out":
			http.Redirect(w, r, "http://rvendor.invalid/demo.tar.gz", http.StatusFound)
		case "/redirect-in":
			http.Redirect(w, r, "/demo.tar.gz", http.StatusFound)
		case "/flaky.tar.gz": // 503 twice, then the content
			if n.Load() <= 2 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			w.Write(content)
		case "/truncated-once.tar.gz": // a dropped connection, then the content
			if n.Load() == 1 {
				w.Header().Set("Content-Length", fmt.Sprint(len(content)))
				w.Write(content[:5])
				return
			}
			w.Write(content)
		case "/always-500.tar.gz":
			http.Error(w, "broken", http.StatusInternalServerError)
		case "/forbidden.tar.gz":
			http.Error(w, "no", http.StatusForbidden)
		case "/stall":
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(http.StatusOK)
			w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		default:
			http.NotFound(w, r)
		}
	})
	var s *httptest.Server
	if tls {
		s = httptest.NewTLSServer(h)
	} else {
		s = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s, &n
}

// cacheFiles lists what the cache holds, lock files aside.
func cacheFiles(t *testing.T, dir string) []string {
	var files []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && !strings.HasSuffix(p, ".lock") {
			files = append(files, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	return files
}

func TestFetchFile(t *testing.T) {
	src := filepath.Join(t.TempDir(), "demo.tar.gz")
	os.WriteFile(src, content, 0o644)
	c := &fetch.Cache{Dir: t.TempDir()}
	p, err := fetchFile(c, context.Background(), "file://"+filepath.ToSlash(src), contentHash)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(c.Dir, "sha256", contentHash[:2], contentHash); p != want {
		t.Errorf("path %s, want %s", p, want)
	}
	if b, _ := os.ReadFile(p); string(b) != string(content) {
		t.Errorf("cached content %q", b)
	}
	// Cached: the source is not needed again.
	os.Remove(src)
	if p2, err := fetchFile(c, context.Background(), "file://"+filepath.ToSlash(src), contentHash); err != nil || p2 != p {
		t.Errorf("second Fetch = %q, %v", p2, err)
	}
}

func TestFetchHTTPS(t *testing.T) {
	s, n := server(t, true)
	c := &fetch.Cache{Dir: t.TempDir(), RootCAs: roots(s)}
	var progress int64
	c.Progress = func(url string, done, total int64) { progress = done }
	for i := 0; i < 2; i++ {
		p, err := fetchFile(c, context.Background(), s.URL+"/demo.tar.gz", contentHash)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != string(content) {
			t.Errorf("cached content %q", b)
		}
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1 (the second Fetch must use the cache)", n.Load())
	}
	if progress != int64(len(content)) {
		t.Errorf("progress reported %d bytes", progress)
	}
}

func TestFetchLoopbackHTTP(t *testing.T) {
	s, _ := server(t, false)
	c := &fetch.Cache{Dir: t.TempDir()} // the default client
	if _, err := fetchFile(c, context.Background(), s.URL+"/redirect-in", contentHash); err != nil {
		t.Fatal(err)
	}
}

func TestFetchMismatch(t *testing.T) {
	s, _ := server(t, true)
	c := &fetch.Cache{Dir: t.TempDir(), RootCAs: roots(s)}
	_, err := fetchFile(c, context.Background(), s.URL+"/demo.tar.gz", otherHash)
	if !errors.Is(err, fetch.ErrChecksumMismatch) {
		t.Fatalf("err = %v, want ErrChecksumMismatch", err)
	}
	var ce *fetch.ChecksumError
	if !errors.As(err, &ce) || ce.Got != contentHash || ce.Want != otherHash || ce.URL != s.URL+"/demo.tar.gz" {
		t.Errorf("ChecksumError = %+v", ce)
	}
	for _, s := range []string{"SECURITY ERROR", contentHash, otherHash, "The download was not used; check the sha256 in rvendor.toml against the upstream's published value"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q lacks %q", err, s)
		}
	}
	if files := cacheFiles(t, c.Dir); files != nil {
		t.Errorf("cache holds %q after a mismatch", files)
	}
}

func TestFetchCorruptCacheEntry(t *testing.T) {
	s, n := server(t, true)
	c := &fetch.Cache{Dir: t.TempDir(), RootCAs: roots(s)}
	p, err := fetchFile(c, context.Background(), s.URL+"/demo.tar.gz", contentHash)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, []byte("bit rot"), 0o644); err != nil {
		t.Fatal(err)
	}
	p2, err := fetchFile(c, context.Background(), s.URL+"/demo.tar.gz", contentHash)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p2); p2 != p || string(b) != string(content) {
		t.Errorf("after re-fetch: %s holds %q", p2, b)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests, want 2", n.Load())
	}
}

func TestFetchStaleTemp(t *testing.T) {
	s, _ := server(t, true)
	c := &fetch.Cache{Dir: t.TempDir(), RootCAs: roots(s)}
	dir := filepath.Join(c.Dir, "sha256", contentHash[:2])
	os.MkdirAll(dir, 0o755)
	stale := filepath.Join(dir, contentHash+".tmp-12345")
	os.WriteFile(stale, []byte("half"), 0o600)
	if _, err := fetchFile(c, context.Background(), s.URL+"/demo.tar.gz", contentHash); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file kept")
	}
}

func TestFetchRefuses(t *testing.T) {
	s, _ := server(t, false)
	tests := []struct {
		url, want, msg string
	}{
		{"http://example.com/demo.tar.gz", contentHash, "refusing plain http URL http://example.com/demo.tar.gz: use https://"},
		{"http://10.0.0.1/demo.tar.gz", contentHash, "refusing plain http URL"},
		{"ftp://example.com/demo.tar.gz", contentHash, "only https://, file:// and loopback http://"},
		{"file://relative/demo.tar.gz", contentHash, "absolute local path"},
		{"demo.tar.gz", contentHash, "only https://"},
		{s.URL + "/demo.tar.gz", strings.ToUpper(contentHash), "not 64 lowercase hex"},
		{s.URL + "/demo.tar.gz", contentHash[:63], "not 64 lowercase hex"},
		{s.URL + "/redirect-out", contentHash, "refusing redirect from " + s.URL + "/redirect-out to http://rvendor.invalid/demo.tar.gz: plain http is allowed only to loopback hosts"},
		{s.URL + "/missing.tar.gz", contentHash, "404 Not Found"},
		{"file:///nonexistent/demo.tar.gz", contentHash, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c := &fetch.Cache{Dir: t.TempDir()}
			_, err := fetchFile(c, context.Background(), tt.url, tt.want)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %q in it", err, tt.msg)
			}
			if files := cacheFiles(t, c.Dir); files != nil {
				t.Errorf("cache holds %q", files)
			}
		})
	}
}

// TestFetchRetries: timeouts, dropped connections and 5xx answers are
// tried again, a bounded number of times with a delay; 4xx never.
func TestFetchRetries(t *testing.T) {
	for _, tc := range []struct {
		path     string
		ok       bool
		requests int32
		msg      string
	}{
		{"/flaky.tar.gz", true, 3, ""},
		{"/truncated-once.tar.gz", true, 2, ""},
		{"/always-500.tar.gz", false, 3, "gave up after 3 tries"},
		{"/forbidden.tar.gz", false, 1, "403 Forbidden"},
		{"/missing.tar.gz", false, 1, "404 Not Found"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			s, n := server(t, false)
			c := &fetch.Cache{Dir: t.TempDir(), Retry: fetchRetry}
			_, err := fetchFile(c, context.Background(), s.URL+tc.path, contentHash)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want success %v", err, tc.ok)
			}
			if err != nil && !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v, want it to mention %q", err, tc.msg)
			}
			if got := n.Load(); got != tc.requests {
				t.Errorf("%d requests, want %d", got, tc.requests)
			}
			if !tc.ok && cacheFiles(t, c.Dir) != nil {
				t.Errorf("cache holds %q after a failure", cacheFiles(t, c.Dir))
			}
		})
	}
}

func TestFetchStall(t *testing.T) {
	s, _ := server(t, true)
	c := &fetch.Cache{Dir: t.TempDir(), RootCAs: roots(s), StallTimeout: 200 * time.Millisecond, Retry: fetchRetry}
	_, err := fetchFile(c, context.Background(), s.URL+"/stall", contentHash)
	if err == nil || !strings.Contains(err.Error(), "no data received") {
		t.Fatalf("err = %v, want a stall", err)
	}
	if files := cacheFiles(t, c.Dir); files != nil {
		t.Errorf("cache holds %q", files)
	}
}

func TestFetchConcurrent(t *testing.T) {
	s, n := server(t, true)
	c := &fetch.Cache{Dir: t.TempDir(), RootCAs: roots(s)}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := fetchFile(c, context.Background(), s.URL+"/demo.tar.gz", contentHash)
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n.Load() != 1 {
		t.Errorf("%d downloads, want 1", n.Load())
	}
}

func TestFetchCanceled(t *testing.T) {
	s, n := server(t, true)
	c := &fetch.Cache{Dir: t.TempDir(), RootCAs: roots(s)}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fetchFile(c, ctx, s.URL+"/demo.tar.gz", contentHash); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if files := cacheFiles(t, c.Dir); files != nil || n.Load() != 0 {
		t.Errorf("cache holds %q after %d requests", files, n.Load())
	}
}

// fetchFile opens the file whose sha256 is sum from c (downloading it
// from u when not cached), closes it and returns its place in the cache.
func fetchFile(c *fetch.Cache, ctx context.Context, u, sum string) (string, error) {
	f, err := c.Open(ctx, u, sum)
	if err != nil {
		return "", err
	}
	f.Close()
	return c.Path(sum), nil
}
