package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/rustdist"
	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/tree/patch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
	"github.com/rvendor/rvendor/verify"
)

// crashEnv names a testing hook: when set to one of tree.CrashPoints,
// update exits abruptly there, as if killed, so tests can prove that the
// next run recovers. It has no other use.
const crashEnv = "RVENDOR_TEST_CRASH_AT"

type updateOptions struct {
	Force    bool
	To       string
	Continue bool
	Abort    bool
}

func newUpdateCommand(g *globalOptions) *cobra.Command {
	var o updateOptions
	cmd := &cobra.Command{
		Use:   "update [COMPONENT...]",
		Short: "Fetch the pinned sources and place them into the tree",
		Long: `Update fetches each component of rvendor.toml (all, or those named), checks
its sha256 before anything is unpacked, extracts only the selected paths
with a hardened extractor, and swaps the result into dest atomically; then it
writes rvendor.lock and rvendor.sum.

A component whose lock entry already matches the spec is left alone (use
--force to fetch and place it again). Components removed from the spec are
removed from the tree when update runs without arguments.

PATCHES
A component with a patch queue ("patches" in its [[component]]) is placed as
pristine upstream plus its patches, applied in order in the staging folder:
exactly first; where a patch does not apply exactly, by a three-way merge per
file with the version it was recorded against as the base. Patches that
needed a merge are refreshed so they apply exactly to the new version;
patches that became empty (upstream took the change) are reported and
dropped. The tree changes only when every patch lands.

--to VERSION moves one rust-src or rustc-src component to another release
and rewrites its version in rvendor.toml (only that value; the rest of the
file is kept byte for byte). For an archive component, edit its url, sha256
and version in rvendor.toml and run rvendor update: the queue is carried
the same way.

On a conflict, update stops with exit status 1, leaving the tree, the lock
and the spec untouched: it lists each conflicting patch and file and keeps
the conflict-marked files in .rvendor/conflict/tree. Resolve them there and
run "rvendor update --continue" (which refreshes the patch and carries the
rest of the queue), or drop the attempt with "rvendor update --abort". Until
then update, verify and patch refuse to run.

Nothing changes until everything has been fetched and checked: a hash
mismatch, a refused archive entry or an interrupted run leaves the tree, the
lock and the sum as they were. A run interrupted while swapping is finished
by the next rvendor update, or rolled back to how things were before it by
"rvendor update --abort". Downloads are cached ($RVENDOR_CACHE, or the user
cache folder). Two rvendor runs in one tree wait for each other.

EXIT STATUS
  0  the tree, lock and sum are up to date
  1  a fetch, a check or the update failed, or a patch conflicts; nothing
     was changed
  2  bad usage, a spec or lock that cannot be used, or a pending conflict`,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case o.Continue && o.Abort:
				return usageErr(errors.New("--continue and --abort exclude each other"), "")
			case o.Abort:
				return runUpdateAbort(g)
			case o.Continue:
				return runUpdateContinue(cmd.Context(), g)
			}
			return runUpdate(cmd.Context(), g, &o, args)
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "fetch and place components even when the lock says they are current (undeclared edits are discarded)")
	cmd.Flags().StringVar(&o.To, "to", "", "move the one named rust-src or rustc-src component to `VERSION`, carrying its patches, and rewrite its version in rvendor.toml")
	cmd.Flags().BoolVar(&o.Continue, "continue", false, "finish a conflicted update once its files in .rvendor/conflict/tree are resolved")
	cmd.Flags().BoolVar(&o.Abort, "abort", false, "drop a conflicted update (the tree, lock and spec stay as they are), or roll back an interrupted one")
	addKeyringFlag(cmd, g)
	return cmd
}

// updateResult is the --json output of update.
type updateResult struct {
	Components []updatedComponent `json:"components"`
	Removed    []string           `json:"removed,omitempty"`
	Recovered  []string           `json:"recovered,omitempty"`
	Changed    bool               `json:"changed"`
}

type updatedComponent struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Dest     string `json:"dest"`
	Status   string `json:"status"` // "updated" or "current"
	Files    int    `json:"files"`
	Bytes    int64  `json:"bytes"`
	Upstream string `json:"upstream"`
	Tree     string `json:"tree"`
}

func runUpdate(ctx context.Context, g *globalOptions, o *updateOptions, args []string) error {
	if err := g.absKeyring(); err != nil {
		return err
	}
	specPath, err := g.specPath()
	if err != nil {
		return err
	}
	if _, err := vendorspec.Load(specPath); err != nil {
		return err
	}
	ws, err := tree.Open(filepath.Dir(specPath))
	if err != nil {
		return err
	}
	defer ws.Close()
	if point := g.getenv(crashEnv); point != "" {
		ws.Hook = func(p string) {
			if p == point {
				fmt.Fprintf(g.stderr, "rvendor: test hook: stopping at %s\n", p)
				os.Exit(99)
			}
		}
	}
	for _, r := range ws.Recovered {
		g.say("rvendor: %s", r)
	}
	if err := refuseConflict(ws.Root); err != nil {
		return err
	}
	// Read everything again under the lock: recovery may have changed it.
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	comps, err := selectComponents(p.Spec, args)
	if err != nil {
		return err
	}
	var newSpec []byte
	if o.To != "" {
		if comps, newSpec, err = retarget(p, comps, args, o.To); err != nil {
			return err
		}
	}
	cache, err := g.cache()
	if err != nil {
		return err
	}

	txn, err := ws.Begin()
	if err != nil {
		return err
	}
	defer txn.Abort()

	// The sum is carried into the new one: it must agree with the lock.
	if err := verify.CheckSum(p.Lock, p.Sum); err != nil && !o.Force {
		return usageErr(err, "restore rvendor.lock and rvendor.sum from version control, or re-vendor every component with rvendor update --force")
	}

	newLock := &vendorspec.Lock{Version: vendorspec.LockVersion, Components: append([]*vendorspec.LockedComponent(nil), p.Lock.Components...)}
	newSum := cloneSum(p.Sum)
	res := updateResult{Recovered: ws.Recovered}
	swapped := false
	takenOver := map[string]bool{} // removed components whose dest a renamed one took
	for _, c := range comps {
		old := p.Lock.Component(c.Name)
		queueChanged, err := verify.QueueChanges(p.Spec.Dir, c, oldOrEmpty(old))
		if err != nil {
			return err
		}
		if old != nil && !o.Force && len(c.Stale(old)) == 0 && len(c.StaleInputs(p.Spec.Dir, old)) == 0 && len(queueChanged) == 0 && dirExists(filepath.Join(p.Spec.Dir, filepath.FromSlash(c.Dest))) {
			res.Components = append(res.Components, updatedComponent{Name: c.Name, Version: c.Version, Dest: c.Dest,
				Status: "current", Files: old.Files, Bytes: old.Bytes, Upstream: old.Upstream, Tree: old.Tree})
			g.say("%s %s: up to date in %s", c.Name, c.Version, c.Dest)
			continue
		}
		if err := checkDest(p.Spec.Dir, c.Dest); err != nil {
			return fmt.Errorf("component %s: %w", c.Name, err)
		}
		// Whose folder does dest replace? Its own (old), a component the
		// spec renamed (same dest, no longer in the spec), or nobody's:
		// then it must hold nothing rvendor did not put there.
		prev := old
		if prev == nil {
			if r := renamedFrom(p, c); r != nil {
				prev, takenOver[r.Name] = r, true
			}
		}
		if prev != nil && prev.Dest != c.Dest && (vendorspec.Within(c.Dest, prev.Dest) || vendorspec.Within(prev.Dest, c.Dest)) {
			return usageErr(fmt.Errorf("component %s: dest moves from %s to %s, which overlap", c.Name, prev.Dest, c.Dest),
				"move it to a folder of its own, or in two steps through another folder")
		}
		if !o.Force {
			if prev != nil {
				if err := refuseUndeclaredEdits(ctx, g, p, prev.Name); err != nil {
					return err
				}
			}
			if prev == nil || prev.Dest != c.Dest {
				if err := refuseOccupiedDest(p.Spec.Dir, c); err != nil {
					return err
				}
			}
		}
		st, err := stageComponent(ctx, g, p, cache, txn, c)
		if err != nil {
			if o.To != "" {
				if merr := movedPathsError(p, c, err); merr != nil {
					return merr
				}
			}
			return fmt.Errorf("component %s: %w", c.Name, err)
		}
		for _, n := range st.Notes {
			g.say("%s: %s", c.Name, n)
		}
		cr, err := carryQueue(ctx, g, p, cache, txn, c, old, st, newSpec)
		if err != nil {
			return fmt.Errorf("component %s: %w", c.Name, err)
		}
		lc, files := st.Lock, st.Files
		if cr != nil {
			files = cr.files
			for _, w := range cr.writes {
				if err := txn.WriteFile(w.path, w.data); err != nil {
					return err
				}
			}
			for _, d := range cr.removes {
				if err := txn.Replace(d, ""); err != nil {
					return err
				}
			}
		}
		if err := txn.Replace(c.Dest, st.Dir); err != nil {
			return err
		}
		if old != nil && old.Dest != c.Dest {
			if err := checkDest(p.Spec.Dir, old.Dest); err != nil {
				return fmt.Errorf("component %s: removing its old dest: %w", c.Name, err)
			}
			if err := txn.Replace(old.Dest, ""); err != nil {
				return err
			}
		}
		swapped = true
		newLock.Set(lc)
		newSum.SetComponent(c.Name, files, st.Files)
		res.Components = append(res.Components, updatedComponent{Name: c.Name, Version: c.Version, Dest: c.Dest,
			Status: "updated", Files: lc.Files, Bytes: lc.Bytes, Upstream: lc.Upstream, Tree: lc.Tree})
	}
	if len(args) == 0 {
		for _, lc := range p.Lock.Components {
			if specComponent(p.Spec, lc.Name) != nil {
				continue
			}
			if !takenOver[lc.Name] {
				if !o.Force {
					if err := refuseUndeclaredEdits(ctx, g, p, lc.Name); err != nil {
						return err
					}
				}
				if err := checkDest(p.Spec.Dir, lc.Dest); err != nil {
					return fmt.Errorf("component %s: removing it: %w", lc.Name, err)
				}
				if err := txn.Replace(lc.Dest, ""); err != nil {
					return err
				}
			}
			swapped = true
			newLock.Remove(lc.Name)
			newSum.Remove(lc.Name)
			res.Removed = append(res.Removed, lc.Name)
		}
	}

	// A renamed component's old entry goes, whichever components were named.
	for name := range takenOver {
		newLock.Remove(name)
		newSum.Remove(name)
	}
	// The sum holds exactly the locked components.
	for name := range newSum.Files {
		if newLock.Component(name) == nil {
			newSum.Remove(name)
		}
	}
	lockBytes, err := newLock.Marshal()
	if err != nil {
		return err
	}
	sumBytes := newSum.Marshal()
	oldLock, _ := os.ReadFile(p.LockPath)
	oldSum, _ := os.ReadFile(p.SumPath)
	lockChanged := !bytes.Equal(lockBytes, oldLock)
	sumChanged := !bytes.Equal(sumBytes, oldSum)
	if lockChanged {
		if err := txn.WriteFile(vendorspec.LockName, lockBytes); err != nil {
			return err
		}
	}
	if sumChanged {
		if err := txn.WriteFile(vendorspec.SumName, sumBytes); err != nil {
			return err
		}
	}
	if newSpec != nil {
		if err := txn.WriteFile(filepath.Base(p.Spec.Path), newSpec); err != nil {
			return err
		}
	}
	res.Changed = swapped || lockChanged || sumChanged || newSpec != nil
	if res.Changed && !o.Force {
		// Fetching and staging took a while: an edit saved meanwhile
		// would be moved aside with the old folder. Look again (the stat
		// cache makes this cheap).
		for _, c := range res.Components {
			if c.Status == "updated" && p.Lock.Component(c.Name) != nil {
				if err := refuseUndeclaredEdits(ctx, g, p, c.Name); err != nil {
					return err
				}
			}
		}
	}
	if res.Changed {
		if err := txn.Commit(); err != nil {
			return err
		}
	}
	for _, c := range res.Components {
		if c.Status == "updated" {
			g.say("%s %s: %d files (%s) into %s", c.Name, c.Version, c.Files, humanBytes(c.Bytes), c.Dest)
		}
	}
	for _, n := range res.Removed {
		g.say("%s: removed (no longer in the spec)", n)
	}
	if !res.Changed {
		g.say("nothing to do: the tree and %s are up to date", vendorspec.LockName)
	}
	if g.JSON {
		return writeJSON(g, res)
	}
	return nil
}

// staged is a component's new content, ready to be swapped in.
type staged struct {
	Lock  *vendorspec.LockedComponent // complete lock entry
	Files []tree.File                 // every file of Dir, for rvendor.sum
	Dir   string                      // the staging folder holding them
	Notes []string                    // what the user should be told
}

// stageComponent fetches c and places its selected files into a new
// staging folder of txn, by kind.
func stageComponent(ctx context.Context, g *globalOptions, p *project, cache *fetch.Cache, txn *tree.Txn, c *vendorspec.Component) (*staged, error) {
	var (
		st  *staged
		err error
	)
	switch c.Kind {
	case vendorspec.KindArchive:
		st, err = stageArchive(ctx, g, cache, txn, c)
	case vendorspec.KindRustSrc, vendorspec.KindRustcSrc:
		st, err = stageRust(ctx, g, p, cache, txn, c)
	case vendorspec.KindCrate:
		st, err = stageCrate(ctx, g, p, cache, txn, c)
	default:
		return nil, usageErr(fmt.Errorf("kind %q cannot be fetched", c.Kind), "")
	}
	if err != nil {
		return nil, err
	}
	if st.Lock.Tree == "" {
		h1, err := tree.H1(st.Files)
		if err != nil {
			return nil, err
		}
		st.Lock.Tree = h1
		if st.Lock.Upstream == "" {
			st.Lock.Upstream = h1
		}
	}
	st.Lock.Files, st.Lock.Bytes = len(st.Files), 0
	for _, f := range st.Files {
		st.Lock.Bytes += f.Size
	}
	return st, nil
}

// checkDest refuses a dest that is not a folder, or that leads out of the
// tree through a symbolic link.
func checkDest(root, dest string) error {
	p := filepath.Join(root, filepath.FromSlash(dest))
	if fi, err := os.Lstat(p); err == nil && !fi.IsDir() {
		return fmt.Errorf("dest %s exists and is not a folder; move it away or choose another dest", dest)
	}
	// Every existing ancestor must resolve inside the tree.
	for q := filepath.Dir(p); len(q) > len(root); q = filepath.Dir(q) {
		real, err := filepath.EvalSymlinks(q)
		if err != nil {
			continue
		}
		rootReal, err := filepath.EvalSymlinks(root)
		if err != nil {
			return err
		}
		if real != rootReal && !strings.HasPrefix(real, rootReal+string(filepath.Separator)) {
			return fmt.Errorf("dest %s leads out of the tree through a symbolic link (%s -> %s)", dest, q, real)
		}
		break
	}
	return nil
}

func selectComponents(s *vendorspec.Spec, names []string) ([]*vendorspec.Component, error) {
	if len(names) == 0 {
		return s.Components, nil
	}
	var out []*vendorspec.Component
	for _, n := range names {
		c := specComponent(s, n)
		if c == nil {
			return nil, usageErr(fmt.Errorf("no component %q in %s", n, s.Path), "see the [[component]] names in the spec")
		}
		out = append(out, c)
	}
	return out, nil
}

func specComponent(s *vendorspec.Spec, name string) *vendorspec.Component {
	for _, c := range s.Components {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func dirExists(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.IsDir()
}

func writeJSON(g *globalOptions, v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func oldOrEmpty(lc *vendorspec.LockedComponent) *vendorspec.LockedComponent {
	if lc == nil {
		return &vendorspec.LockedComponent{}
	}
	return lc
}

// retarget implements --to: the one named component moves to version,
// and the spec's bytes are returned with only that value rewritten.
func retarget(p *project, comps []*vendorspec.Component, args []string, version string) ([]*vendorspec.Component, []byte, error) {
	if len(args) != 1 {
		return nil, nil, usageErr(errors.New("--to needs exactly one COMPONENT"), "run rvendor update --to VERSION COMPONENT")
	}
	c := comps[0]
	if c.Kind != vendorspec.KindRustSrc && c.Kind != vendorspec.KindRustcSrc {
		return nil, nil, usageErr(fmt.Errorf("--to moves rust-src and rustc-src components; %s is a %s component", c.Name, c.Kind),
			"edit its url, sha256 and version in rvendor.toml and run rvendor update: its patches are carried the same way")
	}
	data, err := os.ReadFile(p.Spec.Path)
	if err != nil {
		return nil, nil, err
	}
	pos, ok := c.Pos["version"]
	if !ok {
		return nil, nil, usageErr(fmt.Errorf("component %s has no version key to rewrite", c.Name), "")
	}
	newData, err := replaceStringValue(data, pos.Line, pos.Col, version)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", pos, err)
	}
	check, err := vendorspec.Parse(p.Spec.Path, newData)
	if err != nil {
		return nil, nil, usageErr(fmt.Errorf("version %q: %w", version, err), "")
	}
	nc := specComponent(check, c.Name)
	return []*vendorspec.Component{nc}, newData, nil
}

// replaceStringValue returns data with the string value of the key that
// starts at line:col (1-based) replaced by value; every other byte is kept.
func replaceStringValue(data []byte, line, col int, value string) ([]byte, error) {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return nil, errors.New("position is past the end of the spec")
		}
		off += i + 1
	}
	off += col - 1
	eq := bytes.IndexByte(data[off:], '=')
	if eq < 0 {
		return nil, errors.New("no = after the key")
	}
	start := off + eq + 1
	for start < len(data) && (data[start] == ' ' || data[start] == '\t') {
		start++
	}
	if start >= len(data) || (data[start] != '"' && data[start] != '\'') {
		return nil, errors.New("the value is not a one-line string")
	}
	q := data[start]
	end := bytes.IndexByte(data[start+1:], q)
	if end < 0 || bytes.IndexByte(data[start+1:start+1+end], '\n') >= 0 {
		return nil, errors.New("the value is not a one-line string")
	}
	end += start + 1
	var out bytes.Buffer
	out.Write(data[:start])
	out.WriteString(strconvQuote(value))
	out.Write(data[end+1:])
	return out.Bytes(), nil
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// conflictDir holds a conflicted update until --continue or --abort; the
// workspace's recovery never touches it.
const conflictDir = tree.StateDir + "/conflict"

func conflictPending(root string) bool {
	_, err := os.Stat(filepath.Join(root, filepath.FromSlash(conflictDir), "state.json"))
	return err == nil
}

// conflictState is .rvendor/conflict/state.json: everything --continue
// needs besides the work tree (tree/), the pristine files (pristine.sum),
// the content of the current patch's files before it (before/), and the
// patches done so far (done/).
type conflictState struct {
	Component  string                      `json:"component"`
	SpecSHA256 string                      `json:"spec_sha256"` // the spec when the update began
	NewSpec    string                      `json:"new_spec,omitempty"`
	Lock       *vendorspec.LockedComponent `json:"lock"`    // pristine fields of the new version
	Queue      []string                    `json:"queue"`   // the original queue, in order
	Current    int                         `json:"current"` // index of the conflicting patch
	Absent     []string                    `json:"absent"`  // current patch's paths absent before it
	Done       []string                    `json:"done"`    // refreshed patches kept in done/
	Dropped    []string                    `json:"dropped"` // patches that became empty
	Conflicts  []patch.FileConflict        `json:"conflicts"`
}

// carried is the result of applying a component's queue.
type carried struct {
	files   []tree.File // the final tree
	writes  []fileWrite // patch files to write (refreshed)
	removes []string    // patch files to remove (became empty)
}

type fileWrite struct {
	path string
	data []byte
}

// conflictError is returned when a patch conflicts: the state is saved.
type conflictError struct {
	component, patch string
	conflicts        []patch.FileConflict
	dir              string
}

func (e *conflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "patch %s conflicts with the new upstream of %s:", e.patch, e.component)
	for _, c := range e.conflicts {
		fmt.Fprintf(&b, "\n  %s: %s\n    resolve in %s", c.Path, c.Why, filepath.ToSlash(filepath.Join(e.dir, "tree", c.Path)))
	}
	return b.String()
}

func sha256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// carryQueue applies c's patch queue to the staged pristine tree st. It
// returns nil when c has no queue. On a conflict it saves the conflict
// state and returns an exit error listing the conflicts.
func carryQueue(ctx context.Context, g *globalOptions, p *project, cache *fetch.Cache, txn *tree.Txn, c *vendorspec.Component, old *vendorspec.LockedComponent, st *staged, newSpec []byte) (*carried, error) {
	if c.Patches == "" {
		return nil, nil
	}
	qdir := filepath.Join(p.Spec.Dir, filepath.FromSlash(c.Patches))
	queue, err := patch.ReadQueue(qdir)
	if err != nil {
		return nil, err
	}
	if len(queue) == 0 {
		return nil, nil
	}
	specData, err := os.ReadFile(p.Spec.Path)
	if err != nil {
		return nil, err
	}
	stt := &conflictState{Component: c.Name, SpecSHA256: sha256Hex(specData), NewSpec: string(newSpec), Lock: st.Lock}
	for _, q := range queue {
		stt.Queue = append(stt.Queue, q.Name)
	}
	run := &carryRun{g: g, p: p, cache: cache, c: c, old: old, queue: queue, work: st.Dir,
		oldDir: txn.StagePath("old-" + c.Name), state: stt, done: map[string][]byte{}}
	defer os.RemoveAll(run.oldDir)
	if err := run.from(ctx, 0); err != nil {
		var ce *conflictError
		if errors.As(err, &ce) {
			if serr := run.save(st.Files); serr != nil {
				return nil, fmt.Errorf("saving the conflicted update: %w (after: %v)", serr, err)
			}
			return nil, &exitError{code: exitFailure, err: err,
				hint: "edit the files listed, then run rvendor update --continue; or rvendor update --abort to drop this update"}
		}
		return nil, err
	}
	return run.finish(ctx, st.Lock, st.Files)
}

// carryRun carries a queue onto a new version, patch by patch.
type carryRun struct {
	g      *globalOptions
	p      *project
	cache  *fetch.Cache
	c      *vendorspec.Component
	old    *vendorspec.LockedComponent // the lock entry the queue was recorded against
	queue  []*patch.Patch
	work   string // the tree being built
	oldDir string // old pristine + old queue, built lazily
	oldAt  int    // how many old patches oldDir has; -1: not extracted
	state  *conflictState
	done   map[string][]byte // refreshed patch bytes by name
	before map[string]*patch.Content
}

// base returns the function giving, for patch i, the content a path had
// when the patch was recorded: the old pristine plus patches before i.
func (r *carryRun) base(ctx context.Context, i int) func(string) (*patch.Content, error) {
	if r.old == nil || r.old.SHA256 == "" {
		return nil
	}
	return func(p string) (*patch.Content, error) {
		if r.oldAt == 0 && !dirExists(r.oldDir) {
			if _, err := extractPristine(ctx, r.cache, r.old, r.oldDir, true); err != nil {
				return nil, fmt.Errorf("the three-way merge needs the version the queue was recorded against: %w", err)
			}
		}
		for ; r.oldAt < i; r.oldAt++ {
			if err := patch.ApplyDir(r.queue[r.oldAt], r.oldDir); err != nil {
				return nil, fmt.Errorf("%w; the queue does not apply to %s %s, which rvendor.lock says it was recorded against", err, r.old.Name, r.old.Version)
			}
		}
		return patch.Read(r.oldDir, p)
	}
}

// from carries patches i… onto the work tree.
func (r *carryRun) from(ctx context.Context, i int) error {
	oldVersion := "the recorded version"
	if r.old != nil {
		oldVersion = r.old.Version
	}
	for ; i < len(r.queue); i++ {
		q := r.queue[i]
		res, err := patch.Carry(q, r.work, r.base(ctx, i), patch.Labels{
			Ours: fmt.Sprintf("upstream %s", r.state.Lock.Version), Base: fmt.Sprintf("upstream %s", oldVersion), Theirs: q.Name})
		if err != nil {
			return err
		}
		switch res.Status {
		case patch.Applied:
			r.done[q.Name] = q.Data
			r.g.say("%s: %s applies exactly", r.c.Name, q.Name)
		case patch.BecameNil:
			r.state.Dropped = append(r.state.Dropped, q.Name)
			r.g.say("%s: %s became empty (upstream %s has the change): dropped", r.c.Name, q.Name, r.state.Lock.Version)
		case patch.Merged:
			data, _, err := patch.Refresh(q.Data, res.Changes())
			if errors.Is(err, patch.ErrEmpty) {
				r.state.Dropped = append(r.state.Dropped, q.Name)
				r.g.say("%s: %s became empty (upstream %s has the change): dropped", r.c.Name, q.Name, r.state.Lock.Version)
				continue
			}
			if err != nil {
				return err
			}
			r.done[q.Name] = data
			r.g.say("%s: %s merged (three-way) and refreshed", r.c.Name, q.Name)
		case patch.Conflict:
			r.state.Current = i
			r.state.Conflicts = res.Conflicts
			r.before = res.Before
			return &conflictError{component: r.c.Name, patch: q.Name, conflicts: res.Conflicts, dir: conflictDir}
		}
	}
	return nil
}

// finish computes the new tree's files and the patch file changes, and
// completes lc (tree hash, counts, patches).
func (r *carryRun) finish(ctx context.Context, lc *vendorspec.LockedComponent, pristine []tree.File) (*carried, error) {
	files, irr, err := tree.Scan(ctx, r.work, 0)
	if err != nil {
		return nil, err
	}
	if len(irr) > 0 {
		return nil, fmt.Errorf("%s is a %s, not a regular file", irr[0].Path, irr[0].TypeString())
	}
	h1, err := tree.H1(files)
	if err != nil {
		return nil, err
	}
	up, err := tree.H1(pristine)
	if err != nil {
		return nil, err
	}
	lc.Upstream, lc.Tree, lc.Files, lc.Bytes = up, h1, len(files), 0
	for _, f := range files {
		lc.Bytes += f.Size
	}
	out := &carried{files: files}
	lc.Patches = nil
	for _, q := range r.queue {
		data, ok := r.done[q.Name]
		rel := path.Join(r.c.Patches, q.Name)
		if !ok {
			out.removes = append(out.removes, rel)
			continue
		}
		pp, err := patch.Parse(q.Name, data)
		if err != nil {
			return nil, err
		}
		lc.Patches = append(lc.Patches, vendorspec.LockedPatch{Name: q.Name, SHA256: pp.SHA256, Files: pp.Paths()})
		if !bytes.Equal(data, q.Data) {
			out.writes = append(out.writes, fileWrite{rel, data})
		}
	}
	return out, nil
}

// save writes the conflict state: the work tree is moved, not copied.
func (r *carryRun) save(pristine []tree.File) error {
	dir := filepath.Join(r.p.Spec.Dir, filepath.FromSlash(conflictDir))
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "done"), 0o755); err != nil {
		return err
	}
	r.state.Done = nil
	for _, q := range r.queue[:r.state.Current] {
		if data, ok := r.done[q.Name]; ok {
			r.state.Done = append(r.state.Done, q.Name)
			if err := os.WriteFile(filepath.Join(dir, "done", q.Name), data, 0o644); err != nil {
				return err
			}
		}
	}
	r.state.Absent = nil
	for p, c := range r.before {
		if c == nil {
			r.state.Absent = append(r.state.Absent, p)
		} else if err := patch.Write(filepath.Join(dir, "before"), p, c); err != nil {
			return err
		}
	}
	slices.Sort(r.state.Absent)
	sum := &vendorspec.Sum{Files: map[string][]tree.File{r.c.Name: pristine}}
	if err := os.WriteFile(filepath.Join(dir, "pristine.sum"), sum.Marshal(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(r.work, filepath.Join(dir, "tree")); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r.state, "", "  ")
	if err != nil {
		return err
	}
	// state.json last: its presence marks a complete conflict state.
	return os.WriteFile(filepath.Join(dir, "state.json"), data, 0o644)
}

func readConflict(root string) (*conflictState, error) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(conflictDir), "state.json"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, usageErr(errors.New("no conflicted update is pending"), "")
		}
		return nil, err
	}
	var st conflictState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%s is corrupt: %w; run rvendor update --abort", conflictDir+"/state.json", err)
	}
	return &st, nil
}

// openConflict locks the workspace and reads the pending conflicted
// update; the caller closes the workspace.
func openConflict(g *globalOptions) (*tree.Workspace, *conflictState, error) {
	specPath, err := g.specPath()
	if err != nil {
		return nil, nil, err
	}
	ws, err := tree.Open(filepath.Dir(specPath))
	if err != nil {
		return nil, nil, err
	}
	st, err := readConflict(ws.Root)
	if err != nil {
		ws.Close()
		return nil, nil, err
	}
	return ws, st, nil
}

func runUpdateAbort(g *globalOptions) error {
	// An update interrupted after it decided (its journal is there) is
	// rolled back to the tree, lock and sum from before it: for when it
	// cannot be finished.
	specPath, err := g.specPath()
	if err != nil {
		return err
	}
	if root := filepath.Dir(specPath); tree.Pending(root) {
		if err := tree.RollBack(root); err != nil {
			return fmt.Errorf("rolling back the interrupted update: %w", err)
		}
		g.say("rolled back the interrupted update: the tree, lock and sum are as they were before it")
		return nil
	}
	ws, st, err := openConflict(g)
	if err != nil {
		return err
	}
	defer ws.Close()
	if err := os.RemoveAll(filepath.Join(ws.Root, filepath.FromSlash(conflictDir))); err != nil {
		return err
	}
	g.say("%s: dropped the conflicted update; the tree, lock and spec are as they were", st.Component)
	return nil
}

func runUpdateContinue(ctx context.Context, g *globalOptions) error {
	ws, st, err := openConflict(g)
	if err != nil {
		return err
	}
	defer ws.Close()
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	specData, err := os.ReadFile(p.Spec.Path)
	if err != nil {
		return err
	}
	if sha256Hex(specData) != st.SpecSHA256 {
		return usageErr(fmt.Errorf("%s changed since the conflicted update began", filepath.Base(p.Spec.Path)), "run rvendor update --abort and start the update again")
	}
	spec := p.Spec
	if st.NewSpec != "" {
		if spec, err = vendorspec.Parse(p.Spec.Path, []byte(st.NewSpec)); err != nil {
			return err
		}
	}
	c := specComponent(spec, st.Component)
	if c == nil {
		return usageErr(fmt.Errorf("component %s is no longer in the spec", st.Component), "run rvendor update --abort")
	}
	cdir := filepath.Join(ws.Root, filepath.FromSlash(conflictDir))
	work := filepath.Join(cdir, "tree")
	queue, err := patch.ReadQueue(filepath.Join(p.Spec.Dir, filepath.FromSlash(c.Patches)))
	if err != nil {
		return err
	}
	if len(queue) != len(st.Queue) || st.Current >= len(queue) {
		return usageErr(fmt.Errorf("the patch queue of %s changed since the conflicted update began", c.Name), "run rvendor update --abort and start again")
	}
	for i, q := range queue {
		if q.Name != st.Queue[i] {
			return usageErr(fmt.Errorf("the patch queue of %s changed since the conflicted update began", c.Name), "run rvendor update --abort and start again")
		}
	}
	cur := queue[st.Current]
	var unresolved []string
	var changes []patch.Change
	for _, path := range cur.Paths() {
		now, err := patch.Read(work, path)
		if err != nil {
			return err
		}
		if now != nil && patch.HasMarkers(now.Data) {
			unresolved = append(unresolved, filepath.ToSlash(filepath.Join(conflictDir, "tree", path)))
		}
		var before *patch.Content
		if !slices.Contains(st.Absent, path) {
			if before, err = patch.Read(filepath.Join(cdir, "before"), path); err != nil {
				return err
			}
		}
		changes = append(changes, patch.Change{Path: path, Old: before, New: now})
	}
	if len(unresolved) > 0 {
		return &exitError{code: exitFailure, err: fmt.Errorf("conflict markers remain in %s", strings.Join(unresolved, ", ")),
			hint: "resolve them (remove the <<<<<<< ||||||| ======= >>>>>>> lines), then run rvendor update --continue"}
	}
	sum, err := vendorspec.ReadSum(filepath.Join(cdir, "pristine.sum"))
	if err != nil {
		return err
	}
	pristine := sum.Files[c.Name]
	// The tree was left alone while the conflict waited; an edit made to
	// it meanwhile would be replaced by the continued update.
	if p.Lock.Component(c.Name) != nil {
		if err := refuseUndeclaredEdits(ctx, g, p, c.Name); err != nil {
			return err
		}
	}
	cache, err := g.cache()
	if err != nil {
		return err
	}
	txn, err := ws.Begin()
	if err != nil {
		return err
	}
	defer txn.Abort()
	run := &carryRun{g: g, p: p, cache: cache, c: c, old: p.Lock.Component(c.Name), queue: queue, work: work,
		oldDir: txn.StagePath("old-" + c.Name), state: st, done: map[string][]byte{}}
	for _, n := range st.Done {
		data, err := os.ReadFile(filepath.Join(cdir, "done", n))
		if err != nil {
			return err
		}
		run.done[n] = data
	}
	data, _, err := patch.Refresh(cur.Data, changes)
	switch {
	case errors.Is(err, patch.ErrEmpty):
		st.Dropped = append(st.Dropped, cur.Name)
		g.say("%s: %s is empty after the resolution: dropped", c.Name, cur.Name)
	case err != nil:
		return err
	default:
		run.done[cur.Name] = data
		g.say("%s: %s resolved and refreshed", c.Name, cur.Name)
	}
	st.Conflicts = nil
	if err := run.from(ctx, st.Current+1); err != nil {
		var ce *conflictError
		if errors.As(err, &ce) {
			// Save the new state in place: the work tree stays where it is.
			tmp := txn.StagePath("tree")
			if err := os.MkdirAll(filepath.Dir(tmp), 0o755); err != nil {
				return err
			}
			if err := os.Rename(work, tmp); err != nil {
				return err
			}
			run.work = tmp
			if serr := run.save(pristine); serr != nil {
				return fmt.Errorf("saving the conflicted update: %w (after: %v)", serr, err)
			}
			return &exitError{code: exitFailure, err: err,
				hint: "edit the files listed, then run rvendor update --continue; or rvendor update --abort to drop this update"}
		}
		return err
	}
	lc := st.Lock
	cr, err := run.finish(ctx, lc, pristine)
	if err != nil {
		return err
	}
	for _, w := range cr.writes {
		if err := txn.WriteFile(w.path, w.data); err != nil {
			return err
		}
	}
	for _, d := range cr.removes {
		if err := txn.Replace(d, ""); err != nil {
			return err
		}
	}
	if st.NewSpec != "" {
		if err := txn.WriteFile(filepath.Base(p.Spec.Path), []byte(st.NewSpec)); err != nil {
			return err
		}
	}
	lock := &vendorspec.Lock{Version: vendorspec.LockVersion, Components: slices.Clone(p.Lock.Components)}
	lock.Set(lc)
	nsum := cloneSum(p.Sum)
	nsum.SetComponent(c.Name, cr.files, pristine)
	if err := stageLockSum(p, txn, lock, nsum); err != nil {
		return err
	}
	if old := p.Lock.Component(c.Name); old != nil && old.Dest != c.Dest {
		if err := txn.Replace(old.Dest, ""); err != nil {
			return err
		}
	}
	if err := checkDest(p.Spec.Dir, c.Dest); err != nil {
		return err
	}
	if err := txn.Replace(c.Dest, work); err != nil {
		return err
	}
	if err := txn.Replace(conflictDir, ""); err != nil {
		return err
	}
	if err := txn.Commit(); err != nil {
		return err
	}
	g.say("%s %s: %d files (%s) into %s, %d patch%s carried", c.Name, lc.Version, lc.Files, humanBytes(lc.Bytes), c.Dest, len(lc.Patches), map[bool]string{true: "", false: "es"}[len(lc.Patches) == 1])
	return nil
}

// refuseUndeclaredEdits fails when the vendored folder of component name
// holds edits that no recorded patch explains: an update would discard
// them. --force skips this check.
func refuseUndeclaredEdits(ctx context.Context, g *globalOptions, p *project, name string) error {
	rep, err := verify.Verify(ctx, verify.Options{Spec: p.Spec, Lock: p.Lock, Sum: p.Sum,
		Components: []string{name}, StatCache: statCachePath(g, p.Spec.Dir)})
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
	list := strings.Join(edits[:min(len(edits), show)], ", ")
	if len(edits) > show {
		list += fmt.Sprintf(" and %d more", len(edits)-show)
	}
	return &exitError{code: exitFailure,
		err:  fmt.Errorf("component %s: the tree has undeclared edits that an update would discard: %s", name, list),
		hint: fmt.Sprintf("see them with rvendor diff %s; keep them with rvendor patch record %s -m \"...\", or discard them with rvendor update --force", name, name)}
}

// movedPathsError explains an update --to that failed because the new
// release lacks paths the spec names (adopt lists single files, which
// upstream may move or remove): it names each path as written in the
// spec with the patches that change it, and says how to go on. It
// returns nil when err is not such a failure.
func movedPathsError(p *project, c *vendorspec.Component, err error) error {
	missing := map[string]bool{}
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case *fetch.SelectionError:
			if x.Field == "paths" {
				missing[x.Value] = true
			}
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	if len(missing) == 0 {
		return nil
	}
	var queue []*patch.Patch
	if c.Patches != "" {
		queue, _ = patch.ReadQueue(filepath.Join(p.Spec.Dir, filepath.FromSlash(c.Patches)))
	}
	var b strings.Builder
	var gone []string
	for _, sp := range c.Paths {
		ap, aerr := rustdist.ArchivePath(c.Kind, c.Version, sp)
		if aerr != nil || !missing[ap] {
			continue
		}
		gone = append(gone, sp)
		fmt.Fprintf(&b, "\n  %s", sp)
		// Patch paths are relative to dest, which mirrors root.
		rel := strings.TrimPrefix(strings.TrimPrefix(sp, c.Root), "/")
		var by []string
		for _, q := range queue {
			for _, qp := range q.Paths() {
				if rel == "" || qp == rel || strings.HasPrefix(qp, rel+"/") {
					by = append(by, q.Name)
					break
				}
			}
		}
		if len(by) > 0 {
			fmt.Fprintf(&b, ": changed by %s", strings.Join(by, ", "))
		}
	}
	if len(gone) == 0 {
		return nil
	}
	return &exitError{code: exitFailure,
		err: fmt.Errorf("component %s: %s %s no longer has %d of the paths rvendor.toml lists (upstream moved or removed them); nothing was changed:%s",
			c.Name, c.Kind, c.Version, len(gone), b.String()),
		hint: fmt.Sprintf("edit rvendor.toml: set version = %q and drop these paths from paths (or name their new places), then run rvendor update %s: the patch queue is carried, and a patch to a file upstream removed is reported as a conflict to resolve",
			c.Version, c.Name)}
}

// refuseOccupiedDest fails when a component that the lock does not know
// yet would replace a folder that already holds files: they would be
// lost. adopt brings such a folder under rvendor; --force replaces it.
func refuseOccupiedDest(root string, c *vendorspec.Component) error {
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(c.Dest)))
	if err != nil || len(entries) == 0 {
		return nil
	}
	return &exitError{code: exitFailure,
		err: fmt.Errorf("component %s: dest %s already holds files that rvendor did not vendor (%s, ...); an update would replace them",
			c.Name, c.Dest, entries[0].Name()),
		hint: fmt.Sprintf("to keep them as maintainer edits, run rvendor adopt %s --component %s --from ...; to replace them, run rvendor update --force %s", c.Dest, c.Name, c.Name)}
}

// renamedFrom returns the locked component that c replaces under a new
// name: one no longer in the spec with the same dest, or nil.
func renamedFrom(p *project, c *vendorspec.Component) *vendorspec.LockedComponent {
	for _, lc := range p.Lock.Components {
		if lc.Dest == c.Dest && specComponent(p.Spec, lc.Name) == nil {
			return lc
		}
	}
	return nil
}
