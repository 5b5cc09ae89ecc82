package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/fetch/crates"
	"github.com/rvendor/rvendor/tree"
)

// TestCheckPinned: a crate served with a checksum other than the one
// rvendor.lock records for its name and version is a security error; new
// crates and versions pass.
func TestCheckPinned(t *testing.T) {
	pinned := map[string]string{"a@1.0.0": "aa", "b@2.0.0": "bb"}
	if err := checkPinned(pinned, []crates.Crate{{Name: "a", Version: "1.0.0", Checksum: "aa"}, {Name: "b", Version: "2.0.1", Checksum: "cc"}, {Name: "n", Version: "1.0.0", Checksum: "dd"}}); err != nil {
		t.Errorf("unchanged, new version and new crate: %v", err)
	}
	err := checkPinned(pinned, []crates.Crate{{Name: "a", Version: "1.0.0", Checksum: "zz"}})
	if err == nil || !strings.Contains(err.Error(), "security error: crate a 1.0.0 has checksum zz, rvendor.lock records aa") {
		t.Errorf("changed checksum: %v", err)
	}
}

// TestBundleNeedsAnOutsidePin: updating a crate component from a bundle
// or mirror, with no lockfile in the tree and no checksum in rvendor.lock
// for its root crate, is refused before anything is read: nothing
// outside the bundle would vouch for the closure.
func TestBundleNeedsAnOutsidePin(t *testing.T) {
	f := newFixture(t)
	f.write("rvendor.toml", "version = 1\n\n[[component]]\nname = \"evil\"\nkind = \"crate\"\nversion = \"1.0.0\"\ndest = \"third_party/evil\"\n")
	before := f.snapshot()
	err := f.with(func(e *Engine, ws *tree.Workspace) error {
		e.Mirror = t.TempDir()
		_, err := e.Update(context.Background(), ws, UpdateOptions{})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "nothing outside it vouches for the closure") || !strings.Contains(hintOf(err), "lockfile") {
		t.Fatalf("update from a bundle with nothing pinned: %v", err)
	}
	sameTree(t, before, f.snapshot())
}

func hintOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hint()
	}
	return ""
}
