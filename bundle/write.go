package bundle

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/klauspost/compress/zstd"
)

// header returns the fixed tar header of a member: a regular file, mode
// 0644, owned by 0:0 with no names, modified at the Unix epoch.
func header(name string, size int64) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o644, ModTime: time.Unix(0, 0)}
}

// Write writes the bundle of m to w: the manifest, then each of m.Files
// in order, its content read from open(member). Write checks that each
// content has the member's size and sha256 while copying it, so a file
// that changed since m was made fails the write instead of producing a
// bundle that does not verify. It does not close w.
func Write(w io.Writer, m *Manifest, open func(Member) (io.ReadCloser, error)) error {
	data, err := m.Marshal()
	if err != nil {
		return err
	}
	zw, err := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(header(ManifestName, int64(len(data)))); err != nil {
		return err
	}
	if _, err := tw.Write(data); err != nil {
		return err
	}
	for _, f := range m.Files {
		if err := writeMember(tw, f, open); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

func writeMember(tw *tar.Writer, f Member, open func(Member) (io.ReadCloser, error)) error {
	rc, err := open(f)
	if err != nil {
		return &MemberError{Path: f.Path, Err: err}
	}
	defer rc.Close()
	if err := tw.WriteHeader(header(f.Path, f.Size)); err != nil {
		return err
	}
	h := sha256.New()
	lr := &io.LimitedReader{R: rc, N: f.Size + 1}
	n, err := io.Copy(io.MultiWriter(tw, h), io.LimitReader(lr, f.Size))
	if err != nil {
		return &MemberError{Path: f.Path, Err: err}
	}
	var one [1]byte
	if more, _ := lr.Read(one[:]); n != f.Size || more > 0 {
		return &MemberError{Path: f.Path, Err: fmt.Errorf("%w: its content is not %d bytes long (it changed since it was listed)", ErrMismatch, f.Size)}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return &MemberError{Path: f.Path, Err: fmt.Errorf("%w: its content hashes to %s, not %s (it changed since it was listed)", ErrMismatch, got, f.SHA256)}
	}
	return nil
}
