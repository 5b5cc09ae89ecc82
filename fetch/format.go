package fetch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
	"golang.org/x/sys/unix"
)

// Format is the compression of a tar archive.
type Format int

// The compressions Extract reads.
const (
	FormatGzip Format = iota + 1 // .tar.gz, .tgz, .crate
	FormatXZ                     // .tar.xz, .txz
	FormatZstd                   // .tar.zst, .tzst
)

// String returns the usual suffix of the format: "tar.gz", "tar.xz" or "tar.zst".
func (f Format) String() string {
	switch f {
	case FormatGzip:
		return "tar.gz"
	case FormatXZ:
		return "tar.xz"
	case FormatZstd:
		return "tar.zst"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

var suffixes = []struct {
	suffix string
	f      Format
}{
	{".tar.gz", FormatGzip}, {".tgz", FormatGzip}, {".crate", FormatGzip},
	{".tar.xz", FormatXZ}, {".txz", FormatXZ},
	{".tar.zst", FormatZstd}, {".tzst", FormatZstd},
}

// FormatOf returns the format named by the suffix of name, a file name,
// path or URL: .tar.gz, .tgz and .crate (a crates.io download) are gzip;
// .tar.xz and .txz are xz; .tar.zst and .tzst are zstd. Case is ignored; a
// URL's query and fragment are ignored.
func FormatOf(name string) (Format, error) {
	base := name
	if i := strings.IndexAny(base, "?#"); i >= 0 && strings.Contains(base, "://") {
		base = base[:i]
	}
	lower := strings.ToLower(base)
	for _, s := range suffixes {
		if strings.HasSuffix(lower, s.suffix) {
			return s.f, nil
		}
	}
	return 0, fmt.Errorf("%s: unknown archive format: the name must end in .tar.gz, .tgz, .crate, .tar.xz, .txz, .tar.zst or .tzst", name)
}

// Magic numbers at the start of each compressed stream.
var (
	magicGzip = []byte{0x1f, 0x8b}
	magicXZ   = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	magicZstd = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// SniffFormat returns the format whose magic number starts head (the
// first bytes of the file; 6 are enough).
func SniffFormat(head []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(head, magicGzip):
		return FormatGzip, nil
	case bytes.HasPrefix(head, magicXZ):
		return FormatXZ, nil
	case bytes.HasPrefix(head, magicZstd):
		return FormatZstd, nil
	}
	return 0, errors.New("unknown archive format: not gzip, xz or zstd data")
}

// compression returns the name of f's compression: "gzip", "xz" or "zstd".
func (f Format) compression() string {
	switch f {
	case FormatGzip:
		return "gzip"
	case FormatXZ:
		return "xz"
	case FormatZstd:
		return "zstd"
	}
	return f.String()
}

// magic returns the magic number every stream of f starts with.
func (f Format) magic() []byte {
	switch f {
	case FormatGzip:
		return magicGzip
	case FormatXZ:
		return magicXZ
	case FormatZstd:
		return magicZstd
	}
	return nil
}

// startsAs reports whether head, the first bytes of an archive, can be
// the start of a stream of f: its magic number, or for zstd a skippable
// frame's (0x184D2A50 to 0x184D2A5F, little-endian), which the decoder
// skips.
func (f Format) startsAs(head []byte) bool {
	if f == FormatZstd && len(head) >= 4 && head[0]&0xf0 == 0x50 && string(head[1:4]) == "\x2a\x4d\x18" {
		return true
	}
	return bytes.HasPrefix(head, f.magic())
}

// headSize is how much of an archive's start Extract keeps to explain
// a failure: one tar header block.
const headSize = 512

// readHead returns the first headSize bytes of r (fewer if r is
// shorter) and a reader that still yields all of r. An *os.File is read
// with ReadAt and returned as is, so that the xz program can be given
// the descriptor itself; other readers are buffered.
func readHead(r io.Reader) (head []byte, rest io.Reader, err error) {
	if f, ok := r.(*os.File); ok {
		if off, err := f.Seek(0, io.SeekCurrent); err == nil {
			buf := make([]byte, headSize)
			n, err := f.ReadAt(buf, off)
			if err != nil && err != io.EOF {
				return nil, nil, err
			}
			return buf[:n], f, nil
		}
		// Not seekable (a pipe): buffered like any reader.
	}
	br := bufio.NewReaderSize(r, 1<<20) // the size NewReader buffers with
	head, err = br.Peek(headSize)
	if err != nil && err != io.EOF {
		return nil, nil, err
	}
	return bytes.Clone(head), br, nil
}

// notCompressedAs says, from head (which does not start as f), that an
// archive is not compressed as f, and what it looks like instead.
func notCompressedAs(head []byte, f Format) string {
	if m := f.magic(); len(head) < len(m) && bytes.HasPrefix(m, head) {
		n := fmt.Sprintf("%d bytes", len(head))
		if len(head) == 1 {
			n = "1 byte"
		}
		return fmt.Sprintf("is too short to be %s-compressed (%s)", f.compression(), n)
	}
	like := ""
	switch {
	case looksLikeTar(head):
		like = "it looks like a plain tar"
	case bytes.HasPrefix(head, []byte("BZh")):
		like = "it looks bzip2-compressed"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		like = "it looks like a zip archive"
	case looksLikeHTML(head):
		like = "it looks like an HTML page"
	default:
		for _, g := range []Format{FormatGzip, FormatXZ, FormatZstd} {
			if g != f && g.startsAs(head) {
				like = "it is " + g.compression() + "-compressed"
			}
		}
	}
	if like == "" {
		like = fmt.Sprintf("it starts with the bytes % x, not %s's magic number % x", head[:min(len(head), 8)], f.compression(), f.magic())
	}
	return fmt.Sprintf("is not %s-compressed (%s)", f.compression(), like)
}

// looksLikeTar reports whether head starts with a tar header block: the
// "ustar" magic of POSIX and GNU tar, or the checksum of an old v7 header.
func looksLikeTar(head []byte) bool {
	if len(head) < 512 {
		return false
	}
	if string(head[257:262]) == "ustar" {
		return true
	}
	want, err := strconv.ParseUint(strings.Trim(string(head[148:156]), " \x00"), 8, 32)
	if err != nil {
		return false
	}
	var sum uint64
	for i, b := range head[:512] {
		if 148 <= i && i < 156 {
			b = ' '
		}
		sum += uint64(b)
	}
	return sum == want
}

// looksLikeHTML reports whether head starts an HTML page (what some
// servers send instead of a missing file).
func looksLikeHTML(head []byte) bool {
	h := bytes.ToLower(bytes.TrimLeft(head, " \t\r\n\ufeff"))
	return bytes.HasPrefix(h, []byte("<!doctype html")) || bytes.HasPrefix(h, []byte("<html"))
}

// Memory bounds of the decoders.
const (
	// zstdMaxWindow caps the zstd window (zstd -19 uses 8 MiB, --long=27 128 MiB).
	zstdMaxWindow = 128 << 20
	// xzMemLimit is the --memlimit-decompress given to the xz program,
	// and the largest dictionary the pure-Go decoder accepts in a first
	// block; xz -9 needs 65 MiB.
	xzMemLimit = 512 << 20
	// stderrMax bounds the xz stderr kept for error messages.
	stderrMax = 4 << 10
)

// memLimitError is a decoder's refusal to use more than limit bytes.
type memLimitError struct {
	limit int64
	err   error
}

func (e *memLimitError) Error() string { return e.err.Error() }
func (e *memLimitError) Unwrap() error { return e.err }

// memoryLimit reports whether err is a decoder's refusal to use more
// memory than it is allowed, and returns the limit and what the decoder
// said.
func memoryLimit(err error) (limit int64, said error, ok bool) {
	var ml *memLimitError
	switch {
	case errors.As(err, &ml):
		return ml.limit, ml.err, true
	case errors.Is(err, zstd.ErrWindowSizeExceeded), errors.Is(err, zstd.ErrDecoderSizeExceeded):
		return zstdMaxWindow, err, true
	}
	return 0, nil, false
}

// xzFirstDict returns the LZMA2 dictionary size that the first block of
// the xz stream starting with head declares, if head holds that block's
// header (xz-file-format 1.0.4, sections 2.1.1 and 5.3.1).
func xzFirstDict(head []byte) (int64, bool) {
	const streamHeader = 12
	if len(head) < streamHeader+2 || !bytes.HasPrefix(head, magicXZ) || head[streamHeader] == 0 { // 0: the index, no block
		return 0, false
	}
	b := head[streamHeader:]
	size := (int(b[0]) + 1) * 4
	if len(b) < size {
		return 0, false
	}
	flags, p := b[1], b[2:size-4]
	for _, present := range []bool{flags&0x40 != 0, flags&0x80 != 0} { // compressed and uncompressed sizes
		if present {
			if _, n := binary.Uvarint(p); n > 0 {
				p = p[n:]
			} else {
				return 0, false
			}
		}
	}
	for range int(flags&3) + 1 {
		id, n := binary.Uvarint(p)
		if n <= 0 {
			return 0, false
		}
		p = p[n:]
		plen, n := binary.Uvarint(p)
		if n <= 0 || uint64(len(p)-n) < plen {
			return 0, false
		}
		props := p[n : n+int(plen)]
		p = p[n+int(plen):]
		if id == 0x21 && plen == 1 && props[0] <= 40 { // LZMA2
			if props[0] == 40 {
				return 1<<32 - 1, true
			}
			return int64(2|props[0]&1) << (props[0]/2 + 11), true
		}
	}
	return 0, false
}

// gzipBufferSize is the buffer a gzip archive is read through: large
// reads of the archive, since the decoder would otherwise read it 4 KiB
// at a time. A *bufio.Reader at least this large is used as it is.
const gzipBufferSize = 1 << 20

// NewReader returns the uncompressed tar stream of r, compressed as f.
// Closing it releases the decoder (and stops the xz process, if any); it
// does not close r.
//
// xz is decoded by the system's xz program when "xz" is found on $PATH
// (it is several times faster), run as
// "xz --decompress --stdout --threads=0 --memlimit-decompress=512MiB" with r as its
// stdin and killed when ctx is done or the reader is closed early; its
// stderr (in the C locale) is reported when it fails. Without it, the
// pure-Go decoder github.com/ulikunitz/xz is used, after checking that
// the first block's dictionary is at most 512 MiB. zstd is decoded with
// one goroutine and a window of at most 128 MiB.
func NewReader(ctx context.Context, r io.Reader, f Format) (io.ReadCloser, error) {
	switch f {
	case FormatGzip:
		zr, err := gzip.NewReader(bufio.NewReaderSize(r, gzipBufferSize))
		if err != nil {
			return nil, prefixed("gzip", err)
		}
		return zr, nil
	case FormatZstd:
		zr, err := zstd.NewReader(bufio.NewReaderSize(r, 1<<20),
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(zstdMaxWindow),
			zstd.WithDecoderMaxMemory(MaxTarSize))
		if err != nil {
			return nil, prefixed("zstd", err)
		}
		return zstdReader{zr}, nil
	case FormatXZ:
		if path, err := exec.LookPath("xz"); err == nil {
			return newXZCommand(ctx, r, path)
		}
		br := bufio.NewReaderSize(r, 64<<10)
		head, _ := br.Peek(12 + 1024) // stream header, largest block header
		if dict, ok := xzFirstDict(head); ok && dict > xzMemLimit {
			return nil, &memLimitError{limit: xzMemLimit,
				err: fmt.Errorf("xz: the first block's dictionary is %d MiB, over the limit of %d MiB", (dict+1<<20-1)>>20, xzMemLimit>>20)}
		}
		xr, err := xz.NewReader(br)
		if err != nil {
			return nil, prefixed("xz", err)
		}
		return io.NopCloser(xr), nil
	}
	return nil, fmt.Errorf("unknown archive format %d", int(f))
}

// zstdReader reads a zstd decoder, its errors prefixed with "zstd: ".
type zstdReader struct{ d *zstd.Decoder }

func (z zstdReader) Read(p []byte) (int, error) {
	n, err := z.d.Read(p)
	if err != nil && err != io.EOF {
		err = prefixed("zstd", err)
	}
	return n, err
}

// prefixed returns err with "name: " before its message, unless it
// already starts so ("gzip: invalid header", not "gzip: gzip: ...").
func prefixed(name string, err error) error {
	if strings.HasPrefix(err.Error(), name+": ") {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

func (z zstdReader) Close() error {
	z.d.Close()
	return nil
}

// xzCommand reads the output of an xz process.
type xzCommand struct {
	cmd    *exec.Cmd
	out    *os.File // blocking: see newXZCommand
	stderr *capBuffer
	once   sync.Once
	werr   error // result of cmd.Wait
	done   bool  // Wait was called
}

func newXZCommand(ctx context.Context, r io.Reader, path string) (*xzCommand, error) {
	// --threads=0: xz 5.4 and later decode a multi-block file (the Rust
	// distribution server's are: its tarballs are written by a
	// multi-threaded encoder) on every core, 1.6 times as fast on two
	// (BENCHMARKS.md); a single-block file, and older xz, decode as
	// before. The memory limit still holds.
	cmd := exec.CommandContext(ctx, path, "--decompress", "--stdout", "--threads=0", fmt.Sprintf("--memlimit-decompress=%dMiB", xzMemLimit>>20))
	cmd.Args[0] = "xz" // its messages start "xz: ", not with its path
	cmd.Stdin = r
	cmd.Env = append(os.Environ(), "LC_ALL=C") // messages untranslated: see exitError
	cmd.WaitDelay = 2 * time.Second            // do not wait for a stalled r after a kill
	x := &xzCommand{cmd: cmd, stderr: &capBuffer{max: stderrMax}}
	cmd.Stderr = x.stderr
	// xz's output comes through a pipe made here, left blocking: each
	// read waits in the kernel for xz's next write. The pipe of
	// cmd.StdoutPipe is non-blocking and read through the runtime's
	// poller, and xz writes 8 KiB at a time: 40,000 poller wake-ups
	// (epoll_pwait, futex, nanosleep) per 328 MB of tar, which cost more
	// system time than tar -xJf spends in all.
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return nil, fmt.Errorf("xz: %w", err)
	}
	out, in := os.NewFile(uintptr(fds[0]), "|xz"), os.NewFile(uintptr(fds[1]), "|xz")
	// A 1 MiB pipe lets xz run ahead and each read return more: fewer
	// wake-ups of both sides. Not fatal where refused.
	unix.FcntlInt(uintptr(fds[0]), unix.F_SETPIPE_SZ, 1<<20)
	cmd.Stdout = in
	err := cmd.Start()
	in.Close() // xz has its copy: at its exit, reads see the end
	if err != nil {
		out.Close()
		return nil, fmt.Errorf("xz: %w", err)
	}
	x.out = out
	return x, nil
}

// wait waits for xz once, then closes the reading end of its pipe.
func (x *xzCommand) wait() error {
	if !x.done {
		x.done = true
		x.werr = x.cmd.Wait()
		x.out.Close()
	}
	return x.werr
}

func (x *xzCommand) Read(p []byte) (int, error) {
	if x.done {
		return 0, io.EOF
	}
	n, err := x.out.Read(p)
	if err == io.EOF {
		if werr := x.wait(); werr != nil {
			return n, x.exitError(werr)
		}
	}
	return n, err
}

// xzMemLimitMsg is what xz (run with LC_ALL=C) says when decompressing
// needs more memory than --memlimit-decompress; its exit status is 1,
// as for any other error, so the message is all there is to tell.
const xzMemLimitMsg = "Memory usage limit reached"

// exitError describes xz's failure: its exit status and its stderr, on
// one line.
func (x *xzCommand) exitError(werr error) error {
	msg := strings.TrimSpace(x.stderr.String())
	if msg == "" {
		return fmt.Errorf("%s: %w", x.cmd.Path, werr)
	}
	err := fmt.Errorf("%s: %w: %s", x.cmd.Path, werr, strings.ReplaceAll(msg, "\n", "; "))
	if strings.Contains(msg, xzMemLimitMsg) {
		return &memLimitError{limit: xzMemLimit, err: err}
	}
	return err
}

// Close kills xz if it is still running and waits for it.
func (x *xzCommand) Close() error {
	x.once.Do(func() {
		if !x.done && x.cmd.Process != nil {
			x.cmd.Process.Kill()
		}
		x.wait()
	})
	return nil
}

// capBuffer keeps the first max bytes written to it.
type capBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *capBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *capBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
