package registry

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/sync/errgroup"

	"github.com/rvendor/rvendor/fetch/crates"
	"github.com/rvendor/rvendor/tree"
)

// Options configure Build.
type Options struct {
	// Source holds one unpacked folder per crate, named name-version.
	Source string
	// Root is the crate whose closure the registry serves, "name-version".
	Root string
	// Lock, when set, is the closure's Cargo.lock (checksums are
	// replaced); else it is generated with cargo.
	Lock []byte
}

// Crate is one packed crate.
type Crate struct {
	Name, Version string
	Data          []byte // the .crate
	Sum           string // its sha256, hex
	Manifest      []byte // its Cargo.toml
}

// Registry is a built registry.
type Registry struct {
	Dir        string // holds crates/{name}/{name}-{version}.crate ("lib" flavour)
	Root       string // root crate name
	Version    string // root crate version
	Lock       []byte // the closure's Cargo.lock, real checksums
	LibRoot    *Crate // the root crate without Cargo.lock
	BinRoot    *Crate // the root crate with Cargo.lock
	Crates     []*Crate
	sourceDirs map[string]string // name-version -> unpacked source folder
}

// fixedTime is the time of every entry of a packed .crate.
var fixedTime = time.Date(2006, 7, 24, 1, 21, 28, 0, time.UTC)

var devDepRE = regexp.MustCompile(`(?m)^\[(dev-dependencies|dev_dependencies)(\.[^\]]+)?\]\n(?:[^\[\n][^\n]*\n|\n)*`)

// Build packs the closure of o.Root into dir (created if needed).
func Build(dir string, o Options) (*Registry, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	i := -1
	for j := 0; j < len(o.Root)-1; j++ {
		if o.Root[j] == '-' && startsDigit(o.Root[j+1:]) {
			i = j
			break
		}
	}
	if i <= 0 {
		return nil, fmt.Errorf("root %q is not name-version", o.Root)
	}
	r := &Registry{Dir: dir, Root: o.Root[:i], Version: o.Root[i+1:], sourceDirs: map[string]string{}}

	// The root crate's folder, without dev-dependencies.
	work := filepath.Join(dir, "work", o.Root)
	os.RemoveAll(filepath.Join(dir, "work"))
	if err := copyDir(filepath.Join(o.Source, o.Root), work); err != nil {
		return nil, err
	}
	manifest, err := os.ReadFile(filepath.Join(work, "Cargo.toml"))
	if err != nil {
		return nil, err
	}
	manifest = devDepRE.ReplaceAll(manifest, nil)
	if err := os.WriteFile(filepath.Join(work, "Cargo.toml"), manifest, 0o644); err != nil {
		return nil, err
	}
	lock := o.Lock
	if lock == nil {
		if lock, err = generateLock(dir, work, o.Source); err != nil {
			return nil, err
		}
	}
	lf, err := crates.ParseLockfile(lock)
	if err != nil {
		return nil, err
	}

	// Pack every package in parallel.
	var mu sync.Mutex
	sums := map[string]string{}
	var g errgroup.Group
	g.SetLimit(4)
	for _, p := range lf.Packages {
		src := filepath.Join(o.Source, p.Name+"-"+p.Version)
		isRoot := p.Name == r.Root && p.Version == r.Version
		if isRoot {
			src = work
		}
		r.sourceDirs[p.Name+"-"+p.Version] = src
		g.Go(func() error {
			c, err := Pack(src, p.Name, p.Version, nil)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			sums[p.Name+" "+p.Version] = c.Sum
			if isRoot {
				r.LibRoot = c
			} else {
				r.Crates = append(r.Crates, c)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if r.LibRoot == nil {
		return nil, fmt.Errorf("the lock does not list the root %s", o.Root)
	}
	r.Lock = fixChecksums(lock, sums, r.Root, r.Version)
	if r.BinRoot, err = Pack(work, r.Root, r.Version, map[string][]byte{"Cargo.lock": r.Lock}); err != nil {
		return nil, err
	}
	slices.SortFunc(r.Crates, func(a, b *Crate) int { return strings.Compare(a.Name+" "+a.Version, b.Name+" "+b.Version) })
	for _, c := range append([]*Crate{r.LibRoot}, r.Crates...) {
		p := filepath.Join(dir, "crates", c.Name, c.Name+"-"+c.Version+".crate")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, c.Data, 0o644); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "Cargo.lock"), r.Lock, 0o644); err != nil {
		return nil, err
	}
	return r, nil
}

func startsDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// generateLock runs cargo generate-lockfile --offline in work, with
// source as a directory source replacing crates.io.
func generateLock(dir, work, source string) ([]byte, error) {
	home := filepath.Join(dir, "cargo-home")
	if err := os.MkdirAll(filepath.Join(work, ".cargo"), 0o755); err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf("[source.crates-io]\nreplace-with = \"src\"\n[source.src]\ndirectory = %q\n", source)
	if err := os.WriteFile(filepath.Join(work, ".cargo", "config.toml"), []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	defer os.RemoveAll(filepath.Join(work, ".cargo"))
	cmd := exec.Command("cargo", "generate-lockfile", "--offline")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "CARGO_HOME="+home)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("cargo generate-lockfile: %v\n%s", err, out)
	}
	defer os.Remove(filepath.Join(work, "Cargo.lock"))
	return os.ReadFile(filepath.Join(work, "Cargo.lock"))
}

// fixChecksums rewrites the checksum line of each [[package]] of lock.
func fixChecksums(lock []byte, sums map[string]string, rootName, rootVersion string) []byte {
	var out bytes.Buffer
	var name, version string
	for _, line := range strings.SplitAfter(string(lock), "\n") {
		switch {
		case strings.HasPrefix(line, "[[package]]"):
			name, version = "", ""
		case strings.HasPrefix(line, "name = "):
			name = strings.Trim(strings.TrimSpace(strings.TrimPrefix(line, "name = ")), `"`)
		case strings.HasPrefix(line, "version = ") && name != "":
			version = strings.Trim(strings.TrimSpace(strings.TrimPrefix(line, "version = ")), `"`)
		case strings.HasPrefix(line, "checksum = "):
			if s, ok := sums[name+" "+version]; ok {
				line = fmt.Sprintf("checksum = %q\n", s)
			}
		}
		out.WriteString(line)
	}
	return out.Bytes()
}

// skipSource reports whether a file of a Debian crate folder is left out
// of the .crate: Debian's additions.
func skipSource(rel string) bool {
	return rel == crates.ChecksumFile || rel == "debian" || strings.HasPrefix(rel, "debian/") || rel == "Cargo.toml.orig"
}

// Pack returns the .crate of the folder src, with extra files added (or
// replaced) at the top, and a Cargo.toml.orig beside Cargo.toml.
func Pack(src, name, version string, extra map[string][]byte) (*Crate, error) {
	type ent struct {
		rel  string
		mode int64
		data []byte
	}
	var ents []ent
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if skipSource(rel) || extra[rel] != nil {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		mode := int64(0o644)
		if fi.Mode()&0o111 != 0 {
			mode = 0o755
		}
		ents = append(ents, ent{rel, mode, data})
		return nil
	})
	if err != nil {
		return nil, err
	}
	var manifest []byte
	for _, e := range ents {
		if e.rel == "Cargo.toml" {
			manifest = e.data
		}
	}
	if manifest == nil {
		return nil, fmt.Errorf("%s has no Cargo.toml", src)
	}
	ents = append(ents, ent{"Cargo.toml.orig", 0o644, manifest})
	for k, v := range extra {
		ents = append(ents, ent{k, 0o644, v})
	}
	slices.SortFunc(ents, func(a, b ent) int { return strings.Compare(a.rel, b.rel) })
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	tw := tar.NewWriter(zw)
	prefix := name + "-" + version + "/"
	for _, e := range ents {
		hdr := &tar.Header{Name: prefix + e.rel, Mode: e.mode, Size: int64(len(e.data)), ModTime: fixedTime, Typeflag: tar.TypeReg, Format: tar.FormatGNU}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(buf.Bytes())
	return &Crate{Name: name, Version: version, Data: buf.Bytes(), Sum: hex.EncodeToString(sum[:]), Manifest: manifest}, nil
}

// All returns every crate of the closure, the "lib" root first.
func (r *Registry) All() []*Crate { return append([]*Crate{r.LibRoot}, r.Crates...) }

// DirSource writes the closure as a cargo directory source into dst:
// one folder name-version per crate holding the .crate's files and a
// .cargo-checksum.json listing them all with the real package checksum.
// It is what `cargo vendor` reads to vendor "the same crates from the
// same sources unpacked".
func (r *Registry) DirSource(dst string) error {
	var g errgroup.Group
	g.SetLimit(4)
	for _, c := range r.All() {
		g.Go(func() error {
			d := filepath.Join(dst, c.Name+"-"+c.Version)
			files, err := unpackTo(c, d)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(d, crates.ChecksumFile), crates.MarshalChecksum(files, c.Sum), 0o644)
		})
	}
	return g.Wait()
}

func unpackTo(c *Crate, dst string) ([]tree.File, error) {
	zr, err := gzip.NewReader(bytes.NewReader(c.Data))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	var files []tree.File
	prefix := c.Name + "-" + c.Version + "/"
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		rel := strings.TrimPrefix(hdr.Name, prefix)
		var b bytes.Buffer
		if _, err := b.ReadFrom(tr); err != nil {
			return nil, err
		}
		p := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, b.Bytes(), fs.FileMode(hdr.Mode)&0o755); err != nil {
			return nil, err
		}
		files = append(files, tree.File{Path: rel, Mode: fs.FileMode(hdr.Mode), Size: int64(b.Len()), SHA256: sha256.Sum256(b.Bytes())})
	}
	return files, nil
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		t := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(t, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, _ := d.Info()
		return os.WriteFile(t, data, fi.Mode().Perm())
	})
}

// indexLine returns the sparse index line of c.
func indexLine(c *Crate, yanked bool) ([]byte, error) {
	var raw map[string]any
	if err := toml.Unmarshal(c.Manifest, &raw); err != nil {
		return nil, fmt.Errorf("%s %s: Cargo.toml: %w", c.Name, c.Version, err)
	}
	type dep struct {
		Name            string   `json:"name"`
		Req             string   `json:"req"`
		Features        []string `json:"features"`
		Optional        bool     `json:"optional"`
		DefaultFeatures bool     `json:"default_features"`
		Target          *string  `json:"target"`
		Kind            string   `json:"kind"`
		Package         *string  `json:"package,omitempty"`
	}
	deps := []dep{}
	addTable := func(tbl any, kind string, target *string) {
		m, _ := tbl.(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			d := dep{Name: k, Req: "*", Features: []string{}, DefaultFeatures: true, Target: target, Kind: kind}
			switch v := m[k].(type) {
			case string:
				d.Req = v
			case map[string]any:
				if s, ok := v["version"].(string); ok {
					d.Req = s
				}
				if fs, ok := v["features"].([]any); ok {
					for _, f := range fs {
						d.Features = append(d.Features, fmt.Sprint(f))
					}
				}
				d.Optional, _ = v["optional"].(bool)
				for _, key := range []string{"default-features", "default_features"} {
					if b, ok := v[key].(bool); ok {
						d.DefaultFeatures = b
					}
				}
				if p, ok := v["package"].(string); ok {
					d.Package = &p
				}
			}
			deps = append(deps, d)
		}
	}
	kinds := []struct{ t, k string }{{"dependencies", "normal"}, {"build-dependencies", "build"}, {"build_dependencies", "build"}, {"dev-dependencies", "dev"}, {"dev_dependencies", "dev"}}
	for _, k := range kinds {
		addTable(raw[k.t], k.k, nil)
	}
	if ts, ok := raw["target"].(map[string]any); ok {
		keys := make([]string, 0, len(ts))
		for k := range ts {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, key := range keys {
			tt, _ := ts[key].(map[string]any)
			for _, k := range kinds {
				addTable(tt[k.t], k.k, &key)
			}
		}
	}
	features := map[string][]string{}
	features2 := map[string][]string{}
	if fm, ok := raw["features"].(map[string]any); ok {
		for k, v := range fm {
			var list []string
			if l, ok := v.([]any); ok {
				for _, x := range l {
					list = append(list, fmt.Sprint(x))
				}
			}
			if list == nil {
				list = []string{}
			}
			new := slices.ContainsFunc(list, func(s string) bool { return strings.HasPrefix(s, "dep:") || strings.Contains(s, "?/") })
			if new {
				features2[k] = list
			} else {
				features[k] = list
			}
		}
	}
	pkg, _ := raw["package"].(map[string]any)
	line := map[string]any{"name": c.Name, "vers": c.Version, "deps": deps, "cksum": c.Sum, "features": features, "yanked": yanked}
	if l, ok := pkg["links"].(string); ok {
		line["links"] = l
	}
	if len(features2) > 0 {
		line["features2"] = features2
		line["v"] = 2
	}
	return json.Marshal(line)
}
