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

// BuildEnv returns the variables a kernel build needs to use only the
// vendored sources, sorted by name:
//   - CARGO_NET_OFFLINE=true, always;
//   - RUST_LIB_SRC, the vendored library folder, when the spec has a
//     rust-src or rustc-src component (its core/src/lib.rs must exist, as
//     scripts/rust_is_available.sh requires);
//   - RUSTC and BINDGEN, the absolute tool paths in tools, for each tool
//     the spec pins (a pinned tool that was not found is an error).
func BuildEnv(spec *vendorspec.Spec, lock *vendorspec.Lock, tools ToolPaths) ([]EnvVar, error) {
	vars := []EnvVar{{Name: "CARGO_NET_OFFLINE", Value: "true", Why: "cargo never touches the network"}}
	lib, err := RustLibrary(spec, lock)
	if err != nil {
		return nil, err
	}
	if lib != nil {
		core := filepath.Join(lib.Dir, "core", "src", "lib.rs")
		if _, err := os.Stat(core); err != nil {
			return nil, fmt.Errorf("RUST_LIB_SRC: the vendored library of component %s has no core/src/lib.rs (run rvendor update): %w", lib.Component, err)
		}
		vars = append(vars, EnvVar{Name: "RUST_LIB_SRC", Value: lib.Dir, Why: "the vendored Rust library (component " + lib.Component + ")"})
	}
	for _, t := range []struct{ tool, pin, path string }{
		{"rustc", spec.Toolchain.Rustc, tools.Rustc},
		{"bindgen", spec.Toolchain.Bindgen, tools.Bindgen},
	} {
		if t.pin == "" {
			continue
		}
		if t.path == "" {
			return nil, &vendorspec.Error{Pos: spec.Toolchain.Pos.At(t.tool),
				Msg:  fmt.Sprintf("the spec pins %s %q but no %s was found", t.tool, t.pin, t.tool),
				Hint: fmt.Sprintf("install it, or set $%s to its path", ToolEnvVar(t.tool))}
		}
		vars = append(vars, EnvVar{Name: ToolEnvVar(t.tool), Value: t.path, Why: fmt.Sprintf("the %s pinned as %q", t.tool, t.pin)})
	}
	sort.Slice(vars, func(i, j int) bool { return vars[i].Name < vars[j].Name })
	return vars, nil
}
