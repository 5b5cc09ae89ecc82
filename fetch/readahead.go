package fetch

import (
	"io"
	"sync"
)

// Read-ahead between the decompressor and the tar reader: decompression
// runs in its own goroutine, filling up to readAheadBlocks blocks of
// readAheadSize bytes, while the tar reader parses, hashes and writes.
// On a machine with two cores this overlaps the two halves of extraction;
// memory stays bounded at readAheadBlocks*readAheadSize.
const (
	readAheadSize   = 1 << 20
	readAheadBlocks = 4
)

type block struct {
	buf []byte
	err error
}

// readAhead reads r in a goroutine, which is the only user of r until
// Close returns. Close stops it and waits for it, calling interrupt first
// (if set) to end a read that would block; it does not close r.
type readAhead struct {
	interrupt func()
	full      chan block
	free      chan []byte
	stop      chan struct{}
	once      sync.Once
	done      sync.WaitGroup
	cur       []byte
	off       int
	err       error
}

// newReadAhead starts reading r. fill says r is an in-process decoder
// whose reads never wait on another process, so blocks are filled whole;
// otherwise (a pipe) each block is one Read.
func newReadAhead(r io.Reader, fill bool, interrupt func()) *readAhead {
	ra := &readAhead{
		interrupt: interrupt,
		full:      make(chan block, readAheadBlocks),
		free:      make(chan []byte, readAheadBlocks),
		stop:      make(chan struct{}),
	}
	for i := 0; i < readAheadBlocks; i++ {
		ra.free <- make([]byte, readAheadSize)
	}
	ra.done.Add(1)
	go func() {
		defer ra.done.Done()
		for {
			var buf []byte
			select {
			case buf = <-ra.free:
			case <-ra.stop:
				return
			}
			var n int
			var err error
			if fill {
				// An in-process decoder never waits for anyone: fill
				// the block, so that the two goroutines meet once per
				// MiB, not once per decoder window.
				n, err = io.ReadFull(r, buf[:cap(buf)])
				if err == io.ErrUnexpectedEOF {
					err = io.EOF
				}
			} else {
				// One Read per block from a pipe: what is there is
				// handed on at once (the writer may pause, and the tar
				// reader must not wait for a full block that will not
				// come).
				n, err = r.Read(buf[:cap(buf)])
			}
			if n == 0 && err == nil {
				ra.free <- buf
				continue
			}
			select {
			case ra.full <- block{buf: buf[:n], err: err}:
			case <-ra.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return ra
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for ra.off == len(ra.cur) {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.cur != nil {
			ra.free <- ra.cur[:0]
			ra.cur = nil
		}
		b := <-ra.full
		ra.cur, ra.off, ra.err = b.buf, 0, b.err
	}
	n := copy(p, ra.cur[ra.off:])
	ra.off += n
	return n, nil
}

// Close stops the reading goroutine and waits for it.
func (ra *readAhead) Close() error {
	ra.once.Do(func() {
		close(ra.stop)
		if ra.interrupt != nil {
			ra.interrupt()
		}
	})
	ra.done.Wait()
	return nil
}

// skip drops the next n bytes without copying them, as far as they are
// already read ahead, and reads past the rest; it returns how many bytes
// it skipped (fewer only at the end of the stream, with its error).
func (ra *readAhead) skip(n int64) (int64, error) {
	var done int64
	for done < n {
		if ra.off == len(ra.cur) {
			if ra.err != nil {
				return done, ra.err
			}
			if ra.cur != nil {
				ra.free <- ra.cur[:0]
				ra.cur = nil
			}
			b := <-ra.full
			ra.cur, ra.off, ra.err = b.buf, 0, b.err
			continue
		}
		k := min(int64(len(ra.cur)-ra.off), n-done)
		ra.off += int(k)
		done += k
	}
	return done, nil
}
