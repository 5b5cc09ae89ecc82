package policy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ToolTimeout bounds each run of a tool while probing its version.
const ToolTimeout = 30 * time.Second

// ToolPaths names the executables to probe. An empty field means the tool
// was not found; it is reported, not run.
type ToolPaths struct {
	Rustc, Bindgen, Clang string
	// HostRustc is $HOSTRUSTC, the rustc Kbuild builds host programs
	// (the macros crate that rustc loads) with; "" when not set.
	HostRustc string
}

// ToolEnvVar returns the environment variable that names a tool, as Kbuild
// reads them (RUSTC, BINDGEN), plus CLANG for the C compiler to compare:
// the tool's name in capitals.
func ToolEnvVar(tool string) string { return strings.ToUpper(tool) }

// LookTool resolves a tool the way Kbuild does: override (a flag or the
// tool's environment variable) when set, else name searched in pathList
// (a PATH value). A name with a slash is used as it is. The result is
// absolute. A tool that cannot be found gives an error wrapping
// fs.ErrNotExist.
func LookTool(name, override, pathList string) (string, error) {
	cand := override
	if cand == "" {
		cand = name
	}
	if strings.Contains(cand, "/") {
		abs, err := filepath.Abs(cand)
		if err != nil {
			return "", err
		}
		if !isExecutable(abs) {
			return "", fmt.Errorf("%s: not an executable file: %w", cand, fs.ErrNotExist)
		}
		return abs, nil
	}
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, cand)
		if isExecutable(p) {
			return filepath.Abs(p)
		}
	}
	return "", fmt.Errorf("%s: not found in PATH: %w", cand, fs.ErrNotExist)
}

// ClangFromCC returns the clang a Kbuild CC value runs: the last word
// whose base name is clang or clang-N ("ccache clang-14" gives
// "clang-14"), or "" when CC names no clang (gcc, or empty).
func ClangFromCC(cc string) string {
	words := strings.Fields(cc)
	for i := len(words) - 1; i >= 0; i-- {
		base := filepath.Base(words[i])
		if base == "clang" || strings.HasPrefix(base, "clang-") && strings.Trim(base[len("clang-"):], "0123456789.") == "" && len(base) > len("clang-") {
			return words[i]
		}
	}
	return ""
}

// RustcSysroot runs rustc FLAGS --print sysroot, as
// scripts/rust_is_available.sh does with $KRUSTFLAGS (which may hold
// --sysroot), and returns what it printed without the trailing newlines,
// as the script's $(...) does.
func RustcSysroot(ctx context.Context, rustc string, flags []string) (string, error) {
	cctx, cancel := context.WithTimeout(ctx, ToolTimeout)
	defer cancel()
	args := append(flags[:len(flags):len(flags)], "--print", "sysroot")
	var o, e bytes.Buffer
	if err := runAsShellDoes(cctx, append(os.Environ(), "LC_ALL=C"), &o, &e, rustc, args...); err != nil {
		return "", &ToolError{Tool: "rustc", Path: rustc, Output: strings.TrimSpace(e.String()),
			Err: fmt.Errorf("running %s %s: %w", filepath.Base(rustc), strings.Join(args, " "), err)}
	}
	// Like the kernel's $(...): an empty answer is not an error (the
	// library is then looked for under /lib).
	return strings.TrimRight(o.String(), "\n"), nil
}

// runAsShellDoes runs path with args as the kernel's scripts, a POSIX
// shell, run it: a file the system cannot execute for want of a "#!" line
// (ENOEXEC) is run by /bin/sh as a script.
func runAsShellDoes(ctx context.Context, env []string, stdout, stderr io.Writer, path string, args ...string) error {
	run := func(name string, args ...string) error {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, stdout, stderr
		return cmd.Run()
	}
	err := run(path, args...)
	if errors.Is(err, syscall.ENOEXEC) {
		err = run("/bin/sh", append([]string{path}, args...)...)
	}
	return err
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// ToolError reports a tool that could not be run or whose output could not
// be read.
type ToolError struct {
	Tool   string // rustc, bindgen, libclang, clang
	Path   string
	Output string // what it printed, trimmed
	Err    error
}

func (e *ToolError) Error() string {
	msg := fmt.Sprintf("%s (%s): %v", e.Tool, e.Path, e.Err)
	if e.Path == "" {
		msg = fmt.Sprintf("%s: %v", e.Tool, e.Err)
	}
	if e.Output != "" && !strings.Contains(e.Err.Error(), e.Output) {
		msg += ": " + firstLine(e.Output)
	}
	return msg
}

func (e *ToolError) Unwrap() error { return e.Err }

// Found is what the installed tools say about themselves. Each field is
// valid only when its error is nil.
type Found struct {
	Paths ToolPaths

	Rustc    RustcInfo
	RustcErr error

	Bindgen    Version
	BindgenErr error

	// Libclang is the version of the libclang bindgen loads, learned the
	// kernel's way (LibclangProbeHeader).
	Libclang    Version
	LibclangErr error

	Clang    Version
	ClangErr error

	// HostRustc is $HOSTRUSTC's version, probed only when Paths.HostRustc
	// is set.
	HostRustc    RustcInfo
	HostRustcErr error
}

// errNotFound is the error of a tool with no path.
var errNotFound = errors.New("not found")

// Probe runs each named tool to learn its version, with env (nil: this
// process's environment) plus LC_ALL=C, as the kernel does. It never
// fails as a whole: each tool's problem is in its own error field.
func Probe(ctx context.Context, paths ToolPaths, env []string) *Found {
	if env == nil {
		env = os.Environ()
	}
	env = append(env[:len(env):len(env)], "LC_ALL=C")
	f := &Found{Paths: paths}
	runTool := func(tool, path string, args ...string) (stdout, stderr string, err error) {
		if path == "" {
			return "", "", &ToolError{Tool: tool, Err: fmt.Errorf("%w (set $%s or pass --%s)", errNotFound, ToolEnvVar(tool), tool)}
		}
		cctx, cancel := context.WithTimeout(ctx, ToolTimeout)
		defer cancel()
		var o, e bytes.Buffer
		if err := runAsShellDoes(cctx, env, &o, &e, path, args...); err != nil {
			out := strings.TrimSpace(e.String() + "\n" + o.String())
			return o.String(), e.String(), &ToolError{Tool: tool, Path: path, Output: out,
				Err: fmt.Errorf("running %s %s: %w", filepath.Base(path), strings.Join(args, " "), err)}
		}
		return o.String(), e.String(), nil
	}
	wrap := func(tool, path, out string, err error) error {
		return &ToolError{Tool: tool, Path: path, Output: strings.TrimSpace(out), Err: err}
	}

	if out, _, err := runTool("rustc", paths.Rustc, "--version", "--verbose"); err != nil {
		f.RustcErr = err
	} else if f.Rustc, err = ParseRustcVersion(out); err != nil {
		f.RustcErr = wrap("rustc", paths.Rustc, "", err)
	}

	// The dummy argument works around bindgen 0.69.0, as the kernel does.
	if out, _, err := runTool("bindgen", paths.Bindgen, "--version", "workaround-for-0.69.0"); err != nil {
		f.BindgenErr = err
	} else if f.Bindgen, err = ParseBindgenVersion(out); err != nil {
		f.BindgenErr = wrap("bindgen", paths.Bindgen, "", err)
	}

	f.Libclang, f.LibclangErr = probeLibclang(paths.Bindgen, runTool)

	if out, _, err := runTool("clang", paths.Clang, "--version"); err != nil {
		f.ClangErr = err
	} else if f.Clang, err = ParseClangVersion(out); err != nil {
		f.ClangErr = wrap("clang", paths.Clang, "", err)
	}

	if paths.HostRustc != "" {
		if out, _, err := runTool("hostrustc", paths.HostRustc, "--version", "--verbose"); err != nil {
			f.HostRustcErr = err
		} else if f.HostRustc, err = ParseRustcVersion(out); err != nil {
			f.HostRustcErr = wrap("hostrustc", paths.HostRustc, "", err)
		}
	}
	return f
}

func probeLibclang(bindgen string, runTool func(tool, path string, args ...string) (string, string, error)) (Version, error) {
	if bindgen == "" {
		return Version{}, &ToolError{Tool: "libclang", Err: errors.New("not probed: bindgen not found")}
	}
	dir, err := os.MkdirTemp("", "rvendor-libclang-")
	if err != nil {
		return Version{}, &ToolError{Tool: "libclang", Path: bindgen, Err: err}
	}
	defer os.RemoveAll(dir)
	h := filepath.Join(dir, "rust_is_available_bindgen_libclang.h")
	if err := os.WriteFile(h, []byte(LibclangProbeHeader), 0o644); err != nil {
		return Version{}, &ToolError{Tool: "libclang", Path: bindgen, Err: err}
	}
	_, stderr, err := runTool("bindgen", bindgen, h)
	if err != nil {
		var te *ToolError
		if errors.As(err, &te) {
			te.Tool = "libclang"
			te.Err = fmt.Errorf("%w (bindgen may not find libclang: set LIBCLANG_PATH)", te.Err)
		}
		return Version{}, err
	}
	v, err := ParseLibclangVersion(stderr)
	if err != nil {
		return Version{}, &ToolError{Tool: "libclang", Path: bindgen, Output: strings.TrimSpace(stderr), Err: err}
	}
	return v, nil
}
