package hostiletree

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"
)

// Cases returns the corpus, grouped by what the tree plants.
func Cases() []Case {
	var cs []Case
	for _, g := range [][]Case{stateCases(), journalCases(), conflictCases(), destCases(), specCases(), lockCases(), patchCases(), nameCases(), otherCommandCases()} {
		cs = append(cs, g...)
	}
	return cs
}

// txnID is the transaction id planted journals use.
const txnID = "0123456789ab"

// evilStaged plants the staged content of a planted journal: what the
// attacker wants swapped into the tree.
func evilStaged(e *Env) {
	e.Write(".rvendor/staging/"+txnID+"/new/0/demo/src/lib.rs", "evil\n")
}

// demoIntact checks that the vendored demo is as update wrote it.
func demoIntact(e *Env) error {
	if got := e.Read("third_party/demo/src/lib.rs"); got != "a\nb\nc\n" {
		return fmt.Errorf("third_party/demo/src/lib.rs = %q, want the vendored one", got)
	}
	return nil
}

// gone checks that rel is not in the tree.
func gone(rel string) func(e *Env) error {
	return func(e *Env) error {
		if _, err := os.Lstat(e.Path(rel)); !os.IsNotExist(err) {
			return fmt.Errorf("%s is still there (%v)", rel, err)
		}
		return nil
	}
}

// regular checks that rel is a regular file of the tree.
func regular(rel string) func(e *Env) error {
	return func(e *Env) error {
		if fi, err := os.Lstat(e.Path(rel)); err != nil || !fi.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file (%v)", rel, err)
		}
		return nil
	}
}

// stateCases: .rvendor, or a part of it, planted as a link, a file of the
// wrong kind, or a forged id or spec record.
func stateCases() []Case {
	return append([]Case{
		{
			Name: "state-dir-link-out:update", Defect: "#10: .rvendor as a symlink out of the tree",
			Build: linkState, Args: []string{"update", "--force"}, Exit: 1,
			Want: `path "\.rvendor": it is a symbolic link`,
		},
		{
			Name: "state-dir-link-out:update-abort", Defect: "#10: .rvendor as a symlink out of the tree",
			Build: linkState, Args: []string{"update", "--abort"},
			Want: `path "\.rvendor": it is a symbolic link`,
		},
		{
			Name: "state-dir-link-out:patch-record", Defect: "#10: .rvendor as a symlink out of the tree",
			Build: func(e *Env) { linkState(e); e.Write("third_party/demo/src/lib.rs", "edited\n") },
			Args:  []string{"patch", "record", "demo", "-m", "x"},
			Want:  `path "\.rvendor": it is a symbolic link`,
		},
		{
			Name: "state-dir-link-out:init-force", Defect: "#10: .rvendor as a symlink out of the tree",
			Build: linkState, Args: []string{"init", "--force"},
			Want: `path "\.rvendor": it is a symbolic link`,
		},
		{
			Name: "state-dir-link-out:verify", Defect: "#10: .rvendor as a symlink out of the tree",
			// verify only looks for a journal (here the one outside, through
			// the link) and refuses to judge; it writes nothing.
			Build: linkState, Args: []string{"verify"}, ReadOnly: true, Exit: 2,
			Want: `an interrupted rvendor update has not been finished`,
		},
		{
			Name: "state-dir-is-a-file", Build: func(e *Env) { e.Vendored(); e.Cloned(); e.Write(".rvendor", "x\n") },
			Args: []string{"update", "--force"}, Want: `path "\.rvendor": it is not a folder`,
		},
		{
			Name: "staging-link-out", Build: func(e *Env) {
				e.Vendored()
				e.Remove(".rvendor/staging")
				e.Symlink(".rvendor/staging", "{outside}/staging")
			},
			Args: []string{"update", "--force"}, Want: `path "\.rvendor/staging": it is a symbolic link`,
		},
		{
			Name: "staging-is-a-file", Build: func(e *Env) {
				e.Vendored()
				e.Remove(".rvendor/staging")
				e.Write(".rvendor/staging", "x\n")
			},
			Args: []string{"update", "--force"}, Want: `path "\.rvendor/staging": it is not a folder`,
		},
		{
			Name: "staging-holds-links-out", Outcome: Defused,
			Build: func(e *Env) {
				e.Vendored()
				e.Symlink(".rvendor/staging/ba9876543210", "{outside}")
				e.Symlink(".rvendor/staging/"+txnID+"/new/0/precious", "{outside}/precious")
				e.Symlink(".rvendor/staging/"+txnID+"/old", "{outside}/staging")
			},
			Args:  []string{"update", "--force"},
			Check: func(e *Env) error { return gone(".rvendor/staging/ba9876543210")(e) },
		},
	}, stateCasesMore()...)
}

// journalCases: a planted .rvendor/journal.json (issue #10), from a
// tarball or a commit, and the same bound to a planted id file (the
// attacker who also guessed the inode number).
func journalCases() []Case {
	c := append([]Case{
		{
			Name: "journal-planted:update", Defect: "#10: planted .rvendor/journal.json",
			Build: journalPlanted, Args: []string{"update"}, Want: notTrusted, Check: demoIntact,
		},
		{
			Name: "journal-planted:update-force", Defect: "#10: planted .rvendor/journal.json",
			Build: journalPlanted, Args: []string{"update", "--force"}, Want: notTrusted, Check: demoIntact,
		},
		{
			Name: "journal-planted:update-abort", Defect: "#10: planted .rvendor/journal.json",
			Build: journalPlanted, Args: []string{"update", "--abort"}, Want: notTrusted, Check: demoIntact,
		},
		{
			Name: "journal-planted:verify", Defect: "#10: planted .rvendor/journal.json",
			Build: journalPlanted, Args: []string{"verify"}, Exit: 2, ReadOnly: true,
			Want: `an interrupted rvendor update has not been finished`,
		},
		{
			Name: "journal-planted:patch-record", Defect: "#10: planted .rvendor/journal.json",
			Build: func(e *Env) { journalPlanted(e); e.Write("third_party/demo/src/util.rs", "edited\n") },
			Args:  []string{"patch", "record", "demo", "-m", "x"}, Want: notTrusted,
		},
		{
			Name: "journal-planted:init-force", Defect: "#10: planted .rvendor/journal.json",
			Build: journalPlanted, Args: []string{"init", "--force"}, Want: notTrusted,
		},
	}, journalCasesMore()...)
	// Bound to a journalPlanted id: the workspace check passes, the path checks
	// must not.
	for _, b := range []struct {
		name, want string
		swap       [2]string
	}{
		{"dest-git-hooks", `\.git`, [2]string{".git/hooks", ".rvendor/staging/{id}/new/0/demo"}},
		{"dest-outside", `leaves the workspace`, [2]string{"{up}/demo", ".rvendor/staging/{id}/new/0/demo"}},
		{"dest-absolute", `absolute`, [2]string{"{outside}/demo", ".rvendor/staging/{id}/new/0/demo"}},
		{"dest-state-lock", `rvendor's state folder`, [2]string{".rvendor/lock", ".rvendor/staging/{id}/new/0/demo"}},
		{"staged-outside", `not a path this transaction handed out|not clean`, [2]string{"third_party/demo", "{up}/demo"}},
		{"staged-git", `not a path this transaction handed out`, [2]string{"third_party/demo", ".git"}},
		{"id-climbs", `not one rvendor makes`, [2]string{"third_party/demo", ".rvendor/staging/{id}/new/0/demo"}},
	} {
		build := journalBound(b.swap)
		if b.name == "id-climbs" {
			build = func(e *Env) {
				e.Vendored()
				e.Cloned()
				ws := e.PlantID()
				e.Journal(ws, "../../third_party", [2]string{"third_party/demo", ""})
			}
		}
		c = append(c, Case{
			Name: "journal-bound-to-planted-id:" + b.name, Defect: "#10: planted .rvendor/journal.json",
			Build: build, Args: []string{"update"}, Want: b.want, Check: demoIntact,
		})
	}
	// A journal journalBound to a journalPlanted id that only swaps paths of the tree
	// is acted on: the binding (a random id and the id file's inode
	// number) is what stops it, and an inode number can be guessed.
	c = append(c, Case{
		Name: "journal-bound-to-planted-id:removes-in-tree-folder", Defect: "#10: planted .rvendor/journal.json",
		Build: func(e *Env) {
			journalBound([2]string{"drivers", ""})(e)
			e.Write("drivers/mine.c", "/* a maintainer's uncommitted work */\n")
		},
		Args: []string{"verify"}, Exit: 2, ReadOnly: true,
		Want: `an interrupted rvendor update has not been finished`,
	}, Case{
		Name: "journal-bound-to-planted-id:removes-in-tree-folder-on-update", Defect: "#10: planted .rvendor/journal.json",
		Build: func(e *Env) {
			journalBound([2]string{"drivers", ""})(e)
			e.Write("drivers/mine.c", "/* a maintainer's uncommitted work */\n")
		},
		Args: []string{"update"},
		KnownGap: "a journal is bound to its workspace by .rvendor/id's content and inode number; a tree that plants both the id file " +
			"and a journal naming that id and a guessed inode has its in-tree swaps (here: remove drivers/) acted on by the next rvendor run",
	})
	return c
}

// conflictCases: a conflict state that came with the tree (issue #10).
func conflictCases() []Case {
	planted := func(e *Env) {
		d := e.Donor(func(d *Env) { d.Conflicted() })
		e.Patched()
		e.Cloned()
		e.CopyFromDonor(d, ".rvendor/conflict")
		e.Write(".rvendor/conflict/tree/src/lib.rs", "a\nb planted\nc\n")
	}
	notOurs := `not written by an rvendor update in this tree`
	return []Case{
		{
			Name: "conflict-planted:continue", Defect: "#10: planted conflict state",
			Build: planted, Args: []string{"update", "--continue"}, Want: notOurs,
		},
		{
			Name: "conflict-planted:update", Defect: "#10: planted conflict state",
			Build: planted, Args: []string{"update"}, Want: `a conflicted rvendor update is pending`,
		},
		{
			Name: "conflict-planted:verify", Defect: "#10: planted conflict state",
			Build: planted, Args: []string{"verify"}, Exit: 2, ReadOnly: true, Want: `a conflicted rvendor update is pending`,
		},
		{
			Name: "conflict-planted:patch-record", Defect: "#10: planted conflict state",
			Build: func(e *Env) { planted(e); e.Write("third_party/demo/src/util.rs", "edited\n") },
			Args:  []string{"patch", "record", "demo", "-m", "x"}, Want: `a conflicted rvendor update is pending`,
		},
		{
			// --abort drops what the tree planted and changes nothing else.
			Name: "conflict-planted:abort", Defect: "#10: planted conflict state", Outcome: Defused,
			Build: planted, Args: []string{"update", "--abort"},
			Check: func(e *Env) error {
				if err := gone(".rvendor/conflict")(e); err != nil {
					return err
				}
				if got := e.Read("third_party/demo/src/lib.rs"); got != "a\nb ours\nc\n" {
					return fmt.Errorf("third_party/demo/src/lib.rs = %q", got)
				}
				return nil
			},
		},
		{
			Name: "conflict-dir-link-out:continue", Build: func(e *Env) {
				e.Patched()
				e.Symlink(".rvendor/conflict", "{outside}")
			},
			Args: []string{"update", "--continue"}, Want: `\.rvendor/conflict.*symbolic link`,
		},
		{
			Name: "conflict-dir-link-out:abort", Build: func(e *Env) {
				e.Patched()
				e.Symlink(".rvendor/conflict", "{outside}")
			},
			// --abort refuses the link: it neither follows nor removes it.
			Args: []string{"update", "--abort"}, Exit: 2, Want: `\.rvendor/conflict.*symbolic link`,
		},
		{
			// The state is this tree's own, but its resolved tree holds a
			// link out: --continue must not vendor it.
			Name: "conflict-own-tree-holds-link", Build: func(e *Env) {
				e.Conflicted()
				e.Write(".rvendor/conflict/tree/src/lib.rs", "a\nb resolved\nc\n")
				e.Symlink(".rvendor/conflict/tree/src/secret.rs", "{outside}/precious")
			},
			Args: []string{"update", "--continue"}, Want: `src/secret\.rs is a symlink, not a regular file`,
		},
	}
}

// destCases: dests that reach .git, the state folder or outside the tree
// through links, reserved names and files.
func destCases() []Case {
	spec := func(dest string) func(e *Env) {
		return func(e *Env) {
			c := Demo()
			c.Dest = dest
			e.Spec(c)
		}
	}
	specErr := func(name, dest, want string) Case {
		return Case{Name: "dest-" + name, Build: spec(dest), Args: []string{"update"}, Exit: 2, Want: want}
	}
	return []Case{
		{
			Name: "dest-through-link-to-git", Defect: "#10: a dest reaching .git through an in-tree symlink",
			Build: func(e *Env) { spec("third_party/g/hooks")(e); e.Symlink("third_party/g", "../.git") },
			Args:  []string{"update"}, Want: `third_party/g is a symbolic link`,
		},
		{
			Name: "dest-through-link-to-git:force", Defect: "#10: a dest reaching .git through an in-tree symlink",
			Build: func(e *Env) { spec("third_party/g/hooks")(e); e.Symlink("third_party/g", "../.git") },
			Args:  []string{"update", "--force"}, Want: `third_party/g is a symbolic link`,
		},
		{
			Name: "dests-overlap-through-link", Defect: "#10: two dests overlapping through an in-tree symlink",
			Build: func(e *Env) {
				second := Demo()
				second.Name, second.Dest, second.Patches = "other", "third_party/alias/sub", ""
				e.Spec(Demo(), second)
				e.Symlink("third_party/alias", "demo")
			},
			Args: []string{"update"}, Want: `third_party/alias is a symbolic link`,
		},
		{
			Name: "dests-overlap-through-link:after-vendoring", Defect: "#10: two dests overlapping through an in-tree symlink",
			Build: func(e *Env) {
				e.Vendored()
				e.Symlink("third_party/alias", "demo")
				second := Demo()
				second.Name, second.Dest, second.Patches = "other", "third_party/alias/sub", ""
				e.Spec(Demo(), second)
			},
			Args: []string{"update"}, Want: `third_party/alias is a symbolic link`,
		},
		{
			Name:  "dest-parent-link-out",
			Build: func(e *Env) { spec("third_party/demo")(e); e.Symlink("third_party", "{outside}") },
			Args:  []string{"update"}, Want: `third_party is a symbolic link`,
		},
		{
			Name: "dest-is-link-out", Build: func(e *Env) {
				spec("third_party/demo")(e)
				e.Symlink("third_party/demo", "{outside}/demo")
			},
			Args: []string{"update", "--force"}, Want: `dest third_party/demo exists and is not a folder`,
		},
		{
			Name: "dest-is-link-out:vendored", Build: func(e *Env) {
				e.Vendored()
				e.Remove("third_party/demo")
				e.Symlink("third_party/demo", "{outside}/demo")
				c := Demo()
				c.Version = "2.0.0"
				e.Spec(c)
			},
			Args: []string{"update", "--force"}, Want: `dest third_party/demo exists and is not a folder`,
		},
		{
			Name:  "dest-parent-is-a-file",
			Build: spec("README/demo"), Args: []string{"update"}, Want: `README is not a folder`,
		},
		{
			Name:  "dest-is-a-file",
			Build: spec("Makefile"), Args: []string{"update"}, Want: `dest Makefile exists and is not a folder`,
		},
		{
			Name: "dest-holds-files-not-vendored", Build: func(e *Env) {
				spec("third_party/demo")(e)
				e.Write("third_party/demo/helpers.c", "/* mine */\n")
			},
			Args: []string{"update"}, Want: `already holds files that rvendor did not vendor`,
		},
		specErr("absolute", "/tmp/rvendor-hostiletree-dest", `dest "/tmp/rvendor-hostiletree-dest" is absolute`),
		specErr("dotdot", "../outside/demo", `dest "\.\./outside/demo" leaves its folder`),
		specErr("unclean-dotdot", "third_party/../.git/hooks", `leaves its folder`),
		specErr("git", ".git/hooks", `dest "\.git/hooks" is or lies inside a \.git folder`),
		// The spec's check takes ".GIT" for another folder (as Linux does);
		// the tree's check refuses it in any case (exit 1).
		{Name: "dest-git-upper", Build: spec(".GIT/hooks"), Args: []string{"update"}, Want: `\.git folder`},
		specErr("nested-git", "drivers/.git/hooks", `is or lies inside a \.git folder`),
		specErr("state-dir", ".rvendor/staging", `lies inside rvendor's state folder`),
		specErr("root", ".", `dest "\." is empty`),
		specErr("empty", "", `dest "" is empty`),
		{
			Name: "dests-nested", Build: func(e *Env) {
				second := Demo()
				second.Name, second.Dest, second.Patches = "other", "third_party/demo/sub", ""
				e.Spec(Demo(), second)
			},
			Args: []string{"update"}, Exit: 2, Want: `overlaps dest "third_party/demo"`,
		},
	}
}

// serving writes the spec of Demo with its url on a loopback server
// that answers with handler.
func serving(handler func(e *Env) http.HandlerFunc) func(e *Env) {
	return func(e *Env) {
		c := Demo()
		c.URL = e.Serve(handler(e)) + "/demo.tar.gz"
		e.Spec(c)
	}
}

// specCases: the spec itself and its other paths and values.
func specCases() []Case {
	return append([]Case{
		{Name: "patches-in-git", Build: specWithPatches(".git/hooks"), Args: []string{"update"}, Exit: 2, Want: `patches "\.git/hooks" is or lies inside a \.git folder`},
		{Name: "patches-outside", Build: specWithPatches("../outside/patches"), Args: []string{"update"}, Exit: 2, Want: `patches "\.\./outside/patches" leaves its folder`},
		{Name: "patches-absolute", Build: specWithPatches("/tmp/rvendor-hostiletree-patches"), Args: []string{"update"}, Exit: 2, Want: `patches "/tmp/rvendor-hostiletree-patches" is absolute`},
		{
			// The spec is read through the link; every path stays relative
			// to the tree, and the lock and sum are written in it.
			Name: "spec-link-out:update", Outcome: Defused, Build: func(e *Env) {
				e.WriteOutside("spec.toml", e.SpecText(Demo()))
				e.Symlink("rvendor.toml", "{outside}/spec.toml")
			},
			Args: []string{"update"},
			Check: func(e *Env) error {
				if e.Read("third_party/demo/src/lib.rs") != "a\nb\nc\n" || e.Read("rvendor.lock") == "" {
					return fmt.Errorf("the component was not vendored into the tree")
				}
				return nil
			},
		},
		{
			// init --force replaces the link, never writes through it.
			Name: "spec-link-out:init-force", Outcome: Defused, Build: func(e *Env) {
				e.Symlink("rvendor.toml", "{outside}/spec.toml")
			},
			Args: []string{"init", "--force"}, Check: regular("rvendor.toml"),
		},
		{
			Name: "spec-dangling-link:init", Build: func(e *Env) {
				e.Symlink("rvendor.toml", "{outside}/new-spec.toml")
			},
			Args: []string{"init"}, Exit: 2, Want: `already exists`,
		},
		{
			Name: "exclude-too-many", Defect: "#10: exponential exclude globs",
			Build: specWithExclude("1.0.0", manyPatterns()...), Args: []string{"update"}, Exit: 2, Want: `exclude has 257 patterns, over the limit of 256`,
		},
		{
			Name: "exclude-too-long", Defect: "#10: exponential exclude globs",
			Build: specWithExclude("1.0.0", strings.Repeat("*a", 600)), Args: []string{"update"}, Exit: 2, Want: `over the limit of 1024`,
		},
		{
			// Within the limits, a pattern that backtracking matchers take
			// exponential time on is matched in linear time.
			Name: "exclude-exponential", Defect: "#10: exponential exclude globs", Outcome: Defused,
			Build: specWithExclude("3.0.0", strings.Repeat("*a", 40)+"*b", strings.Repeat("**/", 60)+"*b"),
			Args:  []string{"update"},
			Check: func(e *Env) error {
				if e.Read("third_party/demo/src/"+strings.Repeat("a", 120)+".rs") != "long\n" {
					return fmt.Errorf("the long-named file was not vendored")
				}
				return nil
			},
		},
		{
			Name: "url-device", Build: func(e *Env) {
				c := Demo()
				c.URL = "file:///dev/zero"
				e.Spec(c)
			},
			Args: []string{"update"}, Exit: 2, Want: `is not a \.tar\.gz`,
		},
		{
			Name: "url-device-through-link", Build: func(e *Env) {
				c := Demo()
				c.URL = "file://" + e.Path("third_party/zero.tar.gz")
				e.Spec(c)
				e.Symlink("third_party/zero.tar.gz", "/dev/zero")
			},
			Args: []string{"update"}, Want: `zero\.tar\.gz: not a regular file`,
		},
	}, specCasesMore()...)
}

// lockCases: rvendor.lock and rvendor.sum, which come with the tree.
func lockCases() []Case {
	return append([]Case{
		{
			Name: "lock-dest-outside", Build: lockDest("../outside/demo"),
			Args: []string{"update", "--force"}, Exit: 2, Want: `dest "\.\./outside/demo", which is not a clean path inside the tree`,
		},
		{
			Name: "lock-dest-absolute", Build: func(e *Env) { lockDest(e.Outside + "/demo")(e) },
			Args: []string{"update", "--force"}, Exit: 2, Want: `not a clean path inside the tree`,
		},
		{Name: "lock-dest-git", Build: lockDest(".git"), Args: []string{"update", "--force"}, Exit: 2, Want: `which is not a clean path inside the tree: it is or lies inside a \.git folder`},
		{Name: "lock-dest-nested-git", Build: lockDest("drivers/.git"), Args: []string{"update", "--force"}, Exit: 2, Want: `which is not a clean path inside the tree: it is or lies inside a \.git folder`},
		{Name: "lock-dest-dotdot-inside", Build: lockDest("third_party/../../outside"), Args: []string{"verify"}, Exit: 2, ReadOnly: true, Want: `not a clean path`},
		{Name: "lock-dest-state", Build: lockDest(".rvendor/staging"), Args: []string{"update", "--force"}, Exit: 2, Want: `which is not a clean path inside the tree: it lies inside rvendor's state folder`},
		{
			Name: "lock-dest-outside:verify", Build: lockDest("../outside/demo"),
			Args: []string{"verify"}, Exit: 2, ReadOnly: true, Want: `not a clean path inside the tree`,
		},
		{
			// A lock and sum that hash right, whose dest reaches .git
			// through a link; the spec no longer has the component, so
			// update removes the dest the lock names.
			Name: "lock-dest-through-link-to-git:removal", Defect: "#10: a dest reaching .git through an in-tree symlink",
			Build: func(e *Env) {
				e.Vendored()
				e.check(os.Rename(e.Path("third_party/demo"), e.Path(".git/demo")))
				e.Symlink("third_party/g", "../.git")
				e.Edit("rvendor.lock", "dest = 'third_party/demo'", "dest = 'third_party/g/demo'")
				e.Write("rvendor.toml", "version = 1\n")
			},
			Args: []string{"update", "--force"}, Want: `third_party/g is a symbolic link`,
		},
		{
			Name: "lock-dest-through-link-out:removal",
			Build: func(e *Env) {
				e.Vendored()
				e.Remove("third_party/demo")
				e.Remove("third_party")
				e.Symlink("third_party", "{outside}")
				e.Write("rvendor.toml", "version = 1\n")
			},
			Args: []string{"update", "--force"}, Want: `third_party is a symbolic link`,
		},
		{
			// third_party is a link to an exact copy of it outside the
			// tree: the build would read the vendored sources from there.
			Name: "dest-parent-link-out:verify", Build: func(e *Env) {
				e.Vendored()
				e.check(os.Rename(e.Path("third_party"), e.Outside+"/third_party"))
				e.Symlink("third_party", "{outside}/third_party")
			},
			Args: []string{"verify"}, ReadOnly: true, Want: `third_party`, Forbid: `(?m)^demo: clean`,
		},
		{
			Name: "dest-is-link-out:verify", Build: func(e *Env) {
				e.Vendored()
				e.check(os.Rename(e.Path("third_party/demo"), e.Outside+"/demo2"))
				e.Symlink("third_party/demo", "{outside}/demo2")
			},
			Args: []string{"verify"}, Exit: 1, ReadOnly: true, Want: `third_party/demo \(symlink, want dir\)`,
		},
		{
			Name: "lock-patch-name-outside", Build: vendoredLock(func(e *Env) {
				e.Write("rvendor.lock", e.Read("rvendor.lock")+"\n[[component.patch]]\nname = '../../outside/precious'\nsha256 = '"+
					strings.Repeat("0", 64)+"'\nfiles = ['src/lib.rs']\n")
			}),
			Args: []string{"verify"}, Exit: 2, ReadOnly: true, Want: `patch\[0\]\.name "\.\./\.\./outside/precious", which is not a file name in the patch queue`,
		},
		{
			Name: "sum-path-outside", Defect: "#10: lock/sum paths like ../../x",
			Build: vendoredLock(func(e *Env) { e.Edit("rvendor.sum", " src/lib.rs", " ../../outside/precious") }),
			Args:  []string{"verify"}, Exit: 2, ReadOnly: true, Want: `rvendor\.sum:\d+:\d+: security error: component demo lists path "\.\./\.\./outside/precious"`,
		},
		{
			Name: "sum-path-outside:update", Defect: "#10: lock/sum paths like ../../x",
			Build: vendoredLock(func(e *Env) { e.Edit("rvendor.sum", " src/lib.rs", " ../../outside/precious") }),
			Args:  []string{"update", "--force"}, Exit: 2, Want: `rvendor\.sum:\d+:\d+: security error: component demo lists path "\.\./\.\./outside/precious"`,
		},
	}, lockCasesMore()...)
}

// fifoFile is a case where the tree's file rel (the lock or sum) is
// a link to a FIFO: verify, run by every build, must not hang on it (nor,
// through a link to /dev/zero, read without end).
func fifoFile(rel string) Case {
	return Case{
		Name: rel + "-link-to-fifo:verify",
		Build: func(e *Env) {
			e.Vendored()
			e.check(syscall.Mkfifo(e.Outside+"/fifo", 0o644))
			e.Remove(rel)
			e.Symlink(rel, "{outside}/fifo")
		},
		Args: []string{"verify"}, Exit: 2, ReadOnly: true, Want: rel + `.*(not a regular file|link)`,
		Timeout: 3 * time.Second,
		Unblock: func(e *Env) {
			if f, err := os.OpenFile(e.Outside+"/fifo", os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
		},
	}
}

// patchCases: patch files and the patches folder, which come with the
// tree.
func patchCases() []Case {
	// plantPatch writes patches/demo/0001-evil.patch with body and
	// vendors Demo with it (update applies it).
	plantPatch := func(body string) func(e *Env) {
		return func(e *Env) {
			e.Vendored()
			e.Write("patches/demo/0001-evil.patch", body)
		}
	}
	hdr := "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: x <x@example.org>\nDate: Thu, 1 Jan 1970 00:00:00 +0000\nSubject: [PATCH] evil\n\n---\n"
	newFile := func(path, mode, body string) string {
		return hdr + "diff --git a/" + path + " b/" + path + "\nnew file mode " + mode + "\nindex 0000000..1111111\n--- /dev/null\n+++ b/" + path + "\n@@ -0,0 +1 @@\n+" + body + "\n"
	}
	modify := func(path string) string {
		return hdr + "diff --git a/" + path + " b/" + path + "\nindex 1111111..2222222 100644\n--- a/" + path + "\n+++ b/" + path + "\n@@ -1,3 +1,3 @@\n a\n-b\n+b evil\n c\n"
	}
	linkOut := func(e *Env) {
		e.Vendored()
		e.Remove("patches")
		e.Symlink("patches", "{outside}/patches")
	}
	return []Case{
		{Name: "patch-path-dotdot", Build: plantPatch(modify("../../../outside/demo/src/lib.rs")), Args: []string{"update"}, Want: `\.\./\.\./\.\./outside/demo/src/lib\.rs: path is not a clean relative path inside dest`},
		{Name: "patch-path-dotdot-new", Build: plantPatch(newFile("../../../outside/new.rs", "100644", "x")), Args: []string{"update"}, Want: `\.\./\.\./\.\./outside/new\.rs: path is not a clean relative path inside dest`},
		{Name: "patch-path-absolute", Build: plantPatch(hdr + "--- /dev/null\n+++ /tmp/rvendor-hostiletree-evil\n@@ -0,0 +1 @@\n+x\n"), Args: []string{"update"}, Want: `/tmp/rvendor-hostiletree-evil: path is not a clean relative path inside dest`},
		{
			Name: "patch-creates-git", Build: plantPatch(newFile("sub/.git/config", "100644", "[core]\n+\tfsmonitor = touch /tmp/rvendor-hostiletree-pwned")),
			Args: []string{"update"}, Want: `\.git`,
		},
		{
			Name: "patch-creates-git-hooks", Build: plantPatch(newFile(".git/hooks/post-checkout", "100755", "#!/bin/sh")),
			Args: []string{"update"}, Want: `\.git`,
		},
		{
			Name: "patch-creates-git-upper", Build: plantPatch(newFile("sub/.Git/config", "100644", "[core]")),
			Args: []string{"update"}, Want: `\.git|\.Git`,
		},
		{
			Name: "patch-creates-state", Build: plantPatch(newFile(".rvendor/journal.json", "100644", "{}")),
			Args: []string{"update"}, Want: `\.rvendor`,
		},
		{
			// A git symlink patch is applied as a regular file holding the
			// target's name: rvendor writes no links.
			Name: "patch-creates-symlink", Build: plantPatch(newFile("src/out", "120000", "../../../../outside/precious")),
			Args: []string{"update"}, Outcome: Defused,
			Check: func(e *Env) error {
				if fi, err := os.Lstat(e.Path("third_party/demo/src/out")); err == nil && !fi.Mode().IsRegular() {
					return fmt.Errorf("src/out is a %v", fi.Mode().Type())
				}
				return nil
			},
		},
		{
			// A patch file that is a link out of the tree: its target is
			// read and applied (a local user who controls the target, in
			// /tmp say, chooses what is vendored).
			Name: "patch-file-link-out", Build: func(e *Env) {
				e.Vendored()
				e.WriteOutside("evil.patch", modify("src/lib.rs"))
				e.Symlink("patches/demo/0001-evil.patch", "{outside}/evil.patch")
			},
			Args: []string{"update"}, Want: `symbolic link|link`,
		},
		{
			Name: "patches-dir-link-out:record", Defect: "#10: patches folder symlinked out of the tree",
			Build: func(e *Env) { linkOut(e); e.Write("third_party/demo/src/lib.rs", "edited\n") },
			Args:  []string{"patch", "record", "demo", "-m", "x"}, Want: `patches is a symbolic link`,
			// The refused record leaves the edit where it was.
		},
		{
			Name: "patches-dir-link-out:update", Defect: "#10: patches folder symlinked out of the tree",
			Build: linkOut, Args: []string{"update", "--force"}, Want: `patches.*symbolic link`,
		},
		{
			Name: "patches-dir-link-out:drop", Defect: "#10: patches folder symlinked out of the tree",
			Build: func(e *Env) {
				e.Patched()
				e.WriteOutside("patches/demo/0001-ours.patch", e.Read("patches/demo/0001-ours.patch"))
				e.Remove("patches")
				e.Symlink("patches", "{outside}/patches")
			},
			Args: []string{"patch", "drop", "demo", "1"}, Want: `patches is a symbolic link`,
		},
		{
			Name: "patches-dir-link-out:verify", Defect: "#10: patches folder symlinked out of the tree",
			Build: func(e *Env) {
				e.Patched()
				e.WriteOutside("patches/demo/0001-ours.patch", e.Read("patches/demo/0001-ours.patch"))
				e.Remove("patches")
				e.Symlink("patches", "{outside}/patches")
			},
			Args: []string{"verify"}, ReadOnly: true, Want: `patches`, Forbid: `(?m)^demo: clean`,
		},
		{
			Name: "patches-through-link-to-git:record", Build: func(e *Env) {
				e.Vendored()
				c := Demo()
				c.Patches = "p/hooks"
				e.Spec(c)
				e.MustRun("update")
				e.Symlink("p", ".git")
				e.Write("third_party/demo/src/lib.rs", "edited\n")
			},
			Args: []string{"patch", "record", "demo", "-m", "x"}, Want: `p is a symbolic link`,
		},
	}
}

// nameCases: file names that would forge lines of rvendor's reports
// (issue #10 item 9).
func nameCases() []Case {
	forged := "evil.rs\ndemo: clean (third_party/demo)"
	plant := func(name string) func(e *Env) {
		return func(e *Env) {
			e.Vendored()
			e.Write("third_party/demo/src/"+name, "x\n")
		}
	}
	return []Case{
		{
			Name: "name-forges-verify-line", Defect: "#10: raw file names forging report lines",
			Build: plant(forged), Args: []string{"verify"}, Exit: 1, ReadOnly: true,
			Want: `evil\.rs\\ndemo: clean`, Forbid: `(?m)^demo: clean`,
		},
		{
			Name: "name-forges-diff-stat", Defect: "#10: raw file names forging report lines",
			Build: func(e *Env) { plant(forged)(e); e.MustRun("fetch") },
			Args:  []string{"diff", "--stat"}, ReadOnly: true, Outcome: Defused,
			Forbid: `(?m)^demo: clean`,
		},
		{
			Name: "name-escape-sequence", Defect: "#10: raw file names forging report lines",
			Build: plant("evil\x1b[2J\x1b[1;1H.rs"), Args: []string{"verify"}, Exit: 1, ReadOnly: true,
			Want: `\\x1b`, Forbid: "\x1b",
		},
		{
			Name: "name-bidi-override", Defect: "#10: raw file names forging report lines",
			Build: plant("evil\u202esr.rs"), Args: []string{"verify"}, Exit: 1, ReadOnly: true,
			Want: `\\u202e`, Forbid: "\u202e",
		},
		{
			Name: "name-forges-update-error", Defect: "#10: raw file names forging report lines",
			Build: func(e *Env) {
				plant(forged)(e)
				c := Demo()
				c.Version = "2.0.0"
				e.Spec(c)
			},
			Args: []string{"update"}, Want: `evil\.rs\\ndemo: clean`, Forbid: `(?m)^demo: clean`,
		},
		{
			Name: "name-forges-patch-list", Defect: "#10: raw file names forging report lines",
			Build: func(e *Env) {
				e.Patched()
				e.check(os.Rename(e.Path("patches/demo/0001-ours.patch"), e.Path("patches/demo/0001-x\ndemo: clean.patch")))
			},
			Args: []string{"patch", "list"}, ReadOnly: true, Outcome: Defused, Forbid: `(?m)^demo: clean`,
		},
		{
			Name: "patch-subject-escape:patch-list", Defect: "#10: raw file names forging report lines",
			Build: func(e *Env) {
				e.Patched()
				e.Edit("patches/demo/0001-ours.patch", "Subject: [PATCH] ours", "Subject: [PATCH] ours\x1b[2J\x1b[1;1Hdemo: clean")
			},
			Args: []string{"patch", "list"}, ReadOnly: true, Outcome: Defused, Forbid: "\x1b",
		},
		{
			Name: "name-forges-update-patch-line", Defect: "#10: raw file names forging report lines",
			Build: func(e *Env) {
				e.Patched()
				e.check(os.Rename(e.Path("patches/demo/0001-ours.patch"), e.Path("patches/demo/0001-x\ndemo: clean.patch")))
			},
			Args: []string{"update"}, Want: `may hold only letters, digits`, Forbid: `(?m)^demo: clean`,
		},
		{
			Name: "vendored-file-link-out:verify", Build: func(e *Env) {
				e.Vendored()
				e.WriteOutside("lib.rs", "a\nb\nc\n")
				e.Remove("third_party/demo/src/lib.rs")
				e.Symlink("third_party/demo/src/lib.rs", "{outside}/lib.rs")
			},
			Args: []string{"verify"}, Exit: 1, ReadOnly: true, Want: `lib\.rs`, Forbid: `(?m)^demo: clean`,
		},
	}
}

// otherCommandCases: adopt, diff, init and build on hostile trees.
func otherCommandCases() []Case {
	adopt := func(target string) []string {
		return []string{"adopt", target, "--component", "alloc", "--from", "rust-src@1.63.0"}
	}
	return []Case{
		{
			Name: "adopt-link-out", Build: func(e *Env) {
				e.Vendored()
				e.WriteOutside("rust/alloc/lib.rs", "x\n")
				e.Symlink("rust", "{outside}/rust")
			},
			Args: adopt("rust/alloc"), Exit: 2, Want: `rust is a symbolic link`,
		},
		{
			Name: "adopt-is-link-out", Build: func(e *Env) {
				e.Vendored()
				e.WriteOutside("rust/alloc/lib.rs", "x\n")
				e.Symlink("rust/alloc", "{outside}/rust/alloc")
			},
			Args: adopt("rust/alloc"), Exit: 2, Want: `rust/alloc is not a folder`,
		},
		{Name: "adopt-outside", Build: func(e *Env) { e.Vendored() }, Args: adopt("../outside"), Exit: 2, Want: `not inside the tree`},
		{Name: "adopt-git", Build: func(e *Env) { e.Vendored() }, Args: adopt(".git"), Exit: 2, Want: `\.git`},
		{Name: "adopt-state", Build: func(e *Env) { e.Vendored() }, Args: adopt(".rvendor"), Exit: 2, Want: `\.rvendor`},
		{
			Name: "adopt-folder-holds-link-out", Build: func(e *Env) {
				e.Vendored()
				e.Write("rust/alloc/lib.rs", "x\n")
				e.Symlink("rust/alloc/secret.rs", "{outside}/precious")
			},
			Args: adopt("rust/alloc"), Want: `secret\.rs is a symlink, not a regular file`,
		},
		{
			Name: "diff-dest-link-out", Build: func(e *Env) {
				e.Vendored()
				e.MustRun("fetch")
				e.Remove("third_party/demo")
				e.Symlink("third_party/demo", "{outside}/demo")
			},
			Args: []string{"diff"}, ReadOnly: true, Want: `third_party/demo: not a folder`,
		},
		{
			Name: "diff-parent-link-out", Build: func(e *Env) {
				e.Vendored()
				e.MustRun("fetch")
				e.Remove("third_party")
				e.Symlink("third_party", "{outside}")
			},
			Args: []string{"diff"}, ReadOnly: true, Want: `third_party is a symbolic link`,
		},
		{
			Name: "build-crate-dir-outside", Build: func(e *Env) {
				e.Write("rvendor.toml", "version = 1\n\n[[component]]\nname = \"tool\"\nkind = \"crate\"\ncrate = \"tool\"\nversion = \"1.0.0\"\ndest = \"third_party/tool\"\n")
				e.Write("rvendor.lock", "version = 1\n\n[[component]]\nname = 'tool'\nkind = 'crate'\nversion = '1.0.0'\ncrate = 'tool'\ndest = 'third_party/tool'\nupstream = 'h1:x'\ntree = 'h1:x'\nfiles = 0\nbytes = 0\n\n[[component.package]]\nname = 'tool'\nversion = '1.0.0'\nchecksum = '"+strings.Repeat("0", 64)+"'\ndir = '../../../outside'\ntree = 'h1:x'\n")
				e.Write("rvendor.sum", "")
			},
			Args: []string{"build", "tool"}, Exit: 2, Want: `which is not a folder below its dest`,
		},
	}
}

func linkState(e *Env) {
	e.Vendored()
	e.Cloned()
	e.WriteOutside("journal.json", `{"id":"0123456789ab","swaps":[]}`)
	e.Symlink(".rvendor", "{outside}")
}

func specWithPatches(patches string) func(e *Env) {
	return func(e *Env) {
		c := Demo()
		c.Patches = patches
		e.Spec(c)
	}
}

func specWithExclude(version string, exclude ...string) func(e *Env) {
	return func(e *Env) {
		c := Demo()
		c.Version, c.Exclude = version, exclude
		e.Spec(c)
	}
}

// manyPatterns is one exclude pattern more than fetch takes.
func manyPatterns() []string {
	many := make([]string, 257)
	for i := range many {
		many[i] = fmt.Sprintf("*.x%d", i)
	}
	return many
}

func vendoredLock(edit func(e *Env)) func(e *Env) {
	return func(e *Env) {
		e.Vendored()
		edit(e)
	}
}

func lockDest(dest string) func(e *Env) {
	return vendoredLock(func(e *Env) { e.Edit("rvendor.lock", "dest = 'third_party/demo'", "dest = '"+dest+"'") })
}

const foreignWorkspace = "ffffffffffffffffffffffffffffffff-4242"

func journalPlanted(e *Env) {
	e.Vendored()
	e.Cloned()
	evilStaged(e)
	e.Journal(foreignWorkspace, txnID, [2]string{"third_party/demo", ".rvendor/staging/{id}/new/0/demo"})
}

func journalBound(swaps ...[2]string) func(e *Env) {
	return func(e *Env) {
		e.Vendored()
		e.Cloned()
		ws := e.PlantID()
		evilStaged(e)
		e.Journal(ws, txnID, swaps...)
	}
}

const notTrusted = `refusing the journal of an interrupted update .*not trusted`

// stateCasesMore holds the rest of stateCases.
func stateCasesMore() []Case {
	return []Case{
		{
			Name: "lock-file-link-out", Build: func(e *Env) {
				e.Vendored()
				e.Remove(".rvendor/lock")
				e.Symlink(".rvendor/lock", "{outside}/made-by-lock")
			},
			Args: []string{"update", "--force"}, Want: `path "\.rvendor/lock": it is a symbolic link`,
		},
		{
			Name: "lock-file-fifo", Build: func(e *Env) {
				e.Vendored()
				e.Remove(".rvendor/lock")
				e.check(syscall.Mkfifo(e.Path(".rvendor/lock"), 0o644))
			},
			Args: []string{"update", "--force"}, Want: `path "\.rvendor/lock": it is not a regular file`,
		},
		{
			Name: "id-file-link-out", Build: func(e *Env) {
				e.Vendored()
				e.Remove(".rvendor/id")
				e.Symlink(".rvendor/id", "{outside}/precious")
			},
			Args: []string{"update", "--force"}, Want: `path "\.rvendor/id": it is a symbolic link`,
		},
		{
			Name: "id-file-forged", Build: func(e *Env) {
				e.Vendored()
				e.Remove(".rvendor/id")
				e.Write(".rvendor/id", "../../../../etc/passwd\n")
			},
			Args: []string{"update", "--force"}, Want: `path "\.rvendor/id": it is not a workspace id that rvendor made`,
		},
		{
			Name: "spec-record-link-out", Build: func(e *Env) {
				e.Vendored()
				e.Remove(".rvendor/spec")
				e.Symlink(".rvendor/spec", "{outside}/precious")
			},
			Args: []string{"update", "--force"}, Want: `path "\.rvendor/spec": it is a symbolic link`,
		},
		{
			Name: "spec-record-other-spec", Build: func(e *Env) {
				e.Vendored()
				e.Remove(".rvendor/spec")
				e.Write(".rvendor/spec", "other.toml\n")
			},
			Args: []string{"update", "--force"}, Exit: 2, Want: `is the state folder of .*other\.toml, not of rvendor\.toml`,
		},
		{
			Name: "spec-record-forged", Build: func(e *Env) {
				e.Vendored()
				e.Remove(".rvendor/spec")
				e.Write(".rvendor/spec", "../../outside/spec.toml\n")
			},
			Args: []string{"update", "--force"}, Want: `path "\.rvendor/spec": it does not hold a spec file name`,
		},
	}
}

// specCasesMore holds the rest of specCases.
func specCasesMore() []Case {
	return []Case{
		{
			Name: "url-fifo-in-tree", Build: func(e *Env) {
				c := Demo()
				c.URL = "file://" + e.Path("third_party/pipe.tar.gz")
				e.Spec(c)
				e.check(os.MkdirAll(e.Path("third_party"), 0o755))
				e.check(syscall.Mkfifo(e.Path("third_party/pipe.tar.gz"), 0o644))
			},
			Args: []string{"update"}, Want: `not a regular file`,
			// A writer that opens and closes the FIFO releases the reader.
			Timeout: 3 * time.Second,
			Unblock: func(e *Env) {
				if f, err := os.OpenFile(e.Path("third_party/pipe.tar.gz"), os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					f.Close()
				}
			},
		},
		{
			Name: "url-plain-http", Build: func(e *Env) {
				c := Demo()
				c.URL = "http://example.org/demo.tar.gz"
				e.Spec(c)
			},
			Args: []string{"update"}, Exit: 2, Want: `uses plain http to a remote host`,
		},
		{
			Name: "url-loopback-redirect-to-file", Build: serving(func(e *Env) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, "file://"+e.Outside+"/precious", http.StatusFound)
				}
			}),
			Args: []string{"update"}, Want: `redirect`,
		},
		{
			Name: "url-loopback-redirect-other-port", Build: serving(func(e *Env) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, "http://127.0.0.1:1/demo.tar.gz", http.StatusFound)
				}
			}),
			Args: []string{"update"}, Want: `redirect`,
		},
		{
			// The bytes hashed are the bytes sent, whatever the server
			// says their encoding is.
			Name: "url-loopback-content-encoding", Defect: "#10: Content-Encoding gzip", Outcome: Defused,
			Build: serving(func(e *Env) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Encoding", "gzip")
					w.Write(e.ArchiveBytes("1.0.0"))
				}
			}),
			Args: []string{"update"}, Check: demoIntact,
		},
		{
			Name: "url-loopback-oversize", Build: serving(func(e *Env) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Length", fmt.Sprint(int64(5)<<30))
					w.WriteHeader(http.StatusOK)
				}
			}),
			Args: []string{"update"}, Want: `over the \d+-byte limit`,
		},
		{
			Name: "url-loopback-other-bytes", Build: serving(func(e *Env) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { w.Write(e.ArchiveBytes("2.0.0")) }
			}),
			Args: []string{"update"}, Want: `SECURITY ERROR`,
		},
		{
			Name: "component-name-path", Build: func(e *Env) {
				c := Demo()
				c.Name = "../../outside"
				e.Spec(c)
			},
			Args: []string{"update"}, Exit: 2, Want: `component name "\.\./\.\./outside" is not valid`,
		},
		{
			Name: "spec-unknown-key", Build: func(e *Env) {
				e.Write("rvendor.toml", e.SpecText(Demo())+"post-update = \"rm -rf ~\"\n")
			},
			Args: []string{"update"}, Exit: 2, Want: `unknown key "post-update"`,
		},
	}
}

// lockCasesMore holds the rest of lockCases.
func lockCasesMore() []Case {
	return []Case{
		{
			Name: "sum-path-absolute", Defect: "#10: lock/sum paths like ../../x",
			Build: vendoredLock(func(e *Env) { e.Edit("rvendor.sum", " src/lib.rs", " /etc/passwd") }),
			Args:  []string{"verify"}, Exit: 2, ReadOnly: true, Want: `rvendor\.sum:\d+:\d+: security error: component demo lists path "/etc/passwd"`,
		},
		{
			Name: "sum-path-git", Defect: "#10: lock/sum paths like ../../x",
			Build: vendoredLock(func(e *Env) { e.Edit("rvendor.sum", " src/lib.rs", " .git/config") }),
			Args:  []string{"verify"}, Exit: 2, ReadOnly: true, Want: `rvendor\.sum does not match rvendor\.lock`,
		},
		{
			Name: "sum-mode-flipped-with-file", Defect: "#10: the sum's mode column not covered by the lock",
			Build: vendoredLock(func(e *Env) {
				e.Edit("rvendor.sum", "demo 0644 6 ", "demo 0755 6 ")
				e.check(os.Chmod(e.Path("third_party/demo/src/lib.rs"), 0o755))
			}),
			Args: []string{"verify"}, ReadOnly: true, Want: `rvendor\.sum does not match rvendor\.lock`,
		},
		{
			Name: "sum-line-dropped-with-file", Build: vendoredLock(func(e *Env) {
				var keep []string
				for _, l := range strings.SplitAfter(e.Read("rvendor.sum"), "\n") {
					if !strings.HasSuffix(l, " src/util.rs\n") {
						keep = append(keep, l)
					}
				}
				e.Write("rvendor.sum", strings.Join(keep, ""))
				e.Remove("third_party/demo/src/util.rs")
			}),
			Args: []string{"verify"}, ReadOnly: true, Want: `rvendor\.sum does not match rvendor\.lock`,
		},
		{
			Name: "lock-unsealed", Defect: "#10: the sum's mode column not covered by the lock",
			Build: vendoredLock(func(e *Env) {
				var keep []string
				for _, l := range strings.SplitAfter(e.Read("rvendor.lock"), "\n") {
					if !strings.HasPrefix(l, "sum = ") {
						keep = append(keep, l)
					}
				}
				e.Write("rvendor.lock", strings.Join(keep, ""))
				e.Edit("rvendor.sum", "demo 0644 6 ", "demo 0755 6 ")
				e.check(os.Chmod(e.Path("third_party/demo/src/lib.rs"), 0o755))
			}),
			Args: []string{"verify"}, ReadOnly: true, Want: `seal|sealed`, Forbid: `(?m)^demo: clean`,
		},
		{
			// The lock is never read through a link.
			Name: "lock-link-out", Build: func(e *Env) {
				e.Vendored()
				e.Remove("rvendor.lock")
				e.Symlink("rvendor.lock", "{outside}/rvendor.lock")
			},
			Args: []string{"update", "--force"}, Exit: 2, Want: `rvendor\.lock is a symbolic link`,
		},
		fifoFile("rvendor.lock"),
		fifoFile("rvendor.sum"),
		func() Case {
			// The spec is found only as a regular file.
			c := fifoFile("rvendor.toml")
			c.Want, c.KnownGap = `no rvendor\.toml in .* or any parent folder`, ""
			return c
		}(),
		{
			// The sum is never read through a link, even by --force.
			Name: "sum-link-out", Build: func(e *Env) {
				e.Vendored()
				e.Remove("rvendor.sum")
				e.Symlink("rvendor.sum", "{outside}/rvendor.sum")
			},
			Args: []string{"update", "--force"}, Exit: 2, Want: `rvendor\.sum is a symbolic link`,
		},
	}
}

// journalCasesMore holds the rest of journalCases.
func journalCasesMore() []Case {
	return []Case{
		{
			Name: "journal-planted-legacy", Defect: "#10: planted .rvendor/journal.json",
			Build: func(e *Env) {
				e.Vendored()
				e.Cloned()
				evilStaged(e)
				e.Journal("", txnID, [2]string{"third_party/demo", ".rvendor/staging/{id}/new/0/demo"})
			},
			Args: []string{"update"}, Want: `records no workspace id`, Check: demoIntact,
		},
		{
			Name: "journal-planted-link", Build: func(e *Env) {
				e.Vendored()
				e.WriteOutside("journal.json", `{"id":"0123456789ab","swaps":[]}`)
				e.Symlink(".rvendor/journal.json", "{outside}/journal.json")
			},
			Args: []string{"update"}, Want: `path "\.rvendor/journal\.json": it is a symbolic link`,
		},
		{
			Name: "journal-planted-fifo", Build: func(e *Env) {
				e.Vendored()
				e.check(syscall.Mkfifo(e.Path(".rvendor/journal.json"), 0o644))
			},
			Args: []string{"update"}, Want: `path "\.rvendor/journal\.json": it is not a regular file`,
		},
		{
			Name: "journal-planted-huge", Build: func(e *Env) {
				e.Vendored()
				e.Write(".rvendor/journal.json", "")
				e.check(os.Truncate(e.Path(".rvendor/journal.json"), 17<<20))
			},
			Args: []string{"update"}, Want: `path "\.rvendor/journal\.json": it is larger than`,
		},
	}
}
