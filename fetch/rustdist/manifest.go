package rustdist

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/rvendor/rvendor/tree"
)

// Manifest is what rvendor reads from a channel manifest
// (channel-rust-*.toml, manifest-version "2"). Other tables and keys are
// ignored.
type Manifest struct {
	Date string // "2022-08-11"
	// Pkgs maps a package name ("rust-src", "rustc", …) to its entry.
	Pkgs map[string]*Package
	// SourceCode lists the [artifacts.source-code] target "*" archives
	// (the rustc-X-src tarballs), in manifest order; nil when absent.
	SourceCode []Archive
}

// Package is one [pkg.NAME] of a manifest.
type Package struct {
	Name          string
	Version       string // "1.63.0 (4b91a6ea7 2022-08-08)"
	GitCommitHash string
	Targets       map[string]Target // by triple; rust-src uses "*"
}

// Target is one [pkg.NAME.target.TRIPLE].
type Target struct {
	Available bool
	GZ        Archive // url, hash; zero when not offered
	XZ        Archive // xz_url, xz_hash; zero when not offered
}

// Archive is a URL and the SHA-256 (lowercase hex) its content must have.
type Archive struct {
	URL    string
	SHA256 string
}

// Format returns "tar.gz" or "tar.xz" from the URL's suffix, or "".
func (a Archive) Format() string {
	switch {
	case strings.HasSuffix(a.URL, ".tar.gz"):
		return "tar.gz"
	case strings.HasSuffix(a.URL, ".tar.xz"):
		return "tar.xz"
	}
	return ""
}

// ReleaseNumber returns the leading "1.63.0" of the package version, or
// "nightly"/"beta" for those channels' "1.80.0-nightly (…)" versions.
func (p *Package) ReleaseNumber() string {
	v, _, _ := strings.Cut(p.Version, " ")
	return v
}

type rawManifest struct {
	ManifestVersion string                 `toml:"manifest-version"`
	Date            string                 `toml:"date"`
	Pkg             map[string]rawPkg      `toml:"pkg"`
	Artifacts       map[string]rawArtifact `toml:"artifacts"`
}

type rawPkg struct {
	Version       string               `toml:"version"`
	GitCommitHash string               `toml:"git_commit_hash"`
	Target        map[string]rawTarget `toml:"target"`
}

type rawTarget struct {
	Available bool   `toml:"available"`
	URL       string `toml:"url"`
	Hash      string `toml:"hash"`
	XzURL     string `toml:"xz_url"`
	XzHash    string `toml:"xz_hash"`
}

type rawArtifact struct {
	Target map[string][]rawArtifactItem `toml:"target"`
}

type rawArtifactItem struct {
	URL        string `toml:"url"`
	HashSHA256 string `toml:"hash-sha256"`
}

// ParseManifest parses a channel manifest. It checks manifest-version and
// date and the form of every URL and hash rvendor may use; it does not
// check the signature (see VerifyDetached) or whether a package is present
// (see Manifest.Target).
func ParseManifest(data []byte) (*Manifest, error) {
	var raw rawManifest
	if err := toml.NewDecoder(bytes.NewReader(data)).Decode(&raw); err != nil {
		return nil, fmt.Errorf("channel manifest: %w", err)
	}
	if raw.ManifestVersion != "2" {
		return nil, fmt.Errorf("channel manifest: manifest-version is %q, want \"2\"", raw.ManifestVersion)
	}
	if _, err := time.Parse(time.DateOnly, raw.Date); err != nil {
		return nil, fmt.Errorf("channel manifest: date %q is not YYYY-MM-DD", raw.Date)
	}
	m := &Manifest{Date: raw.Date, Pkgs: map[string]*Package{}}
	for name, rp := range raw.Pkg {
		p := &Package{Name: name, Version: rp.Version, GitCommitHash: rp.GitCommitHash, Targets: map[string]Target{}}
		for triple, rt := range rp.Target {
			t := Target{Available: rt.Available, GZ: Archive{rt.URL, rt.Hash}, XZ: Archive{rt.XzURL, rt.XzHash}}
			if t.Available {
				for _, a := range []Archive{t.GZ, t.XZ} {
					if err := a.check(); err != nil {
						return nil, fmt.Errorf("channel manifest: [pkg.%s.target.%q]: %w", name, triple, err)
					}
				}
			}
			p.Targets[triple] = t
		}
		m.Pkgs[name] = p
	}
	if sc, ok := raw.Artifacts["source-code"]; ok {
		for _, it := range sc.Target["*"] {
			a := Archive{it.URL, it.HashSHA256}
			if a.URL == "" {
				return nil, fmt.Errorf("channel manifest: [artifacts.source-code] entry without url")
			}
			if err := a.check(); err != nil {
				return nil, fmt.Errorf("channel manifest: [artifacts.source-code]: %w", err)
			}
			m.SourceCode = append(m.SourceCode, a)
		}
	}
	return m, nil
}

// check accepts a zero Archive (not offered) or a URL with a hash.
func (a Archive) check() error {
	if a.URL == "" && a.SHA256 == "" {
		return nil
	}
	if a.URL == "" {
		return fmt.Errorf("hash %q without a url", a.SHA256)
	}
	if !tree.IsSHA256Hex(a.SHA256) {
		return fmt.Errorf("%s: hash %q is not 64 lowercase hex digits", a.URL, a.SHA256)
	}
	return nil
}

// Target returns the available [pkg.NAME.target.TRIPLE] with at least one
// archive, or an error naming what the manifest lacks.
func (m *Manifest) Target(pkg, triple string) (*Package, Target, error) {
	p, ok := m.Pkgs[pkg]
	if !ok {
		names := make([]string, 0, len(m.Pkgs))
		for n := range m.Pkgs {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, Target{}, fmt.Errorf("channel manifest of %s has no [pkg.%s] (it has %d packages: %s)", m.Date, pkg, len(names), abbrev(names, 8))
	}
	t, ok := p.Targets[triple]
	if !ok {
		return nil, Target{}, fmt.Errorf("channel manifest of %s: %s %s has no target %q", m.Date, pkg, p.Version, triple)
	}
	if !t.Available {
		return nil, Target{}, fmt.Errorf("channel manifest of %s: %s %s is not available for target %q (available = false)", m.Date, pkg, p.Version, triple)
	}
	if t.GZ.URL == "" && t.XZ.URL == "" {
		return nil, Target{}, fmt.Errorf("channel manifest of %s: %s %s target %q has no url or xz_url", m.Date, pkg, p.Version, triple)
	}
	return p, t, nil
}

func abbrev(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + ", …"
}
