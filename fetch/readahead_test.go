package fetch

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"
)

// cutReader returns its data, then err instead of io.EOF: a decoder that
// found the stream truncated.
type cutReader struct {
	r   io.Reader
	err error
}

func (c *cutReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		return n, c.err
	}
	return n, err
}

func TestReadAheadKeepsDecoderErrors(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 3*readAheadSize/2)
	for _, want := range []error{io.ErrUnexpectedEOF, errors.New("flate: corrupt input")} {
		ra := newReadAhead(&cutReader{r: bytes.NewReader(data), err: want}, nil)
		got, err := io.ReadAll(ra)
		ra.Close()
		if !errors.Is(err, want) {
			t.Errorf("read-ahead returned %v, want the decoder's %v", err, want)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("read %d bytes before the error, want %d", len(got), len(data))
		}
	}
	ra := newReadAhead(bytes.NewReader(data), nil)
	got, err := io.ReadAll(ra)
	ra.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("a clean stream: %d bytes, %v", len(got), err)
	}
	// Discard drops bytes without copying, and stops at the end.
	ra = newReadAhead(bytes.NewReader(data), nil)
	if n, err := ra.Discard(readAheadSize + 7); n != readAheadSize+7 || err != nil {
		t.Errorf("Discard = %d, %v", n, err)
	}
	rest, _ := io.ReadAll(ra)
	if len(rest) != len(data)-readAheadSize-7 {
		t.Errorf("%d bytes after Discard, want %d", len(rest), len(data)-readAheadSize-7)
	}
	ra.Close()
}

// TestReadAheadReusesBlocks reads streams one after another, each
// read-ahead given the blocks of the one before: the data comes through
// whole, no block is made while the spare ones suffice, blocks stay
// small (at most readAheadSmall) until a stream is past readAheadGrow,
// and a small block replaced then by a full one is handed on as the
// full one (the full blocks are not dropped later).
func TestReadAheadReusesBlocks(t *testing.T) {
	same := func(a, b []byte) bool { return &a[:1][0] == &b[:1][0] }
	var spare [][]byte
	for i, size := range []int{100, 5 << 20, 100, readAheadGrow + 3<<20, 70 << 10, 3 << 20} {
		data := bytes.Repeat([]byte{byte('a' + i)}, size)
		before := spare
		ra := newReadAhead(bytes.NewReader(data), spare)
		got, err := io.ReadAll(ra)
		ra.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("stream %d: %d bytes, %v; want %d bytes", i, len(got), err, size)
		}
		spare = ra.Blocks()
		if len(spare) < len(before) {
			t.Fatalf("stream %d: %d blocks handed on, was given %d", i, len(spare), len(before))
		}
		if len(spare) > readAheadBlocks {
			t.Fatalf("stream %d: %d blocks, over %d", i, len(spare), readAheadBlocks)
		}
		if i == 0 {
			continue
		}
		for k, b := range before {
			reused := slices.IndexFunc(spare, func(s []byte) bool { return same(s, b) }) >= 0
			if !reused && cap(b) == readAheadSize {
				t.Errorf("stream %d: spare block %d (%d bytes) was dropped", i, k, cap(b))
			}
		}
		full := 0
		for k, b := range spare {
			if cap(b) == readAheadSize {
				full++
			}
			if size < readAheadGrow && i < 3 && cap(b) > readAheadSmall {
				t.Errorf("stream %d of %d bytes: block %d is %d bytes, over %d", i, size, k, cap(b), readAheadSmall)
			}
		}
		// Past readAheadGrow, the blocks that come back are replaced by
		// full ones (those still holding the stream's end do not).
		if size > readAheadGrow && full == 0 {
			t.Errorf("stream %d of %d bytes: no full block", i, size)
		}
	}
}
