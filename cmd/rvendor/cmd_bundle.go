package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/bundle"
	"github.com/rvendor/rvendor/engine"
)

func newBundleCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bundle create|verify FILE",
		Short: "Carry what update needs to a machine with no network, in one file",
		Long: `Bundle writes and checks air-gapped bundles: one .tar.zst file holding every
upstream file "rvendor update" reads for the spec, to be carried by hand to a
machine with no network and used there with "rvendor update --from-bundle".

See "rvendor bundle create --help" and "rvendor bundle verify --help".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageErr(errors.New("bundle needs a subcommand: create or verify"), "see 'rvendor bundle --help'")
		},
	}
	cmd.AddCommand(newBundleCreateCommand(g), newBundleVerifyCommand(g))
	return cmd
}

func newBundleCreateCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create FILE [COMPONENT...]",
		Short: "Write every upstream file update needs into one bundle",
		Long: `Create fetches what "rvendor update" needs for each component of rvendor.toml
(all, or those named), with every check update makes (the Rust channel
manifest's .sha256 and OpenPGP signature, archive hashes, each .crate against
Cargo.lock and the index), and writes the files it read into FILE, a
zstd-compressed tar laid out like the upstream servers:

  rvendor-bundle.json                     the manifest: each file's path, size
                                          and sha256 (always the first member)
  dist/channel-rust-X.Y.Z.toml{,.sha256,.asc}
  dist/YYYY-MM-DD/rust-src-X.Y.Z.tar.gz   the archives, at the manifest's paths
  index/config.json, index/bi/nd/bindgen  the crates index entries of a closure
  crates/NAME/NAME-VERSION.crate
  archives/SHA256/FILE                    archive components (and, for a
                                          component whose patch queue moves to
                                          a new version, the old archive from
                                          the download cache, for merges)

The tar is deterministic (sorted names, fixed modes, owners and times): the
same inputs give a byte-identical bundle. FILE is replaced only once the
whole bundle is written. The bundle's sha256 is printed: compare it after
carrying the file. The tree, the lock and the sum are not touched.

A bundle holds one crates index and one Rust distribution server.

EXIT STATUS
  0  the bundle is written
  1  a download or a check failed; FILE is unchanged
  2  bad usage, or a spec that cannot be used`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBundleCreate(cmd.Context(), g, args[0], args[1:])
		},
	}
	addKeyringFlag(cmd, g)
	return cmd
}

func runBundleCreate(ctx context.Context, g *globalOptions, file string, names []string) error {
	file, err := g.abs(file)
	if err != nil {
		return err
	}
	col, err := collect(ctx, g, names)
	if err != nil {
		return err
	}
	res, err := col.WriteBundle(file)
	if err != nil {
		return err
	}
	if g.JSON {
		return writeJSON(g, res)
	}
	g.say("wrote %s: %d file%s (%s) for %d component%s, %s compressed", file, res.Files, plural(res.Files), humanBytes(res.Bytes),
		len(res.Components), plural(len(res.Components)), humanBytes(res.Size))
	g.say("sha256 %s", res.SHA256)
	return nil
}

func newBundleVerifyCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "verify FILE",
		Short: "Check offline that a bundle is whole",
		Long: `Verify reads the bundle FILE to its end, with no network and without writing
anything, and checks that it is whole: the manifest comes first and lists
every other member with its size and sha256; every member is listed, is a
regular file with a safe name (letters, digits and "._-+~" only, under
dist/, index/, crates/ or archives/; no "..", no hidden name, no link or
device), appears once and matches the manifest; no listed member is missing;
nothing follows the tar's end; the manifest, each member and the whole stay
within the size limits. Every problem is listed.

A whole bundle is not a trusted one: anyone can write a bundle whose
manifest matches. "rvendor update --from-bundle" therefore checks every
file again as if it came from the network: the Rust manifest's signature
against the embedded Rust key (or the keyring), the archives against the
signed manifest, each .crate against Cargo.lock and the index.

EXIT STATUS
  0  the bundle is whole
  1  the bundle is damaged, changed or not a bundle (each problem is listed)
  2  bad usage, or FILE cannot be read`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBundleVerify(cmd.Context(), g, args[0])
		},
	}
}

// bundleVerifyJSON is the --json output of bundle verify.
type bundleVerifyJSON struct {
	File       string             `json:"file"`
	OK         bool               `json:"ok"`
	Members    int                `json:"members"` // members that match the manifest
	Bytes      int64              `json:"bytes"`
	Components []bundle.Component `json:"components,omitempty"`
	Problems   []string           `json:"problems,omitempty"`
}

func runBundleVerify(ctx context.Context, g *globalOptions, file string) error {
	file, err := g.abs(file)
	if err != nil {
		return err
	}
	rep, err := engine.CheckBundle(ctx, file)
	if err != nil && rep == nil {
		return err
	}
	out := bundleVerifyJSON{File: file, OK: err == nil && rep.Err() == nil, Members: rep.Checked, Bytes: rep.Bytes}
	if rep.Manifest != nil {
		out.Components = rep.Manifest.Components
	}
	for _, p := range rep.Problems {
		out.Problems = append(out.Problems, p.Error())
	}
	if err != nil {
		out.Problems = append(out.Problems, err.Error())
	}
	if g.JSON {
		if werr := writeJSON(g, out); werr != nil {
			return werr
		}
		if !out.OK {
			return &exitError{Code: exitFailure}
		}
		return nil
	}
	for _, p := range rep.Problems {
		g.warn("%s", p.Error())
	}
	if err != nil {
		return err
	}
	if !out.OK {
		return &exitError{Code: exitFailure, Err: errors.New(file + ": the bundle is not whole: " + problemCount(len(rep.Problems))),
			Remedy: "make it again with rvendor bundle create, or carry it again"}
	}
	for _, c := range out.Components {
		g.say("  %s: %s %s", c.Name, c.Kind, c.Version)
	}
	g.say("ok: %s is whole: %d file%s (%s), each matching its manifest", file, out.Members, plural(out.Members), humanBytes(out.Bytes))
	return nil
}

func problemCount(n int) string {
	if n == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", n)
}

func newMirrorCommand(g *globalOptions) *cobra.Command {
	var base, from string
	cmd := &cobra.Command{
		Use:   "mirror FOLDER [COMPONENT...]",
		Short: "Write what update needs as a static mirror of the upstream servers",
		Long: `Mirror writes the same files as "rvendor bundle create" (fetched with every
check update makes, or taken from a bundle with --from-bundle, which is
verified first) into FOLDER, laid out like the upstream servers, for any
static web server, object store or artifact manager to serve:

  dist/channel-rust-X.Y.Z.toml{,.sha256,.asc}   as on static.rust-lang.org
  dist/YYYY-MM-DD/rust-src-X.Y.Z.tar.gz         at the paths the manifest names
  index/config.json                             {"dl": "BASE/crates/{crate}/{crate}-{version}.crate"}
  index/bi/nd/bindgen ...                       the sparse index entries
  crates/NAME/NAME-VERSION.crate                as on static.crates.io
  archives/SHA256/FILE                          archive components

BASE is --base-url, the URL FOLDER will be served at (default: FOLDER's own
file:// URL). A spec then uses the mirror with

  [sources]
  rust-dist = "BASE"
  crates-index = "sparse+BASE/index/"
  mirrors = ["BASE"]      # archives (and dist and crates, as a fallback)

Rust manifests are still checked against the Rust release key, and crates
against the in-tree lockfile or rvendor.lock's checksums (a crate component
with neither is refused from a mirror). FOLDER is created if needed; files already there are kept
when their content matches, replaced atomically otherwise, and other files
are left alone, so one mirror can serve several trees. Index entries and
channel manifests are written after the files they name. The tree, the lock
and the sum are not touched.

EXIT STATUS
  0  the mirror is written
  1  a download, a check or a write failed, or the bundle is not whole
  2  bad usage, or a spec that cannot be used`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMirror(cmd.Context(), g, args[0], args[1:], base, from)
		},
	}
	cmd.Flags().StringVar(&base, "base-url", "", "the `URL` FOLDER will be served at, for the index's download location (default: its file:// URL)")
	cmd.Flags().StringVar(&from, "from-bundle", "", "take the files from the bundle `FILE` (verified first) instead of fetching them; no spec is needed")
	addKeyringFlag(cmd, g)
	return cmd
}

func runMirror(ctx context.Context, g *globalOptions, dir string, names []string, base, from string) error {
	dir, err := g.abs(dir)
	if err != nil {
		return err
	}
	var col *engine.Collection
	if from != "" {
		if len(names) > 0 {
			return usageErr(errors.New("--from-bundle takes the whole bundle: name no component"), "")
		}
		if from, err = g.abs(from); err != nil {
			return err
		}
		b, err := engine.OpenBundle(ctx, from)
		if err != nil {
			return err
		}
		defer b.Close()
		col = b.Collection()
	} else {
		if col, err = collect(ctx, g, names); err != nil {
			return err
		}
	}
	res, err := col.WriteMirror(dir, base)
	if err != nil {
		return err
	}
	if g.JSON {
		return writeJSON(g, res)
	}
	g.say("mirror %s: %d file%s written (%s), %d already there; its index names %s for crate downloads", res.Dir, res.Written, plural(res.Written), humanBytes(res.Bytes), res.Kept, res.BaseURL+"crates/")
	return nil
}

// collect runs engine.Collect for the spec's components named.
func collect(ctx context.Context, g *globalOptions, names []string) (*engine.Collection, error) {
	if err := g.absKeyring(); err != nil {
		return nil, err
	}
	p, err := g.loadProject()
	if err != nil {
		return nil, err
	}
	e, err := g.newEngine(p)
	if err != nil {
		return nil, err
	}
	return e.Collect(ctx, names)
}

// abs makes a command-line path absolute, relative to -C.
func (g *globalOptions) abs(p string) (string, error) {
	if filepath.IsAbs(p) {
		return filepath.Clean(p), nil
	}
	dir, err := g.dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, p), nil
}
