package fetch

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
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

// Memory bounds of the decoders.
const (
	// zstdMaxWindow caps the zstd window (zstd -19 uses 8 MiB, --long=27 128 MiB).
	zstdMaxWindow = 128 << 20
	// xzMemLimit is the --memlimit-decompress given to the xz program;
	// xz -9 needs 65 MiB.
	xzMemLimit = "512MiB"
	// stderrMax bounds the xz stderr kept for error messages.
	stderrMax = 4 << 10
)

// NewReader returns the uncompressed tar stream of r, compressed as f.
// Closing it releases the decoder (and stops the xz process, if any); it
// does not close r.
//
// xz is decoded by the system's xz program when "xz" is found on $PATH
// (it is several times faster), run as
// "xz --decompress --stdout --memlimit-decompress=512MiB" with r as its
// stdin and killed when ctx is done or the reader is closed early; its
// stderr is reported when it fails. Without it, the pure-Go decoder
// github.com/ulikunitz/xz is used. zstd is decoded with one goroutine and
// a window of at most 128 MiB.
func NewReader(ctx context.Context, r io.Reader, f Format) (io.ReadCloser, error) {
	switch f {
	case FormatGzip:
		// Large reads of the archive: the decoder would otherwise read
		// it 4 KiB at a time.
		zr, err := gzip.NewReader(bufio.NewReaderSize(r, 1<<20))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, nil
	case FormatZstd:
		zr, err := zstd.NewReader(bufio.NewReaderSize(r, 1<<20),
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(zstdMaxWindow),
			zstd.WithDecoderMaxMemory(MaxTarSize))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		return zr.IOReadCloser(), nil
	case FormatXZ:
		if path, err := exec.LookPath("xz"); err == nil {
			return newXZCommand(ctx, r, path)
		}
		xr, err := xz.NewReader(bufio.NewReaderSize(r, 64<<10))
		if err != nil {
			return nil, fmt.Errorf("xz: %w", err)
		}
		return io.NopCloser(xr), nil
	}
	return nil, fmt.Errorf("unknown archive format %d", int(f))
}

// xzCommand reads the output of an xz process.
type xzCommand struct {
	cmd    *exec.Cmd
	out    io.ReadCloser
	stderr *capBuffer
	once   sync.Once
	werr   error // result of cmd.Wait
	done   bool  // Wait was called
}

func newXZCommand(ctx context.Context, r io.Reader, path string) (*xzCommand, error) {
	cmd := exec.CommandContext(ctx, path, "--decompress", "--stdout", "--memlimit-decompress="+xzMemLimit)
	cmd.Stdin = r
	cmd.WaitDelay = 2 * time.Second // do not wait for a stalled r after a kill
	x := &xzCommand{cmd: cmd, stderr: &capBuffer{max: stderrMax}}
	cmd.Stderr = x.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("xz: %w", err)
	}
	x.out = out
	if f, ok := out.(*os.File); ok {
		// A 1 MiB pipe lets xz run ahead and each read return more:
		// fewer wake-ups of both sides. Not fatal where refused.
		unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, 1<<20)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("xz: %w", err)
	}
	return x, nil
}

func (x *xzCommand) wait() error {
	if !x.done {
		x.done = true
		x.werr = x.cmd.Wait()
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
			if msg := strings.TrimSpace(x.stderr.String()); msg != "" {
				return n, fmt.Errorf("%s: %w: %s", x.cmd.Path, werr, msg)
			}
			return n, fmt.Errorf("%s: %w", x.cmd.Path, werr)
		}
	}
	return n, err
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
