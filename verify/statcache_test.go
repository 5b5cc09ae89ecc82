package verify_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/verify"
)

// later is a clock an hour ahead, so every file of a fresh test tree is
// old enough for the stat cache to trust.
func later() time.Time { return time.Now().Add(time.Hour) }

func run(t *testing.T, o verify.Options) *verify.Report {
	t.Helper()
	rep, err := verify.Verify(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// snapshot lists every entry below dir with its size and times, to prove
// Verify changed nothing in the tree.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		b.WriteString(p + " " + fi.Mode().String() + " " + fi.ModTime().String() + "\n")
		return nil
	})
	must(t, err)
	return b.String()
}

func TestStatCacheWarm(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	verify.SetTestHooks(&o, later, nil)
	o.StatCache = filepath.Join(t.TempDir(), "cache", "stat")
	before := snapshot(t, e.dir)

	cold := run(t, o)
	n := cold.Stats.Files
	if n != 6 || cold.Stats.Hashed != n || !cold.Stats.CacheWritten || cold.Stats.CacheError != "" {
		t.Fatalf("cold: %+v", cold.Stats)
	}
	warm := run(t, o)
	if warm.Stats.Hashed != 0 || warm.Stats.CacheHits != n || warm.Stats.CacheWritten || !warm.Clean() {
		t.Fatalf("warm: %+v %s", warm.Stats, summary(warm))
	}
	if after := snapshot(t, e.dir); after != before {
		t.Fatalf("verify changed the tree:\n%s\n%s", before, after)
	}

	// An edit that changes size, one that keeps it (the rewrite moves
	// mtime), a chmod and a deletion: all found, only the edited read.
	write(t, e.path("vendor/lib/core/src/num.rs"), "pub fn one() -> u8 { 1 + 0 }\n")
	old, err := os.ReadFile(e.path("vendor/lib/core/src/lib.rs"))
	must(t, err)
	fi, err := os.Stat(e.path("vendor/lib/core/src/lib.rs"))
	must(t, err)
	write(t, e.path("vendor/lib/core/src/lib.rs"), strings.ToUpper(string(old)))
	must(t, os.Chtimes(e.path("vendor/lib/core/src/lib.rs"), fi.ModTime(), fi.ModTime().Add(time.Second)))
	must(t, os.Chmod(e.path("vendor/other/README"), 0o755))
	must(t, os.Remove(e.path("vendor/lib/alloc/src/lib.rs")))
	rep := run(t, o)
	want := "lib drift modified=core/src/lib.rs,core/src/num.rs deleted=alloc/src/lib.rs; other drift mode=README:0644->0755"
	if got := summary(rep); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// The chmod changed ctime, so README is read again too.
	if rep.Stats.Hashed != 3 || !rep.Stats.CacheWritten {
		t.Errorf("after edits: %+v", rep.Stats)
	}
	// Selecting one component keeps the others' entries.
	o.Components = []string{"other"}
	run(t, o)
	o.Components = nil
	if rep := run(t, o); rep.Stats.Hashed != 0 {
		t.Errorf("entries of an unselected component were dropped: %+v", rep.Stats)
	}
}

// TestStatCacheRacy injects timestamps truncated to whole seconds, as on a
// filesystem with one-second times, so that an edit in the same second
// keeps size, mtime and ctime: only the racy rule can catch it.
func TestStatCacheRacy(t *testing.T) {
	base := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := base.Add(500 * time.Millisecond)
	coarse := func(st *tree.Stat) {
		st.Mtime = st.Mtime / 1e9 * 1e9
		st.Ctime = st.Mtime // the edit below must leave no trace but content
	}

	e := newEnv(t)
	o := e.opts()
	verify.SetTestHooks(&o, func() time.Time { return clock }, coarse)
	o.StatCache = filepath.Join(t.TempDir(), "stat")
	racy := e.path("vendor/lib/core/src/num.rs")
	old := e.path("vendor/lib/core/src/lib.rs")
	for _, p := range []string{racy, e.path("vendor/lib/alloc/src/lib.rs")} {
		must(t, os.Chtimes(p, base, base.Add(200*time.Millisecond))) // same second as the run
	}
	longAgo := base.Add(-time.Hour)
	for _, p := range []string{old, e.path("vendor/lib/alloc/build.sh"), e.path("vendor/lib/stdarch/crates/x/mod.rs"), e.path("vendor/other/README")} {
		must(t, os.Chtimes(p, longAgo, longAgo.Add(200*time.Millisecond)))
	}

	if rep := run(t, o); !rep.Clean() || rep.Stats.Hashed != 6 {
		t.Fatalf("cold: %s %+v", summary(rep), rep.Stats)
	}
	// Same size, same second: metadata identical after coarsening.
	write(t, racy, "pub fn one() -> u8 { 9 }\n")
	must(t, os.Chtimes(racy, base, base.Add(700*time.Millisecond)))
	// Control: the same kind of edit to a file older than the run IS
	// served from the cache (its times are reset exactly, which a real
	// ctime forbids): this proves the cache is in effect above, and that
	// only the racy rule finds the first edit.
	write(t, old, "//! CORE\npub mod num;\n")
	must(t, os.Chtimes(old, longAgo, longAgo.Add(200*time.Millisecond)))

	rep := run(t, o)
	if got, want := summary(rep), "lib drift modified=core/src/num.rs; other clean"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if rep.Stats.Hashed != 2 { // the two racy files
		t.Errorf("warm: %+v", rep.Stats)
	}
	// Without the cache, both edits are found.
	o.StatCache = ""
	if got, want := summary(run(t, o)), "lib drift modified=core/src/lib.rs,core/src/num.rs; other clean"; got != want {
		t.Errorf("no cache: got %s, want %s", got, want)
	}
}

// TestStatCacheRacyRealClock: files just written are never trusted by the
// run that sees them first.
func TestStatCacheRacyRealClock(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.StatCache = filepath.Join(t.TempDir(), "stat")
	run(t, o)
	if rep := run(t, o); rep.Stats.Hashed != rep.Stats.Files {
		t.Errorf("fresh files served from the cache: %+v", rep.Stats)
	}
}

func TestStatCacheNoCache(t *testing.T) {
	e := newEnv(t)
	o := e.opts() // StatCache "": the --no-cache equivalent
	verify.SetTestHooks(&o, later, nil)
	for i := 0; i < 2; i++ {
		rep := run(t, o)
		if rep.Stats.Hashed != rep.Stats.Files || rep.Stats.CacheHits != 0 || rep.Stats.CacheWritten {
			t.Errorf("run %d: %+v", i, rep.Stats)
		}
	}
}

func TestStatCacheBadFiles(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, e *env, cache string) string // returns the cache path
		written bool
		errText string
	}{
		{name: "corrupt", written: true, errText: "corrupt", prepare: func(t *testing.T, e *env, cache string) string {
			must(t, os.WriteFile(cache, []byte("rvendor stat cache v2\ngarbage garbage garbage garbage garbage"), 0o600))
			return cache
		}},
		{name: "foreign format", written: true, errText: "corrupt", prepare: func(t *testing.T, e *env, cache string) string {
			must(t, os.WriteFile(cache, []byte(`{"json": "from another tool"}`), 0o600))
			return cache
		}},
		{name: "truncated", written: true, errText: "corrupt", prepare: func(t *testing.T, e *env, cache string) string {
			run(t, laterOpts(verify.Options{Spec: e.spec, Lock: e.lock, Sum: e.sum, StatCache: cache}))
			data, err := os.ReadFile(cache)
			must(t, err)
			must(t, os.WriteFile(cache, data[:len(data)-1], 0o600))
			return cache
		}},
		{name: "bit flip", written: true, errText: "corrupt", prepare: func(t *testing.T, e *env, cache string) string {
			run(t, laterOpts(verify.Options{Spec: e.spec, Lock: e.lock, Sum: e.sum, StatCache: cache}))
			data, err := os.ReadFile(cache)
			must(t, err)
			data[len(data)/2] ^= 0x10
			must(t, os.WriteFile(cache, data, 0o600))
			return cache
		}},
		{name: "empty", written: true, errText: "corrupt", prepare: func(t *testing.T, e *env, cache string) string {
			must(t, os.WriteFile(cache, nil, 0o600))
			return cache
		}},
		{name: "unwritable folder", errText: "not written", prepare: func(t *testing.T, e *env, cache string) string {
			must(t, os.WriteFile(cache, []byte("a file, not a folder"), 0o600))
			return filepath.Join(cache, "sub", "stat") // works even as root
		}},
		{name: "inside the tree", errText: "inside the spec's folder", prepare: func(t *testing.T, e *env, cache string) string {
			return e.path(".cache/stat")
		}},
		{name: "inside the tree by a symlink", errText: "inside the spec's folder", prepare: func(t *testing.T, e *env, cache string) string {
			must(t, os.Symlink(e.path("vendor"), cache))
			return filepath.Join(cache, "new", "stat")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			cache := tt.prepare(t, e, filepath.Join(t.TempDir(), "stat"))
			o := e.opts()
			verify.SetTestHooks(&o, later, nil)
			o.StatCache = cache
			write(t, e.path("vendor/other/README"), "changed\n")
			rep := run(t, o)
			if got := summary(rep); got != "lib clean; other drift modified=README" {
				t.Errorf("report: %s", got)
			}
			if rep.Stats.CacheWritten != tt.written || !strings.Contains(rep.Stats.CacheError, tt.errText) {
				t.Errorf("stats %+v, want written=%v error containing %q", rep.Stats, tt.written, tt.errText)
			}
			if tt.written {
				if rep := run(t, o); rep.Stats.Hashed != 0 || rep.Stats.CacheError != "" {
					t.Errorf("rewritten cache not used: %+v", rep.Stats)
				}
			}
			if strings.HasPrefix(tt.name, "inside the tree") {
				for _, p := range []string{cache, filepath.Dir(cache)} {
					if _, err := os.Stat(p); !os.IsNotExist(err) {
						t.Errorf("%s created inside the tree: %v", p, err)
					}
				}
			}
		})
	}
}

// laterOpts returns o with the stat cache's clock set well after now.
func laterOpts(o verify.Options) verify.Options {
	verify.SetTestHooks(&o, later, nil)
	return o
}

// TestStatCacheSameAnswers: with a warm stat cache, files it vouches for
// are not in the scan's result but taken from its records; every kind of
// drift must still read exactly as without a cache, and the cache
// rewritten after the drift must serve the next run as well.
func TestStatCacheSameAnswers(t *testing.T) {
	for name, drift := range map[string]func(e *env){
		"none":     func(e *env) {},
		"modified": func(e *env) { write(t, e.path("vendor/lib/core/src/num.rs"), "pub fn one() -> u8 { 2 }\n") },
		"added and deleted": func(e *env) {
			write(t, e.path("vendor/lib/core/src/new.rs"), "// new\n")
			write(t, e.path("vendor/lib/aaa.rs"), "// first in path order\n")
			must(t, os.Remove(e.path("vendor/lib/stdarch/crates/x/mod.rs")))
		},
		"mode": func(e *env) { must(t, os.Chmod(e.path("vendor/lib/alloc/build.sh"), 0o644)) },
		"type": func(e *env) {
			must(t, os.Remove(e.path("vendor/lib/core/src/lib.rs")))
			must(t, os.Mkdir(e.path("vendor/lib/core/src/lib.rs"), 0o755))
			must(t, os.Symlink("lib.rs", e.path("vendor/other/LINK")))
		},
		"everything at once, other component too": func(e *env) {
			write(t, e.path("vendor/lib/core/src/num.rs"), "x\n")
			write(t, e.path("vendor/lib/zzz.rs"), "// last\n")
			must(t, os.Remove(e.path("vendor/lib/alloc/src/lib.rs")))
			write(t, e.path("vendor/other/README"), "changed\n")
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			o := e.opts()
			verify.SetTestHooks(&o, later, nil)
			o.StatCache = filepath.Join(t.TempDir(), "stat")
			run(t, o)
			if warm := run(t, o); warm.Stats.Hashed != 0 {
				t.Fatalf("not warm: %+v", warm.Stats)
			}
			drift(e)
			cold := e.opts()
			want := run(t, cold)
			for i := range 2 { // the drifted run, then one from the cache it rewrote
				got := run(t, o)
				if summary(got) != summary(want) || got.Status != want.Status || got.Stats.Files != want.Stats.Files {
					t.Errorf("run %d with the cache: %s (%s, %d files); without: %s (%s, %d files)",
						i, summary(got), got.Status, got.Stats.Files, summary(want), want.Status, want.Stats.Files)
				}
				if got.Stats.CacheHits+got.Stats.Hashed != got.Stats.Files {
					t.Errorf("run %d: stats %+v do not add up", i, got.Stats)
				}
				if i == 1 && got.Stats.Hashed != 0 {
					t.Errorf("run %d: %d files hashed from a cache rewritten for them", i, got.Stats.Hashed)
				}
			}
		})
	}
}

// TestVerifyManyFiles: a dest big enough for the scan to return several
// sorted runs (1,024 files a run), merged with the stat cache's records:
// cold, warm and after drift, each drifted path named exactly once.
func TestVerifyManyFiles(t *testing.T) {
	e := newEnv(t)
	for i := range 3000 {
		write(t, e.path(fmt.Sprintf("vendor/lib/many/d%02d/f%04d.rs", i%41, i)), fmt.Sprint(i, "\n"))
	}
	lockComponent(t, e, e.spec.Components[0])
	o := e.opts()
	o.Jobs = 3
	verify.SetTestHooks(&o, later, nil)
	o.StatCache = filepath.Join(t.TempDir(), "stat")
	for i, want := range []int{3006, 0} { // files hashed: cold, then warm
		rep := run(t, o)
		if !rep.Clean() || rep.Stats.Files != 3006 || rep.Stats.Hashed != want {
			t.Fatalf("run %d: %s, %+v", i, summary(rep), rep.Stats)
		}
	}
	write(t, e.path("vendor/lib/many/d07/f0007.rs"), "edited\n")
	write(t, e.path("vendor/lib/many/d00/a-new.rs"), "new\n")
	write(t, e.path("vendor/lib/many/zz.rs"), "new\n")
	must(t, os.Remove(e.path("vendor/lib/many/d40/f2992.rs")))
	must(t, os.Remove(e.path("vendor/lib/alloc/src/lib.rs")))
	want := "lib drift modified=many/d07/f0007.rs added=many/d00/a-new.rs,many/zz.rs deleted=alloc/src/lib.rs,many/d40/f2992.rs; other clean"
	for _, name := range []string{"cold", "warm after drift", "warm again"} {
		opt := o
		if name == "cold" {
			opt.StatCache = ""
		}
		if got := summary(run(t, opt)); got != want {
			t.Errorf("%s: %s\nwant %s", name, got, want)
		}
	}
}
