package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/tree/patch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// ConflictDir holds a conflicted update until Continue or Abort, relative
// to the workspace root; the workspace's recovery never touches it.
//
// Layout: state.json (written last: its presence marks a complete state);
// tree/, the work tree of the component whose patch conflicts (where the
// user resolves); staged/N/, the work trees of the update's other
// components; data/N/ with pristine.sum (the staged upstream files),
// done/ (the patches carried so far) and, for the conflicting component,
// before/ (its patch's files before the patch).
const ConflictDir = tree.StateDir + "/" + conflictName

// conflictName is ConflictDir's name in the state folder.
const conflictName = "conflict"

// conflictStateName is the state file in ConflictDir; tree.ConflictStateFile
// names the same file for verify.
const conflictStateName = "state.json"

// conflictVersion is the version of state.json this rvendor writes.
const conflictVersion = 2

// ConflictPending reports whether a conflicted update waits in the tree
// at root.
func ConflictPending(root string) bool { return tree.ConflictPending(root) }

// RefuseConflict returns an Unusable error while a conflicted update is
// pending at root.
func RefuseConflict(root string) error {
	if ConflictPending(root) {
		return unusable(fmt.Errorf("%w in %s", ErrConflictPending, filepath.Join(root, ConflictDir)),
			"resolve it and run rvendor update --continue, or drop it with rvendor update --abort")
	}
	return nil
}

// conflictState is state.json.
type conflictState struct {
	Version    int              `json:"version"`
	Workspace  string           `json:"workspace"`   // the workspace's id: a state is used only where it was written
	SpecSHA256 string           `json:"spec_sha256"` // the spec when the update began
	LockSHA256 string           `json:"lock_sha256"` // the lock when the update began
	NewSpec    string           `json:"new_spec,omitempty"`
	Force      bool             `json:"force,omitempty"`
	Current    int              `json:"current"` // index in Components of the conflicting one
	Components []componentState `json:"components"`
	Removed    []string         `json:"removed,omitempty"`
	TakenOver  []string         `json:"taken_over,omitempty"`
}

type componentState struct {
	Name      string                      `json:"name"`
	Prev      string                      `json:"prev,omitempty"` // the locked component whose folder it replaces
	Lock      *vendorspec.LockedComponent `json:"lock"`
	Queue     []string                    `json:"queue,omitempty"` // the queue, in order; empty: none
	Next      int                         `json:"next"`
	Done      []string                    `json:"done,omitempty"`
	Dropped   []string                    `json:"dropped,omitempty"`
	Absent    []string                    `json:"absent,omitempty"` // the conflicting patch's paths absent before it
	Conflicts []patch.FileConflict        `json:"conflicts,omitempty"`
}

func sha256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// fileSHA256 is the sha256 of the file at p, "" when it does not exist.
func fileSHA256(p string) (string, error) {
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return sha256Hex(data), nil
}

// conflictPaths are the folders of a conflict state.
type conflictPaths struct{ dir string }

func (c conflictPaths) tree() string        { return filepath.Join(c.dir, "tree") }
func (c conflictPaths) staged(i int) string { return filepath.Join(c.dir, "staged", strconv.Itoa(i)) }
func (c conflictPaths) data(i int) string   { return filepath.Join(c.dir, "data", strconv.Itoa(i)) }
func (c conflictPaths) workOf(i, cur int) string {
	return map[bool]string{true: c.tree(), false: c.staged(i)}[i == cur]
}

// save writes u as the pending conflicted update: every work tree is
// moved (not copied) into ConflictDir, then state.json is written last.
func (e *Engine) save(ws *tree.Workspace, u *pending) error {
	dir, err := ws.StatePath(conflictName)
	if err != nil {
		return err
	}
	cp := conflictPaths{dir}
	if !u.resumed {
		// Leftovers of a save cut short (no state.json) are not ours.
		if err := os.RemoveAll(cp.dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(cp.dir, "staged"), 0o755); err != nil {
		return err
	}
	// A state already there (Continue) is rewritten: state.json first, so
	// that an interrupted save is never taken for a complete one.
	if err := os.Remove(filepath.Join(cp.dir, conflictStateName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	// Move the work tree that sits in tree/ but is no longer the
	// conflicting one out of the way first.
	for i, ch := range u.changes {
		if ch.Dir == cp.tree() && i != u.current {
			if err := os.Rename(ch.Dir, cp.staged(i)); err != nil {
				return err
			}
			ch.Dir = cp.staged(i)
		}
	}
	st := &conflictState{Version: conflictVersion, Workspace: ws.ID(), NewSpec: string(u.newSpec), Force: u.force, Current: u.current,
		TakenOver: u.takenOver}
	if st.SpecSHA256, err = fileSHA256(e.Project.Spec.Path); err != nil {
		return err
	}
	if st.LockSHA256, err = fileSHA256(e.Project.LockPath); err != nil {
		return err
	}
	for _, lc := range u.removed {
		st.Removed = append(st.Removed, lc.Name)
	}
	for i, ch := range u.changes {
		cs, err := saveComponent(cp, i, i == u.current, ch)
		if err != nil {
			return err
		}
		st.Components = append(st.Components, cs)
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(cp.dir, conflictStateName), data, 0o644)
}

// saveComponent moves ch's work tree into place and writes its data
// folder.
func saveComponent(cp conflictPaths, i int, current bool, ch *change) (componentState, error) {
	cs := componentState{Name: ch.C.Name, Lock: ch.Lock}
	if ch.Prev != nil {
		cs.Prev = ch.Prev.Name
	}
	to := cp.workOf(i, map[bool]int{true: i, false: -1}[current])
	if ch.Dir != to {
		if err := os.Rename(ch.Dir, to); err != nil {
			return cs, fmt.Errorf("saving the conflicted update: %w", err)
		}
		ch.Dir = to
	}
	data := cp.data(i)
	if err := os.RemoveAll(data); err != nil {
		return cs, err
	}
	if err := os.MkdirAll(filepath.Join(data, "done"), 0o755); err != nil {
		return cs, err
	}
	sum := &vendorspec.Sum{Files: map[string][]tree.File{ch.C.Name: ch.Pristine}}
	if err := os.WriteFile(filepath.Join(data, "pristine.sum"), sum.Marshal(), 0o644); err != nil {
		return cs, err
	}
	r := ch.run
	if r == nil {
		return cs, nil
	}
	cs.Next, cs.Dropped = r.next, r.dropped
	for _, q := range r.queue {
		cs.Queue = append(cs.Queue, q.Name)
		if d, ok := r.done[q.Name]; ok {
			cs.Done = append(cs.Done, q.Name)
			if err := os.WriteFile(filepath.Join(data, "done", q.Name), d, 0o644); err != nil {
				return cs, err
			}
		}
	}
	if current {
		cs.Conflicts = r.conflicts
		for p, c := range r.before {
			if c == nil {
				cs.Absent = append(cs.Absent, p)
			} else if err := patch.Write(filepath.Join(data, "before"), p, c); err != nil {
				return cs, err
			}
		}
		slices.Sort(cs.Absent)
	}
	return cs, nil
}

// readConflict reads state.json, refusing a state this workspace did not
// write (a .rvendor folder committed to the tree, say).
func readConflict(ws *tree.Workspace) (*conflictState, error) {
	dir, err := ws.StatePath(conflictName)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, conflictStateName))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, unusable(errors.New("no conflicted update is pending"), "")
		}
		return nil, err
	}
	var st conflictState
	if err := json.Unmarshal(data, &st); err != nil || st.Version != conflictVersion {
		if err == nil {
			err = fmt.Errorf("version %d, this rvendor reads version %d", st.Version, conflictVersion)
		}
		return nil, unusable(fmt.Errorf("%s/state.json cannot be used: %w", ConflictDir, err), "run rvendor update --abort and start the update again")
	}
	if st.Workspace == "" || st.Workspace != ws.ID() {
		return nil, unusable(fmt.Errorf("%s was not written by an rvendor update in this tree (it may have come with the tree); it is not trusted", ConflictDir),
			"remove it with rvendor update --abort")
	}
	return &st, nil
}
