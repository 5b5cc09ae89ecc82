package vendorspec

import (
	"fmt"
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
		Dest: c.Dest, License: c.License,
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
	cmp("root", c.Root, lc.Root)
	list("paths", c.Paths, lc.Paths)
	list("exclude", c.Exclude, lc.Exclude)
	cmp("dest", c.Dest, lc.Dest)
	cmp("license", c.License, lc.License)
	return out
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
