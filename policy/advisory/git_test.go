package advisory_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rvendor/rvendor/policy/advisory"
)

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadGitCommit makes a real git checkout of a one-advisory database
// and checks that Load reads HEAD's commit and committer date from loose
// files, then from packs and packed-refs after git gc, then from a
// detached HEAD; and that an unusable HEAD falls back to SNAPSHOT.txt.
func TestLoadGitCommit(t *testing.T) {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed: the test needs it to make a checkout (Load itself never runs git)")
	}
	root := t.TempDir()
	copyAdvisory(t, root, "crates/alpha/RUSTSEC-2099-0001.md", "RUSTSEC-2099-0001", "alpha")
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(gitBin, append([]string{"-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "gc.auto=0"}, args...)...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GIT_COMMITTER_DATE=2099-03-04T05:06:07Z", "GIT_AUTHOR_DATE=2001-01-01T00:00:00Z", "GIT_CONFIG_NOSYSTEM=1", "HOME="+root)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	git("add", ".")
	git("commit", "-q", "-m", "advisory")
	head := git("rev-parse", "HEAD")
	wantDate := time.Date(2099, 3, 4, 5, 6, 7, 0, time.UTC)
	check := func(stage string) {
		t.Helper()
		db, err := advisory.Load(root)
		if err != nil {
			t.Fatal(err)
		}
		if db.Commit != head || !db.CommitDate.Equal(wantDate) {
			t.Errorf("%s: commit %q of %v, want %s of %v", stage, db.Commit, db.CommitDate, head, wantDate)
		}
		if len(db.Advisories) != 1 || len(db.Errors) != 0 {
			t.Errorf("%s: %d advisories, errors %v", stage, len(db.Advisories), db.Errors)
		}
	}
	check("loose")
	git("gc", "-q", "--prune=now")
	if _, err := os.Stat(filepath.Join(root, ".git/objects", head[:2], head[2:])); err == nil {
		t.Fatal("git gc left the commit loose")
	}
	if _, err := os.Stat(filepath.Join(root, ".git/refs/heads/main")); err == nil {
		t.Fatal("git gc left the ref loose")
	}
	check("packed")
	writeFile(t, filepath.Join(root, ".git/HEAD"), []byte(head+"\n"))
	check("detached")

	writeFile(t, filepath.Join(root, "SNAPSHOT.txt"), []byte("commit 89abcdef0123456789abcdef0123456789abcdef, 2099-05-06\n"))
	// A ref outside .git that holds a commit id must not be read.
	writeFile(t, filepath.Join(root, "outside"), []byte("1111111111111111111111111111111111111111\n"))
	for _, bad := range []string{"ref: refs/../../outside\n", "ref: refs/heads/../../../outside\n", "ref: /etc/passwd\n", "ref: refs/heads/missing\n", "not a commit\n"} {
		writeFile(t, filepath.Join(root, ".git/HEAD"), []byte(bad))
		db, err := advisory.Load(root)
		if err != nil {
			t.Fatal(err)
		}
		if db.Commit != "89abcdef0123456789abcdef0123456789abcdef" || !db.CommitDate.Equal(day("2099-05-06")) {
			t.Errorf("HEAD %q: commit %q of %v, want SNAPSHOT.txt's", bad, db.Commit, db.CommitDate)
		}
	}
}

// fakePack writes a version 2 pack index holding one object, sha, and a
// pack holding it at offset 12 as an object of type typ whose content is
// body; with large, the index gives the offset through its large offset
// table, as for packs over 2 GiB.
func fakePack(t *testing.T, gitDir, sha string, typ byte, body []byte, large bool) {
	t.Helper()
	id, err := hex.DecodeString(sha)
	if err != nil {
		t.Fatal(err)
	}
	var idx bytes.Buffer
	idx.Write([]byte{0xff, 't', 'O', 'c', 0, 0, 0, 2})
	for i := range 256 {
		n := uint32(0)
		if i >= int(id[0]) {
			n = 1
		}
		idx.Write(binary.BigEndian.AppendUint32(nil, n))
	}
	idx.Write(id)
	idx.Write(make([]byte, 4)) // CRC
	if large {
		idx.Write(binary.BigEndian.AppendUint32(nil, 0x80000000))
		idx.Write(binary.BigEndian.AppendUint64(nil, 12))
	} else {
		idx.Write(binary.BigEndian.AppendUint32(nil, 12))
	}
	idx.Write(make([]byte, 40)) // checksums
	var pack bytes.Buffer
	pack.WriteString("PACK\x00\x00\x00\x02\x00\x00\x00\x01")
	size := len(body)
	c := typ<<4 | byte(size&15)
	for size >>= 4; size > 0; size >>= 7 {
		pack.WriteByte(c | 0x80)
		c = byte(size & 0x7f)
	}
	pack.WriteByte(c)
	zw := zlib.NewWriter(&pack)
	zw.Write(body)
	zw.Close()
	writeFile(t, filepath.Join(gitDir, "objects/pack/pack-1.idx"), idx.Bytes())
	writeFile(t, filepath.Join(gitDir, "objects/pack/pack-1.pack"), pack.Bytes())
}

// TestLoadGitPackForms reads a commit through a hand-made pack: by a small
// and a large offset, and a deltified object (which gives no date).
func TestLoadGitPackForms(t *testing.T) {
	const sha = "c0ffee0000000000000000000000000000000001"
	commit := []byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@example.com> 1 +0000\ncommitter C <c@example.com> 4070908800 +0200\n\nmessage\ncommitter X <x@example.com> 1 +0000\n")
	for _, tc := range []struct {
		name  string
		typ   byte
		large bool
		want  time.Time
	}{
		{"small offset", 1, false, time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"large offset", 1, true, time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"delta", 6, false, time.Time{}},
		{"a blob", 3, false, time.Time{}},
	} {
		root := t.TempDir()
		copyAdvisory(t, root, "crates/alpha/RUSTSEC-2099-0001.md", "RUSTSEC-2099-0001", "alpha")
		gitDir := filepath.Join(root, ".git")
		writeFile(t, filepath.Join(gitDir, "HEAD"), []byte("ref: refs/heads/main\n"))
		writeFile(t, filepath.Join(gitDir, "packed-refs"), []byte("# pack-refs with: peeled fully-peeled sorted\n"+sha+" refs/heads/main\n"))
		fakePack(t, gitDir, sha, tc.typ, commit, tc.large)
		db, err := advisory.Load(root)
		if err != nil {
			t.Fatal(err)
		}
		if db.Commit != sha || !db.CommitDate.Equal(tc.want) {
			t.Errorf("%s: commit %q of %v, want %s of %v", tc.name, db.Commit, db.CommitDate, sha, tc.want)
		}
	}
}
