package tree_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rvendor/rvendor/tree"
)

func openWS(t *testing.T, root string) *tree.Workspace {
	t.Helper()
	w, err := tree.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func begin(t *testing.T, w *tree.Workspace) *tree.Txn {
	t.Helper()
	txn, err := w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { txn.Abort() })
	return txn
}

// TestNewPathNeverCollides: every NewPath is new, whatever the hints
// ("old-x" beside "x", the same hint twice, hints that are no name),
// its parent exists, and it stays inside the staging folder.
func TestNewPathNeverCollides(t *testing.T) {
	root := t.TempDir()
	txn := begin(t, openWS(t, root))
	staging := filepath.Join(root, tree.StateDir, "staging") + string(filepath.Separator)
	seen := map[string]bool{}
	for _, hint := range []string{"x", "x", "old-x", "old-" + "x", "", ".", "..", "../../escape", "a/b", "/abs", "nul\x00byte"} {
		p, err := txn.NewPath(hint)
		if err != nil {
			t.Fatal(err)
		}
		if seen[p] || seen[filepath.Dir(p)] {
			t.Errorf("NewPath(%q) = %s, handed out before", hint, p)
		}
		seen[p], seen[filepath.Dir(p)] = true, true
		if !strings.HasPrefix(p, staging) || !filepath.IsAbs(p) {
			t.Errorf("NewPath(%q) = %s, not inside %s", hint, p, staging)
		}
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("NewPath(%q) = %s exists already: %v", hint, p, err)
		}
		if fi, err := os.Lstat(filepath.Dir(p)); err != nil || !fi.IsDir() {
			t.Errorf("NewPath(%q): parent of %s is not a folder: %v", hint, p, err)
		}
		if base := filepath.Base(p); strings.ContainsAny(base, "/\x00") || base == "." || base == ".." {
			t.Errorf("NewPath(%q) has last element %q", hint, base)
		}
		// The caller creates its destination itself.
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Errorf("NewPath(%q): creating %s: %v", hint, p, err)
		}
	}
	if p, _ := txn.NewPath(""); filepath.Base(p) != "item" {
		t.Errorf("NewPath(\"\") = %s, want last element item", p)
	}
	if p, _ := txn.NewPath("rust-src"); filepath.Base(p) != "rust-src" {
		t.Errorf("NewPath(\"rust-src\") = %s, want the hint as last element", p)
	}

	d, err := txn.NewDir("x")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(d); err != nil || !fi.IsDir() || seen[d] {
		t.Errorf("NewDir = %s: %v", d, err)
	}
	if ents, _ := os.ReadDir(d); len(ents) != 0 {
		t.Errorf("NewDir %s is not empty", d)
	}
	f, err := txn.NewFile("x")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(f); err != nil || !fi.Mode().IsRegular() || fi.Size() != 0 || f == d {
		t.Errorf("NewFile = %s: %v", f, err)
	}
}

// TestNewPathConcurrent: NewPath from many goroutines never hands out one
// path twice.
func TestNewPathConcurrent(t *testing.T) {
	txn := begin(t, openWS(t, t.TempDir()))
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				p, err := txn.NewPath("crate")
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[p] {
					t.Errorf("%s handed out twice", p)
				}
				seen[p] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// hostileTree makes a tree with the traps a cloned kernel tree can hold:
// a link to a folder outside, a link to .git, a file where a folder is
// expected.
func hostileTree(t *testing.T) (root, outside string) {
	t.Helper()
	root, outside = t.TempDir(), t.TempDir()
	write(t, filepath.Join(root, ".git/hooks/pre-commit"), "#!/bin/sh\n")
	write(t, filepath.Join(root, "vendor/demo/lib.rs"), "old")
	write(t, filepath.Join(root, "afile"), "a file")
	write(t, filepath.Join(outside, "victim"), "outside")
	if err := os.MkdirAll(filepath.Join(root, "third_party"), 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"third_party/g": "../.git",
		"escape":        outside,
		"vendor/link":   "demo",
	} {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	return root, outside
}

// TestWorkspacePath is the containment check: what it refuses, that the
// error names the path and says what is wrong and what to do, and what it
// lets through.
func TestWorkspacePath(t *testing.T) {
	root, _ := hostileTree(t)
	w := openWS(t, root)
	for _, tc := range []struct{ rel, want string }{
		{"", "empty"},
		{"/etc/passwd", "absolute"},
		{"..", "leaves the workspace"},
		{"../x", "leaves the workspace"},
		{"vendor/../../x", "leaves the workspace"},
		{"vendor/../x", `write it as "x"`},
		{"./vendor", `write it as "vendor"`},
		{"vendor/", `write it as "vendor"`},
		{"vendor//demo", `write it as "vendor/demo"`},
		{".", "root itself"},
		{".git", ".git"},
		{".git/hooks", ".git"},
		{".git/hooks/pre-commit", ".git"},
		{".GIT/hooks", ".git"},
		{"sub/.git/config", ".git"},
		{".rvendor", tree.StateDir},
		{".rvendor/x", tree.StateDir},
		{".rvendor/staging/x", tree.StateDir},
		{"third_party/g/hooks", "third_party/g is a symbolic link"},
		{"third_party/g/hooks/pre-commit", "third_party/g is a symbolic link"},
		{"escape/victim", "escape is a symbolic link"},
		{"escape/new/deep", "escape is a symbolic link"},
		{"vendor/link/lib.rs", "vendor/link is a symbolic link"},
		{"afile/x", "afile is not a folder"},
		{"afile/x/y", "afile is not a folder"},
	} {
		_, err := w.Path(tc.rel)
		var pe *tree.PathError
		if !errors.As(err, &pe) || !errors.Is(err, tree.ErrUnsafePath) {
			t.Errorf("Path(%q) = %v, want a *PathError", tc.rel, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tc.want) || !strings.Contains(msg, `"`+tc.rel+`"`) || pe.Fix == "" {
			t.Errorf("Path(%q) = %q: want it to name the path, say %q and what to do", tc.rel, msg, tc.want)
		}
	}
	for _, rel := range []string{"vendor/demo", "vendor/demo/lib.rs", "new/deep/folder", "third_party/g", "escape", "afile", ".gitignore", "rvendor.lock"} {
		p, err := w.Path(rel)
		if err != nil {
			t.Errorf("Path(%q) = %v, want it accepted", rel, err)
		} else if want := filepath.Join(w.Root, filepath.FromSlash(rel)); p != want {
			t.Errorf("Path(%q) = %s, want %s", rel, p, want)
		}
	}
}

// TestWorkspacePathRootThroughLink: the root itself may be reached
// through a link (the user's choice).
func TestWorkspacePathRootThroughLink(t *testing.T) {
	real := t.TempDir()
	link := filepath.Join(t.TempDir(), "tree")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(real, "vendor/demo/lib.rs"), "old")
	w := openWS(t, link)
	if _, err := w.Path("vendor/demo"); err != nil {
		t.Fatal(err)
	}
}

// TestReplaceRefusesUnsafeDests: Replace and WriteFile run dest through
// the containment check; nothing outside the tree, in .git or in .rvendor
// changes, and a refused WriteFile leaves the transaction usable.
func TestReplaceRefusesUnsafeDests(t *testing.T) {
	root, outside := hostileTree(t)
	w := openWS(t, root)
	txn := begin(t, w)
	staged, err := txn.NewDir("x")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(staged, "f"), "evil")
	for _, dest := range []string{".git/hooks", "third_party/g/hooks", "escape/victim", "afile/x", "../x", ".rvendor/x", ".rvendor/staging", "vendor/../vendor/demo"} {
		if err := txn.Replace(dest, staged); !errors.Is(err, tree.ErrUnsafePath) {
			t.Errorf("Replace(%q) = %v, want a refusal", dest, err)
		}
		if err := txn.Replace(dest, ""); !errors.Is(err, tree.ErrUnsafePath) {
			t.Errorf("Replace(%q, \"\") = %v, want a refusal", dest, err)
		}
		if err := txn.WriteFile(dest, []byte("evil")); !errors.Is(err, tree.ErrUnsafePath) {
			t.Errorf("WriteFile(%q) = %v, want a refusal", dest, err)
		}
	}
	if err := txn.WriteFile("rvendor.lock", []byte("lock")); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(root, ".git/hooks/pre-commit")); got != "#!/bin/sh\n" {
		t.Errorf(".git/hooks/pre-commit = %q", got)
	}
	if got := read(t, filepath.Join(outside, "victim")); got != "outside" {
		t.Errorf("a file outside the tree changed: %q", got)
	}
	if got := read(t, filepath.Join(root, "rvendor.lock")); got != "lock" {
		t.Errorf("rvendor.lock = %q", got)
	}
}

// TestReplaceRefusesForeignStaged: the staged content must be a path the
// transaction handed out, not any folder of the tree or of the disk.
func TestReplaceRefusesForeignStaged(t *testing.T) {
	root, outside := hostileTree(t)
	w := openWS(t, root)
	txn := begin(t, w)
	other := begin(t, w)
	theirs, err := other.NewDir("x")
	if err != nil {
		t.Fatal(err)
	}
	mine, err := txn.NewDir("x")
	if err != nil {
		t.Fatal(err)
	}
	for _, staged := range []string{
		outside,
		filepath.Join(root, ".git"),
		filepath.Join(root, "vendor/demo"),
		theirs,
		filepath.Join(mine, "..", "..", "..", "..", "..", "vendor"),
		"relative/path",
		filepath.Join(root, tree.StateDir, "staging"),
		filepath.Join(root, tree.StateDir, "lock"),
	} {
		if err := txn.Replace("vendor/new", staged); err == nil {
			t.Errorf("Replace with staged %s was accepted", staged)
		}
	}
	if err := txn.Replace("vendor/new", mine); err != nil {
		t.Errorf("Replace with a path from NewDir: %v", err)
	}
}

// TestReplaceStagedInsideReplacedDest: a staged path inside a dest that
// an earlier swap of the transaction takes away is refused, as are two
// swaps of one staged path.
func TestReplaceStagedInsideReplacedDest(t *testing.T) {
	root := oldState(t)
	w := openWS(t, root)
	conflict, err := w.StatePath("conflict")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(conflict, "tree", "lib.rs"), "resolved")
	txn := begin(t, w)
	if err := txn.RemoveState("conflict"); err != nil {
		t.Fatal(err)
	}
	if err := txn.Replace("vendor/demo", filepath.Join(conflict, "tree")); err == nil {
		t.Error("a staged path inside a state folder removed first was accepted")
	}
	txn2 := begin(t, w)
	p, _ := txn2.NewDir("x")
	if err := txn2.Replace("vendor/demo", p); err != nil {
		t.Fatal(err)
	}
	if err := txn2.Replace("vendor/other", p); err == nil {
		t.Error("one staged path for two dests was accepted")
	}
}

// TestCommitRefusesMissingStaged: a staged path removed before Commit
// fails the commit with its name, before the journal: the tree is
// untouched and nothing is pending. (It used to be taken for a swap
// already done, and the dest silently kept its old content while the lock
// was replaced.)
func TestCommitRefusesMissingStaged(t *testing.T) {
	root := oldState(t)
	w := openWS(t, root)
	txn := begin(t, w)
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
	if err := os.RemoveAll(staged); err != nil {
		t.Fatal(err)
	}
	err = txn.Commit()
	if err == nil || !strings.Contains(err.Error(), "vendor/demo") || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("Commit = %v, want an error naming vendor/demo's missing content", err)
	}
	if got := read(t, filepath.Join(root, "vendor/demo/lib.rs")); got != "old" {
		t.Errorf("lib.rs = %q, want old", got)
	}
	if got := read(t, filepath.Join(root, "rvendor.lock")); got != "lock old" {
		t.Errorf("lock = %q, want the old one", got)
	}
	if got := read(t, filepath.Join(root, "vendor/gone/x.rs")); got != "gone" {
		t.Errorf("vendor/gone was removed: %q", got)
	}
	if tree.Pending(root) {
		t.Error("a refused commit left a journal")
	}
}

// TestRemoveState: a transaction takes its staged content from a
// caller's state folder and removes that folder in the same commit.
func TestRemoveState(t *testing.T) {
	root := oldState(t)
	w := openWS(t, root)
	conflict, err := w.StatePath("conflict")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(conflict, "tree", "lib.rs"), "resolved")
	write(t, filepath.Join(conflict, "state.json"), "{}")
	txn := begin(t, w)
	if err := txn.Replace("vendor/demo", filepath.Join(conflict, "tree")); err != nil {
		t.Fatal(err)
	}
	if err := txn.RemoveState("conflict"); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(root, "vendor/demo/lib.rs")); got != "resolved" {
		t.Errorf("lib.rs = %q", got)
	}
	if _, err := os.Lstat(conflict); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the state folder is still there: %v", err)
	}
	for _, name := range []string{"", ".", "..", "a/b", "staging", "lock", "journal.json", "id", "spec"} {
		if _, err := w.StatePath(name); err == nil {
			t.Errorf("StatePath(%q) was accepted", name)
		}
		if err := begin(t, w).RemoveState(name); err == nil {
			t.Errorf("RemoveState(%q) was accepted", name)
		}
	}
}
