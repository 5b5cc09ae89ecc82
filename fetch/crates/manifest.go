package crates

import (
	"fmt"
	"slices"

	"github.com/pelletier/go-toml/v2"
)

// Manifest is what rvendor reads from a crate's (normalized) Cargo.toml.
type Manifest struct {
	Name        string
	Version     string
	License     string // SPDX expression as written, "" if none
	LicenseFile string
	Deps        []Dep
}

// Dep is one dependency declaration of a manifest.
type Dep struct {
	Package string // the crate depended on (the key, or `package = ...`)
	Kind    string // "normal", "build" or "dev"
	Target  *Cfg   // nil: every target
	Key     string // the [target.KEY] as written, "" when Target is nil
}

// ParseManifest reads a Cargo.toml.
func ParseManifest(data []byte) (*Manifest, error) {
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parsing Cargo.toml: %w", err)
	}
	m := &Manifest{}
	pkg, _ := raw["package"].(map[string]any)
	if pkg == nil {
		pkg, _ = raw["project"].(map[string]any)
	}
	if pkg == nil {
		return nil, fmt.Errorf("Cargo.toml has no [package] table")
	}
	m.Name, _ = pkg["name"].(string)
	m.Version, _ = pkg["version"].(string)
	m.License, _ = pkg["license"].(string)
	m.LicenseFile, _ = pkg["license-file"].(string)
	kinds := []struct{ table, kind string }{
		{"dependencies", "normal"}, {"build-dependencies", "build"}, {"build_dependencies", "build"},
		{"dev-dependencies", "dev"}, {"dev_dependencies", "dev"},
	}
	var bad error
	add := func(tbl any, kind string, target *Cfg, key string) {
		deps, _ := tbl.(map[string]any)
		names := make([]string, 0, len(deps))
		for k := range deps {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			if k == "" && bad == nil {
				bad = fmt.Errorf("Cargo.toml: a %s dependency has an empty name", kind)
			}
			d := Dep{Package: k, Kind: kind, Target: target, Key: key}
			if spec, ok := deps[k].(map[string]any); ok {
				if p, ok := spec["package"].(string); ok && p != "" {
					d.Package = p
				}
			}
			m.Deps = append(m.Deps, d)
		}
	}
	for _, k := range kinds {
		add(raw[k.table], k.kind, nil, "")
	}
	targets, _ := raw["target"].(map[string]any)
	keys := make([]string, 0, len(targets))
	for k := range targets {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		tt, _ := targets[key].(map[string]any)
		cfg, err := ParseTargetKey(key)
		if err != nil {
			return nil, fmt.Errorf("Cargo.toml: %w", err)
		}
		for _, k := range kinds {
			add(tt[k.table], k.kind, cfg, key)
		}
	}
	if bad != nil {
		return nil, bad
	}
	return m, nil
}

// stubKeys are the top-level and [package] keys a stub's Cargo.toml drops:
// build targets and files that no longer exist.
var (
	stubDropTop     = []string{"lib", "bin", "example", "test", "bench", "badges"}
	stubDropPackage = []string{"build", "links", "include", "exclude", "readme", "license-file",
		"autobins", "autoexamples", "autotests", "autobenches", "autolib", "workspace", "default-run"}
)

// StubManifest returns the Cargo.toml of a stub for the crate whose
// manifest is data: the same package, dependencies and features (so that
// Cargo.lock stays valid and dependents may enable its features), without
// build script, links, targets or file references, so that the only
// source it needs is an empty src/lib.rs. As cargo-vendor-filterer does.
func StubManifest(data []byte) ([]byte, error) {
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parsing Cargo.toml: %w", err)
	}
	for _, k := range stubDropTop {
		delete(raw, k)
	}
	if pkg, ok := raw["package"].(map[string]any); ok {
		for _, k := range stubDropPackage {
			delete(pkg, k)
		}
	}
	out, err := toml.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("writing stub Cargo.toml: %w", err)
	}
	return append([]byte("# rvendor: stub of a crate only other platforms need; the original is in the registry.\n"), out...), nil
}
