package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/tree"
)

// TestCollidingNames (issue 9, defect 1): components whose names look
// like scratch names another component used ("old-x" beside "x", whose
// queue is carried; "x-refs1") are all updated, each to its own version.
func TestCollidingNames(t *testing.T) {
	f := newFixture(t)
	v := func(version string, files map[string]string) []comp {
		return []comp{
			{name: "old-x", version: version, dest: "third_party/old-x", files: files},
			{name: "x-refs1", version: version, dest: "third_party/x-refs1", files: files},
			{name: "x", version: version, dest: "third_party/x", patches: "patches/x", files: files},
		}
	}
	f.spec(v("1.0.0", lib1)...)
	f.mustUpdate(UpdateOptions{})
	f.write("third_party/x/src/lib.rs", strings.Replace(lib1["src/lib.rs"], "pub fn b() {}", "pub fn b() { /* kernel */ }", 1))
	if _, err := f.record("x", "kernel b"); err != nil {
		t.Fatal(err)
	}
	f.spec(v("2.0.0", lib2)...)
	res := f.mustUpdate(UpdateOptions{})
	if len(res.Components) != 3 {
		t.Fatalf("updated %d components, want 3", len(res.Components))
	}
	for _, n := range []string{"old-x", "x-refs1", "x"} {
		if !strings.Contains(f.read("third_party/"+n+"/src/lib.rs"), "pub fn d()") {
			t.Errorf("%s still holds version 1.0.0", n)
		}
	}
	if !strings.Contains(f.read("third_party/x/src/lib.rs"), "/* kernel */") {
		t.Error("x lost its patch")
	}
	f.verifyClean()
}

// TestStagedMissingAtCommit: a staged folder that vanished before the
// commit fails the commit; the tree, lock and sum are as they were.
func TestStagedMissingAtCommit(t *testing.T) {
	f := upgradeFixture(t)
	before := f.snapshot()
	f.hook = func(point string) {
		if point != "commit" {
			return
		}
		// Remove every staged dest folder (they hold src/).
		filepath.WalkDir(filepath.Join(f.root, tree.StateDir, "staging"), func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() && d.Name() == "src" {
				os.RemoveAll(filepath.Dir(p))
				return filepath.SkipDir
			}
			return nil
		})
	}
	if _, err := f.update(UpdateOptions{}); err == nil {
		t.Fatal("update succeeded with its staged folder gone")
	}
	f.hook = nil
	sameTree(t, before, f.snapshot())
	if tree.Pending(f.root) {
		t.Error("a journal was written")
	}
}

// TestRecordOneScan (issue 9, defect 5): patch record computes the patch
// and the lock's tree hash from one snapshot of the folder. An edit saved
// after the snapshot is in neither: verify names it as undeclared, and
// the next record takes it.
func TestRecordOneScan(t *testing.T) {
	f := newFixture(t)
	f.spec(comp{name: "demo", version: "1.0.0", dest: "third_party/demo", patches: "patches/demo", files: lib1})
	f.mustUpdate(UpdateOptions{})
	f.write("third_party/demo/src/lib.rs", "first edit\n")
	f.hook = func(point string) {
		if point == "snapshot" {
			f.write("third_party/demo/src/lib.rs", "second edit\n")
		}
	}
	rec, err := f.record("demo", "first")
	f.hook = nil
	if err != nil {
		t.Fatal(err)
	}
	patch := f.read("patches/demo/" + rec.Name)
	if !strings.Contains(patch, "+first edit") || strings.Contains(patch, "second edit") {
		t.Fatalf("the patch is not of the snapshot:\n%s", patch)
	}
	rep := f.verify()
	if rep.ExitCode() == 0 || len(rep.Components[0].Modified) != 1 || rep.Components[0].Modified[0] != "src/lib.rs" {
		t.Fatalf("verify does not name the edit saved after the snapshot: %+v", *rep.Components[0])
	}
	if _, err := f.record("demo", "second"); err != nil {
		t.Fatal(err)
	}
	f.verifyClean()
}

// TestContinueChecks (issue 9, defect 3): --continue makes the checks
// update makes; here, a dest that filled with files rvendor did not
// vendor while the conflict waited.
func TestContinueChecks(t *testing.T) {
	f := patchedFixture(t)
	// 2.0.0 conflicts, and moves to a new dest.
	f.spec(comp{name: "demo", version: "2.0.0", dest: "third_party/demo2", patches: "patches/demo",
		files: map[string]string{"src/lib.rs": "a\nb theirs\nc\n"}})
	var ce *ConflictError
	if _, err := f.update(UpdateOptions{}); !errors.As(err, &ce) {
		t.Fatalf("update: %v, want a conflict", err)
	}
	f.write(ConflictDir+"/tree/src/lib.rs", "a\nb resolved\nc\n")
	f.write("third_party/demo2/notes.txt", "mine\n")
	before := f.snapshot()
	_, err := f.continueUpdate()
	if err == nil || !strings.Contains(err.Error(), "already holds files that rvendor did not vendor") {
		t.Fatalf("continue: %v, want a refusal to replace third_party/demo2", err)
	}
	sameTree(t, before, f.snapshot())
	if !ConflictPending(f.root) {
		t.Fatal("the refused continue dropped the conflict state")
	}
	os.Remove(filepath.Join(f.root, "third_party/demo2/notes.txt"))
	_, err = f.continueUpdate()
	if err != nil {
		t.Fatal(err)
	}
	if got := f.read("third_party/demo2/src/lib.rs"); got != "a\nb resolved\nc\n" {
		t.Errorf("lib.rs = %q", got)
	}
	if _, err := os.Stat(filepath.Join(f.root, "third_party/demo")); !os.IsNotExist(err) {
		t.Errorf("the old dest remains: %v", err)
	}
	f.verifyClean()
}

// TestConflictHoldsEveryComponent: an update of two components, one of
// which conflicts, is saved whole; --continue commits both at once.
func TestConflictHoldsEveryComponent(t *testing.T) {
	f := newFixture(t)
	base := map[string]string{"src/lib.rs": "a\nb\nc\n"}
	f.spec(comp{name: "a", version: "1.0.0", dest: "third_party/a", patches: "patches/a", files: base},
		comp{name: "b", version: "1.0.0", dest: "third_party/b", files: lib1})
	f.mustUpdate(UpdateOptions{})
	f.write("third_party/a/src/lib.rs", "a\nb ours\nc\n")
	if _, err := f.record("a", "ours"); err != nil {
		t.Fatal(err)
	}
	f.spec(comp{name: "a", version: "2.0.0", dest: "third_party/a", patches: "patches/a", files: map[string]string{"src/lib.rs": "a\nb theirs\nc\n"}},
		comp{name: "b", version: "2.0.0", dest: "third_party/b", files: lib2})
	before := f.snapshot()
	if _, err := f.update(UpdateOptions{}); err == nil {
		t.Fatal("no conflict")
	}
	sameTree(t, before, f.snapshot())
	f.write(ConflictDir+"/tree/src/lib.rs", "a\nb both\nc\n")
	res, err := f.continueUpdate()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Components) != 2 {
		t.Errorf("continue committed %d components, want 2", len(res.Components))
	}
	if !strings.Contains(f.read("third_party/b/src/lib.rs"), "pub fn d()") {
		t.Error("b was not updated with a")
	}
	if ConflictPending(f.root) {
		t.Error("the conflict state remains")
	}
	f.verifyClean()
}

// TestSymlinkedPatches (issue 9, defect 4): a patches folder committed as
// a link out of the tree is never written through.
func TestSymlinkedPatches(t *testing.T) {
	f := newFixture(t)
	f.spec(comp{name: "demo", version: "1.0.0", dest: "third_party/demo", patches: "rust/patches/demo", files: lib1})
	f.mustUpdate(UpdateOptions{})
	outside := filepath.Join(filepath.Dir(f.root), "outside")
	if err := os.MkdirAll(filepath.Join(outside, "demo"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(f.root, "rust"), 0o755)
	if err := os.Symlink(outside, filepath.Join(f.root, "rust/patches")); err != nil {
		t.Fatal(err)
	}
	f.write("third_party/demo/src/lib.rs", "edited\n")
	_, err := f.record("demo", "edit")
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("record: %v, want a refusal naming the link", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(outside, "demo")); len(entries) > 0 {
		t.Errorf("a patch was written outside the tree: %s", entries[0].Name())
	}
}

// TestSignerChange: a Rust source signed by another key than the lock
// recorded is refused, unless the maintainer accepted it (AcceptSigner)
// or chose the keys on the command line; both then warn.
func TestSignerChange(t *testing.T) {
	f := newFixture(t)
	f.spec(comp{name: "demo", version: "1.0.0", dest: "third_party/demo", files: lib1})
	f.mustUpdate(UpdateOptions{})
	for _, tc := range []struct {
		name         string
		accept, flag bool
		refused      bool
	}{
		{name: "refused", refused: true},
		{name: "accepted", accept: true},
		{name: "keyring flag", flag: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := f.engine()
			e.Project.Lock.Component("demo").Signer = "AAAA"
			e.AcceptSigner, e.Project.KeyringFromFlag = tc.accept, tc.flag
			c := e.Project.Component("demo")
			err := e.checkSigner(c, "BBBB")
			if tc.refused {
				var ee *Error
				if !errors.As(err, &ee) || ee.Code != Failed || !strings.Contains(err.Error(), "signed by BBBB") || !strings.Contains(ee.Hint(), "--accept-signer") {
					t.Fatalf("checkSigner: %v, want a refusal naming the new key and --accept-signer", err)
				}
				return
			}
			if err != nil || !f.said("but the last update was signed by AAAA") {
				t.Fatalf("checkSigner: %v, warned %v", err, f.said("but the last update was signed by AAAA"))
			}
			if err := e.checkSigner(c, "AAAA"); err != nil {
				t.Errorf("the same signer: %v", err)
			}
		})
	}
}

// TestCommitUnfinished (issue 10): a commit that fails after its journal
// was written says that an update is pending and how to finish or undo
// it; update --abort's roll-back then restores the tree exactly.
func TestCommitUnfinished(t *testing.T) {
	f := upgradeFixture(t)
	before := f.snapshot()
	tp := filepath.Join(f.root, "third_party")
	err := f.with(func(e *Engine, ws *tree.Workspace) error {
		ws.Hook = func(point string) {
			if point == "journal" { // a file in the way of the swap
				os.Rename(tp, tp+".away")
				os.WriteFile(tp, []byte("in the way\n"), 0o644)
			}
		}
		_, err := e.Update(context.Background(), ws, UpdateOptions{})
		return err
	})
	var ee *Error
	if !errors.Is(err, ErrUnfinished) || !errors.As(err, &ee) || !strings.Contains(ee.Hint(), "rvendor update --abort") {
		t.Fatalf("update: %v, want ErrUnfinished with a hint naming --abort", err)
	}
	if !tree.Pending(f.root) {
		t.Fatal("no update is pending")
	}
	os.Remove(tp)
	os.Rename(tp+".away", tp)
	if err := tree.RollBack(f.root); err != nil {
		t.Fatal(err)
	}
	sameTree(t, before, f.snapshot())
}

// TestForceUntrustedLock (issue 10): update --force never removes a
// folder that only rvendor.lock names without saying so; over a lock that
// does not match the sum it removes none.
func TestForceUntrustedLock(t *testing.T) {
	f := newFixture(t)
	f.spec(comp{name: "demo", version: "1.0.0", dest: "third_party/demo", files: lib1})
	f.mustUpdate(UpdateOptions{})
	f.write("precious/keep.txt", "mine\n")
	good := f.read("rvendor.lock")
	// A lock whose dest was changed (the sum still matches it): update
	// refuses to replace a folder with edits; --force says what it removes.
	f.write("rvendor.lock", strings.Replace(good, `dest = 'third_party/demo'`, `dest = 'precious'`, 1))
	if _, err := f.update(UpdateOptions{}); err == nil || !strings.Contains(err.Error(), "undeclared edits") {
		t.Fatalf("update: %v, want a refusal to discard precious/", err)
	}
	f.mustUpdate(UpdateOptions{Force: true})
	if !f.said("--force: removing precious, the folder rvendor.lock records for it") {
		t.Errorf("--force did not say it removes precious: %+v", f.events)
	}
	f.verifyClean()
	// A lock that does not match the sum: --force removes nothing it names.
	f.write("precious/keep.txt", "mine\n")
	bad := strings.Replace(f.read("rvendor.lock"), `dest = 'third_party/demo'`, `dest = 'precious'`, 1)
	bad = strings.Replace(bad, "tree = 'h1:", "tree = 'h1:X", 1)
	f.write("rvendor.lock", bad)
	if _, err := f.update(UpdateOptions{}); err == nil {
		t.Fatal("update accepted a lock that does not match the sum")
	}
	f.mustUpdate(UpdateOptions{Force: true})
	if !f.said("not removing precious") {
		t.Errorf("--force did not say what it keeps: %+v", f.events)
	}
	if f.read("precious/keep.txt") != "mine\n" {
		t.Error("the folder only the untrusted lock named was changed")
	}
	f.verifyClean()
}

// TestPlantedConflictState (issue 10): a conflict state this workspace did
// not write (committed to the tree, say) is never continued; --abort
// removes it.
func TestPlantedConflictState(t *testing.T) {
	f := patchedFixture(t)
	f.spec(comp{name: "demo", version: "2.0.0", dest: "third_party/demo", patches: "patches/demo", files: map[string]string{"src/lib.rs": "a\nb theirs\nc\n"}})
	if _, err := f.update(UpdateOptions{}); err == nil {
		t.Fatal("no conflict")
	}
	state := f.read(ConflictDir + "/state.json")
	var id string
	f.with(func(e *Engine, ws *tree.Workspace) error { id = ws.ID(); return nil })
	f.write(ConflictDir+"/state.json", strings.Replace(state, id, strings.Repeat("0", len(id)), 1))
	f.write(ConflictDir+"/tree/src/lib.rs", "a\nb planted\nc\n")
	before := f.snapshot()
	_, err := f.continueUpdate()
	if err == nil || !strings.Contains(err.Error(), "not written by an rvendor update in this tree") {
		t.Fatalf("continue: %v, want a refusal of the planted state", err)
	}
	sameTree(t, before, f.snapshot())
	err = f.with(func(e *Engine, ws *tree.Workspace) error {
		_, err := Abort(ws)
		return err
	})
	if err != nil || ConflictPending(f.root) {
		t.Fatalf("abort: %v; pending %v", err, ConflictPending(f.root))
	}
}

// TestQuotedNames (issue 10 item 9): a file name with a newline cannot
// forge a line of the engine's messages.
func TestQuotedNames(t *testing.T) {
	f := newFixture(t)
	f.spec(comp{name: "demo", version: "1.0.0", dest: "third_party/demo", files: lib1})
	f.mustUpdate(UpdateOptions{})
	f.write("third_party/demo/evil.rs\ndemo: up to date", "x\n")
	f.spec(comp{name: "demo", version: "2.0.0", dest: "third_party/demo", files: lib2})
	_, err := f.update(UpdateOptions{})
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), `"evil.rs\ndemo: up to date"`) {
		t.Fatalf("update: %v, want the name quoted on one line", err)
	}
}

// patchedFixture is a tree with component demo 1.0.0 (src/lib.rs "a b c")
// whose queue holds one patch changing line b to "b ours".
func patchedFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	base := map[string]string{"src/lib.rs": "a\nb\nc\n"}
	f.spec(comp{name: "demo", version: "1.0.0", dest: "third_party/demo", patches: "patches/demo", files: base})
	f.mustUpdate(UpdateOptions{})
	f.write("third_party/demo/src/lib.rs", "a\nb ours\nc\n")
	if _, err := f.record("demo", "ours"); err != nil {
		t.Fatal(err)
	}
	return f
}

// upgradeFixture is a tree with demo 1.0.0 vendored and the spec moved to
// 2.0.0.
func upgradeFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	f.spec(comp{name: "demo", version: "1.0.0", dest: "third_party/demo", files: lib1})
	f.mustUpdate(UpdateOptions{})
	f.spec(comp{name: "demo", version: "2.0.0", dest: "third_party/demo", files: lib2})
	return f
}

// TestContinueRefusesOtherEdits: a file of the work tree edited while the
// conflict waited, outside the conflicting patch's files, would be locked
// with no patch holding it; --continue refuses it.
func TestContinueRefusesOtherEdits(t *testing.T) {
	f := patchedFixture(t)
	f.spec(comp{name: "demo", version: "2.0.0", dest: "third_party/demo", patches: "patches/demo", files: map[string]string{"src/lib.rs": "a\nb theirs\nc\n"}})
	if _, err := f.update(UpdateOptions{}); err == nil {
		t.Fatal("no conflict")
	}
	f.write(ConflictDir+"/tree/src/lib.rs", "a\nb resolved\nc\n")
	f.write(ConflictDir+"/tree/src/sneaky.rs", "not in any patch\n")
	before := f.snapshot()
	_, err := f.continueUpdate()
	if err == nil || !strings.Contains(err.Error(), "no patch changes it") {
		t.Fatalf("continue: %v, want a refusal naming src/sneaky.rs", err)
	}
	sameTree(t, before, f.snapshot())
	os.Remove(filepath.Join(f.root, ConflictDir, "tree/src/sneaky.rs"))
	if _, err := f.continueUpdate(); err != nil {
		t.Fatal(err)
	}
	f.verifyClean()
}

// TestConflictStateFile: verify (through tree.ConflictPending) looks for
// the file the engine writes when it keeps a conflict.
func TestConflictStateFile(t *testing.T) {
	if got := ConflictDir + "/" + conflictStateName; got != tree.ConflictStateFile {
		t.Fatalf("the engine writes %s, verify looks for %s", got, tree.ConflictStateFile)
	}
}
