package crates

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/mod/semver"
	"golang.org/x/sync/errgroup"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/tree"

	"github.com/rvendor/rvendor/internal/lazyre"
)

// Names of the files Vendor writes at the top of dst, beside the crate
// folders.
const (
	// LockName is the closure's Cargo.lock, as read.
	LockName = "Cargo.lock"
	// ConfigName is the cargo configuration that builds offline from
	// dst: pass it with `cargo --config FILE`.
	ConfigName = "cargo-config.toml"
)

// DefaultJobs is how many crates are fetched at once; at most as many
// as Go's processors (GOMAXPROCS) are unpacked at once.
const DefaultJobs = 8

// Options configure Vendor.
type Options struct {
	Crate   string // the crate to vendor, e.g. "bindgen-cli"
	Version string // its exact version
	// Lockfile, when not nil, is the Cargo.lock of the closure, used
	// instead of the one the crate ships.
	Lockfile []byte
	// Registry is where the crates come from.
	Registry *Registry
	// Cache holds the downloaded .crate files, content-addressed by the
	// lock's checksums. Required.
	Cache *fetch.Cache
	// Platforms, when not empty, replaces crates that only other targets
	// need by stubs (see the package documentation).
	Platforms []string
	// AllowYanked turns a yanked version from an error into a warning.
	AllowYanked bool
	// Jobs bounds the crates fetched at once, and the crates unpacked at
	// once with GOMAXPROCS; 0 means DefaultJobs.
	Jobs int
	// Progress, if set, is called (from several goroutines, one at a
	// time) after each crate is unpacked and checked.
	Progress func(done, total int, name string)
	// DirName is the name dst will have where it is finally placed (the
	// last element of the component's dest); cargo-config.toml names the
	// folder by it. "" means dst's own base name.
	DirName string
}

// Crate describes one vendored crate.
type Crate struct {
	Name, Version string
	Checksum      string // sha256 of the .crate, from the lock (or index)
	License       string // from its Cargo.toml
	Dir           string // folder below dst
	Tree          string // h1: hash of that folder
	Stub          bool   // replaced by a stub
	Files         int
	Bytes         int64 // bytes on disk in Dir
	SavedBytes    int64 // for a stub: bytes of the real crate not vendored
	URL           string
}

// Result is what Vendor wrote.
type Result struct {
	Crates   []Crate     // sorted by Dir
	Files    []tree.File // every file of dst, paths relative to dst
	Warnings []string
	// LockSource says where the closure's Cargo.lock came from.
	LockSource string
}

// Stubbed returns the stubbed crates and the bytes they saved.
func (r *Result) Stubbed() ([]Crate, int64) {
	var out []Crate
	var saved int64
	for _, c := range r.Crates {
		if c.Stub {
			out = append(out, c)
			saved += c.SavedBytes
		}
	}
	return out, saved
}

var (
	nameRE    = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
	versionRE = lazyre.New(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	hexRE     = lazyre.New(`^[0-9a-f]{64}$`)
)

// job is one package of the closure being vendored.
type job struct {
	pkg      *Package
	checksum string
	dir      string
	url      string
	manifest []byte
	res      Crate
	files    []tree.File // relative to the crate folder
	origSize int64
}

// Vendor fetches the crate o.Crate o.Version and every package of its
// locked closure, checks each against the lock's checksum and the index,
// and writes a cargo directory source into dst (which must not exist;
// its parent must). On error dst is removed.
func Vendor(ctx context.Context, dst string, o Options) (res *Result, err error) {
	targets, err := o.check()
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(dst, 0o755); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			res = nil
			os.RemoveAll(dst)
		}
	}()
	v, err := newVendorer(ctx, dst, o)
	if err != nil {
		return nil, err
	}
	if err := v.unpackRoot(ctx); err != nil {
		return nil, err
	}
	jobs, err := v.plan()
	if err != nil {
		return nil, err
	}
	if err := v.fetchAll(ctx, jobs); err != nil {
		return nil, err
	}
	if len(targets) > 0 {
		if err := v.filter(v.lock, jobs, v.root, targets); err != nil {
			return nil, err
		}
	}
	return v.result(jobs)
}

// jobs is Options.Jobs, or DefaultJobs.
func (o *Options) jobs() int {
	if o.Jobs <= 0 {
		return DefaultJobs
	}
	return o.Jobs
}

// check validates o and returns its platforms' targets.
func (o *Options) check() ([]*Target, error) {
	if o.Cache == nil || o.Registry == nil {
		return nil, errors.New("crates: Options.Cache and Options.Registry are required")
	}
	if !nameRE().MatchString(o.Crate) || !versionRE().MatchString(o.Version) {
		return nil, fmt.Errorf("crate %q version %q is not a crate name and exact version", o.Crate, o.Version)
	}
	var targets []*Target
	for _, p := range o.Platforms {
		t, err := LookupTarget(p)
		if err != nil {
			return nil, fmt.Errorf("platforms: %w", err)
		}
		targets = append(targets, t)
	}
	return targets, nil
}

// newVendorer returns the vendorer of one Vendor call, its registry's
// download location found.
func newVendorer(ctx context.Context, dst string, o Options) (*vendorer, error) {
	if o.Registry.Getter == nil {
		// Index files go through the cache's client and settings.
		reg := *o.Registry
		reg.Getter = o.Cache
		o.Registry = &reg
	}
	v := &vendorer{o: o, dst: dst, index: map[string]*indexResult{}, lockSource: "the spec's lockfile",
		slots: slots(o.jobs())}
	var err error
	if v.dl, err = o.Registry.DL(ctx); err != nil {
		return nil, fmt.Errorf("registry %s: %w", o.Registry.url(), err)
	}
	return v, nil
}

// rootChecksum returns the sha256 of the root crate's .crate: from the
// index when the registry has a sparse one, else from the spec's
// lockfile (which it also parses into v.lock).
func (v *vendorer) rootChecksum(ctx context.Context) (string, error) {
	o := &v.o
	sum := ""
	if o.Registry.Sparse() {
		e, err := v.entry(ctx, o.Crate, o.Version)
		if err != nil {
			return "", err
		}
		sum = e.Cksum
	}
	if o.Lockfile != nil {
		lock, err := ParseLockfile(o.Lockfile)
		if err != nil {
			return "", fmt.Errorf("lockfile: %w", err)
		}
		v.lock, v.lockData = lock, o.Lockfile
		if p := lock.Find(o.Crate, o.Version); p != nil && p.Checksum != "" && sum == "" {
			sum = p.Checksum
		}
	}
	if sum == "" {
		return "", pkgErr(o.Crate, o.Version, "use a sparse index (crates-index = \"sparse+https://...\")",
			errors.New("the registry has no index to learn the crate's checksum from, and the lockfile does not record it"))
	}
	return sum, nil
}

// unpackRoot fetches the root crate first, into a temporary folder of
// dst, since it may ship the closure's Cargo.lock; without a lockfile
// in the options, that Cargo.lock becomes v.lock.
func (v *vendorer) unpackRoot(ctx context.Context) error {
	o := &v.o
	sum, err := v.rootChecksum(ctx)
	if err != nil {
		return err
	}
	v.root = &job{pkg: &Package{Name: o.Crate, Version: o.Version, Source: CratesIOSource, Checksum: sum}, checksum: sum}
	v.rootTmp = filepath.Join(v.dst, ".root.tmp")
	if err := v.unpack(ctx, v.root, v.rootTmp); err != nil {
		return err
	}
	if v.lock != nil {
		return nil
	}
	if !slices.ContainsFunc(v.root.files, func(f tree.File) bool { return f.Path == LockName }) {
		return pkgErr(o.Crate, o.Version, `library crates ship no Cargo.lock: generate one (cargo generate-lockfile) and name it with lockfile = "path/to/Cargo.lock" in rvendor.toml`,
			errors.New("the crate ships no Cargo.lock"))
	}
	data, err := os.ReadFile(filepath.Join(v.rootTmp, LockName))
	if err != nil {
		return err
	}
	if v.lock, err = ParseLockfile(data); err != nil {
		return pkgErr(o.Crate, o.Version, "the crate's own Cargo.lock is unusable; give one with lockfile = ...", err)
	}
	v.lockData = data
	v.lockSource = "the Cargo.lock shipped in " + o.Crate + " " + o.Version
	return nil
}

// plan returns a job for every package of the lock, each a checksummed
// crates.io package, the root among them, with its folder assigned.
func (v *vendorer) plan() ([]*job, error) {
	var jobs []*job
	for _, p := range v.lock.Packages {
		if !nameRE().MatchString(p.Name) || !versionRE().MatchString(p.Version) {
			return nil, fmt.Errorf("Cargo.lock: package %q version %q is not a crate name and version", p.Name, p.Version)
		}
		if p.Name == v.o.Crate && p.Version == v.o.Version {
			if p.Checksum != "" && p.Checksum != v.root.checksum {
				return nil, pkgErr(p.Name, p.Version, "the lock and the index disagree: regenerate the lock, or check the registry", fmt.Errorf("%w: Cargo.lock says %s, the index says %s", ErrChecksum, p.Checksum, v.root.checksum))
			}
			jobs = append(jobs, v.root)
			continue
		}
		if err := checkLocked(p); err != nil {
			return nil, err
		}
		jobs = append(jobs, &job{pkg: p, checksum: p.Checksum})
	}
	if !slices.Contains(jobs, v.root) {
		return nil, pkgErr(v.o.Crate, v.o.Version, "name the lock of this crate's build in lockfile = ...", errors.New("is not a package of the closure's Cargo.lock"))
	}
	assignDirs(jobs)
	return jobs, nil
}

// checkLocked refuses a package of the lock (other than the root) that
// is not a checksummed crates.io package.
func checkLocked(p *Package) error {
	switch {
	case p.Source == "":
		return pkgErr(p.Name, p.Version, "only registry crates can be vendored: publish it, or vendor it as an archive component",
			errors.New("is a path or workspace package (no source in Cargo.lock)"))
	case strings.HasPrefix(p.Source, "git+"):
		return pkgErr(p.Name, p.Version, "only registry crates can be vendored: use a released version from the registry in the lock",
			fmt.Errorf("comes from git (%s)", p.Source))
	case !isCratesIO(p.Source):
		return pkgErr(p.Name, p.Version, "rvendor vendors crates.io packages (or a mirror of crates.io) only",
			fmt.Errorf("comes from another registry (%s)", p.Source))
	case p.Checksum == "":
		return pkgErr(p.Name, p.Version, "every package needs its checksum in Cargo.lock: regenerate the lock with cargo from the registry",
			errors.New("has no checksum in Cargo.lock"))
	case !hexRE().MatchString(p.Checksum):
		return pkgErr(p.Name, p.Version, "every package needs its checksum in Cargo.lock: regenerate the lock with cargo from the registry",
			fmt.Errorf("checksum %q in Cargo.lock is not a sha256", p.Checksum))
	}
	return nil
}

// fetchAll checks, fetches and unpacks every job (the root is already
// unpacked: it is moved into place), at most Options.Jobs at once.
func (v *vendorer) fetchAll(ctx context.Context, jobs []*job) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(v.o.jobs())
	var mu sync.Mutex
	done := 0
	for _, j := range jobs {
		g.Go(func() error {
			if err := v.fetchOne(gctx, j); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			done++
			if v.o.Progress != nil {
				v.o.Progress(done, len(jobs), j.pkg.Name)
			}
			return nil
		})
	}
	return g.Wait()
}

// fetchOne checks j against the index, unpacks it into its folder and
// finishes it.
func (v *vendorer) fetchOne(ctx context.Context, j *job) error {
	if j == v.root {
		if err := os.Rename(v.rootTmp, filepath.Join(v.dst, j.dir)); err != nil {
			return err
		}
		return v.finish(j)
	}
	if v.o.Registry.Sparse() {
		e, err := v.entry(ctx, j.pkg.Name, j.pkg.Version)
		if err != nil {
			return err
		}
		if e.Cksum != j.checksum {
			return pkgErr(j.pkg.Name, j.pkg.Version, "the lock does not match the registry: check the registry, then regenerate the lock",
				fmt.Errorf("%w: Cargo.lock says %s, the index says %s", ErrChecksum, j.checksum, e.Cksum))
		}
	}
	if err := v.unpack(ctx, j, filepath.Join(v.dst, j.dir)); err != nil {
		return err
	}
	return v.finish(j)
}

// result writes the top-level files (the lock and the cargo
// configuration) and lists everything written, sorted.
func (v *vendorer) result(jobs []*job) (*Result, error) {
	res := &Result{LockSource: v.lockSource}
	res.Warnings = append(res.Warnings, v.warnings...)
	slices.Sort(res.Warnings)
	dirName := v.o.DirName
	if dirName == "" {
		dirName = filepath.Base(v.dst)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{LockName, v.lockData}, {ConfigName, []byte(configText(dirName))}} {
		if err := os.WriteFile(filepath.Join(v.dst, f.name), f.data, 0o644); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, tree.File{Path: f.name, Mode: 0o644, Size: int64(len(f.data)), SHA256: sha256.Sum256(f.data)})
	}
	for _, j := range jobs {
		for _, f := range j.files {
			f.Path = j.dir + "/" + f.Path
			res.Files = append(res.Files, f)
		}
		res.Crates = append(res.Crates, j.res)
	}
	slices.SortFunc(res.Files, func(a, b tree.File) int { return strings.Compare(a.Path, b.Path) })
	slices.SortFunc(res.Crates, func(a, b Crate) int { return strings.Compare(a.Dir, b.Dir) })
	return res, nil
}

// configText is the cargo configuration written as dst/ConfigName. Cargo
// resolves a relative directory in a configuration file against the
// parent of the file's folder, so the vendored folder is named by its
// base name.
func configText(base string) string {
	return `# Written by rvendor: build offline from the crates vendored beside this file.
# Use it with: cargo --config ` + base + `/` + ConfigName + ` build --offline --locked
[source.crates-io]
replace-with = "rvendor-vendored"

[source.rvendor-vendored]
directory = "` + base + `"

[net]
offline = true
`
}

// assignDirs names each crate's folder as cargo vendor does: the highest
// version of a name gets the bare name, the others name-version.
func assignDirs(jobs []*job) {
	max := map[string]string{}
	for _, j := range jobs {
		if m, ok := max[j.pkg.Name]; !ok || semver.Compare("v"+j.pkg.Version, "v"+m) > 0 {
			max[j.pkg.Name] = j.pkg.Version
		}
	}
	for _, j := range jobs {
		j.dir = j.pkg.Name
		if max[j.pkg.Name] != j.pkg.Version {
			j.dir = j.pkg.Name + "-" + j.pkg.Version
		}
	}
}

type indexResult struct {
	once    sync.Once
	entries []IndexEntry
	err     error
}

type vendorer struct {
	o   Options
	dst string
	dl  string

	root       *job   // the crate asked for
	rootTmp    string // where it is unpacked first
	lock       *Lockfile
	lockData   []byte
	lockSource string // Result.LockSource

	mu       sync.Mutex
	index    map[string]*indexResult
	warnings []string

	slots chan *unpacker // see slots
}

// entry returns the index entry of name version, checking that it exists
// and is not yanked.
func (v *vendorer) entry(ctx context.Context, name, version string) (*IndexEntry, error) {
	v.mu.Lock()
	r := v.index[name]
	if r == nil {
		r = &indexResult{}
		v.index[name] = r
	}
	v.mu.Unlock()
	r.once.Do(func() { r.entries, r.err = v.o.Registry.Entries(ctx, name) })
	if r.err != nil {
		if errors.Is(r.err, ErrNotFound) {
			return nil, pkgErr(name, version, "check the crate name, and that crates-index in rvendor.toml is the registry the lock was made from",
				fmt.Errorf("the registry index has no crate %q: %w", name, r.err))
		}
		return nil, pkgErr(name, version, "check the network and crates-index in rvendor.toml, then run rvendor update again", fmt.Errorf("reading the registry index: %w", r.err))
	}
	for i := range r.entries {
		e := &r.entries[i]
		if e.Vers != version {
			continue
		}
		if !hexRE().MatchString(e.Cksum) {
			return nil, pkgErr(name, version, "the registry index is corrupt", fmt.Errorf("index checksum %q is not a sha256", e.Cksum))
		}
		if e.Yanked {
			if !v.o.AllowYanked {
				return nil, pkgErr(name, version, "update the lock to a version that is not yanked, or accept it with rvendor update --allow-yanked",
					fmt.Errorf("version %s is %w in the registry", version, ErrYanked))
			}
			v.mu.Lock()
			v.warnings = append(v.warnings, fmt.Sprintf("crate %s %s is yanked in the registry (allowed)", name, version))
			v.mu.Unlock()
		}
		return e, nil
	}
	return nil, pkgErr(name, version, "check the version in the lock and that crates-index in rvendor.toml is the registry the lock was made from",
		fmt.Errorf("the registry index has no version %s (%w)", version, ErrNotFound))
}

// finish drops the files cargo vendor leaves out, writes the
// .cargo-checksum.json, and fills j.res.
func (v *vendorer) finish(j *job) error {
	dir := filepath.Join(v.dst, j.dir)
	m, err := ParseManifest(j.manifest)
	if err != nil {
		return pkgErr(j.pkg.Name, j.pkg.Version, "the .crate is malformed; report it to the registry", err)
	}
	if m.Name != j.pkg.Name || m.Version != j.pkg.Version {
		return pkgErr(j.pkg.Name, j.pkg.Version, "the registry serves the wrong crate", fmt.Errorf("its Cargo.toml says %s %s", m.Name, m.Version))
	}
	kept := j.files[:0]
	for _, f := range j.files {
		if VendorSkipped(f.Path) {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(f.Path))); err != nil {
				return err
			}
			continue
		}
		kept = append(kept, f)
	}
	j.files = kept
	return v.writeChecksum(j, m.License)
}

func (v *vendorer) writeChecksum(j *job, license string) error {
	data := MarshalChecksum(j.files, j.checksum)
	if err := os.WriteFile(filepath.Join(v.dst, j.dir, ChecksumFile), data, 0o644); err != nil {
		return err
	}
	j.files = append(j.files, tree.File{Path: ChecksumFile, Mode: 0o644, Size: int64(len(data)), SHA256: sha256.Sum256(data)})
	slices.SortFunc(j.files, func(a, b tree.File) int { return strings.Compare(a.Path, b.Path) })
	h1, err := tree.H1(j.files)
	if err != nil {
		return err
	}
	var size int64
	for _, f := range j.files {
		size += f.Size
	}
	j.res = Crate{Name: j.pkg.Name, Version: j.pkg.Version, Checksum: j.checksum, License: license,
		Dir: j.dir, Tree: h1, Files: len(j.files), Bytes: size, URL: j.url}
	return nil
}

// filter replaces by stubs the crates no listed target needs.
func (v *vendorer) filter(lock *Lockfile, jobs []*job, root *job, targets []*Target) error {
	byPkg := map[*Package]*job{}
	for _, j := range jobs {
		byPkg[lock.Find(j.pkg.Name, j.pkg.Version)] = j
	}
	rootPkg := lock.Find(root.pkg.Name, root.pkg.Version)
	needed := map[*job]bool{}
	queue := []*Package{rootPkg}
	needed[root] = true
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		j := byPkg[p]
		m, err := ParseManifest(j.manifest)
		if err != nil {
			return pkgErr(p.Name, p.Version, "", err)
		}
		for _, d := range p.Dependencies {
			dp := lock.depTarget(d)
			if dp == nil {
				return fmt.Errorf("Cargo.lock: %s depends on %q, which the lock does not list", p.ID(), d)
			}
			dj := byPkg[dp]
			if dj == nil || needed[dj] || !depNeeded(m, dp.Name, j == root, targets) {
				continue
			}
			needed[dj] = true
			queue = append(queue, dp)
		}
	}
	for _, j := range jobs {
		if needed[j] {
			continue
		}
		if err := v.stub(j); err != nil {
			return err
		}
	}
	return nil
}

// depNeeded reports whether a crate with manifest m needs its dependency
// on pkg for one of targets: some declaration of it is unconditional or
// under a [target] key that holds for a target. Dev-dependencies count
// for the root crate only. A dependency the manifest does not declare
// (which cargo would not have locked) is kept, to be safe.
func depNeeded(m *Manifest, pkg string, isRoot bool, targets []*Target) bool {
	declared := false
	for _, d := range m.Deps {
		if d.Package != pkg {
			continue
		}
		declared = true
		if d.Kind == "dev" && !isRoot {
			continue
		}
		if d.Target == nil {
			return true
		}
		for _, t := range targets {
			if d.Target.Match(t) {
				return true
			}
		}
	}
	return !declared
}

// stub replaces j's folder by a stub crate.
func (v *vendorer) stub(j *job) error {
	dir := filepath.Join(v.dst, j.dir)
	toml, err := StubManifest(j.manifest)
	if err != nil {
		return pkgErr(j.pkg.Name, j.pkg.Version, "", err)
	}
	license := j.res.License
	orig := j.res.Bytes
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		return err
	}
	files := []struct {
		rel  string
		data []byte
	}{{"Cargo.toml", toml}, {"src/lib.rs", nil}}
	j.files = nil
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(f.rel)), f.data, 0o644); err != nil {
			return err
		}
		j.files = append(j.files, tree.File{Path: f.rel, Mode: 0o644, Size: int64(len(f.data)), SHA256: sha256.Sum256(f.data)})
	}
	if err := v.writeChecksum(j, license); err != nil {
		return err
	}
	j.res.Stub = true
	j.res.SavedBytes = orig - j.res.Bytes
	return nil
}
