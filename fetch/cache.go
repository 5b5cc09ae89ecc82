package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/lockedfile"

	"github.com/rvendor/rvendor/fetch/internal/retry"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// MaxDownloadSize caps one download (4 GiB); a longer body is refused
// before it is hashed.
const MaxDownloadSize = 4 << 30

// DefaultStallTimeout is how long a download may receive no data before it
// is abandoned.
const DefaultStallTimeout = 60 * time.Second

// CacheEnv names the environment variable that overrides DefaultCacheDir.
const CacheEnv = "RVENDOR_CACHE"

// DefaultCacheDir returns $RVENDOR_CACHE if set, else the rvendor folder
// of os.UserCacheDir (~/.cache/rvendor on Linux).
func DefaultCacheDir() (string, error) {
	if d := os.Getenv(CacheEnv); d != "" {
		return filepath.Abs(d)
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the download cache: %w (set %s)", err, CacheEnv)
	}
	return filepath.Join(d, "rvendor"), nil
}

// Cache is a content-addressed download cache. The file whose sha256 is
// H (lowercase hex) is kept as Dir/sha256/H[:2]/H, read-only once written.
// A Cache may be used by several goroutines and processes at once: each
// entry is written under a file lock (Dir/sha256/H[:2]/H.lock).
type Cache struct {
	// Dir is the cache folder; see DefaultCacheDir.
	Dir string
	// Client makes the https:// requests. nil means a client with
	// connect, TLS-handshake, response-header and idle timeouts, that
	// follows at most 10 redirects, all to allowed URLs. It is never
	// http.DefaultClient.
	Client *http.Client
	// StallTimeout abandons a download that receives no data for this
	// long; 0 means DefaultStallTimeout.
	StallTimeout time.Duration
	// Retry says how often a download that failed in a way another try
	// may cure (a timeout, a stall, a dropped connection, a 5xx answer) is
	// tried again; never after a 4xx answer or a checksum mismatch. The
	// zero value takes retry's defaults: 4 tries, from 0.5 s apart.
	Retry retry.Policy
	// Progress, if set, is called as a download proceeds with the bytes
	// received so far and the expected total (-1 if unknown). It is not
	// called for a file found in the cache.
	Progress func(url string, done, total int64)
}

// Lookup returns the path of the cached file whose sha256 is want, and
// whether it is there. It never downloads and never writes: a file that
// is present but no longer hashes to want is reported absent (the next
// Fetch replaces it).
func (c *Cache) Lookup(want string) (string, bool) {
	if !isHex64(want) || c.Dir == "" {
		return "", false
	}
	final := filepath.Join(c.Dir, "sha256", want[:2], want)
	if ok, _ := hashIs(final, want); ok {
		return final, true
	}
	return "", false
}

// Fetch returns the path of the cached file whose sha256 is want (64
// lowercase hex digits), downloading rawURL when it is not cached.
//
// rawURL is a file:// URL of an absolute local path, an https:// URL, or
// an http:// URL of a loopback host (localhost, 127.0.0.0/8, ::1: for
// tests and local mirrors); a redirect must go to such a URL too.
//
// A cached file is hashed again before use; one that no longer matches is
// removed and downloaded again. A download is written to a temporary file
// in the same folder, synced, hashed and compared with want, and only then
// renamed into place. A mismatch is a *ChecksumError (errors.Is
// ErrChecksumMismatch) and leaves nothing in the cache.
func (c *Cache) Fetch(ctx context.Context, rawURL, want string) (string, error) {
	if !isHex64(want) {
		return "", fmt.Errorf("fetching %s: sha256 %q is not 64 lowercase hex digits", rawURL, want)
	}
	u, err := checkURL(rawURL)
	if err != nil {
		return "", err
	}
	if c.Dir == "" {
		return "", errors.New("fetch: Cache.Dir is empty")
	}
	dir := filepath.Join(c.Dir, "sha256", want[:2])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating the download cache: %w", err)
	}
	final := filepath.Join(dir, want)
	if ok, _ := hashIs(final, want); ok {
		return final, nil
	}

	unlock, err := lockedfile.MutexAt(final + ".lock").Lock()
	if err != nil {
		return "", fmt.Errorf("locking the download cache: %w", err)
	}
	defer unlock()
	// Second look: another process may have finished while we waited.
	ok, err := hashIs(final, want)
	if ok {
		return final, nil
	}
	if err == nil { // present but corrupt
		if err := os.Remove(final); err != nil {
			return "", fmt.Errorf("removing corrupt cache file: %w", err)
		}
	}
	// Temporary files left by a killed run; safe to remove under the lock.
	if stale, _ := filepath.Glob(filepath.Join(dir, want+".tmp-*")); stale != nil {
		for _, s := range stale {
			os.Remove(s)
		}
	}

	tmp, err := os.CreateTemp(dir, want+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("creating the download cache file: %w", err)
	}
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	err = c.Retry.Do(ctx, func() error {
		// Each try starts the file and the hash afresh.
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if err := tmp.Truncate(0); err != nil {
			return err
		}
		h.Reset()
		return c.download(ctx, u, io.MultiWriter(tmp, h))
	})
	if err != nil {
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return "", &ChecksumError{URL: rawURL, Want: want, Got: got}
	}
	if err := os.Chmod(tmp.Name(), 0o444); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", fmt.Errorf("adding %s to the download cache: %w", rawURL, err)
	}
	renamed = true
	if d, err := os.Open(dir); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return final, nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// hashIs reports whether the file exists (err == nil) and has the sha256 want.
func hashIs(file, want string) (bool, error) {
	f, err := os.Open(file)
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == want, nil
}

// checkURL parses rawURL and refuses the schemes and hosts Fetch does not
// download from.
func checkURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", rawURL, err)
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return nil, fmt.Errorf("fetching %s: the URL has no host", rawURL)
		}
		return u, nil
	case "http":
		if !vendorspec.IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("refusing plain http URL %s: use https:// (http:// is allowed only to loopback hosts)", rawURL)
		}
		return u, nil
	case "file":
		if u.Host != "" && u.Host != "localhost" || u.Opaque != "" || !filepath.IsAbs(filepath.FromSlash(u.Path)) {
			return nil, fmt.Errorf("fetching %s: a file URL must name an absolute local path, as in file:///srv/mirror/x.tar.gz", rawURL)
		}
		return u, nil
	}
	return nil, fmt.Errorf("refusing URL %s: only https://, file:// and loopback http:// URLs are fetched", rawURL)
}

var defaultClient = sync.OnceValue(func() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   15 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
			IdleConnTimeout:       90 * time.Second,
			ExpectContinueTimeout: time.Second,
			MaxIdleConnsPerHost:   4,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			_, err := checkURL(req.URL.String())
			return err
		},
	}
})

// download copies the content of u to w.
func (c *Cache) download(ctx context.Context, u *url.URL, w io.Writer) error {
	stall := c.StallTimeout
	if stall <= 0 {
		stall = DefaultStallTimeout
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := time.AfterFunc(stall, func() {
		cancel(fmt.Errorf("%w for %v", retry.ErrStalled, stall))
	})
	defer timer.Stop()

	var body io.Reader
	total := int64(-1)
	if u.Scheme == "file" {
		f, err := os.Open(filepath.FromSlash(u.Path))
		if err != nil {
			return fmt.Errorf("fetching %s: %w", u, err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil {
			total = fi.Size()
		}
		body = f
	} else {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return fmt.Errorf("downloading %s: %w", u, err)
		}
		req.Header.Set("User-Agent", "rvendor (+https://github.com/rvendor/rvendor)")
		client := c.Client
		if client == nil {
			client = defaultClient()
		}
		resp, err := client.Do(req)
		if err != nil {
			if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil {
				return fmt.Errorf("downloading %s: %w", u, cause)
			}
			return fmt.Errorf("downloading %s: %w", u, err)
		}
		defer resp.Body.Close()
		if final := resp.Request.URL; final.String() != u.String() {
			if _, err := checkURL(final.String()); err != nil {
				return fmt.Errorf("downloading %s: redirected: %w", u, err)
			}
		}
		if resp.StatusCode != http.StatusOK {
			err := &retry.StatusError{URL: u.String(), Code: resp.StatusCode, Status: resp.Status}
			if resp.StatusCode >= 400 && resp.StatusCode < 500 {
				return fmt.Errorf("downloading %s: %w (check the url in rvendor.toml)", u, err)
			}
			return fmt.Errorf("downloading %s: %w", u, err)
		}
		total = resp.ContentLength
		body = resp.Body
	}
	if total > MaxDownloadSize {
		return fmt.Errorf("downloading %s: %d bytes is over the %d-byte limit", u, total, int64(MaxDownloadSize))
	}

	lr := &io.LimitedReader{R: body, N: MaxDownloadSize + 1}
	buf := make([]byte, 64<<10)
	var done int64
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("downloading %s: %w", u, context.Cause(ctx))
		}
		n, rerr := lr.Read(buf)
		if n > 0 {
			timer.Reset(stall)
			if _, err := w.Write(buf[:n]); err != nil {
				return fmt.Errorf("writing the download of %s: %w", u, err)
			}
			done += int64(n)
			if c.Progress != nil {
				c.Progress(u.String(), done, total)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			if ctx.Err() != nil {
				rerr = context.Cause(ctx)
			}
			return fmt.Errorf("downloading %s: %w", u, rerr)
		}
	}
	if lr.N <= 0 {
		return fmt.Errorf("downloading %s: over the %d-byte limit", u, int64(MaxDownloadSize))
	}
	return nil
}
