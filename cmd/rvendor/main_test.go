package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rvendor/rvendor/internal/archivetest"
	"github.com/rvendor/rvendor/internal/distserver"
	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/internal/registry"
)

// cleanupM runs the tests, then removes the archives and the crates
// registry the loopback servers built for the whole process.
type cleanupM struct{ m *testing.M }

func (c cleanupM) Run() int {
	defer distserver.Cleanup()
	defer registry.Cleanup()
	return c.m.Run()
}

func TestMain(m *testing.M) {
	testscript.Main(cleanupM{m}, map[string]func(){
		"rvendor": func() { os.Exit(runHooked(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv, crashHook)) },
	})
}

// crashEnv names the test hook of the scripts: when set to one of
// tree.CrashPoints, a commit stops there abruptly, as if killed, so that
// the scripts prove that the next run recovers. It exists only in the
// test binary.
const crashEnv = "RVENDOR_TEST_CRASH_AT"

// crashHook stops the process at the crash point crashEnv names.
func crashHook(point string) {
	if p := os.Getenv(crashEnv); p != "" && p == point {
		fmt.Fprintf(os.Stderr, "rvendor: test hook: stopping at %s\n", point)
		os.Exit(99)
	}
}

// TestScript runs the CLI scenarios in testdata/script/*.txtar. Each
// script names the issue it guards.
func TestScript(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/script"))
}

func scriptParams(t *testing.T, dir string) testscript.Params {
	return testscript.Params{
		Dir: dir,
		Setup: func(env *testscript.Env) error {
			env.Setenv("RVENDOR_CACHE", filepath.Join(env.WorkDir, ".cache", "rvendor"))
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
			env.Setenv("RVENDOR_REALDATA", realdata.Root())
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mkarchive":  archivetest.MkArchive,
			"sha256file": archivetest.Sha256File,
			"fillspec":   fillSpec,
			"snapshot":   snapshot,
		},
		// [realdata] holds when the real inputs are installed;
		// [realdata:REL] when $RVENDOR_REALDATA/REL exists.
		Condition: func(cond string) (bool, error) {
			if rel, ok := strings.CutPrefix(cond, "realdata"); ok {
				_, err := os.Stat(filepath.Join(realdata.Root(), strings.TrimPrefix(rel, ":")))
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		RequireExplicitExec: true,
	}
}

var shaRE = regexp.MustCompile(`@sha256:([^@]+)@`)

// fillSpec is the testscript command
//
//	fillspec FILE...
//
// It rewrites each FILE in place, replacing $VAR and ${VAR} with the
// script's environment (so file://$WORK/x.tar.gz works) and
// @sha256:PATH@ with the sha256 of the file PATH (relative to the
// current folder).
func fillSpec(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: fillspec FILE...")
	}
	for _, a := range args {
		p := ts.MkAbs(a)
		data, err := os.ReadFile(p)
		ts.Check(err)
		s := os.Expand(string(data), ts.Getenv)
		s = shaRE.ReplaceAllStringFunc(s, func(m string) string {
			b, err := os.ReadFile(ts.MkAbs(shaRE.FindStringSubmatch(m)[1]))
			ts.Check(err)
			sum := sha256.Sum256(b)
			return hex.EncodeToString(sum[:])
		})
		ts.Check(os.WriteFile(p, []byte(s), 0o644))
	}
}

// snapshot is the testscript command
//
//	snapshot DIR OUT [EXCLUDE...]
//
// It writes to OUT one line per entry below DIR (path, type and mode, and
// the sha256 of files), sorted, so that two snapshots compare with cmp to
// prove a tree unchanged byte for byte, rvendor's state folder included.
// The OUT file itself and the EXCLUDE paths (relative to DIR) are left
// out.
func snapshot(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: snapshot DIR OUT [EXCLUDE...]")
	}
	dir, out := ts.MkAbs(args[0]), ts.MkAbs(args[1])
	skip := map[string]bool{}
	for _, x := range args[2:] {
		skip[filepath.Clean(x)] = true
	}
	var lines []byte
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if skip[rel] || p == out {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		line := rel + " " + fi.Mode().String()
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			line += " " + hex.EncodeToString(sum[:])
		}
		lines = append(lines, line+"\n"...)
		return nil
	})
	ts.Check(err)
	ts.Check(os.WriteFile(out, lines, 0o644))
}
