package vendorspec_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

func sampleSum() *vendorspec.Sum {
	f := func(p string, mode fs.FileMode, size int64, b byte) tree.File {
		tf := tree.File{Path: p, Mode: mode, Size: size}
		tf.SHA256[0] = b
		return tf
	}
	up := f("src/lib.rs", 0o644, 9, 3)
	return &vendorspec.Sum{
		Files: map[string][]tree.File{
			"demo":      {f("src/lib.rs", 0o644, 10, 1), f("build.sh", 0o755, 2, 2), f("src/new.rs", 0o644, 1, 4)},
			"demo-tool": {f("a", 0o644, 1, 5)},
		},
		Pristine: map[string]map[string]*tree.File{
			"demo": {"src/lib.rs": &up, "src/new.rs": nil},
		},
	}
}

// grepHash is the documented pipeline, in Go: the sha256 of the lines of
// the sum file that start with "name ", base64.
func grepHash(sumFile []byte, name string) string {
	h := sha256.New()
	for line := range bytes.Lines(sumFile) {
		if bytes.HasPrefix(line, []byte(name+" ")) {
			h.Write(line)
		}
	}
	return "s1:" + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// TestComponentHashIsThePipeline: ComponentHash hashes exactly the
// component's lines as Marshal writes them, file lines and pristine
// lines, and no other component's (demo is a prefix of demo-tool).
func TestComponentHashIsThePipeline(t *testing.T) {
	s := sampleSum()
	data := s.Marshal()
	for _, name := range []string{"demo", "demo-tool", "absent"} {
		if got, want := s.ComponentHash(name), grepHash(data, name); got != want {
			t.Errorf("ComponentHash(%s) = %s, the pipeline gives %s", name, got, want)
		}
	}
	back, err := vendorspec.ParseSum("rvendor.sum", data)
	if err != nil {
		t.Fatal(err)
	}
	if back.ComponentHash("demo") != s.ComponentHash("demo") {
		t.Error("the hash changes when the sum is read back")
	}
	// Unsorted files in memory hash as Marshal sorts them.
	s.Files["demo"][0], s.Files["demo"][2] = s.Files["demo"][2], s.Files["demo"][0]
	if s.ComponentHash("demo") != back.ComponentHash("demo") {
		t.Error("the order of Files changes the hash")
	}
}

// TestComponentHashCoversMode is issue #10 item 5: flipping a file to
// 0755 in the sum leaves the tree hash (h1:) as it was, and changes the
// sum hash.
func TestComponentHashCoversMode(t *testing.T) {
	s := sampleSum()
	h1, _ := tree.H1(s.Files["demo"])
	sum := s.ComponentHash("demo")
	s.Files["demo"][0].Mode = 0o755
	h1b, _ := tree.H1(s.Files["demo"])
	if h1 != h1b {
		t.Fatal("h1 covers the mode: the test's premise is wrong")
	}
	if s.ComponentHash("demo") == sum {
		t.Error("a mode change does not change the sum hash")
	}
	s = sampleSum()
	s.Pristine["demo"]["src/lib.rs"].Size = 8
	if s.ComponentHash("demo") == sum {
		t.Error("a pristine line's change does not change the sum hash")
	}
	if sampleSum().ComponentHash("demo-tool") != s.ComponentHash("demo-tool") {
		t.Error("another component's change changes the sum hash")
	}
}

// TestSealSumAndCheck: SealSum then CheckSumHash is nil; a changed mode
// is a security error naming the component; a lock without sum fields
// parses and is reported as not sealed.
func TestSealSumAndCheck(t *testing.T) {
	s := sampleSum()
	l := &vendorspec.Lock{Components: []*vendorspec.LockedComponent{
		{Name: "demo-tool", Kind: "archive", Version: "1", Dest: "t", Upstream: "h1:x", Tree: "h1:x"},
		{Name: "demo", Kind: "archive", Version: "1", Dest: "d", Upstream: "h1:y", Tree: "h1:y"},
	}}
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	unsealed, err := vendorspec.ParseLock("rvendor.lock", data)
	if err != nil {
		t.Fatalf("a lock without sum fields: %v", err)
	}
	err = vendorspec.CheckSumHash(unsealed, s)
	if !errors.Is(err, vendorspec.ErrSumNotSealed) || errors.Is(err, vendorspec.ErrSumMismatch) {
		t.Errorf("unsealed lock: %v, want ErrSumNotSealed only", err)
	}

	l.SealSum(s)
	if data, err = l.Marshal(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("sum = '"+s.ComponentHash("demo")+"'\n")) {
		t.Errorf("the lock does not record the sum hash:\n%s", data)
	}
	sealed, err := vendorspec.ParseLock("rvendor.lock", data)
	if err != nil {
		t.Fatal(err)
	}
	if err := vendorspec.CheckSumHash(sealed, s); err != nil {
		t.Errorf("sealed lock: %v", err)
	}
	s.Files["demo"][1].Mode = 0o644 // build.sh loses its execute bit in the sum
	err = vendorspec.CheckSumHash(sealed, s)
	var he *vendorspec.SumHashError
	if !errors.As(err, &he) || he.Component != "demo" || !errors.Is(err, vendorspec.ErrSumMismatch) {
		t.Fatalf("mode flipped: %v, want a *SumHashError for demo wrapping ErrSumMismatch", err)
	}
	if !strings.HasPrefix(err.Error(), "security error: ") || !strings.Contains(err.Error(), "component demo") {
		t.Errorf("message %q", err)
	}
}

// TestSumMarshalModes: the sum's mode column is fmt's %04o, as it was
// before Marshal and ComponentHash shared one line writer.
func TestSumMarshalModes(t *testing.T) {
	for _, m := range []fs.FileMode{0, 0o7, 0o644, 0o755, 0o777, 0o4755} {
		s := &vendorspec.Sum{Files: map[string][]tree.File{"d": {{Path: "a", Mode: m}}}}
		want := fmt.Sprintf("d %04o 0 %s a\n", uint32(m.Perm()), strings.Repeat("0", 64))
		if got := string(s.Marshal()); !strings.HasSuffix(got, want) {
			t.Errorf("mode %o: got %q, want a line %q", m, got, want)
		}
	}
}
