// Package hostiletree is a corpus of hostile kernel trees for tests
// (issue #10, "Trust the tree no more than the network").
//
// A kernel tree is cloned from other people, so everything committed in
// it is chosen by whoever made it: symbolic links, a .rvendor folder with
// a journal, an id or a conflict state, rvendor.lock and rvendor.sum,
// patch files, file names. Each Case builds one small tree that holds
// such a trap (spec, vendored files from archives served by file://,
// links, planted state) and names the rvendor command to run against it
// and what must happen:
//
//   - Refused: the command exits non-zero (with the exit status given,
//     when one is) and its output matches Want, a pattern that names the
//     problem;
//   - Defused: the command may succeed, and its hostile part is ignored
//     or removed without harm (Check says how).
//
// Whatever the outcome, Run checks that nothing was written outside the
// tree: every file below the test's base folder but the tree itself and
// rvendor's cache (the sentinel folder "outside" that the links aim at,
// the archives, a donor tree, $HOME) is compared, by type, mode, size,
// content and link target, before and after the command, and so is the
// tree's .git folder. A refused command must also leave the tree as it
// was outside .rvendor; a command marked ReadOnly must leave the whole
// tree, .rvendor included, as it was.
//
// A case whose trap is not refused yet is marked with KnownGap: Run logs
// it and skips it instead of failing, and fails it as soon as it is
// refused, so that the mark is removed with the fix.
//
// The corpus does not import the command: a test in package main passes
// a Runner that runs the CLI in-process (see cmd/rvendor's
// hostile_tree_test.go).
package hostiletree

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
)

// Runner runs rvendor with args and the environment env (the only
// variables the command may read) and returns its exit status and
// output.
type Runner func(args []string, env map[string]string) (code int, stdout, stderr string)

// Outcome is what a Case expects of its command.
type Outcome int

const (
	// Refused: a non-zero exit and a message naming the problem.
	Refused Outcome = iota
	// Defused: the command may succeed; the trap is ignored or removed
	// without harm.
	Defused
)

func (o Outcome) String() string {
	if o == Defused {
		return "defused"
	}
	return "refused"
}

// Case is one hostile tree and the command run against it.
type Case struct {
	Name string
	// Defect names the defect of issue #10 the case guards ("#10: ..."),
	// or is empty for a trap that was refused before the issue.
	Defect string
	// Build makes the tree: e.Root starts with a fake .git, a Makefile,
	// a README and nothing else (no spec).
	Build func(e *Env)
	// Args is the command line after "-C <tree>"; "{tree}" and
	// "{outside}" in it are replaced by those folders.
	Args    []string
	Outcome Outcome
	// Exit is the exit status a refusal must have; 0 accepts 1 or 2.
	Exit int
	// Want must match the command's output (stdout and stderr); Forbid,
	// when set, must not.
	Want, Forbid string
	// ReadOnly: the command must not change anything in the tree, its
	// .rvendor folder included.
	ReadOnly bool
	// TreeMayChange: a refusal may still change the tree outside
	// .rvendor (set only with a reason in the case's comment).
	TreeMayChange bool
	// Check, when set, checks the tree after the command.
	Check func(e *Env) error
	// KnownGap, when set, says why the trap is not refused yet: the case
	// is skipped while it still fails, and fails once it passes.
	KnownGap string
	// Timeout bounds the command (default Timeout). Unblock, when set,
	// is called when it runs out, to release a command stuck on the trap.
	Timeout time.Duration
	Unblock func(e *Env)
}

// Env is the folder a case works in:
//
//	Base/tree     the kernel tree (Root)
//	Base/outside  a sentinel folder outside the tree (Outside): links aim here
//	Base/archives the upstream archives, served by file:// URLs
//	Base/home     $HOME
//	Base/cache    RVENDOR_CACHE and XDG_CACHE_HOME (rvendor's own; not compared)
type Env struct {
	T                                   testing.TB
	Base, Root, Outside, Archives, Home string
	Cache                               string
	run                                 Runner
	sums                                map[string]string // archive version -> sha256
}

// Versions of the demo archive, all with the top folder "demo/".
//
//	1.0.0 src/lib.rs "a\nb\nc\n", src/build.sh (0755), src/util.rs
//	2.0.0 src/lib.rs changes line b (so a patch of b conflicts), adds src/new.rs
//	3.0.0 1.0.0 plus a file with a 120-letter name (for exclude patterns)
var versions = map[string]map[string]string{
	"1.0.0": {"src/lib.rs": "a\nb\nc\n", "src/build.sh": "#!/bin/sh\necho built\n", "src/util.rs": "pub fn util() {}\n"},
	"2.0.0": {"src/lib.rs": "a\nb theirs\nc\n", "src/build.sh": "#!/bin/sh\necho built\n", "src/util.rs": "pub fn util() {}\n", "src/new.rs": "pub fn new() {}\n"},
	"3.0.0": {"src/lib.rs": "a\nb\nc\n", "src/build.sh": "#!/bin/sh\necho built\n", "src/util.rs": "pub fn util() {}\n",
		"src/" + strings.Repeat("a", 120) + ".rs": "long\n"},
}

// NewEnv makes the folders of a case and its archives.
func NewEnv(t testing.TB, run Runner) *Env {
	t.Helper()
	base := t.TempDir()
	e := &Env{T: t, Base: base, Root: filepath.Join(base, "tree"), Outside: filepath.Join(base, "outside"),
		Archives: filepath.Join(base, "archives"), Home: filepath.Join(base, "home"), Cache: filepath.Join(base, "cache"),
		run: run, sums: map[string]string{}}
	e.Write(".git/HEAD", "ref: refs/heads/master\n")
	e.Write(".git/config", "[core]\n\trepositoryformatversion = 0\n")
	e.Write(".git/hooks/pre-commit", "#!/bin/sh\nexit 0\n")
	e.Write(".git/objects/info/packs", "\n")
	e.Write("Makefile", "all:\n")
	e.Write("README", "Linux kernel\n")
	e.WriteOutside("precious", "keep me\n")
	e.WriteOutside("staging/0123456789ab/precious", "keep me\n")
	e.check(os.MkdirAll(filepath.Join(e.Outside, "patches", "demo"), 0o755))
	e.WriteOutside("demo/src/lib.rs", "a\nb\nc\n")
	e.WriteOutside("spec.toml", "# a spec outside the tree\n")
	e.WriteOutside("rvendor.lock", "# a lock outside the tree\n")
	e.WriteOutside("rvendor.sum", "# a sum outside the tree\n")
	for _, d := range []string{e.Archives, e.Home, e.Cache} {
		e.check(os.MkdirAll(d, 0o755))
	}
	vs := make([]string, 0, len(versions))
	for v := range versions {
		vs = append(vs, v)
	}
	sort.Strings(vs)
	for _, v := range vs {
		files := versions[v]
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		entries := []archivetest.Entry{{Name: "demo/"}}
		for _, n := range names {
			mode := int64(0o644)
			if strings.HasSuffix(n, ".sh") {
				mode = 0o755
			}
			entries = append(entries, archivetest.Entry{Name: "demo/" + n, Body: []byte(files[n]), Mode: mode})
		}
		var buf bytes.Buffer
		e.check(archivetest.Build(&buf, fetch.FormatGzip, entries))
		e.check(os.WriteFile(e.archive(v), buf.Bytes(), 0o644))
		e.sums[v] = archivetest.SHA256(buf.Bytes())
	}
	return e
}

func (e *Env) check(err error) {
	e.T.Helper()
	if err != nil {
		e.T.Fatal(err)
	}
}

func (e *Env) archive(version string) string {
	return filepath.Join(e.Archives, "demo-"+version+".tar.gz")
}

// Env returns the environment the command runs with.
func (e *Env) Env() map[string]string {
	return map[string]string{
		"RVENDOR_CACHE":     filepath.Join(e.Cache, "rvendor"),
		"XDG_CACHE_HOME":    filepath.Join(e.Cache, "xdg"),
		"HOME":              e.Home,
		"RVENDOR_RUST_DIST": "http://127.0.0.1:1", // nothing listens: no case reaches a network
	}
}

// Run runs rvendor -C e.Root args.
func (e *Env) Run(args ...string) (int, string, string) {
	e.T.Helper()
	return e.run(append([]string{"-C", e.Root}, args...), e.Env())
}

// MustRun runs rvendor -C e.Root args and fails the test unless it exits
// 0.
func (e *Env) MustRun(args ...string) {
	e.T.Helper()
	if code, out, errs := e.Run(args...); code != 0 {
		e.T.Fatalf("setup: rvendor %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
}

// Path returns the absolute path of rel, a slash path below the tree.
func (e *Env) Path(rel string) string { return filepath.Join(e.Root, filepath.FromSlash(rel)) }

// Write writes a file of the tree, making its folders.
func (e *Env) Write(rel, data string) { e.writeAt(e.Path(rel), data) }

// WriteOutside writes a file below the sentinel folder outside the tree.
func (e *Env) WriteOutside(rel, data string) {
	e.writeAt(filepath.Join(e.Outside, filepath.FromSlash(rel)), data)
}

func (e *Env) writeAt(p, data string) {
	e.T.Helper()
	e.check(os.MkdirAll(filepath.Dir(p), 0o755))
	e.check(os.WriteFile(p, []byte(data), 0o644))
}

// Read returns a file of the tree ("" when it cannot be read).
func (e *Env) Read(rel string) string {
	b, err := os.ReadFile(e.Path(rel))
	if err != nil {
		return ""
	}
	return string(b)
}

// Edit replaces old by new in a file of the tree; old must be there.
func (e *Env) Edit(rel, old, new string) {
	e.T.Helper()
	s := e.Read(rel)
	if !strings.Contains(s, old) {
		e.T.Fatalf("setup: %s does not hold %q:\n%s", rel, old, s)
	}
	e.check(os.WriteFile(e.Path(rel), []byte(strings.Replace(s, old, new, 1)), 0o644))
}

// Symlink makes the link rel of the tree (its folders too) to target,
// which is written as given ("{outside}" is replaced by e.Outside).
func (e *Env) Symlink(rel, target string) {
	e.T.Helper()
	p := e.Path(rel)
	e.check(os.MkdirAll(filepath.Dir(p), 0o755))
	e.check(os.Symlink(strings.ReplaceAll(target, "{outside}", e.Outside), p))
}

// Remove removes a path of the tree and everything below it.
func (e *Env) Remove(rel string) {
	e.T.Helper()
	e.check(os.RemoveAll(e.Path(rel)))
}

// Serve starts a loopback HTTP server with h for the rest of the case and
// returns its URL: the spec may name any URL, and loopback http is
// allowed.
func (e *Env) Serve(h http.Handler) string {
	srv := httptest.NewServer(h)
	e.T.Cleanup(srv.Close)
	return srv.URL
}

// ArchiveBytes returns the bytes of the demo archive of version.
func (e *Env) ArchiveBytes(version string) []byte {
	e.T.Helper()
	b, err := os.ReadFile(e.archive(version))
	e.check(err)
	return b
}

// SHA256 returns the sha256 of the demo archive of version.
func (e *Env) SHA256(version string) string { return e.sums[version] }

// Comp is one archive component of the demo archive.
type Comp struct {
	Name, Version, Dest, Patches string
	Exclude                      []string
	URL                          string // default: the version's archive (whose sha256 the spec pins)
	Extra                        string // more TOML lines
}

// Demo is the component most cases use: demo 1.0.0 in third_party/demo
// with its patches in patches/demo.
func Demo() Comp {
	return Comp{Name: "demo", Version: "1.0.0", Dest: "third_party/demo", Patches: "patches/demo"}
}

// SpecText returns the rvendor.toml for comps.
func (e *Env) SpecText(comps ...Comp) string {
	var b strings.Builder
	b.WriteString("version = 1\n")
	for _, c := range comps {
		url, sum := "file://"+filepath.ToSlash(e.archive(c.Version)), e.sums[c.Version]
		if c.URL != "" {
			url = c.URL
		}
		if sum == "" {
			sum = strings.Repeat("0", 64)
		}
		fmt.Fprintf(&b, "\n[[component]]\nname = %q\nkind = \"archive\"\nurl = %q\nsha256 = %q\nversion = %q\npaths = [\"demo/src\"]\ndest = %q\nlicense = \"MIT\"\n",
			c.Name, url, sum, c.Version, c.Dest)
		if c.Patches != "" {
			fmt.Fprintf(&b, "patches = %q\n", c.Patches)
		}
		if len(c.Exclude) > 0 {
			q := make([]string, len(c.Exclude))
			for i, x := range c.Exclude {
				q[i] = fmt.Sprintf("%q", x)
			}
			fmt.Fprintf(&b, "exclude = [%s]\n", strings.Join(q, ", "))
		}
		b.WriteString(c.Extra)
	}
	return b.String()
}

// Spec writes rvendor.toml for comps.
func (e *Env) Spec(comps ...Comp) { e.Write("rvendor.toml", e.SpecText(comps...)) }

// Vendored makes the tree of a maintainer who vendored Demo: spec, lock,
// sum and dest, verified clean. .rvendor is this tree's own.
func (e *Env) Vendored() {
	e.T.Helper()
	e.Spec(Demo())
	e.MustRun("update")
	e.MustRun("verify")
}

// Patched is Vendored with an edit of src/lib.rs recorded as
// patches/demo/0001-ours.patch.
func (e *Env) Patched() {
	e.T.Helper()
	e.Vendored()
	e.Write("third_party/demo/src/lib.rs", "a\nb ours\nc\n")
	e.MustRun("patch", "record", "demo", "-m", "ours")
	e.MustRun("verify")
}

// Conflicted is Patched, then an update to 2.0.0 that stops on a
// conflict: .rvendor/conflict holds the update.
func (e *Env) Conflicted() {
	e.T.Helper()
	e.Patched()
	c := Demo()
	c.Version = "2.0.0"
	e.Spec(c)
	if code, out, errs := e.Run("update"); code == 0 || !strings.Contains(errs, "conflict") {
		e.T.Fatalf("setup: update to 2.0.0: exit %d, want a conflict\n%s%s", code, out, errs)
	}
}

// Cloned removes .rvendor, as a fresh clone of the tree has none.
func (e *Env) Cloned() { e.Remove(".rvendor") }

// Donor makes another tree beside this one (Base/donor, outside the
// tree) on which make runs, and returns it: the source of state that an
// attacker copies into the tree.
func (e *Env) Donor(make func(d *Env)) *Env {
	e.T.Helper()
	d := &Env{T: e.T, Base: e.Base, Root: filepath.Join(e.Base, "donor"), Outside: e.Outside, Archives: e.Archives,
		Home: e.Home, Cache: e.Cache, run: e.run, sums: e.sums}
	make(d)
	return d
}

// CopyFromDonor copies the donor's rel (a file or folder) into the tree
// at the same place, as a clone of a tree that committed it would.
func (e *Env) CopyFromDonor(d *Env, rel string) {
	e.T.Helper()
	src, dst := d.Path(rel), e.Path(rel)
	e.check(os.RemoveAll(dst))
	e.check(os.MkdirAll(filepath.Dir(dst), 0o755))
	fi, err := os.Lstat(src)
	e.check(err)
	if !fi.IsDir() {
		b, err := os.ReadFile(src)
		e.check(err)
		e.check(os.WriteFile(dst, b, fi.Mode().Perm()))
		return
	}
	e.check(os.CopyFS(dst, os.DirFS(src)))
}

// Journal plants .rvendor/journal.json as whoever made the tree would
// write it: bound to workspace (see PlantID), with transaction id, and
// swaps given as [dest, staged] pairs (staged "" removes dest). Each old
// copy is put where rvendor would put it. "{id}" in a path is replaced by
// id, "{up}" by the relative path from the tree to the sentinel folder.
func (e *Env) Journal(workspace, id string, swaps ...[2]string) {
	e.T.Helper()
	up, err := filepath.Rel(e.Root, e.Outside)
	e.check(err)
	r := strings.NewReplacer("{id}", id, "{up}", filepath.ToSlash(up), "{outside}", e.Outside)
	var b strings.Builder
	fmt.Fprintf(&b, `{"id":%q,`, id)
	if workspace != "" {
		fmt.Fprintf(&b, `"workspace":%q,`, workspace)
	}
	b.WriteString(`"swaps":[`)
	for i, s := range swaps {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"dest":%q,"staged":%q,"aside":%q,"existed":true}`, r.Replace(s[0]), r.Replace(s[1]),
			fmt.Sprintf(".rvendor/staging/%s/old/%d", id, i))
	}
	b.WriteString("]}\n")
	e.Write(".rvendor/journal.json", b.String())
}

// PlantID plants .rvendor/id with a known id and returns the workspace
// id a journal must record to be acted on in this tree: the attacker's
// best case, who also guessed the inode number the file gets.
func (e *Env) PlantID() string {
	e.T.Helper()
	const id = "0123456789abcdef0123456789abcdef"
	e.Write(".rvendor/id", id+"\n")
	fi, err := os.Lstat(e.Path(".rvendor/id"))
	e.check(err)
	return fmt.Sprintf("%s-%d", id, inode(fi))
}

// Snapshot maps each path below dir (relative, slash-separated) to its
// type and mode, size, and content hash or link target; the paths in
// skip (relative to dir) are left out with everything below them.
func Snapshot(dir string, skip ...string) (map[string]string, error) {
	out := map[string]string{}
	skipped := map[string]bool{}
	for _, s := range skip {
		skipped[filepath.Clean(s)] = true
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == dir {
				return filepath.SkipAll
			}
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if skipped[rel] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		s := fi.Mode().String()
		switch {
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			s += fmt.Sprintf(" %d %s", len(b), hex.EncodeToString(sum[:8]))
		case fi.Mode()&fs.ModeSymlink != 0:
			t, _ := os.Readlink(p)
			s += " -> " + t
		}
		out[filepath.ToSlash(rel)] = s
		return nil
	})
	return out, err
}

// diff describes how b differs from a, one line per path.
func diff(a, b map[string]string) string {
	var lines []string
	for p, v := range a {
		if w, ok := b[p]; !ok {
			lines = append(lines, fmt.Sprintf("  removed  %s (%s)", p, v))
		} else if w != v {
			lines = append(lines, fmt.Sprintf("  changed  %s (%s -> %s)", p, v, w))
		}
	}
	for p, w := range b {
		if _, ok := a[p]; !ok {
			lines = append(lines, fmt.Sprintf("  added    %s (%s)", p, w))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// AbsoluteTargets are the absolute paths some cases aim at (a dest, a
// patches folder, a file a patch names): none may exist after a case.
var AbsoluteTargets = []string{"/tmp/rvendor-hostiletree-dest", "/tmp/rvendor-hostiletree-patches",
	"/tmp/rvendor-hostiletree-evil", "/tmp/rvendor-hostiletree-pwned"}

// Timeout bounds one case's command: a trap that makes rvendor hang (a
// FIFO where a file is expected) fails the case instead of the test run.
const Timeout = 30 * time.Second

// Run runs every case of Cases as a parallel subtest of t, then logs a
// summary line, "hostile trees: N cases: ...", that
// scripts/security-figures.sh quotes.
func Run(t *testing.T, run Runner) {
	var mu sync.Mutex
	count := map[string]int{}
	defects := 0
	t.Cleanup(func() {
		t.Logf("hostile trees: %d cases: %d refused, %d defused, %d known gaps (not refused yet), %d failed; %d of them guard the defects of issue #10",
			count["refused"]+count["defused"]+count["gap"]+count["failed"], count["refused"], count["defused"], count["gap"], count["failed"], defects)
	})
	names := map[string]bool{}
	for _, c := range Cases() {
		if names[c.Name] {
			t.Fatalf("two cases named %q", c.Name)
		}
		names[c.Name] = true
		if c.Defect != "" {
			defects++
		}
		t.Run(c.Name, func(t *testing.T) {
			t.Cleanup(func() {
				kind := c.Outcome.String()
				switch {
				case t.Skipped():
					kind = "gap"
				case t.Failed():
					kind = "failed"
				}
				mu.Lock()
				count[kind]++
				mu.Unlock()
			})
			t.Parallel()
			RunCase(t, c, run)
		})
	}
}

// RunCase builds c's tree, runs its command and checks the outcome.
func RunCase(t *testing.T, c Case, run Runner) {
	e := NewEnv(t, run)
	c.Build(e)
	outsideBefore, err := Snapshot(e.Base, "tree", "cache")
	e.check(err)
	gitBefore, err := Snapshot(e.Path(".git"))
	e.check(err)
	treeBefore, err := Snapshot(e.Root, ".git", ".rvendor")
	e.check(err)
	allBefore, err := Snapshot(e.Root)
	e.check(err)

	r := strings.NewReplacer("{tree}", e.Root, "{outside}", e.Outside)
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = r.Replace(a)
	}
	type result struct {
		code        int
		out, errout string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errs := e.run(append([]string{"-C", e.Root}, args...), e.Env())
		done <- result{code, out, errs}
	}()
	timeout := Timeout
	if c.Timeout > 0 {
		timeout = c.Timeout
	}
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var res result
	select {
	case res = <-done:
	case <-time.After(timeout):
		fail("rvendor %s did not return within %v", strings.Join(c.Args, " "), timeout)
		if c.Unblock != nil {
			c.Unblock(e)
		}
		select {
		case res = <-done:
		case <-time.After(Timeout):
			t.Fatalf("rvendor %s did not return within %v, even unblocked", strings.Join(c.Args, " "), timeout+Timeout)
		}
	}
	output := res.out + res.errout
	if after, err := Snapshot(e.Base, "tree", "cache"); err != nil {
		fail("snapshot outside the tree: %v", err)
	} else if d := diff(outsideBefore, after); d != "" {
		fail("written outside the tree:\n%s", d)
	}
	if after, err := Snapshot(e.Path(".git")); err != nil {
		fail("snapshot of .git: %v", err)
	} else if d := diff(gitBefore, after); d != "" {
		fail("written into .git:\n%s", d)
	}
	for _, p := range AbsoluteTargets {
		if _, err := os.Lstat(p); err == nil {
			fail("%s exists: a case wrote it (or it was there before: remove it)", p)
		}
	}
	if c.ReadOnly {
		if after, err := Snapshot(e.Root); err != nil {
			fail("snapshot of the tree: %v", err)
		} else if d := diff(allBefore, after); d != "" {
			fail("a read-only command changed the tree:\n%s", d)
		}
	}
	switch c.Outcome {
	case Refused:
		if res.code == 0 {
			fail("exit 0, want a refusal")
		} else if c.Exit != 0 && res.code != c.Exit {
			fail("exit %d, want %d", res.code, c.Exit)
		}
		if !c.TreeMayChange {
			if after, err := Snapshot(e.Root, ".git", ".rvendor"); err != nil {
				fail("snapshot of the tree: %v", err)
			} else if d := diff(treeBefore, after); d != "" {
				fail("a refused command changed the tree:\n%s", d)
			}
		}
	case Defused:
		if res.code != 0 && c.Exit != 0 && res.code != c.Exit {
			fail("exit %d, want %d", res.code, c.Exit)
		}
	}
	if c.Want != "" && !regexp.MustCompile(c.Want).MatchString(output) {
		fail("the output does not match %q", c.Want)
	}
	if c.Forbid != "" && regexp.MustCompile(c.Forbid).MatchString(output) {
		fail("the output matches %q, which it must not", c.Forbid)
	}
	if c.Check != nil {
		if err := c.Check(e); err != nil {
			fail("%v", err)
		}
	}
	report := fmt.Sprintf("rvendor %s: exit %d (%s expected)\n%s", strings.Join(c.Args, " "), res.code, c.Outcome, output)
	switch {
	case c.KnownGap != "" && len(problems) > 0:
		t.Logf("%s\n%s", report, strings.Join(problems, "\n"))
		t.Skipf("KNOWN GAP (not refused yet): %s", c.KnownGap)
	case c.KnownGap != "":
		t.Fatalf("%s\nthe known gap %q is closed: remove KnownGap from the case", report, c.KnownGap)
	case len(problems) > 0:
		t.Fatalf("%s\n%s", report, strings.Join(problems, "\n"))
	}
	if testing.Verbose() {
		t.Logf("%s: %s", c.Outcome, report)
	}
}

// inode returns fi's inode number (0 where the system has none).
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
