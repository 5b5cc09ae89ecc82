package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/cmd/internal/cli"
	"github.com/rvendor/rvendor/engine"
)

// Exit statuses shared by every command (cli's).
const (
	exitOK      = cli.ExitOK
	exitFailure = cli.ExitFailure
	exitUsage   = cli.ExitUsage
)

// globalOptions are the flags every command takes, and the process's
// environment; commands read nothing global beyond these.
type globalOptions struct {
	Dir      string // -C: act as if started here
	SpecFile string // --spec
	JSON     bool
	Quiet    bool
	Keyring  string // --keyring of update and fetch, made absolute
	// AllowYanked is --allow-yanked of update and fetch: vendor a yanked
	// crate version with a warning instead of failing.
	AllowYanked bool
	// Compression is --compression of update and fetch: "gz", "xz", or
	// "" (auto) once checked.
	Compression string
	// AcceptSigner is --accept-signer of update: a Rust source signed by
	// another key than the lock recorded is accepted with a warning.
	AcceptSigner bool

	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// hook, when set (by the tests only), is called at each of
	// tree.CrashPoints of a commit.
	hook func(point string)
	ran  bool // a command's own code started (see markRun)
}

// exitError carries an exit status with an error; a nil Err means the
// command already said everything (verify's drift report).
type exitError = cli.ExitError

// usageErr marks err as a spec, lock or usage problem (exit status 2).
func usageErr(err error, hint string) error { return cli.Usage(err, hint) }

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func newRootCommand(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "rvendor",
		Short: "Vendor Rust sources and bindgen into a Linux kernel tree, and verify them offline",
		Long: `rvendor keeps the Rust code a kernel build needs inside the kernel tree.

"rvendor update", run by a maintainer, fetches the pinned upstream sources
named in rvendor.toml, checks their hashes, copies the selected files into the
tree as plain, editable files and records every hash in rvendor.lock and
rvendor.sum. "rvendor verify", run by the build, proves offline that the tree
is what the lock says and names every file that drifted.

The spec is rvendor.toml, found by walking up from the working directory
(or -C DIR) the way git finds .git, or given with --spec.

With --json, a command prints its result as JSON on stdout; when it fails,
it prints {"error": {"message", "hint", "exit", "places": [{"position",
"message", "hint"}]}} there as well as the usual lines on stderr.`,
		Version:       version(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(g.stdin)
	root.SetOut(g.stdout)
	root.SetErr(g.stderr)
	pf := root.PersistentFlags()
	pf.StringVarP(&g.Dir, "directory", "C", "", "act as if started in `DIR`")
	pf.StringVar(&g.SpecFile, "spec", "", "use the spec `FILE` instead of finding rvendor.toml")
	pf.BoolVar(&g.JSON, "json", false, "print machine-readable JSON on stdout")
	pf.BoolVarP(&g.Quiet, "quiet", "q", false, "print only errors")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr(err, fmt.Sprintf("see '%s --help'", c.CommandPath()))
	})

	root.AddCommand(
		newInitCommand(g),
		newUpdateCommand(g),
		newFetchCommand(g),
		newBuildCommand(g),
		newVerifyCommand(g),
		newTreeCommand(g),
		newLicensesCommand(g),
		newAuditCommand(g),
		newSBOMCommand(g),
		newNoticeCommand(g),
		newBundleCommand(g),
		newMirrorCommand(g),
		newOfflineCommand(g),
		newToolchainCommand(g),
		newEnvCommand(g),
		newPolicyCommand(g),
		newDiffCommand(g),
		newPatchCommand(g),
		newAdoptCommand(g),
	)
	// An error returned before any command's own code ran is cobra's: an
	// unknown command or a wrong number of arguments, bad usage (exit
	// status 2) whatever its text.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	markRun(root, g)
	return root
}

// markRun wraps every command's Run and RunE so that g.ran is set once a
// command's own code starts.
func markRun(c *cobra.Command, g *globalOptions) {
	if c.RunE != nil {
		runE := c.RunE
		c.RunE = func(cmd *cobra.Command, args []string) error {
			g.ran = true
			return runE(cmd, args)
		}
	}
	if c.Run != nil {
		run := c.Run
		c.Run = func(cmd *cobra.Command, args []string) {
			g.ran = true
			run(cmd, args)
		}
	}
	for _, sub := range c.Commands() {
		markRun(sub, g)
	}
}

// run executes the command line args and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return runHooked(args, stdin, stdout, stderr, getenv, nil)
}

// runHooked is run with a hook called at each crash point of a commit
// (tests only; nil in rvendor itself).
func runHooked(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, hook func(string)) int {
	g := &globalOptions{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, hook: hook}
	root := newRootCommand(g)
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if !g.ran && exitCode(err) == exitFailure {
		err = usageErr(err, "")
	}
	code := report(stderr, err)
	if g.JSON {
		reportJSON(stdout, err, code)
	}
	return code
}

// report prints err the one way rvendor prints errors and returns the exit
// status it calls for.
func report(w io.Writer, err error) int { return cli.Report(w, err) }

// reportJSON prints err as {"error": ...} on w.
func reportJSON(w io.Writer, err error, code int) { cli.ReportJSON(w, err, code) }

// exitCode is the exit status err calls for.
func exitCode(err error) int { return cli.Code(err) }

// hintOf returns the first remedy text in err's chain.
func hintOf(err error) string { return cli.HintOf(err) }

// env is the process's streams and environment, for the cli package.
func (g *globalOptions) env() cli.Env {
	return cli.Env{Stdout: g.stdout, Stderr: g.stderr, Getenv: g.getenv}
}

// dir returns the folder the command acts in (-C, made absolute).
func (g *globalOptions) dir() (string, error) { return cli.Dir(g.Dir) }

// absKeyring makes --keyring absolute, relative to -C.
func (g *globalOptions) absKeyring() error {
	if g.Keyring == "" || filepath.IsAbs(g.Keyring) {
		return nil
	}
	dir, err := g.dir()
	if err != nil {
		return err
	}
	g.Keyring = filepath.Join(dir, g.Keyring)
	return nil
}

// specPath returns the spec to use: --spec (relative to -C), or the
// rvendor.toml found walking up from -C.
func (g *globalOptions) specPath() (string, error) { return cli.SpecPath(g.Dir, g.SpecFile) }

// project is a loaded spec with its lock and sum.
type project = engine.Project

// loadProject reads the spec, and the lock and sum beside it (empty when
// absent).
func (g *globalOptions) loadProject() (*project, error) {
	path, err := g.specPath()
	if err != nil {
		return nil, err
	}
	return engine.Load(path, g.Keyring)
}

// warn prints a warning to stderr, whatever --quiet and --json say:
// warnings are about trust and must not be missed.
func (g *globalOptions) warn(format string, args ...any) {
	fmt.Fprintf(g.stderr, "rvendor: warning: "+format+"\n", args...)
}

// say prints a progress or result line unless --quiet or --json.
func (g *globalOptions) say(format string, args ...any) {
	if g.Quiet || g.JSON {
		return
	}
	fmt.Fprintf(g.stderr, format+"\n", args...)
}
