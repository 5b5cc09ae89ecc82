package rustdist

import (
	"context"

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
