package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rvendor/rvendor/bundle"
)

// Air-gapped use, in three steps:
//
//   - Collect (a networked run, with every check Update makes) gathers
//     the upstream files of the spec's components;
//   - WriteBundle puts them into one file (package bundle's format), or
//     WriteMirror into a folder laid out like the upstream servers;
//   - OpenBundle, on the machine with no network, checks the bundle is
//     whole and unpacks it into a temporary folder laid out as a mirror,
//     which Engine.Mirror points Update at: the Rust dist root, the
//     crates index and download location, and archive URLs all become
//     file:// URLs into it, so every file goes through fetch.Cache and
//     every check of a networked update is made again (the manifest's
//     .sha256 and OpenPGP signature against the embedded Rust key or the
//     keyring, the archive's sha256 against the signed manifest, each
//     .crate against Cargo.lock and the index, archives against the
//     spec's sha256). A bundle is never trusted for itself: its manifest
//     only tells that it is whole. A crate closure's trust comes from
//     outside it (the spec's lockfile, or rvendor.lock's checksums): a
//     crate component with neither is refused.
//
// The lock a bundle's update writes is byte-identical to a networked
// update's: archive and crate URLs are recorded as canonical upstream
// URLs either way, and the manifest URL is recorded under the root a
// networked update would use (RVENDOR_RUST_DIST, [sources] rust-dist, or
// the default).

// BundleResult describes a bundle written by WriteBundle.
type BundleResult struct {
	File       string             `json:"file"`
	SHA256     string             `json:"sha256"` // of the bundle file: compare it after carrying the file
	Size       int64              `json:"size"`
	Files      int                `json:"files"`
	Bytes      int64              `json:"bytes"` // the files' total size, uncompressed
	Components []bundle.Component `json:"components"`
}

// WriteBundle writes c as a bundle to file, replacing it only once the
// whole bundle is written and synced (a temporary file beside it is
// renamed into place).
func (c *Collection) WriteBundle(file string) (*BundleResult, error) {
	m := c.Manifest()
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return nil, err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(tmp, h)}
	if err := bundle.Write(cw, m, c.open); err != nil {
		return nil, failed(fmt.Errorf("writing the bundle %s: %w", file, err), "")
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return nil, err
	}
	done = true
	return &BundleResult{File: file, SHA256: hex.EncodeToString(h.Sum(nil)), Size: cw.n,
		Files: len(m.Files), Bytes: m.Bytes(), Components: m.Components}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// bundleHint is the remedy of a bundle that does not verify.
const bundleHint = "the bundle is damaged or was changed after it was made: make it again with rvendor bundle create (rvendor bundle verify checks a copy)"

// CheckBundle reads the bundle file and checks that it is whole: the
// report lists every problem (package bundle's rules). It writes nothing.
func CheckBundle(ctx context.Context, file string) (*bundle.Report, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, unusable(err, "")
	}
	defer f.Close()
	rep, err := bundle.Check(ctx, f)
	if err != nil {
		return rep, failed(fmt.Errorf("%s: %w", file, err), bundleHint)
	}
	return rep, nil
}

// BundleMirror is a bundle unpacked into a temporary local mirror, for
// Engine.Mirror. Close removes it.
type BundleMirror struct {
	// Dir is the mirror's root.
	Dir      string
	Manifest *bundle.Manifest
	tmp      string
}

// OpenBundle checks the bundle file and unpacks it (bundle.Unpack: the
// first problem stops it) into a new temporary folder laid out as a
// mirror, whose index/config.json names its own crates/ folder. The
// caller sets Engine.Mirror to Dir and closes the BundleMirror when done.
func OpenBundle(ctx context.Context, file string) (*BundleMirror, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, unusable(err, "")
	}
	defer f.Close()
	tmp, err := os.MkdirTemp("", "rvendor-bundle-")
	if err != nil {
		return nil, err
	}
	b := &BundleMirror{Dir: filepath.Join(tmp, "mirror"), tmp: tmp}
	if b.Manifest, err = bundle.Unpack(ctx, f, b.Dir); err != nil {
		b.Close()
		return nil, failed(fmt.Errorf("%s: %w", file, err), bundleHint)
	}
	if err := writeMirrorConfig(b.Dir, fileURL(b.Dir)+"/"); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Close removes the temporary mirror.
func (b *BundleMirror) Close() error { return os.RemoveAll(b.tmp) }

// Collection returns the bundle's files as a Collection (each a file of
// the mirror), for WriteMirror.
func (b *BundleMirror) Collection() *Collection {
	c := &Collection{Components: b.Manifest.Components}
	for _, m := range b.Manifest.Files {
		c.Files = append(c.Files, CollectedFile{Member: m, File: filepath.Join(b.Dir, filepath.FromSlash(m.Path))})
	}
	return c
}
