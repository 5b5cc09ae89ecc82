package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// Exit statuses shared by every command.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and found drift, or an operation failed
	exitUsage   = 2 // bad usage, or a spec, lock or sum that cannot be used
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

	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// exitError carries an exit status with an error; a nil err means the
// command already said everything (verify's drift report).
type exitError struct {
	code int
	err  error
	hint string
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// unusable marks an error reading the lock or sum as exit status 2; a
// *vendorspec.Error already is, with its own hint.
func unusable(err error, hint string) error {
	var se *vendorspec.Error
	if errors.As(err, &se) {
		return err
	}
	return usageErr(err, hint)
}

// usageErr marks err as a spec, lock or usage problem (exit status 2).
func usageErr(err error, hint string) error {
	return &exitError{code: exitUsage, err: err, hint: hint}
}

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
		newOfflineCommand(g),
		newToolchainCommand(g),
		newEnvCommand(g),
		newPolicyCommand(g),
		newDiffCommand(g),
		newPatchCommand(g),
		newAdoptCommand(g),
	)
	return root
}

// run executes the command line args and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	g := &globalOptions{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	root := newRootCommand(g)
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := report(stderr, err)
	if g.JSON {
		reportJSON(stdout, err, code)
	}
	return code
}

// jsonError is what --json prints on stdout when a command fails, so that
// a script reading stdout always gets a JSON document.
type jsonError struct {
	Error struct {
		Message string          `json:"message"`
		Hint    string          `json:"hint,omitempty"`
		Exit    int             `json:"exit"`
		Places  []jsonErrorItem `json:"places,omitempty"` // spec, lock or sum errors, one per place
	} `json:"error"`
}

type jsonErrorItem struct {
	Position string `json:"position"` // file:line:col
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
}

// reportJSON prints err as a jsonError, unless the command already wrote
// its own report (an exitError without an error, as verify's drift).
func reportJSON(w io.Writer, err error, code int) {
	var ee *exitError
	if errors.As(err, &ee) && ee.err == nil {
		return
	}
	var out jsonError
	out.Error.Message, out.Error.Exit = err.Error(), code
	if ee != nil {
		out.Error.Hint = ee.hint
	}
	var list vendorspec.ErrorList
	var one *vendorspec.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = vendorspec.ErrorList{one}
	}
	for _, e := range list {
		out.Error.Places = append(out.Error.Places, jsonErrorItem{Position: e.Pos.String(), Message: e.Msg, Hint: e.Hint})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}

// report prints err the one way rvendor prints errors and returns the exit
// status it calls for.
func report(w io.Writer, err error) int {
	code := exitFailure
	hint := ""
	var ee *exitError
	if errors.As(err, &ee) {
		code, hint = ee.code, ee.hint
		if ee.err == nil {
			return code
		}
	}
	var list vendorspec.ErrorList
	var one *vendorspec.Error
	switch {
	case errors.As(err, &list):
		code = exitUsage
		for _, e := range list {
			printSpecError(w, e)
		}
	case errors.As(err, &one):
		code = exitUsage
		printSpecError(w, one)
	default:
		msg := err.Error()
		if strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "accepts ") || strings.HasPrefix(msg, "requires ") {
			code = exitUsage
		}
		fmt.Fprintf(w, "rvendor: error: %s\n", msg)
	}
	if hint != "" {
		fmt.Fprintf(w, "rvendor: hint: %s\n", hint)
	}
	return code
}

func printSpecError(w io.Writer, e *vendorspec.Error) {
	fmt.Fprintf(w, "rvendor: error: %s: %s\n", e.Pos, e.Msg)
	if e.Hint != "" {
		fmt.Fprintf(w, "rvendor: hint: %s\n", e.Hint)
	}
}

// dir returns the folder the command acts in (-C, made absolute).
func (g *globalOptions) dir() (string, error) {
	d := g.Dir
	if d == "" {
		d = "."
	}
	abs, err := filepath.Abs(d)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return "", usageErr(fmt.Errorf("-C %s: not a folder", d), "")
	}
	return abs, nil
}

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
func (g *globalOptions) specPath() (string, error) {
	dir, err := g.dir()
	if err != nil {
		return "", err
	}
	if g.SpecFile != "" {
		p := g.SpecFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return p, nil
	}
	p, err := vendorspec.Find(dir)
	if err != nil {
		return "", usageErr(err, "")
	}
	return p, nil
}

// project is a loaded spec with its lock and sum.
type project struct {
	Spec     *vendorspec.Spec
	Lock     *vendorspec.Lock
	Sum      *vendorspec.Sum
	LockPath string
	SumPath  string
	// Keyring is the OpenPGP keyring replacing the embedded Rust key:
	// --keyring, else [sources] keyring (relative to the spec's folder).
	Keyring string
}

// loadProject reads the spec, and the lock and sum beside it (empty when
// absent).
func (g *globalOptions) loadProject() (*project, error) {
	path, err := g.specPath()
	if err != nil {
		return nil, err
	}
	spec, err := vendorspec.Load(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, usageErr(err, "run rvendor init to write a starter rvendor.toml")
		}
		return nil, err
	}
	p := &project{Spec: spec,
		LockPath: filepath.Join(spec.Dir, vendorspec.LockName),
		SumPath:  filepath.Join(spec.Dir, vendorspec.SumName)}
	if p.Lock, err = vendorspec.ReadLock(p.LockPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, unusable(err, "rvendor.lock is written by rvendor: restore it from version control")
	}
	if p.Sum, err = vendorspec.ReadSum(p.SumPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, unusable(err, "rvendor.sum is written by rvendor: restore it from version control")
	}
	p.Keyring = g.Keyring
	if p.Keyring == "" && spec.Sources.Keyring != "" {
		p.Keyring = spec.Sources.Keyring
		if !filepath.IsAbs(p.Keyring) {
			p.Keyring = filepath.Join(spec.Dir, p.Keyring)
		}
	}
	return p, nil
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
