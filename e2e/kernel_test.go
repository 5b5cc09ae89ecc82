package e2e_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rvendor/rvendor/internal/distserver"
	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/internal/registry"
)

func TestMain(m *testing.M) {
	code := m.Run()
	registry.Cleanup()
	distserver.Cleanup()
	os.Exit(code)
}

// debianRustc is Debian's rustc 1.63 (package rustc): the compiler Linux
// 6.1 is built with here. rustup's rustc may come first on PATH, so the
// kernel steps put /usr/bin first.
const debianRustc = "/usr/bin/rustc"

// The Debian inputs the journey needs besides the real data: tools
// .ci/realdata.d/50-bindgen-clang.sh and 90-kernel-build.sh install.
var kernelTools = []string{debianRustc, "/usr/bin/bindgen", "/usr/bin/clang", "/usr/bin/ld.lld",
	"/usr/bin/llvm-ar", "/usr/bin/flex", "/usr/bin/bison", "/usr/bin/bc", "/usr/include/libelf.h",
	"/usr/include/openssl/ssl.h", "/usr/bin/make", "/usr/bin/git"}

// need skips t (or fails it under CI=true) when an input is missing.
func need(t *testing.T, what, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("kernel e2e: %s not found (%s): run bash .ci/realdata.sh as root", what, path)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// journey runs commands in the kernel tree and times each step.
type journey struct {
	t       *testing.T
	dir     string   // the kernel tree
	full    bool     // log whole outputs, not their tails
	env     []string // the environment of every command
	start   time.Time
	steps   []string
	curName string
	curT0   time.Time
}

func (j *journey) step(name string) {
	j.endStep()
	j.curName, j.curT0 = name, time.Now()
	j.t.Logf("=== step: %s", name)
}

func (j *journey) endStep() {
	if j.curName == "" {
		return
	}
	line := fmt.Sprintf("%-74s %6.1f s", j.curName, time.Since(j.curT0).Seconds())
	j.steps = append(j.steps, line)
	j.t.Logf("--- step done: %s", line)
	j.curName = ""
}

// run runs a shell command line in the tree (as a user types it) and
// returns its exit status and combined output, which it logs.
func (j *journey) run(cmdline string) (int, string) {
	j.t.Helper()
	c := exec.Command("bash", "-o", "pipefail", "-c", cmdline)
	c.Dir = j.dir
	c.Env = j.env
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	err := c.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			j.t.Fatalf("%s: %v", cmdline, err)
		}
		code = ee.ExitCode()
	}
	s := out.String()
	if j.full {
		j.t.Logf("$ %s  (exit %d)\n%s", cmdline, code, s)
	} else {
		j.t.Logf("$ %s  (exit %d)\n%s", cmdline, code, tail(s, 60))
	}
	return code, s
}

// runSplit runs cmdline like run, and returns its stdout and stderr
// apart.
func (j *journey) runSplit(cmdline string) (int, string, string) {
	j.t.Helper()
	c := exec.Command("bash", "-o", "pipefail", "-c", cmdline)
	c.Dir = j.dir
	c.Env = j.env
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	code := 0
	if err := c.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			j.t.Fatalf("%s: %v", cmdline, err)
		}
		code = ee.ExitCode()
	}
	j.t.Logf("$ %s  (exit %d)\nstdout:\n%s\nstderr:\n%s", cmdline, code, tail(stdout.String(), 30), tail(stderr.String(), 30))
	return code, stdout.String(), stderr.String()
}

// ok runs cmdline and fails the test unless it exits 0.
func (j *journey) ok(cmdline string) string {
	j.t.Helper()
	code, out := j.run(cmdline)
	if code != 0 {
		j.t.Fatalf("%s: exit %d", cmdline, code)
	}
	return out
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[... %d lines]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

func (j *journey) read(rel string) string {
	j.t.Helper()
	b, err := os.ReadFile(filepath.Join(j.dir, rel))
	if err != nil {
		j.t.Fatal(err)
	}
	return string(b)
}

func (j *journey) write(rel, s string) {
	j.t.Helper()
	if err := os.WriteFile(filepath.Join(j.dir, rel), []byte(s), 0o644); err != nil {
		j.t.Fatal(err)
	}
}

// gitStatus returns `git status --porcelain` as sorted lines.
func (j *journey) gitStatus() []string {
	out := j.ok("git status --porcelain --untracked-files=normal")
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	return lines
}

func (j *journey) wantStatus(want ...string) {
	j.t.Helper()
	sort.Strings(want)
	if got := j.gitStatus(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		j.t.Fatalf("git status:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// kbuildRule returns the verify rule docs/kbuild.md documents for
// rust/Makefile: its first make block, verbatim.
func kbuildRule(t *testing.T, repo string) string {
	b, err := os.ReadFile(filepath.Join(repo, "docs/kbuild.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```make\n(.*?)```").FindStringSubmatch(string(b))
	if m == nil {
		t.Fatal("docs/kbuild.md has no make block")
	}
	return m[1]
}

// TestLinux61 is issue 13's journey: a real Linux 6.1 (Debian's
// linux-source-6.1) builds every object under rust/ and
// samples/rust/rust_minimal.o from what rvendor vendored, offline, with
// the vendored bindgen; a vendored file edited afterwards stops the build
// at the verify rule. Every step is a command a maintainer types, run
// through the built rvendor binary.
func TestLinux61(t *testing.T) {
	if testing.Short() {
		t.Skip("kernel e2e: skipped in -short mode (it builds a kernel's Rust code, about 5 minutes)")
	}
	debs := filepath.Join(realdata.Root(), "debs")
	need(t, "the real-data folder", realdata.Root())
	srcDebs, _ := filepath.Glob(filepath.Join(debs, "linux-source-6.1_*.deb"))
	if len(srcDebs) == 0 {
		need(t, "Debian's linux-source-6.1 .deb", filepath.Join(debs, "linux-source-6.1_*.deb"))
	}
	sort.Strings(srcDebs)
	srcDeb := srcDebs[len(srcDebs)-1]
	need(t, "Debian's rust-src 1.63", filepath.Join(realdata.Root(), "rust-src/usr/src/rustc-1.63.0/library"))
	need(t, "Debian's crates of bindgen 0.60.1", filepath.Join(realdata.Root(), registry.DebianSource))
	for _, tool := range kernelTools {
		need(t, "a kernel build tool", tool)
	}
	for _, tool := range []string{"cargo", "dpkg-deb", "tar", "xz"} {
		if _, err := exec.LookPath(tool); err != nil {
			need(t, tool+" on PATH", "/nonexistent/"+tool)
		}
	}

	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if d := os.Getenv("RVENDOR_E2E_WORK"); d != "" { // keep the tree to look at
		work = d
		os.RemoveAll(work)
		if err := os.MkdirAll(work, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	kdir := filepath.Join(work, "linux")
	bin := filepath.Join(work, "bin")
	t0 := time.Now()
	t.Cleanup(func() { t.Logf("kernel e2e: %.1f s including cleanup", time.Since(t0).Seconds()) })
	j := &journey{t: t, dir: work, start: t0}
	defer func() {
		j.endStep()
		t.Logf("kernel e2e: step times\n%s\n%-58s %6.1f s", strings.Join(j.steps, "\n"), "total", time.Since(t0).Seconds())
	}()

	// The user's environment: the built rvendor on PATH, Debian's
	// rustc 1.63 ahead of any rustup rustc, a cache of its own.
	origPath := os.Getenv("PATH")
	kpath := bin + ":/usr/bin:/bin:" + origPath
	base := []string{"HOME=" + os.Getenv("HOME"), "LANG=C", "LC_ALL=C", "TERM=dumb",
		"RVENDOR_CACHE=" + filepath.Join(work, "cache"), "CI=" + os.Getenv("CI")}
	for _, k := range []string{"RUSTUP_HOME", "CARGO_HOME", "RUSTUP_TOOLCHAIN", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			base = append(base, k+"="+v)
		}
	}
	j.env = append(append([]string{}, base...), "PATH="+kpath)

	j.step("build rvendor")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	j.env = os.Environ() // the go command's own settings (GOFLAGS, GOCACHE, ...)
	j.ok(fmt.Sprintf("cd %q && CGO_ENABLED=0 go build -trimpath -o %q ./cmd/rvendor ./cmd/rvendor-verify", repo, bin+"/"))
	j.env = append(append([]string{}, base...), "PATH="+kpath)

	j.step("start the loopback Rust dist server and crates registry")
	dist := distserver.New(t, distserver.Options{Library: realdata.RustSrc163(t)})
	reg, regSrv := registry.Shared(t)
	index := regSrv.Index("lib")

	j.step("1. unpack linux-source-6.1 as a git repository")
	if err := os.MkdirAll(kdir, 0o755); err != nil {
		t.Fatal(err)
	}
	j.ok(fmt.Sprintf("dpkg-deb --fsys-tarfile %q | tar -xO ./usr/src/linux-source-6.1.tar.xz | tar -xJ -C linux --strip-components=1", srcDeb))
	j.dir = kdir
	// Debian's packaging adds "ignore everything at the top level" to the
	// tree's .gitignore; a kernel git tree has no such lines.
	gi := j.read(".gitignore")
	if i := strings.Index(gi, "#\n# Debian packaging"); i >= 0 {
		j.write(".gitignore", gi[:i])
	}
	gitc := "git -c user.name=e2e -c user.email=e2e@example.invalid -c core.looseCompression=0 -c core.compression=0"
	// (gc.auto=0: no background repack of the 78,000 loose objects
	// competing with the build.)
	j.ok("git init -q && git config gc.auto 0 && " + gitc + " add -A && " + gitc + " commit -qm 'Linux 6.1 (Debian linux-source-6.1)'")
	git := "git -c user.name=e2e -c user.email=e2e@example.invalid"

	j.step("2. rvendor init; [sources] and pins")
	j.ok("rvendor init")
	spec := j.read("rvendor.toml")
	for _, r := range [][2]string{
		{`rustc = "1.62.0"`, `rustc = "1.63.0"`},
		{`bindgen = "0.56.0"`, `bindgen = "0.60.1"`},
		{`version = "1.62.0"`, `version = "1.63.0"`},
		{`paths = ["library/core", "library/alloc"]`, `paths = ["library/core"]`},
	} {
		if !strings.Contains(spec, r[0]) {
			t.Fatalf("rvendor init's spec has no %s:\n%s", r[0], spec)
		}
		spec = strings.Replace(spec, r[0], r[1], 1)
	}
	spec = strings.Replace(spec, "version = 1\n", fmt.Sprintf(`version = 1

[sources]
rust-dist = %q
keyring = %q
crates-index = %q
`, dist.URL, dist.KeyringFile, index), 1)
	spec += `
[[component]]
name = "bindgen"
kind = "crate"
version = "0.60.1"
lockfile = "rust/vendor/bindgen.Cargo.lock"
dest = "rust/vendor/bindgen"
license = "BSD-3-Clause"
role = "host-tool"
`
	j.write("rvendor.toml", spec)
	lock, err := os.ReadFile(filepath.Join(reg.Dir, "Cargo.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(kdir, "rust/vendor"), 0o755); err != nil {
		t.Fatal(err)
	}
	j.write("rust/vendor/bindgen.Cargo.lock", string(lock))
	j.t.Logf("rvendor.toml:\n%s", spec)

	j.step("3. rvendor update; rvendor adopt rust/alloc")
	out := j.ok("rvendor update")
	for _, want := range []string{"library/stdarch/crates/core_arch", "library/portable-simd/crates/core_simd"} {
		if !strings.Contains(out, want) {
			t.Errorf("update does not say it added %s", want)
		}
	}
	j.ok("test -f rust/vendor/library/core/src/lib.rs && test -f rust/vendor/bindgen/bindgen/Cargo.toml")
	j.ok("rvendor adopt rust/alloc --component rust-alloc --from rust-src@1.63.0 --path library/alloc/src --patches rust/vendor/patches/rust-alloc --keyring " + dist.KeyringFile)
	j.ok("rvendor verify")

	j.step("4. the maintainer edit: drop #![feature(nll)], record it")
	lib := j.read("rust/alloc/lib.rs")
	nll := regexp.MustCompile(`(?m)^#!\[feature\(nll\)\].*\n`)
	if len(nll.FindAllString(lib, -1)) != 1 {
		t.Fatal("rust/alloc/lib.rs has no (or more than one) #![feature(nll)] line")
	}
	j.ok(`sed -i '/^#!\[feature(nll)\]/d' rust/alloc/lib.rs`)
	if got := j.read("rust/alloc/lib.rs"); got != nll.ReplaceAllString(lib, "") {
		t.Fatal("sed did not delete exactly the #![feature(nll)] line")
	}
	code, out := j.run("rvendor verify")
	if code != 1 || !regexp.MustCompile(`(?m)^\s*modified\s+rust/alloc/lib\.rs$`).MatchString(out) {
		t.Fatalf("verify after the edit: exit %d, want 1 naming rust/alloc/lib.rs", code)
	}
	j.ok(`rvendor patch record rust-alloc -m "rust/alloc: drop feature(nll), stable since Rust 1.63"`)
	j.ok("rvendor verify")
	j.wantStatus(
		" M rust/alloc/lib.rs",
		"?? rust/vendor/",
		"?? rvendor.lock",
		"?? rvendor.sum",
		"?? rvendor.toml",
	)
	j.ok(git + " add rvendor.toml rvendor.lock rvendor.sum rust/vendor rust/alloc/lib.rs && " + git + " commit -qm 'rust: vendor core and bindgen with rvendor, adopt alloc'")

	j.step("5. rvendor toolchain")
	j.ok("rvendor toolchain")

	j.step("6. rvendor build bindgen (vendored crates, offline)")
	// cargo as the machine has it (rustup's or Debian's), not the kernel PATH.
	j.env = append(append([]string{}, base...), "PATH="+bin+":"+origPath)
	code, bindgen, _ := j.runSplit("rvendor build bindgen --features clap,runtime,which-rustfmt,env_logger,logging | tail -n 1")
	if code != 0 {
		t.Fatalf("rvendor build bindgen: exit %d", code)
	}
	bindgen = strings.TrimSpace(bindgen)
	if !filepath.IsAbs(bindgen) || !strings.HasSuffix(bindgen, "/bindgen") {
		t.Fatalf("rvendor build printed %q, not a bindgen path", bindgen)
	}
	j.env = append(append([]string{}, base...), "PATH="+kpath, "BINDGEN="+bindgen)
	out = j.ok("rvendor env --make")
	if !strings.Contains(out, "BINDGEN="+bindgen) {
		t.Fatalf("rvendor env --make does not name the vendored bindgen %s", bindgen)
	}
	if !strings.Contains(out, "RUST_LIB_SRC="+filepath.Join(kdir, "rust/vendor/library")) &&
		!strings.Contains(out, "RUST_LIB_SRC=rust/vendor/library") {
		t.Fatalf("rvendor env --make does not name the vendored library")
	}
	if !strings.Contains(out, "RVENDOR_VERIFY="+filepath.Join(bin, "rvendor-verify")) {
		t.Fatalf("rvendor env --make does not name the rvendor-verify beside rvendor: %s", out)
	}

	j.step("7. the verify rule of docs/kbuild.md in rust/Makefile")
	rule := kbuildRule(t, repo)
	mk := j.read("rust/Makefile")
	anchor := "$(obj)/core.o: private skip_clippy = 1\n"
	if !strings.Contains(mk, anchor) {
		t.Fatalf("rust/Makefile has no %q", anchor)
	}
	j.write("rust/Makefile", strings.Replace(mk, anchor, rule+"\n"+anchor, 1))

	j.step("8a. configure x86_64_defconfig + RUST, SAMPLES_RUST, SAMPLE_RUST_MINIMAL")
	mkvars := `LLVM=1 $(rvendor env --make)`
	j.ok("make " + mkvars + " x86_64_defconfig")
	j.ok("scripts/config --enable RUST --enable SAMPLES --enable SAMPLES_RUST --enable SAMPLE_RUST_MINIMAL --enable WERROR")
	j.ok("make " + mkvars + " olddefconfig")
	cfg := j.read(".config")
	for _, want := range []string{"CONFIG_RUST=y", "CONFIG_SAMPLES_RUST=y", "CONFIG_SAMPLE_RUST_MINIMAL=y", "CONFIG_WERROR=y"} {
		if !regexp.MustCompile("(?m)^" + want + "$").MatchString(cfg) {
			t.Fatalf(".config lacks %s", want)
		}
	}

	j.step("8b. rvendor offline -- make LLVM=1 -j2 rust/ samples/rust/rust_minimal.o")
	build := "rvendor offline -- make LLVM=1 -j2 $(rvendor env --make) rust/ samples/rust/rust_minimal.o"
	out = j.ok(build)
	for _, o := range []string{"rust/core.o", "rust/alloc.o", "rust/kernel.o", "rust/bindings/bindings_generated.rs", "samples/rust/rust_minimal.o"} {
		j.ok("test -s " + o)
	}
	coreCmd := j.read("rust/.core.o.cmd")
	if !strings.Contains(coreCmd, filepath.Join(kdir, "rust/vendor/library/core/src/lib.rs")) &&
		!strings.Contains(coreCmd, "rust/vendor/library/core/src/lib.rs") {
		t.Fatalf("rust/.core.o.cmd does not compile the vendored core:\n%s", tail(coreCmd, 10))
	}
	bgCmd := j.read("rust/bindings/.bindings_generated.rs.cmd")
	if !strings.Contains(bgCmd, bindgen+" ") {
		t.Fatalf("rust/bindings/.bindings_generated.rs.cmd did not run the vendored bindgen %s:\n%s", bindgen, tail(bgCmd, 5))
	}

	j.step("9. negative run: an edited vendored core file stops the build")
	victim := "rust/vendor/library/core/src/hint.rs"
	orig := j.read(victim)
	coreO, err := os.Stat(filepath.Join(kdir, "rust/core.o"))
	if err != nil {
		t.Fatal(err)
	}
	j.write(victim, orig+"// an edit\n")
	named := regexp.MustCompile(`(?m)^\s*modified\s+` + regexp.QuoteMeta(victim) + `$`)
	stopped := regexp.MustCompile(`(?m)^make\[\d+\]: \*\*\* \[rust/Makefile:\d+: rvendor_verify\] Error 1$`)
	rustObj := regexp.MustCompile(`(?m)^\s*RUSTC .*\.(o|so)$`)
	code, out = j.run(build)
	if code == 0 {
		t.Fatal("the build passed with an edited vendored file")
	}
	if !named.MatchString(out) || !stopped.MatchString(out) {
		t.Fatalf("the failed build does not stop at the verify rule naming %s", victim)
	}
	if rustObj.MatchString(out) {
		t.Fatal("a Rust object was compiled before the verify rule stopped the build")
	}
	// The same with make -s, where Kbuild sends a rule's stdout to
	// /dev/null: the drift must still be named, on stderr.
	code, _, stderr := j.runSplit(strings.Replace(build, "make ", "make -s ", 1))
	if code == 0 || !named.MatchString(stderr) || !stopped.MatchString(stderr) || rustObj.MatchString(stderr) {
		t.Fatalf("make -s: exit %d; the drift of %s is not named on stderr at the verify rule", code, victim)
	}
	if st, err := os.Stat(filepath.Join(kdir, "rust/core.o")); err != nil || !st.ModTime().Equal(coreO.ModTime()) {
		t.Fatal("rust/core.o was rebuilt or removed")
	}
	j.write(victim, orig)
	j.ok("rvendor verify")

	j.step("10. git status")
	j.wantStatus(" M rust/Makefile")

	j.step("11. rvendor licenses, tree, sbom")
	j.full = true
	for _, c := range []string{"rvendor licenses", "rvendor tree", "rvendor sbom"} {
		c := c
		code, _ := j.run(c)
		if code != 0 {
			t.Errorf("%s: exit %d", c, code)
		}
	}
}
