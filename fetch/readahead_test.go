package fetch

import (
	"bytes"
	"errors"
	"io"
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
		ra := newReadAhead(&cutReader{r: bytes.NewReader(data), err: want})
		got, err := io.ReadAll(ra)
		ra.Close()
		if !errors.Is(err, want) {
			t.Errorf("read-ahead returned %v, want the decoder's %v", err, want)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("read %d bytes before the error, want %d", len(got), len(data))
		}
	}
	ra := newReadAhead(bytes.NewReader(data))
	got, err := io.ReadAll(ra)
	ra.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("a clean stream: %d bytes, %v", len(got), err)
	}
	// Discard drops bytes without copying, and stops at the end.
	ra = newReadAhead(bytes.NewReader(data))
	if n, err := ra.Discard(readAheadSize + 7); n != readAheadSize+7 || err != nil {
		t.Errorf("Discard = %d, %v", n, err)
	}
	rest, _ := io.ReadAll(ra)
	if len(rest) != len(data)-readAheadSize-7 {
		t.Errorf("%d bytes after Discard, want %d", len(rest), len(data)-readAheadSize-7)
	}
	ra.Close()
}
