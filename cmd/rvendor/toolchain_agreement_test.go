package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/internal/realdata"
)

// Issue 13: on every input, rvendor toolchain's verdict (exit 0 or not)
// agrees with the kernel's own scripts/rust_is_available.sh from the same
// tree, run as Kbuild runs it (by sh, and by bash as well). It refuses
// more only when the spec's pins are stricter than the kernel, and then
// says "pin violation". The inputs are modelled on the kernel's own test
// of the script (scripts/rust_is_available_test.py): fake rustc, bindgen
// and C compilers printing chosen outputs.

// agreeKernel is a kernel whose scripts take part: its scripts folder
// (rust_is_available.sh and what it runs) and its minimum versions.
type agreeKernel struct {
	name    string
	scripts string
	min     map[string]string // rustc, bindgen, llvm
}

// agreeCase is one input. Empty fields take the defaults: every tool at
// the kernel's minimum, CC a clang of the minimum llvm, the sysroot
// holding core.
type agreeCase struct {
	name       string
	rustc      string // rustc --version's first line; placeholders are replaced
	rustcExtra string // further lines of rustc --version --verbose
	rustcCode  int
	rustcErr   bool   // rustc prints its version on stderr
	sysroot    string // what rustc --print sysroot prints ("" the good one)
	sysrootErr bool   // rustc --print sysroot fails
	bindgen    string // bindgen --version's output
	bindgenErr bool   // bindgen --version fails
	libclang   string // bindgen's stderr for the libclang header
	libclangNo bool   // bindgen fails on the libclang header
	cc         string // clang --version's first line
	noShebang  bool   // rustc and bindgen have no "#!" line: sh runs them
	env        map[string]string
	// want is the script's verdict, as the kernel's test expects it for
	// the cases taken from it: "accept" or "refuse" ("" where kernels
	// differ). A different verdict means the fakes are wrong, not rvendor.
	want string
	// lib: run it also with a vendored library in the spec.
	lib bool
	// pinStricter: the kernel accepts a version only through its
	// arithmetic (100000*X + 100*Y + Z lets a patch level of 100 or more
	// spill into the minor), which a pin such as ">= 1.78.0" does not:
	// with pins, rvendor may refuse it, as a pin violation.
	pinStricter bool
}

// Placeholders in case fields, replaced per kernel and per fake folder.
const (
	phRustc    = "{rustc}"    // the kernel's minimum rustc
	phBindgen  = "{bindgen}"  // the kernel's minimum bindgen
	phLLVM     = "{llvm}"     // the kernel's minimum llvm
	phMissing  = "{missing}"  // a path that does not exist
	phNonExec  = "{nonexec}"  // a file that is not executable
	phFake     = "{fake}"     // the folder of the fake tools
	phGood     = "{good}"     // a library folder that holds core
	phSysroot  = "{sysroot}"  // a sysroot whose library holds core
	phNoCore   = "{nocore}"   // a sysroot whose library lacks core
	phDirCore  = "{dircore}"  // a library whose core/src/lib.rs is a folder
	phLibclang = "{libclang}" // the header line bindgen prints, minus the version
)

func agreementCases() []agreeCase {
	lc := func(v string) string { return phLibclang + v + " [-W#pragma-messages], err: false" }
	return []agreeCase{
		{name: "default", want: "accept", lib: true},
		// Tools that cannot be found or run.
		{name: "rustc missing", env: map[string]string{"RUSTC": phMissing}, want: "refuse"},
		{name: "rustc not executable", env: map[string]string{"RUSTC": phNonExec}, want: "refuse"},
		{name: "rustc unexpected binary", env: map[string]string{"RUSTC": "true"}, want: "refuse"},
		{name: "rustc by name on PATH", env: map[string]string{"RUSTC": "rustc"}, want: "accept"},
		{name: "rustc name not on PATH", env: map[string]string{"RUSTC": "rustc-nope"}, want: "refuse"},
		{name: "rustc with a space", env: map[string]string{"RUSTC": "ccache rustc"}, want: "refuse"},
		{name: "rustc and bindgen without #!", noShebang: true, want: "accept", lib: true},
		{name: "bindgen missing", env: map[string]string{"BINDGEN": phMissing}, want: "refuse"},
		{name: "bindgen not executable", env: map[string]string{"BINDGEN": phNonExec}, want: "refuse"},
		{name: "bindgen unexpected binary", env: map[string]string{"BINDGEN": "true"}, want: "refuse"},
		// rustc --version outputs.
		{name: "rustc exits 1", rustcCode: 1, want: "refuse"},
		{name: "rustc prints on stderr", rustcErr: true, want: "refuse"},
		{name: "rustc unexpected name", rustc: "unexpected {rustc} (a8314ef7d 2022-06-27)", want: "refuse"},
		{name: "rustc unexpected version", rustc: "rustc unexpected (a8314ef7d 2022-06-27)", want: "refuse"},
		{name: "rustc no minor", rustc: "rustc 1.78 (a8314ef7d 2022-06-27)", want: "refuse"},
		{name: "rustc old", rustc: "rustc 1.60.0 (a8314ef7d 2022-06-27)", want: "refuse", lib: true},
		{name: "rustc newer", rustc: "rustc 1.96.0 (ac68faa20 2026-05-25)", want: "accept", lib: true},
		{name: "rustc -dev", rustc: "rustc {rustc}-dev (a8314ef7d 2022-06-27)", want: "accept", lib: true},
		{name: "rustc -1.60.0", rustc: "rustc {rustc}-1.60.0 (a8314ef7d 2022-06-27)", want: "accept"},
		{name: "rustc nightly", rustc: "rustc {rustc}-nightly (a1b2c3d4e 2024-05-01)", want: "accept"},
		{name: "rustc +dfsg1", rustc: "rustc {rustc}+dfsg1", want: "accept"},
		{name: "rustc no space before parenthesis", rustc: "rustc {rustc}(a8314ef7d 2022-06-27)", want: "accept"},
		{name: "rustc prefixed name", rustc: "xrustc {rustc}", want: "accept"},
		{name: "rustc version on second line", rustc: "Welcome\nrustc {rustc}", want: "refuse"},
		{name: "rustc verbose release disagrees", rustcExtra: "release: 1.10.0", want: "accept"},
		{name: "rustc patch overflows into minor", rustc: "rustc 1.77.999", want: "accept", pinStricter: true},
		{name: "rustc leading 0, not octal", rustc: "rustc 1.078.0", want: "refuse"},
		{name: "rustc leading 0, octal", rustc: "rustc 1.0100.0"},                      // 1.64.0: 6.1 accepts, 6.12 refuses
		{name: "bindgen leading 0, octal", bindgen: "bindgen 0.065.1", want: "refuse"}, // 0.53.1
		{name: "rustc 1.100.0", rustc: "rustc 1.100.0 (aaaaaaaaa 2026-12-01)", want: "accept"},
		// bindgen --version outputs.
		{name: "bindgen fails", bindgenErr: true, want: "refuse"},
		{name: "bindgen unexpected name", bindgen: "unexpected {bindgen}", want: "refuse"},
		{name: "bindgen unexpected version", bindgen: "bindgen unexpected", want: "refuse"},
		{name: "bindgen no minor", bindgen: "bindgen 0.65", want: "refuse"},
		{name: "bindgen old", bindgen: "bindgen 0.50.0", want: "refuse"},
		{name: "bindgen -dev", bindgen: "bindgen {bindgen}-dev", want: "accept"},
		{name: "bindgen -0.999.0", bindgen: "bindgen {bindgen}-0.999.0", want: "accept"},
		{name: "bindgen-cli", bindgen: "bindgen-cli {bindgen}", want: "refuse"},
		{name: "bindgen 0.66.0 unpatched", bindgen: "bindgen 0.66.0", want: "accept"},
		{name: "bindgen 0.66.1 unpatched", bindgen: "bindgen 0.66.1", want: "accept"},
		{name: "bindgen patch overflows into minor", bindgen: "bindgen 0.64.200", want: "accept", pinStricter: true},
		{name: "bindgen newer", bindgen: "bindgen 0.72.1", want: "accept"},
		// The libclang bindgen loads.
		{name: "libclang failure", libclangNo: true, want: "refuse"},
		{name: "libclang unexpected version", libclang: lc("unexpected"), want: "refuse"},
		{name: "libclang old", libclang: lc("10.0.0"), want: "refuse"},
		{name: "libclang git", libclang: phLibclang + "{llvm} (https://github.com/llvm/llvm-project.git 4a2c05b05ed07f1f620e94f6524a8b4b2760a0b1) [-W#pragma-messages], err: false", want: "accept"},
		{name: "libclang fedora", libclang: lc("{llvm} (Fedora 13.0.0-3.fc35)"), want: "accept"},
		{name: "libclang long path", libclang: "/home/jd/linux-6.1/source/scripts/rust_is_available_bindgen_libclang.h:2:9: warning: clang version {llvm}  [-W#pragma-messages], err: false", want: "accept"},
		{name: "libclang after a locale warning", libclang: "\n/nix/store/x-bash-5.1-p16/bin/bash: warning: setlocale: LC_ALL: cannot change locale (c)\n" + lc("{llvm} ") + "\n", want: "accept"},
		{name: "libclang suffix without space", libclang: lc("{llvm}-dev"), want: "accept"},
		{name: "libclang on two lines, the first counts", libclang: lc("10.0.0") + "\n" + lc("{llvm}"), want: "refuse"},
		{name: "libclang on two lines, the first is enough", libclang: lc("{llvm}") + "\n" + lc("10.0.0"), want: "accept"},
		{name: "libclang different from clang", libclang: lc("999.0.0"), want: "accept"},
		{name: "libclang 19.1 with bindgen 0.69.4", bindgen: "bindgen 0.69.4", libclang: lc("19.1.0"), cc: "clang version 19.1.0", want: "accept"},
		{name: "libclang 22 with bindgen 0.71.1", bindgen: "bindgen 0.71.1", libclang: lc("22.1.0"), cc: "clang version 22.1.0", want: "accept"},
		// The C compiler.
		{name: "clang different", cc: "clang version 999.0.0", want: "accept"},
		{name: "clang -dev", cc: "clang version {llvm}-dev", want: "accept"},
		{name: "clang ubuntu", cc: "Ubuntu clang version {llvm}-2~ubuntu20.04.1", want: "accept"},
		{name: "clang git", cc: "clang version {llvm} (https://github.com/llvm/llvm-project.git 4a2c05b05ed07f1f620e94f6524a8b4b2760a0b1)", want: "accept"},
		{name: "CC unknown", env: map[string]string{"CC": phMissing}, want: "accept"},
		{name: "CC gcc", env: map[string]string{"CC": phFake + "/gcc"}, want: "accept"},
		{name: "CC ccache clang", env: map[string]string{"CC": phFake + "/ccache " + phFake + "/clang"}, want: "accept"},
		{name: "CC wrapper then clang", env: map[string]string{"CC": phFake + "/ccache clang"}, want: "accept"},
		{name: "CC empty", env: map[string]string{"CC": ""}, want: "accept"},
		// Where core comes from.
		{name: "RUST_LIB_SRC missing", env: map[string]string{"RUST_LIB_SRC": phMissing}, want: "refuse", lib: true},
		{name: "RUST_LIB_SRC holds core", env: map[string]string{"RUST_LIB_SRC": phGood}, want: "accept", lib: true},
		{name: "RUST_LIB_SRC core lib.rs is a folder", env: map[string]string{"RUST_LIB_SRC": phDirCore}, want: "accept"},
		{name: "RUST_LIB_SRC empty, sysroot lacks core", sysroot: phNoCore, env: map[string]string{"RUST_LIB_SRC": ""}, want: "refuse"},
		{name: "sysroot lacks core", sysroot: phNoCore, want: "refuse", lib: true},
		{name: "sysroot fails", sysrootErr: true, want: "refuse", lib: true},
		{name: "sysroot fails with RUST_LIB_SRC", sysrootErr: true, env: map[string]string{"RUST_LIB_SRC": phGood}, want: "refuse", lib: true},
		{name: "KRUSTFLAGS sysroot missing", env: map[string]string{"KRUSTFLAGS": "--sysroot=" + phMissing}, want: "refuse", lib: true},
		{name: "KRUSTFLAGS sysroot good", sysroot: phNoCore, env: map[string]string{"KRUSTFLAGS": "--sysroot=" + phSysroot}, want: "accept", lib: true},
		{name: "KRUSTFLAGS sysroot as two words", sysroot: phNoCore, env: map[string]string{"KRUSTFLAGS": "-Copt-level=2 --sysroot " + phSysroot}, want: "accept"},
		{name: "KRUSTFLAGS sysroot, RUST_LIB_SRC wins", env: map[string]string{"KRUSTFLAGS": "--sysroot=" + phMissing, "RUST_LIB_SRC": phGood}, want: "accept"},
		// HOSTRUSTC is not the script's business.
		{name: "HOSTRUSTC missing", env: map[string]string{"HOSTRUSTC": phMissing}, want: "accept"},
		{name: "HOSTRUSTC another rustc", env: map[string]string{"HOSTRUSTC": phFake + "/rustc-other"}, want: "accept"},
		{name: "HOSTRUSTC the same rustc", env: map[string]string{"HOSTRUSTC": phFake + "/rustc"}, want: "accept"},
	}
}

// strictCase is an input the script accepts and rvendor refuses because
// the spec pins more than the kernel.
type strictCase struct {
	name      string
	toolchain string // the spec's [toolchain] body
	c         agreeCase
	lib       string // a vendored library of this version; "" none
}

func strictCases() []strictCase {
	return []strictCase{
		{name: "rustc exact pin above", toolchain: `rustc = "1.96.0"`},
		{name: "rustc range above", toolchain: `rustc = ">= 1.96.0"`},
		{name: "bindgen pin above", toolchain: `bindgen = ">= 0.99.0"`},
		{name: "libclang pin above", toolchain: `libclang = ">= 99.0.0"`},
		{name: "clang outside the libclang pin", toolchain: `libclang = "< 100.0.0"`,
			c: agreeCase{cc: "clang version 999.0.0"}},
		{name: "require-llvm-match", toolchain: `require-llvm-match = true`,
			c: agreeCase{rustcExtra: "LLVM version: 98.0.0"}},
		{name: "HOSTRUSTC outside the rustc pin", toolchain: `rustc = "{rustc}"`,
			c: agreeCase{env: map[string]string{"HOSTRUSTC": phFake + "/rustc-other"}}},
		{name: "clang below the libclang pin", toolchain: `libclang = ">= {llvm}"`,
			c: agreeCase{cc: "clang version 10.0.0"}},
		{name: "vendored library older than rustc", c: agreeCase{rustc: "rustc 1.96.0 (ac68faa20 2026-05-25)"}, lib: "{rustc}"},
	}
}

// agreeKernels returns the kernels whose scripts the test runs: Linux
// 6.12 from the real data, and Linux 6.1's, extracted from Debian's
// linux-source-6.1 package.
func agreeKernels(t *testing.T) []agreeKernel {
	t.Helper()
	k612 := filepath.Join(agreeNeed(t, "linux-6.12"), "scripts")
	debs, _ := filepath.Glob(filepath.Join(realdata.Root(), "debs", "linux-source-6.1_*.deb"))
	if len(debs) == 0 {
		agreeNeed(t, "debs/linux-source-6.1_*.deb")
	}
	for _, tool := range []string{"dpkg-deb", "tar", "xz", "bash", "sh"} {
		if _, err := exec.LookPath(tool); err != nil {
			agreeMissing(t, tool+" (to unpack and run the kernel's scripts)")
		}
	}
	d61 := t.TempDir()
	want := []string{"rust_is_available.sh", "rust_is_available_bindgen_libclang.h", "min-tool-version.sh", "cc-version.sh"}
	var members []string
	for _, w := range want {
		members = append(members, "linux-source-6.1/scripts/"+w)
	}
	sh := fmt.Sprintf("dpkg-deb --fsys-tarfile %q | tar -xO ./usr/src/linux-source-6.1.tar.xz | tar -xJ --occurrence=1 --strip-components=1 -C %q %s",
		debs[len(debs)-1], d61, strings.Join(members, " "))
	if out, err := exec.Command("sh", "-c", sh).CombinedOutput(); err != nil {
		t.Fatalf("extracting Linux 6.1's scripts: %v\n%s", err, out)
	}
	var ks []agreeKernel
	for _, k := range []agreeKernel{{name: "linux-6.12", scripts: k612}, {name: "linux-6.1", scripts: filepath.Join(d61, "scripts")}} {
		k.min = map[string]string{}
		for _, tool := range []string{"rustc", "bindgen", "llvm"} {
			out, err := exec.Command("sh", filepath.Join(k.scripts, "min-tool-version.sh"), tool).Output()
			if err != nil {
				t.Fatalf("%s: min-tool-version.sh %s: %v", k.name, tool, err)
			}
			k.min[tool] = strings.TrimSpace(string(out))
		}
		ks = append(ks, k)
	}
	return ks
}

func agreeNeed(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(realdata.Root(), rel)
	if _, err := os.Stat(p); err != nil {
		agreeMissing(t, p)
	}
	return p
}

func agreeMissing(t *testing.T, what string) {
	t.Helper()
	msg := fmt.Sprintf("toolchain agreement: %s not found: run bash .ci/realdata.sh as root (or set %s)", what, realdata.EnvVar)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func TestToolchainAgreesWithRustIsAvailable(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the kernel's script a few hundred times")
	}
	for _, k := range agreeKernels(t) {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel() // each kernel has its own tree and fakes
			w := newAgreeWorld(t, k)
			n := 0
			for _, c := range agreementCases() {
				n += w.agree(t, c)
			}
			for _, s := range strictCases() {
				n++
				w.strict(t, s)
			}
			t.Logf("%d inputs: %d cases with no spec, loose pins and a vendored library, and %d with stricter pins; the script run by sh and bash",
				n, len(agreementCases()), len(strictCases()))
		})
	}
}

// agreeWorld is a fake kernel tree and the folders the fakes use.
type agreeWorld struct {
	k                                   agreeKernel
	tree, fake, util, work              string
	good, sysroot, nocore, dircore, lib string
	repl                                *strings.Replacer
}

func newAgreeWorld(t *testing.T, k agreeKernel) *agreeWorld {
	t.Helper()
	root := t.TempDir()
	w := &agreeWorld{k: k, tree: filepath.Join(root, "linux"), fake: filepath.Join(root, "fake"), util: filepath.Join(root, "util"), work: filepath.Join(root, "work")}
	w.good = filepath.Join(root, "good")
	w.sysroot = filepath.Join(root, "sysroot")
	w.nocore = filepath.Join(root, "nocore")
	w.dircore = filepath.Join(root, "dircore")
	w.lib = filepath.Join(w.tree, "rust", "vendor", "library")
	for _, d := range []string{w.tree + "/scripts", w.fake, w.util, w.work, w.nocore} {
		mustMkdir(t, d)
	}
	for _, f := range []string{filepath.Join(w.good, "core/src/lib.rs"), filepath.Join(w.sysroot, "lib/rustlib/src/rust/library/core/src/lib.rs"), filepath.Join(w.lib, "core/src/lib.rs")} {
		mustWrite(t, f, "#![no_std]\n", 0o644)
	}
	mustMkdir(t, filepath.Join(w.dircore, "core/src/lib.rs"))
	mustWrite(t, filepath.Join(w.tree, "Kbuild"), "", 0o644)
	mustWrite(t, filepath.Join(w.tree, "Makefile"), "", 0o644)
	files, _ := filepath.Glob(filepath.Join(k.scripts, "rust_is_available*"))
	files = append(files, filepath.Join(k.scripts, "min-tool-version.sh"), filepath.Join(k.scripts, "cc-version.sh"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mustWrite(t, filepath.Join(w.tree, "scripts", filepath.Base(f)), string(b), 0o755)
	}
	// Only these programs are on PATH besides the fakes: no real rustc,
	// bindgen or clang can be found by accident.
	for _, u := range []string{"sh", "bash", "sed", "cut", "dirname", "cat", "grep", "true"} {
		p, err := exec.LookPath(u)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(p, filepath.Join(w.util, u)); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite(t, filepath.Join(w.work, "nonexec"), "nonexecutable", 0o644)
	w.repl = strings.NewReplacer(phRustc, k.min["rustc"], phBindgen, k.min["bindgen"], phLLVM, k.min["llvm"],
		phMissing, filepath.Join(w.work, "missing"), phNonExec, filepath.Join(w.work, "nonexec"), phFake, w.fake,
		phGood, w.good, phSysroot, w.sysroot, phNoCore, w.nocore, phDirCore, w.dircore,
		phLibclang, "scripts/rust_is_available_bindgen_libclang.h:2:9: warning: clang version ")
	return w
}

func mustMkdir(t *testing.T, d string) {
	t.Helper()
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustWrite(t *testing.T, f, s string, mode os.FileMode) {
	t.Helper()
	mustMkdir(t, filepath.Dir(f))
	if err := os.WriteFile(f, []byte(s), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(f, mode); err != nil {
		t.Fatal(err)
	}
}

// heredoc prints s verbatim from a shell script, to fd (1 or 2).
func heredoc(s string, fd int) string {
	return fmt.Sprintf("cat >&%d <<'RVENDOR_END'\n%s\nRVENDOR_END\n", fd, s)
}

// setup writes the fake tools for c and returns the environment Kbuild
// would pass.
func (w *agreeWorld) setup(t *testing.T, c agreeCase) map[string]string {
	t.Helper()
	r := w.repl.Replace
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return r(s)
	}
	llvm := w.k.min["llvm"]
	sysroot := or(c.sysroot, w.sysroot)
	sysCode := 0
	if c.sysrootErr {
		sysCode = 1
	}
	fd := 1
	if c.rustcErr {
		fd = 2
	}
	rustcOut := or(c.rustc, "rustc "+w.k.min["rustc"]+" (a8314ef7d 2022-06-27)")
	if c.rustcExtra != "" {
		rustcOut += "\n" + r(c.rustcExtra)
	}
	shebang := "#!/bin/sh\n"
	if c.noShebang {
		shebang = ""
	}
	mustWrite(t, filepath.Join(w.fake, "rustc"), shebang+`case " $* " in
*" --print sysroot "*)
	prev=
	for a in "$@"; do
		case "$a" in --sysroot=*) echo "${a#--sysroot=}"; exit 0 ;; esac
		if [ "$prev" = --sysroot ]; then echo "$a"; exit 0; fi
		prev=$a
	done
	echo '`+sysroot+`'
	exit `+fmt.Sprint(sysCode)+`
	;;
esac
`+heredoc(rustcOut, fd)+fmt.Sprintf("exit %d\n", c.rustcCode), 0o755)
	mustWrite(t, filepath.Join(w.fake, "rustc-other"), "#!/bin/sh\necho 'rustc 1.96.0 (ac68faa20 2026-05-25)'\n", 0o755)
	libclang := or(c.libclang, r(phLibclang)+llvm+" [-W#pragma-messages], err: false")
	lcCode, bgCode := 0, 0
	if c.libclangNo {
		lcCode = 42
	}
	if c.bindgenErr {
		bgCode = 1
	}
	mustWrite(t, filepath.Join(w.fake, "bindgen"), shebang+`case "$*" in
*rust_is_available_bindgen_libclang.h*)
	`+heredoc(libclang, 2)+fmt.Sprintf("\texit %d\n", lcCode)+`	;;
*rust_is_available_bindgen_0_66.h*) exit 1 ;;
*rust_is_available_bindgen_libclang_*.h*) exit 0 ;;
esac
`+heredoc(or(c.bindgen, "bindgen "+w.k.min["bindgen"]), 1)+fmt.Sprintf("exit %d\n", bgCode), 0o755)
	parts := strings.SplitN(llvm, ".", 3)
	mustWrite(t, filepath.Join(w.fake, "clang"), `#!/bin/sh
case "$*" in *-E*) echo 'Clang `+strings.Join(parts, " ")+`'; exit 0 ;; esac
`+heredoc(or(c.cc, "clang version "+llvm), 1), 0o755)
	mustWrite(t, filepath.Join(w.fake, "gcc"), "#!/bin/sh\ncase \"$*\" in *-E*) echo 'GCC 12 2 0'; exit 0 ;; esac\necho 'gcc (Debian 12.2.0-14) 12.2.0'\n", 0o755)
	mustWrite(t, filepath.Join(w.fake, "ccache"), "#!/bin/sh\nexec \"$@\"\n", 0o755)
	env := map[string]string{
		"PATH":    w.fake + ":" + w.util,
		"RUSTC":   filepath.Join(w.fake, "rustc"),
		"BINDGEN": filepath.Join(w.fake, "bindgen"),
		"CC":      filepath.Join(w.fake, "clang"),
		"HOME":    w.work,
	}
	for k, v := range c.env {
		env[k] = r(v)
	}
	return env
}

// writeSpec writes rvendor.toml (and rvendor.lock for a library) into the
// tree, or removes them for spec "".
func (w *agreeWorld) writeSpec(t *testing.T, toolchain, libVersion string) {
	t.Helper()
	spec, lock := filepath.Join(w.tree, "rvendor.toml"), filepath.Join(w.tree, "rvendor.lock")
	os.Remove(spec)
	os.Remove(lock)
	if toolchain == "" && libVersion == "" {
		return
	}
	s := "version = 1\n\n[toolchain]\n" + w.repl.Replace(toolchain) + "\n"
	if libVersion != "" {
		comp := fmt.Sprintf(`
[[component]]
name = "rust-library"
kind = "rust-src"
version = %q
paths = ["library/core"]
dest = "rust/vendor/library"
license = "MIT OR Apache-2.0"
`, w.repl.Replace(libVersion))
		s += comp
		mustWrite(t, lock, "version = 1\n"+strings.Replace(comp, `license = "MIT OR Apache-2.0"`, "root = \"library\"\nlicense = \"MIT OR Apache-2.0\"\nupstream = \"h1:x\"\ntree = \"h1:x\"\nfiles = 1\nbytes = 1", 1), 0o644)
	}
	mustWrite(t, spec, s, 0o644)
}

// looseToolchain pins every tool no tighter than the kernel does.
const looseToolchain = "rustc = \">= {rustc}\"\nbindgen = \">= {bindgen}\"\nlibclang = \">= {llvm}\""

// runScript runs the kernel's script as Kbuild does, by shell; it reports
// whether it accepted, and its stderr.
func (w *agreeWorld) runScript(t *testing.T, shell string, env map[string]string) (bool, string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(w.util, shell), filepath.Join(w.tree, "scripts", "rust_is_available.sh"))
	cmd.Dir = w.tree
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var e bytes.Buffer
	cmd.Stderr = &e
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("running the kernel's script: %v", err)
	}
	return err == nil, e.String()
}

// runToolchainIn runs rvendor toolchain in the tree with env as its whole
// environment.
func (w *agreeWorld) runToolchainIn(env map[string]string) (bool, string) {
	var out, errb bytes.Buffer
	code := run([]string{"-C", w.tree, "toolchain"}, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	return code == 0, out.String() + errb.String()
}

func verdict(ok bool) string {
	if ok {
		return "accept"
	}
	return "refuse"
}

var kernelRustcRE = regexp.MustCompile(`^.*rustc ([0-9]+\.[0-9]+\.[0-9]+)`)

// agree runs one input through the script (by sh and by bash) and
// through rvendor toolchain, with no spec, with a spec whose pins are no
// stricter than the kernel ("loose"), and for c.lib also with a vendored
// library of rustc's release, which the build reads as RUST_LIB_SRC
// (from rvendor env) unless that is set. It returns how many inputs
// rvendor judged.
func (w *agreeWorld) agree(t *testing.T, c agreeCase) int {
	t.Helper()
	env := w.setup(t, c)
	label := fmt.Sprintf("%s %q", w.k.name, c.name)
	script := func(env map[string]string) (bool, string) {
		shOK, shErr := w.runScript(t, "sh", env)
		if bashOK, bashErr := w.runScript(t, "bash", env); shOK != bashOK {
			t.Errorf("%s: the kernel's script: sh says %s, bash says %s\nsh:\n%s\nbash:\n%s", label, verdict(shOK), verdict(bashOK), shErr, bashErr)
		}
		return shOK, shErr
	}
	baseOK, baseErr := script(env)
	if c.want != "" && verdict(baseOK) != c.want {
		t.Errorf("%s: the kernel's script says %s, the case expects %s: the test's fakes are wrong\n%s", label, verdict(baseOK), c.want, baseErr)
	}
	specs := []string{"", "loose"}
	if c.lib {
		specs = append(specs, "library")
	}
	for _, spec := range specs {
		ok, serr := baseOK, baseErr
		switch spec {
		case "":
			w.writeSpec(t, "", "")
		case "loose":
			w.writeSpec(t, looseToolchain, "")
		case "library":
			v := w.k.min["rustc"]
			if m := kernelRustcRE.FindStringSubmatch(strings.Split(w.repl.Replace(c.rustc), "\n")[0]); c.rustc != "" && m != nil {
				v = m[1]
			}
			w.writeSpec(t, looseToolchain, v)
			if _, set := env["RUST_LIB_SRC"]; !set {
				libEnv := map[string]string{"RUST_LIB_SRC": w.lib}
				for k, v := range env {
					libEnv[k] = v
				}
				ok, serr = script(libEnv)
			}
		}
		rvOK, rvOut := w.runToolchainIn(env)
		switch {
		case rvOK == ok:
		case ok && spec != "" && c.pinStricter && strings.Contains(rvOut, "pin violation"):
			// The pin is stricter than the kernel's arithmetic here.
		default:
			t.Errorf("%s (spec: %s): rvendor toolchain says %s, the kernel's script says %s\nscript:\n%s\nrvendor:\n%s", label, spec, verdict(rvOK), verdict(ok), serr, rvOut)
		}
	}
	return len(specs)
}

// strict runs an input the script accepts with a spec that pins more:
// rvendor must refuse and say "pin violation".
func (w *agreeWorld) strict(t *testing.T, s strictCase) {
	t.Helper()
	env := w.setup(t, s.c)
	label := fmt.Sprintf("%s stricter pins %q", w.k.name, s.name)
	w.writeSpec(t, s.toolchain, s.lib)
	scriptEnv := env
	if s.lib != "" {
		scriptEnv = map[string]string{"RUST_LIB_SRC": w.lib}
		for k, v := range env {
			scriptEnv[k] = v
		}
	}
	if ok, e := w.runScript(t, "sh", scriptEnv); !ok {
		t.Errorf("%s: the kernel's script refuses; the case must be one it accepts:\n%s", label, e)
		return
	}
	ok, out := w.runToolchainIn(env)
	if ok {
		t.Errorf("%s: rvendor toolchain accepts; the spec's pins are stricter, it must refuse:\n%s", label, out)
	} else if !strings.Contains(out, "pin violation") {
		t.Errorf("%s: rvendor toolchain refuses without saying \"pin violation\":\n%s", label, out)
	}
}
