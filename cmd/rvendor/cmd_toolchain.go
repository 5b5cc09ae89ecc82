package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/policy"
)

func newToolchainCommand(g *globalOptions) *cobra.Command {
	var f toolFlags
	cmd := &cobra.Command{
		Use:   "toolchain [--rustc PATH] [--bindgen PATH] [--clang PATH]",
		Short: "Check the installed rustc, bindgen and libclang against the pins and the tree",
		Long: `Toolchain runs the tools a kernel build uses and checks them:
  rustc           rustc --version --verbose against [toolchain] rustc
  bindgen         bindgen --version against [toolchain] bindgen
  libclang        the libclang bindgen loads (learned the kernel's way, from a
                  header's #pragma message) against [toolchain] libclang
  clang           clang --version against [toolchain] libclang
  clang-libclang  clang and bindgen's libclang are the same version (warning)
  rust-library    the vendored Rust library (rvendor.lock) is rustc's release:
                  a library that does not match its compiler does not build
  rust-lib-src    the library the build reads holds core/src/lib.rs, as
                  scripts/rust_is_available.sh requires, and is the vendored
                  one: $RUST_LIB_SRC when set, else the vendored library
                  (rvendor env sets RUST_LIB_SRC to it), else the one in
                  rustc $KRUSTFLAGS --print sysroot, which must succeed in
                  every case (the kernel's script runs it)
  hostrustc       when $HOSTRUSTC is set (Kbuild builds the macros crate
                  with it): it runs and is rustc's release (warnings), and
                  within the rustc pin (error: a pin violation)
  llvm-match      rustc's LLVM major equals clang's: a warning, an error with
                  [toolchain] require-llvm-match = true
  kernel-*        in a kernel tree, the tools and the pins against
                  scripts/min-tool-version.sh (rustc, bindgen, llvm)

Each line says ok, warning or error with the found and wanted versions.
Versions are read as the kernel's scripts/rust_is_available.sh reads them
(the last "rustc X.Y.Z" of the first line, the first line of bindgen's
libclang output that says "clang version X.Y.Z") and compare by X.Y.Z:
nightly, beta and distribution suffixes ("1.80.0-nightly", "1.63.0+dfsg1")
are shown but not compared; against the kernel's minimums, by the kernel's
own number, 100000*X + 100*Y + Z.

In a kernel tree, rvendor toolchain refuses what that script refuses and
accepts what it accepts (with rvendor env's RUST_LIB_SRC standing for an
unset one when the spec vendors the library), except where the spec pins
more than the kernel: each such error says "pin violation".

Tools are found as Kbuild finds them: --rustc, --bindgen, --clang,
else $RUSTC, $BINDGEN, $CLANG, else (for clang) the clang that $CC runs
(the last word that is a clang: "ccache clang" gives clang), else PATH.
Without a spec only the kernel's minimums are checked.

--json prints {"ok", "tools": {NAME: {"path", "version", "error", ...}},
"checks": [{"name", "status", "found", "wanted", "source", "message"}]}.

EXIT STATUS
  0  no check is an error (warnings allowed)
  1  a check is an error
  2  bad usage, or a spec or lock that cannot be used`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runToolchain(cmd, g, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Rustc, "rustc", "", "the rustc to check (default $RUSTC, else PATH)")
	fl.StringVar(&f.Bindgen, "bindgen", "", "the bindgen to check (default $BINDGEN, else PATH)")
	fl.StringVar(&f.Clang, "clang", "", "the clang to check (default $CLANG, else PATH)")
	return cmd
}

func runToolchain(cmd *cobra.Command, g *globalOptions, f toolFlags) error {
	p, err := g.loadProjectIfAny(false)
	if err != nil {
		return err
	}
	in := policy.ToolchainInput{}
	dir, err := g.dir()
	if err != nil {
		return err
	}
	if p != nil {
		in.Pins = &p.Spec.Toolchain
		dir = p.Spec.Dir
		lib, _ := policy.RustLibrary(p.Spec, p.Lock) // a bad root matters to env, not here
		in.Library = lib
	}
	if policy.IsKernelTree(dir) {
		if in.KernelMin, err = policy.KernelMinVersions(cmd.Context(), dir); err != nil {
			return err
		}
	}
	paths, lookErrs := lookToolsErr(g, f)
	found := policy.Probe(cmd.Context(), paths, nil)
	in.LibSrc = libSrc(cmd.Context(), g, in.Library, paths.Rustc)
	for tool, e := range lookErrs {
		switch tool {
		case "rustc":
			found.RustcErr = e
		case "bindgen":
			found.BindgenErr = e
		case "clang":
			found.ClangErr = e
		case "hostrustc":
			found.HostRustcErr = e
		}
	}
	in.Found = found
	r := policy.CheckToolchain(in)
	if g.JSON {
		if err := writeJSONIndent(g, toolchainToJSON(found, r)); err != nil {
			return err
		}
		if r.Err() != nil {
			return &exitError{Code: exitFailure}
		}
		return nil
	}
	if !g.Quiet {
		renderToolchain(g, r)
	}
	if err := r.Err(); err != nil {
		return &exitError{Code: exitFailure, Err: err, Remedy: "install the wanted versions and point $RUSTC, $BINDGEN, $CLANG at them, or change the pins in the spec"}
	}
	return nil
}

// lookToolsErr is lookTools keeping why a tool was not found. It reads
// what Kbuild passes: --clang, else $CLANG, else the clang that $CC runs
// ("ccache clang" gives clang), else PATH; and $HOSTRUSTC.
func lookToolsErr(g *globalOptions, f toolFlags) (policy.ToolPaths, map[string]error) {
	errs := map[string]error{}
	path := g.getenv("PATH")
	look := func(name, flag string) string {
		override, from := flag, "--"+name
		if override == "" {
			override, from = g.getenv(policy.ToolEnvVar(name)), "$"+policy.ToolEnvVar(name)
		}
		if override == "" && name == "clang" {
			override, from = policy.ClangFromCC(g.getenv("CC")), "$CC"
		}
		p, err := policy.LookTool(name, override, path)
		if err != nil {
			if override != "" {
				err = fmt.Errorf("%s=%s: %w", from, override, err)
			}
			errs[name] = &policy.ToolError{Tool: name, Err: err}
			return ""
		}
		return p
	}
	paths := policy.ToolPaths{Rustc: look("rustc", f.Rustc), Bindgen: look("bindgen", f.Bindgen), Clang: look("clang", f.Clang)}
	if host := g.getenv("HOSTRUSTC"); host != "" {
		p, err := policy.LookTool("rustc", host, path)
		if err != nil {
			errs["hostrustc"] = &policy.ToolError{Tool: "hostrustc", Err: fmt.Errorf("$HOSTRUSTC=%s: %w", host, err)}
			p = host // reported, not run: Probe is given no path
		}
		paths.HostRustc = p
	}
	return paths, errs
}

// libSrc finds the library folder the build reads core from, as
// scripts/rust_is_available.sh does: it runs rustc $KRUSTFLAGS --print
// sysroot (and refuses the build when that fails), then takes
// $RUST_LIB_SRC, else the sysroot's library. A build run with rvendor
// env's variables gets the vendored library as $RUST_LIB_SRC, so an
// unset $RUST_LIB_SRC stands for it when the spec vendors one. nil when
// there is no rustc to ask (its own check already fails).
func libSrc(ctx context.Context, g *globalOptions, lib *policy.Library, rustc string) *policy.LibSrc {
	if rustc == "" {
		return nil
	}
	sysroot, err := policy.RustcSysroot(ctx, rustc, strings.Fields(g.getenv("KRUSTFLAGS")))
	if err != nil {
		return &policy.LibSrc{From: "rustc $KRUSTFLAGS --print sysroot", Err: err}
	}
	if dir := g.getenv("RUST_LIB_SRC"); dir != "" {
		if !filepath.IsAbs(dir) {
			if base, err := g.dir(); err == nil {
				dir = filepath.Join(base, dir)
			}
		}
		return &policy.LibSrc{Dir: dir, From: "$RUST_LIB_SRC"}
	}
	if lib != nil {
		return &policy.LibSrc{Dir: lib.Dir, From: "rvendor env"}
	}
	return &policy.LibSrc{Dir: sysroot + "/lib/rustlib/src/rust/library", From: "rustc $KRUSTFLAGS --print sysroot"}
}

func renderToolchain(g *globalOptions, r *policy.ToolchainReport) {
	for _, c := range r.Checks {
		found := c.Found
		if found == "" {
			found = "(none)"
		}
		wanted := c.Wanted
		if c.Source != "" {
			wanted += " (" + c.Source + ")"
		}
		fmt.Fprintf(g.stdout, "%-7s %-14s found %s, wanted %s\n", c.Status, c.Name, found, wanted)
		if c.Message != "" {
			fmt.Fprintf(g.stdout, "        %s\n", c.Message)
		}
	}
	fmt.Fprintf(g.stdout, "%d ok, %d warning(s), %d error(s)\n", r.Count(policy.StatusOK), r.Count(policy.StatusWarning), r.Count(policy.StatusError))
}

// toolchainJSON is toolchain --json's output. Fields are only ever added.
type toolchainJSON struct {
	OK     bool                `json:"ok"` // no check is an error
	Tools  map[string]toolJSON `json:"tools"`
	Checks []checkJSON         `json:"checks"`
}

// toolJSON is one tool as found: rustc, bindgen, libclang, clang, and
// hostrustc when $HOSTRUSTC is set.
type toolJSON struct {
	Path       string `json:"path,omitempty"`
	Version    string `json:"version,omitempty"` // as printed: "1.80.0-nightly"
	Release    string `json:"release,omitempty"` // X.Y.Z, what is compared
	Channel    string `json:"channel,omitempty"` // rustc: stable, beta, nightly, dev
	CommitHash string `json:"commit_hash,omitempty"`
	CommitDate string `json:"commit_date,omitempty"`
	LLVM       string `json:"llvm,omitempty"` // rustc's LLVM version
	Error      string `json:"error,omitempty"`
}

// checkJSON is one check: status is "ok", "warning" or "error".
type checkJSON struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Found   string `json:"found"`
	Wanted  string `json:"wanted"`
	Source  string `json:"source,omitempty"`
	Message string `json:"message,omitempty"`
}

func toolchainToJSON(f *policy.Found, r *policy.ToolchainReport) toolchainJSON {
	out := toolchainJSON{OK: r.Err() == nil, Tools: map[string]toolJSON{}, Checks: []checkJSON{}}
	tool := func(path string, v policy.Version, err error) toolJSON {
		t := toolJSON{Path: path}
		if err != nil {
			t.Error = err.Error()
		} else {
			t.Version, t.Release = v.String(), v.Release()
		}
		return t
	}
	rt := tool(f.Paths.Rustc, f.Rustc.Version, f.RustcErr)
	if f.RustcErr == nil {
		rt.Channel, rt.CommitHash, rt.CommitDate = f.Rustc.Channel, f.Rustc.CommitHash, f.Rustc.CommitDate
		if !f.Rustc.LLVM.IsZero() {
			rt.LLVM = f.Rustc.LLVM.String()
		}
	}
	out.Tools["rustc"] = rt
	out.Tools["bindgen"] = tool(f.Paths.Bindgen, f.Bindgen, f.BindgenErr)
	out.Tools["libclang"] = tool(f.Paths.Bindgen, f.Libclang, f.LibclangErr)
	out.Tools["clang"] = tool(f.Paths.Clang, f.Clang, f.ClangErr)
	if f.Paths.HostRustc != "" {
		out.Tools["hostrustc"] = tool(f.Paths.HostRustc, f.HostRustc.Version, f.HostRustcErr)
	}
	for _, c := range r.Checks {
		out.Checks = append(out.Checks, checkJSON{Name: c.Name, Status: string(c.Status), Found: c.Found, Wanted: c.Wanted, Source: c.Source, Message: c.Message})
	}
	return out
}

func writeJSONIndent(g *globalOptions, v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
