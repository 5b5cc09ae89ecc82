package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/policy/audit"
)

type licensesOptions struct {
	Files bool
	All   bool
}

func newLicensesCommand(g *globalOptions) *cobra.Command {
	var o licensesOptions
	cmd := &cobra.Command{
		Use:   "licenses [COMPONENT...] [--files] [--all-licenses]",
		Short: "Audit the licenses of what is vendored: declared, detected, per-file tags",
		Long: `Licenses audits each vendored component, and each crate of a crate
component's closure, as rvendor.lock and rvendor.sum record them:

  declared   the spec's license, or the crate's Cargo.toml license
             (license-file too); Cargo's legacy "MIT/Apache-2.0" is read
             as "MIT OR Apache-2.0", and the normalization is shown
  detected   the licenses found in its license files (LICENSE*, LICENCE*,
             COPYING*, COPYRIGHT*, NOTICE*, UNLICENSE, at any depth), by
             google/licensecheck, with the share of each text matched
             (the licenses vendored code carries in practice: the kernel's
             LICENSES/, those of crates.io and Rust; --all-licenses looks
             for every one of licensecheck's 550, slower to start);
             "missing" names declared licenses with no text, and a
             detected license the declaration does not name is a mismatch
  concluded  the declared license when it is a valid expression, else what
             the license files (and [[policy.licenses.clarify]]) say
  tags       how many of its source files carry an SPDX-License-Identifier
             where the kernel's rule puts it (first line that can hold a
             comment; second after #!), and which disagree with the
             concluded license; --files lists every file

Only files rvendor.sum lists are read, and each is checked against its
recorded sha256: a file edited since the update is reported, not audited.
No network, no writes.

With --json it prints {"packages": [{"id", "component", "name", "version",
"crate", "role", "dir", "declared", "declared_in", "normalized",
"declared_error", "license_file", "license_files": [{"path", "sha256",
"ids", "coverage", "clarified", "reason", "error"}], "detected", "missing",
"undeclared", "concluded", "concluded_from", "tags": {"files", "tagged",
"untagged", "disagree": [{"path", "tag"}], "all", "drifted"}}],
"unused_clarifications"}.

EXIT STATUS
  0  the audit was printed (policy check judges it)
  2  bad usage, or a spec, lock or sum that cannot be used`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLicenses(cmd.Context(), g, &o, args)
		},
	}
	cmd.Flags().BoolVar(&o.Files, "files", false, "list every file's SPDX tag, and the files with none")
	cmd.Flags().BoolVar(&o.All, "all-licenses", false, "detect every license licensecheck knows, not only the common ones")
	return cmd
}

func runLicenses(ctx context.Context, g *globalOptions, o *licensesOptions, args []string) error {
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	rep, err := audit.Audit(orBackground(ctx), p.Spec, p.Lock, p.Sum, args, o.Files, o.All)
	if err != nil {
		return usageErr(err, "run rvendor verify, and rvendor update if a component is not vendored")
	}
	if g.JSON {
		return writeJSON(g, rep)
	}
	printLicenses(g, o, rep)
	return nil
}

// printLicenses renders the audit for people: one block per package.
// Every name and value from upstream goes through quote.Path.
func printLicenses(g *globalOptions, o *licensesOptions, rep *audit.Report) {
	w, q := g.stdout, quote.Path
	for _, p := range rep.Packages {
		fmt.Fprintf(w, "%s %s (%s): %s\n", q(p.ID), q(p.Version), p.Role, concludedText(p))
		if p.Normalized != "" {
			fmt.Fprintf(w, "  declared   %s in %s, read as %s\n", q(p.Declared), q(p.DeclaredIn), q(p.Normalized))
		} else if p.Declared != "" {
			fmt.Fprintf(w, "  declared   %s in %s\n", q(p.Declared), q(p.DeclaredIn))
		}
		if p.DeclaredError != "" {
			fmt.Fprintf(w, "  invalid    %s\n", q(p.DeclaredError))
		}
		for _, f := range p.Files {
			fmt.Fprintf(w, "  file       %s: %s\n", q(f.Path), licenseFileText(f))
		}
		if len(p.Files) == 0 {
			fmt.Fprintf(w, "  file       none found\n")
		}
		if len(p.Missing) > 0 {
			fmt.Fprintf(w, "  missing    no license text for %s\n", q(strings.Join(p.Missing, ", ")))
		}
		if p.Mismatch() {
			fmt.Fprintf(w, "  MISMATCH   the license files hold %s, which the declaration does not name\n", q(strings.Join(p.Undeclared, ", ")))
		}
		t := p.Tags
		if t.Files > 0 {
			fmt.Fprintf(w, "  tags       %d of %d files tagged", t.Tagged, t.Files)
			if n := len(t.Disagree); n > 0 {
				fmt.Fprintf(w, ", %d disagree", n)
			}
			fmt.Fprintln(w)
		}
		for _, d := range t.Disagree {
			fmt.Fprintf(w, "  disagree   %s: %s\n", q(d.Path), q(d.Tag))
		}
		if o.Files {
			for _, f := range t.All {
				fmt.Fprintf(w, "  tagged     %s: %s\n", q(f.Path), q(f.Tag))
			}
			for _, f := range t.Untagged {
				fmt.Fprintf(w, "  untagged   %s\n", q(f))
			}
		}
		for _, f := range t.Drifted {
			fmt.Fprintf(w, "  drifted    %s (not audited: run rvendor verify)\n", q(f))
		}
	}
	for _, c := range rep.UnusedClarifications {
		g.warn("clarification %s matches no vendored file: remove it", q(c))
	}
}

func concludedText(p *audit.Package) string {
	if p.Concluded == "" {
		return "NO LICENSE KNOWN"
	}
	if p.ConcludedFrom != "declared" {
		return quote.Path(p.Concluded) + " (" + p.ConcludedFrom + ")"
	}
	return quote.Path(p.Concluded)
}

func licenseFileText(f *audit.LicenseFile) string {
	switch {
	case f.Error != "":
		return "ERROR " + quote.Path(f.Error)
	case f.Clarified != "":
		return fmt.Sprintf("%s (clarified: %s)", quote.Path(f.Clarified), quote.Path(f.Reason))
	case len(f.IDs) == 0:
		return "no license detected"
	}
	return fmt.Sprintf("%s (%.0f%% of the text matched)", quote.Path(strings.Join(f.IDs, ", ")), f.Coverage)
}

func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
