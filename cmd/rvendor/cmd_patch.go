package main

import (
	"bytes"
	"context"
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

func newPatchCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "patch",
		Short: "Keep maintainer edits of vendored files as a patch queue",
		Long: `A component's patch queue is the folder named by "patches" in its
[[component]]: git format-patch files applied in name order to the pristine
upstream files. rvendor.lock records each patch's sha256 and the files it
touches, and rvendor.sum the pristine version of every patched file, so
verify tells upstream files, patched files and undeclared edits apart
offline.

  rvendor patch record COMPONENT -m SUBJECT   turn undeclared edits into the next patch
  rvendor patch list [COMPONENT]              show the queue
  rvendor patch drop COMPONENT N              remove patch N and restore its files

EXIT STATUS
  0  success
  1  the operation failed; nothing was changed
  2  bad usage, or a spec, lock or sum that cannot be used`,
	}
	cmd.AddCommand(newPatchRecordCommand(g), newPatchListCommand(g), newPatchDropCommand(g))
	return cmd
}

type patchRecordOptions struct {
	Message string
	Author  string
	Date    string
}

func newPatchRecordCommand(g *globalOptions) *cobra.Command {
	var o patchRecordOptions
	cmd := &cobra.Command{
		Use:   "record COMPONENT -m SUBJECT",
		Short: "Turn the undeclared edits of a component into the next patch of its queue",
		Long: `Record compares the component's dest with pristine upstream plus its
patch queue (the pristine files come from rvendor's download cache) and
writes the difference, exactly what "rvendor diff COMPONENT" shows, as the
next patch of the queue: NNNN-<subject>.patch, git format-patch compatible
(git am and git apply take it). The patch is deterministic: its Date is
fixed unless --date is given. Then rvendor.lock and rvendor.sum record it
and verify is clean. The tree's files are not changed.

EXIT STATUS
  0  the patch was recorded
  1  nothing to record, or the operation failed; nothing was changed
  2  bad usage, or a spec, lock or sum that cannot be used`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPatchRecord(cmd.Context(), g, &o, args[0])
		},
	}
	cmd.Flags().StringVarP(&o.Message, "message", "m", "", "the patch's `SUBJECT` (required); further lines become its body")
	cmd.Flags().StringVar(&o.Author, "author", "", "the patch's author, \"Name <mail>\" (default: rvendor <rvendor@localhost>)")
	cmd.Flags().StringVar(&o.Date, "date", "", "the patch's Date header, RFC 2822 (default: fixed, for deterministic output)")
	return cmd
}

// patchable returns the component name of p's spec and its lock entry,
// refusing components that have no patch queue or are not current.
func patchable(p *project, name string) (*vendorspec.Component, *vendorspec.LockedComponent, error) {
	c := specComponent(p.Spec, name)
	if c == nil {
		return nil, nil, usageErr(fmt.Errorf("no component %q in %s", name, p.Spec.Path), "see the [[component]] names in the spec")
	}
	if c.Kind == vendorspec.KindCrate {
		return nil, nil, usageErr(fmt.Errorf("component %s: patch queues are supported for rust-src, rustc-src and archive components", name), "")
	}
	lc := p.Lock.Component(name)
	if lc == nil {
		return nil, nil, usageErr(fmt.Errorf("component %s is not vendored yet", name), "run rvendor update "+name)
	}
	if stale := c.Stale(lc); len(stale) > 0 {
		return nil, nil, usageErr(fmt.Errorf("component %s: the spec changed since the last update (%s)", name, stale[0]), "run rvendor update "+name+" first")
	}
	return c, lc, nil
}

// queueDir returns the absolute patch queue folder of c, or a usage error
// when the spec names none.
func queueDir(p *project, c *vendorspec.Component) (string, error) {
	if c.Patches == "" {
		pos := c.Pos.At("")
		return "", usageErr(fmt.Errorf("%s: component %s has no patch queue", pos, c.Name),
			fmt.Sprintf("add patches = \"rust/vendor/patches/%s\" (a folder for its patch files) to the component in %s", c.Name, filepath.Base(p.Spec.Path)))
	}
	return filepath.Join(p.Spec.Dir, filepath.FromSlash(c.Patches)), nil
}

// pristineArchive returns the cached archive of lc, downloading it only
// when allowFetch is set and the kind has a fetchable URL.
func pristineArchive(ctx context.Context, cache *fetch.Cache, lc *vendorspec.LockedComponent, allowFetch bool) (string, error) {
	if file, ok := cache.Lookup(lc.SHA256); ok {
		return file, nil
	}
	if allowFetch && lc.Kind == vendorspec.KindArchive {
		return cache.Fetch(ctx, lc.URL, lc.SHA256)
	}
	return "", &exitError{code: exitFailure,
		err:  fmt.Errorf("the pristine sources of %s %s (sha256 %s) are not in rvendor's download cache", lc.Name, lc.Version, lc.SHA256),
		hint: fmt.Sprintf("run rvendor fetch %s (it downloads the archive of the version rvendor.toml names; verify never needs it)", lc.Name)}
}

// extractPristine writes the pristine upstream files of the locked
// component lc into dir (which must not exist) from the download cache,
// and returns them.
func extractPristine(ctx context.Context, cache *fetch.Cache, lc *vendorspec.LockedComponent, dir string, allowFetch bool) ([]tree.File, error) {
	file, err := pristineArchive(ctx, cache, lc, allowFetch)
	if err != nil {
		return nil, err
	}
	format, err := fetch.FormatOf(lc.URL)
	if err != nil {
		return nil, err
	}
	sel := fetch.Selection{Root: lc.Root, Paths: lc.Paths, Exclude: lc.Exclude, Archive: path.Base(lc.URL)}
	switch lc.Kind {
	case vendorspec.KindArchive:
	case vendorspec.KindRustSrc, vendorspec.KindRustcSrc:
		if sel.Root, err = rustdist.ArchivePath(lc.Kind, lc.Version, lc.Root); err != nil {
			return nil, err
		}
		sel.Paths = nil
		for _, q := range append(slices.Clone(lc.Paths), lc.Added...) {
			a, err := rustdist.ArchivePath(lc.Kind, lc.Version, q)
			if err != nil {
				return nil, err
			}
			sel.Paths = append(sel.Paths, a)
		}
		sel.Exclude = nil
		for _, x := range lc.Exclude {
			if strings.Contains(x, "/") {
				if x, err = rustdist.ArchivePath(lc.Kind, lc.Version, x); err != nil {
					return nil, err
				}
			}
			sel.Exclude = append(sel.Exclude, x)
		}
	default:
		return nil, fmt.Errorf("component %s: patch queues are supported for rust-src, rustc-src and archive components", lc.Name)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := fetch.Extract(ctx, f, format, dir, sel, fetch.Limits{})
	if err != nil {
		return nil, fmt.Errorf("extracting the pristine sources of %s: %w", lc.Name, err)
	}
	if h1, err := tree.H1(r.Files); err != nil || h1 != lc.Upstream {
		return nil, fmt.Errorf("the pristine sources of %s hash to %s, rvendor.lock records upstream %s: the lock does not match its archive; run rvendor update --force %s", lc.Name, h1, lc.Upstream, lc.Name)
	}
	return r.Files, nil
}

// applyQueue applies queue exactly to the tree at dir, in order.
func applyQueue(queue []*patch.Patch, dir, what string) error {
	for _, q := range queue {
		if err := patch.ApplyDir(q, dir); err != nil {
			return fmt.Errorf("%w; it no longer applies to %s: fix or drop it (rvendor patch drop)", err, what)
		}
	}
	return nil
}

// treeChanges compares the trees at from and to and returns every file
// that differs, with both contents.
func treeChanges(ctx context.Context, from, to string) ([]patch.Change, error) {
	a, _, err := tree.Scan(ctx, from, 0)
	if err != nil {
		return nil, err
	}
	b, irr, err := tree.Scan(ctx, to, 0)
	if err != nil {
		return nil, err
	}
	if len(irr) > 0 {
		return nil, fmt.Errorf("%s is a %s, not a regular file: patches carry regular files only; remove it", filepath.Join(to, irr[0].Path), irr[0].TypeString())
	}
	return filesChanges(from, to, a, b)
}

func filesChanges(from, to string, a, b []tree.File) ([]patch.Change, error) {
	am := map[string]tree.File{}
	for _, f := range a {
		am[f.Path] = f
	}
	var paths []string
	for _, f := range b {
		if old, ok := am[f.Path]; !ok || old.SHA256 != f.SHA256 || old.Mode.Perm() != f.Mode.Perm() {
			paths = append(paths, f.Path)
		}
		delete(am, f.Path)
	}
	for p := range am {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var out []patch.Change
	for _, p := range paths {
		oc, err := patch.Read(from, p)
		if err != nil {
			return nil, err
		}
		nc, err := patch.Read(to, p)
		if err != nil {
			return nil, err
		}
		out = append(out, patch.Change{Path: p, Old: oc, New: nc})
	}
	return out, nil
}

// expected is pristine upstream plus the recorded queue, in a folder.
type expected struct {
	Dir      string
	Pristine []tree.File
	Queue    []*patch.Patch
}

// buildExpected extracts the pristine files of lc into dir and, unless
// pristineOnly, applies c's patch queue.
func buildExpected(ctx context.Context, g *globalOptions, p *project, c *vendorspec.Component, lc *vendorspec.LockedComponent, dir string, pristineOnly bool) (*expected, error) {
	cache, err := g.cache()
	if err != nil {
		return nil, err
	}
	files, err := extractPristine(ctx, cache, lc, dir, false)
	if err != nil {
		return nil, err
	}
	e := &expected{Dir: dir, Pristine: files}
	if c.Patches != "" {
		if e.Queue, err = patch.ReadQueue(filepath.Join(p.Spec.Dir, filepath.FromSlash(c.Patches))); err != nil {
			return nil, err
		}
	}
	if !pristineOnly {
		if err := applyQueue(e.Queue, dir, "pristine "+lc.Name+" "+lc.Version); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// refuseConflict refuses to work while a conflicted update is pending.
func refuseConflict(root string) error {
	if conflictPending(root) {
		return usageErr(fmt.Errorf("a conflicted rvendor update is pending in %s", filepath.Join(root, conflictDir)),
			"resolve it and run rvendor update --continue, or drop it with rvendor update --abort")
	}
	return nil
}

func runPatchRecord(ctx context.Context, g *globalOptions, o *patchRecordOptions, name string) error {
	subject, body, _ := strings.Cut(strings.TrimSpace(o.Message), "\n")
	if strings.TrimSpace(subject) == "" {
		return usageErr(errors.New("patch record needs a subject"), "pass -m \"what the change does\"")
	}
	ws, p, err := openWorkspace(g)
	if err != nil {
		return err
	}
	defer ws.Close()
	c, lc, err := patchable(p, name)
	if err != nil {
		return err
	}
	qdir, err := queueDir(p, c)
	if err != nil {
		return err
	}
	if stale, err := verify.QueueChanges(p.Spec.Dir, c, lc); err != nil {
		return err
	} else if len(stale) > 0 {
		return usageErr(fmt.Errorf("component %s: %s", name, stale[0]), "run rvendor update "+name+" to apply the queue first")
	}
	txn, err := ws.Begin()
	if err != nil {
		return err
	}
	defer txn.Abort()
	exp, changes, err := undeclaredChanges(ctx, g, p, c, lc, txn)
	if err != nil {
		return err
	}
	if len(changes) == 0 {
		return &exitError{code: exitFailure, err: fmt.Errorf("component %s has no undeclared edits to record", name), hint: "edit files in " + c.Dest + " first; rvendor diff " + name + " shows what would be recorded"}
	}
	pname := patch.NextName(exp.Queue, subject)
	data, stats, err := patch.Format(patch.Header{Author: o.Author, Date: o.Date, Subject: subject, Body: body}, changes)
	if err != nil {
		return err
	}
	rec, err := patch.Parse(pname, data)
	if err != nil {
		return fmt.Errorf("the recorded patch does not parse back (a bug): %w", err)
	}
	destFiles, _, err := tree.Scan(ctx, filepath.Join(p.Spec.Dir, filepath.FromSlash(c.Dest)), 0)
	if err != nil {
		return err
	}
	nlc := *lc
	nlc.Patches = append(slices.Clone(lc.Patches), vendorspec.LockedPatch{Name: pname, SHA256: rec.SHA256, Files: rec.Paths()})
	if err := writeComponentState(p, txn, &nlc, destFiles, exp.Pristine); err != nil {
		return err
	}
	if err := txn.WriteFile(path.Join(relSlash(p.Spec.Dir, qdir), pname), data); err != nil {
		return err
	}
	if err := txn.Commit(); err != nil {
		return err
	}
	g.say("%s: recorded %s (%s)", name, filepath.ToSlash(filepath.Join(c.Patches, pname)), statLine(stats))
	if g.JSON {
		return writeJSON(g, patchInfo{Name: pname, Subject: subject, SHA256: rec.SHA256, Files: stats})
	}
	return nil
}

// writeComponentState stages the lock and sum with lc's tree set to files
// (and its pristine view to pristine).
func writeComponentState(p *project, txn *tree.Txn, lc *vendorspec.LockedComponent, files, pristine []tree.File) error {
	h1, err := tree.H1(files)
	if err != nil {
		return err
	}
	lc.Tree, lc.Files, lc.Bytes = h1, len(files), 0
	for _, f := range files {
		lc.Bytes += f.Size
	}
	lock := &vendorspec.Lock{Version: vendorspec.LockVersion, Components: slices.Clone(p.Lock.Components)}
	lock.Set(lc)
	sum := cloneSum(p.Sum)
	sum.SetComponent(lc.Name, files, pristine)
	return stageLockSum(p, txn, lock, sum)
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

// stageLockSum stages lock and sum where their bytes change.
func stageLockSum(p *project, txn *tree.Txn, lock *vendorspec.Lock, sum *vendorspec.Sum) error {
	lockBytes, err := lock.Marshal()
	if err != nil {
		return err
	}
	if old, _ := os.ReadFile(p.LockPath); !bytes.Equal(old, lockBytes) {
		if err := txn.WriteFile(vendorspec.LockName, lockBytes); err != nil {
			return err
		}
	}
	sumBytes := sum.Marshal()
	if old, _ := os.ReadFile(p.SumPath); !bytes.Equal(old, sumBytes) {
		if err := txn.WriteFile(vendorspec.SumName, sumBytes); err != nil {
			return err
		}
	}
	return nil
}

// relSlash returns p relative to root, slash-separated.
func relSlash(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(rel)
}

// openWorkspace locks the workspace, refuses a pending conflict, and
// loads the project under the lock.
func openWorkspace(g *globalOptions) (*tree.Workspace, *project, error) {
	specPath, err := g.specPath()
	if err != nil {
		return nil, nil, err
	}
	if _, err := vendorspec.Load(specPath); err != nil {
		return nil, nil, err
	}
	ws, err := tree.Open(filepath.Dir(specPath))
	if err != nil {
		return nil, nil, err
	}
	for _, r := range ws.Recovered {
		g.say("rvendor: %s", r)
	}
	if err := refuseConflict(ws.Root); err != nil {
		ws.Close()
		return nil, nil, err
	}
	p, err := g.loadProject()
	if err != nil {
		ws.Close()
		return nil, nil, err
	}
	return ws, p, nil
}

func statLine(stats []patch.Stat) string {
	var add, del int
	for _, s := range stats {
		add += s.Added
		del += s.Deleted
	}
	return fmt.Sprintf("%d file%s, +%d -%d", len(stats), plural(len(stats)), add, del)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// patchInfo is one patch in --json output.
type patchInfo struct {
	Name    string       `json:"name"`
	Subject string       `json:"subject"`
	SHA256  string       `json:"sha256"`
	State   string       `json:"state,omitempty"` // "applied", "edited", "missing", "new"
	Files   []patch.Stat `json:"files"`
}

// patchList is the --json output of patch list.
type patchList struct {
	Components []patchQueue `json:"components"`
}

type patchQueue struct {
	Name    string      `json:"name"`
	Folder  string      `json:"folder"`
	Patches []patchInfo `json:"patches"`
}

func newPatchListCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "list [COMPONENT...]",
		Short: "Show the patch queues with the files each patch touches and its line counts",
		Long: `List shows each component's patch queue in order: the patch file, its
subject, its state against rvendor.lock (applied; edited by hand since the
last update; new, not applied yet; or missing), and per file the lines
added and deleted. --json prints {"components":[{"name","folder",
"patches":[{"name","subject","sha256","state","files":[{"path","added",
"deleted","status"}]}]}]}.

EXIT STATUS
  0  success
  2  bad usage, or a spec, lock or patch file that cannot be used`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPatchList(g, args)
		},
	}
}

func runPatchList(g *globalOptions, args []string) error {
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	comps, err := selectComponents(p.Spec, args)
	if err != nil {
		return err
	}
	var out patchList
	out.Components = []patchQueue{}
	for _, c := range comps {
		if c.Patches == "" {
			continue
		}
		queue, err := patch.ReadQueue(filepath.Join(p.Spec.Dir, filepath.FromSlash(c.Patches)))
		if err != nil {
			return usageErr(err, "fix or remove the patch file")
		}
		pq := patchQueue{Name: c.Name, Folder: c.Patches, Patches: []patchInfo{}}
		locked := map[string]string{}
		if lc := p.Lock.Component(c.Name); lc != nil {
			for _, lp := range lc.Patches {
				locked[lp.Name] = lp.SHA256
			}
		}
		for _, q := range queue {
			state := "applied"
			switch h, ok := locked[q.Name]; {
			case !ok:
				state = "new"
			case h != q.SHA256:
				state = "edited"
			}
			delete(locked, q.Name)
			pq.Patches = append(pq.Patches, patchInfo{Name: q.Name, Subject: q.Title, SHA256: q.SHA256, State: state, Files: q.Stats()})
		}
		for n := range locked {
			pq.Patches = append(pq.Patches, patchInfo{Name: n, State: "missing", Files: []patch.Stat{}})
		}
		out.Components = append(out.Components, pq)
	}
	if g.JSON {
		return writeJSON(g, out)
	}
	for _, pq := range out.Components {
		fmt.Fprintf(g.stdout, "%s (%s): %d patch%s\n", pq.Name, pq.Folder, len(pq.Patches), map[bool]string{true: "", false: "es"}[len(pq.Patches) == 1])
		for i, pi := range pq.Patches {
			fmt.Fprintf(g.stdout, "  %d  %s  [%s]  %s\n", i+1, pi.Name, pi.State, pi.Subject)
			for _, f := range pi.Files {
				fmt.Fprintf(g.stdout, "       %-8s %s +%d -%d\n", f.Status, f.Path, f.Added, f.Deleted)
			}
		}
	}
	return nil
}

func newPatchDropCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "drop COMPONENT N",
		Short: "Remove patch N from the queue and restore its files",
		Long: `Drop removes one patch from the component's queue and rebuilds dest as
pristine upstream plus the remaining patches, so the files the patch touched
are restored. It refuses while dest has undeclared edits (record or discard
them first) and when a later patch no longer applies without the dropped
one. Everything changes in one transaction.

N is the patch's position as rvendor patch list shows it ("2"), its
four-digit number ("0003") or its file name ("0003-add-try_push.patch").

EXIT STATUS
  0  the patch was dropped
  1  the operation failed; nothing was changed
  2  bad usage, or a spec, lock or sum that cannot be used`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPatchDrop(cmd.Context(), g, args[0], args[1])
		},
	}
}

func runPatchDrop(ctx context.Context, g *globalOptions, name, which string) error {
	ws, p, err := openWorkspace(g)
	if err != nil {
		return err
	}
	defer ws.Close()
	c, lc, err := patchable(p, name)
	if err != nil {
		return err
	}
	qdir, err := queueDir(p, c)
	if err != nil {
		return err
	}
	txn, err := ws.Begin()
	if err != nil {
		return err
	}
	defer txn.Abort()
	exp, changes, err := undeclaredChanges(ctx, g, p, c, lc, txn)
	if err != nil {
		return err
	}
	if len(changes) > 0 {
		return &exitError{code: exitFailure, err: fmt.Errorf("component %s has undeclared edits (%s, …)", name, changes[0].Path),
			hint: "record them with rvendor patch record " + name + " -m SUBJECT, or discard them, before dropping a patch"}
	}
	// WHICH is the patch's file name, its four-digit number ("0003"), or
	// its position as rvendor patch list shows it ("2"): one meaning
	// each, so that a gap in the numbering cannot drop the wrong patch.
	idx := -1
	for i, q := range exp.Queue {
		switch {
		case q.Name == which,
			len(which) == 4 && strings.Trim(which, "0123456789") == "" && strings.HasPrefix(q.Name, which+"-"),
			len(which) < 4 && fmt.Sprint(i+1) == which:
			idx = i
		}
		if idx >= 0 {
			break
		}
	}
	if idx < 0 {
		return usageErr(fmt.Errorf("component %s has no patch %q", name, which), "see rvendor patch list "+name)
	}
	dropped := exp.Queue[idx]
	rest := slices.Delete(slices.Clone(exp.Queue), idx, idx+1)
	fresh := txn.StagePath("tree")
	if _, err := extractPristine(ctx, mustCache(g), lc, fresh, false); err != nil {
		return err
	}
	if err := applyQueue(rest, fresh, "pristine upstream without "+dropped.Name); err != nil {
		return &exitError{code: exitFailure, err: err, hint: "drop the patches that depend on " + dropped.Name + " first"}
	}
	files, _, err := tree.Scan(ctx, fresh, 0)
	if err != nil {
		return err
	}
	nlc := *lc
	nlc.Patches = nil
	for _, q := range rest {
		nlc.Patches = append(nlc.Patches, vendorspec.LockedPatch{Name: q.Name, SHA256: q.SHA256, Files: q.Paths()})
	}
	if err := writeComponentState(p, txn, &nlc, files, exp.Pristine); err != nil {
		return err
	}
	if err := txn.Replace(path.Join(relSlash(p.Spec.Dir, qdir), dropped.Name), ""); err != nil {
		return err
	}
	if err := txn.Replace(c.Dest, fresh); err != nil {
		return err
	}
	if err := txn.Commit(); err != nil {
		return err
	}
	g.say("%s: dropped %s; restored %s", name, dropped.Name, strings.Join(dropped.Paths(), ", "))
	return nil
}

func mustCache(g *globalOptions) *fetch.Cache {
	c, err := g.cache()
	if err != nil {
		return &fetch.Cache{}
	}
	return c
}

// undeclaredChanges rebuilds pristine upstream plus the queue into txn's
// staging folder and compares it with dest: the result lists the
// undeclared edits.
func undeclaredChanges(ctx context.Context, g *globalOptions, p *project, c *vendorspec.Component, lc *vendorspec.LockedComponent, txn *tree.Txn) (*expected, []patch.Change, error) {
	exp, err := buildExpected(ctx, g, p, c, lc, txn.StagePath("expected"), false)
	if err != nil {
		return nil, nil, err
	}
	changes, err := treeChanges(ctx, exp.Dir, filepath.Join(p.Spec.Dir, filepath.FromSlash(c.Dest)))
	if err != nil {
		return nil, nil, err
	}
	return exp, changes, nil
}
