package vendorspec_test

import (
	"errors"
	"strings"
	"testing"

	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

const bom = "\xef\xbb\xbf"

// TestBOMAccepted is issue #10: a UTF-8 byte order mark at the start of
// rvendor.toml, rvendor.lock or rvendor.sum is skipped, and positions
// count from after it, as editors show them.
func TestBOMAccepted(t *testing.T) {
	s, err := vendorspec.Parse("rvendor.toml", []byte(bom+good))
	if err != nil {
		t.Fatalf("spec with a BOM: %v", err)
	}
	if p := s.Components[1].Pos.At("dest"); p.Line != 24 || p.Col != 1 {
		t.Errorf("dest at %v, want 24:1", p)
	}
	_, err = vendorspec.Parse("rvendor.toml", []byte(bom+"version = 1\nfoo = 1\n"))
	if err == nil || !strings.Contains(err.Error(), "rvendor.toml:2:1: unknown key") {
		t.Errorf("error in a spec with a BOM: %v", err)
	}

	data, err := sampleLock().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vendorspec.ParseLock("rvendor.lock", append([]byte(bom), data...)); err != nil {
		t.Errorf("lock with a BOM: %v", err)
	}

	h := strings.Repeat("a", 64)
	sum, err := vendorspec.ParseSum("rvendor.sum", []byte(bom+"demo 0644 3 "+h+" a.rs\n"))
	if err != nil || len(sum.Files["demo"]) != 1 {
		t.Errorf("sum with a BOM: %v, %+v", err, sum)
	}
	sum, err = vendorspec.ParseSum("rvendor.sum", []byte(bom+"# header\r\ndemo 0644 3 "+h+" a.rs\r\n"))
	if err != nil || len(sum.Files["demo"]) != 1 {
		t.Errorf("sum with a BOM and CRLF: %v, %+v", err, sum)
	}
}

// TestLockEmpty is issue #10: an empty or truncated lock says so, and
// what to do, instead of "format version 0".
func TestLockEmpty(t *testing.T) {
	for name, tc := range map[string]struct{ src, msg string }{
		"empty":       {"", "lock file is empty"},
		"blank":       {"\n \r\n\t\n", "lock file is empty"},
		"bom":         {bom, "lock file is empty"},
		"header only": {"# rvendor.lock: what rvendor vendored\n", "lock file has no version"},
		"no version":  {"[[component]]\nname = \"a\"\ndest = \"d\"\n", "lock file has no version"},
	} {
		_, err := vendorspec.ParseLock("rvendor.lock", []byte(tc.src))
		var e *vendorspec.Error
		if !errors.As(err, &e) {
			t.Errorf("%s: got %v, want a *vendorspec.Error", name, err)
			continue
		}
		if !strings.HasPrefix(e.Msg, tc.msg) || strings.Contains(e.Msg, "version 0") {
			t.Errorf("%s: message %q, want %q", name, e.Msg, tc.msg)
		}
		if e.Pos.String() != "rvendor.lock:1:1" || e.Hint != "restore rvendor.lock from version control or run rvendor update" {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A version written as 0 is a version the reader does not read.
	_, err := vendorspec.ParseLock("rvendor.lock", []byte("# x\nversion = 0\n"))
	if err == nil || !strings.Contains(err.Error(), "rvendor.lock:2:1: lock format version 0 is not supported") {
		t.Errorf("version = 0: %v", err)
	}
}
