package policy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// Status is the outcome of one check.
type Status string

// The statuses of a check, from best to worst.
const (
	StatusOK      Status = "ok"
	StatusWarning Status = "warning"
	StatusError   Status = "error"
)

// Names of the toolchain checks, in the order CheckToolchain reports them.
const (
	CheckRustc         = "rustc"          // rustc against [toolchain] rustc
	CheckBindgen       = "bindgen"        // bindgen against [toolchain] bindgen
	CheckLibclang      = "libclang"       // libclang as bindgen sees it, against [toolchain] libclang
	CheckClang         = "clang"          // clang --version against [toolchain] libclang
	CheckClangLibclang = "clang-libclang" // clang and bindgen's libclang are the same version
	CheckRustLibrary   = "rust-library"   // the vendored library's version equals rustc's release
	CheckRustLibSrc    = "rust-lib-src"   // the library the build reads (RUST_LIB_SRC or the sysroot's) has core
	CheckHostRustc     = "hostrustc"      // $HOSTRUSTC is rustc's release (and satisfies the rustc pin)
	CheckLLVMMatch     = "llvm-match"     // rustc's LLVM major equals clang's
	CheckKernelRustc   = "kernel-rustc"   // rustc and its pin against the kernel's minimum
	CheckKernelBindgen = "kernel-bindgen" // bindgen and its pin against the kernel's minimum
	CheckKernelLLVM    = "kernel-llvm"    // libclang and its pin against the kernel's minimum llvm
)

// Check is one line of a toolchain report.
type Check struct {
	Name    string
	Status  Status
	Found   string // what the machine has; "" when unknown
	Wanted  string // what the spec or the kernel asks for
	Source  string // where Wanted is written: "rvendor.toml:4:9", "scripts/min-tool-version.sh rustc"
	Message string // why, and what to do, for a warning or an error
}

// ToolchainReport is the result of CheckToolchain.
type ToolchainReport struct {
	Checks []Check
}

// Count returns how many checks have status s.
func (r *ToolchainReport) Count(s Status) int {
	n := 0
	for _, c := range r.Checks {
		if c.Status == s {
			n++
		}
	}
	return n
}

// ErrToolchain is wrapped by ToolchainReport.Err when a check failed.
var ErrToolchain = errors.New("the toolchain does not meet the pins or the kernel's minimums")

// Err returns nil when no check is an error, and otherwise an error
// wrapping ErrToolchain that names the failed checks.
func (r *ToolchainReport) Err() error {
	var names []string
	for _, c := range r.Checks {
		if c.Status == StatusError {
			names = append(names, c.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %d check(s) failed: %s", ErrToolchain, len(names), strings.Join(names, ", "))
}

// Library is the vendored Rust library (the rust-src or rustc-src
// component) as spec and lock record it.
type Library struct {
	Component string // its name
	Kind      string
	Version   string // the spec's version: "1.78.0", "nightly-2024-05-01"
	Locked    string // the lock's version; "" when not yet vendored
	Dir       string // absolute RUST_LIB_SRC: the dest mirroring library/
	Source    string // where the version is written in the spec
	// Chosen says which component provides core and how it was told
	// apart, when the spec has several rust-src or rustc-src components;
	// "" when it has one.
	Chosen string
}

// ToolchainInput is what CheckToolchain compares.
type ToolchainInput struct {
	// Pins from the spec; nil when there is no spec.
	Pins *vendorspec.Toolchain
	// Library is the vendored Rust library; nil when the spec has none.
	Library *Library
	// KernelMin holds scripts/min-tool-version.sh's rustc, bindgen and
	// llvm minimums; nil outside a kernel tree.
	KernelMin map[string]string
	Found     *Found
	// LibSrc is the library folder the build reads core from; nil when
	// it is not known (no rustc to ask for its sysroot).
	LibSrc *LibSrc
}

// LibSrc is the Rust library folder a kernel build reads core from,
// found as scripts/rust_is_available.sh finds it: $RUST_LIB_SRC, else
// "$(rustc $KRUSTFLAGS --print sysroot)/lib/rustlib/src/rust/library".
// Where the spec vendors a library and $RUST_LIB_SRC is not set, it is
// the vendored library, the RUST_LIB_SRC that rvendor env gives the build.
type LibSrc struct {
	Dir  string // the folder
	From string // how it was found: "$RUST_LIB_SRC", "rustc $KRUSTFLAGS --print sysroot", "rvendor env"
	// Err is set when rustc $KRUSTFLAGS --print sysroot failed: the
	// kernel's script runs it even when $RUST_LIB_SRC is set, and then
	// refuses the build.
	Err error
}

// CheckToolchain compares the found tools with the pins, the vendored
// library and the kernel's minimums. It only compares: Probe runs the
// tools. Every check that applies is reported, in the order of the Check*
// names.
func CheckToolchain(in ToolchainInput) *ToolchainReport {
	k := &checker{in: in, f: in.Found, pins: in.Pins, r: &ToolchainReport{}}
	if k.pins == nil {
		k.pins = &vendorspec.Toolchain{}
	}
	f, pins := k.f, k.pins
	kernel := in.KernelMin != nil
	if f.RustcErr == nil {
		k.rustc = f.Rustc.Version.String()
		if f.Rustc.CommitHash != "" {
			k.rustc += fmt.Sprintf(" (%s %s)", shortHash(f.Rustc.CommitHash), f.Rustc.CommitDate)
		}
	}
	if f.BindgenErr == nil {
		k.bindgen = f.Bindgen.String()
	}
	if f.LibclangErr == nil {
		k.libclang = f.Libclang.String()
	}
	if f.ClangErr == nil {
		k.clang = f.Clang.String()
	}
	k.pinned(CheckRustc, "rustc", pins.Rustc, f.Rustc.Version, k.rustc, f.RustcErr, kernel)
	k.pinned(CheckBindgen, "bindgen", pins.Bindgen, f.Bindgen, k.bindgen, f.BindgenErr, kernel)
	k.pinned(CheckLibclang, "libclang", pins.Libclang, f.Libclang, k.libclang, f.LibclangErr, kernel)
	k.checkClang()
	if f.ClangErr == nil && f.LibclangErr == nil {
		c := Check{Name: CheckClangLibclang, Found: "libclang " + k.libclang, Wanted: "clang " + k.clang, Status: StatusOK}
		if f.Clang.Compare(f.Libclang) != 0 {
			c.Status = StatusWarning
			c.Message = "bindgen's libclang is not the clang that compiles the C code: the bindings may not match the C ABI (point LIBCLANG_PATH at clang's libclang)"
		}
		k.add(c)
	}
	if lib := in.Library; lib != nil {
		k.add(checkLibrary(lib, f))
	}
	if in.LibSrc != nil {
		k.add(checkLibSrc(in.LibSrc, in.Library))
	}
	if f.Paths.HostRustc != "" {
		k.checkHostRustc()
	}
	if f.RustcErr == nil && !f.Rustc.LLVM.IsZero() {
		k.checkLLVMMatch()
	}
	if kernel {
		k.kernel(CheckKernelRustc, "rustc", "rustc", pins.Rustc, f.Rustc.Version, k.rustc, f.RustcErr)
		k.kernel(CheckKernelBindgen, "bindgen", "bindgen", pins.Bindgen, f.Bindgen, k.bindgen, f.BindgenErr)
		k.kernel(CheckKernelLLVM, "llvm", "libclang", pins.Libclang, f.Libclang, k.libclang, f.LibclangErr)
	}
	return k.r
}

// checker holds what CheckToolchain's checks share.
type checker struct {
	in                              ToolchainInput
	f                               *Found
	pins                            *vendorspec.Toolchain
	r                               *ToolchainReport
	rustc, bindgen, libclang, clang string // the found versions as reported
}

func (k *checker) add(c Check) { k.r.Checks = append(k.r.Checks, c) }

func (k *checker) pinSource(key string) string { return posString(k.pins.Pos.At(key)) }

// pinned checks one tool against its pin.
func (k *checker) pinned(name, key, pin string, found Version, foundText string, ferr error, needed bool) {
	c := Check{Name: name, Found: foundText, Wanted: pin, Source: k.pinSource(key)}
	if pin == "" {
		c.Wanted, c.Source = "(not pinned)", ""
	}
	switch {
	case ferr != nil && (pin != "" || needed):
		c.Status, c.Message = StatusError, ferr.Error()
	case ferr != nil:
		c.Status, c.Message = StatusWarning, ferr.Error()
	case pin == "":
		c.Status = StatusOK
	default:
		p, err := ParsePin(pin)
		switch {
		case err != nil:
			c.Status, c.Message = StatusError, err.Error()
		case p.Allows(found):
			c.Status = StatusOK
		default:
			c.Status = StatusError
			c.Message = fmt.Sprintf("pin violation: %s %s does not satisfy the pin %q: install the pinned %s and point $%s at it, or change the pin in the spec",
				name, found.Release(), pin, name, envFor(name))
		}
	}
	k.add(c)
}

// checkClang checks clang against the libclang pin: it is needed only by
// LLVM=1 builds, so a missing one is a warning.
func (k *checker) checkClang() {
	f, pins := k.f, k.pins
	clang := Check{Name: CheckClang, Found: k.clang, Wanted: pins.Libclang, Source: k.pinSource("libclang")}
	switch {
	case f.ClangErr != nil:
		clang.Status, clang.Message = StatusWarning, f.ClangErr.Error()+" (needed only to build the kernel with LLVM=1)"
		if pins.Libclang == "" {
			clang.Wanted, clang.Source = "(not pinned)", ""
		}
	case pins.Libclang == "":
		clang.Status, clang.Wanted, clang.Source = StatusOK, "(not pinned)", ""
	default:
		if p, err := ParsePin(pins.Libclang); err != nil {
			clang.Status, clang.Message = StatusError, err.Error()
		} else if p.Allows(f.Clang) {
			clang.Status = StatusOK
		} else {
			clang.Status = StatusError
			clang.Message = fmt.Sprintf("pin violation: clang %s does not satisfy the libclang pin %q: an LLVM=1 build compiles C with it", f.Clang.Release(), pins.Libclang)
		}
	}
	k.add(clang)
}

// checkLLVMMatch compares rustc's LLVM with clang's (or libclang's).
func (k *checker) checkLLVMMatch() {
	f, pins := k.f, k.pins
	c := Check{Name: CheckLLVMMatch, Found: "rustc LLVM " + f.Rustc.LLVM.String()}
	cv, cerr, what := f.Clang, f.ClangErr, "clang"
	if cerr != nil {
		cv, cerr, what = f.Libclang, f.LibclangErr, "libclang"
	}
	if pins.RequireLLVMMatch {
		c.Source = k.pinSource("require-llvm-match")
	}
	switch {
	case cerr != nil:
		c.Wanted = "clang (not found)"
		c.Status = StatusWarning
		if pins.RequireLLVMMatch {
			c.Status = StatusError
		}
		c.Message = "no clang or libclang to compare rustc's LLVM with"
		if pins.RequireLLVMMatch {
			c.Message = "pin violation (require-llvm-match): " + c.Message
		}
	default:
		c.Wanted = fmt.Sprintf("%s LLVM %d", what, cv.Major)
		if f.Rustc.LLVM.Major == cv.Major {
			c.Status = StatusOK
		} else {
			c.Status = StatusWarning
			if pins.RequireLLVMMatch {
				c.Status = StatusError
			}
			c.Message = fmt.Sprintf("rustc generates code with LLVM %d but %s is LLVM %d: for only one C parser and only one codegen, use a rustc and a clang built on the same LLVM",
				f.Rustc.LLVM.Major, what, cv.Major)
			if pins.RequireLLVMMatch {
				c.Message = "pin violation (require-llvm-match): " + c.Message
			}
		}
	}
	k.add(c)
}

// kernel checks one tool, and its pin, against the kernel's minimum.
func (k *checker) kernel(name, tool, pinKey, pin string, found Version, foundText string, ferr error) {
	min, ok := k.in.KernelMin[tool]
	if !ok {
		return
	}
	c := Check{Name: name, Found: foundText, Wanted: ">= " + min, Source: MinToolScript + " " + tool}
	mv, err := ParseVersion(min)
	if err != nil {
		c.Status, c.Message = StatusError, fmt.Sprintf("the kernel's minimum %q cannot be read: %v", min, err)
		k.add(c)
		return
	}
	var msgs []string
	c.Status = StatusOK
	if ferr != nil {
		c.Status = StatusError
		msgs = append(msgs, ferr.Error())
	} else if kernelCanonical(found) < kernelCanonical(mv) {
		c.Status = StatusError
		msgs = append(msgs, fmt.Sprintf("%s %s is below this kernel's minimum %s: the kernel's Rust support refuses it (install %s %s or newer)", tool, found.Release(), min, tool, min))
	}
	if p, err := ParsePin(pin); pin != "" && err == nil && p.AllowsBelow(mv) {
		c.Status = StatusError
		at := ""
		if src := k.pinSource(pinKey); src != "" {
			at = " (" + src + ")"
		}
		msgs = append(msgs, fmt.Sprintf("the spec pins %s %q%s, below this kernel's minimum %s: raise the pin", pinKey, pin, at, min))
	}
	c.Message = strings.Join(msgs, "; ")
	k.add(c)
}

// kernelCanonical is the number scripts/rust_is_available.sh compares a
// version by: 100000*X + 100*Y + Z. It differs from Compare where Z is
// 100 or more ("1.77.999" is above "1.78.0"), and the kernel's verdict
// is the one to agree with.
func kernelCanonical(v Version) int { return 100000*v.Major + 100*v.Minor + v.Patch }

// checkLibSrc checks that the library the build reads has core, as
// scripts/rust_is_available.sh requires, and that it is the vendored one.
func checkLibSrc(src *LibSrc, lib *Library) Check {
	core := filepath.Join(src.Dir, "core", "src", "lib.rs")
	c := Check{Name: CheckRustLibSrc, Found: src.Dir, Wanted: "core/src/lib.rs", Source: src.From, Status: StatusOK}
	if src.Err != nil {
		c.Found, c.Status = "(unknown)", StatusError
		c.Message = "rustc $KRUSTFLAGS --print sysroot fails, and the kernel's scripts/rust_is_available.sh runs it (even with RUST_LIB_SRC set) and refuses the build: " + src.Err.Error()
		return c
	}
	// The kernel's test is [ -e ]: anything that exists will do.
	if _, err := os.Stat(core); err != nil {
		c.Status = StatusError
		c.Message = fmt.Sprintf("%s does not exist: the kernel's scripts/rust_is_available.sh refuses the build (set RUST_LIB_SRC, as rvendor env does, or install the library source)", core)
		if lib != nil && src.Dir == lib.Dir {
			c.Message = fmt.Sprintf("%s does not exist: the vendored library of component %s lacks core (run rvendor update)", core, lib.Component)
		}
		return c
	}
	if lib != nil && filepath.Clean(src.Dir) != filepath.Clean(lib.Dir) {
		c.Status = StatusWarning
		c.Message = fmt.Sprintf("RUST_LIB_SRC is not the vendored library %s: the build would not use the vendored sources (use rvendor env)", lib.Dir)
	}
	return c
}

// checkHostRustc compares $HOSTRUSTC with rustc: the macros crate it
// builds is loaded by rustc, so it must be the same release. A pinned
// rustc applies to it as well.
func (k *checker) checkHostRustc() {
	f, pins := k.f, k.pins
	c := Check{Name: CheckHostRustc, Found: f.Paths.HostRustc, Wanted: "rustc's release", Status: StatusOK}
	if f.HostRustcErr != nil {
		// A warning: the kernel's scripts/rust_is_available.sh does not
		// look at HOSTRUSTC, and this check must not refuse what it
		// accepts unless a pin says so.
		c.Status, c.Message = StatusWarning, f.HostRustcErr.Error()+" (Kbuild builds the macros crate with it: that step will fail)"
		k.add(c)
		return
	}
	c.Found = f.HostRustc.Version.String()
	var msgs []string
	if pins.Rustc != "" {
		if p, err := ParsePin(pins.Rustc); err == nil && !p.Allows(f.HostRustc.Version) {
			c.Status, c.Wanted, c.Source = StatusError, pins.Rustc, k.pinSource("rustc")
			msgs = append(msgs, fmt.Sprintf("pin violation: $HOSTRUSTC is rustc %s, which does not satisfy the rustc pin %q", f.HostRustc.Version.Release(), pins.Rustc))
		}
	}
	if f.RustcErr == nil && f.HostRustc.Version.Compare(f.Rustc.Version) != 0 {
		if c.Status == StatusOK {
			c.Status = StatusWarning
		}
		c.Wanted = f.Rustc.Version.Release()
		msgs = append(msgs, fmt.Sprintf("$HOSTRUSTC is rustc %s but $RUSTC is %s: the macros crate it builds may not load (set HOSTRUSTC to the same rustc)", f.HostRustc.Version.Release(), f.Rustc.Version.Release()))
	}
	c.Message = strings.Join(msgs, "; ")
	k.add(c)
}

func checkLibrary(lib *Library, f *Found) Check {
	c := Check{Name: CheckRustLibrary, Source: lib.Source}
	if lib.Locked == "" {
		c.Found = "(not vendored)"
		c.Status = StatusWarning
		c.Message = fmt.Sprintf("component %s is not in rvendor.lock yet: run rvendor update", lib.Component)
		if f.RustcErr == nil {
			c.Wanted = f.Rustc.Version.Release()
		}
		return c
	}
	c.Found = lib.Component + " " + lib.Locked
	if f.RustcErr != nil {
		c.Status, c.Wanted = StatusError, "rustc (not found)"
		c.Message = "cannot check the vendored library against the compiler: " + f.RustcErr.Error()
		return c
	}
	rc := f.Rustc
	ok, wanted := libraryMatches(lib.Locked, rc)
	c.Wanted = wanted
	if ok {
		c.Status = StatusOK
		return c
	}
	c.Status = StatusError
	c.Message = fmt.Sprintf("pin violation: the vendored Rust library is %s but rustc is %s: a Rust library that does not match its compiler does not build; set version = %q for component %s and run rvendor update, or use rustc %s",
		lib.Locked, rc.Version, wantedSpecVersion(rc), lib.Component, lib.Locked)
	return c
}

// libraryMatches reports whether a library version as the lock records it
// ("1.78.0", "nightly-2024-05-01", "beta-2024-06-01") is the one rustc
// was built from, and what rustc wants, in the lock's terms.
func libraryMatches(locked string, rc RustcInfo) (bool, string) {
	if ch, date, ok := strings.Cut(locked, "-"); ok && (ch == ChannelNightly || ch == ChannelBeta) {
		wanted := rc.Channel + " " + rc.Version.String()
		if rc.CommitDate != "" {
			wanted = fmt.Sprintf("%s-%s (rustc %s, commit %s)", rc.Channel, nextDay(rc.CommitDate), rc.Version, rc.CommitDate)
		}
		if rc.Channel != ch || rc.CommitDate == "" {
			return false, wanted
		}
		// A dated toolchain is published the day after (or the day of)
		// its last commit.
		return date == rc.CommitDate || date == nextDay(rc.CommitDate), wanted
	}
	v, err := ParseVersion(locked)
	if err != nil {
		return false, rc.Version.Release()
	}
	// A stable library does not build with a beta or nightly of the same
	// number (their library is a later snapshot).
	same := v.Compare(rc.Version) == 0 && (rc.Channel == ChannelStable || rc.Channel == ChannelDev)
	return same, rc.Version.Release()
}

func wantedSpecVersion(rc RustcInfo) string {
	if (rc.Channel == ChannelNightly || rc.Channel == ChannelBeta) && rc.CommitDate != "" {
		return rc.Channel + "-" + nextDay(rc.CommitDate)
	}
	return rc.Version.Release()
}

func nextDay(date string) string {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return date
	}
	return t.AddDate(0, 0, 1).Format("2006-01-02")
}

func shortHash(h string) string {
	if len(h) > 9 {
		return h[:9]
	}
	return h
}

func envFor(tool string) string { return ToolEnvVar(tool) }

// posString renders a spec position with the file's base name, as the
// report shows it: "rvendor.toml:4:9".
func posString(p vendorspec.Position) string {
	if p.File == "" {
		return ""
	}
	p.File = filepath.Base(p.File)
	return p.String()
}

// RustLibrary finds the spec's vendored Rust library, the folder to
// export as RUST_LIB_SRC: the component of kind rust-src or rustc-src that
// provides core, with the version the lock records (lock may be nil). It
// returns nil, nil when the spec has none.
//
// A spec may hold several such components (an adopted rust/alloc next to
// the vendored library). Then the library is the one whose selection holds
// library/core (root "library" and a path that is library/core, a folder
// above it or a part of it); failing that, the one whose dest holds
// core/src/lib.rs. Library.Chosen says which and why. Two components that
// both provide core are an error, and so is none.
//
// The library's root must be "library" (the default): Dir is the folder
// mirroring library/.
func RustLibrary(spec *vendorspec.Spec, lock *vendorspec.Lock) (*Library, error) {
	var rust []*vendorspec.Component
	for _, c := range spec.Components {
		if c.Kind == vendorspec.KindRustSrc || c.Kind == vendorspec.KindRustcSrc {
			rust = append(rust, c)
		}
	}
	found, chosen, err := coreComponent(spec, rust)
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, nil
	}
	lib := &Library{Component: found.Name, Kind: found.Kind, Version: found.Version,
		Source: posString(found.Pos.At("version")), Chosen: chosen}
	if lock != nil {
		if lc := lock.Component(found.Name); lc != nil {
			lib.Locked = lc.Version
		}
	}
	root := strings.Trim(found.Root, "/")
	if root != "" && root != "library" {
		return lib, &vendorspec.Error{Pos: found.Pos.At("root"),
			Msg:  fmt.Sprintf("component %s has root %q; RUST_LIB_SRC must be a folder mirroring library/", found.Name, found.Root),
			Hint: `remove root (it defaults to "library") and list the parts in paths`}
	}
	lib.Dir = filepath.Join(spec.Dir, filepath.FromSlash(found.Dest))
	return lib, nil
}

// coreComponent picks, among the rust-src and rustc-src components rust,
// the one that provides core (see RustLibrary), and says why when there
// was a choice.
func coreComponent(spec *vendorspec.Spec, rust []*vendorspec.Component) (*vendorspec.Component, string, error) {
	switch len(rust) {
	case 0:
		return nil, "", nil
	case 1:
		return rust[0], "", nil
	}
	pick := func(ok func(*vendorspec.Component) bool) []*vendorspec.Component {
		var out []*vendorspec.Component
		for _, c := range rust {
			if ok(c) {
				out = append(out, c)
			}
		}
		return out
	}
	how := "its selection holds library/core"
	cores := pick(selectsCore)
	if len(cores) == 0 {
		how = "its dest holds core/src/lib.rs"
		cores = pick(func(c *vendorspec.Component) bool {
			fi, err := os.Stat(filepath.Join(spec.Dir, filepath.FromSlash(c.Dest), "core", "src", "lib.rs"))
			return err == nil && fi.Mode().IsRegular()
		})
	}
	names := func(cs []*vendorspec.Component) string {
		var s []string
		for _, c := range cs {
			s = append(s, c.Name)
		}
		return strings.Join(s, ", ")
	}
	switch len(cores) {
	case 0:
		return nil, "", &vendorspec.Error{Pos: rust[0].Pos.At(""),
			Msg:  fmt.Sprintf("none of the components %s provides the Rust library's core, which RUST_LIB_SRC must name", names(rust)),
			Hint: `vendor it with a rust-src component whose paths hold "library/core"`}
	case 1:
	default:
		return nil, "", &vendorspec.Error{Pos: cores[1].Pos.At(""),
			Msg:  fmt.Sprintf("components %s all provide the Rust library's core; RUST_LIB_SRC can name only one", names(cores)),
			Hint: `keep "library/core" in the paths of one component only`}
	}
	var others []*vendorspec.Component
	for _, c := range rust {
		if c != cores[0] {
			others = append(others, c)
		}
	}
	return cores[0], fmt.Sprintf("component %s provides core (%s), not %s", cores[0].Name, how, names(others)), nil
}

// selectsCore reports whether the Rust component c's selection holds
// library/core: its root is library/ and one of its paths is
// library/core, a folder above it or a part of it.
func selectsCore(c *vendorspec.Component) bool {
	if strings.Trim(c.Root, "/") != "library" {
		return false
	}
	for _, p := range c.Paths {
		p = strings.Trim(p, "/")
		if vendorspec.Within("library/core", p) || vendorspec.Within(p, "library/core") {
			return true
		}
	}
	return false
}
