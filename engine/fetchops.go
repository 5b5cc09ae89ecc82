package engine

import (
	"context"
	"path"

	"github.com/rvendor/rvendor/fetch/crates"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// Fetched is one component Fetch brought into the cache.
type Fetched struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
	Path   string `json:"path,omitempty"` // the cached file
}

// Fetch fills the download cache with what Update needs for the
// components named (all when none), with every check Update makes. It
// does not touch the tree, the lock or the sum.
func (e *Engine) Fetch(ctx context.Context, names []string) ([]Fetched, error) {
	comps, err := e.Project.Select(names)
	if err != nil {
		return nil, err
	}
	var out []Fetched
	for _, c := range comps {
		fc := Fetched{Name: c.Name, Kind: c.Kind}
		if err := e.fetchOne(ctx, c, &fc); err != nil {
			return nil, componentErr(c.Name, err)
		}
		out = append(out, fc)
	}
	return out, nil
}

func (e *Engine) fetchOne(ctx context.Context, c *vendorspec.Component, fc *Fetched) error {
	switch c.Kind {
	case vendorspec.KindArchive:
		e.say(c.Name + " " + c.Version + ": fetching " + e.archiveFrom(c.URL, c.SHA256))
		f, err := e.openArchive(ctx, c.URL, c.SHA256)
		if err != nil {
			return err
		}
		fc.Path, fc.URL, fc.SHA256 = e.Cache.Path(c.SHA256), c.URL, c.SHA256
		return f.Close()
	case vendorspec.KindRustSrc, vendorspec.KindRustcSrc:
		rs, err := e.resolveRust(ctx, c)
		if err != nil {
			return err
		}
		fc.Path, fc.URL, fc.SHA256 = e.Cache.Path(rs.res.ArchiveSHA256), rs.res.ArchiveURL, rs.res.ArchiveSHA256
		return rs.file.Close()
	case vendorspec.KindCrate:
		_, _, err := e.vendorScratch(ctx, c)
		return err
	}
	return unusablef("", "kind %q cannot be fetched", c.Kind)
}

// vendorScratch vendors c's crate closure, with every check, into a
// temporary folder removed before it returns: what Fetch and Collect run.
// It returns the options it vendored with and the result.
func (e *Engine) vendorScratch(ctx context.Context, c *vendorspec.Component) (crates.Options, *crates.Result, error) {
	o, _, err := e.crateOptions(c)
	if err != nil {
		return o, nil, err
	}
	s, err := newTempScratch()
	if err != nil {
		return o, nil, err
	}
	defer s.remove()
	dir, err := s.NewPath(path.Base(c.Dest))
	if err != nil {
		return o, nil, err
	}
	res, err := crates.Vendor(ctx, dir, o)
	return o, res, err
}
