package rustdist

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/rvendor/rvendor/fetch/internal/retry"
)

// ErrNotFound is what a Getter's error wraps when the server says the file
// does not exist (HTTP 404 or 410, or no such local file).
var ErrNotFound = errors.New("not found")

// ErrTooLarge is what a Getter's error wraps when a file exceeds its cap.
var ErrTooLarge = errors.New("file too large")

// Getter fetches small files (manifests, .sha256, .asc) by URL. Archives
// are not fetched through it; they go to the download cache.
type Getter interface {
	// Get returns the content at u. It must fail rather than return
	// more than max bytes, and wrap ErrNotFound for a missing file.
	Get(ctx context.Context, u string, max int64) ([]byte, error)
}

// HTTPGetter is a Getter over HTTPS, loopback HTTP and file:// URLs.
type HTTPGetter struct {
	// Client is used for http and https; nil means a client with
	// Timeout. Its CheckRedirect is replaced by the policy below.
	Client *http.Client
	// Timeout bounds one whole request when Client is nil; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// AllowCrossHostRedirects lets redirects leave the requested host.
	// Redirects to plain http (other than loopback) are always refused.
	AllowCrossHostRedirects bool
	// UserAgent is sent with each request when set.
	UserAgent string
	// Retry says how often a request that failed in a way another try may
	// cure (timeout, dropped connection, 5xx) is tried again; never after
	// a 4xx. The zero value takes the defaults of fetch's retry policy.
	Retry retry.Policy
}

// DefaultTimeout bounds one small-file request.
const DefaultTimeout = 60 * time.Second

// Get implements Getter.
func (g *HTTPGetter) Get(ctx context.Context, u string, max int64) ([]byte, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	switch pu.Scheme {
	case "file":
		return getFile(pu.Path, max)
	case "https":
	case "http":
		if !IsLoopback(pu.Hostname()) {
			return nil, fmt.Errorf("GET %s: plain http is refused except to a loopback address", u)
		}
	default:
		return nil, fmt.Errorf("GET %s: unsupported scheme", u)
	}
	c := http.Client{Timeout: g.Timeout}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if g.Client != nil {
		c = *g.Client
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if req.URL.Scheme != "https" && !(req.URL.Scheme == "http" && IsLoopback(req.URL.Hostname())) {
			return fmt.Errorf("refusing redirect to %s: not https", req.URL)
		}
		if !g.AllowCrossHostRedirects && req.URL.Host != via[0].URL.Host {
			return fmt.Errorf("refusing redirect from %s to another host, %s", via[0].URL.Host, req.URL.Host)
		}
		return nil
	}
	var data []byte
	err = g.Retry.Do(ctx, func() error {
		data, err = g.get(ctx, &c, u, max)
		return err
	})
	return data, err
}

// get makes one request of Get.
func (g *HTTPGetter) get(ctx context.Context, c *http.Client, u string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if g.UserAgent != "" {
		req.Header.Set("User-Agent", g.UserAgent)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fmt.Errorf("GET %s: %s: %w", u, resp.Status, ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		return nil, &retry.StatusError{URL: u, Code: resp.StatusCode, Status: resp.Status}
	}
	data, err := readCapped(resp.Body, max)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.ContentLength >= 0 && int64(len(data)) != resp.ContentLength {
		return nil, fmt.Errorf("GET %s: got %d bytes of %d: %w", u, len(data), resp.ContentLength, io.ErrUnexpectedEOF)
	}
	return data, nil
}

func getFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := readCapped(f, max)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

// readCapped reads r to the end, failing with ErrTooLarge past max bytes.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	lr := &io.LimitedReader{R: r, N: max + 1}
	data, err := io.ReadAll(lr)
	if err != nil {
		return nil, err
	}
	if lr.N <= 0 {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return data, nil
}
