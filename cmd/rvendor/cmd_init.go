package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"text/template"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/policy"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

type initOptions struct {
	Force bool
}

func newInitCommand(g *globalOptions) *cobra.Command {
	var o initOptions
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented starter rvendor.toml",
		Long: `Init writes a commented starter rvendor.toml in the current folder (or -C DIR,
or the --spec path).

Inside a Linux kernel tree it reads scripts/min-tool-version.sh to pin rustc
and bindgen to the kernel's minimum versions and libclang to ">=" the minimum
LLVM, and proposes destinations under rust/ (rust/vendor/library is a
drop-in RUST_LIB_SRC).

EXIT STATUS
  0  the spec was written
  1  it could not be written
  2  bad usage, or a spec already exists (use --force to overwrite it)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInit(cmd.Context(), g, &o)
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "overwrite an existing spec")
	return cmd
}

// starterTemplate is the spec init writes; init checks that its output
// parses. It is compiled on first use, to keep it out of start-up.
var starterTemplate = sync.OnceValue(func() *template.Template { return template.Must(template.New("spec").Parse(starterText)) })

const starterText = `# rvendor.toml: the sources rvendor vendors into this tree.
#
# Run "rvendor update" to fetch the components and place them into the tree,
# then commit the vendored folders with rvendor.lock and rvendor.sum. Every
# build runs "rvendor verify", which checks them offline.
version = 1

# Pins that "rvendor toolchain" checks against the installed tools.
# Versions are exact ("1.78.0") or go-version constraints (">= 13.0.1").
[toolchain]
{{- if .Kernel}}
rustc = "{{.Rustc}}"          # scripts/min-tool-version.sh rustc
bindgen = "{{.Bindgen}}"        # scripts/min-tool-version.sh bindgen
libclang = ">= {{.LLVM}}"    # scripts/min-tool-version.sh llvm
{{- else}}
rustc = "{{.Rustc}}"
bindgen = "{{.Bindgen}}"
libclang = ">= {{.LLVM}}"
{{- end}}

# The Rust standard library sources the kernel compiles: core and alloc,
# from the rust-src component of the pinned release. rvendor adds what they
# include (stdarch's core_arch, portable-simd's core_simd). The dest folder
# mirrors library/, so it is a drop-in RUST_LIB_SRC.
[[component]]
name = "rust-library"
kind = "rust-src"                 # or "rustc-src" for the full source tarball
version = "{{.Rustc}}"              # must equal the rustc release that builds it
paths = ["library/core", "library/alloc"]
dest = "{{.Dest}}/library"
license = "MIT OR Apache-2.0"
patches = "{{.Dest}}/patches/rust-library"   # maintainer edits, as patches

# bindgen and its locked crate closure from crates.io, buildable offline.
# [[component]]
# name = "bindgen"
# kind = "crate"
# crate = "bindgen-cli"
# version = "{{.Bindgen}}"
# dest = "{{.Dest}}/crates"
# license = "BSD-3-Clause"

# Any other tarball, by URL and sha256.
# [[component]]
# name = "demo"
# kind = "archive"
# url = "https://example.org/demo-1.2.0.tar.gz"
# sha256 = "<the 64 hex digits sha256sum prints>"
# version = "1.2.0"
# paths = ["demo-1.2.0/src"]
# dest = "third_party/demo"
`

type starter struct {
	Kernel               bool
	Rustc, Bindgen, LLVM string
	Dest                 string
}

func runInit(ctx context.Context, g *globalOptions, o *initOptions) error {
	dir, err := g.dir()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, vendorspec.SpecName)
	if g.SpecFile != "" {
		path = g.SpecFile
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
	}
	root := filepath.Dir(path)
	// Under the workspace lock, and by one rename: a spec is never seen
	// half-written, and an update running meanwhile is waited for.
	ws, err := tree.OpenSpec(root, filepath.Base(path))
	if err != nil {
		return err
	}
	defer ws.Close()
	if _, err := os.Lstat(path); err == nil && !o.Force {
		return usageErr(fmt.Errorf("%s already exists", path), "edit it, or run rvendor init --force to overwrite it")
	}
	// Defaults: the minimums of the newest kernel rvendor was tested with.
	st := starter{Rustc: "1.78.0", Bindgen: "0.65.1", LLVM: "13.0.1", Dest: "rust/vendor"}
	if policy.IsKernelTree(root) {
		mins, err := policy.KernelMinVersions(ctx, root)
		if err != nil {
			return err
		}
		st.Kernel = true
		for tool, dst := range map[string]*string{"rustc": &st.Rustc, "bindgen": &st.Bindgen, "llvm": &st.LLVM} {
			if v, ok := mins[tool]; ok {
				*dst = v
			}
		}
	}
	var buf bytes.Buffer
	if err := starterTemplate().Execute(&buf, st); err != nil {
		return err
	}
	if _, err := vendorspec.Parse(path, buf.Bytes()); err != nil {
		return fmt.Errorf("internal error: the starter spec does not parse: %w", err)
	}
	txn, err := ws.Begin()
	if err != nil {
		return err
	}
	defer txn.Abort()
	if err := txn.WriteFile(filepath.Base(path), buf.Bytes()); err != nil {
		return fmt.Errorf("writing the spec: %w", err)
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("writing the spec: %w", err)
	}
	if st.Kernel {
		g.say("wrote %s for a kernel tree: rustc %s, bindgen %s, libclang >= %s (from %s)", path, st.Rustc, st.Bindgen, st.LLVM, policy.MinToolScript)
	} else {
		g.say("wrote %s", path)
	}
	g.say("next: review it, then run rvendor update")
	if g.JSON {
		return writeJSON(g, map[string]any{"spec": path, "kernel_tree": st.Kernel,
			"rustc": st.Rustc, "bindgen": st.Bindgen, "libclang": ">= " + st.LLVM})
	}
	return nil
}
