package verify_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/policy/license"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
	"github.com/rvendor/rvendor/verify"
)

// stampedEnv vendors component "lib" with src/a.rs stamped and
// README.md generated, recording lock and sum as update does.
func stampedEnv(t *testing.T) (*env, *vendorspec.Component) {
	t.Helper()
	e := newEnv(t)
	c := e.spec.Components[0]
	c.SPDXHeader, c.Readme = "Apache-2.0 OR MIT", true
	pristine := "fn a() {}\n"
	stamped, changed, err := license.Stamp("a.rs", []byte(pristine), c.SPDXHeader)
	if err != nil || !changed {
		t.Fatal(err)
	}
	write(t, e.path("vendor/lib/src/a.rs"), string(stamped))
	write(t, e.path("vendor/lib/README.md"), "# lib\n")
	lockComponent(t, e, c)
	lc := e.lock.Component(c.Name)
	files := e.sum.Files[c.Name]
	var up []tree.File
	for _, f := range files {
		switch f.Path {
		case "README.md":
			continue
		case "src/a.rs":
			f.SHA256, f.Size = sha256.Sum256([]byte(pristine)), int64(len(pristine))
		}
		up = append(up, f)
	}
	e.sum.SetComponent(c.Name, files, up)
	lc.Upstream, err = tree.H1(up)
	must(t, err)
	lc.Stamped, lc.Generated = []string{"src/a.rs"}, []string{"README.md"}
	lc.Sum = e.sum.ComponentHash(c.Name)
	return e, c
}

func verifyEnv(e *env) (*verify.Report, error) {
	return verify.Verify(context.Background(), e.opts())
}

// TestVerifyTransformed: stamped and generated files are not drift; a
// lock that lists an edited file as stamped, or an added one as
// generated without readme, is refused as a security error.
func TestVerifyTransformed(t *testing.T) {
	e, c := stampedEnv(t)
	rep, err := verifyEnv(e)
	if err != nil || rep.Components[0].Status != verify.StatusClean || rep.Components[0].Stamped != 1 {
		t.Fatalf("clean stamped tree: %v %+v", err, rep)
	}

	// The stamped file edited, with lock and sum rewritten to match: the
	// lock's stamped list must not pass the edit off.
	edited := "// SPDX-License-Identifier: Apache-2.0 OR MIT\nfn a() { evil() }\n"
	write(t, e.path("vendor/lib/src/a.rs"), edited)
	files := e.sum.Files[c.Name]
	for i := range files {
		if files[i].Path == "src/a.rs" {
			files[i].SHA256, files[i].Size = sha256.Sum256([]byte(edited)), int64(len(edited))
		}
	}
	lc := e.lock.Component(c.Name)
	lc.Tree, _ = tree.H1(files)
	lc.Bytes += int64(len(edited)) - int64(len("// SPDX-License-Identifier: Apache-2.0 OR MIT\nfn a() {}\n"))
	lc.Sum = e.sum.ComponentHash(c.Name)
	_, err = verifyEnv(e)
	var sm *verify.SumMismatchError
	if !errors.As(err, &sm) || !strings.Contains(err.Error(), "not its upstream file plus that tag") {
		t.Errorf("an edited stamped file: %v", err)
	}

	// A generated file listed as stamped, or stamped with no header.
	e, c = stampedEnv(t)
	lc = e.lock.Component(c.Name)
	lc.Stamped = append(lc.Stamped, "README.md")
	lc.Sum = e.sum.ComponentHash(c.Name)
	if _, err := verifyEnv(e); !errors.As(err, &sm) {
		t.Errorf("README.md listed as stamped: %v", err)
	}
	for _, extra := range []string{"stamped = [\"a.rs\"]\n", "generated = [\"src/evil.rs\"]\n", "readme = true\n"} {
		lock := "version = 1\n[[component]]\nname = \"x\"\nkind = \"archive\"\nversion = \"1\"\ndest = \"d\"\nupstream = \"h1:x\"\ntree = \"h1:x\"\nfiles = 0\nbytes = 0\n" + extra
		if _, err := vendorspec.ParseLock(filepath.Join(t.TempDir(), "rvendor.lock"), []byte(lock)); err == nil {
			t.Errorf("a lock with %q and no matching spdx-header or readme is accepted", strings.TrimSpace(extra))
		}
	}
	_ = os.Remove
}
