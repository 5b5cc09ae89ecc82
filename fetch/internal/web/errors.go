package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

var (
	// ErrNotFound is matched by a 404 or 410 answer and a missing
	// file:// path.
	ErrNotFound = errors.New("not found")
	// ErrTooLarge is matched by a body over the caller's cap.
	ErrTooLarge = errors.New("file too large")
	// ErrStalled is matched by a transfer abandoned because no data came
	// for StallTimeout.
	ErrStalled = errors.New("no data received")
	// ErrTooSlow is matched by every *SlowError.
	ErrTooSlow = errors.New("download too slow")
)

// StatusError is an HTTP answer other than 200 OK.
type StatusError struct {
	URL    string
	Code   int
	Status string // e.g. "503 Service Unavailable"
	// RetryAfter is how long the server asked to wait (Retry-After on a
	// 429 or 503 answer), 0 if it did not say.
	RetryAfter time.Duration
}

// Error returns "GET URL: STATUS", followed by what the server asked
// (429, 503) or, for other 4xx answers, "(check the URL)".
func (e *StatusError) Error() string {
	s := fmt.Sprintf("GET %s: %s", e.URL, e.Status)
	switch {
	case e.RetryAfter > 0:
		s += fmt.Sprintf(" (the server asks to wait %v before trying again)", e.RetryAfter)
	case e.Code == http.StatusTooManyRequests:
		s += " (the server is limiting requests; wait and try again)"
	case e.Code >= 400 && e.Code < 500 && e.Code != http.StatusRequestTimeout:
		s += " (check the URL)"
	}
	return s
}

// Is reports whether target is ErrNotFound and the answer 404 or 410.
func (e *StatusError) Is(target error) bool {
	return target == ErrNotFound && (e.Code == http.StatusNotFound || e.Code == http.StatusGone)
}

// TruncatedError is a body that ended before it was complete: shorter
// than its Content-Length, or cut by a reset connection or a chunked
// encoding that did not finish. It is never a checksum mismatch: the
// bytes that came were not compared with anything.
type TruncatedError struct {
	URL  string
	Got  int64 // bytes received
	Want int64 // the length the server announced, -1 if it sent none
	Err  error // what the reader reported
}

// Error says after how many bytes the connection closed.
func (e *TruncatedError) Error() string {
	if e.Want >= 0 {
		return fmt.Sprintf("downloading %s: truncated: the connection closed after %d of %d bytes", e.URL, e.Got, e.Want)
	}
	return fmt.Sprintf("downloading %s: truncated: the connection closed after %d bytes, before the end of the body (%v)", e.URL, e.Got, e.Err)
}

// Unwrap returns io.ErrUnexpectedEOF and the reader's error.
func (e *TruncatedError) Unwrap() []error { return []error{io.ErrUnexpectedEOF, e.Err} }

// SlowError is a transfer abandoned for being too slow: under the minimum
// rate over a window (Deadline == 0), or past its deadline.
type SlowError struct {
	URL     string
	Bytes   int64         // bytes received in Elapsed
	Elapsed time.Duration // the window, or the time since the request
	// The rate rule.
	MinRate int64 // bytes per second
	// The deadline rule: Deadline = Base + Expected at Rate.
	Deadline time.Duration
	Base     time.Duration
	Expected int64 // Content-Length, or the cap when the server sent none
	Rate     int64 // bytes per second
}

// Error says how many bytes came in how long, and which rule that broke.
func (e *SlowError) Error() string {
	if e.Deadline > 0 {
		return fmt.Sprintf("downloading %s: %d of %d bytes in %v, past the deadline of %v (%v plus the time to receive %d bytes at %s)",
			e.URL, e.Bytes, e.Expected, e.Elapsed.Round(time.Millisecond), e.Deadline.Round(time.Millisecond), e.Base, e.Expected, FormatRate(e.Rate))
	}
	got := int64(float64(e.Bytes) / e.Elapsed.Seconds())
	return fmt.Sprintf("downloading %s: %d bytes in %v (%s), below the minimum of %s averaged over %v",
		e.URL, e.Bytes, e.Elapsed.Round(time.Millisecond), FormatRate(got), FormatRate(e.MinRate), e.Elapsed.Round(time.Millisecond))
}

// Unwrap returns ErrTooSlow.
func (e *SlowError) Unwrap() error { return ErrTooSlow }

// FormatRate writes a rate in bytes per second as "N B/s", "N.N KiB/s" or
// "N.N MiB/s".
func FormatRate(r int64) string {
	switch {
	case r < 1<<10:
		return strconv.FormatInt(r, 10) + " B/s"
	case r < 1<<20:
		return strconv.FormatFloat(float64(r)/(1<<10), 'f', 1, 64) + " KiB/s"
	}
	return strconv.FormatFloat(float64(r)/(1<<20), 'f', 1, 64) + " MiB/s"
}

// notFoundError is a missing file:// path: its message is the system's,
// and it matches both fs.ErrNotExist and ErrNotFound.
type notFoundError struct{ err error }

func (e *notFoundError) Error() string   { return e.err.Error() }
func (e *notFoundError) Unwrap() []error { return []error{e.err, ErrNotFound} }
