package vendorspec

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Locked returns the lock entry an update of c records, without the
// resolved fields (URL for non-archive kinds, hashes, counts) that only the
// update knows.
func (c *Component) Locked() *LockedComponent {
	return &LockedComponent{
		Name: c.Name, Kind: c.Kind, Version: c.Version,
		URL: c.URL, SHA256: c.SHA256,
		Root: c.Root, Paths: slices.Clone(c.Paths), Exclude: slices.Clone(c.Exclude),
		Dest: c.Dest, License: c.License, SPDXHeader: c.SPDXHeader, Readme: c.Readme,
		Crate: c.Crate, Lockfile: c.Lockfile, Platforms: slices.Clone(c.Platforms),
	}
}

// Stale lists how the spec's component differs from what the lock
// recorded at the last update, one "key: spec says X, lock has Y" line per
// key. An empty result means the lock is current for c.
func (c *Component) Stale(lc *LockedComponent) []string {
	var out []string
	cmp := func(key, spec, lock string) {
		if spec != lock {
			out = append(out, fmt.Sprintf("%s: spec says %q, lock has %q", key, spec, lock))
		}
	}
	list := func(key string, spec, lock []string) {
		if !slices.Equal(spec, lock) {
			out = append(out, fmt.Sprintf("%s: spec says [%s], lock has [%s]", key, quoteList(spec), quoteList(lock)))
		}
	}
	cmp("kind", c.Kind, lc.Kind)
	cmp("version", c.Version, lc.Version)
	if c.Kind == KindArchive {
		cmp("url", c.URL, lc.URL)
		cmp("sha256", c.SHA256, lc.SHA256)
	}
	if c.Kind == KindCrate {
		cmp("crate", c.Crate, lc.Crate)
		cmp("lockfile", c.Lockfile, lc.Lockfile)
		list("platforms", c.Platforms, lc.Platforms)
	}
	cmp("root", c.Root, lc.Root)
	list("paths", c.Paths, lc.Paths)
	list("exclude", c.Exclude, lc.Exclude)
	cmp("dest", c.Dest, lc.Dest)
	cmp("license", c.License, lc.License)
	cmp("spdx-header", c.SPDXHeader, lc.SPDXHeader)
	if c.Readme != lc.Readme {
		out = append(out, fmt.Sprintf("readme: spec says %v, lock has %v", c.Readme, lc.Readme))
	}
	return out
}

// StaleInputs lists the in-tree inputs of c that changed since the lock
// was written: today, a crate component's lockfile (dir is the spec's
// folder). It reads only that file.
func (c *Component) StaleInputs(dir string, lc *LockedComponent) []string {
	if c.Lockfile == "" || lc.LockfileSHA256 == "" || c.Lockfile != lc.Lockfile {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(c.Lockfile)))
	if err != nil {
		return []string{fmt.Sprintf("lockfile: %s cannot be read: %v", c.Lockfile, err)}
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != lc.LockfileSHA256 {
		return []string{fmt.Sprintf("lockfile: %s changed since the last update (sha256 %s, lock has %s)", c.Lockfile, got, lc.LockfileSHA256)}
	}
	return nil
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
