package distserver

import (
	"archive/tar"

	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ulikunitz/xz"
)

// The default release, Rust 1.63.0, as its real manifest describes it
// (Release163).
const (
	Version       = "1.63.0"
	PkgVersion    = "1.63.0 (4b91a6ea7 2022-08-08)"
	GitCommitHash = "4b91a6ea7258a947e59c6522cd5898e7c0a6a88f"
	Date          = "2022-08-11" // the manifest date of 1.63.0
)

// Release is one Rust release as its channel manifest describes it.
type Release struct {
	Version       string // "1.63.0"
	PkgVersion    string // [pkg.*] version: "1.63.0 (4b91a6ea7 2022-08-08)"
	GitCommitHash string // 40 hex digits
	// Date is the manifest date (YYYY-MM-DD): the dated folder under
	// /dist/ and the modification time of every archive entry.
	Date string
}

// Known releases, by version.
var (
	// Release163 is Rust 1.63.0 exactly as static.rust-lang.org's
	// channel-rust-1.63.0.toml names it.
	Release163 = Release{Version: Version, PkgVersion: PkgVersion, GitCommitHash: GitCommitHash, Date: Date}
	// Release196 is Rust 1.96.0. The commit hash and commit date are
	// the real ones, as Debian's rustc-web 1.96 reports them
	// (`rustc -vV`: commit-hash ac68faa20c58…, commit-date 2026-05-25;
	// Debian's rust-web-src ships no version or git-commit-hash file).
	// The manifest date is not in Debian's packages: 2026-05-28 is the
	// release Thursday of the six-week train (1.85.0 on 2025-02-20 plus
	// 11 × 42 days), a plausible fixed value.
	Release196 = Release{Version: "1.96.0", PkgVersion: "1.96.0 (ac68faa20 2026-05-25)",
		GitCommitHash: "ac68faa20c58cbccd01ee7208bf3b6e93a7d7f96", Date: "2026-05-28"}
)

// Releases are the releases a VersionSpec may name by Version alone.
var Releases = map[string]Release{
	Release163.Version: Release163,
	Release196.Version: Release196,
}

// DefaultSubset is the part of library/ the archives hold unless
// Options.FullLibrary is set: core and alloc and the two crates core pulls
// in by #[path] (Debian's library/ has no workspace Cargo.toml). About
// 17 MB instead of 49 MB,
// which keeps building and extracting fast.
var DefaultSubset = []string{
	"alloc",
	"core",
	"portable-simd/crates/core_simd",
	"stdarch/crates/core_arch",
}

// Archive is a built archive on disk.
type Archive struct {
	Path   string // file on disk
	SHA256 string // lowercase hex
	Size   int64
}

// file is one regular file to put in a tarball.
type file struct {
	name string // archive path
	src  string // disk path, or "" for data
	data []byte
	mode int64
}

var (
	buildMu   sync.Mutex
	built     = map[string]map[string]Archive{} // key -> name -> archive
	buildDirs []string
)

// Cleanup removes the archives built so far. Archives are shared by every
// test of a process, so call it from TestMain after m.Run:
//
//	func TestMain(m *testing.M) { code := m.Run(); distserver.Cleanup(); os.Exit(code) }
func Cleanup() {
	buildMu.Lock()
	defer buildMu.Unlock()
	for _, d := range buildDirs {
		os.RemoveAll(d)
	}
	buildDirs = nil
	built = map[string]map[string]Archive{}
}

// buildArchives builds (once per process and key) the rust-src installer
// tarball and the rustc-src tarball of release rel, each as .tar.gz and
// .tar.xz, from the library/ folder lib, into a temp folder that Cleanup
// removes. The key is lib, subset and every field of rel.
func buildArchives(lib string, subset []string, rel Release) (map[string]Archive, error) {
	epoch, err := time.Parse(time.DateOnly, rel.Date)
	if err != nil {
		return nil, fmt.Errorf("distserver: release %s: date %q: %w", rel.Version, rel.Date, err)
	}
	key := strings.Join(append([]string{lib, rel.Version, rel.PkgVersion, rel.GitCommitHash, rel.Date}, subset...), "\x00")
	buildMu.Lock()
	defer buildMu.Unlock()
	if a, ok := built[key]; ok {
		return a, nil
	}
	dir, err := os.MkdirTemp("", "distserver-")
	if err != nil {
		return nil, err
	}
	buildDirs = append(buildDirs, dir)
	libFiles, err := listLibrary(lib, subset)
	if err != nil {
		return nil, err
	}
	out := map[string]Archive{}

	// rust-src-1.63.0/{components,rust-installer-version,rust-src/manifest.in,rust-src/lib/rustlib/src/rust/library/…}
	top := "rust-src-" + rel.Version
	var manifestIn strings.Builder
	srcFiles := []file{
		{name: top + "/components", data: []byte("rust-src\n"), mode: 0o644},
		{name: top + "/rust-installer-version", data: []byte("3\n"), mode: 0o644},
	}
	for _, f := range libFiles {
		rel := "lib/rustlib/src/rust/library/" + f.name
		manifestIn.WriteString("file:" + rel + "\n")
		srcFiles = append(srcFiles, file{name: top + "/rust-src/" + rel, src: f.src, mode: f.mode})
	}
	srcFiles = append(srcFiles, file{name: top + "/rust-src/manifest.in", data: []byte(manifestIn.String()), mode: 0o644})

	// rustc-1.63.0-src/{version,git-commit-hash,library/…}
	rtop := "rustc-" + rel.Version + "-src"
	rustcFiles := []file{
		{name: rtop + "/version", data: []byte(rel.PkgVersion + "\n"), mode: 0o644},
		{name: rtop + "/git-commit-hash", data: []byte(rel.GitCommitHash + "\n"), mode: 0o644},
	}
	for _, f := range libFiles {
		rustcFiles = append(rustcFiles, file{name: rtop + "/library/" + f.name, src: f.src, mode: f.mode})
	}

	for name, files := range map[string][]file{
		"rust-src-" + rel.Version + ".tar":  srcFiles,
		"rustc-" + rel.Version + "-src.tar": rustcFiles,
	} {
		for _, ext := range []string{".gz", ".xz"} {
			a, err := writeTar(filepath.Join(dir, name+ext), files, ext, epoch)
			if err != nil {
				return nil, err
			}
			out[name+ext] = a
		}
	}
	built[key] = out
	return out, nil
}

// listLibrary lists the regular files of lib under subset, sorted, with
// slash names relative to lib.
func listLibrary(lib string, subset []string) ([]file, error) {
	var files []file
	for _, s := range subset {
		root := filepath.Join(lib, filepath.FromSlash(s))
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(lib, p)
			mode := int64(0o644)
			if info.Mode()&0o111 != 0 {
				mode = 0o755
			}
			files = append(files, file{name: filepath.ToSlash(rel), src: p, mode: mode})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files, nil
}

// writeTar writes files as a tarball with folder entries, every entry
// dated epoch, compressed by ext (".gz" or ".xz"), and returns its hash.
func writeTar(path string, files []file, ext string, epoch time.Time) (Archive, error) {
	f, err := os.Create(path)
	if err != nil {
		return Archive{}, err
	}
	defer f.Close()
	h := sha256.New()
	mw := io.MultiWriter(f, h)
	var zw io.WriteCloser
	switch ext {
	case ".gz":
		zw, err = gzip.NewWriterLevel(mw, gzip.BestSpeed)
	case ".xz":
		zw, err = xz.NewWriter(mw)
	}
	if err != nil {
		return Archive{}, err
	}
	tw := tar.NewWriter(zw)
	dirs := map[string]bool{}
	for _, fl := range files {
		// folder entries, as real tarballs have
		parts := strings.Split(fl.name, "/")
		for i := 1; i < len(parts); i++ {
			d := strings.Join(parts[:i], "/") + "/"
			if !dirs[d] {
				dirs[d] = true
				if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755, ModTime: epoch, Format: tar.FormatPAX}); err != nil {
					return Archive{}, err
				}
			}
		}
		data := fl.data
		if fl.src != "" {
			if data, err = os.ReadFile(fl.src); err != nil {
				return Archive{}, err
			}
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: fl.name, Mode: fl.mode, Size: int64(len(data)), ModTime: epoch, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return Archive{}, err
		}
		if _, err := tw.Write(data); err != nil {
			return Archive{}, err
		}
	}
	if err := tw.Close(); err != nil {
		return Archive{}, err
	}
	if err := zw.Close(); err != nil {
		return Archive{}, err
	}
	st, err := f.Stat()
	if err != nil {
		return Archive{}, err
	}
	if err := f.Close(); err != nil {
		return Archive{}, err
	}
	return Archive{Path: path, SHA256: hex.EncodeToString(h.Sum(nil)), Size: st.Size()}, nil
}

// hashFile returns the SHA-256 and size of the file at path.
func hashFile(path string) (Archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return Archive{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Archive{}, err
	}
	return Archive{Path: path, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

func sumLine(data []byte, name string) []byte {
	h := sha256.Sum256(data)
	return []byte(fmt.Sprintf("%x  %s\n", h, name))
}
