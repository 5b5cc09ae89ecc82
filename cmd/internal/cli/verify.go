package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
	"github.com/rvendor/rvendor/verify"
)

// VerifyShort is the verify command's one-line summary.
const VerifyShort = "Check offline that the tree is what the lock says"

// VerifyLong is the verify command's help, shared by "rvendor verify" and
// rvendor-verify.
const VerifyLong = `Verify proves, offline and without writing to the tree, that each vendored
folder holds exactly the files rvendor.lock and rvendor.sum record: it names
every file modified, added, deleted, changed in mode or replaced by another
kind of entry, and every component whose spec changed since the last update.

Each file is in one of three states: as upstream has it; changed by a
recorded patch of the component's queue (listed as "patched", with the
patch's name; not drift); changed by rvendor itself as the spec declares
(an SPDX header stamped by spdx-header, README.md written by readme;
counted as "stamped" and "generated", not drift); or an undeclared edit
(modified, added, deleted, mode), which is drift: "rvendor diff" shows it and "rvendor patch record"
turns it into a patch. rvendor.lock records the pristine upstream hash and
the tree hash after the queue, and each patch file's sha256; rvendor.sum
records the pristine version of each patched file, so verify checks both
hashes, and notices a patch file edited, added or removed by hand (status
stale), without the download cache.

With --quiet, clean components are not listed and the report of the
others goes to stderr, followed by an error line naming them: a build
that discards stdout (Kbuild's make -s) still shows which files drifted.
Without --quiet the report is on stdout.

It hashes on all cores. A stat cache outside the tree (in $RVENDOR_CACHE or
the user cache folder) lets a warm run re-hash only files whose size, times
or inode changed; files changed within the same clock tick as the cache was
written are always re-hashed. --no-cache hashes everything.

With --json it prints a stable report: {"version":1,"status":"clean"|"drift",
"components":[{"name","dest","status","hint","stale","modified","added",
"deleted","mode":[{"path","want","got"}],"type":[{"path","want","got"}],
"patches":[NAME...],"patched":[{"path","patches"}],"stamped":N,"generated":[PATH...],
"crate_files":[{"path","crate","version","dir","file"}]}],
"stats":{...}}. A component's status is clean, drift, stale (the spec changed
since the last update), not-vendored, missing (dest is gone) or removed (no
longer in the spec). Paths are relative to dest; for a crate component,
crate_files places each of them in its crate, and the text output names
such a file "crate NAME VERSION: PATH-IN-THE-CRATE (PATH)".

In the text output, a name holding a control character or invalid UTF-8,
or beginning or ending with a space, is quoted like a Go string
("evil.rs\nx"); --json keeps names as they are.

verify takes no lock: when an update commits while it runs (a file it
reads vanishes, or the tree drifts, while an update's journal is there or
rvendor.lock or rvendor.sum changed), it says that an update is in
progress and exits 2, instead of judging a half-swapped tree.

EXIT STATUS
  0  every checked component is clean
  1  drift: a file, a component or the spec differs from the lock
  2  bad usage, or a spec, lock or sum that cannot be used (including an
     rvendor.sum that does not match rvendor.lock, an interrupted update or
     one that committed while verify ran, or a conflicted update waiting
     for --continue or --abort)`

// VerifyOptions are verify's flags, with the global ones it reads.
type VerifyOptions struct {
	Dir        string // -C
	SpecFile   string // --spec
	JSON       bool
	Quiet      bool
	NoCache    bool
	Jobs       int
	Components []string // the arguments: all components when empty
}

// Verify runs the verify command: it checks the tree, prints the report
// on env.Stdout (with Quiet, the report of the components that are not
// clean on env.Stderr) and returns nil when every checked component is
// clean, an ExitError of status 1 on drift, or an error of status 2.
func Verify(ctx context.Context, env Env, o VerifyOptions) error {
	// An interrupted update comes first: its lock and sum may be half-way.
	// Else note the lock and sum before reading them, to tell an update
	// that commits from now on (verify takes no lock).
	specPath, err := SpecPath(o.Dir, o.SpecFile)
	if err != nil {
		return err
	}
	root := filepath.Dir(specPath)
	if tree.Pending(root) {
		return Usage(fmt.Errorf("%w in %s", tree.ErrPending, root), "run rvendor update to finish it, then verify again")
	}
	inputs := verify.InputsOf(root)
	f, readSum, err := vendorspec.LoadFilesLater(specPath)
	if err != nil {
		return err
	}
	var sumErr error // returned as LoadFiles would have returned it
	loadSum := func() (*vendorspec.Sum, error) {
		s, err := readSum()
		sumErr = err
		return s, err
	}
	if tree.ConflictPending(f.Spec.Dir) {
		// A damaged sum was reported before a pending conflict, when the
		// sum was read up front: it still is.
		if _, err := readSum(); err != nil {
			return err
		}
		return Usage(fmt.Errorf("%w in %s", tree.ErrConflictPending, filepath.Join(f.Spec.Dir, filepath.FromSlash(path.Dir(tree.ConflictStateFile)))),
			"resolve it and run rvendor update --continue, or drop it with rvendor update --abort")
	}
	opt := verify.Options{Spec: f.Spec, Lock: f.Lock, LoadSum: loadSum, Components: o.Components, Jobs: o.Jobs, Inputs: inputs}
	if !o.NoCache {
		opt.StatCache = StatCachePath(env.Getenv, f.Spec.Dir)
	}
	rep, err := verify.Verify(ctx, opt)
	if sumErr != nil { // Verify returned it, before any other
		return sumErr
	}
	if err != nil {
		return verifyError(err)
	}
	if o.JSON {
		if err := WriteJSON(env.Stdout, rep); err != nil {
			return err
		}
	} else {
		w := env.Stdout
		if o.Quiet {
			w = env.Stderr
		}
		PrintVerify(w, o.Quiet, rep)
	}
	if rep.ExitCode() != 0 {
		if o.Quiet && !o.JSON {
			// Kbuild runs the check with stdout sent to /dev/null (make -s):
			// the report went to stderr, and this line says who stopped the build.
			return &ExitError{Code: ExitFailure, Err: fmt.Errorf("the tree does not match %s: %s", vendorspec.LockName, verifyFailed(rep))}
		}
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

// verifyFailed lists the components that are not clean, with their
// status: "demo (drift), rust-library (stale)".
func verifyFailed(rep *verify.Report) string {
	var out []string
	for _, c := range rep.Components {
		if c.Status != verify.StatusClean {
			out = append(out, fmt.Sprintf("%s (%s)", quote.Path(c.Name), c.Status))
		}
	}
	return strings.Join(out, ", ")
}

// verifyError is the CLI's error for an error of verify.Verify: exit
// status 2, with a hint.
func verifyError(err error) error {
	var race *verify.UpdateInProgressError
	switch {
	case errors.As(err, &race) && race.Journal:
		return Usage(err, "wait for the update to finish, then run rvendor verify again; if no update is running, run rvendor update to finish the interrupted one")
	case race != nil:
		return Usage(err, "an update committed while verify ran: run rvendor verify again")
	case errors.Is(err, verify.ErrUnknownComponent):
		return Usage(err, "see the [[component]] names in the spec")
	}
	return Usage(err, "")
}

// PrintVerify renders the report for people on w: one line per problem
// file, prefixed by the component, then a summary line per component.
// Names are quoted (quote.Path) where printing them raw could mislead.
// With quiet, only components that are not clean are reported (verify
// sends them to stderr: a build that discards stdout, Kbuild with make
// -s, still names the files).
func PrintVerify(w io.Writer, quiet bool, rep *verify.Report) {
	patched := func(c *verify.ComponentReport) {
		for _, f := range c.Patched {
			names := make([]string, len(f.Patches))
			for i, p := range f.Patches {
				names[i] = quote.Path(p)
			}
			fmt.Fprintf(w, "  patched       %s\n", verifyName(c, f.Path, strings.Join(names, ", ")))
		}
	}
	for _, c := range rep.Components {
		queue := ""
		if n := len(c.Patches); n > 0 {
			queue = fmt.Sprintf(", %d patch%s", n, map[bool]string{true: "", false: "es"}[n == 1])
		}
		if c.Stamped > 0 {
			queue += fmt.Sprintf(", %d stamped", c.Stamped)
		}
		for _, f := range c.Generated {
			queue += ", generated " + quote.Path(f)
		}
		if c.Status == verify.StatusClean {
			if !quiet {
				fmt.Fprintf(w, "%s: clean (%s%s)\n", quote.Path(c.Name), quote.Path(c.Dest), queue)
				patched(c)
			}
			continue
		}
		fmt.Fprintf(w, "%s: %s (%s%s)\n", quote.Path(c.Name), c.Status, quote.Path(c.Dest), queue)
		patched(c)
		for _, s := range c.Stale {
			fmt.Fprintf(w, "  spec changed  %s\n", quote.Path(s))
		}
		for _, f := range c.Modified {
			fmt.Fprintf(w, "  modified      %s\n", verifyName(c, f, ""))
		}
		for _, f := range c.Added {
			fmt.Fprintf(w, "  added         %s\n", verifyName(c, f, ""))
		}
		for _, f := range c.Deleted {
			fmt.Fprintf(w, "  deleted       %s\n", verifyName(c, f, ""))
		}
		for _, m := range c.Mode {
			fmt.Fprintf(w, "  mode          %s\n", verifyName(c, m.Path, m.Got+", want "+m.Want))
		}
		for _, t := range c.Type {
			fmt.Fprintf(w, "  type          %s\n", verifyName(c, t.Path, t.Got+", want "+t.Want))
		}
		if c.Hint != "" {
			fmt.Fprintf(w, "  hint: %s\n", quote.Path(c.Hint))
		}
	}
}

// verifyName is how the text report names the file at p (relative to
// c's dest), with detail (if any) in parentheses: its path from the
// spec's folder, "third_party/demo/src/lib.rs (0755, want 0644)"; for a
// file of a crate of the component's closure, the crate first, then the
// path: "crate memchr 2.5.0: src/lib.rs (third_party/bindgen/memchr/src/lib.rs)",
// "crate memchr 2.5.0: build.rs (third_party/bindgen/memchr/build.rs;
// 0755, want 0644)". Names are quoted where they must be.
func verifyName(c *verify.ComponentReport, p, detail string) string {
	full := quote.Path(path.Join(c.Dest, p))
	f := c.CrateOf(p)
	switch {
	case f != nil && detail != "":
		detail = full + "; " + detail
	case f != nil:
		detail = full
	case detail == "":
		return full
	default:
		return full + " (" + detail + ")"
	}
	return "crate " + quote.Path(f.Crate) + " " + quote.Path(f.Version) + ": " + quote.Path(f.File) + " (" + detail + ")"
}
