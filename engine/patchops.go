package engine

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/tree/patch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
	"github.com/rvendor/rvendor/verify"
)

// patchable returns the spec's component name and its lock entry,
// refusing components that cannot have a patch queue or are not current.
func (e *Engine) patchable(name string) (*vendorspec.Component, *vendorspec.LockedComponent, error) {
	p := e.Project
	c := p.Component(name)
	if c == nil {
		return nil, nil, unusablef("see the [[component]] names in the spec", "no component %q in %s", name, p.Spec.Path)
	}
	if c.Kind == vendorspec.KindCrate {
		return nil, nil, unusablef("", "component %s: patch queues are supported for rust-src, rustc-src and archive components", name)
	}
	lc := p.Lock.Component(name)
	if lc == nil {
		return nil, nil, unusablef("run rvendor update "+name, "component %s is not vendored yet", name)
	}
	if stale := c.Stale(lc); len(stale) > 0 {
		return nil, nil, unusablef("run rvendor update "+name+" first", "component %s: the spec changed since the last update (%s)", name, stale[0])
	}
	if c.Patches == "" {
		return nil, nil, unusable(fmt.Errorf("%s: component %s has no patch queue", c.Pos.At(""), c.Name),
			fmt.Sprintf("add patches = \"rust/vendor/patches/%s\" (a folder for its patch files) to the component in %s", c.Name, filepath.Base(p.Spec.Path)))
	}
	if stale, err := verify.QueueChanges(p.Spec.Dir, c, lc); err != nil {
		return nil, nil, err
	} else if len(stale) > 0 {
		return nil, nil, unusablef("run rvendor update "+name+" to apply the queue first", "component %s: %s", name, stale[0])
	}
	return c, lc, nil
}

// tempScratch hands out paths below a temporary folder, for operations
// that change nothing in the tree.
type tempScratch struct {
	dir string
	n   int
}

func newTempScratch() (*tempScratch, error) {
	dir, err := os.MkdirTemp("", "rvendor-")
	if err != nil {
		return nil, err
	}
	return &tempScratch{dir: dir}, nil
}

// NewPath returns a new path, not existing, whose parent exists.
func (t *tempScratch) NewPath(hint string) (string, error) {
	t.n++
	d := filepath.Join(t.dir, fmt.Sprint(t.n))
	if err := os.Mkdir(d, 0o755); err != nil {
		return "", err
	}
	if hint = filepath.Base(hint); hint == "." || hint == "/" || hint == ".." {
		hint = "item"
	}
	return filepath.Join(d, hint), nil
}

func (t *tempScratch) remove() { os.RemoveAll(t.dir) }

// undeclared rebuilds pristine upstream plus the queue of c into s and
// compares it with a snapshot of the folder lc vendored (taken once,
// hashed while copied). It returns the expected tree, the snapshot's
// files and the undeclared changes.
func (e *Engine) undeclared(ctx context.Context, s scratch, c *vendorspec.Component, lc *vendorspec.LockedComponent) (*Expected, []tree.File, []patch.Change, error) {
	dir, err := s.NewPath("expected")
	if err != nil {
		return nil, nil, nil, err
	}
	exp, err := e.buildExpected(ctx, c, lc, dir, false)
	if err != nil {
		return nil, nil, nil, err
	}
	dest, err := inTree(e.Project.Spec.Dir, lc.Dest)
	if err != nil {
		return nil, nil, nil, componentErr(c.Name, err)
	}
	snap, err := s.NewPath("snapshot")
	if err != nil {
		return nil, nil, nil, err
	}
	have, err := snapshot(ctx, dest, snap, lc.Dest)
	if err != nil {
		return nil, nil, nil, err
	}
	e.at("snapshot")
	want, _, err := tree.Scan(ctx, exp.Dir, 0)
	if err != nil {
		return nil, nil, nil, err
	}
	chs, err := changes(exp.Dir, snap, want, have)
	if err != nil {
		return nil, nil, nil, err
	}
	return exp, have, chs, nil
}

// queueOp is a patch queue operation under way: the component, its
// transaction, pristine plus queue, and the folder's undeclared changes
// from one snapshot.
type queueOp struct {
	c    *vendorspec.Component
	lc   *vendorspec.LockedComponent
	txn  *tree.Txn
	exp  *Expected
	have []tree.File // the snapshot's files
	chs  []patch.Change
}

// openQueue starts a queue operation on component name; the caller
// aborts its transaction when done.
func (e *Engine) openQueue(ctx context.Context, ws *tree.Workspace, name string) (*queueOp, error) {
	if err := RefuseConflict(ws.Root); err != nil {
		return nil, err
	}
	q := &queueOp{}
	var err error
	if q.c, q.lc, err = e.patchable(name); err != nil {
		return nil, err
	}
	if q.txn, err = ws.Begin(); err != nil {
		return nil, err
	}
	if q.exp, q.have, q.chs, err = e.undeclared(ctx, q.txn, q.c, q.lc); err != nil {
		q.txn.Abort()
		return nil, err
	}
	return q, nil
}

// RecordOptions configure Record.
type RecordOptions struct {
	Subject, Body string
	Author, Date  string // "" for rvendor's defaults (a fixed date)
}

// Recorded is the patch Record wrote.
type Recorded struct {
	Name   string       `json:"name"`
	Path   string       `json:"-"` // relative to the root
	SHA256 string       `json:"sha256"`
	Stats  []patch.Stat `json:"files"`
}

// Record turns the undeclared edits of component name into the next
// patch of its queue, and records it in the lock and sum, in one
// transaction. The tree's files are not changed; the lock's tree hash is
// that of the snapshot the patch was computed from.
func (e *Engine) Record(ctx context.Context, ws *tree.Workspace, name string, o RecordOptions) (*Recorded, error) {
	q, err := e.openQueue(ctx, ws, name)
	if err != nil {
		return nil, err
	}
	defer q.txn.Abort()
	c, lc, txn, exp, have, chs := q.c, q.lc, q.txn, q.exp, q.have, q.chs
	if len(chs) == 0 {
		return nil, failed(fmt.Errorf("component %s has %w", name, ErrNothingToRecord),
			"edit files in "+lc.Dest+" first; rvendor diff "+name+" shows what would be recorded")
	}
	pname := patch.NextName(exp.Queue, o.Subject)
	data, stats, err := patch.Format(patch.Header{Author: o.Author, Date: o.Date, Subject: o.Subject, Body: o.Body}, chs)
	if err != nil {
		return nil, err
	}
	rec, err := patch.Parse(pname, data)
	if err != nil {
		return nil, fmt.Errorf("the recorded patch does not parse back (a bug): %w", err)
	}
	nlc := *lc
	nlc.Patches = append(slices.Clone(lc.Patches), vendorspec.LockedPatch{Name: pname, SHA256: rec.SHA256, Files: rec.Paths()})
	if have, err = e.regenerate(txn, &nlc, have, exp, append(slices.Clone(exp.Queue), rec)); err != nil {
		return nil, err
	}
	if err := e.stageState(txn, &nlc, have, exp.Pristine); err != nil {
		return nil, err
	}
	rel := path.Join(c.Patches, pname)
	if err := txn.WriteFile(rel, data); err != nil {
		return nil, err
	}
	if err := commitTxn(ws, txn); err != nil {
		return nil, err
	}
	return &Recorded{Name: pname, Path: rel, SHA256: rec.SHA256, Stats: stats}, nil
}

// regenerate rewrites the generated README of a component whose queue
// becomes queue (nlc holds its new lock entry): the file is written into
// dest by the transaction, and have (the snapshot's files) is returned
// with its new hash. A queue that changes README.md is refused.
func (e *Engine) regenerate(txn *tree.Txn, nlc *vendorspec.LockedComponent, have []tree.File, exp *Expected, queue []*patch.Patch) ([]tree.File, error) {
	if !nlc.Readme {
		return have, nil
	}
	if err := refuseGeneratedPatches(nlc); err != nil {
		return nil, err
	}
	text := readmeText(nlc, exp.Pristine, subjectsOf(queue))
	if err := txn.WriteFile(path.Join(nlc.Dest, ReadmeName), text); err != nil {
		return nil, err
	}
	nlc.Generated = []string{ReadmeName}
	out := slices.Clone(have)
	for i := range out {
		if out[i].Path == ReadmeName {
			out[i].SHA256, out[i].Size = sha256.Sum256(text), int64(len(text))
		}
	}
	return out, nil
}

// stageState stages the lock and sum with lc's tree set to files (and
// its pristine view to pristine).
func (e *Engine) stageState(txn *tree.Txn, lc *vendorspec.LockedComponent, files, pristine []tree.File) error {
	h1, err := tree.H1(files)
	if err != nil {
		return err
	}
	lc.Tree, lc.Files, lc.Bytes = h1, len(files), sumBytes(files)
	lock := &vendorspec.Lock{Version: vendorspec.LockVersion, Components: slices.Clone(e.Project.Lock.Components)}
	lock.Set(lc)
	sum := cloneSum(e.Project.Sum)
	sum.SetComponent(lc.Name, files, pristine)
	_, err = e.stageLockSum(txn, lock, sum)
	return err
}

// findPatch returns the index in queue of which: the patch's file name,
// its four-digit number ("0003") or its position as patch list shows it
// ("2"), one meaning each, so that a gap in the numbering cannot select
// the wrong patch; -1 when none.
func findPatch(queue []*patch.Patch, which string) int {
	for i, q := range queue {
		switch {
		case q.Name == which,
			len(which) == 4 && strings.Trim(which, "0123456789") == "" && strings.HasPrefix(q.Name, which+"-"),
			len(which) < 4 && fmt.Sprint(i+1) == which:
			return i
		}
	}
	return -1
}

// Drop removes one patch of component name's queue and rebuilds its
// folder as pristine upstream plus the remaining patches, in one
// transaction. It refuses while the folder holds undeclared edits, and
// when a later patch no longer applies without the dropped one.
func (e *Engine) Drop(ctx context.Context, ws *tree.Workspace, name, which string) (*patch.Patch, error) {
	q, err := e.openQueue(ctx, ws, name)
	if err != nil {
		return nil, err
	}
	defer q.txn.Abort()
	c, lc, txn, exp, chs := q.c, q.lc, q.txn, q.exp, q.chs
	if len(chs) > 0 {
		return nil, failed(fmt.Errorf("component %s has undeclared edits (%s, …)", name, quote.Path(chs[0].Path)),
			"record them with rvendor patch record "+name+" -m SUBJECT, or discard them, before dropping a patch")
	}
	idx := findPatch(exp.Queue, which)
	if idx < 0 {
		return nil, unusablef("see rvendor patch list "+name, "component %s has no patch %q", name, which)
	}
	dropped := exp.Queue[idx]
	rest := slices.Delete(slices.Clone(exp.Queue), idx, idx+1)
	fresh, err := txn.NewPath(path.Base(lc.Dest))
	if err != nil {
		return nil, err
	}
	if _, err := e.extractBase(ctx, lc, fresh, false); err != nil {
		return nil, err
	}
	if err := applyQueue(rest, fresh, "pristine upstream without "+dropped.Name); err != nil {
		return nil, failed(err, "drop the patches that depend on "+dropped.Name+" first")
	}
	nlc := *lc
	nlc.Patches = nil
	for _, q := range rest {
		nlc.Patches = append(nlc.Patches, vendorspec.LockedPatch{Name: q.Name, SHA256: q.SHA256, Files: q.Paths()})
	}
	if _, err := writeReadme(&nlc, fresh, exp.Pristine, subjectsOf(rest)); err != nil {
		return nil, err
	}
	files, _, err := tree.Scan(ctx, fresh, 0)
	if err != nil {
		return nil, err
	}
	if err := e.stageState(txn, &nlc, files, exp.Pristine); err != nil {
		return nil, err
	}
	if err := txn.Replace(path.Join(c.Patches, dropped.Name), ""); err != nil {
		return nil, err
	}
	if err := txn.Replace(lc.Dest, fresh); err != nil {
		return nil, err
	}
	// The folder is replaced: an edit saved since the comparison above
	// would go with the old one.
	if err := e.refuseUndeclaredEdits(ctx, name); err != nil {
		return nil, err
	}
	if err := commitTxn(ws, txn); err != nil {
		return nil, err
	}
	return dropped, nil
}

// ComponentDiff is the difference of one component's folder from
// pristine upstream plus its queue (or from pristine upstream alone).
type ComponentDiff struct {
	Component string
	Text      []byte // git-style diff
	Stats     []patch.Stat
}

// Diff compares the folder each locked component was vendored into (the
// lock's dest: the spec's may have moved since) with pristine upstream
// plus its patch queue, or with pristine upstream alone when all is set.
// It changes nothing and never downloads. Crate components are skipped
// unless named.
func (e *Engine) Diff(ctx context.Context, names []string, all bool) ([]ComponentDiff, error) {
	p := e.Project
	if err := RefuseConflict(p.Spec.Dir); err != nil {
		return nil, err
	}
	if tree.Pending(p.Spec.Dir) {
		return nil, unusable(fmt.Errorf("%w in %s", tree.ErrPending, p.Spec.Dir), "run rvendor update to finish it first")
	}
	comps, err := p.Select(names)
	if err != nil {
		return nil, err
	}
	s, err := newTempScratch()
	if err != nil {
		return nil, err
	}
	defer s.remove()
	var out []ComponentDiff
	for _, c := range comps {
		lc := p.Lock.Component(c.Name)
		if lc == nil {
			if len(names) > 0 {
				return nil, unusablef("run rvendor update "+c.Name, "component %s is not vendored yet", c.Name)
			}
			continue
		}
		if len(names) == 0 && len(lc.Crates) > 0 {
			continue
		}
		dir, err := s.NewPath(c.Name)
		if err != nil {
			return nil, err
		}
		exp, err := e.buildExpected(ctx, c, lc, dir, all)
		if err != nil {
			return nil, componentErr(c.Name, err)
		}
		dest, err := inTree(p.Spec.Dir, lc.Dest)
		if err != nil {
			return nil, componentErr(c.Name, err)
		}
		chs, _, err := scanChanges(ctx, exp.Dir, dest)
		if err != nil {
			return nil, componentErr(c.Name, err)
		}
		text, st, err := patch.Diff(chs)
		if err != nil {
			return nil, componentErr(c.Name, err)
		}
		out = append(out, ComponentDiff{Component: c.Name, Text: text, Stats: st})
	}
	return out, nil
}
