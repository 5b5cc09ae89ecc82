package verify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
	"github.com/rvendor/rvendor/verify"
)

// env is a spec folder with vendored components, and the spec, lock and
// sum an update would have written for it.
type env struct {
	dir  string
	spec *vendorspec.Spec
	lock *vendorspec.Lock
	sum  *vendorspec.Sum
}

var fixture = map[string]map[string]string{
	"lib": {
		"core/src/lib.rs":         "//! core\npub mod num;\n",
		"core/src/num.rs":         "pub fn one() -> u8 { 1 }\n",
		"alloc/src/lib.rs":        "//! alloc\n",
		"alloc/build.sh*":         "#!/bin/sh\n",
		"stdarch/crates/x/mod.rs": "// arch\n",
	},
	"other": {
		"README": "other component\n",
	},
}

func write(t testing.TB, path, content string) {
	t.Helper()
	mode := fs.FileMode(0o644)
	if strings.HasSuffix(path, "*") {
		path, mode = strings.TrimSuffix(path, "*"), 0o755
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func component(name string) *vendorspec.Component {
	return &vendorspec.Component{
		Name: name, Kind: vendorspec.KindArchive, Version: "1.63.0",
		URL: "file:///src/" + name + ".tar.gz", SHA256: strings.Repeat("ab", 32),
		Root: "library", Paths: []string{"library/core"},
		Dest: "vendor/" + name, License: "MIT OR Apache-2.0",
	}
}

// lockComponent records what is on disk now for c, as update would.
func lockComponent(t testing.TB, e *env, c *vendorspec.Component) {
	t.Helper()
	files, irr, err := tree.Scan(context.Background(), filepath.Join(e.dir, filepath.FromSlash(c.Dest)), 0)
	if err != nil || len(irr) > 0 {
		t.Fatal(err, irr)
	}
	lc := c.Locked()
	lc.Tree, err = tree.H1(files)
	if err != nil {
		t.Fatal(err)
	}
	lc.Upstream = lc.Tree
	lc.Files = len(files)
	for _, f := range files {
		lc.Bytes += f.Size
	}
	e.lock.Set(lc)
	e.sum.Files[c.Name] = files
	lc.Sum = e.sum.ComponentHash(c.Name)
}

func newEnv(t testing.TB) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{dir: dir,
		spec: &vendorspec.Spec{Path: filepath.Join(dir, "rvendor.toml"), Dir: dir, Version: 1},
		lock: &vendorspec.Lock{Version: vendorspec.LockVersion},
		sum:  &vendorspec.Sum{Files: map[string][]tree.File{}},
	}
	for _, name := range []string{"lib", "other"} {
		c := component(name)
		for p, content := range fixture[name] {
			write(t, filepath.Join(dir, "vendor", name, p), content)
		}
		e.spec.Components = append(e.spec.Components, c)
		lockComponent(t, e, c)
	}
	return e
}

func (e *env) path(rel string) string { return filepath.Join(e.dir, filepath.FromSlash(rel)) }

func (e *env) opts() verify.Options {
	return verify.Options{Spec: e.spec, Lock: e.lock, Sum: e.sum, Jobs: 2}
}

// summary renders a report as one line per component, listing only
// non-empty lists, for table comparisons.
func summary(r *verify.Report) string {
	var lines []string
	for _, c := range r.Components {
		s := c.Name + " " + string(c.Status)
		add := func(k string, v []string) {
			if len(v) > 0 {
				s += " " + k + "=" + strings.Join(v, ",")
			}
		}
		add("stale", c.Stale)
		add("modified", c.Modified)
		add("added", c.Added)
		add("deleted", c.Deleted)
		var mode, typ []string
		for _, m := range c.Mode {
			mode = append(mode, m.Path+":"+m.Want+"->"+m.Got)
		}
		for _, m := range c.Type {
			typ = append(typ, m.Path+":"+m.Want+"->"+m.Got)
		}
		add("mode", mode)
		add("type", typ)
		lines = append(lines, s)
	}
	return strings.Join(lines, "; ")
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, e *env)
		comps  []string
		want   string
		exit   int
	}{
		{name: "clean", want: "lib clean; other clean"},
		{name: "edited", mutate: func(t *testing.T, e *env) {
			write(t, e.path("vendor/lib/core/src/num.rs"), "pub fn one() -> u8 { 2 }\n")
		}, want: "lib drift modified=core/src/num.rs; other clean", exit: 1},
		{name: "added", mutate: func(t *testing.T, e *env) {
			write(t, e.path("vendor/lib/core/src/evil.rs"), "x")
		}, want: "lib drift added=core/src/evil.rs; other clean", exit: 1},
		{name: "deleted", mutate: func(t *testing.T, e *env) {
			must(t, os.Remove(e.path("vendor/lib/alloc/src/lib.rs")))
		}, want: "lib drift deleted=alloc/src/lib.rs; other clean", exit: 1},
		{name: "chmod", mutate: func(t *testing.T, e *env) {
			must(t, os.Chmod(e.path("vendor/lib/core/src/lib.rs"), 0o700))
			must(t, os.Chmod(e.path("vendor/lib/alloc/build.sh"), 0o600))
			must(t, os.Chmod(e.path("vendor/other/README"), 0o664)) // normalizes to 0644: not drift
		}, want: "lib drift mode=alloc/build.sh:0755->0644,core/src/lib.rs:0644->0755; other clean", exit: 1},
		{name: "symlink replacing a file", mutate: func(t *testing.T, e *env) {
			p := e.path("vendor/lib/core/src/num.rs")
			must(t, os.Remove(p))
			must(t, os.Symlink("lib.rs", p))
		}, want: "lib drift type=core/src/num.rs:file->symlink; other clean", exit: 1},
		{name: "symlink added", mutate: func(t *testing.T, e *env) {
			must(t, os.Symlink("/etc/passwd", e.path("vendor/other/passwd")))
		}, want: "lib clean; other drift type=passwd:none->symlink", exit: 1},
		{name: "fifo added", mutate: func(t *testing.T, e *env) {
			must(t, syscall.Mkfifo(e.path("vendor/other/pipe"), 0o644))
		}, want: "lib clean; other drift type=pipe:none->fifo", exit: 1},
		{name: "folder replacing a file", mutate: func(t *testing.T, e *env) {
			p := e.path("vendor/other/README")
			must(t, os.Remove(p))
			write(t, filepath.Join(p, "inner"), "x")
		}, want: "lib clean; other drift added=README/inner type=README:file->dir", exit: 1},
		{name: "empty folder added is not drift", mutate: func(t *testing.T, e *env) {
			must(t, os.MkdirAll(e.path("vendor/lib/core/empty/deeper"), 0o755))
		}, want: "lib clean; other clean"},
		{name: "dest missing", mutate: func(t *testing.T, e *env) {
			must(t, os.RemoveAll(e.path("vendor/other")))
		}, want: "lib clean; other missing", exit: 1},
		{name: "dest replaced by a symlink", mutate: func(t *testing.T, e *env) {
			must(t, os.Rename(e.path("vendor/other"), e.path("elsewhere")))
			must(t, os.Symlink("../elsewhere", e.path("vendor/other")))
		}, want: "lib clean; other drift type=.:dir->symlink", exit: 1},
		{name: "stale spec still checks files", mutate: func(t *testing.T, e *env) {
			e.spec.Components[0].Version = "1.64.0"
			e.spec.Components[0].Paths = []string{"library/core", "library/alloc"}
			write(t, e.path("vendor/lib/core/src/num.rs"), "pub fn one() -> u8 { 2 }\n")
		}, want: `lib stale stale=version: spec says "1.64.0", lock has "1.63.0",paths: spec says ["library/core", "library/alloc"], lock has ["library/core"] modified=core/src/num.rs; other clean`, exit: 1},
		{name: "not vendored", mutate: func(t *testing.T, e *env) {
			e.spec.Components = append(e.spec.Components, component("new"))
		}, want: "lib clean; new not-vendored; other clean", exit: 1},
		{name: "removed from spec", mutate: func(t *testing.T, e *env) {
			e.spec.Components = e.spec.Components[:1]
		}, want: "lib clean; other removed", exit: 1},
		{name: "removed from spec and edited", mutate: func(t *testing.T, e *env) {
			e.spec.Components = e.spec.Components[:1]
			write(t, e.path("vendor/other/README"), "changed\n")
		}, want: "lib clean; other removed modified=README", exit: 1},
		{name: "select one component", comps: []string{"other"}, mutate: func(t *testing.T, e *env) {
			write(t, e.path("vendor/lib/core/src/num.rs"), "edited, but not selected")
		}, want: "other clean"},
		{name: "select a removed component", comps: []string{"other", "other"}, mutate: func(t *testing.T, e *env) {
			e.spec.Components = e.spec.Components[:1]
		}, want: "other removed", exit: 1},
		{name: "many changes named exactly", mutate: func(t *testing.T, e *env) {
			write(t, e.path("vendor/lib/core/src/num.rs"), "same size? no")
			write(t, e.path("vendor/lib/core/src/lib.rs"), "//! CORE\npub mod num;\n") // same size
			write(t, e.path("vendor/lib/zzz"), "")
			write(t, e.path("vendor/lib/a b/ü.rs"), "")
			must(t, os.Remove(e.path("vendor/lib/stdarch/crates/x/mod.rs")))
		}, want: "lib drift modified=core/src/lib.rs,core/src/num.rs added=a b/ü.rs,zzz deleted=stdarch/crates/x/mod.rs; other clean", exit: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.mutate != nil {
				tt.mutate(t, e)
			}
			opt := e.opts()
			opt.Components = tt.comps
			rep, err := verify.Verify(context.Background(), opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(rep); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if rep.ExitCode() != tt.exit || rep.Clean() != (tt.exit == 0) || (rep.Err() == nil) != (tt.exit == 0) {
				t.Errorf("ExitCode %d Clean %v Err %v, want exit %d", rep.ExitCode(), rep.Clean(), rep.Err(), tt.exit)
			}
			if tt.exit != 0 && (!errors.Is(rep.Err(), verify.ErrDrift) || rep.Status != verify.StatusDrift) {
				t.Errorf("Err() = %v, Status %s", rep.Err(), rep.Status)
			}
			for _, c := range rep.Components {
				if c.Status != verify.StatusClean && c.Hint == "" {
					t.Errorf("%s: status %s without a hint", c.Name, c.Status)
				}
			}
		})
	}
}

func TestVerifyErrors(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(e *env, o *verify.Options)
		mismach bool   // a *SumMismatchError wrapping vendorspec.ErrSumMismatch
		want    string // in the message
	}{
		{name: "sum hash edited", mismach: true, want: "rvendor.sum does not match rvendor.lock for component lib", mutate: func(e *env, o *verify.Options) {
			e.sum.Files["lib"][0].SHA256[0] ^= 1
		}},
		{name: "lock tree edited", mismach: true, want: "lock records tree h1:AAAA", mutate: func(e *env, o *verify.Options) {
			e.lock.Component("other").Tree = "h1:AAAA"
		}},
		{name: "sum file dropped", mismach: true, want: "component lib", mutate: func(e *env, o *verify.Options) {
			e.sum.Files["lib"] = e.sum.Files["lib"][1:]
		}},
		{name: "lock counts edited", mismach: true, want: "rvendor.sum lists 1 files, 16 bytes; rvendor.lock records 2 files", mutate: func(e *env, o *verify.Options) {
			e.lock.Component("other").Files = 2
		}},
		{name: "sum lists an unlocked component", mismach: true, want: "component ghost", mutate: func(e *env, o *verify.Options) {
			e.sum.Files["ghost"] = e.sum.Files["other"]
		}},
		{name: "lock dest escapes", mismach: true, want: `dest "../outside"`, mutate: func(e *env, o *verify.Options) {
			e.lock.Component("other").Dest = "../outside"
		}},
		{name: "sum mode edited", mismach: true, want: "a mode, size or path changed", mutate: func(e *env, o *verify.Options) {
			f := &e.sum.Files["lib"][0] // dirhash (tree) does not see modes; the seal does
			f.Mode ^= 0o111
		}},
		{name: "seal removed from one component", mismach: true, want: "but not of this one", mutate: func(e *env, o *verify.Options) {
			e.lock.Component("other").Sum = ""
		}},
		{name: "unknown component", want: `unknown component "nope"`, mutate: func(e *env, o *verify.Options) {
			o.Components = []string{"lib", "nope"}
		}},
		{name: "no lock", want: "required", mutate: func(e *env, o *verify.Options) { o.Lock = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			o := e.opts()
			tt.mutate(e, &o)
			rep, err := verify.Verify(context.Background(), o)
			if err == nil {
				t.Fatalf("no error; report %s", summary(rep))
			}
			if rep != nil {
				t.Error("a report with an error")
			}
			var sm *verify.SumMismatchError
			if tt.mismach != (errors.As(err, &sm) && errors.Is(err, vendorspec.ErrSumMismatch)) {
				t.Errorf("error %v (%T): mismatch error = %v", err, err, !tt.mismach)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

// TestVerifySumMismatchComesFirst: the sum is read (Options.LoadSum) and
// checked against the lock while the dests are scanned, and an error of
// either is the answer whatever else failed meanwhile; no stat cache is
// written from such a run.
func TestVerifySumMismatchComesFirst(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	errRead := errors.New("rvendor.sum:3:1: sum file is corrupt")
	sums := map[string]func(e *env, o *verify.Options){
		"edited sum": func(e *env, o *verify.Options) { e.sum.Files["lib"][0].SHA256[0] ^= 1 },
		"edited sum, loaded": func(e *env, o *verify.Options) {
			e.sum.Files["lib"][0].SHA256[0] ^= 1
			s := e.sum
			o.Sum, o.LoadSum = nil, func() (*vendorspec.Sum, error) { return s, nil }
		},
		"unreadable sum": func(e *env, o *verify.Options) {
			o.Sum, o.LoadSum = nil, func() (*vendorspec.Sum, error) { return nil, errRead }
		},
		"no sum at all": func(e *env, o *verify.Options) {
			o.Sum, o.LoadSum = nil, func() (*vendorspec.Sum, error) { return nil, nil }
		},
	}
	others := map[string]func(o *verify.Options) context.Context{
		"and an unknown component": func(o *verify.Options) context.Context {
			o.Components = []string{"nope"}
			return context.Background()
		},
		"and the scan canceled": func(o *verify.Options) context.Context { return canceled },
		"and a stat cache":      func(o *verify.Options) context.Context { return context.Background() },
	}
	for sname, sum := range sums {
		for oname, other := range others {
			t.Run(sname+" "+oname, func(t *testing.T) {
				e := newEnv(t)
				o := e.opts()
				o.StatCache = filepath.Join(t.TempDir(), "stat")
				verify.SetTestHooks(&o, later, nil)
				sum(e, &o)
				rep, err := verify.Verify(other(&o), o)
				var sm *verify.SumMismatchError
				switch {
				case rep != nil:
					t.Fatalf("a report: %s", summary(rep))
				case sname == "unreadable sum" && err != errRead:
					t.Fatalf("Verify error %v, want LoadSum's, as it is", err)
				case sname != "unreadable sum" && !errors.As(err, &sm):
					t.Fatalf("Verify error %v, want a SumMismatchError", err)
				}
				if _, err := os.Stat(o.StatCache); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("stat cache written from a sum that does not hold: %v", err)
				}
			})
		}
	}
}

// TestReportJSON pins the JSON field names: they are a stable interface.
func TestReportJSON(t *testing.T) {
	e := newEnv(t)
	must(t, os.Chmod(e.path("vendor/other/README"), 0o755))
	rep, err := verify.Verify(context.Background(), e.opts())
	must(t, err)
	data, err := json.Marshal(rep)
	must(t, err)
	var generic map[string]any
	must(t, json.Unmarshal(data, &generic))
	keys := func(m map[string]any) string {
		var k []string
		for key := range m {
			k = append(k, key)
		}
		sort.Strings(k)
		return strings.Join(k, ",")
	}
	if got := keys(generic); got != "components,stats,status,version" {
		t.Errorf("report keys %s", got)
	}
	comps := generic["components"].([]any)
	if got := keys(comps[0].(map[string]any)); got != "added,crate_files,deleted,dest,mode,modified,name,patched,patches,stale,stamped,status,type" {
		t.Errorf("clean component keys %s", got)
	}
	other := comps[1].(map[string]any)
	if got := keys(other); got != "added,crate_files,deleted,dest,hint,mode,modified,name,patched,patches,stale,stamped,status,type" {
		t.Errorf("drifted component keys %s", got)
	}
	if got := fmt.Sprint(other["mode"]); got != "[map[got:0755 path:README want:0644]]" {
		t.Errorf("mode = %s", got)
	}
	if got := keys(generic["stats"].(map[string]any)); got != "cache_hits,cache_written,files,hashed" {
		t.Errorf("stats keys %s", got)
	}
	if !strings.Contains(string(data), `"version":1,"status":"drift"`) || !strings.Contains(string(data), `"added":[]`) {
		t.Errorf("json: %s", data)
	}
}

// TestVerifyCrateFiles is issue #9: each path of a crate component's
// report is placed in its crate (name and version from the lock).
func TestVerifyCrateFiles(t *testing.T) {
	e := newEnv(t)
	c := component("crates")
	c.Kind, c.URL, c.SHA256, c.Root, c.Paths = vendorspec.KindCrate, "", "", "", nil
	for p, content := range map[string]string{
		"Cargo.lock":            "# closure\n",
		"memchr/src/lib.rs":     "//! memchr\n",
		"memchr/build.rs":       "fn main() {}\n",
		"libc-0.2.1/src/lib.rs": "//! libc\n",
	} {
		write(t, e.path("vendor/crates/"+p), content)
	}
	e.spec.Components = append(e.spec.Components, c)
	lockComponent(t, e, c)
	e.lock.Component("crates").Crates = []vendorspec.LockedCrate{
		{Name: "memchr", Version: "2.5.0", Dir: "memchr"},
		{Name: "libc", Version: "0.2.1", Dir: "libc-0.2.1"},
	}
	write(t, e.path("vendor/crates/memchr/src/lib.rs"), "//! edited\n")
	write(t, e.path("vendor/crates/libc-0.2.1/src/new.rs"), "")
	write(t, e.path("vendor/crates/Cargo.lock"), "# edited\n")
	must(t, os.Chmod(e.path("vendor/crates/memchr/build.rs"), 0o755))
	o := e.opts()
	o.Components = []string{"crates"}
	rep, err := verify.Verify(context.Background(), o)
	must(t, err)
	cr := rep.Components[0]
	if got, want := summary(rep), "crates drift modified=Cargo.lock,memchr/src/lib.rs added=libc-0.2.1/src/new.rs mode=memchr/build.rs:0644->0755"; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	want := []verify.CrateFile{
		{Path: "libc-0.2.1/src/new.rs", Crate: "libc", Version: "0.2.1", Dir: "libc-0.2.1", File: "src/new.rs"},
		{Path: "memchr/build.rs", Crate: "memchr", Version: "2.5.0", Dir: "memchr", File: "build.rs"},
		{Path: "memchr/src/lib.rs", Crate: "memchr", Version: "2.5.0", Dir: "memchr", File: "src/lib.rs"},
	}
	if !slices.Equal(cr.CrateFiles, want) {
		t.Errorf("CrateFiles = %+v\nwant %+v", cr.CrateFiles, want)
	}
	if f := cr.CrateOf("memchr/src/lib.rs"); f == nil || f.Crate != "memchr" || f.File != "src/lib.rs" {
		t.Errorf("CrateOf(memchr/src/lib.rs) = %+v", f)
	}
	if f := cr.CrateOf("Cargo.lock"); f != nil {
		t.Errorf("CrateOf(Cargo.lock) = %+v, want nil", f)
	}
	data, err := json.Marshal(cr)
	must(t, err)
	if !strings.Contains(string(data), `"crate_files":[{"path":"libc-0.2.1/src/new.rs","crate":"libc","version":"0.2.1","dir":"libc-0.2.1","file":"src/new.rs"},`) ||
		!strings.Contains(string(data), `"modified":["Cargo.lock","memchr/src/lib.rs"]`) {
		t.Errorf("json: %s", data)
	}
}
