package main

import (
	"context"
	"os"

	"github.com/rvendor/rvendor/fetch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// fetchCrate downloads and checks a crate component's closure into the
// cache without touching the tree: it vendors into a temporary folder
// outside the tree, which it then removes.
func fetchCrate(ctx context.Context, g *globalOptions, p *project, cache *fetch.Cache, c *vendorspec.Component) error {
	o, _, err := crateOptions(g, p, cache, c)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "rvendor-fetch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	_, err = vendorCrates(ctx, tmp+"/closure", o)
	return err
}
