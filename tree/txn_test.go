package tree_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rvendor/rvendor/tree"
)

func write(t *testing.T, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

type crash struct{ point string }

// stage prepares a workspace with an old tree and lock, and a transaction
// that replaces both, and removes a second folder.
func stage(t *testing.T, root string, hook func(string)) *tree.Txn {
	t.Helper()
	w, err := tree.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	w.Hook = hook
	txn, err := w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	staged, err := txn.NewPath("demo")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(staged, "lib.rs"), "new")
	if err := txn.Replace("vendor/demo", staged); err != nil {
		t.Fatal(err)
	}
	if err := txn.Replace("vendor/gone", ""); err != nil {
		t.Fatal(err)
	}
	if err := txn.WriteFile("rvendor.lock", []byte("lock new")); err != nil {
		t.Fatal(err)
	}
	return txn
}

func oldState(t *testing.T) string {
	root := t.TempDir()
	write(t, filepath.Join(root, "vendor/demo/lib.rs"), "old")
	write(t, filepath.Join(root, "vendor/gone/x.rs"), "gone")
	write(t, filepath.Join(root, "rvendor.lock"), "lock old")
	return root
}

// TestCommitCrashRecovery stops a commit at every crash point (the hook
// panics, as a kill stops the process) and checks what is on disk, then
// that the next Open finishes the job.
func TestCommitCrashRecovery(t *testing.T) {
	for _, point := range tree.CrashPoints {
		t.Run(point, func(t *testing.T) {
			root := oldState(t)
			func() {
				defer func() {
					if r := recover(); r == nil {
						t.Fatal("the commit did not reach the crash point")
					} else if c, ok := r.(crash); !ok || c.point != point {
						panic(r)
					}
				}()
				txn := stage(t, root, func(p string) {
					if p == point {
						panic(crash{p})
					}
				})
				txn.Commit()
			}()
			lib, lock := read(t, filepath.Join(root, "vendor/demo/lib.rs")), read(t, filepath.Join(root, "rvendor.lock"))
			switch {
			case point == "staged":
				if lib != "old" || lock != "lock old" || tree.Pending(root) {
					t.Errorf("before the journal: got lib %q, lock %q, pending %v; want the old state", lib, lock, tree.Pending(root))
				}
			case point == "committed":
				if lib != "new" || lock != "lock new" || tree.Pending(root) {
					t.Errorf("after commit: got lib %q, lock %q, pending %v; want the new state", lib, lock, tree.Pending(root))
				}
			default:
				if !tree.Pending(root) {
					t.Errorf("a decided commit stopped at %s is not pending", point)
				}
				if lib != "old" && lib != "new" {
					t.Errorf("dest is half-written: lib.rs is %q", lib)
				}
			}
		})
	}
}

// TestRecoverFinishes runs the recovery in a fresh Open after a crash at
// each point, and checks the result is exactly the new state (or the old
// one, when the crash came before the commit was decided).
func TestRecoverFinishes(t *testing.T) {
	for _, point := range tree.CrashPoints {
		t.Run(point, func(t *testing.T) {
			root := oldState(t)
			crashAt(t, root, point, nil)
			w2, err := tree.Open(root)
			if err != nil {
				t.Fatal(err)
			}
			defer w2.Close()
			if len(w2.Recovered) == 0 && point != "committed" {
				t.Errorf("Open reported no recovery after a crash at %s", point)
			}
			lib, lock := read(t, filepath.Join(root, "vendor/demo/lib.rs")), read(t, filepath.Join(root, "rvendor.lock"))
			_, goneErr := os.Stat(filepath.Join(root, "vendor/gone"))
			if point == "staged" {
				if lib != "old" || lock != "lock old" || goneErr != nil {
					t.Errorf("undecided commit: got lib %q lock %q gone-err %v; want the old state", lib, lock, goneErr)
				}
			} else if lib != "new" || lock != "lock new" || !errors.Is(goneErr, os.ErrNotExist) {
				t.Errorf("decided commit: got lib %q lock %q gone-err %v; want the new state", lib, lock, goneErr)
			}
			if tree.Pending(root) {
				t.Error("still pending after recovery")
			}
			ents, _ := os.ReadDir(filepath.Join(root, tree.StateDir, "staging"))
			if len(ents) != 0 {
				t.Errorf("staging not cleaned: %v", ents)
			}
		})
	}
}

// TestAbortLeavesTree checks that an aborted transaction changes nothing.
func TestAbortLeavesTree(t *testing.T) {
	root := oldState(t)
	txn := stage(t, root, nil)
	if err := txn.Abort(); err != nil {
		t.Fatal(err)
	}
	if lib := read(t, filepath.Join(root, "vendor/demo/lib.rs")); lib != "old" {
		t.Errorf("lib.rs is %q after abort", lib)
	}
	if lock := read(t, filepath.Join(root, "rvendor.lock")); lock != "lock old" {
		t.Errorf("lock is %q after abort", lock)
	}
	ents, _ := os.ReadDir(filepath.Join(root, tree.StateDir, "staging"))
	if len(ents) != 0 {
		t.Errorf("staging not cleaned: %v", ents)
	}
}

// TestOpenSerializes checks that a second Open waits until the first
// workspace is closed.
func TestOpenSerializes(t *testing.T) {
	root := t.TempDir()
	w1, err := tree.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *tree.Workspace)
	go func() {
		w2, err := tree.Open(root)
		if err != nil {
			t.Error(err)
		}
		got <- w2
	}()
	select {
	case <-got:
		t.Fatal("a second Open did not wait for the first to close")
	case <-time.After(200 * time.Millisecond):
	}
	w1.Close()
	select {
	case w2 := <-got:
		w2.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("the second Open did not proceed after the first closed")
	}
}

// TestStuckJournalSaysWhatToDo: a journal that cannot be finished is an
// error of Open naming the journal, where the old copies are and what to
// do; nothing is removed.
func TestStuckJournalSaysWhatToDo(t *testing.T) {
	root := oldState(t)
	crashAt(t, root, "journal", nil)
	ids, _ := filepath.Glob(filepath.Join(root, tree.StateDir, "staging", "*"))
	if len(ids) != 1 {
		t.Fatalf("staging folders: %v", ids)
	}
	write(t, filepath.Join(ids[0], "old", "0", "lib.rs"), "older") // aside already taken
	_, err := tree.Open(root)
	if err == nil {
		t.Fatal("Open finished a journal whose dest and old copy both exist")
	}
	for _, want := range []string{"journal.json", filepath.Join("staging", filepath.Base(ids[0]), "old"), "run rvendor update again", "rvendor update --abort"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
	if read(t, filepath.Join(root, "vendor/demo/lib.rs")) != "old" || !tree.Pending(root) {
		t.Error("a failed recovery changed the tree or dropped the journal")
	}
}

// TestRollBack stops a commit at every crash point after the journal and
// rolls it back: the tree is exactly the old one again, the lock file
// included, a removed folder is back and nothing the commit created stays.
func TestRollBack(t *testing.T) {
	for _, point := range []string{"journal", "swap", "files"} {
		t.Run(point, func(t *testing.T) {
			root := oldState(t)
			crashAt(t, root, point, func(txn *tree.Txn) {
				created, err := txn.NewPath("created")
				if err != nil {
					t.Fatal(err)
				}
				write(t, filepath.Join(created, "x.rs"), "created")
				txn.Replace("vendor/created", created)
			})
			if !tree.Pending(root) {
				t.Fatalf("no journal after a crash at %s", point)
			}
			if err := tree.RollBack(root); err != nil {
				t.Fatal(err)
			}
			if got := read(t, filepath.Join(root, "vendor/demo/lib.rs")); got != "old" {
				t.Errorf("lib.rs = %q after roll-back, want old", got)
			}
			if got := read(t, filepath.Join(root, "rvendor.lock")); got != "lock old" {
				t.Errorf("lock = %q after roll-back, want the old one", got)
			}
			if got := read(t, filepath.Join(root, "vendor/gone/x.rs")); got != "gone" {
				t.Errorf("the removed folder is not back: %q", got)
			}
			if _, err := os.Stat(filepath.Join(root, "vendor/created")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("what the commit created is still there: %v", err)
			}
			if tree.Pending(root) {
				t.Error("journal still there after roll-back")
			}
			ents, _ := os.ReadDir(filepath.Join(root, tree.StateDir, "staging"))
			if len(ents) != 0 {
				t.Errorf("staging not cleaned: %v", ents)
			}
		})
	}
}

// TestRollBackRefusesWithoutOldCopy: when an old copy is gone, RollBack
// changes nothing and says so; the next Open then finishes the update.
func TestRollBackRefusesWithoutOldCopy(t *testing.T) {
	root := oldState(t)
	crashAt(t, root, "files", nil)
	olds, _ := filepath.Glob(filepath.Join(root, tree.StateDir, "staging", "*", "old", "0"))
	if len(olds) != 1 {
		t.Fatalf("old copies: %v", olds)
	}
	os.RemoveAll(olds[0])
	err := tree.RollBack(root)
	if err == nil || !strings.Contains(err.Error(), "cannot be rolled back") {
		t.Fatalf("RollBack = %v, want a refusal", err)
	}
	if read(t, filepath.Join(root, "rvendor.lock")) != "lock new" || read(t, filepath.Join(root, "vendor/demo/lib.rs")) != "new" {
		t.Error("a refused roll-back changed the tree")
	}
	w, err := tree.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if tree.Pending(root) || read(t, filepath.Join(root, "rvendor.lock")) != "lock new" {
		t.Error("Open did not finish the update after the refused roll-back")
	}
}

// crashAt runs a commit that replaces vendor/demo, removes vendor/gone,
// does what more adds, and writes the lock, and stops it at point as a
// kill would (the hook panics; the workspace lock is released).
func crashAt(t *testing.T, root, point string, more func(*tree.Txn)) {
	t.Helper()
	func() {
		defer func() {
			if r := recover(); r != nil {
				if c, ok := r.(crash); !ok || c.point != point {
					panic(r)
				}
			}
		}()
		w, err := tree.Open(root)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		w.Hook = func(p string) {
			if p == point {
				panic(crash{p})
			}
		}
		txn, err := w.Begin()
		if err != nil {
			t.Fatal(err)
		}
		staged, err := txn.NewPath("demo")
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(staged, "lib.rs"), "new")
		if err := txn.Replace("vendor/demo", staged); err != nil {
			t.Fatal(err)
		}
		txn.Replace("vendor/gone", "")
		if more != nil {
			more(txn)
		}
		txn.WriteFile("rvendor.lock", []byte("lock new"))
		txn.Commit()
	}()
}
