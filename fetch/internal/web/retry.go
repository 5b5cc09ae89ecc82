package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Defaults of RetryPolicy.
const (
	DefaultAttempts = 4                      // tries in all, the first included
	DefaultDelay    = 500 * time.Millisecond // before the second try; doubles, up to MaxDelay
	MaxDelay        = 8 * time.Second
	DefaultMaxWait  = time.Minute // longest Retry-After waited for
)

// RetryPolicy says how often and how patiently to try. The zero value
// takes the defaults.
type RetryPolicy struct {
	Attempts int
	Delay    time.Duration
	// MaxWait is the longest Retry-After honoured; a server asking for
	// more ends the retries.
	MaxWait time.Duration
}

// Do calls f until it succeeds, fails with an error that Temporary does
// not accept, ctx is done, or the attempts are used up; it returns f's
// last error, saying how many tries were made when there was more than
// one. Between tries it waits the policy's delay, or longer when the
// error carries a Retry-After (a *StatusError).
func (p RetryPolicy) Do(ctx context.Context, f func() error) error {
	attempts, delay, maxWait := p.Attempts, p.Delay, p.MaxWait
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	if delay <= 0 {
		delay = DefaultDelay
	}
	if maxWait <= 0 {
		maxWait = DefaultMaxWait
	}
	var err error
	for i := 1; ; i++ {
		if err = f(); err == nil || !Temporary(err) || ctx.Err() != nil {
			return err
		}
		if i == attempts {
			return fmt.Errorf("%w (gave up after %d tries)", err, attempts)
		}
		wait := delay
		var se *StatusError
		if errors.As(err, &se) && se.RetryAfter > 0 {
			if se.RetryAfter > maxWait {
				return fmt.Errorf("%w; not retrying, as that is longer than rvendor waits (%v): try again later", err, maxWait)
			}
			wait = max(wait, se.RetryAfter)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(2*delay, MaxDelay)
	}
}

// Temporary reports whether another try may cure err.
func Temporary(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code >= 500 || se.Code == http.StatusTooManyRequests || se.Code == http.StatusRequestTimeout
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, ErrTooSlow) || errors.Is(err, ErrTooLarge) ||
		errors.Is(err, ErrNotFound) || errors.Is(err, errNoRedirect) {
		return false
	}
	var te *TruncatedError
	if errors.As(err, &te) {
		return true
	}
	if errors.Is(err, ErrStalled) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// ParseRetryAfter reads a Retry-After value, delay-seconds or an HTTP
// date, as a wait from now; 0 when absent, malformed or past.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(24*time.Hour/time.Second) { // far beyond any cap; avoid overflow
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	if d := t.Sub(now); d > 0 {
		return d
	}
	return 0
}
