package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
	"github.com/rvendor/rvendor/internal/hostiletree"
	"github.com/rvendor/rvendor/tree"
)

// TestENOSPC (issue #10): an update from 1.0.0 to 2.0.0 runs out of
// space, on the filesystem of the tree or of the download cache, at every
// point where it writes. The tree's filesystem (or the cache's) is a
// small tmpfs filled up to leave 0, 1, 2, ... pages free, then 0, 1, 2,
// ... inodes free, until the update passes. After each failed run the
// tree must be exactly as it was, or hold a decided update that verify
// refuses to judge; the error must say the disk is full; and once space
// is freed, update must finish and verify must pass.
//
// It needs root (to mount a tmpfs) and skips otherwise. Each run out of
// space is one "ENOSPC point"; the test prints them for
// scripts/security-figures.sh.
func TestENOSPC(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	base := t.TempDir()
	mnt := filepath.Join(base, "small")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=4m,nr_inodes=1024,mode=0755"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })

	archives := filepath.Join(base, "archives")
	os.Mkdir(archives, 0o755)
	spec := map[string]string{}
	for _, v := range []string{"1.0.0", "2.0.0"} {
		var entries []archivetest.Entry
		for i := range 12 {
			// 3000 bytes that do not compress much: each file is a page of
			// the tmpfs, and the archive is about as large as the files.
			body := make([]byte, 3000)
			x := uint32(i*7919 + len(v) + int(v[0]))
			for j := range body {
				x = x*1664525 + 1013904223
				body[j] = 'a' + byte(x>>24)%26
			}
			entries = append(entries, archivetest.Entry{Name: fmt.Sprintf("demo/src/f%02d-%s.rs", i, v[:1]), Body: body})
		}
		var buf bytes.Buffer
		if err := archivetest.Build(&buf, fetch.FormatGzip, entries); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(archives, "demo-"+v+".tar.gz")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		spec[v] = fmt.Sprintf("version = 1\n\n[[component]]\nname = \"demo\"\nkind = \"archive\"\nurl = %q\nsha256 = %q\nversion = %q\npaths = [\"demo/src\"]\ndest = \"third_party/demo\"\nlicense = \"MIT\"\n",
			"file://"+p, archivetest.SHA256(buf.Bytes()), v)
	}

	points, places := 0, map[string]bool{}
	for _, where := range []string{"tree", "cache"} {
		t.Run(where, func(t *testing.T) {
			e := &enospc{t: t, mnt: mnt, base: base, where: where, spec: spec}
			e.reference()
			for _, res := range []string{"pages", "inodes"} {
				fails := 0
				for free := 0; ; free++ {
					if free > 400 {
						t.Fatalf("%s: update still fails with %d %s free", where, free, res)
					}
					msg, failed := e.run(res, free)
					if !failed {
						break
					}
					fails++
					places[where+": "+msg] = true
				}
				points += fails
				t.Logf("ENOSPC %s %s: %d runs out of space", where, res, fails)
			}
		})
	}
	var ps []string
	for p := range places {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	t.Logf("ENOSPC points survived: %d (%d distinct errors)\n  %s", points, len(ps), strings.Join(ps, "\n  "))
}

// enospc runs one update per fill level.
type enospc struct {
	t                *testing.T
	mnt, base        string
	where            string // "tree" or "cache": which one is on the tmpfs
	spec             map[string]string
	oldSnap, newSnap map[string]string
}

// paths returns the tree and the cache of a run.
func (e *enospc) paths() (root, cache string) {
	if e.where == "tree" {
		return filepath.Join(e.mnt, "tree"), filepath.Join(e.base, "cache")
	}
	return filepath.Join(e.base, "tree"), filepath.Join(e.mnt, "cache")
}

func (e *enospc) rvendor(root, cache string, args ...string) (int, string) {
	var out bytes.Buffer
	env := map[string]string{"RVENDOR_CACHE": cache, "XDG_CACHE_HOME": cache, "HOME": e.base}
	code := run(append([]string{"-C", root}, args...), strings.NewReader(""), &out, &out, func(k string) string { return env[k] })
	return code, out.String()
}

// setup makes the tree vendored at 1.0.0 with the spec at 2.0.0, and an
// empty cache, on a clean tmpfs.
func (e *enospc) setup() (root, cache string) {
	t := e.t
	root, cache = e.paths()
	for _, d := range []string{filepath.Join(e.mnt, "tree"), filepath.Join(e.mnt, "cache"), filepath.Join(e.mnt, "filler"),
		filepath.Join(e.base, "tree"), filepath.Join(e.base, "cache")} {
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "rvendor.toml"), []byte(e.spec["1.0.0"]), 0o644); err != nil {
		t.Fatal(err)
	}
	// Vendor 1.0.0 with a cache off the tmpfs, so that the 2.0.0 archive
	// is the only download of the measured run.
	if code, out := e.rvendor(root, filepath.Join(e.base, "setup-cache"), "update"); code != 0 {
		t.Fatalf("setup: update 1.0.0: %s", out)
	}
	if err := os.WriteFile(filepath.Join(root, "rvendor.toml"), []byte(e.spec["2.0.0"]), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, cache
}

// reference records the tree before and after an update with space.
func (e *enospc) reference() {
	root, cache := e.setup()
	e.oldSnap = e.snapshot(root)
	if code, out := e.rvendor(root, cache, "update"); code != 0 {
		e.t.Fatalf("reference update: %s", out)
	}
	e.newSnap = e.snapshot(root)
}

func (e *enospc) snapshot(root string) map[string]string {
	s, err := hostiletree.Snapshot(root, ".rvendor")
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// fill leaves free pages (res "pages") or free inodes ("inodes") on the
// tmpfs.
func (e *enospc) fill(res string, free int) {
	t := e.t
	dir := filepath.Join(e.mnt, "filler")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(e.mnt, &st); err != nil {
		t.Fatal(err)
	}
	switch res {
	case "pages":
		n := int64(st.Bavail) - int64(free)
		if n <= 0 {
			return
		}
		f, err := os.Create(filepath.Join(dir, "pages"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := unix.Fallocate(int(f.Fd()), 0, 0, n*int64(st.Bsize)); err != nil {
			t.Fatalf("filling the tmpfs: %v", err)
		}
	case "inodes":
		for i := int64(0); i < int64(st.Ffree)-int64(free); i++ {
			f, err := os.Create(filepath.Join(dir, fmt.Sprint(i)))
			if err != nil {
				t.Fatalf("filling the tmpfs: %v", err)
			}
			f.Close()
		}
	}
}

var tmpNames = regexp.MustCompile(`/[^ :]*|[0-9a-f]{12,}|\d+`)

// run fills the tmpfs, runs the update, checks the tree, frees the space
// and checks that the next update finishes. It returns the error (with
// paths and numbers blanked) and whether the update failed.
func (e *enospc) run(res string, free int) (string, bool) {
	t := e.t
	root, cache := e.setup()
	e.fill(res, free)
	code, out := e.rvendor(root, cache, "update")
	snap := e.snapshot(root)
	state := "mixed"
	switch {
	case sameSnap(snap, e.newSnap) && !tree.Pending(root):
		state = "new"
	case sameSnap(snap, e.oldSnap) && !tree.Pending(root):
		state = "old"
	case tree.Pending(root):
		state = "pending"
	}
	label := fmt.Sprintf("%s, %s free: %d", e.where, res, free)
	if code == 0 && state != "new" {
		t.Fatalf("%s: update passed, but the tree is %s:\n%s", label, state, out)
	}
	if state == "mixed" {
		t.Fatalf("%s: after a failed update the tree is neither old, new nor decided:\n%s", label, out)
	}
	msg := ""
	if code != 0 {
		line := out
		if i := strings.Index(out, "rvendor: error: "); i >= 0 {
			line, _, _ = strings.Cut(out[i:], "\n")
		}
		if !strings.Contains(line, "no space left on device") {
			t.Errorf("%s: the error does not say the disk is full: %s", label, out)
		}
		msg = tmpNames.ReplaceAllString(line, "_")
		if e.where == "cache" && state != "old" {
			t.Errorf("%s: a cache out of space changed the tree (%s)", label, state)
		}
	}
	if err := os.RemoveAll(filepath.Join(e.mnt, "filler")); err != nil {
		t.Fatal(err)
	}
	if code != 0 {
		vcode, vout := e.rvendor(root, cache, "verify")
		if want := map[string]int{"old": 1, "pending": 2}[state]; vcode != want {
			t.Errorf("%s: verify after the failed update (tree %s): exit %d, want %d\n%s", label, state, vcode, want, vout)
		}
		if code, out := e.rvendor(root, cache, "update"); code != 0 || !sameSnap(e.snapshot(root), e.newSnap) {
			t.Fatalf("%s: the update after space was freed: exit %d\n%s", label, code, out)
		}
	}
	if code, out := e.rvendor(root, cache, "verify"); code != 0 {
		t.Errorf("%s: verify after the update: exit %d\n%s", label, code, out)
	}
	if ents, err := os.ReadDir(filepath.Join(root, tree.StateDir, "staging")); err != nil && !errors.Is(err, fs.ErrNotExist) || len(ents) > 0 {
		t.Errorf("%s: staging left behind: %v %v", label, ents, err)
	}
	t.Logf("%s: exit %d, tree %s %s", label, code, state, msg)
	if testing.Verbose() && code != 0 {
		t.Logf("%s", out)
	}
	return msg, code != 0
}

func sameSnap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
