package tree

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// State folder layout, below the workspace root (the spec's folder).
const (
	StateDir    = ".rvendor"         // rvendor's own folder beside the spec
	lockFile    = "lock"             // flock(2)ed while a command changes the tree
	journalFile = "journal.json"     // present only while a swap is under way
	stagingDir  = "staging"          // one folder per transaction
	journalTmp  = "journal.json.tmp" //
	idFile      = "id"               // this state folder's random id (ID)
	specFile    = "spec"             // the base name of the spec owning the state folder
)

// CrashPoints are the places where a test may stop a commit, in the order
// a commit passes them. After "journal" the commit is decided: the next
// Open finishes it.
var CrashPoints = []string{"staged", "journal", "swap", "files", "committed"}

// ErrPending is returned by Pending's callers when an interrupted update
// has not been finished yet.
var ErrPending = errors.New("an interrupted rvendor update has not been finished")

// Workspace is the root of a tree that rvendor manages, locked against
// other rvendor runs for as long as it is open.
type Workspace struct {
	Root string // absolute; the spec's folder
	lock *os.File
	id   string // see ID

	// Hook, when set, is called at each of CrashPoints during Commit. A
	// test uses it to stop the process there (as a kill would).
	Hook func(point string)
	// Recovered reports what Open finished or cleaned up, for the user.
	Recovered []string
}

// Open is OpenSpec for the spec DefaultSpec in root.
func Open(root string) (*Workspace, error) {
	return OpenSpec(root, DefaultSpec)
}

// OpenSpec locks the workspace at root, the folder of the spec file named
// spec (a base name, such as "rvendor.toml"), waiting for another rvendor
// run to finish, and recovers from any interrupted run: a decided
// transaction is rolled forward, an undecided one's staging folder is
// removed.
//
// The state folder belongs to one spec: the first OpenSpec records the
// spec's name in it, and OpenSpec with another name in the same folder is
// refused (an error wrapping ErrOtherSpec), as two specs would otherwise
// share one lock, journal and staging folder without knowing.
func OpenSpec(root, spec string) (*Workspace, error) {
	if err := checkSpecName(spec); err != nil {
		return nil, err
	}
	w, err := openLocked(root)
	if err != nil {
		return nil, err
	}
	if err := w.ownedBy(spec, true); err != nil {
		w.Close()
		return nil, err
	}
	if err := w.recover(); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// openLocked creates the state folder and takes the workspace lock,
// waiting for another rvendor run to finish.
func openLocked(root string) (*Workspace, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	state := filepath.Join(root, StateDir)
	if err := ensureStateDir(state); err != nil {
		return nil, err
	}
	f, err := openStateFile(state, lockFile, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		if !errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", f.Name(), err)
		}
		// Another rvendor is at work here: wait for it.
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", f.Name(), err)
		}
	}
	w := &Workspace{Root: root, lock: f}
	// Under the lock, so that no other rvendor is changing it.
	if err := checkStateFolder(state, stagingDir); err != nil {
		f.Close()
		return nil, err
	}
	if w.id, err = stateID(state); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// ID identifies this workspace's state folder: the random id kept in
// StateDir/id (made 0600 by the first Open; not meant to be committed)
// and the inode number of that file. Every journal records it,
// and a caller can record it in its own state (a conflicted update) to
// refuse state that this workspace did not write: a state folder that came
// with the tree (committed to git, or in a tarball) or was copied from
// another tree has another inode, whatever its files say.
func (w *Workspace) ID() string { return w.id }

// Close releases the workspace lock.
func (w *Workspace) Close() error {
	if w.lock == nil {
		return nil
	}
	err := w.lock.Close() // closing releases the flock
	w.lock = nil
	return err
}

// Pending reports whether the workspace at root has a decided but
// unfinished transaction. It only reads, so verify can call it.
func Pending(root string) bool {
	_, err := os.Lstat(filepath.Join(root, StateDir, journalFile))
	return err == nil
}

// ConflictStateFile marks a conflicted update that waits for
// --continue or --abort, relative to the workspace root (the engine
// writes it last when it keeps a conflict).
const ConflictStateFile = StateDir + "/conflict/state.json"

// ErrConflictPending is wrapped by the error of a command that refuses
// to run while a conflicted update waits for --continue or --abort.
var ErrConflictPending = errors.New("a conflicted rvendor update is pending")

// ConflictPending reports whether a conflicted update waits in the tree
// at root. It only reads, so verify can call it.
func ConflictPending(root string) bool {
	_, err := os.Lstat(filepath.Join(root, filepath.FromSlash(ConflictStateFile)))
	return err == nil
}

// journal is written, fsynced and renamed into place before the first
// rename of a commit; with it the next Open can finish the commit.
type journal struct {
	ID string `json:"id"`
	// Workspace is the ID of the workspace that wrote the journal: a
	// journal is acted on only by that workspace.
	Workspace string `json:"workspace"`
	Swaps     []swap `json:"swaps"`
}

// swap replaces one path of the tree (a dest folder, the lock or the sum)
// with a staged one. All paths are relative to the workspace root.
type swap struct {
	Dest   string `json:"dest"`
	Staged string `json:"staged"` // "" removes Dest
	Aside  string `json:"aside"`  // where the old Dest is kept until the end
	// Existed records whether Dest existed when the journal was written,
	// so that RollBack knows to remove what the swap created; nil in a
	// journal that does not say, which RollBack refuses.
	Existed *bool `json:"existed,omitempty"`
}

// Txn stages new content for some paths of the tree and then swaps it all
// in at once.
type Txn struct {
	w     *Workspace
	id    string
	dir   string // absolute staging folder
	swaps []swap
	done  bool

	mu sync.Mutex // guards next, for NewPath from several goroutines
	// next numbers the folders NewPath hands out: each path gets a
	// parent of its own, so no two can collide.
	next int
}

// Begin starts a transaction with its own staging folder below the
// workspace's state folder, on the tree's filesystem.
func (w *Workspace) Begin() (*Txn, error) {
	var b [6]byte
	if err := randomBytes(b[:]); err != nil {
		return nil, err
	}
	id := hex.EncodeToString(b[:])
	state := filepath.Join(w.Root, StateDir)
	if err := os.Mkdir(filepath.Join(state, stagingDir), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("creating the staging folder: %w", err)
	}
	if err := checkStateFolder(state, stagingDir); err != nil {
		return nil, err
	}
	dir := filepath.Join(state, stagingDir, id)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the staging folder: %w", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "new"), 0o755); err != nil {
		return nil, fmt.Errorf("creating the staging folder: %w", err)
	}
	return &Txn{w: w, id: id, dir: dir}, nil
}

// NewPath returns a fresh absolute path inside the transaction's staging
// folder: it does not exist yet and its parent does, so a function that
// must create its destination itself (fetch.Extract, crates.Vendor) can
// be given it. Every call gets a parent folder of its own
// (staging/<id>/new/<n>/<hint>), so no two paths ever collide, whatever
// the hints: hint is only a readable last element (made one path element;
// "item" when empty). NewPath may be called from several goroutines.
func (t *Txn) NewPath(hint string) (string, error) {
	t.mu.Lock()
	if t.done {
		t.mu.Unlock()
		return "", errors.New("transaction already finished")
	}
	n := t.next
	t.next++
	t.mu.Unlock()
	parent := filepath.Join(t.dir, "new", strconv.Itoa(n))
	if err := os.Mkdir(parent, 0o755); err != nil {
		return "", fmt.Errorf("making a staging path: %w", err)
	}
	return filepath.Join(parent, safeHint(hint)), nil
}

// NewDir is NewPath with the path created as an empty folder.
func (t *Txn) NewDir(hint string) (string, error) {
	p, err := t.NewPath(hint)
	if err != nil {
		return "", err
	}
	if err := os.Mkdir(p, 0o755); err != nil {
		return "", fmt.Errorf("making a staging folder: %w", err)
	}
	return p, nil
}

// NewFile is NewPath with the path created as an empty file (mode 0644).
func (t *Txn) NewFile(hint string) (string, error) {
	p, err := t.NewPath(hint)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o644)
	if err != nil {
		return "", fmt.Errorf("making a staging file: %w", err)
	}
	return p, f.Close()
}

// Replace records that dest is to be replaced by staged, which the caller
// has filled; an empty staged removes dest.
//
// dest goes through Workspace.Path (the containment check). staged must be
// a path this transaction handed out (NewPath, NewDir, NewFile), that is,
// strictly inside its own staging folder, or a path strictly inside a
// caller's state folder (StatePath): a conflicted update's work tree.
// staged must exist; nothing on its way below the state folder may be a
// symbolic link. A staged path may not lie inside a dest that an earlier
// Replace of this transaction replaces or removes, and two dests may not
// overlap. A caller's state folder is removed with RemoveState.
func (t *Txn) Replace(dest, staged string) error {
	destAbs, err := t.w.Path(dest)
	if err != nil {
		return err
	}
	return t.replace(dest, destAbs, staged)
}

func (t *Txn) replace(dest, destAbs, staged string) error {
	if t.done {
		return errors.New("transaction already finished")
	}
	var stagedRel string
	if staged != "" {
		rel, err := t.stagedRel(staged)
		if err != nil {
			return fmt.Errorf("staged content for %s: %w", dest, err)
		}
		stagedRel = rel
	}
	if err := overlaps(t.swaps, dest, stagedRel); err != nil {
		return err
	}
	if err := t.sameFS(destAbs, dest); err != nil {
		return err
	}
	aside := path.Join(StateDir, stagingDir, t.id, "old", strconv.Itoa(len(t.swaps)))
	t.swaps = append(t.swaps, swap{Dest: dest, Staged: stagedRel, Aside: aside})
	return nil
}

// RemoveState records that the caller's state folder StateDir/name (see
// StatePath) is to be removed in this transaction, with everything else
// it swaps. Replace whatever is staged inside it first.
func (t *Txn) RemoveState(name string) error {
	p, err := t.w.StatePath(name)
	if err != nil {
		return err
	}
	return t.replace(path.Join(StateDir, name), p, "")
}

// stagedRel checks an absolute staged path (see Replace) and returns it
// relative to the root, slash-separated.
func (t *Txn) stagedRel(staged string) (string, error) {
	if !filepath.IsAbs(staged) {
		return "", fmt.Errorf("%s is not an absolute path from this transaction (Txn.NewPath)", staged)
	}
	rel, err := filepath.Rel(t.w.Root, filepath.Clean(staged))
	if err != nil {
		return "", fmt.Errorf("%s is not inside the workspace %s", staged, t.w.Root)
	}
	rel = filepath.ToSlash(rel)
	if err := checkStaged(rel, t.id); err != nil {
		return "", err
	}
	if err := checkParents(t.w.Root, rel, rel); err != nil {
		return "", err
	}
	if _, err := os.Lstat(staged); err != nil {
		return "", err
	}
	return rel, nil
}

// checkStaged checks the spelling of a staged path relative to the root:
// strictly inside the staging folder of transaction id, or inside a
// caller's state folder.
func checkStaged(rel, id string) error {
	own := path.Join(StateDir, stagingDir, id) + "/"
	if path.Clean(rel) != rel || rel == "" || path.IsAbs(rel) {
		return fmt.Errorf("staged path %q is not clean", rel)
	}
	if strings.HasPrefix(rel, own) {
		for _, e := range strings.Split(rel, "/") {
			if e == ".." {
				return fmt.Errorf("staged path %q leaves the staging folder", rel)
			}
		}
		return nil
	}
	if rest, ok := strings.CutPrefix(rel, StateDir+"/"); ok {
		name, below, ok := strings.Cut(rest, "/")
		if ok && below != "" && checkStateName(name) == nil && !strings.HasPrefix(below, "../") && below != ".." {
			return nil
		}
	}
	return fmt.Errorf("%s is not a path this transaction handed out: staged content must be inside %s (use Txn.NewPath)", rel, own)
}

// overlaps refuses a swap of dest by staged (relative to the root) that
// collides with earlier swaps: the same or nested dests, the same or
// nested staged paths, or a staged path inside an earlier swap's dest
// (which would be gone by its turn).
func overlaps(swaps []swap, dest, staged string) error {
	within := func(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }
	for _, o := range swaps {
		if within(dest, o.Dest) || within(o.Dest, dest) {
			return fmt.Errorf("%s and %s overlap: one transaction cannot replace both", o.Dest, dest)
		}
		if staged == "" {
			continue
		}
		if within(staged, o.Dest) {
			return fmt.Errorf("the new %s is staged inside %s, which the transaction replaces first", dest, o.Dest)
		}
		if o.Staged != "" && (within(staged, o.Staged) || within(o.Staged, staged)) {
			return fmt.Errorf("%s and %s are staged in the same place", o.Dest, dest)
		}
	}
	return nil
}

// WriteFile stages data as the new content of the file dest (relative to
// the root, checked by Workspace.Path) and records its replacement.
func (t *Txn) WriteFile(dest string, data []byte) error {
	if _, err := t.w.Path(dest); err != nil {
		return err
	}
	p, err := t.NewPath(path.Base(dest))
	if err != nil {
		return err
	}
	if err := writeNew(p, data); err != nil {
		return err
	}
	return t.Replace(dest, p)
}

// sameFS checks that dest's nearest existing folder is on the staging
// folder's filesystem, so the swap is a rename and cannot half-happen.
func (t *Txn) sameFS(destAbs, dest string) error {
	var st, sd unix.Stat_t
	if err := unix.Stat(t.dir, &st); err != nil {
		return err
	}
	p := filepath.Dir(destAbs)
	for {
		if err := unix.Stat(p, &sd); err == nil {
			break
		}
		parent := filepath.Dir(p)
		if parent == p {
			return fmt.Errorf("%s: no existing parent folder", dest)
		}
		p = parent
	}
	if sd.Dev != st.Dev {
		return fmt.Errorf("%s is on another filesystem than %s, so it cannot be replaced atomically; keep dest on the filesystem of rvendor.toml", dest, filepath.Join(t.w.Root, StateDir))
	}
	return nil
}

// Abort drops everything staged. The tree is untouched.
func (t *Txn) Abort() error {
	t.mu.Lock()
	done := t.done
	t.done = true
	t.mu.Unlock()
	if done {
		return nil
	}
	return os.RemoveAll(t.dir)
}

// Commit swaps every staged item into the tree. Until the journal is
// written, a failure leaves the tree as it was; after it, the swap is
// finished here or, if the process dies, by the next Open.
func (t *Txn) Commit() error {
	if t.done {
		return errors.New("transaction already finished")
	}
	t.hook("staged")
	// A staged path that is gone would later be taken for one already
	// swapped in: refuse before anything is decided.
	for _, s := range t.swaps {
		if s.Staged == "" {
			continue
		}
		if _, err := os.Lstat(filepath.Join(t.w.Root, filepath.FromSlash(s.Staged))); err != nil {
			t.Abort()
			return fmt.Errorf("the new content of %s (%s) is missing, so nothing was changed: %w", s.Dest, s.Staged, err)
		}
	}
	for i := range t.swaps {
		e := exists(filepath.Join(t.w.Root, filepath.FromSlash(t.swaps[i].Dest)))
		t.swaps[i].Existed = &e
	}
	// The staged content must be on disk before the journal decides the
	// swap: otherwise a power loss after the swap could leave empty files
	// where the old copy was already deleted.
	if err := syncFS(t.dir); err != nil {
		t.Abort()
		return fmt.Errorf("flushing the staged content to disk: %w", err)
	}
	j := journal{ID: t.id, Workspace: t.w.ID(), Swaps: t.swaps}
	// The paths are checked again as the roll-forward will check them: a
	// link planted since Replace is refused before anything is decided.
	if err := t.w.checkJournal(&j); err != nil {
		t.Abort()
		return fmt.Errorf("%w; nothing was changed", err)
	}
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	state := filepath.Join(t.w.Root, StateDir)
	// Removed first, so that a link put there is never written through.
	if err := os.Remove(filepath.Join(state, journalTmp)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Abort()
		return fmt.Errorf("writing the update journal: %w", err)
	}
	if err := writeNew(filepath.Join(state, journalTmp), data); err != nil {
		t.Abort()
		return fmt.Errorf("writing the update journal: %w", err)
	}
	if err := os.Rename(filepath.Join(state, journalTmp), filepath.Join(state, journalFile)); err != nil {
		t.Abort()
		return fmt.Errorf("writing the update journal: %w", err)
	}
	syncDir(state)
	t.hook("journal")
	t.mu.Lock()
	t.done = true
	t.mu.Unlock()
	return t.w.rollForward(&j, t.hook)
}

func (t *Txn) hook(point string) {
	if t.w.Hook != nil {
		t.w.Hook(point)
	}
}

// recover finishes a decided transaction and removes undecided staging.
func (w *Workspace) recover() error {
	state := filepath.Join(w.Root, StateDir)
	data, err := readStateFile(state, journalFile, maxJournal)
	switch {
	case err == nil:
		var j journal
		if err := json.Unmarshal(data, &j); err != nil {
			return fmt.Errorf("the journal of an interrupted update (%s) is corrupt: %w; restore the tree from version control and remove %s",
				filepath.Join(state, journalFile), err, state)
		}
		if err := w.trust(&j); err != nil {
			return err
		}
		if err := w.rollForward(&j, nil); err != nil {
			return fmt.Errorf("finishing an interrupted update: %w; the swaps still to do are listed in %s, "+
				"the old copies are kept under %s: fix the cause (permissions, a read-only mount, a file in the way) and run rvendor update again, "+
				"or put everything back as it was with rvendor update --abort (or restore from version control and remove %s)",
				err, filepath.Join(state, journalFile), filepath.Join(state, stagingDir, j.ID, "old"), state)
		}
		w.Recovered = append(w.Recovered, "finished an interrupted update")
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	os.Remove(filepath.Join(state, journalTmp))
	entries, err := os.ReadDir(filepath.Join(state, stagingDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, e := range entries {
		// Nothing is followed: a link is removed, not what it points to,
		// and RemoveAll never descends through a link below a folder.
		p := filepath.Join(state, stagingDir, e.Name())
		var err error
		if e.Type().IsDir() {
			err = os.RemoveAll(p)
		} else {
			err = os.Remove(p)
		}
		if err != nil {
			return fmt.Errorf("removing the staging folder of an interrupted update: %w", err)
		}
		w.Recovered = append(w.Recovered, "removed the staging folder of an interrupted update")
	}
	return nil
}

// rollForward performs the swaps of j that have not happened yet, removes
// the journal, then the old content. Each step can be repeated, so a crash
// at any point is finished by running it again.
func (w *Workspace) rollForward(j *journal, hook func(string)) error {
	if err := w.checkJournal(j); err != nil {
		return w.journalErr(err)
	}
	abs := func(rel string) string { return filepath.Join(w.Root, filepath.FromSlash(rel)) }
	for i, s := range j.Swaps {
		// Again just before acting: an earlier swap must not have put a
		// link on the way.
		if _, err := w.destPath(s.Dest, s.Staged == ""); err != nil {
			return err
		}
		dest, aside := abs(s.Dest), abs(s.Aside)
		staged := ""
		if s.Staged != "" {
			staged = abs(s.Staged)
		}
		if staged != "" && !exists(staged) {
			continue // already swapped in
		}
		if staged == "" && !exists(dest) {
			continue // already removed
		}
		if staged != "" {
			if fi, err := os.Lstat(staged); err == nil && fi.Mode().IsRegular() {
				// A file is replaced by one rename: dest never vanishes.
				// Its old content is kept aside by a hard link, for
				// RollBack.
				if exists(dest) && !exists(aside) {
					if err := os.MkdirAll(filepath.Dir(aside), 0o755); err != nil {
						return err
					}
					if err := os.Link(dest, aside); err != nil {
						// A filesystem without hard links: copy it, to a
						// temporary name first, so that a copy cut short
						// is never taken for the old file.
						if cerr := copyFile(dest, aside); cerr != nil {
							return fmt.Errorf("keeping the old %s: %w", s.Dest, cerr)
						}
					}
				}
				if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
					return err
				}
				if err := os.Rename(staged, dest); err != nil {
					return fmt.Errorf("writing %s: %w", s.Dest, err)
				}
				continue
			}
		}
		if exists(dest) {
			if exists(aside) {
				return fmt.Errorf("%s and its old copy %s both exist; restore %s from version control", s.Dest, s.Aside, s.Dest)
			}
			if err := os.MkdirAll(filepath.Dir(aside), 0o755); err != nil {
				return err
			}
			if err := os.Rename(dest, aside); err != nil {
				return fmt.Errorf("moving %s aside: %w", s.Dest, err)
			}
		}
		if staged != "" {
			if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
				return err
			}
			if err := os.Rename(staged, dest); err != nil {
				return fmt.Errorf("moving the new %s in: %w", s.Dest, err)
			}
		}
		if hook != nil && i == 0 {
			hook("swap")
		}
	}
	// Every renamed folder's parent, wherever it is in the tree, must be
	// on disk before the journal goes and the old copies are deleted.
	if err := syncFS(w.Root); err != nil {
		return fmt.Errorf("flushing the swapped folders to disk: %w", err)
	}
	if hook != nil {
		hook("files")
	}
	state := filepath.Join(w.Root, StateDir)
	if err := os.Remove(filepath.Join(state, journalFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	syncDir(state)
	if hook != nil {
		hook("committed")
	}
	return os.RemoveAll(filepath.Join(state, stagingDir, j.ID))
}

// RollBack undoes a decided but unfinished transaction of the workspace
// at root, for when it cannot be finished (a read-only mount, a file in the
// way): every swapped path gets its old content back from the copy kept
// aside, what the transaction created is removed, then the journal and the
// staging folder go. It takes the workspace lock itself. If it is
// interrupted, the journal remains and the next Open finishes the
// transaction instead, so the tree always ends wholly old or wholly new.
//
// RollBack does not check which spec owns the state folder; RollBackSpec
// does.
func RollBack(root string) error {
	return rollBack(root, "")
}

// RollBackSpec is RollBack for the workspace of the spec file named spec
// in root: it is refused (ErrOtherSpec) when another spec owns the state
// folder.
func RollBackSpec(root, spec string) error {
	if err := checkSpecName(spec); err != nil {
		return err
	}
	return rollBack(root, spec)
}

func rollBack(root, spec string) error {
	w, err := openLocked(root)
	if err != nil {
		return err
	}
	defer w.Close()
	if spec != "" {
		if err := w.ownedBy(spec, false); err != nil {
			return err
		}
	}
	root = w.Root
	state := filepath.Join(root, StateDir)
	data, err := readStateFile(state, journalFile, maxJournal)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no interrupted update to roll back: %w", err)
	}
	if err != nil {
		return err
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("the journal of the interrupted update is corrupt: %w; restore the tree from version control and remove %s", err, state)
	}
	if err := w.trust(&j); err != nil {
		return err
	}
	abs := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
	// Check first that every old copy a roll-back needs is there, so
	// that a roll-back that cannot be done changes nothing.
	for _, s := range j.Swaps {
		if s.Existed == nil {
			return fmt.Errorf("the journal %s does not record which paths existed, so it cannot be rolled back; run rvendor update to finish it",
				filepath.Join(state, journalFile))
		}
		done := (s.Staged != "" && !exists(abs(s.Staged))) || (s.Staged == "" && !exists(abs(s.Dest)))
		if done && *s.Existed && !exists(abs(s.Aside)) {
			return fmt.Errorf("the old %s is no longer kept (%s is missing), so the update cannot be rolled back; run rvendor update to finish it, or restore from version control",
				s.Dest, s.Aside)
		}
	}
	for i := len(j.Swaps) - 1; i >= 0; i-- {
		s := j.Swaps[i]
		dest, aside := abs(s.Dest), abs(s.Aside)
		// Take the new content out of the tree, back to where it was
		// staged: if this roll-back is cut short, the next Open rolls
		// forward again, and every swap is redone, not lost.
		if exists(dest) && (exists(aside) || !*s.Existed) && s.Staged != "" && !exists(abs(s.Staged)) {
			if err := os.Rename(dest, abs(s.Staged)); err != nil {
				return fmt.Errorf("taking the new %s out: %w", s.Dest, err)
			}
		}
		if exists(aside) {
			if exists(dest) && !isRegular(aside) {
				return fmt.Errorf("%s is in the way of its old copy %s", s.Dest, s.Aside)
			}
			if err := os.Rename(aside, dest); err != nil {
				return fmt.Errorf("putting the old %s back: %w", s.Dest, err)
			}
		} else if *s.Existed && !exists(dest) {
			return fmt.Errorf("the old %s was not kept: restore it from version control", s.Dest)
		}
	}
	if err := syncFS(root); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(state, journalFile)); err != nil {
		return err
	}
	syncDir(state)
	return os.RemoveAll(filepath.Join(state, stagingDir, j.ID))
}

func isRegular(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode().IsRegular()
}

// copyFile copies src to dst through a temporary file, synced and renamed
// into place, keeping src's permissions.
func copyFile(src, dst string) error {
	f, err := os.OpenFile(src, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", src)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	tmp := dst + ".tmp"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := writeNew(tmp, data); err != nil {
		return err
	}
	if err := os.Chmod(tmp, fi.Mode().Perm()); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// writeNew writes data to p, which must not exist, and syncs it.
func writeNew(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncFS flushes the filesystem holding path (syncfs(2)): one call covers
// every file and folder written or renamed there.
func syncFS(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}

func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}
