package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rvendor/rvendor/policy/advisory"
	"github.com/rvendor/rvendor/policy/audit"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/sbom"
)

type sbomOptions struct {
	Format      string
	SpecVersion string
	Files       bool
	Output      string
	Namespace   string
	Created     string
	Serial      string
	DB          string
}

func newSBOMCommand(g *globalOptions) *cobra.Command {
	var o sbomOptions
	cmd := &cobra.Command{
		Use:   "sbom [--format spdx-json|cyclonedx-json] [--files] [-o FILE]",
		Short: "Write an SBOM of what is vendored: SPDX 2.3 or CycloneDX 1.6/1.5 JSON",
		Long: `Sbom writes a software bill of materials of the tree, as rvendor.lock and
rvendor.sum record it: SPDX 2.3 JSON (--format spdx-json, the default) or
CycloneDX JSON (--format cyclonedx-json; 1.6, or 1.5 with --spec-version).

The tree (the spec's folder) is the root package the document describes.
Each component, and each crate of a crate component's closure, is one
package with its version, download location (the archive or .crate URL as
the lock records it; NOASSERTION when unknown), sha256, purl
(pkg:cargo/NAME@VERSION; pkg:generic/rust-src@VERSION for the Rust
library), declared and concluded license, the copyright lines of its
license files, and for Rust dist sources the signer's fingerprint (SPDX:
an annotation "rvendor:signer=..."; CycloneDX: property rvendor:signer).
The root crate of a crate component (e.g. bindgen) DEPENDS_ON its crates.
Patches: SPDX, one package per patch file related by PATCH_APPLIED;
CycloneDX, pedigree.patches with each diff and pedigree.ancestors with
the pristine upstream. --files adds every file with its sha256 (and
SHA-1 in SPDX) and its SPDX-License-Identifier tag (SPDX file elements;
CycloneDX nested components of type file).

The output is deterministic: two runs on the same tree give the same
bytes. The creation time is --created, else SOURCE_DATE_EPOCH, else
1970-01-01T00:00:00Z (rvendor never reads the clock; set
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) for the commit's time). The
SPDX namespace (--namespace) and CycloneDX serial number (--serial)
default to a UUID derived from the document's content.

With --db (or [policy.advisories] db in the spec), the document names the
RustSec advisory database the tree is checked against: its git commit, the
commit's date and its newest advisory's date (SPDX: a document annotation;
CycloneDX: metadata properties rvendor:advisory-db-*).

Only files rvendor.sum lists are read, each checked against its sha256;
the sum must be the one rvendor.lock seals. No network. The SBOM goes to
stdout, or to -o FILE (written whole, then renamed into place); it is
JSON whether or not --json is given.

EXIT STATUS
  0  the SBOM was written
  1  a file or patch differs from what rvendor.lock records (run rvendor
     verify), or the output could not be written
  2  bad usage, or a spec, lock or sum that cannot be used`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSBOM(cmd.Context(), g, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Format, "format", sbom.FormatSPDX, "spdx-json or cyclonedx-json")
	f.StringVar(&o.SpecVersion, "spec-version", "", "CycloneDX version: 1.6 (default) or 1.5")
	f.BoolVar(&o.Files, "files", false, "list every file with its hashes and SPDX tag")
	f.StringVarP(&o.Output, "output", "o", "", "write the SBOM to `FILE` instead of stdout")
	f.StringVar(&o.Namespace, "namespace", "", "SPDX document namespace `URI` (default: derived from the content)")
	f.StringVar(&o.Created, "created", "", "creation time, `RFC3339` (default: SOURCE_DATE_EPOCH, else 1970-01-01T00:00:00Z)")
	f.StringVar(&o.Serial, "serial", "", "CycloneDX serial number, `urn:uuid:...` (default: derived from the content)")
	f.StringVar(&o.DB, "db", "", "name the RustSec advisory database `FOLDER` (default: [policy.advisories] db) by its commit and dates")
	return cmd
}

// options turns the flags and SOURCE_DATE_EPOCH into sbom.Options.
func (o *sbomOptions) options(getenv func(string) string) (sbom.Options, error) {
	so := sbom.Options{Format: o.Format, SpecVersion: o.SpecVersion, Namespace: o.Namespace, Serial: o.Serial, ToolVersion: version()}
	switch {
	case o.Created != "":
		t, err := time.Parse(time.RFC3339, o.Created)
		if err != nil {
			return so, usageErr(fmt.Errorf("--created %q: %w", o.Created, err), "give a time such as 2024-05-01T12:00:00Z")
		}
		so.Created = t
	case getenv("SOURCE_DATE_EPOCH") != "":
		t, err := sbom.ParseEpoch(getenv("SOURCE_DATE_EPOCH"))
		if err != nil {
			return so, usageErr(err, "unset it, or set it to $(git log -1 --format=%ct)")
		}
		so.Created = t
	}
	if err := so.Check(); err != nil {
		return so, usageErr(err, "see 'rvendor sbom --help'")
	}
	return so, nil
}

func runSBOM(ctx context.Context, g *globalOptions, o *sbomOptions) error {
	so, err := o.options(g.getenv)
	if err != nil {
		return err
	}
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	if len(p.Lock.Components) == 0 {
		return usageErr(errors.New("nothing is vendored: rvendor.lock lists no component"), "run rvendor update")
	}
	if db := audit.AdvisoryDB(p.Spec, o.DB); db != "" {
		d, err := advisory.Load(db)
		if err != nil {
			return usageErr(err, "point --db or [policy.advisories] db at a copy of the RustSec advisory database")
		}
		so.Advisories = &sbom.AdvisoryDB{Commit: d.Commit, CommitDate: d.CommitDate, Newest: d.Newest}
	}
	src, err := sbom.Load(orBackground(ctx), p.Spec, p.Lock, p.Sum, o.Files)
	if err != nil {
		return readErr(err)
	}
	data, err := sbom.Marshal(src, so)
	if err != nil {
		return err
	}
	if err := writeOutput(g, o.Output, data); err != nil {
		return err
	}
	if o.Output != "" {
		g.say("wrote %s: %d package%s", o.Output, len(src.Packages), plural(len(src.Packages)))
	}
	return nil
}

// readErr gives an error reading the tree its exit status: a file or
// patch that is not what the lock records is a failure (1), anything
// else an unusable spec, lock or sum (2).
func readErr(err error) error {
	var de *inventory.DriftError
	var pe *sbom.PatchError
	if errors.As(err, &de) || errors.As(err, &pe) {
		return &exitError{Code: exitFailure, Err: err, Remedy: "run rvendor verify"}
	}
	return usageErr(err, "run rvendor verify, and rvendor update if a component is not vendored")
}

// writeOutput writes data to stdout, or to the file path (relative to
// -C): to a temporary file in the same folder, synced, then renamed over
// path, so that a reader never sees half a document.
func writeOutput(g *globalOptions, path string, data []byte) error {
	if path == "" || path == "-" {
		_, err := g.stdout.Write(data)
		return err
	}
	if !filepath.IsAbs(path) {
		dir, err := g.dir()
		if err != nil {
			return err
		}
		path = filepath.Join(dir, path)
	}
	fail := func(err error) error {
		return &exitError{Code: exitFailure, Err: fmt.Errorf("writing %s: %w", path, err)}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fail(err)
	}
	return nil
}
