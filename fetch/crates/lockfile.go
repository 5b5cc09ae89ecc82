package crates

import (
	"fmt"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// CratesIOSource is the source Cargo.lock records for crates.io packages.
const CratesIOSource = "registry+https://github.com/rust-lang/crates.io-index"

// cratesIOSparseSource is how a lock written with the sparse protocol
// forced on names crates.io.
const cratesIOSparseSource = "sparse+https://index.crates.io/"

// Package is one [[package]] of a Cargo.lock.
type Package struct {
	Name         string
	Version      string
	Source       string   // "" for the workspace's own packages
	Checksum     string   // sha256 of the .crate, hex; "" when absent
	Dependencies []string // "name" or "name version" or "name version (source)"
}

// ID returns "name version".
func (p *Package) ID() string { return p.Name + " " + p.Version }

// Lockfile is a parsed Cargo.lock.
type Lockfile struct {
	Version  int // 0 for the old format without a version key
	Packages []*Package
}

type rawLock struct {
	Version  int `toml:"version"`
	Packages []struct {
		Name         string   `toml:"name"`
		Version      string   `toml:"version"`
		Source       string   `toml:"source"`
		Checksum     string   `toml:"checksum"`
		Dependencies []string `toml:"dependencies"`
	} `toml:"package"`
	Metadata map[string]string `toml:"metadata"`
}

// ParseLockfile parses the bytes of a Cargo.lock (versions 1 to 4; in
// version 1 checksums come from [metadata]). It checks the shape only:
// which packages may be vendored is decided by Closure.
func ParseLockfile(data []byte) (*Lockfile, error) {
	var raw rawLock
	if err := toml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parsing Cargo.lock: %w", err)
	}
	if raw.Version > 4 {
		return nil, fmt.Errorf("Cargo.lock version %d is newer than the versions rvendor reads (1 to 4)", raw.Version)
	}
	l := &Lockfile{Version: raw.Version}
	seen := map[string]bool{}
	for i, rp := range raw.Packages {
		p := &Package{Name: rp.Name, Version: rp.Version, Source: rp.Source, Checksum: rp.Checksum, Dependencies: rp.Dependencies}
		if p.Name == "" || p.Version == "" {
			return nil, fmt.Errorf("Cargo.lock: package %d has no name or version", i+1)
		}
		if p.Checksum == "" && raw.Metadata != nil {
			p.Checksum = raw.Metadata["checksum "+p.Name+" "+p.Version+" ("+p.Source+")"]
		}
		key := p.ID() + " " + p.Source
		if seen[key] {
			return nil, fmt.Errorf("Cargo.lock: package %s is listed twice", p.ID())
		}
		seen[key] = true
		l.Packages = append(l.Packages, p)
	}
	if len(l.Packages) == 0 {
		return nil, fmt.Errorf("Cargo.lock lists no packages")
	}
	return l, nil
}

// Find returns the package name version, or nil.
func (l *Lockfile) Find(name, version string) *Package {
	for _, p := range l.Packages {
		if p.Name == name && p.Version == version {
			return p
		}
	}
	return nil
}

// depTarget resolves a dependency string of p to the package it names.
func (l *Lockfile) depTarget(dep string) *Package {
	f := strings.Fields(dep)
	switch len(f) {
	case 0:
		return nil
	case 1:
		for _, p := range l.Packages {
			if p.Name == f[0] {
				return p
			}
		}
		return nil
	default:
		return l.Find(f[0], f[1])
	}
}

// isCratesIO reports whether source names the crates.io registry.
func isCratesIO(source string) bool {
	return source == CratesIOSource || source == cratesIOSparseSource
}
