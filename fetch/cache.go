package fetch

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/lockedfile"

	"github.com/rvendor/rvendor/fetch/internal/web"
	"github.com/rvendor/rvendor/tree"
)

// MaxDownloadSize caps one download (4 GiB); a longer body is refused
// before it is hashed.
const MaxDownloadSize = 4 << 30

// Defaults of the Cache's transfer rules; see the package documentation.
const (
	// DefaultStallTimeout is how long a download may receive no data
	// before it is abandoned.
	DefaultStallTimeout = web.DefaultStallTimeout
	// DefaultMinRate (bytes per second) and DefaultRateWindow: a download
	// whose average rate over a window is lower is abandoned.
	DefaultMinRate    = web.DefaultMinRate
	DefaultRateWindow = web.DefaultRateWindow
	// DefaultDeadlineBase and DefaultDeadlineRate (bytes per second): a
	// download must be done within the base plus the time to receive its
	// expected size at the rate.
	DefaultDeadlineBase = web.DefaultDeadlineBase
	DefaultDeadlineRate = web.DefaultDeadlineRate
)

// StaleTempAge is how long a temporary file of a download may go
// unwritten before the cache removes it as left by a killed run.
const StaleTempAge = 24 * time.Hour

// CacheEnv names the environment variable that overrides the cache
// folder.
const CacheEnv = "RVENDOR_CACHE"

// CacheDir returns the download cache folder for the environment getenv
// reads: $RVENDOR_CACHE (made absolute) if set, else the rvendor folder
// of the user's cache folder, found as os.UserCacheDir does
// ($XDG_CACHE_HOME or $HOME/.cache on Linux). A nil getenv is an empty
// environment.
func CacheDir(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if d := getenv(CacheEnv); d != "" {
		return filepath.Abs(d)
	}
	d, err := userCacheDir(getenv)
	if err != nil {
		return "", fmt.Errorf("finding the download cache: %w (set %s)", err, CacheEnv)
	}
	return filepath.Join(d, "rvendor"), nil
}

// userCacheDir is os.UserCacheDir reading the environment through getenv.
func userCacheDir(getenv func(string) string) (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := getenv("LocalAppData"); d != "" {
			return d, nil
		}
		return "", errors.New("%LocalAppData% is not defined")
	case "darwin", "ios":
		if d := getenv("HOME"); d != "" {
			return filepath.Join(d, "Library", "Caches"), nil
		}
		return "", errors.New("$HOME is not defined")
	case "plan9":
		if d := getenv("home"); d != "" {
			return filepath.Join(d, "lib", "cache"), nil
		}
		return "", errors.New("$home is not defined")
	}
	if d := getenv("XDG_CACHE_HOME"); d != "" {
		if !filepath.IsAbs(d) {
			return "", errors.New("path in $XDG_CACHE_HOME is relative")
		}
		return d, nil
	}
	if d := getenv("HOME"); d != "" {
		return filepath.Join(d, ".cache"), nil
	}
	return "", errors.New("neither $XDG_CACHE_HOME nor $HOME are defined")
}

// Cache is a content-addressed download cache. The file whose sha256 is
// H (lowercase hex) is kept as Dir/sha256/H[:2]/H, read-only once written.
// A Cache may be used by several goroutines and processes at once: each
// entry is written under a file lock (Dir/sha256/H[:2]/H.lock).
//
// The Cache also reads small files that have no pinned hash (Get), with
// the same network rules: a *Cache is the rustdist.Getter of a run.
//
// Set the fields before the first call; the network settings are read
// once, when the first request is made.
type Cache struct {
	// Dir is the cache folder; see CacheDir.
	Dir string
	// StallTimeout abandons a download that receives no data for this
	// long; 0 means DefaultStallTimeout.
	StallTimeout time.Duration
	// MinRate (bytes per second) abandons a download whose average rate
	// over any RateWindow of its body is lower. 0 means DefaultMinRate
	// and DefaultRateWindow; a negative MinRate turns the rule off.
	MinRate    int64
	RateWindow time.Duration
	// DeadlineBase plus the time to receive the expected size
	// (Content-Length, or MaxDownloadSize when the server sends none) at
	// DeadlineRate (bytes per second) is the longest one try of a
	// download may take. 0 means the defaults; a negative DeadlineRate
	// turns the deadline off.
	DeadlineBase time.Duration
	DeadlineRate int64
	// Retry says how often a download that failed in a way another try
	// may cure (a timeout, a stall, a truncated body, a dropped
	// connection, a 5xx, 408 or 429 answer) is tried again; never after
	// another 4xx answer, a too-slow transfer or a checksum mismatch.
	// The zero value takes the defaults: 4 tries, from 0.5 s apart,
	// honouring Retry-After up to a minute.
	Retry web.RetryPolicy
	// RootCAs, when set, replaces the system's certificate authorities
	// (for a private mirror, or a test server).
	RootCAs *x509.CertPool
	// Progress, if set, is called as a download proceeds with the bytes
	// received so far and the expected total (-1 if unknown). It is not
	// called for a file found in the cache, nor by Get.
	Progress func(url string, done, total int64)

	clientOnce sync.Once
	wc         *web.Client
	sweepOnce  sync.Once
}

func (c *Cache) client() *web.Client {
	c.clientOnce.Do(func() {
		c.wc = web.New(web.Options{
			StallTimeout: c.StallTimeout,
			MinRate:      c.MinRate,
			RateWindow:   c.RateWindow,
			DeadlineBase: c.DeadlineBase,
			DeadlineRate: c.DeadlineRate,
			Retry:        c.Retry,
			RootCAs:      c.RootCAs,
		})
	})
	return c.wc
}

// Get returns the content at rawURL, a small file with no pinned sha256
// (a manifest, .sha256, .asc, registry config or index file), failing
// past max bytes. It goes through the same URL policy, redirect rule,
// transfer limits and retries as Open, and stores nothing. A 404 or 410
// answer, or a missing file:// path, matches rustdist.ErrNotFound.
func (c *Cache) Get(ctx context.Context, rawURL string, max int64) ([]byte, error) {
	return c.client().Get(ctx, rawURL, max)
}

// path returns the folder of want's entry and the entry's file.
func (c *Cache) path(want string) (dir, file string) {
	dir = filepath.Join(c.Dir, "sha256", want[:2])
	return dir, filepath.Join(dir, want)
}

// OpenCached returns the cached file whose sha256 is want, open and
// positioned at its start, after hashing it through the descriptor it
// returns; ok is false when it is not cached. It never downloads and
// never writes: a file that is present but no longer hashes to want is
// reported absent (the next Open replaces it). A Cache without Dir holds
// nothing.
func (c *Cache) OpenCached(want string) (f *os.File, ok bool, err error) {
	if !tree.IsSHA256Hex(want) {
		return nil, false, fmt.Errorf("sha256 %q is not 64 lowercase hex digits", want)
	}
	if c.Dir == "" {
		return nil, false, nil
	}
	_, final := c.path(want)
	f, err = openVerified(final, want)
	if err == errCorrupt {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading the download cache: %w", err)
	}
	return f, f != nil, nil
}

// Path returns where the cache keeps the file whose sha256 is sum (64
// lowercase hex digits), whether or not it is there.
func (c *Cache) Path(sum string) string {
	_, final := c.path(sum)
	return final
}

// Open returns the file whose sha256 is want (64 lowercase hex digits),
// open and positioned at its start, downloading rawURL into the cache
// when it is not there. The caller closes it.
//
// rawURL is an https:// URL, a file:// URL of an absolute local path, or
// an http:// URL of a loopback host; see the package documentation for
// redirects, limits and retries.
//
// The bytes the caller reads are bytes that were hashed:
//   - A download is written to a temporary file in the entry's folder
//     while being hashed, synced, compared with want, made read-only and
//     renamed into place, and that same descriptor is returned (it was
//     opened read-write to be written, and its Name is the temporary
//     name; read it only). The download is not read again.
//   - A cached file is opened and hashed through the descriptor that is
//     returned, then rewound: a hit is read twice on purpose, so that
//     nothing is unpacked before its sha256 matched. One that no longer
//     matches is removed and downloaded again.
//
// A mismatch is a *ChecksumError (errors.Is ErrChecksumMismatch) and
// leaves nothing in the cache.
func (c *Cache) Open(ctx context.Context, rawURL, want string) (*os.File, error) {
	if !tree.IsSHA256Hex(want) {
		return nil, fmt.Errorf("fetching %s: sha256 %q is not 64 lowercase hex digits", rawURL, want)
	}
	if _, err := web.CheckURL(rawURL); err != nil {
		return nil, err
	}
	if c.Dir == "" {
		return nil, errors.New("fetch: Cache.Dir is empty")
	}
	c.sweepOnce.Do(func() { sweepAll(c.Dir, time.Now()) })
	dir, final := c.path(want)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the download cache: %w", err)
	}
	if f, err := openVerified(final, want); f != nil {
		return f, nil
	} else if err != nil && err != errCorrupt {
		return nil, fmt.Errorf("reading the download cache: %w", err)
	}

	unlock, err := lockedfile.MutexAt(final + ".lock").Lock()
	if err != nil {
		return nil, fmt.Errorf("locking the download cache: %w", err)
	}
	defer unlock()
	// Second look: another process may have finished while we waited.
	f, err := openVerified(final, want)
	switch {
	case f != nil:
		return f, nil
	case err == errCorrupt:
		if err := os.Remove(final); err != nil {
			return nil, fmt.Errorf("removing corrupt cache file: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("reading the download cache: %w", err)
	}
	sweep(dir, want, time.Now())
	return c.download(ctx, rawURL, dir, final, want)
}

// download fetches rawURL into the cache entry final (whose lock the
// caller holds) and returns the descriptor it was written through.
func (c *Cache) download(ctx context.Context, rawURL, dir, final, want string) (*os.File, error) {
	tmp, err := os.CreateTemp(dir, want+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("creating the download cache file: %w", err)
	}
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var progress func(done, total int64)
	if c.Progress != nil {
		progress = func(done, total int64) { c.Progress(rawURL, done, total) }
	}
	h := sha256.New()
	res, err := c.client().Download(ctx, rawURL, MaxDownloadSize, func() (io.Writer, error) {
		// Each try starts the file and the hash afresh.
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		if err := tmp.Truncate(0); err != nil {
			return nil, err
		}
		h.Reset()
		return io.MultiWriter(tmp, h), nil
	}, progress)
	if err != nil {
		return nil, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return nil, &ChecksumError{URL: rawURL, Want: want, Got: got, Size: res.Bytes, NoLength: res.Length < 0}
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(0o444); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return nil, fmt.Errorf("adding %s to the download cache: %w", rawURL, err)
	}
	renamed = true
	if d, err := os.Open(dir); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		tmp.Close()
		return nil, err
	}
	return tmp, nil
}

// errCorrupt is a cache file whose sha256 is not its name.
var errCorrupt = errors.New("corrupt cache file")

// openVerified opens file, hashes it through the returned descriptor and
// rewinds it. It returns (nil, nil) when file does not exist and
// errCorrupt when its sha256 is not want.
func openVerified(file, want string) (*os.File, error) {
	f, err := os.OpenFile(file, os.O_RDONLY|oNoFollow, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		f.Close()
		return nil, err
	}
	if hex.EncodeToString(h.Sum(nil)) != want {
		f.Close()
		return nil, errCorrupt
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// tempOf returns the entry a temporary download file belongs to
// ("H.tmp-N"), or "" if name is not one.
func tempOf(name string) string {
	if len(name) > 64 && strings.HasPrefix(name[64:], ".tmp-") && tree.IsSHA256Hex(name[:64]) {
		return name[:64]
	}
	return ""
}

// sweep removes the temporary files of killed downloads from dir: those
// of want's entry, whose lock the caller holds, whatever their age, and
// those of other entries not written for StaleTempAge (a download in
// progress writes its file at least once per stall timeout, so such a
// file is no one's). Failures are ignored.
func sweep(dir, want string, now time.Time) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		h := tempOf(e.Name())
		if h == "" {
			continue
		}
		if h != want {
			info, err := e.Info()
			if err != nil || now.Sub(info.ModTime()) < StaleTempAge {
				continue
			}
		}
		os.Remove(filepath.Join(dir, e.Name()))
	}
}

// sweepAll removes, best-effort, the temporary files of every entry not
// written for StaleTempAge.
func sweepAll(cacheDir string, now time.Time) {
	dirs, _ := os.ReadDir(filepath.Join(cacheDir, "sha256"))
	for _, d := range dirs {
		if d.IsDir() {
			sweep(filepath.Join(cacheDir, "sha256", d.Name()), "", now)
		}
	}
}
