package crates

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/tree"
)

// unpackBufferSize is the read buffer of a .crate: the size fetch's gzip
// reader buffers an archive with, so that it uses this one as it is
// instead of allocating its own for every crate.
const unpackBufferSize = 1 << 20

// unpacker is what one unpacking slot reuses from crate to crate: the
// buffered reader of the .crate, the sha256 computed through it, and the
// extractor's buffers.
type unpacker struct {
	br *bufio.Reader
	hr hashReader
	x  fetch.Extractor
}

// hashReader hashes what is read from r.
type hashReader struct {
	r io.Reader
	h hash.Hash
}

func (h *hashReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	return n, err
}

// slots returns the unpacking slots of a Vendor call: a crate is unpacked
// only while it holds one. There are as many as the crates processed at
// once (jobs), but no more than the processors Go runs on: unpacking is
// CPU and file-system work, and each slot keeps about 2 MiB from crate
// to crate (this reader's buffer and its fetch.Extractor's), so memory
// stays the same whatever the closure's size.
func slots(jobs int) chan *unpacker {
	n := min(jobs, runtime.GOMAXPROCS(0))
	ch := make(chan *unpacker, n)
	for range n {
		ch <- nil // allocated on first use
	}
	return ch
}

// take waits for an unpacking slot.
func (v *vendorer) take(ctx context.Context) (*unpacker, error) {
	select {
	case u := <-v.slots:
		if u == nil {
			u = &unpacker{hr: hashReader{h: sha256.New()}}
			u.br = bufio.NewReaderSize(&u.hr, unpackBufferSize)
		}
		return u, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// give returns u's slot.
func (v *vendorer) give(u *unpacker) { v.slots <- u }

// mismatchError is a .crate that did not hash to the lock's checksum
// while it was unpacked.
type mismatchError struct{ got string }

func (e *mismatchError) Error() string { return "the .crate hashes to " + e.got }

// unpack extracts j's .crate, checked against j.checksum, into dir. A
// .crate in the cache is read once: hashed while it is decompressed and
// unpacked (dir is a staging folder), and nothing unpacked is used
// before the hash matched. A cached file that does not match (or cannot
// be opened) is unpacked again from what fetch.Cache.Open returns, which
// replaces a corrupt file by a fresh, verified download.
func (v *vendorer) unpack(ctx context.Context, j *job, dir string) error {
	name, version := j.pkg.Name, j.pkg.Version
	files, ok, err := v.unpackCached(ctx, j, dir)
	if err != nil {
		return err
	}
	if !ok {
		if files, err = v.unpackDownload(ctx, j, dir); err != nil {
			return err
		}
	}
	j.files = files
	for _, f := range files {
		j.origSize += f.Size
	}
	if j.manifest, err = os.ReadFile(filepath.Join(dir, "Cargo.toml")); err != nil {
		return pkgErr(name, version, "the .crate is malformed; report it to the registry", errors.New("the .crate has no Cargo.toml"))
	}
	return nil
}

// unpackCached unpacks j's .crate from the cache file named by its
// checksum, hashing it on the way. ok is false, and dir absent, when
// there is no such file, it cannot be opened or it does not hash to the
// checksum: fetch.Cache.Open then says why, or replaces it.
func (v *vendorer) unpackCached(ctx context.Context, j *job, dir string) (files []tree.File, ok bool, err error) {
	if v.o.Cache.Dir == "" || !tree.IsSHA256Hex(j.checksum) {
		return nil, false, nil
	}
	u, err := v.take(ctx)
	if err != nil {
		return nil, false, err
	}
	defer v.give(u)
	f, err := os.OpenFile(v.o.Cache.Path(j.checksum), os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return nil, false, nil
	}
	defer f.Close()
	files, err = v.extract(ctx, u, j, f, dir)
	var me *mismatchError
	if errors.As(err, &me) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	j.url = DownloadURL(v.dl, j.pkg.Name, j.pkg.Version, j.checksum)
	return files, true, nil
}

// unpackDownload opens j's .crate through fetch.Cache.Open (downloading
// it from the registry, then each mirror in order, unless cached) and
// unpacks it.
func (v *vendorer) unpackDownload(ctx context.Context, j *job, dir string) ([]tree.File, error) {
	name, version := j.pkg.Name, j.pkg.Version
	urls := []string{DownloadURL(v.dl, name, version, j.checksum)}
	for _, m := range v.o.Registry.Mirrors {
		urls = append(urls, mirrorURL(m, name, version))
	}
	var file *os.File
	var errs []error
	for _, u := range urls {
		f, err := v.o.Cache.Open(ctx, u, j.checksum)
		if err == nil {
			file, j.url = f, u
			break
		}
		if errors.Is(err, fetch.ErrChecksumMismatch) {
			return nil, pkgErr(name, version, "the .crate is not the one Cargo.lock pins: do not use this registry or mirror until that is explained",
				fmt.Errorf("%w\n%w", ErrChecksum, err))
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if file == nil {
		return nil, pkgErr(name, version, "check that the registry (or a mirror) has this crate, and the network", fmt.Errorf("downloading the .crate failed: %w", errors.Join(errs...)))
	}
	defer file.Close()
	u, err := v.take(ctx)
	if err != nil {
		return nil, err
	}
	defer v.give(u)
	// file was verified by Open; it is hashed again while unpacked, so a
	// file changed since is refused.
	files, err := v.extract(ctx, u, j, file, dir)
	var me *mismatchError
	if errors.As(err, &me) {
		return nil, pkgErr(name, version, "the .crate is not the one Cargo.lock pins: do not use this registry or mirror until that is explained",
			fmt.Errorf("%w: %s changed after it was checked: %w", ErrChecksum, file.Name(), err))
	}
	return files, err
}

// extract unpacks f, a .crate, into dir with fetch.Extract, through u,
// and checks that f hashes to j.checksum. A mismatch (whether or not f
// could be unpacked) removes dir and is a *mismatchError.
func (v *vendorer) extract(ctx context.Context, u *unpacker, j *job, f *os.File, dir string) ([]tree.File, error) {
	name, version := j.pkg.Name, j.pkg.Version
	u.hr.r = f
	u.hr.h.Reset()
	u.br.Reset(&u.hr)
	defer func() { u.hr.r = nil; u.br.Reset(&u.hr) }()
	r, xerr := u.x.Extract(ctx, u.br, fetch.FormatGzip, dir, fetch.Selection{Root: name + "-" + version, Archive: name + "-" + version + ".crate"}, fetch.Limits{})
	// The bytes the buffer read were hashed; hash the rest of the file,
	// read through the same buffer.
	u.br.Reset(&u.hr)
	if _, err := u.br.WriteTo(io.Discard); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("reading %s: %w", f.Name(), err)
	}
	if got := hex.EncodeToString(u.hr.h.Sum(nil)); got != j.checksum {
		os.RemoveAll(dir)
		return nil, &mismatchError{got: got}
	}
	if xerr != nil {
		return nil, pkgErr(name, version, "the .crate is malformed; report it to the registry", xerr)
	}
	return r.Files, nil
}
