package tree_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/tree"
	"golang.org/x/sys/unix"
)

// outsideState makes a folder outside the tree that looks like a state
// folder, with content that must survive whatever rvendor does.
func outsideState(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	write(t, filepath.Join(out, "staging", "0123456789ab", "precious"), "keep me")
	write(t, filepath.Join(out, "precious"), "keep me")
	return out
}

func survived(t *testing.T, out string) {
	t.Helper()
	for _, p := range []string{"staging/0123456789ab/precious", "precious"} {
		if got := read(t, filepath.Join(out, p)); got != "keep me" {
			t.Errorf("outside the tree, %s = %q", p, got)
		}
	}
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if e.Name() != "staging" && e.Name() != "precious" {
			t.Errorf("something was made outside the tree: %s", e.Name())
		}
	}
}

// refusedState checks that Open and RollBack refuse the tree with a
// message naming the part of .rvendor and what to do.
func refusedState(t *testing.T, root, name, want string) {
	t.Helper()
	w, err := tree.Open(root)
	if err == nil {
		w.Close()
	}
	if !errors.Is(err, tree.ErrUnsafePath) || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), want) ||
		!strings.Contains(err.Error(), "rm "+filepath.Join(root, filepath.FromSlash(name))) {
		t.Errorf("Open = %v, want a refusal naming %s, saying %q and to remove it", err, name, want)
	}
	if err := tree.RollBack(root); !errors.Is(err, tree.ErrUnsafePath) {
		t.Errorf("RollBack = %v, want a refusal", err)
	}
}

// TestStateDirMustBeReal: a .rvendor that came with the tree as a link to
// a folder outside it, or as a file, is refused by Open and RollBack,
// never followed: nothing is made or deleted out there. (Open used to
// take the lock, make its id and clean "staging" through the link.)
func TestStateDirMustBeReal(t *testing.T) {
	t.Run("link", func(t *testing.T) {
		root, out := oldState(t), outsideState(t)
		if err := os.Symlink(out, filepath.Join(root, tree.StateDir)); err != nil {
			t.Fatal(err)
		}
		refusedState(t, root, ".rvendor", "symbolic link (to "+out+")")
		survived(t, out)
	})
	t.Run("file", func(t *testing.T) {
		root := oldState(t)
		write(t, filepath.Join(root, tree.StateDir), "not a folder")
		refusedState(t, root, ".rvendor", "not a folder")
	})
}

// TestStateEntriesMustNotBeLinks: .rvendor/staging, .rvendor/lock,
// .rvendor/id and .rvendor/journal.json that are links are refused, never
// followed. (A staging link used to have everything below its target
// deleted; a lock link made its target.)
func TestStateEntriesMustNotBeLinks(t *testing.T) {
	for _, tc := range []struct{ name, target, want string }{
		{"staging", "staging", "symbolic link"},
		{"lock", "made-by-lock", "symbolic link"},
		{"id", "precious", "symbolic link"},
		{"journal.json", "precious", "symbolic link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, out := oldState(t), outsideState(t)
			if err := os.MkdirAll(filepath.Join(root, tree.StateDir), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(out, tc.target), filepath.Join(root, tree.StateDir, tc.name)); err != nil {
				t.Fatal(err)
			}
			refusedState(t, root, ".rvendor/"+tc.name, tc.want)
			survived(t, out)
		})
	}
	t.Run("staging file", func(t *testing.T) {
		root := oldState(t)
		write(t, filepath.Join(root, tree.StateDir, "staging"), "not a folder")
		refusedState(t, root, ".rvendor/staging", "not a folder")
	})
	t.Run("lock fifo", func(t *testing.T) {
		root := oldState(t)
		if err := os.MkdirAll(filepath.Join(root, tree.StateDir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := unix.Mkfifo(filepath.Join(root, tree.StateDir, "lock"), 0o644); err != nil {
			t.Skip(err)
		}
		refusedState(t, root, ".rvendor/lock", "not a regular file")
	})
}

// TestRecoverDoesNotFollowLinks: links left in the staging folder (one
// per entry, and one inside a transaction's folder) are removed
// themselves; what they point to outside the tree stays.
func TestRecoverDoesNotFollowLinks(t *testing.T) {
	root, out := oldState(t), outsideState(t)
	staging := filepath.Join(root, tree.StateDir, "staging")
	write(t, filepath.Join(staging, "0123456789ab", "new", "0", "x"), "staged")
	for link, target := range map[string]string{
		"ba9876543210":                      out,
		"0123456789ab/new/0/out":            out,
		"0123456789ab/new/0/precious":       filepath.Join(out, "precious"),
		"0123456789ab/old":                  filepath.Join(out, "staging"),
		"0123456789ab/new/0/dangling-link0": filepath.Join(out, "nothing"),
	} {
		if err := os.Symlink(target, filepath.Join(staging, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	w, err := tree.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	survived(t, out)
	if ents, _ := os.ReadDir(staging); len(ents) != 0 {
		t.Errorf("staging not cleaned: %v", ents)
	}
}

// TestSecondSpecRefused: the first spec opened in a folder owns its state
// folder (.rvendor/spec); a second spec in the same folder is refused by
// OpenSpec, Open (the default spec) and RollBackSpec, with a message
// naming both and what to do. (The two used to share one lock, journal
// and staging folder silently.)
func TestSecondSpecRefused(t *testing.T) {
	root := oldState(t)
	w, err := tree.OpenSpec(root, "kernel.toml")
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if got := read(t, filepath.Join(root, tree.StateDir, "spec")); got != "kernel.toml\n" {
		t.Errorf(".rvendor/spec = %q", got)
	}
	for _, open := range []func() error{
		func() error {
			w, err := tree.OpenSpec(root, "other.toml")
			if err == nil {
				w.Close()
			}
			return err
		},
		func() error {
			w, err := tree.Open(root)
			if err == nil {
				w.Close()
			}
			return err
		},
		func() error { return tree.RollBackSpec(root, "other.toml") },
	} {
		err := open()
		if !errors.Is(err, tree.ErrOtherSpec) || !strings.Contains(err.Error(), "kernel.toml") || !strings.Contains(err.Error(), "a folder of its own") {
			t.Errorf("got %v, want ErrOtherSpec naming kernel.toml and what to do", err)
		}
	}
	w, err = tree.OpenSpec(root, "kernel.toml")
	if err != nil {
		t.Fatalf("the owning spec: %v", err)
	}
	w.Close()
	for _, bad := range []string{"", ".", "..", "sub/rvendor.toml", "/abs.toml"} {
		if w, err := tree.OpenSpec(root, bad); err == nil {
			w.Close()
			t.Errorf("OpenSpec(%q) was accepted", bad)
		}
	}
}

// TestSpecClaimedByFirstOpen: a state folder made before specs were
// recorded is claimed by the first OpenSpec; Open claims it for the
// default spec name; a link as .rvendor/spec is refused.
func TestSpecClaimedByFirstOpen(t *testing.T) {
	root := oldState(t)
	if err := os.MkdirAll(filepath.Join(root, tree.StateDir, "staging"), 0o755); err != nil {
		t.Fatal(err)
	}
	w := openWS(t, root)
	w.Close()
	if got := read(t, filepath.Join(root, tree.StateDir, "spec")); got != tree.DefaultSpec+"\n" {
		t.Errorf(".rvendor/spec = %q, want the default spec", got)
	}

	root, out := oldState(t), outsideState(t)
	if err := os.MkdirAll(filepath.Join(root, tree.StateDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(out, "precious"), filepath.Join(root, tree.StateDir, "spec")); err != nil {
		t.Fatal(err)
	}
	if w, err := tree.Open(root); !errors.Is(err, tree.ErrUnsafePath) {
		if err == nil {
			w.Close()
		}
		t.Errorf("Open with .rvendor/spec a link = %v, want a refusal", err)
	}
	survived(t, out)
}
