package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/tree/patch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// AdoptOptions configure Adopt.
type AdoptOptions struct {
	Dir       string   // the hand-vendored folder, absolute
	Component string   // the new component's name
	Kind      string   // rust-src or rustc-src
	Versions  []string // candidate versions: the one with the smallest diff is adopted
	Root      string   // the upstream folder Dir mirrors, e.g. "library"
	Patches   string   // the patch queue folder, relative to the spec's folder
	License   string
	Message   string // the single patch's subject ("" for a default)
	Author    string
	Split     bool // one patch per changed file
}

// Candidate is one upstream version compared with the folder.
type Candidate struct {
	Version string `json:"version"`
	Score   int    `json:"score"` // lines added + deleted
	Files   int    `json:"files"` // upstream files present in the folder
}

// Adopted is what Adopt did.
type Adopted struct {
	Component  string      `json:"component"`
	Version    string      `json:"version"`
	Candidates []Candidate `json:"candidates"`
	Patches    []string    `json:"patches"`
	Dest       string      `json:"-"`
	Files      int         `json:"-"` // upstream files
}

// adoptTry is one candidate version, staged.
type adoptTry struct {
	cand Candidate
	st   *Staged
	c    *vendorspec.Component
	chs  []patch.Change
}

// Adopt brings a hand-vendored folder under rvendor in one transaction:
// it appends a [[component]] to the spec whose paths are the upstream
// files present in the folder, turns every difference into a patch
// queue, and writes the lock and sum so that verify is clean. The
// folder's files are not changed; they are read once (snapshot).
func (e *Engine) Adopt(ctx context.Context, ws *tree.Workspace, o AdoptOptions) (*Adopted, error) {
	p := e.Project
	if err := RefuseConflict(ws.Root); err != nil {
		return nil, err
	}
	if p.Component(o.Component) != nil || p.Lock.Component(o.Component) != nil {
		return nil, unusablef("choose another --component name", "component %s already exists", o.Component)
	}
	rel, err := filepath.Rel(p.Spec.Dir, o.Dir)
	if err != nil || !filepath.IsLocal(rel) {
		return nil, unusablef("", "%s is not inside the tree of %s", o.Dir, p.Spec.Path)
	}
	dest := filepath.ToSlash(rel)
	abs, err := ws.Path(dest)
	if err != nil {
		return nil, unusable(err, "")
	}
	if !dirExists(abs) {
		return nil, unusablef("", "%s is not a folder", o.Dir)
	}
	txn, err := ws.Begin()
	if err != nil {
		return nil, err
	}
	defer txn.Abort()
	snap, err := txn.NewPath("snapshot")
	if err != nil {
		return nil, err
	}
	have, err := snapshot(ctx, abs, snap, dest)
	if err != nil {
		return nil, err
	}
	haveSet := map[string]bool{}
	for _, f := range have {
		haveSet[f.Path] = true
	}
	out := &Adopted{Component: o.Component, Dest: dest, Patches: []string{}}
	var best *adoptTry
	for _, v := range o.Versions {
		t, err := e.adoptTry(ctx, txn, o, dest, v, haveSet, snap)
		if err != nil {
			return nil, err
		}
		out.Candidates = append(out.Candidates, t.cand)
		if len(o.Versions) > 1 {
			e.say(fmt.Sprintf("%s@%s: %d upstream files present, %d lines differ", o.Kind, v, t.cand.Files, t.cand.Score))
		}
		if best == nil || t.cand.Score < best.cand.Score {
			best = t
		}
	}
	if best == nil {
		return nil, unusablef("", "adopt needs a version")
	}
	if len(o.Versions) > 1 {
		e.say(fmt.Sprintf("picked %s@%s (smallest diff)", o.Kind, best.cand.Version))
	}
	queue, err := e.adoptQueue(txn, o, best)
	if err != nil {
		return nil, err
	}
	// Check: pristine plus the queue is the folder, byte for byte.
	if err := applyQueue(queue, best.st.Dir, "the pristine files"); err != nil {
		return nil, fmt.Errorf("the adopted queue does not reproduce %s (a bug): %w", o.Dir, err)
	}
	if left, _, err := scanChanges(ctx, best.st.Dir, snap); err != nil || len(left) > 0 {
		return nil, fmt.Errorf("the adopted queue does not reproduce %s (a bug): %v %v", o.Dir, left, err)
	}
	lc := best.st.Lock
	for _, q := range queue {
		lc.Patches = append(lc.Patches, vendorspec.LockedPatch{Name: q.Name, SHA256: q.SHA256, Files: q.Paths()})
		out.Patches = append(out.Patches, q.Name)
	}
	sc, err := e.appendComponent(txn, best.c)
	if err != nil {
		return nil, err
	}
	if stale := sc.Stale(lc); len(stale) > 0 {
		return nil, fmt.Errorf("the spec entry adopt writes does not match its lock entry (a bug): %s", stale[0])
	}
	if err := e.stageState(txn, lc, have, best.st.Files); err != nil {
		return nil, err
	}
	if err := commitTxn(ws, txn); err != nil {
		return nil, err
	}
	out.Version, out.Files = best.cand.Version, len(best.st.Files)
	return out, nil
}

// adoptTry stages the upstream files of version v that are present in
// the folder (snapshot snap) and compares them with it.
func (e *Engine) adoptTry(ctx context.Context, s scratch, o AdoptOptions, dest, v string, have map[string]bool, snap string) (*adoptTry, error) {
	c := &vendorspec.Component{Name: o.Component, Kind: o.Kind, Version: v, Root: o.Root, Paths: []string{o.Root},
		Dest: dest, License: o.License, Patches: o.Patches}
	whole, err := e.stage(ctx, s, c)
	if err != nil {
		return nil, fmt.Errorf("%s@%s: %w", o.Kind, v, err)
	}
	os.RemoveAll(whole.Dir)
	var subset []string
	for _, f := range whole.Files {
		if have[f.Path] {
			subset = append(subset, path.Join(o.Root, f.Path))
		}
	}
	if len(subset) == 0 {
		return nil, failed(fmt.Errorf("no file of %s matches a file of %s@%s %s", o.Dir, o.Kind, v, o.Root), "check --path")
	}
	if len(subset) < len(whole.Files) {
		c.Paths = subset
	}
	st, err := e.stage(ctx, s, c)
	if err != nil {
		return nil, fmt.Errorf("%s@%s: %w", o.Kind, v, err)
	}
	st.Lock.Patches = nil
	chs, _, err := scanChanges(ctx, st.Dir, snap)
	if err != nil {
		return nil, err
	}
	_, stats, err := patch.Diff(chs)
	if err != nil {
		return nil, err
	}
	t := &adoptTry{cand: Candidate{Version: v, Files: len(st.Files)}, st: st, c: c, chs: chs}
	for _, s := range stats {
		t.cand.Score += s.Added + s.Deleted
	}
	return t, nil
}

// adoptQueue turns the differences of best into the patch queue and
// stages its files.
func (e *Engine) adoptQueue(txn *tree.Txn, o AdoptOptions, best *adoptTry) ([]*patch.Patch, error) {
	subject := o.Message
	if subject == "" {
		subject = fmt.Sprintf("%s: local changes to upstream %s", o.Component, best.cand.Version)
	}
	groups := [][]patch.Change{best.chs}
	if o.Split {
		groups = nil
		for _, ch := range best.chs {
			groups = append(groups, []patch.Change{ch})
		}
	}
	var queue []*patch.Patch
	for _, grp := range groups {
		if len(grp) == 0 {
			continue
		}
		h := patch.Header{Author: o.Author, Subject: subject}
		if o.Split {
			h.Subject = fmt.Sprintf("%s: %s", o.Component, grp[0].Path)
		}
		data, _, err := patch.Format(h, grp)
		if errors.Is(err, patch.ErrEmpty) {
			continue
		}
		if err != nil {
			return nil, err
		}
		name := patch.NextName(queue, h.Subject)
		q, err := patch.Parse(name, data)
		if err != nil {
			return nil, err
		}
		queue = append(queue, q)
		if err := txn.WriteFile(path.Join(o.Patches, name), data); err != nil {
			return nil, err
		}
	}
	return queue, nil
}

// appendComponent stages the spec with a [[component]] table for c
// appended (the existing bytes kept), through vendorspec's edit API, and
// returns the component as the new spec reads back.
func (e *Engine) appendComponent(txn *tree.Txn, c *vendorspec.Component) (*vendorspec.Component, error) {
	p := e.Project
	data, err := os.ReadFile(p.Spec.Path)
	if err != nil {
		return nil, err
	}
	f, err := vendorspec.ParseEditable(p.Spec.Path, data)
	if err != nil {
		return nil, err
	}
	if err := f.AddComponent(c, "Adopted by rvendor adopt: the differences from upstream are the patch queue."); err != nil {
		return nil, fmt.Errorf("the spec entry adopt writes does not validate: %w", err)
	}
	if err := txn.WriteFile(filepath.Base(p.Spec.Path), f.Bytes()); err != nil {
		return nil, err
	}
	for _, sc := range f.Spec.Components {
		if sc.Name == c.Name {
			return sc, nil
		}
	}
	return nil, fmt.Errorf("the spec adopt writes lacks component %s (a bug)", c.Name)
}
