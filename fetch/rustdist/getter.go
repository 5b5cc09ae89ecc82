package rustdist

import (
	"context"
	"net/http"
	"time"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/internal/web"
)

// ErrNotFound is what a Getter's error wraps when the server says the file
// does not exist (HTTP 404 or 410, or no such local file).
var ErrNotFound = web.ErrNotFound

// ErrTooLarge is what a Getter's error wraps when a file exceeds its cap.
var ErrTooLarge = web.ErrTooLarge

// Getter fetches small files (manifests, .sha256, .asc) by URL. Archives
// are not fetched through it; they go to the download cache. A
// *fetch.Cache is a Getter (fetch.Cache.Get), with the URL policy,
// redirect rule, limits and retries of every rvendor download.
type Getter interface {
	// Get returns the content at u. It must fail rather than return
	// more than max bytes, and wrap ErrNotFound for a missing file.
	Get(ctx context.Context, u string, max int64) ([]byte, error)
}

var _ Getter = (*fetch.Cache)(nil)

// HTTPGetter is a Getter over HTTPS, loopback HTTP and file:// URLs: an
// adapter over fetch.Cache.Get, with that method's rules.
//
// Deprecated: use a *fetch.Cache as the Getter, so that small files and
// archives share one client and one set of network settings.
type HTTPGetter struct {
	// Client is used only for the certificate authorities of its
	// *http.Transport's TLS configuration, if any (a test server's).
	Client *http.Client
	// Timeout is ignored: the stall, rate and deadline rules of
	// fetch.Cache apply.
	Timeout time.Duration
	// AllowCrossHostRedirects is ignored: the one redirect rule of fetch
	// applies (cross-host redirects are followed to https only).
	AllowCrossHostRedirects bool
	// UserAgent is ignored: every request sends rvendor's.
	UserAgent string
	// Retry says how often a request that failed in a way another try may
	// cure (timeout, dropped connection, 5xx) is tried again; never after
	// another 4xx. The zero value takes the defaults.
	Retry web.RetryPolicy
}

// DefaultTimeout was the bound of one small-file request.
//
// Deprecated: unused; fetch's stall, rate and deadline rules apply.
const DefaultTimeout = 60 * time.Second

// Get implements Getter.
func (g *HTTPGetter) Get(ctx context.Context, u string, max int64) ([]byte, error) {
	c := &fetch.Cache{Retry: g.Retry}
	if g.Client != nil {
		if t, ok := g.Client.Transport.(*http.Transport); ok && t.TLSClientConfig != nil {
			c.RootCAs = t.TLSClientConfig.RootCAs
		}
	}
	return c.Get(ctx, u, max)
}
