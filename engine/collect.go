package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/rvendor/rvendor/bundle"
	"github.com/rvendor/rvendor/fetch/crates"
	"github.com/rvendor/rvendor/fetch/rustdist"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// Collection is every upstream file Update reads for some components,
// each checked as Update checks it, laid out as on a mirror (see
// WriteMirror): the Rust channel manifests with their .sha256 and .asc
// and the archives they name, under dist/; the crates index's config.json
// and the index files of every crate of a closure, under index/; the
// .crate files, under crates/; archive components (and the archives a
// patch queue's merge needs) under archives/{sha256}/.
type Collection struct {
	Components []bundle.Component
	// Files are sorted by path, each path once.
	Files []CollectedFile
}

// CollectedFile is one file of a Collection: a small file held as read
// (Data), or a file of the download cache (File).
type CollectedFile struct {
	bundle.Member
	Data []byte
	File string
}

// Manifest returns the bundle manifest listing c.
func (c *Collection) Manifest() *bundle.Manifest {
	m := &bundle.Manifest{Version: bundle.Version, Components: c.Components}
	for _, f := range c.Files {
		m.Files = append(m.Files, f.Member)
	}
	return m
}

// open returns the content of the file m names.
func (c *Collection) open(m bundle.Member) (io.ReadCloser, error) {
	i, ok := slices.BinarySearchFunc(c.Files, m.Path, func(f CollectedFile, p string) int { return strings.Compare(f.Path, p) })
	if !ok {
		return nil, fmt.Errorf("%s is not in the collection", m.Path)
	}
	if f := c.Files[i]; f.File != "" {
		return os.Open(f.File)
	}
	return io.NopCloser(bytes.NewReader(c.Files[i].Data)), nil
}

// recorder is the Getter of Collect: the cache's, keeping every file it
// returned, by URL, as the checks read it.
type recorder struct {
	g   rustdist.Getter
	mu  sync.Mutex
	got map[string][]byte
}

func (r *recorder) Get(ctx context.Context, u string, max int64) ([]byte, error) {
	data, err := r.g.Get(ctx, u, max)
	if err == nil {
		r.mu.Lock()
		r.got[u] = data
		r.mu.Unlock()
	}
	return data, err
}

// read returns the file read from u, if it was.
func (r *recorder) read(u string) ([]byte, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	data, ok := r.got[u]
	return data, ok
}

// collector builds one Collection.
type collector struct {
	e     *Engine
	rec   *recorder
	files map[string]CollectedFile
}

// Collect fetches what Update needs for the components named (all when
// none), with every check Update makes, as Fetch does, and returns the
// files it read, laid out as on a mirror. It does not touch the tree,
// the lock or the sum. Components that would put two different files at
// one path (two crates indexes, two Rust servers serving different
// bytes) cannot be collected together.
func (e *Engine) Collect(ctx context.Context, names []string) (*Collection, error) {
	comps, err := e.Project.Select(names)
	if err != nil {
		return nil, err
	}
	rec := &recorder{g: e.getter(), got: map[string][]byte{}}
	e.get = rec
	defer func() { e.get = nil }()
	col := &collector{e: e, rec: rec, files: map[string]CollectedFile{}}
	out := &Collection{}
	for _, c := range comps {
		out.Components = append(out.Components, bundle.Component{Name: c.Name, Kind: c.Kind, Version: c.Version})
		var sum string
		switch c.Kind {
		case vendorspec.KindArchive:
			sum, err = col.archive(ctx, c)
		case vendorspec.KindRustSrc, vendorspec.KindRustcSrc:
			sum, err = col.rust(ctx, c)
		case vendorspec.KindCrate:
			err = col.crate(ctx, c)
		default:
			err = unusablef("", "kind %q cannot be fetched", c.Kind)
		}
		if err == nil {
			err = col.base(ctx, c, sum)
		}
		if err != nil {
			return nil, componentErr(c.Name, err)
		}
	}
	for _, f := range col.files {
		out.Files = append(out.Files, f)
	}
	slices.SortFunc(out.Files, func(a, b CollectedFile) int { return strings.Compare(a.Path, b.Path) })
	if err := out.Manifest().Validate(); err != nil {
		return nil, failed(err, "")
	}
	return out, nil
}

// add puts f into the collection, once per path.
func (col *collector) add(f CollectedFile) error {
	if err := bundle.CheckPath(f.Path); err != nil {
		return failed(fmt.Errorf("%s (from %s): %w", f.Path, f.URL, err), "")
	}
	if old, ok := col.files[f.Path]; ok {
		if old.SHA256 == f.SHA256 {
			return nil
		}
		return unusable(fmt.Errorf("two different files would lie at %s: %s and %s", f.Path, old.URL, f.URL),
			"a bundle or mirror holds one crates index and one Rust distribution server: collect such components separately")
	}
	col.files[f.Path] = f
	return nil
}

// small adds the file read from u (through the recorder) at p; a file
// never read is skipped when optional (an absent .asc of an unsigned
// source).
func (col *collector) small(p, u string, optional bool) error {
	data, ok := col.rec.read(u)
	if !ok {
		if optional {
			return nil
		}
		return failed(fmt.Errorf("%s was not read while checking", u), "")
	}
	h := sha256.Sum256(data)
	return col.add(CollectedFile{Member: bundle.Member{Path: p, Size: int64(len(data)), SHA256: hex.EncodeToString(h[:]), URL: u}, Data: data})
}

// cached adds the cache's file of sha256 sum, downloaded from u, at p.
func (col *collector) cached(p, u, sum string) error {
	file := col.e.Cache.Path(sum)
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	return col.add(CollectedFile{Member: bundle.Member{Path: p, Size: fi.Size(), SHA256: sum, URL: u}, File: file})
}

// archive collects an archive component; it returns its sha256.
func (col *collector) archive(ctx context.Context, c *vendorspec.Component) (string, error) {
	col.e.say(c.Name + " " + c.Version + ": fetching " + col.e.archiveFrom(c.URL, c.SHA256))
	f, err := col.e.openArchive(ctx, c.URL, c.SHA256)
	if err != nil {
		return "", err
	}
	f.Close()
	return c.SHA256, col.cached(archiveMirrorPath(c.SHA256, c.URL), c.URL, c.SHA256)
}

// rust collects a Rust source: the channel manifest, its .sha256 and
// .asc, the archive, and a direct archive's own .sha256 and .asc.
func (col *collector) rust(ctx context.Context, c *vendorspec.Component) (string, error) {
	rs, err := col.e.resolveRust(ctx, c)
	if err != nil {
		return "", err
	}
	rs.file.Close()
	res := rs.res
	distPath := func(u string) string { return strings.TrimPrefix(u, res.Root+"/") }
	for _, u := range []string{res.ManifestURL, res.ManifestURL + ".sha256", res.ManifestURL + ".asc"} {
		if err := col.small(distPath(u), u, strings.HasSuffix(u, ".asc")); err != nil {
			return "", err
		}
	}
	if res.ArchiveSigURL != "" {
		if err := col.small(distPath(res.ArchiveURL+".sha256"), res.ArchiveURL+".sha256", false); err != nil {
			return "", err
		}
		if err := col.small(distPath(res.ArchiveSigURL), res.ArchiveSigURL, true); err != nil {
			return "", err
		}
	}
	p := distPath(res.ArchiveURL)
	if !strings.HasPrefix(p, mirrorDist+"/") {
		return "", failed(fmt.Errorf("archive %s does not lie under %s/dist/", res.ArchiveURL, res.Root), "")
	}
	return res.ArchiveSHA256, col.cached(p, res.ArchiveURL, res.ArchiveSHA256)
}

// crate collects a crate closure: the .crate files, and with an index,
// its config.json and the index file of every crate.
func (col *collector) crate(ctx context.Context, c *vendorspec.Component) error {
	o, res, err := col.e.vendorScratch(ctx, c)
	if err != nil {
		return err
	}
	if o.Registry.Sparse() {
		root := strings.TrimPrefix(o.Registry.URL, "sparse+")
		if o.Registry.URL == "" {
			root = strings.TrimPrefix(crates.DefaultIndex, "sparse+")
		}
		root = strings.TrimSuffix(root, "/") + "/"
		if err := col.small(mirrorConfig, root+"config.json", false); err != nil {
			return err
		}
		for _, cr := range res.Crates {
			ip := crates.IndexPath(cr.Name)
			if err := col.small(mirrorIndex+"/"+ip, root+ip, false); err != nil {
				return err
			}
		}
	}
	for _, cr := range res.Crates {
		if err := col.cached(crateMirrorPath(cr.Name, cr.Version), cr.URL, cr.Checksum); err != nil {
			return err
		}
	}
	return nil
}

// base collects the archive of the version the lock recorded for a
// component with a patch queue that moves to another archive (sum): a
// patch that does not apply exactly is merged against it. It is taken
// from the cache, or downloaded for an archive component; a Rust source
// missing from the cache is said, not fetched.
func (col *collector) base(ctx context.Context, c *vendorspec.Component, sum string) error {
	e := col.e
	old := e.Project.Lock.Component(c.Name)
	if c.Patches == "" || c.Kind == vendorspec.KindCrate || old == nil || old.SHA256 == "" || old.SHA256 == sum {
		return nil
	}
	f, ok, err := e.Cache.OpenCached(old.SHA256)
	if err == nil && !ok && old.Kind == vendorspec.KindArchive {
		f, err = e.openArchive(ctx, old.URL, old.SHA256)
		ok = err == nil
	}
	if err != nil {
		return err
	}
	if !ok {
		e.warn(fmt.Sprintf("%s: the archive of %s %s, which its patch queue was recorded against, is not in the download cache: it is left out, and a patch that does not apply exactly to %s cannot be merged from this collection (run rvendor fetch before changing the version to keep it)",
			c.Name, old.Name, old.Version, c.Version))
		return nil
	}
	f.Close()
	return col.cached(archiveMirrorPath(old.SHA256, old.URL), old.URL, old.SHA256)
}
