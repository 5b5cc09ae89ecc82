package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/crates"
	"github.com/rvendor/rvendor/internal/sandbox"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

type buildOptions struct {
	Features  string
	TargetDir string
	NoSandbox bool
}

func newBuildCommand(g *globalOptions) *cobra.Command {
	var o buildOptions
	cmd := &cobra.Command{
		Use:   "build COMPONENT",
		Short: "Build a vendored binary crate offline, in a sandbox without network",
		Long: `Build compiles the binaries of a vendored crate component (kind "crate")
from the tree alone: cargo build --release --offline --locked, with the
cargo-config.toml that update wrote into the component's dest (which
replaces crates.io by the vendored folder and sets net.offline), inside a
network namespace whose only interface is loopback where the system allows
one (else it says so and relies on --offline alone).

The crate's folder is copied, with the closure's Cargo.lock, to a work
folder in the cache ($RVENDOR_CACHE/build/...), so the tree is never
written; the target folder is there too unless --target-dir is given. It
prints the path of each binary built, one a line (--json: an object with
"component" and "binaries").

Run rvendor verify first: cargo checks the files each .cargo-checksum.json
lists, but not files added beside them.

EXIT STATUS
  0  the binaries were built
  1  cargo failed, or built no binary
  2  bad usage, or a component that is not a vendored crate`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBuild(cmd.Context(), g, &o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Features, "features", "", "comma-separated `FEATURES` to enable (cargo --features)")
	f.StringVar(&o.TargetDir, "target-dir", "", "cargo's target `DIR` (default: in the cache)")
	f.BoolVar(&o.NoSandbox, "no-sandbox", false, "do not try a network namespace; rely on --offline alone")
	return cmd
}

// buildResult is the --json output of build.
type buildResult struct {
	Component string   `json:"component"`
	Sandboxed bool     `json:"sandboxed"`
	Binaries  []string `json:"binaries"`
}

func runBuild(ctx context.Context, g *globalOptions, o *buildOptions, name string) error {
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	c := specComponent(p.Spec, name)
	if c == nil {
		return usageErr(fmt.Errorf("no component %q in %s", name, p.Spec.Path), "see the [[component]] names in the spec")
	}
	if c.Kind != vendorspec.KindCrate {
		return usageErr(fmt.Errorf("component %s is of kind %q; build takes a crate component", name, c.Kind), "")
	}
	lc := p.Lock.Component(name)
	if lc == nil || len(lc.Crates) == 0 {
		return usageErr(fmt.Errorf("component %s is not vendored yet", name), "run rvendor update "+name)
	}
	crateName := c.Crate
	if crateName == "" {
		crateName = c.Name
	}
	var rootDir string
	for _, cr := range lc.Crates {
		if cr.Name == crateName && cr.Version == c.Version {
			rootDir = cr.Dir
		}
	}
	if rootDir == "" {
		return usageErr(fmt.Errorf("the lock of component %s does not list crate %s %s", name, crateName, c.Version), "run rvendor update "+name)
	}
	dest := filepath.Join(p.Spec.Dir, filepath.FromSlash(c.Dest))
	config := filepath.Join(dest, crates.ConfigName)
	for _, f := range []string{config, filepath.Join(dest, crates.LockName), filepath.Join(dest, rootDir, "Cargo.toml")} {
		if _, err := os.Stat(f); err != nil {
			return usageErr(fmt.Errorf("component %s: %w", name, err), "run rvendor verify, then rvendor update "+name)
		}
	}

	cacheDir := g.getenv(fetch.CacheEnv)
	if cacheDir == "" {
		if cacheDir, err = fetch.DefaultCacheDir(); err != nil {
			return err
		}
	}
	key := sha256.Sum256([]byte(dest))
	base := filepath.Join(cacheDir, "build", name+"-"+hex.EncodeToString(key[:6]))
	work := filepath.Join(base, "src")
	if err := os.RemoveAll(work); err != nil {
		return err
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return err
	}
	if err := os.CopyFS(work, os.DirFS(filepath.Join(dest, rootDir))); err != nil {
		return fmt.Errorf("copying %s to the build folder: %w", crateName, err)
	}
	lockData, err := os.ReadFile(filepath.Join(dest, crates.LockName))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, crates.LockName), lockData, 0o644); err != nil {
		return err
	}
	targetDir := o.TargetDir
	if targetDir == "" {
		targetDir = filepath.Join(base, "target")
	} else if !filepath.IsAbs(targetDir) {
		d, err := g.dir()
		if err != nil {
			return err
		}
		targetDir = filepath.Join(d, targetDir)
	}

	cargo, err := exec.LookPath("cargo")
	if err != nil {
		return usageErr(errors.New("cargo is not on $PATH"), "install a Rust toolchain (rustup, or your distribution's cargo)")
	}
	args := []string{"cargo", "--config", config, "build", "--release", "--offline", "--locked",
		"--manifest-path", filepath.Join(work, "Cargo.toml"), "--target-dir", targetDir,
		"--message-format", "json-render-diagnostics"}
	if o.Features != "" {
		args = append(args, "--features", o.Features)
	}
	g.say("%s: cargo build --release --offline --locked%s (%s %s)", name, featuresText(o.Features), crateName, c.Version)

	var out bytes.Buffer
	stderr := g.stderr
	if g.Quiet || g.JSON {
		stderr = io.Discard
	}
	sandboxed := false
	var status int
	if !o.NoSandbox {
		var info *sandbox.Info
		status, info, err = sandbox.Run(sandbox.Command{Path: cargo, Args: args, Env: os.Environ(), Dir: work,
			Stdout: &out, Stderr: stderr})
		var ue *sandbox.UnavailableError
		switch {
		case errors.As(err, &ue):
			g.say("rvendor: warning: %v; building with --offline only", err)
		case err != nil:
			return fmt.Errorf("running cargo in the sandbox: %w", err)
		default:
			sandboxed = true
			g.say("%s: built in a network namespace with only %s", name, strings.Join(info.Interfaces, ", "))
		}
	}
	if !sandboxed {
		cmd := exec.CommandContext(ctx, cargo, args[1:]...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = work, &out, stderr
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			status = ee.ExitCode()
		case err != nil:
			return fmt.Errorf("running cargo: %w", err)
		}
	}
	if status != 0 {
		return fmt.Errorf("cargo build of %s %s failed (exit status %d)", crateName, c.Version, status)
	}
	bins, err := executables(out.Bytes(), crateName)
	if err != nil {
		return err
	}
	if len(bins) == 0 {
		return &exitError{code: exitFailure, err: fmt.Errorf("cargo built no binary of %s %s", crateName, c.Version),
			hint: "the crate's binaries may need features: see [[bin]] required-features in its Cargo.toml and pass --features"}
	}
	if g.JSON {
		return writeJSON(g, buildResult{Component: name, Sandboxed: sandboxed, Binaries: bins})
	}
	for _, b := range bins {
		fmt.Fprintln(g.stdout, b)
	}
	return nil
}

func featuresText(f string) string {
	if f == "" {
		return ""
	}
	return " --features " + f
}

// executables returns the executables cargo's JSON messages report for
// package pkg.
func executables(msgs []byte, pkg string) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(msgs))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var m struct {
			Reason     string  `json:"reason"`
			PackageID  string  `json:"package_id"`
			Executable *string `json:"executable"`
			Target     struct {
				Name string `json:"name"`
			} `json:"target"`
		}
		if json.Unmarshal(sc.Bytes(), &m) != nil || m.Reason != "compiler-artifact" || m.Executable == nil {
			continue
		}
		if !strings.Contains(m.PackageID, pkg) {
			continue
		}
		out = append(out, *m.Executable)
	}
	return out, sc.Err()
}
