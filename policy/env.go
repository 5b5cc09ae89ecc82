package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// EnvVar is one variable a build needs, with the reason it is set.
type EnvVar struct {
	Name  string
	Value string
	Why   string
}

// Env is what BuildEnv computed: the variables it could compute, and a
// problem for each one it could not.
type Env struct {
	Vars    []EnvVar    // sorted by name
	Missing []*EnvError // in the order of BuildEnv's list
	Library *Library    // the library RUST_LIB_SRC names; nil when none
}

// Err returns the first problem, or nil when every variable was computed.
func (e *Env) Err() error {
	if len(e.Missing) == 0 {
		return nil
	}
	return e.Missing[0]
}

// EnvError is a variable that BuildEnv could not compute. Its message is
// Err's (which may be a *vendorspec.Error naming the spec line).
type EnvError struct {
	Name string // RUST_LIB_SRC, RUSTC, BINDGEN
	Err  error
}

func (e *EnvError) Error() string { return e.Err.Error() }
func (e *EnvError) Unwrap() error { return e.Err }

// BuildEnv returns the variables a kernel build needs to use only the
// vendored sources:
//   - CARGO_NET_OFFLINE=true, always;
//   - RUST_LIB_SRC, the vendored library folder, when the spec has a
//     rust-src or rustc-src component (the one that provides core, see
//     RustLibrary; its core/src/lib.rs must exist, as
//     scripts/rust_is_available.sh requires);
//   - RUSTC and BINDGEN, the absolute tool paths in tools, for each tool
//     the spec pins (a pinned tool that was not found is a problem), and
//     HOSTRUSTC, the same rustc, which Kbuild builds host programs with.
//
// A variable that cannot be computed is left out and listed in Missing;
// the others are still computed.
func BuildEnv(spec *vendorspec.Spec, lock *vendorspec.Lock, tools ToolPaths) *Env {
	env := &Env{Vars: []EnvVar{{Name: "CARGO_NET_OFFLINE", Value: "true", Why: "cargo never touches the network"}}}
	if lib, v, err := libSrcVar(spec, lock); err != nil {
		env.Missing = append(env.Missing, &EnvError{Name: "RUST_LIB_SRC", Err: err})
	} else if v != nil {
		env.Vars, env.Library = append(env.Vars, *v), lib
	}
	for _, t := range []struct{ tool, pin, path string }{
		{"rustc", spec.Toolchain.Rustc, tools.Rustc},
		{"bindgen", spec.Toolchain.Bindgen, tools.Bindgen},
	} {
		if t.pin == "" {
			continue
		}
		name := ToolEnvVar(t.tool)
		if t.path == "" {
			env.Missing = append(env.Missing, &EnvError{Name: name, Err: &vendorspec.Error{Pos: spec.Toolchain.Pos.At(t.tool),
				Msg:  fmt.Sprintf("the spec pins %s %q but no %s was found", t.tool, t.pin, t.tool),
				Hint: fmt.Sprintf("install it, or set $%s to its path", name)}})
			continue
		}
		env.Vars = append(env.Vars, EnvVar{Name: name, Value: t.path, Why: fmt.Sprintf("the %s pinned as %q", t.tool, t.pin)})
		if t.tool == "rustc" {
			// Kbuild builds its Rust host programs with HOSTRUSTC: the
			// same pinned compiler, or a different rustc on PATH is used.
			env.Vars = append(env.Vars, EnvVar{Name: "HOSTRUSTC", Value: t.path, Why: fmt.Sprintf("Kbuild's rustc for host programs: the rustc pinned as %q", t.pin)})
		}
	}
	sort.Slice(env.Vars, func(i, j int) bool { return env.Vars[i].Name < env.Vars[j].Name })
	return env
}

// libSrcVar returns RUST_LIB_SRC, or nil when the spec vendors no Rust
// library.
func libSrcVar(spec *vendorspec.Spec, lock *vendorspec.Lock) (*Library, *EnvVar, error) {
	lib, err := RustLibrary(spec, lock)
	if err != nil || lib == nil {
		return nil, nil, err
	}
	core := filepath.Join(lib.Dir, "core", "src", "lib.rs")
	if _, err := os.Stat(core); err != nil {
		return nil, nil, fmt.Errorf("RUST_LIB_SRC: the vendored library of component %s has no core/src/lib.rs (run rvendor update): %w", lib.Component, err)
	}
	why := "the vendored Rust library (component " + lib.Component + ")"
	if lib.Chosen != "" {
		why = "the vendored Rust library: " + lib.Chosen
	}
	return lib, &EnvVar{Name: "RUST_LIB_SRC", Value: lib.Dir, Why: why}, nil
}
