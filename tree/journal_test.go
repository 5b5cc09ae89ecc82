package tree_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/tree"
)

const hostileID = "0123456789ab"

// workspaceID returns the id of the workspace at root, as a journal
// written there records it.
func workspaceID(t *testing.T, root string) string {
	t.Helper()
	w, err := tree.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	return w.ID()
}

// hostileJournalTree is hostileTree with a staging folder for hostileID
// holding new content, and the path from the root to outside.
func hostileJournalTree(t *testing.T) (root, outside, up, id string) {
	t.Helper()
	root, outside = hostileTree(t)
	id = workspaceID(t, root) // before the staging folder: Open cleans it
	write(t, filepath.Join(root, tree.StateDir, "staging", hostileID, "new", "0", "demo", "lib.rs"), "evil")
	rel, err := filepath.Rel(root, outside)
	if err != nil {
		t.Fatal(err)
	}
	return root, outside, filepath.ToSlash(rel), id
}

// untouched checks that nothing a hostile journal aims at changed.
func untouched(t *testing.T, root, outside string) {
	t.Helper()
	for p, want := range map[string]string{
		filepath.Join(root, "vendor/demo/lib.rs"):                                              "old",
		filepath.Join(root, ".git/hooks/pre-commit"):                                           "#!/bin/sh\n",
		filepath.Join(outside, "victim"):                                                       "outside",
		filepath.Join(root, "afile"):                                                           "a file",
		filepath.Join(root, tree.StateDir, "staging", hostileID, "new", "0", "demo", "lib.rs"): "evil",
	} {
		if got := read(t, p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	if _, err := os.Lstat(filepath.Join(outside, "aside")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("something was moved out of the tree: %v", err)
	}
	if !tree.Pending(root) {
		t.Error("the refused journal was removed")
	}
}

// TestHostileJournalRefused: a journal whose paths leave the tree, go
// through links, touch .git, or reach out of its own staging folder is
// refused by Open and by RollBack before anything is done (it used to be
// acted on: a journal with id "../../vendor" removed vendor/, one with
// dest ".git/hooks" replaced git's hooks).
func TestHostileJournalRefused(t *testing.T) {
	staged := ".rvendor/staging/" + hostileID + "/new/0/demo"
	aside := ".rvendor/staging/" + hostileID + "/old/0"
	for _, tc := range []struct {
		name, id, dest, staged, aside, want string
	}{
		{"id leaves staging", "../../vendor", "", "", "", "not one rvendor makes"},
		{"empty id", "", "", "", "", "not one rvendor makes"},
		{"dest outside", hostileID, "{up}/victim", staged, aside, "leaves the workspace"},
		{"dest absolute", hostileID, "{outside}/victim", staged, aside, "absolute"},
		{"dest in .git", hostileID, ".git/hooks", staged, aside, ".git"},
		{"dest through link to .git", hostileID, "third_party/g/hooks", "", aside, "third_party/g is a symbolic link"},
		{"dest through link out", hostileID, "escape/victim", staged, aside, "escape is a symbolic link"},
		{"dest through a file", hostileID, "afile/x", staged, aside, "afile is not a folder"},
		{"dest in .rvendor", hostileID, ".rvendor/lock", staged, aside, tree.StateDir},
		{"dest removes staging", hostileID, ".rvendor/staging", "", aside, "rvendor's state folder"},
		{"staged is .git", hostileID, "vendor/demo", ".git/hooks", aside, "not a path this transaction handed out"},
		{"staged outside", hostileID, "vendor/demo", "{up}/victim", aside, "not a path this transaction handed out"},
		{"staged climbs out of staging", hostileID, "vendor/demo", ".rvendor/staging/" + hostileID + "/../../../.git", aside, "not clean"},
		{"staged in another transaction", hostileID, "vendor/demo", ".rvendor/staging/ba9876543210/new/0/demo", aside, "not a path this transaction handed out"},
		{"aside outside", hostileID, "vendor/demo", staged, "{up}/aside", "old copy"},
		{"aside in .git", hostileID, "vendor/demo", staged, ".git/x", "old copy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, outside, up, id := hostileJournalTree(t)
			expand := func(s string) string {
				return strings.NewReplacer("{up}", up, "{outside}", filepath.ToSlash(outside)).Replace(s)
			}
			swaps := "[]"
			if tc.dest != "" {
				swaps = `[{"dest":` + quote(expand(tc.dest)) + `,"staged":` + quote(expand(tc.staged)) +
					`,"aside":` + quote(expand(tc.aside)) + `,"existed":true}]`
			}
			j := `{"id":` + quote(tc.id) + `,"workspace":` + quote(id) + `,"swaps":` + swaps + `}`
			write(t, filepath.Join(root, tree.StateDir, "journal.json"), j)

			w, err := tree.Open(root)
			if err == nil {
				w.Close()
			}
			var je *tree.JournalError
			if !errors.As(err, &je) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open = %v, want a *JournalError saying %q", err, tc.want)
			}
			untouched(t, root, outside)
			err = tree.RollBack(root)
			if !errors.As(err, &je) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("RollBack = %v, want a *JournalError saying %q", err, tc.want)
			}
			untouched(t, root, outside)
		})
	}
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// linkOut replaces the folder rel of root by a link to a copy of it
// outside the tree, as a checkout could between two runs, and returns
// the copy.
func linkOut(t *testing.T, root, rel string) string {
	t.Helper()
	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(filepath.Join(root, rel), moved); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(moved, filepath.Join(root, rel)); err != nil {
		t.Fatal(err)
	}
	return moved
}

// TestRollForwardRechecksLinks: a link put on a dest's way after the
// journal was written (vendor -> a folder outside) is refused when the
// journal is rolled forward, and nothing is written through it; once the
// link is gone the update finishes.
func TestRollForwardRechecksLinks(t *testing.T) {
	root := oldState(t)
	crashAt(t, root, "journal", nil)
	moved := linkOut(t, root, "vendor")
	w, err := tree.Open(root)
	if err == nil {
		w.Close()
	}
	var je *tree.JournalError
	if !errors.As(err, &je) || !strings.Contains(err.Error(), "vendor is a symbolic link") {
		t.Fatalf("Open = %v, want the journal refused for the link", err)
	}
	if got := read(t, filepath.Join(moved, "demo/lib.rs")); got != "old" {
		t.Errorf("written through the link: lib.rs = %q", got)
	}
	if got := read(t, filepath.Join(moved, "gone/x.rs")); got != "gone" {
		t.Errorf("removed through the link: x.rs = %q", got)
	}
	if err := tree.RollBack(root); !errors.As(err, &je) {
		t.Errorf("RollBack = %v, want the journal refused", err)
	}
	if !tree.Pending(root) {
		t.Fatal("the refused journal was removed")
	}
	// Put the folder back: the update finishes.
	if err := os.Remove(filepath.Join(root, "vendor")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(moved, filepath.Join(root, "vendor")); err != nil {
		t.Fatal(err)
	}
	w, err = tree.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if got := read(t, filepath.Join(root, "vendor/demo/lib.rs")); got != "new" || tree.Pending(root) {
		t.Errorf("after the link was removed: lib.rs = %q, pending %v", got, tree.Pending(root))
	}
}

// TestCommitRechecksLinks: a link planted between Replace and Commit is
// refused before the journal: nothing changes and nothing is pending.
func TestCommitRechecksLinks(t *testing.T) {
	root := oldState(t)
	txn := stage(t, root, nil)
	moved := linkOut(t, root, "vendor")
	err := txn.Commit()
	if err == nil || !strings.Contains(err.Error(), "vendor is a symbolic link") {
		t.Fatalf("Commit = %v, want a refusal naming the link", err)
	}
	if got := read(t, filepath.Join(moved, "demo/lib.rs")); got != "old" {
		t.Errorf("written through the link: lib.rs = %q", got)
	}
	if got := read(t, filepath.Join(root, "rvendor.lock")); got != "lock old" {
		t.Errorf("lock = %q, want the old one", got)
	}
	if tree.Pending(root) {
		t.Error("a refused commit left a journal")
	}
}

// copyTree copies the tree at src, .rvendor and all, to a new folder, as
// git (with .rvendor force-added) or a tarball would bring it.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "clone")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestPlantedJournalRefused: a genuine journal made in one tree and
// shipped with it (committed to git, or in a tarball, with its staging
// folder and workspace id file) is refused in the tree it lands in:
// nothing is rolled forward or back, and the message says to remove
// .rvendor. (It used to be finished: whoever made the tree chose what the
// next rvendor run swapped in.)
func TestPlantedJournalRefused(t *testing.T) {
	made := oldState(t)
	crashAt(t, made, "journal", nil)
	if !tree.Pending(made) {
		t.Fatal("no journal made")
	}
	for _, legacy := range []bool{false, true} {
		root := copyTree(t, made)
		if legacy { // a journal without a workspace id
			p := filepath.Join(root, tree.StateDir, "journal.json")
			j := read(t, p)
			i := strings.Index(j, `"workspace"`)
			end := strings.Index(j[i:], ",") + i + 1
			write(t, p, j[:i]+j[end:])
		}
		for _, f := range []func(string) error{
			func(root string) error {
				w, err := tree.Open(root)
				if err == nil {
					w.Close()
				}
				return err
			},
			tree.RollBack,
		} {
			err := f(root)
			var je *tree.JournalError
			if !errors.As(err, &je) || !strings.Contains(err.Error(), "not trusted") || !strings.Contains(err.Error(), "remove the folder "+filepath.Join(root, tree.StateDir)) {
				t.Errorf("legacy %v: got %v, want the journal refused as not written here, saying to remove .rvendor", legacy, err)
			}
			if got := read(t, filepath.Join(root, "vendor/demo/lib.rs")); got != "old" {
				t.Errorf("legacy %v: lib.rs = %q, want old", legacy, got)
			}
			if got := read(t, filepath.Join(root, "rvendor.lock")); got != "lock old" {
				t.Errorf("legacy %v: lock = %q, want the old one", legacy, got)
			}
			if !tree.Pending(root) {
				t.Errorf("legacy %v: the refused journal was removed", legacy)
			}
		}
		// What the message says to do works.
		if err := os.RemoveAll(filepath.Join(root, tree.StateDir)); err != nil {
			t.Fatal(err)
		}
		w, err := tree.Open(root)
		if err != nil {
			t.Fatalf("after removing .rvendor: %v", err)
		}
		w.Close()
	}
	// The tree it was made in still finishes it.
	w, err := tree.Open(made)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if got := read(t, filepath.Join(made, "vendor/demo/lib.rs")); got != "new" {
		t.Errorf("the original tree did not finish its own journal: lib.rs = %q", got)
	}
}

// TestWorkspaceID: the id is kept in a 0600 file, is the same for every
// Open of one tree and differs in a copy of it, id file included.
func TestWorkspaceID(t *testing.T) {
	root := t.TempDir()
	id := workspaceID(t, root)
	if id == "" || workspaceID(t, root) != id {
		t.Fatalf("ID %q is not stable", id)
	}
	fi, err := os.Lstat(filepath.Join(root, tree.StateDir, "id"))
	if err != nil || fi.Mode().Perm() != 0o600 || !fi.Mode().IsRegular() {
		t.Errorf("id file: %v %v, want a 0600 file", fi.Mode(), err)
	}
	if other := workspaceID(t, copyTree(t, root)); other == id {
		t.Errorf("a copied tree has the same workspace id %s", id)
	}
}
