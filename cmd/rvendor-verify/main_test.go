package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
	"github.com/rvendor/rvendor/internal/realdata"
)

// build compiles the module's packages pkgs into dir, one binary each.
func build(t *testing.T, dir string, pkgs ...string) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found: cannot build the binaries")
	}
	args := append([]string{"build", "-o", dir + "/"}, pkgs...)
	cmd := exec.Command(goBin, args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
}

type result struct {
	code           int
	stdout, stderr string
}

func runBin(t *testing.T, env []string, bin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	return result{code, out.String(), errb.String()}
}

// TestSameAsRvendorVerify: rvendor-verify prints what "rvendor verify"
// prints, byte for byte, with the same exit status, on a tree that
// vendors Rust 1.63's real library/alloc: clean, with drift (text,
// --quiet, --json), for one component, for an unknown one, with a
// conflicted update pending, and without a spec.
func TestSameAsRvendorVerify(t *testing.T) {
	lib := realdata.RustSrc163(t) // skips outside CI when missing
	bin := t.TempDir()
	build(t, bin, "github.com/rvendor/rvendor/cmd/rvendor", "github.com/rvendor/rvendor/cmd/rvendor-verify")
	rv, rvv := filepath.Join(bin, "rvendor"), filepath.Join(bin, "rvendor-verify")

	work := t.TempDir()
	entries, err := archivetest.FromDir(filepath.Join(lib, "alloc"), "library/alloc/")
	if err != nil {
		t.Fatal(err)
	}
	var arc bytes.Buffer
	if err := archivetest.Build(&arc, fetch.FormatGzip, entries); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(work, "alloc.tar.gz")
	if err := os.WriteFile(archive, arc.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	kernel := filepath.Join(work, "kernel")
	os.MkdirAll(kernel, 0o755)
	spec := "version = 1\n\n[[component]]\nname = \"alloc\"\nkind = \"archive\"\nurl = \"file://" + archive + "\"\n" +
		"sha256 = \"" + archivetest.SHA256(arc.Bytes()) + "\"\nversion = \"1.63.0\"\nroot = \"library/alloc\"\n" +
		"dest = \"rust/alloc\"\nlicense = \"MIT OR Apache-2.0\"\n"
	if err := os.WriteFile(filepath.Join(kernel, "rvendor.toml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work, "RVENDOR_CACHE=" + filepath.Join(work, "cache")}
	if r := runBin(t, env, rv, "-C", kernel, "update", "-q"); r.code != 0 {
		t.Fatalf("rvendor update: exit %d\n%s", r.code, r.stderr)
	}

	same := func(name string, wantCode int, args ...string) {
		t.Helper()
		want := runBin(t, env, rv, append([]string{"verify"}, args...)...)
		got := runBin(t, env, rvv, args...)
		if want.code != wantCode {
			t.Fatalf("%s: rvendor verify %v exits %d, want %d\n%s%s", name, args, want.code, wantCode, want.stdout, want.stderr)
		}
		if got != want {
			t.Errorf("%s: rvendor-verify %v differs from rvendor verify:\ngot  exit %d\n%s%s\nwant exit %d\n%s%s",
				name, args, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
		}
	}
	same("clean", 0, "-C", kernel)
	same("clean, no cache, json", 0, "-C", kernel, "--no-cache", "--json", "-j", "1")
	os.WriteFile(filepath.Join(kernel, "rust/alloc/src/vec/mod.rs"), []byte("// edited\n"), 0o644)
	os.WriteFile(filepath.Join(kernel, "rust/alloc/src/new.rs"), []byte("// added\n"), 0o644)
	os.Remove(filepath.Join(kernel, "rust/alloc/src/boxed.rs"))
	same("drift", 1, "-C", kernel)
	same("drift, quiet", 1, "-C", kernel, "--quiet")
	same("drift, quiet, flags after the argument", 1, "alloc", "-q", "--directory="+kernel)
	same("drift, json", 1, "-C", kernel, "--json")
	same("unknown component", 2, "-C", kernel, "nosuch")
	same("unknown component, json", 2, "-C", kernel, "--json", "nosuch")
	same("no spec", 2, "-C", work)
	same("-C not a folder", 2, "-C", archive)
	// The sum is read while the tree is scanned; its errors still come
	// first and read as before (both programs share that code, so the
	// messages are checked here, not only compared).
	sumPath := filepath.Join(kernel, "rvendor.sum")
	goodSum, err := os.ReadFile(sumPath)
	if err != nil {
		t.Fatal(err)
	}
	writeSum := func(data []byte) {
		t.Helper()
		if err := os.WriteFile(sumPath, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sumErr := func(name string, args ...string) {
		t.Helper()
		r := runBin(t, env, rvv, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "rvendor.sum:") || !strings.Contains(r.stderr, "restore it from version control") {
			t.Errorf("%s: exit %d, want 2 with an error naming the sum's line and what to do:\n%s", name, r.code, r.stderr)
		}
	}
	writeSum(append(append([]byte(nil), goodSum...), "alloc 0600 1 xyz src/bad.rs\n"...))
	same("sum corrupt", 2, "-C", kernel)
	sumErr("sum corrupt", "-C", kernel)
	writeSum(bytes.Replace(goodSum, []byte(" 0644 "), []byte(" 0755 "), 1))
	same("sum does not match the lock", 2, "-C", kernel)
	same("sum does not match the lock, json", 2, "-C", kernel, "--json")
	if r := runBin(t, env, rvv, "-C", kernel); !strings.Contains(r.stderr, "does not match rvendor.lock") {
		t.Errorf("sum does not match the lock: %s", r.stderr)
	}
	writeSum(goodSum)
	same("drift again", 1, "-C", kernel, "-q")
	if err := os.MkdirAll(filepath.Join(kernel, ".rvendor/conflict"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(kernel, ".rvendor/conflict/state.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	same("conflict pending", 2, "-C", kernel)
	// A damaged sum is still reported before a pending conflict.
	writeSum(append(append([]byte(nil), goodSum...), "alloc 0600 1 xyz src/bad.rs\n"...))
	sumErr("sum corrupt, conflict pending", "-C", kernel)
	writeSum(goodSum)

	if r := runBin(t, env, rvv, "--help"); r.code != 0 || !strings.Contains(r.stdout, "Verify proves, offline") || !strings.Contains(r.stdout, "--no-cache") {
		t.Errorf("--help: exit %d\n%s", r.code, r.stdout)
	}
	for _, bad := range [][]string{{"--nosuch"}, {"-C"}, {"-j", "x"}, {"-qj4"}} {
		if r := runBin(t, env, rvv, bad...); r.code != 2 || !strings.HasPrefix(r.stderr, "rvendor: error: ") || !strings.Contains(r.stderr, "rvendor-verify --help") {
			t.Errorf("%v: exit %d, want 2 with an error and a hint\n%s", bad, r.code, r.stderr)
		}
	}
}

// TestLinksOnlyWhatVerifyUses: rvendor-verify starts on every build; it
// must not link the network stack, the engine, the fetchers, OpenPGP,
// archive decoders, the SBOM writers, cobra or the license scanner.
func TestLinksOnlyWhatVerifyUses(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found: cannot list dependencies")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	banned := []string{"net", "net/http", "crypto/tls", "github.com/spf13/cobra", "github.com/rvendor/rvendor/engine",
		"github.com/rvendor/rvendor/fetch", "github.com/ProtonMail/go-crypto/openpgp", "github.com/ulikunitz/xz",
		"github.com/klauspost/compress/zstd", "github.com/CycloneDX/cyclonedx-go", "github.com/spdx/tools-golang/spdx",
		"text/template", "github.com/google/licensecheck", "github.com/rvendor/rvendor/policy/license/detect",
		"os/signal"} // a handler costs every run a goroutine and its thread (main.go)
	deps := map[string]bool{}
	for _, d := range strings.Fields(string(out)) {
		deps[d] = true
	}
	for _, b := range banned {
		if deps[b] {
			t.Errorf("rvendor-verify links %s", b)
		}
	}
	if !deps["github.com/rvendor/rvendor/verify"] {
		t.Error("rvendor-verify does not link verify: the dependency list is wrong")
	}
}
