package fetch_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/internal/web"
	"github.com/rvendor/rvendor/internal/archivetest"
)

func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// TestOpenReturnsTheHashedFile: Open and OpenCached return an open file
// at offset 0 whose bytes are the ones hashed. Replacing the cache entry
// after the check does not change what the caller reads (with a path, as
// Fetch returned, the caller read whatever was there when it opened it).
func TestOpenReturnsTheHashedFile(t *testing.T) {
	s, n := server(t, false)
	c := &fetch.Cache{Dir: t.TempDir()}
	final := filepath.Join(c.Dir, "sha256", contentHash[:2], contentHash)
	evil := filepath.Join(t.TempDir(), "evil")
	os.WriteFile(evil, []byte("evil bytes"), 0o644)
	check := func(name string, f *os.File) {
		t.Helper()
		defer f.Close()
		if off, _ := f.Seek(0, io.SeekCurrent); off != 0 {
			t.Errorf("%s: file at offset %d", name, off)
		}
		if err := os.Rename(evil, final); err != nil { // replace the entry behind the caller's back
			t.Fatal(err)
		}
		b, err := io.ReadAll(f)
		if err != nil || !bytes.Equal(b, content) {
			t.Errorf("%s: read %q, %v; want the hashed content", name, b, err)
		}
		os.Remove(final)
	}

	f, err := c.Open(context.Background(), s.URL+"/demo.tar.gz", contentHash) // downloaded
	if err != nil {
		t.Fatal(err)
	}
	check("fresh download", f)

	if _, err := fetchFile(c, context.Background(), s.URL+"/demo.tar.gz", contentHash); err != nil { // back in the cache
		t.Fatal(err)
	}
	os.WriteFile(evil, []byte("evil bytes"), 0o644)
	f, err = c.Open(context.Background(), s.URL+"/demo.tar.gz", contentHash) // a hit
	if err != nil {
		t.Fatal(err)
	}
	check("cache hit", f)

	fetchFile(c, context.Background(), s.URL+"/demo.tar.gz", contentHash)
	os.WriteFile(evil, []byte("evil bytes"), 0o644)
	f, ok, err := c.OpenCached(contentHash)
	if err != nil || !ok {
		t.Fatalf("OpenCached = %v, %v", ok, err)
	}
	check("OpenCached", f)
	if got := n.Load(); got != 3 {
		t.Errorf("%d requests, want 3 (one per removal)", got)
	}
}

func TestOpenCached(t *testing.T) {
	c := &fetch.Cache{Dir: t.TempDir()}
	if f, ok, err := c.OpenCached(contentHash); f != nil || ok || err != nil {
		t.Errorf("empty cache: %v %v %v", f, ok, err)
	}
	if _, _, err := c.OpenCached("ABC"); err == nil {
		t.Error("a malformed sha256 was accepted")
	}
	// A corrupt entry is absent, and left for Open to replace.
	p := filepath.Join(c.Dir, "sha256", contentHash[:2], contentHash)
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("bit rot"), 0o444)
	if f, ok, err := c.OpenCached(contentHash); f != nil || ok || err != nil {
		t.Errorf("corrupt entry: %v %v %v", f, ok, err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Errorf("OpenCached removed the corrupt entry: %v", err)
	}
	if f, ok, err := (&fetch.Cache{}).OpenCached(contentHash); f != nil || ok || err != nil {
		t.Errorf("no Dir: %v %v %v", f, ok, err)
	}
}

// TestOpenContentEncoding: a server that labels a .tar.gz
// "Content-Encoding: gzip" gets "Accept-Encoding: identity", and the bytes
// hashed are the bytes it sent, not their decompression.
func TestOpenContentEncoding(t *testing.T) {
	var tgz bytes.Buffer
	zw := gzip.NewWriter(&tgz)
	zw.Write([]byte("a tar stream"))
	zw.Close()
	var acceptEncoding atomic.Value
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		acceptEncoding.Store(r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Type", "application/x-tar")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(tgz.Bytes())
	})
	c := &fetch.Cache{Dir: t.TempDir(), Retry: fetchRetry}
	f, err := c.Open(context.Background(), s.URL+"/x.tar.gz", archivetest.SHA256(tgz.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if ae := acceptEncoding.Load(); ae != "identity" {
		t.Errorf("Accept-Encoding %q, want identity", ae)
	}
	// Small files too.
	data, err := c.Get(context.Background(), s.URL+"/x.tar.gz", 1<<20)
	if err != nil || !bytes.Equal(data, tgz.Bytes()) {
		t.Errorf("Get = %q, %v", data, err)
	}
}

// TestOpenTruncated: a body cut short is a truncated download saying
// after how many bytes the connection closed, not a checksum mismatch:
// shorter than its Content-Length, a chunked body without its end, and a
// body without length cut by a reset connection.
func TestOpenTruncated(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/short":
			w.Header().Set("Content-Length", fmt.Sprint(len(content)))
			w.Write(content[:5])
		case "/chunked":
			w.Write(content[:7])
			w.(http.Flusher).Flush() // chunked: no length
			panic(http.ErrAbortHandler)
		case "/reset":
			conn, bw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			bw.WriteString("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
			bw.Write(content[:9])
			bw.Flush()
			time.Sleep(50 * time.Millisecond)
			conn.(*net.TCPConn).SetLinger(0) // close with a reset
			conn.Close()
		}
	})
	for _, tc := range []struct {
		path string
		want int64
		msg  string
	}{
		{"/short", int64(len(content)), fmt.Sprintf("the connection closed after 5 of %d bytes", len(content))},
		{"/chunked", -1, "the connection closed after 7 bytes, before the end of the body"},
		{"/reset", -1, "the connection closed after"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			c := &fetch.Cache{Dir: t.TempDir(), Retry: fetchRetry}
			_, err := c.Open(context.Background(), s.URL+tc.path, contentHash)
			var te *web.TruncatedError
			if !errors.As(err, &te) || te.Want != tc.want || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want a truncated download (%q)", err, tc.msg)
			}
			if errors.Is(err, fetch.ErrChecksumMismatch) || !strings.Contains(err.Error(), "gave up after 3 tries") {
				t.Errorf("err = %v: want a retried truncation, not a mismatch", err)
			}
			if files := cacheFiles(t, c.Dir); files != nil {
				t.Errorf("cache holds %q", files)
			}
		})
	}
}

// TestOpenRetryAfter: a 429 answer's Retry-After is waited for; one
// asking for more than the cap ends the retries at once; neither message
// tells the user to check the URL.
func TestOpenRetryAfter(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		first := len(times) == 1
		mu.Unlock()
		switch r.URL.Path {
		case "/busy-once":
			if first {
				w.Header().Set("Retry-After", "1")
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
			w.Write(content)
		case "/busy-for-an-hour":
			w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case "/busy":
			http.Error(w, "slow down", http.StatusTooManyRequests)
		}
	})
	c := &fetch.Cache{Dir: t.TempDir(), Retry: fetchRetry}
	f, err := c.Open(context.Background(), s.URL+"/busy-once", contentHash)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if len(times) != 2 || times[1].Sub(times[0]) < 900*time.Millisecond {
		t.Errorf("%d requests, %v apart: want 2, 1s apart as Retry-After asked", len(times), times[len(times)-1].Sub(times[0]))
	}

	times = nil
	_, err = c.Open(context.Background(), s.URL+"/busy-for-an-hour", otherHash)
	if err == nil || len(times) != 1 || !strings.Contains(err.Error(), "429 Too Many Requests (the server asks to wait") ||
		!strings.Contains(err.Error(), "not retrying") || strings.Contains(strings.ToLower(err.Error()), "check the url") {
		t.Errorf("Retry-After of an hour: err = %v after %d requests", err, len(times))
	}

	times = nil
	_, err = c.Open(context.Background(), s.URL+"/busy", otherHash)
	if err == nil || len(times) != 3 || !strings.Contains(err.Error(), "the server is limiting requests") ||
		strings.Contains(strings.ToLower(err.Error()), "check the url") {
		t.Errorf("429 without Retry-After: err = %v after %d requests", err, len(times))
	}
}

// trickle sends n bytes one at a time, every, after announcing size
// (-1: no Content-Length).
func trickle(size, n int, every time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if size >= 0 {
			w.Header().Set("Content-Length", fmt.Sprint(size))
		}
		w.WriteHeader(http.StatusOK)
		for range n {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(every):
			}
			w.Write([]byte{'x'})
			w.(http.Flusher).Flush()
		}
	}
}

// TestOpenTooSlow: a server trickling bytes keeps the stall timer alive;
// the minimum rate over a window and the deadline end the download, not
// retried, and say how many bytes came in how long.
func TestOpenTooSlow(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		c    func() *fetch.Cache
	}{
		{"rate", trickle(-1, 1000, 10*time.Millisecond), func() *fetch.Cache {
			return &fetch.Cache{MinRate: 2000, RateWindow: 300 * time.Millisecond, DeadlineRate: -1}
		}},
		{"deadline", trickle(1000, 1000, 5*time.Millisecond), func() *fetch.Cache {
			return &fetch.Cache{MinRate: -1, DeadlineBase: 200 * time.Millisecond, DeadlineRate: 10000}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			s := serve(t, func(w http.ResponseWriter, r *http.Request) { n.Add(1); tc.h(w, r) })
			c := tc.c()
			c.Dir, c.Retry, c.StallTimeout = t.TempDir(), fetchRetry, time.Second
			start := time.Now()
			_, err := c.Open(context.Background(), s.URL+"/slow.tar.gz", contentHash)
			if !errors.Is(err, web.ErrTooSlow) || n.Load() != 1 {
				t.Fatalf("err = %v after %d requests, want one too-slow download", err, n.Load())
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			msg := err.Error()
			if tc.name == "rate" {
				if !strings.Contains(msg, "below the minimum of 2.0 KiB/s averaged over 300ms") || !strings.Contains(msg, " bytes in 300ms (") {
					t.Errorf("err = %v", err)
				}
			} else if !strings.Contains(msg, "of 1000 bytes in 3") || !strings.Contains(msg, "past the deadline of 300ms (200ms plus the time to receive 1000 bytes at 9.8 KiB/s)") {
				t.Errorf("err = %v", err)
			}
			if files := cacheFiles(t, c.Dir); files != nil {
				t.Errorf("cache holds %q", files)
			}
		})
	}
	// Without a length, the deadline counts the cap.
	s := serve(t, trickle(-1, 1000, 5*time.Millisecond))
	_, err := (&fetch.Cache{Dir: t.TempDir(), MinRate: -1, DeadlineBase: 100 * time.Millisecond, DeadlineRate: 1 << 40}).Open(context.Background(), s.URL+"/x", contentHash)
	if !errors.Is(err, web.ErrTooSlow) || !strings.Contains(err.Error(), fmt.Sprintf("of %d bytes", int64(fetch.MaxDownloadSize))) {
		t.Errorf("no length: err = %v", err)
	}
}

// TestOpenSweepsStaleTemps: temporary files of killed downloads are
// removed: the entry's own whatever their age (under its lock), other
// entries' once unwritten for a day, in its folder and in every folder on
// the cache's first Open.
func TestOpenSweepsStaleTemps(t *testing.T) {
	s, _ := server(t, false)
	c := &fetch.Cache{Dir: t.TempDir()}
	dir := filepath.Join(c.Dir, "sha256", contentHash[:2])
	otherDir := filepath.Join(c.Dir, "sha256", "00")
	os.MkdirAll(dir, 0o755)
	os.MkdirAll(otherDir, 0o755)
	old := time.Now().Add(-25 * time.Hour)
	sibling := contentHash[:2] + strings.Repeat("1", 62)
	files := map[string]bool{ // path: removed
		filepath.Join(dir, contentHash+".tmp-1"):                       true,
		filepath.Join(dir, sibling+".tmp-2"):                           true,  // old
		filepath.Join(dir, sibling+".tmp-3"):                           false, // being written
		filepath.Join(otherDir, "00"+strings.Repeat("2", 62)+".tmp-4"): true,
		filepath.Join(otherDir, "00"+strings.Repeat("3", 62)+".tmp-5"): false,
		filepath.Join(otherDir, "notes.txt"):                           false,
	}
	for p := range files {
		os.WriteFile(p, []byte("half"), 0o600)
		if !strings.HasSuffix(p, "-3") && !strings.HasSuffix(p, "-5") && !strings.HasSuffix(p, "-1") {
			os.Chtimes(p, old, old)
		}
	}
	f, err := c.Open(context.Background(), s.URL+"/demo.tar.gz", contentHash)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	for p, removed := range files {
		if _, err := os.Stat(p); os.IsNotExist(err) != removed {
			t.Errorf("%s: removed %v, want %v", p, os.IsNotExist(err), removed)
		}
	}
}

func TestCacheDir(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	if d, err := fetch.CacheDir(env(fetch.CacheEnv, "/tmp/rv-cache", "HOME", "/home/x")); err != nil || d != "/tmp/rv-cache" {
		t.Errorf("RVENDOR_CACHE: %q, %v", d, err)
	}
	wd, _ := os.Getwd()
	if d, err := fetch.CacheDir(env(fetch.CacheEnv, "rel")); err != nil || d != filepath.Join(wd, "rel") {
		t.Errorf("relative RVENDOR_CACHE: %q, %v", d, err)
	}
	if os.Getenv("HOME") == "" || runtime.GOOS == "darwin" || runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return
	}
	for _, tc := range []struct {
		env  func(string) string
		want string
	}{
		{env("XDG_CACHE_HOME", "/xdg", "HOME", "/home/x"), "/xdg/rvendor"},
		{env("HOME", "/home/x"), "/home/x/.cache/rvendor"},
		{env("XDG_CACHE_HOME", "relative", "HOME", "/home/x"), ""},
		{env(), ""},
		{nil, ""},
	} {
		d, err := fetch.CacheDir(tc.env)
		if d != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("CacheDir = %q, %v; want %q", d, err, tc.want)
		}
		if err != nil && !strings.Contains(err.Error(), "(set RVENDOR_CACHE)") {
			t.Errorf("error %v does not name %s", err, fetch.CacheEnv)
		}
	}
}

// TestRedirectRule: one rule for downloads and small files: cross-host
// redirects are followed to https, plain http only within one loopback
// host.
func TestRedirectRule(t *testing.T) {
	target := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(content) }))
	defer target.Close()
	httpTarget := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Write(content) })
	src := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-https":
			http.Redirect(w, r, target.URL+"/demo.tar.gz", http.StatusFound)
		case "/to-http":
			http.Redirect(w, r, httpTarget.URL+"/demo.tar.gz", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	src.TLS = target.TLS
	src.StartTLS()
	defer src.Close()
	c := &fetch.Cache{Dir: t.TempDir(), RootCAs: roots(target), Retry: fetchRetry}
	f, err := c.Open(context.Background(), src.URL+"/to-https", contentHash)
	if err != nil {
		t.Fatalf("cross-host https redirect: %v", err)
	}
	f.Close()
	if data, err := c.Get(context.Background(), src.URL+"/to-https", 100); err != nil || !bytes.Equal(data, content) {
		t.Errorf("Get through a cross-host https redirect: %q %v", data, err)
	}
	for path, msg := range map[string]string{
		"/to-http": "refusing redirect from " + src.URL + "/to-http to " + httpTarget.URL + "/demo.tar.gz: a redirect may use plain http only within the same loopback host",
		"/loop":    "stopped after 10 redirects",
	} {
		_, err := c.Open(context.Background(), src.URL+path, otherHash)
		if err == nil || !strings.Contains(err.Error(), msg) || strings.Contains(err.Error(), "gave up") {
			t.Errorf("%s: err = %v, want %q, not retried", path, err, msg)
		}
		if _, err := c.Get(context.Background(), src.URL+path, 100); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Get %s: err = %v, want %q", path, err, msg)
		}
	}
}

func TestGet(t *testing.T) {
	s, _ := server(t, false)
	c := &fetch.Cache{Retry: fetchRetry} // no Dir: Get stores nothing
	if data, err := c.Get(context.Background(), s.URL+"/demo.tar.gz", int64(len(content))); err != nil || !bytes.Equal(data, content) {
		t.Errorf("Get = %q, %v", data, err)
	}
	if _, err := c.Get(context.Background(), s.URL+"/demo.tar.gz", 5); !errors.Is(err, web.ErrTooLarge) {
		t.Errorf("over the cap: %v", err)
	}
	if _, err := c.Get(context.Background(), s.URL+"/missing", 5); !errors.Is(err, web.ErrNotFound) || !strings.Contains(err.Error(), "404 Not Found (check the URL)") {
		t.Errorf("404: %v", err)
	}
	if _, err := c.Get(context.Background(), "file:///nonexistent/x", 5); !errors.Is(err, web.ErrNotFound) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := c.Get(context.Background(), "file:///dev/zero", 5); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("file:///dev/zero: %v", err)
	}
	if _, err := c.Get(context.Background(), "http://example.com/x", 5); err == nil || !strings.Contains(err.Error(), "refusing plain http URL") {
		t.Errorf("plain http: %v", err)
	}
}
