package engine

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
	"path"
	"path/filepath"
	"strings"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/crates"
	"github.com/rvendor/rvendor/internal/sandbox"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// BuildOptions configure Build.
type BuildOptions struct {
	Features  string    // cargo --features
	TargetDir string    // cargo's target folder, absolute; "" for one in the cache
	NoSandbox bool      // do not try a network namespace
	Stderr    io.Writer // cargo's diagnostics; nil discards them
}

// Built is what Build made.
type Built struct {
	Component string   `json:"component"`
	Sandboxed bool     `json:"sandboxed"`
	Binaries  []string `json:"binaries"`
}

// buildInputs are the checked folders and files a build reads.
type buildInputs struct {
	c                *vendorspec.Component
	crate            string // the root crate's name
	dest, crateDir   string // absolute
	config, lockFile string // absolute
}

// buildInputs checks that component name is a vendored crate component
// and returns where its files are.
func (e *Engine) buildInputs(name string) (*buildInputs, error) {
	p := e.Project
	c := p.Component(name)
	if c == nil {
		return nil, unusablef("see the [[component]] names in the spec", "no component %q in %s", name, p.Spec.Path)
	}
	if c.Kind != vendorspec.KindCrate {
		return nil, unusablef("", "component %s is of kind %q; build takes a crate component", name, c.Kind)
	}
	lc := p.Lock.Component(name)
	if lc == nil || len(lc.Crates) == 0 {
		return nil, unusablef("run rvendor update "+name, "component %s is not vendored yet", name)
	}
	in := &buildInputs{c: c, crate: c.Crate}
	if in.crate == "" {
		in.crate = c.Name
	}
	var rootDir string
	for _, cr := range lc.Crates {
		if cr.Name == in.crate && cr.Version == c.Version {
			rootDir = cr.Dir
		}
	}
	if rootDir == "" {
		return nil, unusablef("run rvendor update "+name, "the lock of component %s does not list crate %s %s", name, in.crate, c.Version)
	}
	var err error
	if in.dest, err = inTree(p.Spec.Dir, c.Dest); err != nil {
		return nil, unusable(componentErr(name, err), "")
	}
	if in.crateDir, err = inTree(p.Spec.Dir, path.Join(c.Dest, rootDir)); err != nil {
		return nil, unusable(fmt.Errorf("component %s: the lock's crate folder: %w", name, err), "restore rvendor.lock from version control")
	}
	in.config, in.lockFile = filepath.Join(in.dest, crates.ConfigName), filepath.Join(in.dest, crates.LockName)
	for _, f := range []string{in.config, in.lockFile, filepath.Join(in.crateDir, "Cargo.toml")} {
		if _, err := os.Stat(f); err != nil {
			return nil, unusable(componentErr(name, err), "run rvendor verify, then rvendor update "+name)
		}
	}
	return in, nil
}

// Build compiles the binaries of the vendored crate component name from
// the tree alone: cargo build --release --offline --locked with the
// cargo-config.toml update wrote, inside a network namespace with only
// loopback where the system allows one. The crate's folder is copied to
// a work folder in the cache, so the tree is never written. It returns
// the binaries built.
func (e *Engine) Build(ctx context.Context, name string, o BuildOptions) (*Built, error) {
	in, err := e.buildInputs(name)
	if err != nil {
		return nil, err
	}
	cacheDir, err := fetch.CacheDir(e.Getenv)
	if err != nil {
		return nil, err
	}
	key := sha256.Sum256([]byte(in.dest))
	base := filepath.Join(cacheDir, "build", name+"-"+hex.EncodeToString(key[:6]))
	work := filepath.Join(base, "src")
	if err := os.RemoveAll(work); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, err
	}
	if _, err := tree.Copy(ctx, in.crateDir, work); err != nil {
		return nil, fmt.Errorf("copying %s to the build folder: %w", in.crate, err)
	}
	lockData, err := readInTree(filepath.Dir(in.lockFile), crates.LockName)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(work, crates.LockName), lockData, 0o644); err != nil {
		return nil, err
	}
	targetDir := o.TargetDir
	if targetDir == "" {
		targetDir = filepath.Join(base, "target")
	}
	cargo, err := exec.LookPath("cargo")
	if err != nil {
		return nil, unusable(errors.New("cargo is not on $PATH"), "install a Rust toolchain (rustup, or your distribution's cargo)")
	}
	args := []string{"cargo", "--config", in.config, "build", "--release", "--offline", "--locked",
		"--manifest-path", filepath.Join(work, "Cargo.toml"), "--target-dir", targetDir,
		"--message-format", "json-render-diagnostics"}
	features := ""
	if o.Features != "" {
		args = append(args, "--features", o.Features)
		features = " --features " + o.Features
	}
	e.say(fmt.Sprintf("%s: cargo build --release --offline --locked%s (%s %s)", name, features, in.crate, in.c.Version))
	out, sandboxed, err := e.runCargo(ctx, name, in.crate+" "+in.c.Version, cargo, args, work, o)
	if err != nil {
		return nil, err
	}
	bins, err := executables(out, in.crate)
	if err != nil {
		return nil, err
	}
	if len(bins) == 0 {
		return nil, failed(fmt.Errorf("cargo built no binary of %s %s", in.crate, in.c.Version),
			"the crate's binaries may need features: see [[bin]] required-features in its Cargo.toml and pass --features")
	}
	return &Built{Component: name, Sandboxed: sandboxed, Binaries: bins}, nil
}

// runCargo runs cargo in the sandbox, or with --offline alone where no
// sandbox can be made (or NoSandbox), and returns its JSON messages.
func (e *Engine) runCargo(ctx context.Context, name, what, cargo string, args []string, work string, o BuildOptions) ([]byte, bool, error) {
	var out bytes.Buffer
	stderr := o.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	sandboxed := false
	var status int
	var err error
	if !o.NoSandbox {
		var info *sandbox.Info
		status, info, err = sandbox.Run(sandbox.Command{Path: cargo, Args: args, Env: os.Environ(), Dir: work,
			Stdout: &out, Stderr: stderr})
		var ue *sandbox.UnavailableError
		switch {
		case errors.As(err, &ue):
			e.say(fmt.Sprintf("rvendor: warning: %v; building with --offline only", err))
		case err != nil:
			return nil, false, fmt.Errorf("running cargo in the sandbox: %w", err)
		default:
			sandboxed = true
			e.say(fmt.Sprintf("%s: built in a network namespace with only %s", name, strings.Join(info.Interfaces, ", ")))
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
			return nil, false, fmt.Errorf("running cargo: %w", err)
		}
	}
	if status != 0 {
		return nil, false, fmt.Errorf("cargo build of %s failed (exit status %d)", what, status)
	}
	return out.Bytes(), sandboxed, nil
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
		}
		if json.Unmarshal(sc.Bytes(), &m) != nil || m.Reason != "compiler-artifact" || m.Executable == nil {
			continue
		}
		if strings.Contains(m.PackageID, pkg) {
			out = append(out, *m.Executable)
		}
	}
	return out, sc.Err()
}
