package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/verify"
)

// fixture is a small tree with archive components served from file://
// URLs: the engine's tests work on it in memory-sized folders.
type fixture struct {
	t      *testing.T
	root   string // the tree: rvendor.toml, lock, sum, dests
	dir    string // archives
	cache  string
	events []Event
	hook   func(string)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	base := t.TempDir()
	f := &fixture{t: t, root: filepath.Join(base, "tree"), dir: filepath.Join(base, "archives"), cache: filepath.Join(base, "cache")}
	for _, d := range []string{f.root, f.dir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// archive writes name.tar.gz holding files below the top folder "src/"
// and returns its file:// URL and sha256.
func (f *fixture) archive(name string, files map[string]string) (string, string) {
	f.t.Helper()
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var entries []archivetest.Entry
	for _, n := range names {
		entries = append(entries, archivetest.Entry{Name: "pkg/" + n, Body: []byte(files[n])})
	}
	var buf bytes.Buffer
	if err := archivetest.Build(&buf, fetch.FormatGzip, entries); err != nil {
		f.t.Fatal(err)
	}
	p := filepath.Join(f.dir, name+".tar.gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		f.t.Fatal(err)
	}
	return "file://" + p, archivetest.SHA256(buf.Bytes())
}

// comp is one archive component of a spec.
type comp struct {
	name, version, dest, patches string
	files                        map[string]string
	extra                        string // more keys of the component, e.g. spdx-header
}

// spec writes rvendor.toml for comps, building their archives.
func (f *fixture) spec(comps ...comp) {
	f.t.Helper()
	var b strings.Builder
	b.WriteString("version = 1\n")
	for _, c := range comps {
		u, sum := f.archive(c.name+"-"+c.version, c.files)
		fmt.Fprintf(&b, "\n[[component]]\nname = %q\nkind = \"archive\"\nversion = %q\nurl = %q\nsha256 = %q\npaths = [\"pkg\"]\ndest = %q\nlicense = \"MIT\"\n",
			c.name, c.version, u, sum, c.dest)
		if c.patches != "" {
			fmt.Fprintf(&b, "patches = %q\n", c.patches)
		}
		b.WriteString(c.extra)
	}
	f.write("rvendor.toml", b.String())
}

func (f *fixture) write(rel, data string) {
	f.t.Helper()
	p := filepath.Join(f.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) read(rel string) string {
	f.t.Helper()
	data, err := os.ReadFile(filepath.Join(f.root, filepath.FromSlash(rel)))
	if err != nil {
		f.t.Fatal(err)
	}
	return string(data)
}

// engine loads the project and returns an engine on it.
func (f *fixture) engine() *Engine {
	f.t.Helper()
	p, err := Load(filepath.Join(f.root, "rvendor.toml"), "")
	if err != nil {
		f.t.Fatal(err)
	}
	f.events = nil
	return &Engine{Project: p, Cache: &fetch.Cache{Dir: f.cache}, hook: f.hook,
		Events: func(ev Event) { f.events = append(f.events, ev) }}
}

// said reports whether an Info or Warning event's text contains s.
func (f *fixture) said(s string) bool {
	for _, ev := range f.events {
		if (ev.Kind == Info || ev.Kind == Warning) && strings.Contains(ev.Text, s) {
			return true
		}
	}
	return false
}

// with opens the workspace, runs op and closes it.
func (f *fixture) with(op func(*Engine, *tree.Workspace) error) error {
	f.t.Helper()
	e := f.engine()
	ws, err := tree.Open(f.root)
	if err != nil {
		f.t.Fatal(err)
	}
	defer ws.Close()
	return op(e, ws)
}

func (f *fixture) update(o UpdateOptions) (*Result, error) {
	var res *Result
	err := f.with(func(e *Engine, ws *tree.Workspace) error {
		var err error
		res, err = e.Update(context.Background(), ws, o)
		return err
	})
	return res, err
}

// continueUpdate runs Continue on the pending conflicted update.
func (f *fixture) continueUpdate() (*Result, error) {
	var res *Result
	err := f.with(func(e *Engine, ws *tree.Workspace) error {
		var err error
		res, err = e.Continue(context.Background(), ws)
		return err
	})
	return res, err
}

func (f *fixture) mustUpdate(o UpdateOptions) *Result {
	f.t.Helper()
	res, err := f.update(o)
	if err != nil {
		f.t.Fatalf("update: %v", err)
	}
	return res
}

// record records the undeclared edits of name as a patch.
func (f *fixture) record(name, subject string) (*Recorded, error) {
	var rec *Recorded
	err := f.with(func(e *Engine, ws *tree.Workspace) error {
		var err error
		rec, err = e.Record(context.Background(), ws, name, RecordOptions{Subject: subject})
		return err
	})
	return rec, err
}

// verify runs the offline check and fails the test unless the tree is
// clean.
func (f *fixture) verifyClean() {
	f.t.Helper()
	rep := f.verify()
	if rep.ExitCode() != 0 {
		f.t.Fatalf("verify is not clean: %+v", rep.Components)
	}
}

func (f *fixture) verify() *verify.Report {
	f.t.Helper()
	e := f.engine()
	rep, err := verify.Verify(context.Background(), verify.Options{Spec: e.Project.Spec, Lock: e.Project.Lock, Sum: e.Project.Sum})
	if err != nil {
		f.t.Fatal(err)
	}
	return rep
}

// snapshot returns every file below the tree (rvendor's state folder
// excepted) with its content, for "nothing changed" checks.
func (f *fixture) snapshot() map[string]string {
	f.t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(f.root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(f.root, p)
		if d.IsDir() && rel == tree.StateDir {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[filepath.ToSlash(rel)] = string(data)
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, before, after map[string]string) {
	t.Helper()
	for p, c := range before {
		if a, ok := after[p]; !ok {
			t.Errorf("%s was removed", p)
		} else if a != c {
			t.Errorf("%s changed", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s was added", p)
		}
	}
}
