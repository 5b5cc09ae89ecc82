package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// Env is the process a command runs in: its output streams and its
// environment. Commands read nothing global beyond it.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// Dir returns the folder a command acts in: d (-C; "." when empty), made
// absolute, which must be a folder.
func Dir(d string) (string, error) {
	if d == "" {
		d = "."
	}
	abs, err := filepath.Abs(d)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return "", Usage(fmt.Errorf("-C %s: not a folder", d), "")
	}
	return abs, nil
}

// SpecPath returns the spec to use: specFile (--spec, relative to dir
// (-C)), or the rvendor.toml found walking up from dir.
func SpecPath(dir, specFile string) (string, error) {
	dir, err := Dir(dir)
	if err != nil {
		return "", err
	}
	if specFile != "" {
		if !filepath.IsAbs(specFile) {
			specFile = filepath.Join(dir, specFile)
		}
		return specFile, nil
	}
	p, err := vendorspec.Find(dir)
	if err != nil {
		return "", Usage(err, "")
	}
	return p, nil
}

// StatCachePath returns verify's stat cache file for the tree at root,
// under $RVENDOR_CACHE or the user cache folder, or "" when there is none.
// It is outside the tree: a cloned tree cannot bring its own.
func StatCachePath(getenv func(string) string, root string) string {
	dir := getenv("RVENDOR_CACHE")
	if dir == "" {
		base, err := userCacheDir(getenv)
		if err != nil {
			return ""
		}
		dir = filepath.Join(base, "rvendor")
	}
	sum := sha256.Sum256([]byte(root))
	return filepath.Join(dir, "stat", hex.EncodeToString(sum[:16]))
}

// userCacheDir is os.UserCacheDir reading the environment through getenv.
func userCacheDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CACHE_HOME"); d != "" {
		return d, nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache"), nil
	}
	return "", errors.New("neither $XDG_CACHE_HOME nor $HOME is set")
}
