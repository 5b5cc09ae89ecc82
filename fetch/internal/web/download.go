package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

// Result describes a finished transfer.
type Result struct {
	Bytes int64 // bytes received
	// Length is the length the server announced (Content-Length, or a
	// file's size); -1 when it announced none, and so ended the body by
	// closing the connection or with a chunked encoding.
	Length int64
}

// Download streams the body at rawURL into the writer start returns, and
// fails past max bytes. start is called before each try, so that a retry
// begins afresh (truncate the file, reset the hash). progress, if set, is
// called as data arrives with the bytes so far and the announced length
// (-1 if none). See the package documentation for the rules.
func (c *Client) Download(ctx context.Context, rawURL string, max int64, start func() (io.Writer, error), progress func(done, total int64)) (Result, error) {
	u, err := CheckURL(rawURL)
	if err != nil {
		return Result{}, err
	}
	var res Result
	err = c.o.Retry.Do(ctx, func() error {
		w, err := start()
		if err != nil {
			return err
		}
		res, err = c.transfer(ctx, u, max, w, progress)
		return err
	})
	return res, err
}

// Get returns the content at rawURL, a small file (a manifest, a
// signature, an index file), failing past max bytes.
func (c *Client) Get(ctx context.Context, rawURL string, max int64) ([]byte, error) {
	var buf bytes.Buffer
	_, err := c.Download(ctx, rawURL, max, func() (io.Writer, error) { buf.Reset(); return &buf, nil }, nil)
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CopyBufferSize is the size of the buffer a body of length bytes (-1:
// unknown) is read through: 64 KiB, or for a smaller body of known
// length one byte more than the body (the read after it sees the end),
// but at least 512 bytes. A sparse-index file is a few KiB: a 64 KiB
// buffer for each of a closure's index reads was most of what they
// allocated.
func CopyBufferSize(length int64) int {
	const full = 64 << 10
	if length < 0 || length >= full {
		return full
	}
	return max(int(length)+1, 512)
}

// transfer makes one try of Download.
func (c *Client) transfer(parent context.Context, u *url.URL, max int64, w io.Writer, progress func(done, total int64)) (Result, error) {
	o := c.o
	res := Result{Length: -1}
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	start := time.Now()
	stall := time.AfterFunc(o.StallTimeout, func() {
		cancel(fmt.Errorf("downloading %s: %w for %v", u, ErrStalled, o.StallTimeout))
	})
	defer stall.Stop()
	// why says why ctx is done: one of the rules above, or the caller.
	why := func() error {
		err := context.Cause(ctx)
		if errors.Is(err, ErrStalled) || errors.Is(err, ErrTooSlow) {
			return err
		}
		return fmt.Errorf("downloading %s: %w", u, err)
	}

	body, length, err := c.open(ctx, u)
	if err != nil {
		if ctx.Err() != nil {
			return res, why()
		}
		return res, err
	}
	defer body.Close()
	res.Length = length
	if length > max {
		return res, fmt.Errorf("downloading %s: %w: %d bytes, over the %d-byte limit", u, ErrTooLarge, length, max)
	}

	var done atomic.Int64
	expected := length
	if expected < 0 {
		expected = max
	}
	if o.DeadlineRate > 0 {
		secs := float64(expected) / float64(o.DeadlineRate)
		deadline := o.DeadlineBase + time.Duration(min(secs, 1e9)*float64(time.Second))
		t := time.AfterFunc(deadline-time.Since(start), func() {
			cancel(&SlowError{URL: u.String(), Bytes: done.Load(), Elapsed: time.Since(start),
				Deadline: deadline, Base: o.DeadlineBase, Expected: expected, Rate: o.DeadlineRate})
		})
		defer t.Stop()
	}
	if o.MinRate > 0 {
		need := float64(o.MinRate) * o.RateWindow.Seconds()
		go func() {
			tick := time.NewTicker(o.RateWindow)
			defer tick.Stop()
			var mark int64
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				now := done.Load()
				if float64(now-mark) < need {
					cancel(&SlowError{URL: u.String(), Bytes: now - mark, Elapsed: o.RateWindow, MinRate: o.MinRate})
					return
				}
				mark = now
			}
		}()
	}

	lr := &io.LimitedReader{R: body, N: max + 1}
	buf := make([]byte, CopyBufferSize(length))
	for {
		n, rerr := lr.Read(buf)
		if n > 0 {
			stall.Reset(o.StallTimeout)
			if _, err := w.Write(buf[:n]); err != nil {
				return res, fmt.Errorf("writing the download of %s: %w", u, err)
			}
			res.Bytes = done.Add(int64(n))
			if progress != nil {
				progress(res.Bytes, length)
			}
		}
		if rerr == io.EOF {
			break
		}
		if ctx.Err() != nil {
			return res, why()
		}
		if rerr != nil {
			// The body did not come to its end: the connection closed,
			// was reset, or the chunked encoding stopped short.
			return res, &TruncatedError{URL: u.String(), Got: res.Bytes, Want: length, Err: rerr}
		}
	}
	if lr.N <= 0 {
		return res, fmt.Errorf("downloading %s: %w: over the %d-byte limit", u, ErrTooLarge, max)
	}
	if length >= 0 && res.Bytes < length {
		return res, &TruncatedError{URL: u.String(), Got: res.Bytes, Want: length, Err: io.ErrUnexpectedEOF}
	}
	return res, nil
}

// open starts reading u: a local file, or the body of a 200 answer. It
// returns the announced length, -1 if none.
func (c *Client) open(ctx context.Context, u *url.URL) (io.ReadCloser, int64, error) {
	if u.Scheme == "file" {
		// O_NONBLOCK: a FIFO named by the URL is refused below, never
		// waited on.
		f, err := os.OpenFile(filepath.FromSlash(u.Path), os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			err = fmt.Errorf("fetching %s: %w", u, err)
			if errors.Is(err, fs.ErrNotExist) {
				err = &notFoundError{err}
			}
			return nil, 0, err
		}
		fi, err := f.Stat()
		if err == nil && !fi.Mode().IsRegular() {
			err = errors.New("not a regular file")
		}
		if err != nil {
			f.Close()
			return nil, 0, fmt.Errorf("fetching %s: %w", u, err)
		}
		return f, fi.Size(), nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, fmt.Errorf("downloading %s: %w", u, err)
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the URL
		}
		return nil, 0, fmt.Errorf("downloading %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		se := &StatusError{URL: u.String(), Code: resp.StatusCode, Status: resp.Status}
		if se.Code == http.StatusTooManyRequests || se.Code == http.StatusServiceUnavailable {
			se.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		return nil, 0, se
	}
	return resp.Body, resp.ContentLength, nil
}
