package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/tree"
)

const tagMIT = "// SPDX-License-Identifier: MIT\n"

func stampedComp(version string, files map[string]string) comp {
	return comp{name: "demo", version: version, dest: "third_party/demo", patches: "patches/demo", files: files,
		extra: "spdx-header = \"MIT\"\nreadme = true\n"}
}

// TestTransformsThroughTheQueue: SPDX headers go on before the queue and
// the README after it, through update, patch record, an update whose
// queue carries by a three-way merge against the stamped old version,
// a conflict whose --continue refuses an edit to a stamped file no patch
// holds, and patch drop; verify is clean at every step.
func TestTransformsThroughTheQueue(t *testing.T) {
	f := newFixture(t)
	v1 := map[string]string{"src/a.rs": "fn a() {\n    1\n}\n", "src/b.rs": "fn b() {}\n", "data.bin": "\x00\x01"}
	f.spec(stampedComp("1.0.0", v1))
	f.mustUpdate(UpdateOptions{})
	f.verifyClean()
	if got := f.read("third_party/demo/src/a.rs"); got != tagMIT+v1["src/a.rs"] {
		t.Fatalf("a.rs not stamped: %q", got)
	}
	if got := f.read("third_party/demo/data.bin"); got != v1["data.bin"] {
		t.Fatalf("a file of unknown type was stamped: %q", got)
	}
	if !strings.Contains(f.read("third_party/demo/README.md"), "None: the files are as upstream has them, apart from the SPDX headers.") {
		t.Fatalf("README: %s", f.read("third_party/demo/README.md"))
	}

	// A maintainer edit on a stamped file: the patch holds the edit only.
	f.write("third_party/demo/src/a.rs", tagMIT+"fn a() {\n    2\n}\n")
	if _, err := f.record("demo", "a returns 2"); err != nil {
		t.Fatal(err)
	}
	f.verifyClean()
	pf, _ := filepath.Glob(filepath.Join(f.root, "patches/demo/*.patch"))
	if len(pf) != 1 {
		t.Fatalf("patches %v", pf)
	}
	if data, _ := os.ReadFile(pf[0]); strings.Contains(string(data), "+"+tagMIT) || !strings.Contains(string(data), "+    2") {
		t.Errorf("the patch:\n%s", data)
	}
	if !strings.Contains(f.read("third_party/demo/README.md"), "`0001-a-returns-2.patch`: a returns 2") {
		t.Errorf("README does not list the patch:\n%s", f.read("third_party/demo/README.md"))
	}

	// Upstream 2.0.0 changes b.rs: the queue applies to the stamped new
	// version exactly.
	v2 := map[string]string{"src/a.rs": v1["src/a.rs"], "src/b.rs": "fn b() { 2 }\n", "data.bin": "\x00\x01"}
	f.spec(stampedComp("2.0.0", v2))
	f.mustUpdate(UpdateOptions{})
	f.verifyClean()
	if got := f.read("third_party/demo/src/a.rs"); got != tagMIT+"fn a() {\n    2\n}\n" {
		t.Errorf("a.rs after the carry: %q", got)
	}

	// Upstream 3.0.0 conflicts with the patch: resolving it and also
	// editing the stamped b.rs, which no patch holds, is refused.
	v3 := map[string]string{"src/a.rs": "fn a() {\n    3\n}\n", "src/b.rs": v2["src/b.rs"], "data.bin": "\x00\x01"}
	f.spec(stampedComp("3.0.0", v3))
	if _, err := f.update(UpdateOptions{}); err == nil {
		t.Fatal("no conflict")
	}
	f.write(ConflictDir+"/tree/src/a.rs", tagMIT+"fn a() {\n    23\n}\n")
	f.write(ConflictDir+"/tree/src/b.rs", tagMIT+"fn b() { evil() }\n")
	before := f.snapshot()
	if _, err := f.continueUpdate(); err == nil || !strings.Contains(err.Error(), "src/b.rs") {
		t.Fatalf("continue with an edit to a stamped file: %v", err)
	}
	sameTree(t, before, f.snapshot())
	f.write(ConflictDir+"/tree/src/b.rs", tagMIT+v3["src/b.rs"])
	if _, err := f.continueUpdate(); err != nil {
		t.Fatal(err)
	}
	f.verifyClean()

	// Dropping the patch rebuilds dest from the stamped upstream.
	err := f.with(func(e *Engine, ws *tree.Workspace) error {
		_, err := e.Drop(context.Background(), ws, "demo", "1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.verifyClean()
	if got := f.read("third_party/demo/src/a.rs"); got != tagMIT+v3["src/a.rs"] {
		t.Errorf("a.rs after drop: %q", got)
	}
	if strings.Contains(f.read("third_party/demo/README.md"), "a returns 2") {
		t.Errorf("README still lists the dropped patch")
	}
}
