package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/internal/sandbox"
	"github.com/rvendor/rvendor/policy"
)

// The network sandbox re-executes this binary as its init (argv[0] is
// sandbox.InitName); that process must set the namespace up and exec the
// command before anything else runs, so the hook is a package init.
func init() { sandbox.MaybeInit() }

// Exit statuses of rvendor offline itself, as env(1) and timeout(1) use
// them, so they do not collide with the command's usual ones.
const (
	exitSandboxFailed = 125 // the sandbox could not be made: the command was not run
	exitNotFound      = 127 // the command was not found
)

type offlineOptions struct {
	CheckOnly bool
}

func newOfflineCommand(g *globalOptions) *cobra.Command {
	var o offlineOptions
	cmd := &cobra.Command{
		Use:   "offline [--check-only] -- CMD [ARGS...]",
		Short: "Run a build in a network namespace where only loopback exists",
		Long: `Offline runs CMD (typically "make LLVM=1 ...") in a new network namespace
in which the only interface is loopback, up: the build can use 127.0.0.1
but cannot reach any other host. Without root a user namespace is made as
well; the command keeps your uid and gets no capabilities. As root it runs
as root without CAP_SYS_ADMIN and CAP_NET_ADMIN.

The command's environment is rvendor's, plus:
  CARGO_NET_OFFLINE=true
  RUST_LIB_SRC=<the vendored library folder>  when the spec has a rust-src
                                              or rustc-src component
  RUSTC=<path>, BINDGEN=<path>                for each tool the spec pins
                                              ($RUSTC/$BINDGEN or PATH)
(see "rvendor env"). Without a spec only CARGO_NET_OFFLINE is added. A
variable that cannot be computed (the library is not vendored yet, a
pinned tool is missing) is not set, with a warning on stderr, and the
command runs with the environment's value if any: offline never refuses
a build for that.

SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded to the command. Where
namespaces are not available (a container forbidding them, user
namespaces disabled by sysctl) offline fails with the reason and never
runs the command with network. --check-only tells whether the sandbox can
be made here, running nothing.

EXIT STATUS
  the command's own status, or 128+N when signal N killed it
  0    with --check-only: the sandbox can be made here
  1    with --check-only: it cannot; or the spec or lock cannot be used
  2    bad usage
  125  the sandbox could not be made: the command was not run
  127  the command was not found`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.CheckOnly {
				if len(args) > 0 {
					return usageErr(errors.New("--check-only takes no command"), "")
				}
				return runOfflineCheck(g)
			}
			if len(args) == 0 {
				return usageErr(errors.New("offline needs a command to run"), "write rvendor offline -- make LLVM=1")
			}
			return runOffline(g, args)
		},
	}
	cmd.Flags().SetInterspersed(false) // flags after CMD are CMD's
	cmd.Flags().BoolVar(&o.CheckOnly, "check-only", false, "report whether the sandbox can be made here, and run nothing")
	return cmd
}

// offlineCheckJSON is the --json output of offline --check-only.
type offlineCheckJSON struct {
	Available     bool     `json:"available"`
	UserNamespace bool     `json:"user_namespace"`       // a user namespace was needed and made
	Interfaces    []string `json:"interfaces,omitempty"` // seen inside: ["lo"]
	Error         string   `json:"error,omitempty"`      // why it cannot be made
}

func runOfflineCheck(g *globalOptions) error {
	info, err := sandbox.Check(sandbox.UserNSAuto)
	if g.JSON {
		out := offlineCheckJSON{Available: err == nil}
		if err != nil {
			out.Error = err.Error()
		} else {
			out.UserNamespace, out.Interfaces = info.UserNS, info.Interfaces
		}
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		if e := enc.Encode(out); e != nil {
			return e
		}
		if err != nil {
			return &exitError{Code: exitFailure}
		}
		return nil
	}
	if err != nil {
		return &exitError{Code: exitFailure, Err: err, Remedy: "offline builds need network namespaces; run them on a host or container that allows them"}
	}
	how := "a network namespace"
	if info.UserNS {
		how = "a user and a network namespace"
	}
	if !g.Quiet {
		fmt.Fprintf(g.stdout, "ok: the network sandbox can be made here (%s); interfaces inside: %s\n", how, strings.Join(info.Interfaces, " "))
	}
	return nil
}

func runOffline(g *globalOptions, args []string) error {
	be, err := buildEnv(g, false)
	if err != nil {
		return err
	}
	for _, m := range be.Missing {
		// The sandbox is the point of offline; a variable it cannot
		// compute does not stop the build, which runs without it.
		g.warn("not setting %s (the command runs with the environment's, if any): %v", m.Name, m)
	}
	env := mergeEnv(os.Environ(), be.Vars)
	pathList := ""
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			pathList = v
		}
	}
	bin, err := policy.LookTool(args[0], "", pathList)
	if err != nil {
		code := exitNotFound
		if !errors.Is(err, fs.ErrNotExist) {
			code = exitFailure
		}
		return &exitError{Code: code, Err: fmt.Errorf("offline: %w", err)}
	}
	dir, err := g.dir()
	if err != nil {
		return err
	}
	status, _, err := sandbox.Run(sandbox.Command{Path: bin, Args: args, Env: env, Dir: dir,
		Stdin: g.stdin, Stdout: g.stdout, Stderr: g.stderr})
	if err != nil {
		return &exitError{Code: exitSandboxFailed, Err: fmt.Errorf("%w; %s was not run", err, args[0]),
			Remedy: "rvendor offline --check-only tells whether the sandbox can be made here"}
	}
	if status != 0 {
		return &exitError{Code: status}
	}
	return nil
}

// mergeEnv returns env with vars set, replacing earlier values.
func mergeEnv(env []string, vars []policy.EnvVar) []string {
	set := map[string]bool{}
	for _, v := range vars {
		set[v.Name] = true
	}
	var out []string
	for _, e := range env {
		name, _, _ := strings.Cut(e, "=")
		if !set[name] {
			out = append(out, e)
		}
	}
	for _, v := range vars {
		out = append(out, v.Name+"="+v.Value)
	}
	return out
}
