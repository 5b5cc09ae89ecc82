package rustdist

import (
	"fmt"
	"path"
	"strings"
)

// SourceRoot returns the folder of the archive of kind and version that
// corresponds to the root of the Rust source tree (the folder holding
// library/):
//
//	rust-src  1.63.0   rust-src-1.63.0/rust-src/lib/rustlib/src/rust
//	rustc-src 1.63.0   rustc-1.63.0-src
//	rust-src  nightly-2024-05-01   rust-src-nightly/rust-src/lib/rustlib/src/rust
func SourceRoot(kind, version string) (string, error) {
	v, err := ParseVersion(version)
	if err != nil {
		return "", err
	}
	name := v.Release
	if v.Channel != Stable {
		name = v.Channel
	}
	switch kind {
	case KindRustSrc:
		return "rust-src-" + name + "/rust-src/lib/rustlib/src/rust", nil
	case KindRustcSrc:
		return "rustc-" + name + "-src", nil
	}
	return "", fmt.Errorf("rust dist: kind %q: want %s or %s", kind, KindRustSrc, KindRustcSrc)
}

// LayoutRoot returns the archive folder that mirrors library/:
// SourceRoot + "/library".
func LayoutRoot(kind, version string) (string, error) {
	r, err := SourceRoot(kind, version)
	if err != nil {
		return "", err
	}
	return r + "/library", nil
}

// ArchivePath maps p, a clean slash-separated path in the Rust source tree
// as specs write it ("library" or "library/core"), to its path in the
// archive of kind and version. Absolute, unclean and ".." paths are
// refused.
func ArchivePath(kind, version, p string) (string, error) {
	if p == "" || p != path.Clean(p) || path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") || strings.Contains(p, "\\") {
		return "", fmt.Errorf("rust source path %q: want a clean relative path such as library/core", p)
	}
	r, err := SourceRoot(kind, version)
	if err != nil {
		return "", err
	}
	if p == "." {
		return r, nil
	}
	return r + "/" + p, nil
}
