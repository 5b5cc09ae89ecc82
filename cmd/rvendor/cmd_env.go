package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/policy"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

type envOptions struct {
	Make, Sh bool
}

func newEnvCommand(g *globalOptions) *cobra.Command {
	var o envOptions
	cmd := &cobra.Command{
		Use:   "env [--make|--sh|--json]",
		Short: "Print the variables a kernel build needs to use the vendored sources",
		Long: `Env prints the variables a kernel build needs so that it uses only the
vendored code:
  CARGO_NET_OFFLINE=true
  RUST_LIB_SRC  the vendored library folder (the dest of the rust-src or
                rustc-src component, which mirrors library/; when the spec
                has several, as with an adopted rust/alloc, the one that
                provides core, which env names on stderr)
  RUSTC         when the spec pins rustc: $RUSTC, or rustc found in PATH
  HOSTRUSTC     the same rustc: Kbuild builds its Rust host programs with
                it, and would take another rustc from PATH otherwise
  BINDGEN       when the spec pins bindgen: $BINDGEN, or bindgen in PATH
  RVENDOR_VERIFY  rvendor-verify, which the verify rule of docs/kbuild.md
                runs: the one beside rvendor, else the first in PATH (a
                note on stderr says when there is none)

--sh (the default) prints "export NAME='value'" lines for eval;
--make prints NAME=value words for a make command line:
    make LLVM=1 $(rvendor env --make)
--json prints {"vars": [{"name", "value", "why"}, ...]}, sorted by name.

EXIT STATUS
  0  the variables were printed
  1  one cannot be computed (the library is not vendored yet, a pinned
     tool is missing, or a value cannot be written for make)
  2  bad usage, or a spec or lock that cannot be used`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Make && o.Sh || g.JSON && (o.Make || o.Sh) {
				return usageErr(errors.New("--make, --sh and --json exclude each other"), "")
			}
			vars, err := buildEnvVars(g, true)
			if err != nil {
				return err
			}
			switch {
			case g.JSON:
				return writeEnvJSON(g, vars)
			case o.Make:
				return writeEnvMake(g, vars)
			}
			for _, v := range vars {
				fmt.Fprintf(g.stdout, "export %s=%s\n", v.Name, shellQuote(v.Value))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&o.Make, "make", false, "print NAME=value words for a make command line")
	cmd.Flags().BoolVar(&o.Sh, "sh", false, "print export lines for a POSIX shell (the default)")
	return cmd
}

// envVarJSON is one variable in env --json's output:
// {"vars": [{"name": ..., "value": ..., "why": ...}]}, sorted by name.
type envVarJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Why   string `json:"why"`
}

func writeEnvJSON(g *globalOptions, vars []policy.EnvVar) error {
	out := struct {
		Vars []envVarJSON `json:"vars"`
	}{Vars: []envVarJSON{}}
	for _, v := range vars {
		out.Vars = append(out.Vars, envVarJSON(v))
	}
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeEnvMake(g *globalOptions, vars []policy.EnvVar) error {
	words := make([]string, 0, len(vars))
	for _, v := range vars {
		if strings.ContainsAny(v.Value, " \t\n'\"\\$#`;&|()<>*?[]{}~%") {
			return fmt.Errorf("%s=%q cannot be written as a make command-line word (it holds a space or a special character): move the tree or the tool to a plain path, or use rvendor env --sh", v.Name, v.Value)
		}
		words = append(words, v.Name+"="+v.Value)
	}
	fmt.Fprintln(g.stdout, strings.Join(words, " "))
	return nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// buildEnvVars returns the build's variables for the project, failing on
// the first that cannot be computed; without a spec (and without --spec),
// only CARGO_NET_OFFLINE, unless needSpec.
func buildEnvVars(g *globalOptions, needSpec bool) ([]policy.EnvVar, error) {
	env, err := buildEnv(g, needSpec)
	if err != nil {
		return nil, err
	}
	if err := env.Err(); err != nil {
		var se *vendorspec.Error
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, &exitError{Code: exitFailure, Err: err}
	}
	return env.Vars, nil
}

// buildEnv computes the build's variables for the project (see
// policy.BuildEnv) and says which component RUST_LIB_SRC names when the
// spec had several to choose from. Only a spec or lock that cannot be
// used is an error.
func buildEnv(g *globalOptions, needSpec bool) (*policy.Env, error) {
	p, err := g.loadProjectIfAny(needSpec)
	if err != nil {
		return nil, err
	}
	if p == nil {
		g.say("rvendor: no %s found: only CARGO_NET_OFFLINE is set", vendorspec.SpecName)
		return &policy.Env{Vars: []policy.EnvVar{{Name: "CARGO_NET_OFFLINE", Value: "true", Why: "cargo never touches the network"}}}, nil
	}
	env := policy.BuildEnv(p.Spec, p.Lock, lookTools(g, toolFlags{}))
	if env.Library != nil && env.Library.Chosen != "" {
		g.say("rvendor: RUST_LIB_SRC: %s", env.Library.Chosen)
	}
	if v := verifyBinary(g); v != "" {
		env.Vars = append(env.Vars, policy.EnvVar{Name: "RVENDOR_VERIFY", Value: v, Why: "the verify rule's program: rvendor verify alone, quick to start"})
		slices.SortFunc(env.Vars, func(a, b policy.EnvVar) int { return strings.Compare(a.Name, b.Name) })
	} else {
		g.say("rvendor: note: rvendor-verify is neither beside rvendor nor on PATH: the verify rule of docs/kbuild.md runs it (install it: go install github.com/rvendor/rvendor/cmd/rvendor-verify@latest)")
	}
	return env, nil
}

// verifyBinary returns the rvendor-verify to run: the one beside this
// rvendor (the two are installed together), else the first on PATH;
// "" when there is none.
func verifyBinary(g *globalOptions) string {
	if self, err := os.Executable(); err == nil {
		if p, err := policy.LookTool(verifyProgram, filepath.Join(filepath.Dir(self), verifyProgram), ""); err == nil {
			return p
		}
	}
	p, _ := policy.LookTool(verifyProgram, "", g.getenv("PATH"))
	return p
}

// verifyProgram is the name of cmd/rvendor-verify's program.
const verifyProgram = "rvendor-verify"

// loadProjectIfAny loads the project; when no spec is found (and none was
// named with --spec) it returns nil, nil unless required.
func (g *globalOptions) loadProjectIfAny(required bool) (*project, error) {
	if g.SpecFile == "" && !required {
		dir, err := g.dir()
		if err != nil {
			return nil, err
		}
		if _, err := vendorspec.Find(dir); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	return g.loadProject()
}

// toolFlags are the tool paths given on the command line.
type toolFlags struct {
	Rustc, Bindgen, Clang string
}

// lookTools resolves rustc, bindgen and clang as Kbuild does: the flag,
// else $RUSTC, $BINDGEN, $CLANG, else PATH. A tool not found is "".
func lookTools(g *globalOptions, f toolFlags) policy.ToolPaths {
	path := g.getenv("PATH")
	look := func(name, flag string) string {
		override := flag
		if override == "" {
			override = g.getenv(policy.ToolEnvVar(name))
		}
		p, err := policy.LookTool(name, override, path)
		if err != nil {
			return ""
		}
		return p
	}
	return policy.ToolPaths{Rustc: look("rustc", f.Rustc), Bindgen: look("bindgen", f.Bindgen), Clang: look("clang", f.Clang)}
}
