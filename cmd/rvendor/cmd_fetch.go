package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/fetch"
)

func newFetchCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fetch [COMPONENT...]",
		Short: "Download and check the pinned sources into the cache, without touching the tree",
		Long: `Fetch downloads what update needs for each component (all, or those named)
into the download cache ($RVENDOR_CACHE, or the user cache folder), with
every check update makes: hashes, manifest signatures. It does not touch the
tree, the lock or the sum, so a maintainer can fetch on one machine, carry
the cache over, and update on another with no network.

EXIT STATUS
  0  everything is in the cache and checked
  1  a download or a check failed
  2  bad usage, or a spec that cannot be used`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFetch(cmd.Context(), g, args)
		},
	}
	addKeyringFlag(cmd, g)
	return cmd
}

// addKeyringFlag adds the download flags of update and fetch: --keyring,
// which replaces the embedded Rust release key for checking manifest
// signatures, --allow-yanked and --compression.
func addKeyringFlag(cmd *cobra.Command, g *globalOptions) {
	cmd.Flags().StringVar(&g.Keyring, "keyring", "", "check Rust manifest signatures against the OpenPGP keys in `FILE` instead of the embedded Rust release key")
	cmd.Flags().BoolVar(&g.AllowYanked, "allow-yanked", false, "vendor a yanked crate version with a warning instead of failing")
	cmd.Flags().StringVar(&g.Compression, "compression", "auto", "Rust archives to download when the server offers both: `gz` (decodes about 4x faster), xz (smaller, for slow links), or auto: the lock's, else one already cached, else gz")
}

// checkCompression validates --compression; "auto" becomes "".
func (g *globalOptions) checkCompression() error {
	switch g.Compression {
	case "auto", "":
		g.Compression = ""
	case "gz", "xz":
	default:
		return usageErr(fmt.Errorf("--compression %q: want auto, gz or xz", g.Compression), "")
	}
	return nil
}

func runFetch(ctx context.Context, g *globalOptions, args []string) error {
	if err := g.absKeyring(); err != nil {
		return err
	}
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	e, err := g.newEngine(p)
	if err != nil {
		return err
	}
	out, err := e.Fetch(ctx, args)
	if err != nil {
		return err
	}
	g.say("fetched %d component(s) into %s", len(out), e.Cache.Dir)
	if g.JSON {
		return writeJSON(g, map[string]any{"cache": e.Cache.Dir, "components": out})
	}
	return nil
}

// cache returns the download cache: $RVENDOR_CACHE, or the default.
func (g *globalOptions) cache() (*fetch.Cache, error) {
	dir, err := fetch.CacheDir(g.getenv)
	if err != nil {
		return nil, err
	}
	c := &fetch.Cache{Dir: dir}
	if pr := g.progress(); pr.on {
		c.Progress = func(url string, done, total int64) {
			pr.download(url, done, total)
			if total > 0 && done >= total {
				pr.done()
			}
		}
	}
	return c, nil
}
