package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/tree/patch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// change is one component an update replaces: its staged work tree and
// what the commit needs to swap it in.
type change struct {
	C    *vendorspec.Component
	Old  *vendorspec.LockedComponent // the lock entry of C.Name; nil when new
	Prev *vendorspec.LockedComponent // whose folder C.Dest replaces: Old, a renamed component, or nil
	Dir  string                      // the work tree: pristine, then patched
	Lock *vendorspec.LockedComponent // the new lock entry
	// Pristine lists the staged upstream files; Files the final tree,
	// set when the queue is carried.
	Pristine, Files []tree.File
	run             *carryRun // nil: no patch queue
}

// carryRun carries a component's patch queue onto its new version, patch
// by patch.
type carryRun struct {
	queue     []*patch.Patch
	next      int               // the next patch to carry (the conflicting one after a conflict)
	done      map[string][]byte // carried patch bytes by name (refreshed where merged)
	dropped   []string          // patches that became empty
	before    map[string]*patch.Content
	conflicts []patch.FileConflict
	oldDir    string // old pristine + old queue, built lazily for merges
	oldAt     int    // how many old patches oldDir has
}

// fileWrite is a patch file the commit writes.
type fileWrite struct {
	path string // slash-separated, relative to the root
	data []byte
}

// ConflictError is returned when a patch does not carry onto a new
// version: the update is saved in ConflictDir for Continue or Abort.
type ConflictError struct {
	Component, Patch string
	Conflicts        []patch.FileConflict
}

func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "patch %s conflicts with the new upstream of %s:", e.Patch, e.Component)
	for _, c := range e.Conflicts {
		fmt.Fprintf(&b, "\n  %s: %s\n    resolve in %s", quote.Path(c.Path), c.Why, quote.Path(path.Join(ConflictDir, "tree", c.Path)))
	}
	return b.String()
}

const conflictHint = "edit the files listed, then run rvendor update --continue; or rvendor update --abort to drop this update"

// startCarry prepares ch's queue, if it has one.
func (e *Engine) startCarry(ch *change) error {
	queue, err := e.Project.Queue(ch.C)
	if err != nil || len(queue) == 0 {
		return err
	}
	ch.run = &carryRun{queue: queue, done: map[string][]byte{}}
	return nil
}

// carry applies ch's remaining patches to its work tree. On a conflict
// it returns a *ConflictError and leaves the conflict-marked files in the
// work tree; run.next is the conflicting patch.
func (e *Engine) carry(ctx context.Context, s scratch, ch *change) error {
	r := ch.run
	if r == nil {
		return nil
	}
	oldVersion := "the recorded version"
	if ch.Old != nil {
		oldVersion = ch.Old.Version
	}
	name, newVersion := ch.C.Name, ch.Lock.Version
	for ; r.next < len(r.queue); r.next++ {
		q := r.queue[r.next]
		res, err := patch.Carry(q, ch.Dir, e.mergeBase(ctx, s, ch), patch.Labels{
			Ours: "upstream " + newVersion, Base: "upstream " + oldVersion, Theirs: q.Name})
		if err != nil {
			return err
		}
		switch res.Status {
		case patch.Applied:
			r.done[q.Name] = q.Data
			e.say(fmt.Sprintf("%s: %s applies exactly", name, q.Name))
		case patch.BecameNil:
			r.dropped = append(r.dropped, q.Name)
			e.say(fmt.Sprintf("%s: %s became empty (upstream %s has the change): dropped", name, q.Name, newVersion))
		case patch.Merged:
			data, _, err := patch.Refresh(q.Data, res.Changes())
			if errors.Is(err, patch.ErrEmpty) {
				r.dropped = append(r.dropped, q.Name)
				e.say(fmt.Sprintf("%s: %s became empty (upstream %s has the change): dropped", name, q.Name, newVersion))
				continue
			}
			if err != nil {
				return err
			}
			r.done[q.Name] = data
			e.say(fmt.Sprintf("%s: %s merged (three-way) and refreshed", name, q.Name))
		case patch.Conflict:
			r.before, r.conflicts = res.Before, res.Conflicts
			return &ConflictError{Component: name, Patch: q.Name, Conflicts: res.Conflicts}
		}
	}
	return nil
}

// mergeBase returns the function giving, for the patch being carried,
// the content a path had when the patch was recorded: the old pristine
// version plus the patches before it. nil when the old version is not
// known.
func (e *Engine) mergeBase(ctx context.Context, s scratch, ch *change) func(string) (*patch.Content, error) {
	r, old := ch.run, ch.Old
	if old == nil || old.SHA256 == "" {
		return nil
	}
	i := r.next
	return func(p string) (*patch.Content, error) {
		if r.oldDir == "" {
			dir, err := s.NewPath("base-" + old.Name)
			if err != nil {
				return nil, err
			}
			if _, err := e.extractBase(ctx, old, dir, true); err != nil {
				return nil, fmt.Errorf("the three-way merge needs the version the queue was recorded against: %w", err)
			}
			r.oldDir, r.oldAt = dir, 0
		}
		for ; r.oldAt < i; r.oldAt++ {
			if err := patch.ApplyDir(r.queue[r.oldAt], r.oldDir); err != nil {
				return nil, fmt.Errorf("%w; the queue does not apply to %s %s, which rvendor.lock says it was recorded against", err, old.Name, old.Version)
			}
		}
		return patch.Read(r.oldDir, p)
	}
}

// finish scans ch's carried work tree and completes its lock entry (tree
// hash, counts, patches); it returns the patch files to write and remove.
func (e *Engine) finish(ctx context.Context, ch *change, rescan bool) (writes []fileWrite, removes []string, err error) {
	lc := ch.Lock
	if ch.run == nil && !rescan && len(lc.Stamped) == 0 && !lc.Readme {
		ch.Files = ch.Pristine
		lc.Patches = nil
		return nil, nil, nil
	}
	lc.Patches = nil
	var queue []*patch.Patch
	if ch.run != nil {
		queue = ch.run.queue
	}
	for _, q := range queue {
		data, ok := ch.run.done[q.Name]
		rel := path.Join(ch.C.Patches, q.Name)
		if !ok {
			removes = append(removes, rel)
			continue
		}
		pp, err := patch.Parse(q.Name, data)
		if err != nil {
			return nil, nil, err
		}
		lc.Patches = append(lc.Patches, vendorspec.LockedPatch{Name: q.Name, SHA256: pp.SHA256, Files: pp.Paths()})
		if !bytes.Equal(data, q.Data) {
			writes = append(writes, fileWrite{rel, data})
		}
	}
	if _, err := writeReadme(lc, ch.Dir, ch.Pristine, subjectsOf(queue)); err != nil {
		return nil, nil, err
	}
	files, irr, err := tree.Scan(ctx, ch.Dir, 0)
	if err != nil {
		return nil, nil, err
	}
	if len(irr) > 0 {
		return nil, nil, fmt.Errorf("%s is a %s, not a regular file", irr[0].Path, irr[0].TypeString())
	}
	if lc.Tree, err = tree.H1(files); err != nil {
		return nil, nil, err
	}
	if lc.Upstream, err = tree.H1(ch.Pristine); err != nil {
		return nil, nil, err
	}
	lc.Files, lc.Bytes = len(files), sumBytes(files)
	ch.Files = files
	// Every file that differs from upstream must be a kept patch's, or
	// stamped or generated by rvendor: a work tree edited elsewhere
	// (while a conflict waited) would be locked as clean with no patch
	// holding the edit.
	touched := map[string]bool{}
	for _, lp := range lc.Patches {
		for _, p := range lp.Files {
			touched[p] = true
		}
	}
	undeclared := func(p string) error {
		return failed(fmt.Errorf("%s in the work tree of %s differs from upstream %s, but no patch changes it", quote.Path(p), ch.C.Name, lc.Version),
			"edit only the files the conflict report lists (undo that edit in "+ConflictDir+"), or run rvendor update --abort")
	}
	for p := range vendorspec.PristineDiff(files, ch.Pristine) {
		if !touched[p] && !lc.Transformed(p) {
			return nil, nil, undeclared(p)
		}
	}
	// A stamped file no patch touches must be upstream's plus the tag.
	if p, err := stampedIntact(lc, ch.Dir, ch.Pristine, touched); err != nil {
		return nil, nil, err
	} else if p != "" {
		return nil, nil, undeclared(p)
	}
	return writes, removes, nil
}

// resolveCurrent refreshes the conflicting patch of ch from its resolved
// files in the work tree, refusing while conflict markers remain.
func (e *Engine) resolveCurrent(ch *change) error {
	r := ch.run
	cur := r.queue[r.next]
	var unresolved []string
	var chs []patch.Change
	for _, p := range cur.Paths() {
		now, err := patch.Read(ch.Dir, p)
		if err != nil {
			return err
		}
		if now != nil && patch.HasMarkers(now.Data) {
			unresolved = append(unresolved, quote.Path(path.Join(ConflictDir, "tree", p)))
		}
		chs = append(chs, patch.Change{Path: p, Old: r.before[p], New: now})
	}
	if len(unresolved) > 0 {
		return failed(fmt.Errorf("conflict markers remain in %s", strings.Join(unresolved, ", ")),
			"resolve them (remove the <<<<<<< ||||||| ======= >>>>>>> lines), then run rvendor update --continue")
	}
	data, _, err := patch.Refresh(cur.Data, chs)
	switch {
	case errors.Is(err, patch.ErrEmpty):
		r.dropped = append(r.dropped, cur.Name)
		e.say(fmt.Sprintf("%s: %s is empty after the resolution: dropped", ch.C.Name, cur.Name))
	case err != nil:
		return err
	default:
		r.done[cur.Name] = data
		e.say(fmt.Sprintf("%s: %s resolved and refreshed", ch.C.Name, cur.Name))
	}
	r.next++
	r.before, r.conflicts = nil, nil
	return nil
}

// workPath names a path of ch's work tree for messages.
func workPath(dir, p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
