package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/policy/advisory"
	"github.com/rvendor/rvendor/policy/audit"
)

type auditOptions struct {
	DB  string
	Now string
}

func newAuditCommand(g *globalOptions) *cobra.Command {
	var o auditOptions
	cmd := &cobra.Command{
		Use:   "audit [--db PATH]",
		Short: "Check the vendored crates and Rust library against the RustSec advisories",
		Long: `Audit checks what rvendor.lock vendors against a local copy of the RustSec
advisory database (a clone of github.com/rustsec/advisory-db, or any copy
of its crates/ and rust/ folders): --db PATH, or [policy.advisories] db in
rvendor.toml (relative to the spec's folder). It never touches the network.

Checked: every crate of a crate component's closure (platform stubs are
left out: their code is not vendored), and the Rust library itself: a
rust-src or rustc-src component at release X.Y.Z is checked as std, core
and alloc X.Y.Z against the database's rust/ advisories, which cargo-audit
and cargo-deny skip. Versions match with Cargo's rules ("1.2" is "^1.2";
pre-releases match only a comparator of the same release).

Vulnerabilities fail the audit. Informational advisories (unmaintained,
unsound, notice) are listed apart and do not; withdrawn ones are ignored.
[policy.advisories] can ignore an advisory by id or alias, with a reason
([[policy.advisories.ignore]] id, reason; an ignore that matches nothing is
warned about), restrict os/arch-specific advisories to the target (os,
arch), and set max-age-days: a database whose newest advisory is older
fails. An advisory file that cannot be parsed is reported and skipped;
it never stops the others from being checked, but when it concerns a
vendored package the audit fails (what it says was not checked), and an
unreadable crates/ or rust/ folder stops the audit.

With --json it prints {"status": "pass"|"fail", "db": {"root", "commit",
"commit_date", "newest", "advisories"}, "vulnerabilities": [FINDING],
"informational": [FINDING], "ignored": [FINDING with "reason"],
"unused_ignores", "unparsed": [{"file", "error"}], "unchecked",
"unreadable", "stale"},
where FINDING is {"id", "package", "version", "collection", "component",
"kind", "title", "date", "url", "aliases", "patched", "unaffected"}.

EXIT STATUS
  0  no vulnerability (informational findings may be listed)
  1  a vulnerable package, or a database older than max-age-days
  2  bad usage, no database, or a spec or lock that cannot be used`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAudit(g, &o)
		},
	}
	cmd.Flags().StringVar(&o.DB, "db", "", "the advisory database `FOLDER` (default: [policy.advisories] db)")
	cmd.Flags().StringVar(&o.Now, "now", "", "measure the database's age at `DATE` (YYYY-MM-DD) instead of today")
	return cmd
}

// advisoryJSON is audit --json's output.
type advisoryJSON struct {
	Status          string         `json:"status"`
	DB              advisoryDBJSON `json:"db"`
	Vulnerabilities []findingJSON  `json:"vulnerabilities"`
	Informational   []findingJSON  `json:"informational"`
	Ignored         []findingJSON  `json:"ignored"`
	UnusedIgnores   []string       `json:"unused_ignores"`
	Unparsed        []unparsedJSON `json:"unparsed"`
	Unchecked       []string       `json:"unchecked"`
	Unreadable      []string       `json:"unreadable"`
	Stale           string         `json:"stale,omitempty"`
}

type advisoryDBJSON struct {
	Root       string `json:"root"`
	Commit     string `json:"commit,omitempty"`
	CommitDate string `json:"commit_date,omitempty"`
	Newest     string `json:"newest,omitempty"`
	Advisories int    `json:"advisories"`
}

type findingJSON struct {
	ID         string   `json:"id"`
	Package    string   `json:"package"`
	Version    string   `json:"version"`
	Collection string   `json:"collection"`
	Component  string   `json:"component"`
	Kind       string   `json:"kind"` // "vulnerability", or the informational kind
	Title      string   `json:"title"`
	Date       string   `json:"date"`
	URL        string   `json:"url,omitempty"`
	Aliases    []string `json:"aliases"`
	Patched    []string `json:"patched"`
	Unaffected []string `json:"unaffected"`
	Reason     string   `json:"reason,omitempty"`
}

type unparsedJSON struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

func runAudit(g *globalOptions, o *auditOptions) error {
	p, err := g.loadProject()
	if err != nil {
		return err
	}
	db := audit.AdvisoryDB(p.Spec, o.DB)
	if db == "" {
		return usageErr(fmt.Errorf("no advisory database: give --db PATH or set [policy.advisories] db"),
			"clone https://github.com/rustsec/advisory-db on a machine with network and copy it next to the tree")
	}
	now := time.Now().UTC()
	if o.Now != "" {
		if now, err = time.Parse(time.DateOnly, o.Now); err != nil {
			return usageErr(fmt.Errorf("--now %q: %w", o.Now, err), "write a date as YYYY-MM-DD")
		}
	}
	rep, err := audit.CheckAdvisories(p.Spec, p.Lock, db, now)
	if err != nil {
		return usageErr(err, "point --db or [policy.advisories] db at a copy of the RustSec advisory database")
	}
	out := advisoryOutput(rep)
	if g.JSON {
		if err := writeJSONIndent(g, out); err != nil {
			return err
		}
	} else {
		printAudit(g, &out)
	}
	if rep.Failed() {
		msg := fmt.Sprintf("%d vulnerable package%s", len(rep.Vulnerabilities), plural(len(rep.Vulnerabilities)))
		switch {
		case len(rep.Unreadable) > 0:
			msg = fmt.Sprintf("%d advisory file(s) about vendored packages cannot be read: fix or update the database", len(rep.Unreadable))
		case rep.Stale != "":
			msg = rep.Stale
		}
		return &exitError{Code: exitFailure, Err: fmt.Errorf("audit failed: %s", msg),
			Remedy: "update the crate (rvendor update --to, or a newer lockfile), or ignore the advisory with a reason in [[policy.advisories.ignore]]"}
	}
	return nil
}

func advisoryOutput(rep *audit.AdvisoryReport) advisoryJSON {
	out := advisoryJSON{Status: "pass", Vulnerabilities: []findingJSON{}, Informational: []findingJSON{}, Ignored: []findingJSON{},
		UnusedIgnores: append([]string{}, rep.UnusedIgnores...), Unparsed: []unparsedJSON{}, Unchecked: append([]string{}, rep.Unchecked...), Unreadable: append([]string{}, rep.Unreadable...), Stale: rep.Stale}
	if rep.Failed() {
		out.Status = "fail"
	}
	d := rep.DB
	out.DB = advisoryDBJSON{Root: d.Root, Commit: d.Commit, Advisories: d.Advisories}
	if !d.CommitDate.IsZero() {
		out.DB.CommitDate = d.CommitDate.Format(time.DateOnly)
	}
	if !d.Newest.IsZero() {
		out.DB.Newest = d.Newest.Format(time.DateOnly)
	}
	conv := func(fs []advisory.Finding) []findingJSON {
		res := []findingJSON{}
		for _, f := range fs {
			a := f.Advisory
			kind := a.Informational
			if kind == "" {
				kind = "vulnerability"
			}
			fj := findingJSON{ID: a.ID, Package: f.Package.Name, Version: f.Package.Version, Collection: f.Package.Collection,
				Component: f.Package.Where, Kind: kind, Title: a.Title, Date: a.Date.Format(time.DateOnly), URL: a.URL,
				Aliases: append([]string{}, a.Aliases...), Patched: reqs(a.Patched), Unaffected: reqs(a.Unaffected), Reason: f.Reason}
			res = append(res, fj)
		}
		return res
	}
	out.Vulnerabilities, out.Informational, out.Ignored = conv(rep.Vulnerabilities), conv(rep.Informational), conv(rep.Ignored)
	for _, u := range rep.Unparsed {
		out.Unparsed = append(out.Unparsed, unparsedJSON{File: u.File, Error: u.Err.Error()})
	}
	return out
}

func reqs(rs []advisory.Req) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

// printAudit renders the audit for people.
func printAudit(g *globalOptions, out *advisoryJSON) {
	w, q := g.stdout, quote.Path
	db := out.DB
	fmt.Fprintf(w, "advisory database %s: %d advisories", q(db.Root), db.Advisories)
	if db.Commit != "" {
		fmt.Fprintf(w, ", commit %s", q(db.Commit))
	}
	if db.Newest != "" {
		fmt.Fprintf(w, ", newest %s", db.Newest)
	}
	fmt.Fprintln(w)
	line := func(tag string, f findingJSON) {
		patched := "no patched version"
		if len(f.Patched) > 0 {
			patched = "patched: " + strings.Join(f.Patched, ", ")
		}
		fmt.Fprintf(w, "%-13s %s %s %s (%s): %s; %s\n", tag, q(f.ID), q(f.Package), q(f.Version), q(f.Component), q(f.Title), q(patched))
		if f.Reason != "" {
			fmt.Fprintf(w, "              ignored: %s\n", q(f.Reason))
		}
	}
	for _, f := range out.Vulnerabilities {
		line("VULNERABLE", f)
	}
	for _, f := range out.Informational {
		line(f.Kind, f)
	}
	for _, f := range out.Ignored {
		line("ignored", f)
	}
	for _, u := range out.Unparsed {
		g.warn("advisory %s could not be read and was skipped: %s", q(u.File), q(u.Error))
	}
	for _, u := range out.UnusedIgnores {
		g.warn("ignored advisory %s matches no vendored package: remove it", q(u))
	}
	for _, u := range out.Unchecked {
		fmt.Fprintf(w, "not checked   %s\n", q(u))
	}
	for _, u := range out.Unreadable {
		fmt.Fprintf(w, "UNREADABLE    %s (an advisory about a vendored package was not checked)\n", q(u))
	}
	if out.Stale != "" {
		fmt.Fprintf(w, "STALE         %s\n", q(out.Stale))
	}
	fmt.Fprintf(w, "advisories: %d vulnerable, %d informational, %d ignored\n", len(out.Vulnerabilities), len(out.Informational), len(out.Ignored))
}
