package main

import (
	"context"
	"os"
	"path"
	"path/filepath"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// stageArchive fetches an archive component (checking its sha256 before
// anything is unpacked) and extracts the selected paths.
func stageArchive(ctx context.Context, g *globalOptions, cache *fetch.Cache, txn *tree.Txn, c *vendorspec.Component) (*staged, error) {
	g.say("%s %s: fetching %s", c.Name, c.Version, c.URL)
	file, err := cache.Fetch(ctx, c.URL, c.SHA256)
	if err != nil {
		return nil, err
	}
	format, err := fetch.FormatOf(c.URL)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dir := txn.StagePath(c.Name)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	pr := g.progress()
	defer pr.done()
	r, err := fetch.Extract(ctx, f, format, dir, fetch.Selection{Root: c.Root, Paths: c.Paths, Exclude: c.Exclude,
		Archive: path.Base(c.URL), Progress: pr.extract(path.Base(c.URL))}, fetch.Limits{})
	if err != nil {
		return nil, err
	}
	return &staged{Lock: c.Locked(), Files: r.Files, Dir: dir}, nil
}
