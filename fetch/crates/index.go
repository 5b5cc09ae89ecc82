package crates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/rustdist"
)

// DefaultIndex is the crates.io sparse index, used when the spec names
// none.
const DefaultIndex = "sparse+https://index.crates.io/"

// Size caps for the small files read from an index.
const (
	MaxConfigSize = 1 << 20  // config.json
	MaxIndexFile  = 32 << 20 // one crate's index file (serde's is about 1 MB)
)

// ErrNotFound is wrapped by errors for a crate, version or file the
// registry does not have.
var ErrNotFound = rustdist.ErrNotFound

// IndexPath returns the path of name's file in a sparse index, relative
// to its root: 1/{n}, 2/{n}, 3/{c}/{n}, or {n[0:2]}/{n[2:4]}/{n}, with n
// the lowercased name.
func IndexPath(name string) string {
	n := strings.ToLower(name)
	switch len(n) {
	case 1:
		return "1/" + n
	case 2:
		return "2/" + n
	case 3:
		return "3/" + n[:1] + "/" + n
	}
	return n[0:2] + "/" + n[2:4] + "/" + n
}

// IndexEntry is one line of a sparse index file: one published version.
type IndexEntry struct {
	Name   string `json:"name"`
	Vers   string `json:"vers"`
	Cksum  string `json:"cksum"`
	Yanked bool   `json:"yanked"`
}

// Registry is where crates come from: a sparse index (URL starting with
// "sparse+") whose config.json names the download location, or a plain
// download root (any other URL), used as the dl template of a registry
// without index.
type Registry struct {
	// URL is the spec's crates-index; "" means DefaultIndex.
	URL string
	// Mirrors are download roots tried in order after the registry's own
	// dl location fails (not after a checksum mismatch): a mirror M
	// serves M/crates/{crate}/{crate}-{version}.crate, the layout of
	// static.crates.io.
	Mirrors []string
	// Getter fetches config.json and index files. nil means Vendor's
	// Options.Cache (fetch.Cache.Get: https, loopback http and file://
	// only, the one redirect rule, retries of timeouts and 5xx answers,
	// never 4xx), or, outside Vendor, a fetch.Cache with the defaults.
	Getter rustdist.Getter
}

// Sparse reports whether r has an index.
func (r *Registry) Sparse() bool { return strings.HasPrefix(r.url(), "sparse+") }

func (r *Registry) url() string {
	if r.URL == "" {
		return DefaultIndex
	}
	return r.URL
}

func (r *Registry) root() string {
	u := strings.TrimPrefix(r.url(), "sparse+")
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

func (r *Registry) get(ctx context.Context, u string, max int64) ([]byte, error) {
	g := r.Getter
	if g == nil {
		g = &fetch.Cache{} // Get stores nothing: no folder needed
	}
	return g.Get(ctx, u, max)
}

// DL returns the registry's download template: the dl of its
// config.json, or the plain download root.
func (r *Registry) DL(ctx context.Context) (string, error) {
	if !r.Sparse() {
		return strings.TrimSuffix(r.url(), "/"), nil
	}
	u := r.root() + "config.json"
	data, err := r.get(ctx, u, MaxConfigSize)
	if err != nil {
		return "", fmt.Errorf("reading the registry configuration: %w", err)
	}
	var cfg struct {
		DL string `json:"dl"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return "", fmt.Errorf("reading the registry configuration %s: %w", u, err)
	}
	if cfg.DL == "" {
		return "", fmt.Errorf("registry configuration %s has no dl", u)
	}
	return cfg.DL, nil
}

// Entries returns every published version of name from the sparse index.
// A crate the index does not have is an error wrapping ErrNotFound.
func (r *Registry) Entries(ctx context.Context, name string) ([]IndexEntry, error) {
	if !r.Sparse() {
		return nil, errors.New("the registry has no index")
	}
	u := r.root() + IndexPath(name)
	data, err := r.get(ctx, u, MaxIndexFile)
	if err != nil {
		return nil, err
	}
	var out []IndexEntry
	for i, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var e IndexEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			return nil, fmt.Errorf("index file %s, line %d: %w", u, i+1, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// DownloadURL expands the dl template for one crate: the markers
// {crate} {version} {prefix} {lowerprefix} {sha256-checksum}; a template
// with none gets /{crate}/{version}/download appended.
func DownloadURL(dl, name, version, cksum string) string {
	markers := []string{"{crate}", "{version}", "{prefix}", "{lowerprefix}", "{sha256-checksum}"}
	has := false
	for _, m := range markers {
		if strings.Contains(dl, m) {
			has = true
		}
	}
	if !has {
		return strings.TrimSuffix(dl, "/") + "/" + url.PathEscape(name) + "/" + url.PathEscape(version) + "/download"
	}
	prefix := strings.TrimSuffix(IndexPath(name), "/"+strings.ToLower(name))
	// The prefix keeps the crate name's case; lowerprefix lowercases it.
	casePrefix := prefix
	if len(name) > 3 {
		casePrefix = name[0:2] + "/" + name[2:4]
	} else if len(name) == 3 {
		casePrefix = "3/" + name[:1]
	}
	rep := strings.NewReplacer(
		"{crate}", name, "{version}", version,
		"{prefix}", casePrefix, "{lowerprefix}", prefix,
		"{sha256-checksum}", cksum)
	return rep.Replace(dl)
}

// mirrorURL is where mirror m serves a crate.
func mirrorURL(m, name, version string) string {
	return strings.TrimSuffix(m, "/") + "/crates/" + name + "/" + name + "-" + version + ".crate"
}
