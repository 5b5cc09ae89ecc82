// Package web is the one way rvendor's fetch packages reach a server: it
// owns the URL policy, the HTTP client and transport, the redirect rule,
// the transfer limits, the retries and the User-Agent. fetch.Cache
// (archives), fetch/rustdist (manifests, .sha256, .asc) and fetch/crates
// (config.json, index files, .crate files) all go through a *Client;
// nothing else under fetch/ builds an http.Client or checks a URL scheme.
//
// URLs (CheckURL):
//   - https:// with a host; http:// only to a loopback host (localhost,
//     127.0.0.0/8, ::1, vendorspec.IsLoopback), for tests and local
//     mirrors; file:// naming an absolute local path (host empty or
//     "localhost", no query or fragment), which must be a regular file.
//     Anything else is refused before connecting.
//
// Redirects (one rule for every request, small files and downloads):
//   - At most MaxRedirects (10) hops, each checked against the URL policy
//     above; a redirect never leads to file:// or another scheme.
//   - Cross-host redirects are followed when they go to https: the
//     download hosts of crates.io and of mirrors redirect to other hosts,
//     and what arrives is checked against a pinned sha256 or a signature
//     anyway. Plain http is followed only within the same loopback host
//     and port (the exception granted to the URL the user wrote, not to
//     places a server sends us), and a non-loopback host may never
//     redirect to a loopback one (a public server cannot make rvendor
//     send requests to local services).
//
// Transfers (Client.Download, Client.Get):
//   - Requests carry User-Agent UserAgent and "Accept-Encoding: identity",
//     and the transport never decompresses (DisableCompression): the
//     bytes hashed are the bytes the server sent, even when it labels a
//     .tar.gz "Content-Encoding: gzip".
//   - The transport has connect (30 s), TLS handshake (15 s) and
//     response header (60 s) timeouts; it is never http.DefaultClient.
//   - A transfer that receives no data for StallTimeout is abandoned
//     (ErrStalled); one whose average rate over any RateWindow is below
//     MinRate, or that is not done DeadlineBase plus the time to receive
//     its expected size (Content-Length, else the cap) at DeadlineRate
//     after it started, is abandoned with a *SlowError (ErrTooSlow) that
//     says how many bytes came in how long.
//   - A body over the caller's cap is refused (ErrTooLarge), by its
//     Content-Length before reading and by an io.LimitedReader{N: max+1}
//     while reading. A body cut short (shorter than its Content-Length,
//     a chunked body without its end, a reset connection) is a
//     *TruncatedError saying after how many bytes the connection closed.
//     A body without length that ends with a clean close cannot be told
//     from a complete one.
//   - Only 200 OK is accepted; other answers are *StatusError. 404 and
//     410 (and a missing file://) match ErrNotFound.
//
// Retries (RetryPolicy):
//   - Only failures another try may cure are retried (Temporary): 5xx,
//     408 and 429 answers, timeouts, stalls, truncated bodies, reset or
//     refused connections. Never 4xx answers, refused URLs or redirects,
//     too-slow transfers, oversize bodies, or a cancelled context.
//   - Tries are bounded (4 by default) with a doubling delay from 0.5 s;
//     a Retry-After header (seconds or HTTP date) on a 429 or 503 answer
//     is waited for when it is at most MaxWait (1 min by default); a
//     longer one ends the retries at once, and the error says how long
//     the server asked to wait.
package web

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// UserAgent is sent with every request.
const UserAgent = "rvendor (+https://github.com/rvendor/rvendor)"

// MaxRedirects is the most redirects one request follows.
const MaxRedirects = 10

// Defaults of Options.
const (
	DefaultStallTimeout = 60 * time.Second
	DefaultMinRate      = 4 << 10 // bytes per second, over DefaultRateWindow
	DefaultRateWindow   = 60 * time.Second
	DefaultDeadlineBase = 2 * time.Minute
	DefaultDeadlineRate = 16 << 10 // bytes per second
)

// Timeouts of the transport.
const (
	ConnectTimeout        = 30 * time.Second
	TLSHandshakeTimeout   = 15 * time.Second
	ResponseHeaderTimeout = 60 * time.Second
)

// Options configure a Client. The zero Options takes every default.
type Options struct {
	// StallTimeout abandons a transfer that receives no data for this
	// long (connecting and waiting for the answer included); 0 means
	// DefaultStallTimeout.
	StallTimeout time.Duration
	// MinRate, in bytes per second, is the lowest average rate a
	// transfer may have over each RateWindow of its body; 0 means
	// DefaultMinRate, a negative value turns the rule off.
	MinRate int64
	// RateWindow is the span MinRate is averaged over; 0 means
	// DefaultRateWindow.
	RateWindow time.Duration
	// DeadlineBase plus the time to receive the expected size at
	// DeadlineRate (bytes per second) is the longest one transfer may
	// take, from the request to the last byte. 0 means the defaults; a
	// negative DeadlineRate turns the deadline off.
	DeadlineBase time.Duration
	DeadlineRate int64
	// Retry says how often a failed transfer is tried again.
	Retry RetryPolicy
	// RootCAs, when set, replaces the system's trusted certificate
	// authorities (a private mirror, or a test server).
	RootCAs *x509.CertPool
}

func (o Options) withDefaults() Options {
	if o.StallTimeout <= 0 {
		o.StallTimeout = DefaultStallTimeout
	}
	if o.MinRate == 0 {
		o.MinRate = DefaultMinRate
	}
	if o.RateWindow <= 0 {
		o.RateWindow = DefaultRateWindow
	}
	if o.DeadlineBase <= 0 {
		o.DeadlineBase = DefaultDeadlineBase
	}
	if o.DeadlineRate == 0 {
		o.DeadlineRate = DefaultDeadlineRate
	}
	return o
}

// Client makes rvendor's requests. It is safe for concurrent use and
// immutable once made; its connections are reused across requests.
type Client struct {
	o  Options
	hc *http.Client
}

// New returns a Client with options o.
func New(o Options) *Client {
	o = o.withDefaults()
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   TLSHandshakeTimeout,
		ResponseHeaderTimeout: ResponseHeaderTimeout,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		MaxIdleConnsPerHost:   8,
		// The bytes hashed must be the bytes sent: never decompress.
		DisableCompression: true,
	}
	return &Client{o: o, hc: &http.Client{Transport: t, CheckRedirect: checkRedirect}}
}

// checkRedirect is the http.Client's CheckRedirect: see the package
// documentation.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= MaxRedirects {
		return fmt.Errorf("stopped after %d redirects", MaxRedirects)
	}
	return CheckRedirect(via[len(via)-1].URL.String(), req.URL.String())
}

// errNoRedirect is wrapped by every refused redirect.
var errNoRedirect = errors.New("refusing redirect")
