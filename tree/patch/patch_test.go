package patch_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/tree/patch"
)

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, s := range files {
		if err := patch.Write(root, p, &patch.Content{Data: []byte(s), Mode: 0o644}); err != nil {
			t.Fatal(err)
		}
	}
}

func c(s string) *patch.Content { return &patch.Content{Data: []byte(s), Mode: 0o644} }

const lib = "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\n"

// TestFormatAppliesWithGit: a recorded patch (modify, add, delete, no
// final newline) applies with git apply --check and with ApplyDir, and
// Format is deterministic.
func TestFormatAppliesWithGit(t *testing.T) {
	changes := []patch.Change{
		{Path: "src/lib.rs", Old: c(lib), New: c(strings.Replace(lib, "line 5\n", "line five\nextra\n", 1))},
		{Path: "README", Old: nil, New: c("kernel notes")},
		{Path: "src/gone.rs", Old: c("bye\n"), New: nil},
	}
	h := patch.Header{Author: "A U Thor <a@example.org>", Subject: "kernel: add things"}
	data, stats, err := patch.Format(h, changes)
	if err != nil {
		t.Fatal(err)
	}
	again, _, _ := patch.Format(h, changes)
	if string(again) != string(data) {
		t.Error("Format is not deterministic")
	}
	if len(stats) != 3 {
		t.Errorf("stats = %+v", stats)
	}
	dir := t.TempDir()
	write(t, dir, map[string]string{"src/lib.rs": lib, "src/gone.rs": "bye\n"})
	p, err := patch.Parse("0001-kernel-add-things.patch", data)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "kernel: add things" || strings.Join(p.Paths(), ",") != "README,src/gone.rs,src/lib.rs" {
		t.Errorf("parsed %q %v", p.Title, p.Paths())
	}
	if git, err := exec.LookPath("git"); err == nil {
		pf := filepath.Join(t.TempDir(), "x.patch")
		os.WriteFile(pf, data, 0o644)
		cmd := exec.Command(git, "apply", "--check", pf)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git apply --check: %v\n%s\n%s", err, out, data)
		}
	}
	if err := patch.ApplyDir(p, dir); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]*patch.Content{"src/lib.rs": changes[0].New, "README": changes[1].New, "src/gone.rs": nil} {
		got, _ := patch.Read(dir, path)
		if (got == nil) != (want == nil) || got != nil && string(got.Data) != string(want.Data) {
			t.Errorf("%s after apply: %v", path, got)
		}
	}
}

func TestMerge3(t *testing.T) {
	base := lib
	ours := strings.Replace(base, "line 1\n", "line one\n", 1)
	theirs := strings.Replace(base, "line 9\n", "line nine\n", 1)
	got, n := patch.Merge3([]byte(base), []byte(ours), []byte(theirs), patch.Labels{"new", "old", "patch"})
	want := strings.Replace(ours, "line 9\n", "line nine\n", 1)
	if n != 0 || string(got) != want {
		t.Errorf("clean merge: %d conflicts\n%s", n, got)
	}
	theirs2 := strings.Replace(base, "line 1\n", "line uno\n", 1)
	got, n = patch.Merge3([]byte(base), []byte(ours), []byte(theirs2), patch.Labels{"new", "old", "patch"})
	if n != 1 || !patch.HasMarkers(got) || !strings.Contains(string(got), "<<<<<<< new\nline one\n||||||| old\nline 1\n=======\nline uno\n>>>>>>> patch\nline 2\n") {
		t.Errorf("conflict: %d\n%s", n, got)
	}
}

// TestMerge3ManyUpstreamChanges: upstream changed hundreds of lines all
// over a file and the patch one line in a region upstream left alone
// (but moved): the merge is clean. (A diff that gives up after ~100
// differences and returns one edit spanning the file made this one
// whole-file conflict; seen carrying a patch of core/src/mem/mod.rs from
// Rust 1.63 to 1.96.)
func TestMerge3ManyUpstreamChanges(t *testing.T) {
	var base, ours strings.Builder
	for i := 0; i < 2000; i++ {
		line := fmt.Sprintf("fn item_%d() {}\n", i)
		base.WriteString(line)
		switch {
		case i >= 1000 && i < 1050: // the patch's region: untouched, moved
			ours.WriteString(line)
		case i%7 == 0:
			ours.WriteString(fmt.Sprintf("fn item_%d() { changed() }\n", i))
		case i%11 == 0:
			ours.WriteString(line + "// new upstream line\n")
		case i%13 == 0: // deleted upstream
		default:
			ours.WriteString(line)
		}
		if i == 10 {
			ours.WriteString(strings.Repeat("// inserted upstream\n", 40))
		}
	}
	theirs := strings.Replace(base.String(), "fn item_1025() {}\n", "fn item_1025() {}\n// kernel note\n", 1)
	got, n := patch.Merge3([]byte(base.String()), []byte(ours.String()), []byte(theirs), patch.Labels{"new", "old", "patch"})
	want := strings.Replace(ours.String(), "fn item_1025() {}\n", "fn item_1025() {}\n// kernel note\n", 1)
	if n != 0 || string(got) != want {
		t.Errorf("merge: %d conflicts; result %d bytes, want %d", n, len(got), len(want))
	}
}

// TestCarry: a patch recorded on v1 lands on a v2 where lines moved (by
// merge), and becomes empty when v2 has the change.
func TestCarry(t *testing.T) {
	v1 := lib
	edited := strings.Replace(v1, "line 8\n", "line 8 kernel\n", 1)
	data, _, err := patch.Format(patch.Header{Subject: "k"}, []patch.Change{{Path: "a.rs", Old: c(v1), New: c(edited)}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := patch.Parse("0001-k.patch", data)
	if err != nil {
		t.Fatal(err)
	}
	base := func(string) (*patch.Content, error) { return c(v1), nil }
	work := t.TempDir()
	v2 := "new top\nnew top 2\n" + v1
	write(t, work, map[string]string{"a.rs": v2})
	r, err := patch.Carry(p, work, base, patch.Labels{})
	if err != nil || r.Status != patch.Merged {
		t.Fatalf("carry: %v %+v", err, r)
	}
	got, _ := patch.Read(work, "a.rs")
	if string(got.Data) != "new top\nnew top 2\n"+edited {
		t.Errorf("carried:\n%s", got.Data)
	}
	write(t, work, map[string]string{"a.rs": edited})
	r, err = patch.Carry(p, work, base, patch.Labels{})
	if err != nil || r.Status != patch.BecameNil {
		t.Fatalf("carry onto a version with the change: %v %+v", err, r)
	}
}
