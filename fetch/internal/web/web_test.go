package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rvendor/rvendor/fetch/internal/web"
)

func TestCheckURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://static.crates.io/crates/x/x-1.0.0.crate": true,
		"http://127.0.0.1:8080/x":                         true,
		"http://localhost/x":                              true,
		"http://[::1]:80/x":                               true,
		"file:///srv/mirror/x.tar.gz":                     true,
		"file://localhost/srv/x":                          true,
		"http://example.com/x":                            false,
		"http://10.0.0.1/x":                               false,
		"https:///x":                                      false,
		"https:opaque":                                    false,
		"file://host/x":                                   false,
		"file://relative/x":                               false,
		"file:///srv/x?q":                                 false,
		"ftp://example.com/x":                             false,
		"x.tar.gz":                                        false,
		"":                                                false,
	} {
		if _, err := web.CheckURL(u); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v, want ok %v", u, err, ok)
		}
	}
}

func TestCheckRedirect(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		why      string // "" when followed
	}{
		{"https://crates.io/api/v1/crates/x/1.0.0/download", "https://static.crates.io/crates/x/x-1.0.0.crate", ""},
		{"https://127.0.0.1:1/a", "https://127.0.0.1:2/b", ""},
		{"https://127.0.0.1:1/a", "https://static.example/b", ""},
		{"http://127.0.0.1:1/a", "http://127.0.0.1:1/b", ""},
		{"http://127.0.0.1:1/a", "https://mirror.example/b", ""},
		{"http://127.0.0.1:1/a", "http://127.0.0.1:2/b", "plain http only within the same loopback host"},
		{"https://127.0.0.1:1/a", "http://127.0.0.1:1/b", "plain http only within the same loopback host"},
		{"https://mirror.example/a", "http://mirror.example/b", "plain http is allowed only to loopback hosts"},
		{"https://mirror.example/a", "https://127.0.0.1/admin", "a remote server may not redirect to a loopback host"},
		{"https://mirror.example/a", "https://localhost/admin", "a remote server may not redirect to a loopback host"},
		{"https://mirror.example/a", "file:///etc/passwd", "a redirect must lead to https"},
		{"https://mirror.example/a", "ftp://mirror.example/b", "a redirect must lead to https"},
	} {
		err := web.CheckRedirect(tc.from, tc.to)
		if tc.why == "" && err != nil || tc.why != "" && (err == nil || !strings.Contains(err.Error(), tc.why) || !strings.Contains(err.Error(), "refusing redirect from "+tc.from+" to "+tc.to)) {
			t.Errorf("CheckRedirect(%s, %s) = %v, want %q", tc.from, tc.to, err, tc.why)
		}
		if err != nil && web.Temporary(err) {
			t.Errorf("a refused redirect is retried: %v", err)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                               0,
		"30":                             30 * time.Second,
		" 2 ":                            2 * time.Second,
		"0":                              0,
		"-5":                             0,
		"soon":                           0,
		"Fri, 01 May 2026 12:01:30 GMT":  90 * time.Second,
		"Friday, 01-May-26 12:00:10 GMT": 10 * time.Second,
		"Fri, 01 May 2026 11:00:00 GMT":  0, // past
		"99999999999999999999":           0, // not an int64
		"9999999999":                     24 * time.Hour,
	} {
		if got := web.ParseRetryAfter(v, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestTemporary(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&web.StatusError{Code: 500, Status: "500 Internal Server Error"}, true},
		{&web.StatusError{Code: 503}, true},
		{&web.StatusError{Code: 429}, true},
		{&web.StatusError{Code: 408}, true},
		{&web.StatusError{Code: 404}, false},
		{&web.StatusError{Code: 403}, false},
		{fmt.Errorf("wrapped: %w", &web.StatusError{Code: 502}), true},
		{fmt.Errorf("x: %w", web.ErrStalled), true},
		{&web.TruncatedError{Err: syscall.ECONNRESET}, true},
		{io.ErrUnexpectedEOF, true},
		{syscall.ECONNRESET, true},
		{context.DeadlineExceeded, true},
		{context.Canceled, false},
		{&web.SlowError{}, false},
		{fmt.Errorf("x: %w", web.ErrTooLarge), false},
		{errors.New("checksum mismatch"), false},
	} {
		if got := web.Temporary(tc.err); got != tc.want {
			t.Errorf("Temporary(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestDo(t *testing.T) {
	p := web.RetryPolicy{Attempts: 3, Delay: time.Millisecond}
	n := 0
	err := p.Do(context.Background(), func() error {
		n++
		if n < 3 {
			return &web.StatusError{Code: 500}
		}
		return nil
	})
	if err != nil || n != 3 {
		t.Errorf("two 500s then success: err %v after %d tries", err, n)
	}
	n = 0
	err = p.Do(context.Background(), func() error { n++; return &web.StatusError{Code: 500, Status: "500"} })
	if err == nil || n != 3 || !strings.Contains(err.Error(), "gave up after 3 tries") {
		t.Errorf("always 500: err %v after %d tries", err, n)
	}
	n = 0
	err = p.Do(context.Background(), func() error { n++; return &web.StatusError{Code: 404} })
	if n != 1 || err == nil {
		t.Errorf("404 was tried %d times", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	err = web.RetryPolicy{Attempts: 5, Delay: time.Hour}.Do(ctx, func() error { n++; cancel(); return &web.StatusError{Code: 500} })
	if n != 1 || err == nil {
		t.Errorf("a cancelled run was tried %d times", n)
	}

	// Retry-After: waited for up to MaxWait, refused beyond.
	p.MaxWait = 200 * time.Millisecond
	n = 0
	start := time.Now()
	err = p.Do(context.Background(), func() error {
		n++
		if n == 1 {
			return &web.StatusError{Code: 429, Status: "429 Too Many Requests", RetryAfter: 100 * time.Millisecond}
		}
		return nil
	})
	if err != nil || n != 2 || time.Since(start) < 100*time.Millisecond {
		t.Errorf("Retry-After 100ms: err %v after %d tries in %v", err, n, time.Since(start))
	}
	n = 0
	err = p.Do(context.Background(), func() error {
		n++
		return &web.StatusError{URL: "u", Code: 429, Status: "429 Too Many Requests", RetryAfter: time.Second}
	})
	if n != 1 || err == nil || !strings.Contains(err.Error(), "the server asks to wait 1s before trying again); not retrying, as that is longer than rvendor waits (200ms)") {
		t.Errorf("Retry-After over MaxWait: err %v after %d tries", err, n)
	}
}

func TestStatusErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		e    web.StatusError
		want string
	}{
		{web.StatusError{URL: "u", Code: 404, Status: "404 Not Found"}, "GET u: 404 Not Found (check the URL)"},
		{web.StatusError{URL: "u", Code: 429, Status: "429 Too Many Requests"}, "GET u: 429 Too Many Requests (the server is limiting requests; wait and try again)"},
		{web.StatusError{URL: "u", Code: 503, Status: "503 Service Unavailable", RetryAfter: time.Minute}, "GET u: 503 Service Unavailable (the server asks to wait 1m0s before trying again)"},
		{web.StatusError{URL: "u", Code: 500, Status: "500 Internal Server Error"}, "GET u: 500 Internal Server Error"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("%d: %q, want %q", tc.e.Code, got, tc.want)
		}
	}
	if !errors.Is(&web.StatusError{Code: http.StatusGone}, web.ErrNotFound) || errors.Is(&web.StatusError{Code: 403}, web.ErrNotFound) {
		t.Error("ErrNotFound matches 410 and not 403")
	}
}

func TestFormatRate(t *testing.T) {
	for r, want := range map[int64]string{0: "0 B/s", 1023: "1023 B/s", 4096: "4.0 KiB/s", 1536: "1.5 KiB/s", 3 << 20: "3.0 MiB/s"} {
		if got := web.FormatRate(r); got != want {
			t.Errorf("FormatRate(%d) = %q, want %q", r, got, want)
		}
	}
}

func TestCopyBufferSize(t *testing.T) {
	for _, tt := range []struct {
		length int64
		want   int
	}{
		{-1, 64 << 10}, {0, 512}, {100, 512}, {511, 512}, {512, 513}, {4000, 4001},
		{64<<10 - 1, 64 << 10}, {64 << 10, 64 << 10}, {1 << 30, 64 << 10},
	} {
		if got := web.CopyBufferSize(tt.length); got != tt.want {
			t.Errorf("CopyBufferSize(%d) = %d, want %d", tt.length, got, tt.want)
		}
	}
}
