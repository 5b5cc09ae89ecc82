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
//
// Blocks start small: the first is 64 KiB and the others 256 KiB
// (readAheadSmall), and only a stream past readAheadGrow bytes has its
// blocks replaced by full ones as they come back. A .crate (bindgen's
// closure's largest, winapi, is 7 MiB of tar) then moves through at most
// 832 KiB of blocks, where four full ones were 4 MiB of fresh memory per
// unpacking slot; a Rust source tarball (hundreds of MiB) still moves
// in 1 MiB pieces after its first 16 MiB.
const (
	readAheadSize   = 1 << 20
	readAheadBlocks = 4
	readAheadSmall  = 256 << 10
	readAheadGrow   = 16 << 20
)

type block struct {
	buf []byte
	err error
}

// readAhead reads r, an in-process decoder, in a goroutine, which is the
// only user of r until Close returns. Close stops it and waits for it; it
// does not close r.
type readAhead struct {
	full chan block
	free chan []byte
	stop chan struct{}
	once sync.Once
	done sync.WaitGroup
	cur  []byte
	off  int
	err  error

	spare [][]byte // blocks to fill before making new ones
	all   [][]byte // every block in use, for Blocks
}

// newReadAhead starts reading r. r must be an in-process decoder, whose
// reads never wait on another process: blocks are filled whole, so that
// the two goroutines meet once per block, not once per decoder window.
// spare, which may be nil, holds the blocks of an earlier read-ahead
// (its Blocks): they are used, in order, before any block is made, so
// that reading many small streams touches fresh memory only for the
// first.
func newReadAhead(r io.Reader, spare [][]byte) *readAhead {
	ra := &readAhead{
		full:  make(chan block, readAheadBlocks),
		free:  make(chan []byte, readAheadBlocks),
		stop:  make(chan struct{}),
		spare: spare,
	}
	ra.done.Add(1)
	go func() {
		defer ra.done.Done()
		// Blocks are made as needed, 64 KiB, then 256 KiB: most .crate
		// files are far under 1 MiB. Once the stream is past
		// readAheadGrow, a small block coming back is replaced by a
		// full one, so long streams still move in 1 MiB pieces (few
		// hand-offs between the goroutines).
		made, total := 0, 0
		for {
			var buf []byte
			if made < readAheadBlocks && len(ra.free) == 0 {
				buf = ra.newBlock(made)
				made++
			} else {
				select {
				case buf = <-ra.free:
				case <-ra.stop:
					return
				}
				if cap(buf) < readAheadSize && total >= readAheadGrow {
					buf = ra.grow(buf)
				}
			}
			// Fill the block; only the decoder's own io.EOF ends the
			// stream (io.ReadFull would turn a truncation the decoder
			// reports as io.ErrUnexpectedEOF into a clean end).
			n := 0
			var err error
			for n < len(buf[:cap(buf)]) && err == nil {
				var m int
				m, err = r.Read(buf[n:cap(buf)])
				n += m
			}
			total += n
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

// newBlock returns the block numbered made (from 0): the next spare
// block, else a new one of 64 KiB (the first) or readAheadSmall bytes.
func (ra *readAhead) newBlock(made int) []byte {
	var buf []byte
	if len(ra.spare) > 0 {
		buf = ra.spare[0][:0]
		ra.spare = ra.spare[1:]
	} else {
		buf = make([]byte, min(readAheadSmall, 64<<10<<(2*made)))
	}
	ra.all = append(ra.all, buf)
	return buf
}

// grow returns a block of readAheadSize bytes in place of small, a
// block of ra.all.
func (ra *readAhead) grow(small []byte) []byte {
	buf := make([]byte, readAheadSize)
	for i, b := range ra.all {
		if &b[:1][0] == &small[:1][0] {
			ra.all[i] = buf
		}
	}
	return buf
}

// Blocks returns every block the read-ahead used, for a later
// newReadAhead to use again; spare blocks it did not need come last.
// Only after Close, and when nothing still reads what Read returned.
func (ra *readAhead) Blocks() [][]byte {
	return append(ra.all, ra.spare...)
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
	ra.once.Do(func() { close(ra.stop) })
	ra.done.Wait()
	return nil
}

// Discard drops the next n bytes without copying them, as
// bufio.Reader.Discard does; it returns how many bytes it dropped (fewer
// only at the end of the stream, with its error).
func (ra *readAhead) Discard(n int) (int, error) {
	var done int
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
		k := min(len(ra.cur)-ra.off, n-done)
		ra.off += k
		done += k
	}
	return done, nil
}
