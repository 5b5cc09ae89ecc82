package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rvendor/rvendor/internal/registry"
)

// TestCrateScript runs the crate-vendoring scenarios of issue 4,
// testdata/crates/*.txtar, against the loopback registry built from
// Debian's real crates (internal/registry). They are skipped when the
// real crates are not installed (.ci/realdata.d/60-crates-bindgen.sh).
//
// Scripts get $CRATES_URL (the server; a registry is
// sparse+$CRATES_URL/FLAVOUR/index/, see internal/registry), $CRATES_LIB
// (the "lib" flavour's index) and $CRATES_LOCK (the closure's Cargo.lock).
func TestCrateScript(t *testing.T) {
	reg, srv := registry.Shared(t)
	p := scriptParams(t, "testdata/crates")
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := setup(env); err != nil {
			return err
		}
		env.Setenv("CRATES_URL", srv.URL)
		env.Setenv("CRATES_LIB", srv.Index("lib"))
		env.Setenv("CRATES_LOCK", filepath.Join(reg.Dir, "Cargo.lock"))
		// cargo (rustup's proxy) needs these from the real environment.
		for _, k := range []string{"PATH", "RUSTUP_HOME", "CARGO_HOME", "RUSTUP_TOOLCHAIN"} {
			if v := os.Getenv(k); v != "" {
				env.Setenv(k, v)
			}
		}
		if os.Getenv("RUSTUP_HOME") == "" {
			if h, err := os.UserHomeDir(); err == nil {
				env.Setenv("RUSTUP_HOME", filepath.Join(h, ".rustup"))
				env.Setenv("CARGO_HOME", filepath.Join(h, ".cargo"))
			}
		}
		return nil
	}
	p.Cmds["rvendor-build"] = rvendorBuild
	p.Cmds["replace"] = replaceInFile
	cond := p.Condition
	p.Condition = func(c string) (bool, error) {
		if c == "libclang" {
			return libclangPresent(), nil
		}
		return cond(c)
	}
	testscript.Run(t, p)
}

// rvendorBuild is the testscript command
//
//	rvendor-build ARGS...
//
// It runs "rvendor build ARGS..." in this process, with the script's
// environment, registering the build command on the root command when
// root.go does not yet; -C must be given as an absolute path.
func rvendorBuild(ts *testscript.TestScript, neg bool, args []string) {
	var stdout, stderr bytes.Buffer
	g := &globalOptions{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: ts.Getenv}
	root := newRootCommand(g)
	if c, _, err := root.Find([]string{"build"}); err != nil || c == root {
		root.AddCommand(newBuildCommand(g))
	}
	root.SetArgs(append([]string{"build"}, args...))
	code := 0
	if err := root.ExecuteContext(context.Background()); err != nil {
		code = report(&stderr, err)
	}
	ts.Stdout().Write(stdout.Bytes())
	ts.Stderr().Write(stderr.Bytes())
	if (code != 0) != neg {
		ts.Fatalf("rvendor build: exit status %d (negated: %v)", code, neg)
	}
}

func libclangPresent() bool {
	if _, err := exec.LookPath("cargo"); err != nil {
		return false
	}
	m, _ := filepath.Glob("/usr/lib/llvm-*/lib/libclang*.so*")
	return len(m) > 0
}

// replaceInFile is the testscript command
//
//	replace OLD NEW FILE
//
// It replaces the first OLD in FILE by NEW, failing when OLD is absent;
// "\n" in OLD and NEW stands for a newline.
func replaceInFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: replace OLD NEW FILE")
	}
	unq := func(s string) string { return strings.ReplaceAll(s, `\n`, "\n") }
	p := ts.MkAbs(args[2])
	data, err := os.ReadFile(p)
	ts.Check(err)
	old := unq(args[0])
	if !strings.Contains(string(data), old) {
		ts.Fatalf("replace: %q not found in %s", old, args[2])
	}
	ts.Check(os.WriteFile(p, []byte(strings.Replace(string(data), old, unq(args[1]), 1)), 0o644))
}
