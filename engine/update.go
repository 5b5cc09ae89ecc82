package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/tree/patch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
	"github.com/rvendor/rvendor/verify"
)

// UpdateOptions configure Update.
type UpdateOptions struct {
	Names []string // components to update; none: all, and remove those the spec dropped
	// Force stages every component named, even when the lock is current,
	// and discards undeclared edits and folders rvendor did not vendor.
	Force bool
	// To moves the one named rust-src or rustc-src component to this
	// version, rewriting only that value of the spec in the same commit.
	To string
}

// Result is what Update or Continue did.
type Result struct {
	Components []ComponentResult `json:"components"`
	Removed    []string          `json:"removed,omitempty"`
	Changed    bool              `json:"changed"`
}

// ComponentResult is one component of a Result.
type ComponentResult struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Dest     string `json:"dest"`
	Status   string `json:"status"` // "updated" or "current"
	Files    int    `json:"files"`
	Bytes    int64  `json:"bytes"`
	Upstream string `json:"upstream"`
	Tree     string `json:"tree"`
	Patches  int    `json:"-"`
	// Licenses lists how its licenses changed, when its version did.
	Licenses []LicenseChange `json:"licenses,omitempty"`
}

func resultOf(lc *vendorspec.LockedComponent, dest, status string) ComponentResult {
	return ComponentResult{Name: lc.Name, Version: lc.Version, Dest: dest, Status: status, Files: lc.Files, Bytes: lc.Bytes,
		Upstream: lc.Upstream, Tree: lc.Tree, Patches: len(lc.Patches)}
}

// pending is an update on its way to the commit: the components it
// replaces, those it removes, and the spec it writes.
type pending struct {
	changes   []*change
	removed   []*vendorspec.LockedComponent
	takenOver []string
	newSpec   []byte
	force     bool
	current   int  // the change being carried
	resumed   bool // from a conflict state: the commit removes ConflictDir
	untrusted bool // the lock does not match the sum: its dests are not removed
}

// Update brings the tree, lock and sum up to date with the spec for the
// components named (all when none): it plans, stages each stale
// component, carries its patch queue and commits everything at once. ws
// must be open on the spec's folder. On a patch conflict the update is
// saved for Continue and a *ConflictError is returned (code Failed);
// nothing in the tree changes.
func (e *Engine) Update(ctx context.Context, ws *tree.Workspace, o UpdateOptions) (*Result, error) {
	if err := RefuseConflict(ws.Root); err != nil {
		return nil, err
	}
	p := e.Project
	u := &pending{force: o.Force}
	if o.To != "" {
		np, data, err := e.retarget(o.Names, o.To)
		if err != nil {
			return nil, err
		}
		p, u.newSpec = np, data
	}
	plan, err := p.Plan(PlanOptions{Names: o.Names, Force: o.Force})
	if err != nil {
		return nil, err
	}
	u.takenOver = plan.TakenOver
	// The sum is carried into the new one: it must agree with the lock.
	if err := verify.CheckSum(p.Lock, p.Sum); err != nil {
		if !o.Force {
			return nil, unusable(err, "restore rvendor.lock and rvendor.sum from version control, or re-vendor every component with rvendor update --force")
		}
		// The lock cannot be trusted: its dests may name any folder.
		u.untrusted = true
		e.warn(fmt.Sprintf("%v: --force re-vendors the components into the dests rvendor.toml names and removes no folder that only rvendor.lock names", err))
	}
	txn, err := ws.Begin()
	if err != nil {
		return nil, err
	}
	defer txn.Abort()
	res := &Result{}
	for _, st := range plan.Steps {
		switch st.Action {
		case Keep:
			res.Components = append(res.Components, resultOf(st.Locked, st.Component.Dest, "current"))
			e.say(fmt.Sprintf("%s %s: up to date in %s", st.Component.Name, st.Component.Version, st.Component.Dest))
		case Remove:
			u.removed = append(u.removed, st.Locked)
		case Stage:
			ch := &change{C: st.Component, Old: st.Locked, Prev: st.Prev}
			// Fail before fetching: the commit checks again.
			if err := e.check(ctx, ws, ch, o.Force); err != nil {
				return nil, err
			}
			s, err := e.stage(ctx, txn, ch.C)
			if err != nil {
				if o.To != "" {
					if merr := e.movedPathsError(ch.C, err); merr != nil {
						return nil, merr
					}
				}
				return nil, componentErr(ch.C.Name, err)
			}
			ch.Dir, ch.Lock, ch.Pristine = s.Dir, s.Lock, s.Files
			if err := refuseReadmeClash(ch.C, s.Files); err != nil {
				return nil, err
			}
			if err := e.stamp(ctx, ch.Lock, ch.Dir, ch.Pristine); err != nil {
				return nil, componentErr(ch.C.Name, err)
			}
			if err := e.startCarry(ch); err != nil {
				return nil, componentErr(ch.C.Name, err)
			}
			u.changes = append(u.changes, ch)
		}
	}
	if err := e.carryFrom(ctx, ws, txn, u, 0); err != nil {
		return nil, err
	}
	return e.commit(ctx, ws, txn, u, res)
}

// carryFrom carries the queues of u's changes from index i on; on a
// conflict it saves u for Continue.
func (e *Engine) carryFrom(ctx context.Context, ws *tree.Workspace, s scratch, u *pending, i int) error {
	for ; i < len(u.changes); i++ {
		u.current = i
		err := e.carry(ctx, s, u.changes[i])
		var ce *ConflictError
		if errors.As(err, &ce) {
			if serr := e.save(ws, u); serr != nil {
				return fmt.Errorf("saving the conflicted update: %w (after: %v)", serr, err)
			}
			return failed(ce, conflictHint)
		}
		if err != nil {
			return componentErr(u.changes[i].C.Name, err)
		}
	}
	return nil
}

// check refuses what an update must not do to ch's folders: a dest that
// is not a folder or leaves the tree, a dest moved onto its old place,
// folders rvendor did not vendor and undeclared edits (these two unless
// force).
func (e *Engine) check(ctx context.Context, ws *tree.Workspace, ch *change, force bool) error {
	c, prev := ch.C, ch.Prev
	if err := checkHeader(c); err != nil {
		return err
	}
	if prev != nil && prev.Dest != c.Dest && (vendorspec.Within(c.Dest, prev.Dest) || vendorspec.Within(prev.Dest, c.Dest)) {
		return unusable(fmt.Errorf("component %s: dest moves from %s to %s, which overlap", c.Name, prev.Dest, c.Dest),
			"move it to a folder of its own, or in two steps through another folder")
	}
	if err := checkDest(ws, c.Dest); err != nil {
		return componentErr(c.Name, err)
	}
	if ch.Old != nil && ch.Old.Dest != c.Dest {
		if err := checkDest(ws, ch.Old.Dest); err != nil {
			return fmt.Errorf("component %s: removing its old dest: %w", c.Name, err)
		}
	}
	if force {
		return nil
	}
	if prev != nil {
		if err := e.refuseUndeclaredEdits(ctx, prev.Name); err != nil {
			return err
		}
	}
	if prev == nil || prev.Dest != c.Dest {
		return refuseOccupiedDest(ws, c)
	}
	return nil
}

// checkDest refuses a dest that leaves the tree, passes through a
// symbolic link or rvendor's state, or is not a folder.
func checkDest(ws *tree.Workspace, dest string) error {
	abs, err := ws.Path(dest)
	if err != nil {
		return err
	}
	if fi, err := os.Lstat(abs); err == nil && !fi.IsDir() {
		return fmt.Errorf("dest %s exists and is not a folder; move it away or choose another dest", dest)
	}
	return nil
}

// commit swaps u into the tree in one transaction, after checking every
// component again: the one commit path of Update and Continue.
func (e *Engine) commit(ctx context.Context, ws *tree.Workspace, txn *tree.Txn, u *pending, res *Result) (*Result, error) {
	p := e.Project
	lock := &vendorspec.Lock{Version: vendorspec.LockVersion, Components: slices.Clone(p.Lock.Components)}
	sum := cloneSum(p.Sum)
	for _, ch := range u.changes {
		if err := e.check(ctx, ws, ch, u.force); err != nil {
			return nil, err
		}
		writes, removes, err := e.finish(ctx, ch, u.resumed)
		if err != nil {
			return nil, componentErr(ch.C.Name, err)
		}
		for _, w := range writes {
			if err := txn.WriteFile(w.path, w.data); err != nil {
				return nil, err
			}
		}
		for _, d := range removes {
			if err := txn.Replace(d, ""); err != nil {
				return nil, err
			}
		}
		if err := txn.Replace(ch.C.Dest, ch.Dir); err != nil {
			return nil, err
		}
		if ch.Old != nil && ch.Old.Dest != ch.C.Dest {
			if err := e.removeOld(txn, u, ch.Old); err != nil {
				return nil, err
			}
		}
		cr := resultOf(ch.Lock, ch.C.Dest, "updated")
		cr.Licenses = licenseDiff(ch.Old, ch.Lock, p.Sum.Files[ch.C.Name], ch.Files)
		for _, d := range cr.Licenses {
			e.say(fmt.Sprintf("%s: %s", ch.C.Name, d))
		}
		lock.Set(ch.Lock)
		sum.SetComponent(ch.C.Name, ch.Files, ch.Pristine)
		res.Components = append(res.Components, cr)
	}
	for _, lc := range u.removed {
		if !u.force {
			if err := e.refuseUndeclaredEdits(ctx, lc.Name); err != nil {
				return nil, err
			}
		}
		if err := checkDest(ws, lc.Dest); err != nil {
			return nil, fmt.Errorf("component %s: removing it: %w", lc.Name, err)
		}
		if err := e.removeOld(txn, u, lc); err != nil {
			return nil, err
		}
		lock.Remove(lc.Name)
		sum.Remove(lc.Name)
		res.Removed = append(res.Removed, lc.Name)
	}
	for _, n := range u.takenOver {
		lock.Remove(n)
		sum.Remove(n)
	}
	changed, err := e.stageLockSum(txn, lock, sum)
	if err != nil {
		return nil, err
	}
	if u.newSpec != nil {
		if err := txn.WriteFile(filepath.Base(p.Spec.Path), u.newSpec); err != nil {
			return nil, err
		}
	}
	if u.resumed {
		if err := txn.RemoveState(conflictName); err != nil {
			return nil, err
		}
	}
	res.Changed = changed || len(u.changes) > 0 || len(u.removed) > 0 || u.newSpec != nil || u.resumed
	if !res.Changed {
		return res, nil
	}
	e.at("commit")
	if err := commitTxn(ws, txn); err != nil {
		return nil, err
	}
	return res, nil
}

// removeOld stages the removal of lc's folder, which no component of
// the spec names any more; with an untrusted lock it is left, and said.
func (e *Engine) removeOld(txn *tree.Txn, u *pending, lc *vendorspec.LockedComponent) error {
	if u.untrusted {
		e.warn(fmt.Sprintf("%s: not removing %s, which only the untrusted rvendor.lock names as its folder: remove it by hand if it is rvendor's", lc.Name, lc.Dest))
		return nil
	}
	if u.force {
		e.warn(fmt.Sprintf("%s: --force: removing %s, the folder rvendor.lock records for it, without checking it for edits", lc.Name, lc.Dest))
	}
	return txn.Replace(lc.Dest, "")
}

// ErrUnfinished is wrapped when a commit was decided (its journal
// written) but could not be finished: the tree is half swapped until
// rvendor update finishes it or rvendor update --abort rolls it back.
var ErrUnfinished = errors.New("the update was decided but could not be finished")

// commitTxn commits txn; a failure after the journal is written says
// that an update is pending and how to finish or undo it.
func commitTxn(ws *tree.Workspace, txn *tree.Txn) error {
	err := txn.Commit()
	if err != nil && tree.Pending(ws.Root) {
		return failed(fmt.Errorf("%w: %w", ErrUnfinished, err),
			"an update is pending: fix the cause (permissions, a read-only mount, a file in the way) and run rvendor update to finish it, or run rvendor update --abort to put the tree, lock and sum back as they were")
	}
	return err
}

// stageLockSum stages lock and sum where their content changes; the sum
// keeps exactly the locked components. It reports whether either
// changes.
func (e *Engine) stageLockSum(txn *tree.Txn, lock *vendorspec.Lock, sum *vendorspec.Sum) (bool, error) {
	for name := range sum.Files {
		if lock.Component(name) == nil {
			sum.Remove(name)
		}
	}
	p := e.Project
	oldLock, err := p.Lock.Marshal()
	if err != nil {
		return false, err
	}
	// The lock commits to every field of the sum (modes and sizes too).
	// Its entries are shared with the project's lock: seal copies.
	sealed := &vendorspec.Lock{Version: lock.Version}
	for _, lc := range lock.Components {
		c := *lc
		sealed.Components = append(sealed.Components, &c)
	}
	sealed.SealSum(sum)
	lockBytes, err := sealed.Marshal()
	if err != nil {
		return false, err
	}
	sumBytes := sum.Marshal()
	// Compared as rvendor writes them: a lock or sum that differs only in
	// line ends or order is not rewritten by an update with nothing to do.
	lockChanged := string(lockBytes) != string(oldLock) || !fileExists(p.LockPath) && len(lock.Components) > 0
	sumChanged := string(sumBytes) != string(p.Sum.Marshal()) || !fileExists(p.SumPath) && len(lock.Components) > 0
	if lockChanged {
		if err := txn.WriteFile(vendorspec.LockName, lockBytes); err != nil {
			return false, err
		}
	}
	if sumChanged {
		if err := txn.WriteFile(vendorspec.SumName, sumBytes); err != nil {
			return false, err
		}
	}
	return lockChanged || sumChanged, nil
}

func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func cloneSum(s *vendorspec.Sum) *vendorspec.Sum {
	out := &vendorspec.Sum{Files: map[string][]tree.File{}, Pristine: map[string]map[string]*tree.File{}}
	for k, v := range s.Files {
		out.Files[k] = v
	}
	for k, v := range s.Pristine {
		out.Pristine[k] = v
	}
	return out
}

// refuseUndeclaredEdits fails when the vendored folder of component name
// holds edits that no recorded patch explains: an update would discard
// them.
func (e *Engine) refuseUndeclaredEdits(ctx context.Context, name string) error {
	p := e.Project
	rep, err := verify.Verify(ctx, verify.Options{Spec: p.Spec, Lock: p.Lock, Sum: p.Sum,
		Components: []string{name}, StatCache: e.StatCache})
	if err != nil {
		return fmt.Errorf("component %s: checking for undeclared edits: %w", name, err)
	}
	var edits []string
	for _, cr := range rep.Components {
		edits = append(edits, cr.Modified...)
		edits = append(edits, cr.Added...)
		edits = append(edits, cr.Deleted...)
		for _, m := range cr.Mode {
			edits = append(edits, m.Path)
		}
		for _, t := range cr.Type {
			edits = append(edits, t.Path)
		}
	}
	if len(edits) == 0 {
		return nil
	}
	const show = 5
	for i, p := range edits {
		edits[i] = quote.Path(p)
	}
	list := strings.Join(edits[:min(len(edits), show)], ", ")
	if len(edits) > show {
		list += fmt.Sprintf(" and %d more", len(edits)-show)
	}
	return failed(fmt.Errorf("component %s: the tree has undeclared edits that an update would discard: %s", name, list),
		fmt.Sprintf("see them with rvendor diff %s; keep them with rvendor patch record %s -m \"...\", or discard them with rvendor update --force", name, name))
}

// refuseOccupiedDest fails when a component that the lock does not know
// yet would replace a folder that already holds files: they would be
// lost. adopt brings such a folder under rvendor; --force replaces it.
func refuseOccupiedDest(ws *tree.Workspace, c *vendorspec.Component) error {
	abs, err := ws.Path(c.Dest)
	if err != nil {
		return componentErr(c.Name, err)
	}
	entries, err := os.ReadDir(abs)
	if err != nil || len(entries) == 0 {
		return nil
	}
	return failed(fmt.Errorf("component %s: dest %s already holds files that rvendor did not vendor (%s, ...); an update would replace them",
		c.Name, c.Dest, quote.Path(entries[0].Name())),
		fmt.Sprintf("to keep them as maintainer edits, run rvendor adopt %s --component %s --from ...; to replace them, run rvendor update --force %s", c.Dest, c.Name, c.Name))
}

// Continue finishes a conflicted update once the conflicting files in
// ConflictDir/tree are resolved: it refreshes the patch, carries the rest
// of the queues and commits through the same path as Update.
func (e *Engine) Continue(ctx context.Context, ws *tree.Workspace) (*Result, error) {
	st, err := readConflict(ws)
	if err != nil {
		return nil, err
	}
	p := e.Project
	if sha, err := fileSHA256(p.Spec.Path); err != nil || sha != st.SpecSHA256 {
		return nil, unusable(fmt.Errorf("%s changed since the conflicted update began", filepath.Base(p.Spec.Path)), "run rvendor update --abort and start the update again")
	}
	if sha, err := fileSHA256(p.LockPath); err != nil || sha != st.LockSHA256 {
		return nil, unusable(fmt.Errorf("%s changed since the conflicted update began", vendorspec.LockName), "run rvendor update --abort and start the update again")
	}
	u, err := e.loadPending(ws, st)
	if err != nil {
		return nil, err
	}
	// The same trust in the lock and sum as the update that began it.
	if err := verify.CheckSum(p.Lock, p.Sum); err != nil {
		if !u.force {
			return nil, unusable(err, "restore rvendor.lock and rvendor.sum from version control, or run rvendor update --abort")
		}
		u.untrusted = true
	}
	if err := e.resolveCurrent(u.changes[u.current]); err != nil {
		return nil, err
	}
	txn, err := ws.Begin()
	if err != nil {
		return nil, err
	}
	defer txn.Abort()
	if err := e.carryFrom(ctx, ws, txn, u, u.current); err != nil {
		return nil, err
	}
	return e.commit(ctx, ws, txn, u, &Result{})
}

// loadPending rebuilds the pending update of a conflict state, checking
// every name in it against the spec, the lock and the patch queues.
func (e *Engine) loadPending(ws *tree.Workspace, st *conflictState) (*pending, error) {
	p := e.Project
	spec := p.Spec
	if st.NewSpec != "" {
		var err error
		if spec, err = vendorspec.Parse(p.Spec.Path, []byte(st.NewSpec)); err != nil {
			return nil, err
		}
	}
	abort := "run rvendor update --abort and start the update again"
	if st.Current < 0 || st.Current >= len(st.Components) {
		return nil, unusablef(abort, "%s/state.json names no conflicting component", ConflictDir)
	}
	dir, err := ws.StatePath(conflictName)
	if err != nil {
		return nil, err
	}
	cp := conflictPaths{dir}
	u := &pending{force: st.Force, current: st.Current, takenOver: st.TakenOver, resumed: true}
	if st.NewSpec != "" {
		u.newSpec = []byte(st.NewSpec)
	}
	seen := map[string]bool{}
	for i, cs := range st.Components {
		var c *vendorspec.Component
		for _, sc := range spec.Components {
			if sc.Name == cs.Name {
				c = sc
			}
		}
		if c == nil {
			return nil, unusablef("run rvendor update --abort", "component %s is no longer in the spec", cs.Name)
		}
		if cs.Lock == nil || cs.Lock.Name != c.Name || len(c.Stale(cs.Lock)) > 0 || seen[c.Name] {
			return nil, unusablef(abort, "%s/state.json: the lock entry of component %s does not match the spec", ConflictDir, c.Name)
		}
		seen[c.Name] = true
		ch := &change{C: c, Old: p.Lock.Component(c.Name), Lock: cs.Lock, Dir: cp.workOf(i, st.Current)}
		if cs.Prev != "" {
			if ch.Prev = p.Lock.Component(cs.Prev); ch.Prev == nil {
				return nil, unusablef(abort, "%s/state.json: component %s replaces %s, which rvendor.lock does not have", ConflictDir, c.Name, cs.Prev)
			}
		}
		if !dirExists(ch.Dir) {
			return nil, unusablef(abort, "the work tree of %s is missing from %s", c.Name, ConflictDir)
		}
		sum, err := vendorspec.ReadSum(filepath.Join(cp.data(i), "pristine.sum"))
		if err != nil {
			return nil, unusable(err, abort)
		}
		ch.Pristine = sum.Files[c.Name]
		if err := e.loadRun(ch, cs, cp.data(i), i == st.Current); err != nil {
			return nil, err
		}
		u.changes = append(u.changes, ch)
	}
	for _, n := range st.Removed {
		lc := p.Lock.Component(n)
		if lc == nil {
			return nil, unusablef(abort, "%s/state.json removes %s, which rvendor.lock does not have", ConflictDir, n)
		}
		u.removed = append(u.removed, lc)
	}
	for _, n := range st.TakenOver {
		if p.Lock.Component(n) == nil {
			return nil, unusablef(abort, "%s/state.json: %s is not in rvendor.lock", ConflictDir, n)
		}
	}
	return u, nil
}

// loadRun restores ch's carry state from cs and its data folder; the
// queue on disk must be the one the update began with.
func (e *Engine) loadRun(ch *change, cs componentState, data string, current bool) error {
	queue, err := e.Project.Queue(ch.C)
	if err != nil {
		return err
	}
	changedQueue := unusablef("run rvendor update --abort and start again", "the patch queue of %s changed since the conflicted update began", ch.C.Name)
	if len(queue) != len(cs.Queue) {
		return changedQueue
	}
	in := map[string]bool{}
	for i, q := range queue {
		if q.Name != cs.Queue[i] {
			return changedQueue
		}
		in[q.Name] = true
	}
	if len(queue) == 0 {
		if current {
			return unusablef("run rvendor update --abort", "%s/state.json: component %s has no patch to resolve", ConflictDir, ch.C.Name)
		}
		return nil
	}
	if cs.Next < 0 || cs.Next > len(queue) || current && cs.Next == len(queue) {
		return unusablef("run rvendor update --abort", "%s/state.json: component %s: no patch %d", ConflictDir, ch.C.Name, cs.Next)
	}
	r := &carryRun{queue: queue, next: cs.Next, done: map[string][]byte{}}
	for _, n := range cs.Dropped {
		if !in[n] {
			return changedQueue
		}
		r.dropped = append(r.dropped, n)
	}
	for _, n := range cs.Done {
		if !in[n] {
			return changedQueue
		}
		d, err := os.ReadFile(filepath.Join(data, "done", n))
		if err != nil {
			return unusable(err, "run rvendor update --abort and start again")
		}
		r.done[n] = d
	}
	if current {
		r.before, r.conflicts = map[string]*patch.Content{}, cs.Conflicts
		for _, p := range queue[cs.Next].Paths() {
			if slices.Contains(cs.Absent, p) {
				r.before[p] = nil
				continue
			}
			c, err := patch.Read(filepath.Join(data, "before"), p)
			if err != nil {
				return unusable(err, "run rvendor update --abort and start again")
			}
			r.before[p] = c
		}
	}
	ch.run = r
	return nil
}

// Abort drops a conflicted update: the tree, lock and spec stay as they
// are. It returns the component whose patch conflicted ("" when the
// state cannot be read; it is removed all the same).
func Abort(ws *tree.Workspace) (string, error) {
	dir, err := ws.StatePath(conflictName)
	if err != nil {
		return "", unusable(err, "")
	}
	if _, err := os.Lstat(dir); err != nil {
		return "", unusable(errors.New("no conflicted update is pending"), "")
	}
	name := ""
	if st, err := readConflict(ws); err == nil && st.Current >= 0 && st.Current < len(st.Components) {
		name = st.Components[st.Current].Name
	}
	return name, os.RemoveAll(dir)
}
