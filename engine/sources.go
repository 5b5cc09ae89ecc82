package engine

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/rvendor/rvendor/bundle"
	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/crates"
	"github.com/rvendor/rvendor/fetch/rustdist"
)

// Where each kind of upstream file lies in a mirror (rvendor mirror, and
// the members of a bundle), relative to its root:
//
//	dist/...                                   the Rust distribution server's /dist/, as its URLs say
//	index/config.json, index/<crates.IndexPath> a sparse crates index
//	crates/{name}/{name}-{version}.crate       crate downloads (static.crates.io's layout)
//	archives/{sha256}/{file name}              archive components, by their pinned sha256
const (
	mirrorDist     = "dist"
	mirrorIndex    = "index"
	mirrorCrates   = "crates"
	mirrorArchives = "archives"
	mirrorConfig   = mirrorIndex + "/config.json"
)

// crateMirrorPath is where a mirror holds a .crate.
func crateMirrorPath(name, version string) string {
	return mirrorCrates + "/" + name + "/" + name + "-" + version + ".crate"
}

// archiveMirrorPath is where a mirror holds the archive of sha256 sum
// downloaded from u: under its sum, with u's file name when that is a
// plain name, else "archive".
func archiveMirrorPath(sum, u string) string {
	base := "archive"
	if pu, err := url.Parse(u); err == nil {
		if b := path.Base(pu.Path); bundle.CheckPath(mirrorArchives+"/x/"+b) == nil {
			base = b
		}
	}
	return mirrorArchives + "/" + sum + "/" + base
}

// fileURL returns the file:// URL of the absolute path p.
func fileURL(p string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
}

// getter returns the Getter of small files: the cache, unless a bundle
// being collected records what is read through it.
func (e *Engine) getter() rustdist.Getter {
	if e.get != nil {
		return e.get
	}
	return e.Cache
}

// rustRoot is the distribution server a networked update uses:
// RVENDOR_RUST_DIST, else [sources] rust-dist ("" for the default).
func (e *Engine) rustRoot() string {
	if env := e.getenv(RustDistEnv); env != "" {
		return env
	}
	return e.Project.Spec.Sources.RustDist
}

// rustRoots returns the root and mirrors rustdist.Resolve tries: the local
// mirror alone when there is one.
func (e *Engine) rustRoots() (string, []string) {
	if e.Mirror != "" {
		return fileURL(e.Mirror), nil
	}
	return e.rustRoot(), e.Project.Spec.Sources.Mirrors
}

// recordedManifest is the manifest URL the lock records: where it was
// fetched, or, from a local mirror, where a networked update would have
// fetched it (the same file under rustRoot), so that both write the same
// lock.
func (e *Engine) recordedManifest(res *rustdist.Resolution) string {
	if e.Mirror == "" {
		return res.ManifestURL
	}
	root := e.rustRoot()
	if root == "" {
		root = rustdist.DefaultRoot
	}
	root, err := rustdist.CheckRoot(root)
	if err != nil {
		root = rustdist.DefaultRoot
	}
	return root + strings.TrimPrefix(res.ManifestURL, res.Root)
}

// registry returns the crates registry of the spec, or, from a local
// mirror, the mirror's index (when the spec's registry has an index) or
// its crates/ folder as the download location.
func (e *Engine) registry() *crates.Registry {
	src := e.Project.Spec.Sources
	if e.Mirror == "" {
		return &crates.Registry{URL: src.CratesIndex, Mirrors: src.Mirrors, Getter: e.getter()}
	}
	root := fileURL(e.Mirror)
	spec := crates.Registry{URL: src.CratesIndex}
	if spec.Sparse() {
		return &crates.Registry{URL: "sparse+" + root + "/" + mirrorIndex + "/", Mirrors: []string{root}, Getter: e.getter()}
	}
	return &crates.Registry{URL: root + "/" + crateMirrorPath("{crate}", "{version}"), Getter: e.getter()}
}

// archiveFrom names where an archive is read first, for messages: u, or
// its place in the local mirror.
func (e *Engine) archiveFrom(u, sum string) string { return e.archiveURLs(u, sum)[0] }

// archiveURLs lists where the archive of sha256 sum, named u by the spec
// or the lock, is read from, in order: u, then each mirror's archives/
// folder; from a local mirror, from there only.
func (e *Engine) archiveURLs(u, sum string) []string {
	if e.Mirror != "" {
		return []string{fileURL(e.Mirror) + "/" + archiveMirrorPath(sum, u)}
	}
	urls := []string{u}
	for _, m := range e.Project.Spec.Sources.Mirrors {
		urls = append(urls, strings.TrimSuffix(m, "/")+"/"+archiveMirrorPath(sum, u))
	}
	return urls
}

// openArchive opens the archive of sha256 sum, named u by the spec or
// the lock, through the cache, from the first of archiveURLs that serves
// it. A checksum mismatch stops at once.
func (e *Engine) openArchive(ctx context.Context, u, sum string) (*os.File, error) {
	urls := e.archiveURLs(u, sum)
	var errs []error
	for _, x := range urls {
		f, err := e.Cache.Open(ctx, x, sum)
		if err == nil {
			return f, nil
		}
		if len(urls) == 1 || errors.Is(err, fetch.ErrChecksumMismatch) || ctx.Err() != nil {
			return nil, err
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}
