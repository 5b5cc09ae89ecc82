package bundle

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/klauspost/compress/zstd"
)

// zstdMaxWindow bounds the decoder's memory, as fetch does for archives.
const zstdMaxWindow = 128 << 20

// maxStream bounds the decompressed tar stream: the members, the
// manifest, and room for headers and padding.
const maxStream = MaxTotalSize + MaxManifestSize + 1<<30

// maxTrailer bounds the zero padding read after the tar's end.
const maxTrailer = 1 << 20

// Report is what Check found.
type Report struct {
	// Manifest is the bundle's manifest; nil when it could not be read.
	Manifest *Manifest
	// Checked counts the members that matched the manifest, and Bytes
	// their size.
	Checked int
	Bytes   int64
	// Problems lists every member that is wrong, in the order found.
	Problems []*MemberError
}

// Err returns nil when the bundle is whole, else an error joining the
// problems.
func (r *Report) Err() error {
	if len(r.Problems) == 0 {
		return nil
	}
	errs := make([]error, len(r.Problems))
	for i, p := range r.Problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// Check reads the bundle from r to its end and checks it against its
// manifest, writing nothing. Problems with members go into the report;
// the error is for a bundle that cannot be read at all (not zstd, not a
// tar, no manifest, over the limits) or an I/O error.
func Check(ctx context.Context, r io.Reader) (*Report, error) {
	rep := &Report{}
	rd := &reader{problem: func(p *MemberError) error {
		rep.Problems = append(rep.Problems, p)
		return nil
	}}
	err := rd.run(ctx, r, func(f Member, body io.Reader) error {
		_, err := io.Copy(io.Discard, body)
		return err
	})
	rep.Manifest = rd.m
	rep.Checked, rep.Bytes = rd.matched, rd.matchedBytes
	if err != nil {
		return rep, err
	}
	return rep, nil
}

// Unpack writes the members of the bundle read from r into dst, a new
// folder (its parent must exist), and returns the manifest. The first
// problem stops it; on any error dst is removed.
func Unpack(ctx context.Context, r io.Reader, dst string) (m *Manifest, err error) {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dst)
		}
	}()
	rd := &reader{problem: func(p *MemberError) error { return p }}
	err = rd.run(ctx, r, func(f Member, body io.Reader) error { return writeFile(dst, f.Path, body) })
	if err != nil {
		return nil, err
	}
	return rd.m, nil
}

// writeFile creates dst/name (a checked name) and copies body into it.
func writeFile(dst, name string, body io.Reader) error {
	p := filepath.Join(dst, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// reader walks one bundle.
type reader struct {
	// problem receives each member problem; a non-nil result stops the
	// walk with that error.
	problem func(*MemberError) error

	m            *Manifest
	index        map[string]int
	seen         []bool
	matched      int
	matchedBytes int64
}

// run decompresses r, reads the manifest, then each member: a listed,
// regular, correctly named one is passed to visit with its content
// (which visit must read to its end), hashed on the way and compared
// with the manifest.
func (rd *reader) run(ctx context.Context, r io.Reader, visit func(Member, io.Reader) error) error {
	zr, err := zstd.NewReader(bufio.NewReaderSize(r, 1<<20), zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(zstdMaxWindow))
	if err != nil {
		return fmt.Errorf("%w: zstd: %w", ErrFormat, err)
	}
	defer zr.Close()
	stream := &io.LimitedReader{R: zr, N: maxStream + 1}
	tr := tar.NewReader(stream)
	if err := rd.readManifest(tr); err != nil {
		return err
	}
	for entries := 1; ; entries++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rd.streamErr(stream, err)
		}
		if entries > MaxMembers+1 {
			return &MemberError{Err: fmt.Errorf("%w: more than %d members", ErrTooLarge, MaxMembers)}
		}
		if err := rd.member(tr, hdr, visit); err != nil {
			return rd.streamErr(stream, err)
		}
	}
	if err := rd.trailer(stream); err != nil {
		return err
	}
	for i, f := range rd.m.Files {
		if !rd.seen[i] {
			if err := rd.problem(&MemberError{Path: f.Path, Err: ErrMissing}); err != nil {
				return err
			}
		}
	}
	return nil
}

// streamErr explains err, met while reading the tar stream.
func (rd *reader) streamErr(stream *io.LimitedReader, err error) error {
	var me *MemberError
	switch {
	case errors.As(err, &me):
		return err
	case stream.N <= 0:
		return &MemberError{Err: fmt.Errorf("%w: the decompressed stream is longer than %d bytes", ErrTooLarge, int64(maxStream))}
	case errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded):
		return &MemberError{Err: fmt.Errorf("%w: %w", ErrTooLarge, err)}
	}
	return &MemberError{Err: fmt.Errorf("%w: %w", ErrFormat, err)}
}

// readManifest reads and parses the first member.
func (rd *reader) readManifest(tr *tar.Reader) error {
	hdr, err := tr.Next()
	if err != nil {
		return &MemberError{Err: fmt.Errorf("%w: reading the first member: %w", ErrFormat, err)}
	}
	if hdr.Name != ManifestName || !regular(hdr) {
		return &MemberError{Err: fmt.Errorf("%w: the first member is %q, not the file %s", ErrFormat, hdr.Name, ManifestName)}
	}
	if hdr.Size > MaxManifestSize {
		return &MemberError{Path: ManifestName, Err: fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, hdr.Size, MaxManifestSize)}
	}
	data, err := io.ReadAll(&io.LimitedReader{R: tr, N: MaxManifestSize + 1})
	if err != nil {
		return &MemberError{Path: ManifestName, Err: fmt.Errorf("%w: %w", ErrFormat, err)}
	}
	if rd.m, err = ParseManifest(data); err != nil {
		return &MemberError{Path: ManifestName, Err: err}
	}
	rd.index = make(map[string]int, len(rd.m.Files))
	for i, f := range rd.m.Files {
		rd.index[f.Path] = i
	}
	rd.seen = make([]bool, len(rd.m.Files))
	return nil
}

// regular reports whether hdr is a regular file (archive/tar reads the
// old type '\x00' as tar.TypeReg).
func regular(hdr *tar.Header) bool { return hdr.Typeflag == tar.TypeReg }

// member checks one tar entry and, when it is a listed file, visits it.
// Problems go to rd.problem; the entry's remaining content is skipped by
// the tar reader.
func (rd *reader) member(tr *tar.Reader, hdr *tar.Header, visit func(Member, io.Reader) error) error {
	name := hdr.Name
	if !regular(hdr) {
		return rd.problem(&MemberError{Path: name, Err: fmt.Errorf("%w (tar type %q)", ErrNotFile, hdr.Typeflag)})
	}
	if err := CheckPath(name); err != nil {
		return rd.problem(&MemberError{Path: name, Err: err})
	}
	i, ok := rd.index[name]
	switch {
	case !ok:
		return rd.problem(&MemberError{Path: name, Err: ErrExtra})
	case rd.seen[i]:
		return rd.problem(&MemberError{Path: name, Err: ErrDuplicate})
	}
	rd.seen[i] = true
	f := rd.m.Files[i]
	if hdr.Size != f.Size {
		return rd.problem(&MemberError{Path: name, Err: fmt.Errorf("%w: %d bytes, the manifest says %d", ErrMismatch, hdr.Size, f.Size)})
	}
	h := sha256.New()
	lr := &io.LimitedReader{R: tr, N: f.Size + 1}
	if err := visit(f, io.TeeReader(lr, h)); err != nil {
		return &MemberError{Path: name, Err: err}
	}
	if lr.N != 1 {
		return rd.problem(&MemberError{Path: name, Err: fmt.Errorf("%w: its content is not %d bytes long", ErrMismatch, f.Size)})
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return rd.problem(&MemberError{Path: name, Err: fmt.Errorf("%w: sha256 %s, the manifest says %s", ErrMismatch, got, f.SHA256)})
	}
	rd.matched++
	rd.matchedBytes += f.Size
	return nil
}

// trailer checks that only zero padding follows the tar's end.
func (rd *reader) trailer(stream io.Reader) error {
	buf := make([]byte, 32<<10)
	lr := &io.LimitedReader{R: stream, N: maxTrailer + 1}
	for {
		n, err := lr.Read(buf)
		if slices.ContainsFunc(buf[:n], func(b byte) bool { return b != 0 }) {
			return rd.problem(&MemberError{Err: fmt.Errorf("%w: data after the end of the tar archive", ErrExtra)})
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &MemberError{Err: fmt.Errorf("%w: %w", ErrFormat, err)}
		}
		if lr.N <= 0 {
			return rd.problem(&MemberError{Err: fmt.Errorf("%w: more than %d bytes after the end of the tar archive", ErrExtra, maxTrailer)})
		}
	}
}
