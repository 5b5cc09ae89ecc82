package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/policy/license"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

var errSumMismatch = vendorspec.ErrSumMismatch

// ErrUnknownComponent is wrapped by the error Verify returns for a
// component name that is neither in the spec nor in the lock.
var ErrUnknownComponent = errors.New("unknown component")

// maxSizeHint caps the scan's preallocation from a lock's file count
// (8 MiB of entries): a lock's count is read before the sum check.
const maxSizeHint = 1 << 16

// Options says what Verify checks.
type Options struct {
	Spec *vendorspec.Spec
	Lock *vendorspec.Lock
	Sum  *vendorspec.Sum
	// LoadSum, when Sum is nil, reads the sum (nil, nil: there is
	// none). Verify calls it on a goroutine of its own, so the dests are
	// scanned while the sum is read, parsed and checked against the lock
	// (at 29k files, 20 to 30 ms before the first file was stat'ed). Its
	// error is returned first, as it is, before any other.
	LoadSum func() (*vendorspec.Sum, error)
	// Components names the components to check; empty means every
	// component of the spec and every locked component no longer in it.
	// A name in neither the spec nor the lock is an error.
	Components []string
	// StatCache is the path of the stat cache file, which must lie
	// outside the spec's folder; "" means no cache: every file is read.
	StatCache string
	// Jobs is the number of hashing workers; 0 means runtime.GOMAXPROCS.
	Jobs int
	// Inputs identifies the rvendor.lock and rvendor.sum that Lock and
	// Sum were read from: InputsOf(Spec.Dir), taken before reading them.
	// With it, Verify tells an update that committed since then (see
	// UpdateInProgressError). Nil means Verify takes it when it starts.
	Inputs *Inputs

	// onFile, when set, is called with a component's dest and the path
	// of each of its regular files before it is read (tests change the
	// tree there, as an update would mid-walk).
	onFile func(dest, path string)
	// now and coarse, when set by this package's tests, replace the
	// stat cache's clock and transform every stat it compares or
	// records (to make timestamps coarse).
	now    func() time.Time
	coarse func(*tree.Stat)
}

// Verify checks the vendored folders against the lock and sum. A tree
// that differs gives a Report that is not Clean and a nil error; an error
// means the inputs cannot be trusted or read (a *SumMismatchError, an
// unknown component, an unreadable file, an *UpdateInProgressError when
// an update committed under it), and no report.
func Verify(ctx context.Context, opt Options) (*Report, error) {
	if opt.Spec == nil || opt.Lock == nil || (opt.Sum == nil && opt.LoadSum == nil) {
		return nil, errors.New("verify: Spec, Lock and Sum are required")
	}
	inputs := opt.Inputs
	if inputs == nil {
		inputs = InputsOf(opt.Spec.Dir)
	}
	// The sum must agree with the lock before either judges the disk.
	// Reading it (if not read yet) and the check (hashing it whole twice)
	// run while the dests are scanned, and their answer comes first: no
	// report, and no stat cache written, from a sum that does not match.
	sum := loadSum(opt, inputs)
	names, err := selected(opt)
	if err != nil {
		if _, serr := sum.get(); serr != nil {
			return nil, serr
		}
		return nil, err
	}
	cache := openCache(opt)
	rep := &Report{Version: ReportVersion, Status: StatusClean, Components: []*ComponentReport{}}
	var scanErr error
	for _, name := range names {
		cr, err := checkComponent(ctx, opt, name, sum, cache, &rep.Stats)
		if err != nil {
			scanErr = err
			break
		}
		rep.Components = append(rep.Components, cr)
	}
	if _, err := sum.get(); err != nil {
		return nil, err
	}
	if scanErr != nil {
		return nil, inputs.orRaced(opt.Spec.Dir, scanErr)
	}
	if !rep.Clean() {
		if raced := inputs.raced(opt.Spec.Dir, nil); raced != nil {
			return nil, raced
		}
		rep.Status = StatusDrift
	}
	if cache != nil {
		cache.save(&rep.Stats)
	}
	return rep, nil
}

// pendingSum is the sum being read and checked against the lock.
type pendingSum struct {
	ready chan struct{}
	sum   *vendorspec.Sum
	err   error
}

// loadSum starts reading opt's sum (opt.Sum, or opt.LoadSum's) and
// checking it against the lock, on a goroutine of its own.
func loadSum(opt Options, inputs *Inputs) *pendingSum {
	p := &pendingSum{ready: make(chan struct{}), sum: opt.Sum}
	go func() {
		defer close(p.ready)
		if p.sum == nil {
			if p.sum, p.err = opt.LoadSum(); p.err != nil {
				return
			}
			if p.sum == nil { // as LoadSum's doc allows: no sum at all
				p.sum = &vendorspec.Sum{Files: map[string][]tree.File{}}
			}
		}
		// What was read while an update committed judges nothing: a
		// lock and a sum of two updates.
		if err := checkSumAgainstLock(opt.Lock, p.sum); err != nil {
			p.err = inputs.orRaced(opt.Spec.Dir, err)
		}
	}()
	return p
}

// get waits for the sum and returns it, or why it cannot be trusted.
func (p *pendingSum) get() (*vendorspec.Sum, error) {
	<-p.ready
	return p.sum, p.err
}

// checkSumAgainstLock proves rvendor.sum and rvendor.lock agree, before
// either is trusted to judge the disk.
func checkSumAgainstLock(lock *vendorspec.Lock, sum *vendorspec.Sum) error {
	sealed := 0
	for _, lc := range lock.Components {
		if lc.Sum != "" {
			sealed++
		}
	}
	for _, lc := range lock.Components {
		files := sum.Files[lc.Name]
		if len(files) == 0 && lc.Files > 0 {
			return &SumMismatchError{Component: lc.Name,
				Detail: fmt.Sprintf("rvendor.sum has no line for it, while rvendor.lock records %d files (is rvendor.sum missing?)", lc.Files)}
		}
		h1, err := tree.H1(files)
		if err != nil {
			return &SumMismatchError{Component: lc.Name, Detail: err.Error()}
		}
		if h1 != lc.Tree {
			return &SumMismatchError{Component: lc.Name,
				Detail: fmt.Sprintf("the files listed in rvendor.sum hash to %s, rvendor.lock records tree %s", h1, lc.Tree)}
		}
		up := h1 // no file differs from upstream: the pristine files are the tree's
		if len(sum.Pristine[lc.Name]) > 0 {
			if up, err = tree.H1(sum.PristineFiles(lc.Name)); err != nil {
				return &SumMismatchError{Component: lc.Name, Detail: err.Error()}
			}
		}
		if up != lc.Upstream {
			return &SumMismatchError{Component: lc.Name,
				Detail: fmt.Sprintf("the pristine files recorded in rvendor.sum hash to %s, rvendor.lock records upstream %s", up, lc.Upstream)}
		}
		if err := checkTransformed(lc, sum); err != nil {
			return err
		}
		for path := range sum.Pristine[lc.Name] {
			if len(lc.PatchedBy(path)) == 0 && !lc.Transformed(path) {
				return &SumMismatchError{Component: lc.Name,
					Detail: fmt.Sprintf("rvendor.sum records %s as changed from upstream, but no patch in rvendor.lock touches it and rvendor did not stamp or generate it", path)}
			}
		}
		// The lock seals every field of the sum (modes and sizes too);
		// a lock written before that seals nothing, and verify reports
		// it as stale, but a lock sealing some components and not
		// others has been edited.
		switch got := sum.ComponentHash(lc.Name); {
		case lc.Sum == "" && sealed > 0:
			return &SumMismatchError{Component: lc.Name,
				Detail: "rvendor.lock seals the rvendor.sum lines of other components but not of this one (its sum field was removed)"}
		case lc.Sum != "" && got != lc.Sum:
			return &SumMismatchError{Component: lc.Name,
				Detail: fmt.Sprintf("its rvendor.sum lines hash to %s, rvendor.lock records sum %s (a mode, size or path changed)", got, lc.Sum)}
		}
		var bytes int64
		for _, f := range files {
			bytes += f.Size
		}
		if len(files) != lc.Files || bytes != lc.Bytes {
			return &SumMismatchError{Component: lc.Name,
				Detail: fmt.Sprintf("rvendor.sum lists %d files, %d bytes; rvendor.lock records %d files, %d bytes",
					len(files), bytes, lc.Files, lc.Bytes)}
		}
		if !filepath.IsLocal(filepath.FromSlash(lc.Dest)) || strings.Contains(lc.Dest, `\`) {
			return &SumMismatchError{Component: lc.Name,
				Detail: fmt.Sprintf("rvendor.lock records dest %q, which is not a clean path inside the spec's folder", lc.Dest)}
		}
	}
	for name := range sum.Pristine {
		if lock.Component(name) == nil {
			return &SumMismatchError{Component: name, Detail: "rvendor.sum lists upstream files for a component that rvendor.lock does not record (is rvendor.lock missing?)"}
		}
	}
	for name := range sum.Files {
		if lock.Component(name) == nil {
			return &SumMismatchError{Component: name, Detail: "rvendor.sum lists files for a component that rvendor.lock does not record (is rvendor.lock missing?)"}
		}
	}
	return nil
}

// CheckSum proves rvendor.sum and rvendor.lock agree: for each locked
// component the sum's files hash to the lock's tree (and its pristine
// files to upstream), with the recorded counts, and the sum lists no
// component the lock does not. It reads no file. The error is a
// *SumMismatchError.
func CheckSum(lock *vendorspec.Lock, sum *vendorspec.Sum) error {
	return checkSumAgainstLock(lock, sum)
}

// selected returns the component names to check, sorted.
func selected(opt Options) ([]string, error) {
	inSpec := map[string]bool{}
	for _, c := range opt.Spec.Components {
		inSpec[c.Name] = true
	}
	var names []string
	if len(opt.Components) == 0 {
		for n := range inSpec {
			names = append(names, n)
		}
		for _, lc := range opt.Lock.Components {
			if !inSpec[lc.Name] {
				names = append(names, lc.Name)
			}
		}
	} else {
		for _, n := range opt.Components {
			if !inSpec[n] && opt.Lock.Component(n) == nil {
				return nil, fmt.Errorf("%w %q: it is in neither the spec nor rvendor.lock", ErrUnknownComponent, n)
			}
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return slices.Compact(names), nil
}

func specComponent(s *vendorspec.Spec, name string) *vendorspec.Component {
	for _, c := range s.Components {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func newComponentReport(name, dest string) *ComponentReport {
	return &ComponentReport{Name: name, Dest: dest, Status: StatusClean,
		Stale: []string{}, Patches: []string{}, Patched: []PatchedFile{}, Modified: []string{}, Added: []string{}, Deleted: []string{},
		Mode: []ModeChange{}, Type: []TypeChange{}, CrateFiles: []CrateFile{}}
}

// staleness sets cr's status to removed or stale, with the reasons, when
// the spec, the in-tree inputs, the seal or the patch queue changed since
// the lock was written (sc is nil for a component the spec dropped).
func staleness(opt Options, sc *vendorspec.Component, lc *vendorspec.LockedComponent, cr *ComponentReport) error {
	stale := func(lines []string, hint string) {
		cr.Status, cr.Stale, cr.Hint = StatusStale, lines, hint
	}
	if sc == nil {
		cr.Status = StatusRemoved
		cr.Hint = "removed from spec; run rvendor update to drop it"
		return nil
	}
	if lines := sc.Stale(lc); len(lines) > 0 {
		stale(lines, "the spec changed since the last update: run rvendor update")
		return nil
	}
	if lines := sc.StaleInputs(opt.Spec.Dir, lc); len(lines) > 0 {
		stale(lines, "an input in the tree changed since the last update: run rvendor update")
		return nil
	}
	if lc.Sum == "" {
		stale([]string{"rvendor.lock does not seal rvendor.sum (it was written by an older rvendor)"},
			"run rvendor update: it seals the sum into the lock, so that a mode changed in both the sum and the tree is caught")
		return nil
	}
	lines, err := QueueChanges(opt.Spec.Dir, sc, lc)
	if err != nil {
		return err
	}
	if len(lines) > 0 {
		stale(lines, "the patch queue changed since the last update: run rvendor update to apply it to pristine upstream and check it")
	}
	return nil
}

func checkComponent(ctx context.Context, opt Options, name string, pending *pendingSum, cache *statCache, stats *Stats) (*ComponentReport, error) {
	sc := specComponent(opt.Spec, name)
	lc := opt.Lock.Component(name)
	if lc == nil { // in the spec only: selected() guarantees sc != nil
		cr := newComponentReport(name, sc.Dest)
		cr.Status = StatusNotVendored
		cr.Hint = "not vendored yet: run rvendor update"
		return cr, nil
	}
	cr := newComponentReport(name, lc.Dest)
	for _, p := range lc.Patches {
		cr.Patches = append(cr.Patches, p.Name)
	}
	if err := staleness(opt, sc, lc, cr); err != nil {
		return nil, err
	}

	// The dest's parents must be real folders of the tree: a link would
	// have verify judge another folder than the one the build reads.
	dir, err := tree.InTree(opt.Spec.Dir, lc.Dest)
	if err != nil {
		return nil, fmt.Errorf("component %s: %w", name, err)
	}
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if cr.Status != StatusRemoved {
			cr.Status = StatusMissing
			cr.Hint = "dest folder " + quote.Path(lc.Dest) + " is missing: run rvendor update, or restore it from version control"
		}
		return cr, nil
	case err != nil:
		return nil, err
	case !fi.IsDir():
		cr.Type = append(cr.Type, TypeChange{Path: ".", Want: "dir", Got: tree.TypeName(fi.Mode())})
		if cr.Status == StatusClean {
			cr.Status = StatusDrift
			cr.Hint = "run rvendor update, or restore " + quote.Path(lc.Dest) + " from version control"
		}
		return cr, nil
	}

	got, irregular, err := scanDest(ctx, opt, lc, dir, cache, stats)
	if err != nil {
		return nil, err
	}
	sum, err := pending.get()
	if err != nil {
		return nil, err
	}
	if err := judge(cr, sc, lc, sum, got, irregular, dir); err != nil {
		return nil, err
	}
	return cr, nil
}

// scanDest walks the dest folder dir of lc: the files the stat cache
// vouched for and those read, and the irregular entries.
func scanDest(ctx context.Context, opt Options, lc *vendorspec.LockedComponent, dir string, cache *statCache, stats *Stats) (*found, []tree.Irregular, error) {
	// The lock's count sizes the result (the sum is still being read),
	// capped: the lock is not yet known to agree with anything, and more
	// files than the hint are kept all the same.
	sc := &tree.Scanner{Jobs: opt.Jobs, SizeHint: min(max(lc.Files, 0), maxSizeHint) + 16}
	var hits *destHits
	if cache != nil {
		hits, sc.Known = cache.known(lc.Dest)
		sc.OmitKnown = true
		sc.SizeHint = max(sc.SizeHint-hits.v.len(), 16) // room for the files read
	}
	if opt.onFile != nil {
		known := sc.Known
		sc.Known = func(path string, st *tree.Stat) ([32]byte, bool) {
			opt.onFile(lc.Dest, path)
			if known == nil {
				return [32]byte{}, false
			}
			return known(path, st)
		}
	}
	runs, irregular, err := sc.ScanRuns(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range runs {
		stats.Files += len(r)
		stats.Hashed += len(r)
	}
	if cache != nil {
		n := hits.count()
		stats.Files += n
		stats.CacheHits += n
		cache.record(lc.Dest, runs, hits)
	}
	return newFound(hits, runs), irregular, nil
}

// judge fills cr from what the scan found of lc's dest (dir) against
// the sum: drift, patched and stamped files, and the status.
func judge(cr *ComponentReport, sc *vendorspec.Component, lc *vendorspec.LockedComponent, sum *vendorspec.Sum,
	got *found, irregular []tree.Irregular, dir string) error {
	name := lc.Name
	want := sum.Files[name]
	if !slices.IsSortedFunc(want, func(a, b tree.File) int { return strings.Compare(a.Path, b.Path) }) {
		want = slices.Clone(want)
		slices.SortFunc(want, func(a, b tree.File) int { return strings.Compare(a.Path, b.Path) })
	}
	compare(cr, want, got, irregular, dir)
	drifted := map[string]bool{}
	for _, l := range [][]string{cr.Modified, cr.Deleted} {
		for _, p := range l {
			drifted[p] = true
		}
	}
	for _, m := range cr.Mode {
		drifted[m.Path] = true
	}
	for _, t := range cr.Type {
		drifted[t.Path] = true
	}
	var patched []string
	for p := range sum.Pristine[name] {
		if !drifted[p] {
			patched = append(patched, p)
		}
	}
	sort.Strings(patched)
	for _, p := range patched {
		by := lc.PatchedBy(p)
		if len(by) == 0 && lc.Transformed(p) {
			continue // stamped or generated, and counted below
		}
		cr.Patched = append(cr.Patched, PatchedFile{Path: p, Patches: by})
	}
	cr.Stamped, cr.Generated = len(lc.Stamped), slices.Clone(lc.Generated)
	// A stamped file that no patch touches must be upstream's plus the
	// tag: the lock's stamped list is not a way to pass an edit off.
	if err := checkStamped(lc, dir, sum, drifted); err != nil {
		return err
	}
	cr.CrateFiles = crateFiles(cr, lc.Crates)
	if cr.Status == StatusClean && cr.Drifted() {
		cr.Status = StatusDrift
		if sc != nil && sc.Patches != "" {
			cr.Hint = fmt.Sprintf("undeclared edits: see them with rvendor diff %s; keep them with rvendor patch record %s -m SUBJECT, or discard them with rvendor update --force %s", name, name, name)
		} else {
			cr.Hint = "files differ from rvendor.sum: restore them (git checkout), or re-vendor with rvendor update --force " + name + "; to keep edits, set patches in the spec and run rvendor patch record " + name
		}
	}
	return nil
}

// patchFileMax caps a patch file verify hashes (tree/patch's
// MaxPatchSize; verify does not import tree/patch).
const patchFileMax = 64 << 20

// QueueChanges compares the patch queue folder of c (the *.patch files of
// its patches folder) with the patches lc recorded, and returns one line
// per difference: a patch added, removed, or edited since the last
// update. It only reads the queue's files, never the tree.
func QueueChanges(root string, c *vendorspec.Component, lc *vendorspec.LockedComponent) ([]string, error) {
	have := map[string]string{}
	if c.Patches != "" {
		dir, err := tree.InTree(root, c.Patches)
		if err != nil {
			return nil, fmt.Errorf("the patch queue of %s: %w", c.Name, err)
		}
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("reading the patch queue of %s: %w", c.Name, err)
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".patch") {
				continue
			}
			data, err := tree.ReadFile(filepath.Join(dir, e.Name()), patchFileMax)
			if err != nil {
				return nil, fmt.Errorf("reading the patch queue of %s: %w", c.Name, err)
			}
			sum := sha256.Sum256(data)
			have[e.Name()] = hex.EncodeToString(sum[:])
		}
	}
	var out []string
	for _, p := range lc.Patches {
		h, ok := have[p.Name]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("patch %s: in rvendor.lock, missing from %s", quote.Path(p.Name), quote.Path(c.Patches)))
		case h != p.SHA256:
			out = append(out, fmt.Sprintf("patch %s: edited since the last update (sha256 %s, lock has %s)", quote.Path(p.Name), h, p.SHA256))
		}
		delete(have, p.Name)
	}
	var added []string
	for n := range have {
		added = append(added, n)
	}
	sort.Strings(added)
	for _, n := range added {
		out = append(out, fmt.Sprintf("patch %s: in %s, not applied yet", quote.Path(n), quote.Path(c.Patches)))
	}
	return out, nil
}

// crateFiles places each path of cr's lists in the crate of crates whose
// folder holds it, sorted by path.
func crateFiles(cr *ComponentReport, crates []vendorspec.LockedCrate) []CrateFile {
	out := []CrateFile{}
	if len(crates) == 0 {
		return out
	}
	byDir := make(map[string]*vendorspec.LockedCrate, len(crates))
	for i := range crates {
		byDir[crates[i].Dir] = &crates[i]
	}
	seen := map[string]bool{}
	place := func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		// The innermost crate folder holding p.
		for i := len(p) - 1; i > 0; i-- {
			if p[i] != '/' {
				continue
			}
			if c, ok := byDir[p[:i]]; ok {
				out = append(out, CrateFile{Path: p, Crate: c.Name, Version: c.Version, Dir: c.Dir, File: p[i+1:]})
				return
			}
		}
	}
	for _, f := range cr.Patched {
		place(f.Path)
	}
	for _, l := range [][]string{cr.Modified, cr.Added, cr.Deleted} {
		for _, p := range l {
			place(p)
		}
	}
	for _, m := range cr.Mode {
		place(m.Path)
	}
	for _, t := range cr.Type {
		place(t.Path)
	}
	slices.SortFunc(out, func(a, b CrateFile) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// compare fills cr's lists from the recorded files and what is on disk;
// both lists are sorted by path.
func compare(cr *ComponentReport, want []tree.File, got *found, irregular []tree.Irregular, dir string) {
	irr := make(map[string]fs.FileMode, len(irregular))
	for _, i := range irregular {
		irr[i.Path] = i.Type
	}
	i, more := 0, got.next()
	for i < len(want) || more {
		switch {
		case !more || (i < len(want) && want[i].Path < got.cur.Path):
			w := &want[i]
			if t, ok := irr[w.Path]; ok {
				cr.Type = append(cr.Type, TypeChange{Path: w.Path, Want: "file", Got: tree.TypeName(t)})
				delete(irr, w.Path)
			} else if fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(w.Path))); err == nil && fi.IsDir() {
				cr.Type = append(cr.Type, TypeChange{Path: w.Path, Want: "file", Got: "dir"})
			} else {
				cr.Deleted = append(cr.Deleted, w.Path)
			}
			i++
		case i == len(want) || got.cur.Path < want[i].Path:
			cr.Added = append(cr.Added, got.cur.Path)
			more = got.next()
		default:
			w, g := &want[i], &got.cur
			if w.SHA256 != g.SHA256 || w.Size != g.Size {
				cr.Modified = append(cr.Modified, w.Path)
			}
			if w.Mode.Perm() != g.Mode.Perm() {
				cr.Mode = append(cr.Mode, ModeChange{Path: w.Path,
					Want: fmt.Sprintf("%04o", uint32(w.Mode.Perm())), Got: fmt.Sprintf("%04o", uint32(g.Mode.Perm()))})
			}
			i++
			more = got.next()
		}
	}
	for _, x := range irregular {
		if _, ok := irr[x.Path]; ok {
			cr.Type = append(cr.Type, TypeChange{Path: x.Path, Want: "none", Got: tree.TypeName(x.Type)})
		}
	}
	sort.Slice(cr.Type, func(a, b int) bool { return cr.Type[a].Path < cr.Type[b].Path })
}

// checkTransformed checks lc's stamped and generated lists against the
// sum: a stamped file is an upstream file changed from it, a generated
// file one upstream does not have.
func checkTransformed(lc *vendorspec.LockedComponent, sum *vendorspec.Sum) error {
	over := sum.Pristine[lc.Name]
	for _, p := range lc.Stamped {
		if pf, ok := over[p]; !ok || pf == nil {
			return &SumMismatchError{Component: lc.Name,
				Detail: fmt.Sprintf("rvendor.lock lists %s as stamped, but rvendor.sum does not record it as an upstream file rvendor changed", p)}
		}
	}
	for _, p := range lc.Generated {
		if pf, ok := over[p]; !ok || pf != nil {
			return &SumMismatchError{Component: lc.Name,
				Detail: fmt.Sprintf("rvendor.lock lists %s as generated, but rvendor.sum does not record it as a file upstream does not have", p)}
		}
	}
	return nil
}

// maxStampedRead caps a stamped file as verify reads it.
const maxStampedRead = 17 << 20

// checkStamped reads each stamped file of lc that no patch touches and
// has not drifted, and checks it is its pristine upstream file (as the
// sum records it) plus the SPDX tag and nothing else.
func checkStamped(lc *vendorspec.LockedComponent, dir string, sum *vendorspec.Sum, drifted map[string]bool) error {
	over := sum.Pristine[lc.Name]
	for _, p := range lc.Stamped {
		if drifted[p] || len(lc.PatchedBy(p)) > 0 || over[p] == nil {
			continue
		}
		data, err := tree.ReadFile(filepath.Join(dir, filepath.FromSlash(p)), maxStampedRead)
		if err != nil {
			return err
		}
		if !license.StampedFrom(path.Base(p), data, lc.SPDXHeader, over[p].SHA256) {
			return &SumMismatchError{Component: lc.Name,
				Detail: fmt.Sprintf("rvendor.lock lists %s as stamped with %q, but it is not its upstream file plus that tag", p, lc.SPDXHeader)}
		}
	}
	return nil
}
