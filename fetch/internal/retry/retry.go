// Package retry is the one retry policy of rvendor's downloads: bounded
// attempts with a doubling delay, for failures that another try may cure
// (timeouts, stalls, dropped connections, 5xx and 429 answers) and never
// for those it cannot (4xx answers, refused URLs, checksum mismatches, a
// cancelled command).
package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"
)

// Defaults of Policy.
const (
	DefaultAttempts = 4                      // tries in all, the first included
	DefaultDelay    = 500 * time.Millisecond // before the second try; doubles, up to MaxDelay
	MaxDelay        = 8 * time.Second
)

// Policy says how often and how patiently to try. The zero Policy takes
// the defaults.
type Policy struct {
	Attempts int
	Delay    time.Duration
}

// Do calls f until it succeeds, fails with an error that Temporary does
// not accept, ctx is done, or the attempts are used up; it returns f's
// last error, saying how many tries were made when there was more than
// one.
func (p Policy) Do(ctx context.Context, f func() error) error {
	attempts, delay := p.Attempts, p.Delay
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	if delay <= 0 {
		delay = DefaultDelay
	}
	var err error
	for i := 1; ; i++ {
		if err = f(); err == nil || !Temporary(err) || ctx.Err() != nil {
			return err
		}
		if i == attempts {
			return fmt.Errorf("%w (gave up after %d tries)", err, attempts)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(2*delay, MaxDelay)
	}
}

// StatusError is an HTTP answer other than 200 OK.
type StatusError struct {
	URL    string
	Code   int
	Status string // e.g. "503 Service Unavailable"
}

func (e *StatusError) Error() string { return fmt.Sprintf("GET %s: %s", e.URL, e.Status) }

// ErrStalled marks a transfer abandoned because no data came for too
// long.
var ErrStalled = errors.New("no data received")

// Temporary reports whether another try may cure err.
func Temporary(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code >= 500 || se.Code == 429
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, ErrStalled) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
