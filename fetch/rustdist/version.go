package rustdist

import (
	"fmt"
	"strings"
	"time"

	"github.com/rvendor/rvendor/internal/lazyre"
)

// DefaultRoot is the official Rust distribution server.
const DefaultRoot = "https://static.rust-lang.org"

// Channels.
const (
	Stable  = "stable"
	Beta    = "beta"
	Nightly = "nightly"
)

// Version is a parsed Rust version as rvendor specs write it: an exact
// stable release ("1.78.0") or a dated beta or nightly ("nightly-2024-05-01").
type Version struct {
	Channel string // Stable, Beta or Nightly
	Release string // "1.78.0" for Stable; empty otherwise
	Date    string // "2024-05-01" for Beta and Nightly; empty for Stable
}

var (
	releaseRE = lazyre.New(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)
	datedRE   = lazyre.New(`^(nightly|beta)-([0-9]{4}-[0-9]{2}-[0-9]{2})$`)
)

// ParseVersion parses "1.78.0", "nightly-2024-05-01" or "beta-2024-05-01".
// Channel names alone ("stable", "nightly") and partial versions ("1.78")
// are refused: a vendored tree must name exactly one release.
func ParseVersion(s string) (Version, error) {
	if releaseRE().MatchString(s) {
		return Version{Channel: Stable, Release: s}, nil
	}
	if m := datedRE().FindStringSubmatch(s); m != nil {
		if _, err := time.Parse(time.DateOnly, m[2]); err != nil {
			return Version{}, fmt.Errorf("rust version %q: bad date %s", s, m[2])
		}
		return Version{Channel: m[1], Date: m[2]}, nil
	}
	return Version{}, fmt.Errorf("rust version %q: want an exact release such as 1.78.0, or nightly-YYYY-MM-DD or beta-YYYY-MM-DD", s)
}

// String returns the version as ParseVersion reads it.
func (v Version) String() string {
	if v.Channel == Stable {
		return v.Release
	}
	return v.Channel + "-" + v.Date
}

// ManifestPath returns the manifest's path on the server:
// "/dist/channel-rust-1.78.0.toml" or
// "/dist/2024-05-01/channel-rust-nightly.toml".
func (v Version) ManifestPath() string {
	if v.Channel == Stable {
		return "/dist/channel-rust-" + v.Release + ".toml"
	}
	return "/dist/" + v.Date + "/channel-rust-" + v.Channel + ".toml"
}

// ManifestURL returns the manifest's URL under root (DefaultRoot when
// empty). It does not check root; see CheckRoot.
func (v Version) ManifestURL(root string) string {
	if root == "" {
		root = DefaultRoot
	}
	return strings.TrimSuffix(root, "/") + v.ManifestPath()
}
