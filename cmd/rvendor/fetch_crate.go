package main

import (
	"context"
	"fmt"

	"github.com/rvendor/rvendor/fetch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// fetchCrate downloads a crate component's closure into the cache.
func fetchCrate(ctx context.Context, g *globalOptions, p *project, cache *fetch.Cache, c *vendorspec.Component) error {
	return usageErr(fmt.Errorf("kind %q cannot be fetched by this version of rvendor yet", c.Kind), "")
}
