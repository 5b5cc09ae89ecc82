package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCarry: each outcome of carrying a patch queue onto a new version.
// The queue is recorded on 1.0.0 (one patch), then the spec moves to a
// 2.0.0 that makes the patch apply exactly, merge, become empty,
// conflict, or meet a file deleted upstream, or that adds a file.
func TestCarry(t *testing.T) {
	base := "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\n"
	edited := "l1\nl2\nl3\nl4 edited\nl5\nl6\nl7\nl8\nl9\n"
	for _, tc := range []struct {
		name     string
		v2       map[string]string
		said     string // an Info line the carry gives
		conflict bool
		want     string // src/lib.rs afterwards ("" when gone)
		patches  int    // patches in the lock afterwards
	}{
		{name: "exact", v2: map[string]string{"src/lib.rs": base, "src/new.rs": "new\n"},
			said: "applies exactly", want: edited, patches: 1},
		{name: "merged", v2: map[string]string{"src/lib.rs": "l0\n" + base + "l10\n"},
			said: "merged (three-way) and refreshed", want: "l0\n" + edited + "l10\n", patches: 1},
		{name: "empty", v2: map[string]string{"src/lib.rs": edited},
			said: "became empty (upstream 2.0.0 has the change): dropped", want: edited, patches: 0},
		{name: "conflict", v2: map[string]string{"src/lib.rs": "l1\nl2\nl3\nl4 upstream\nl5\nl6\nl7\nl8\nl9\n"}, conflict: true},
		{name: "deleted upstream, changed by the patch", v2: map[string]string{"src/other.rs": "x\n"}, conflict: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.spec(comp{name: "demo", version: "1.0.0", dest: "third_party/demo", patches: "patches/demo",
				files: map[string]string{"src/lib.rs": base}})
			f.mustUpdate(UpdateOptions{})
			f.write("third_party/demo/src/lib.rs", edited)
			if _, err := f.record("demo", "edit l4"); err != nil {
				t.Fatal(err)
			}
			f.verifyClean()
			f.spec(comp{name: "demo", version: "2.0.0", dest: "third_party/demo", patches: "patches/demo", files: tc.v2})
			before := f.snapshot()
			_, err := f.update(UpdateOptions{})
			if tc.conflict {
				var ce *ConflictError
				if !errors.As(err, &ce) || ce.Component != "demo" || ce.Patch != "0001-edit-l4.patch" || len(ce.Conflicts) != 1 || ce.Conflicts[0].Path != "src/lib.rs" {
					t.Fatalf("update: %v, want a conflict of 0001-edit-l4.patch in src/lib.rs", err)
				}
				var ee *Error
				if !errors.As(err, &ee) || ee.Code != Failed || !strings.Contains(ee.Hint(), "--continue") {
					t.Errorf("conflict error class %v, hint %q", ee, ee.Hint())
				}
				sameTree(t, before, f.snapshot())
				if !ConflictPending(f.root) {
					t.Error("no conflict state saved")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !f.said(tc.said) {
				t.Errorf("the update did not say %q: %+v", tc.said, f.events)
			}
			if got := f.read("third_party/demo/src/lib.rs"); got != tc.want {
				t.Errorf("lib.rs = %q, want %q", got, tc.want)
			}
			if n := len(f.engine().Project.Lock.Component("demo").Patches); n != tc.patches {
				t.Errorf("%d patches locked, want %d", n, tc.patches)
			}
			_, err = os.Stat(filepath.Join(f.root, "patches/demo/0001-edit-l4.patch"))
			if (err == nil) != (tc.patches == 1) {
				t.Errorf("patch file present: %v, want %v", err == nil, tc.patches == 1)
			}
			f.verifyClean()
		})
	}
}

// TestCarryAddedFile: a patch that adds a file is carried, and the file
// is recorded as not upstream.
func TestCarryAddedFile(t *testing.T) {
	f := newFixture(t)
	f.spec(comp{name: "demo", version: "1.0.0", dest: "third_party/demo", patches: "patches/demo", files: lib1})
	f.mustUpdate(UpdateOptions{})
	f.write("third_party/demo/src/kernel.rs", "// ours\n")
	if _, err := f.record("demo", "add kernel.rs"); err != nil {
		t.Fatal(err)
	}
	f.spec(comp{name: "demo", version: "2.0.0", dest: "third_party/demo", patches: "patches/demo", files: lib2})
	f.mustUpdate(UpdateOptions{})
	if got := f.read("third_party/demo/src/kernel.rs"); got != "// ours\n" {
		t.Errorf("kernel.rs = %q", got)
	}
	if !strings.Contains(f.read("third_party/demo/src/lib.rs"), "pub fn d()") {
		t.Error("lib.rs is not 2.0.0's")
	}
	if !strings.Contains(f.read("rvendor.sum"), "demo upstream - - - src/kernel.rs") {
		t.Errorf("the sum does not record kernel.rs as not upstream:\n%s", f.read("rvendor.sum"))
	}
	f.verifyClean()
}
