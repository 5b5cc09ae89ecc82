package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestTemporary(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&StatusError{Code: 500, Status: "500 Internal Server Error"}, true},
		{&StatusError{Code: 503}, true},
		{&StatusError{Code: 429}, true},
		{&StatusError{Code: 404}, false},
		{&StatusError{Code: 403}, false},
		{fmt.Errorf("wrapped: %w", &StatusError{Code: 502}), true},
		{fmt.Errorf("x: %w", ErrStalled), true},
		{io.ErrUnexpectedEOF, true},
		{syscall.ECONNRESET, true},
		{context.DeadlineExceeded, true},
		{context.Canceled, false},
		{errors.New("checksum mismatch"), false},
	} {
		if got := Temporary(tc.err); got != tc.want {
			t.Errorf("Temporary(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestDo(t *testing.T) {
	p := Policy{Attempts: 3, Delay: time.Millisecond}
	n := 0
	err := p.Do(context.Background(), func() error {
		n++
		if n < 3 {
			return &StatusError{Code: 500}
		}
		return nil
	})
	if err != nil || n != 3 {
		t.Errorf("two 500s then success: err %v after %d tries", err, n)
	}
	n = 0
	err = p.Do(context.Background(), func() error { n++; return &StatusError{Code: 500, Status: "500"} })
	if err == nil || n != 3 || !strings.Contains(err.Error(), "gave up after 3 tries") {
		t.Errorf("always 500: err %v after %d tries", err, n)
	}
	n = 0
	err = p.Do(context.Background(), func() error { n++; return &StatusError{Code: 404} })
	if n != 1 || err == nil {
		t.Errorf("404 was tried %d times", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	err = Policy{Attempts: 5, Delay: time.Hour}.Do(ctx, func() error { n++; cancel(); return &StatusError{Code: 500} })
	if n != 1 || err == nil {
		t.Errorf("a cancelled run was tried %d times", n)
	}
}
