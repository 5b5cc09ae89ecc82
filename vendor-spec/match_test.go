package vendorspec

import (
	"encoding/hex"
	"regexp"
	"testing"

	"github.com/rvendor/rvendor/tree"
)

// TestMatchersAgreeWithPatterns: the hand-written checks that replaced
// regexps on verify's path accept exactly what the patterns accept.
func TestMatchersAgreeWithPatterns(t *testing.T) {
	inputs := []string{"", "0", "1.63.0", "01.63.0", "1.063.0", "1.63.00", "1.63", "1.63.0.1", "1..0", "10.200.3000",
		"0.0.0", "1.63.0-beta", "1.63.0+abc", "1.63.0-", "1.63.0+", "1.63.0-a.b+c-d", "1.63.0-a_b", "1.63.0 ", " 1.63.0",
		"a.b.c", "1.2.3-α", "demo", "demo-2", "-demo", "Demo", "d_e", "9", "a-", "rust-src-1",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"}
	for _, tt := range []struct {
		name string
		re   string
		fn   func(string) bool
	}{
		{"validName", `^[a-z0-9][a-z0-9-]*$`, validName},
		{"IsSHA256Hex", `^[0-9a-f]{64}$`, tree.IsSHA256Hex},
		{"isRustRelease", `^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`, isRustRelease},
		{"isSemver", `^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$`, isSemver},
	} {
		re := regexp.MustCompile(tt.re)
		for _, in := range inputs {
			if got, want := tt.fn(in), re.MatchString(in); got != want {
				t.Errorf("%s(%q) = %v, the pattern %s says %v", tt.name, in, got, tt.re, want)
			}
		}
	}
}

// FuzzMatchers holds the same agreement on any input.
func FuzzMatchers(f *testing.F) {
	for _, s := range []string{"1.63.0", "0.1.2-rc.1+b", "demo-1", "ab"} {
		f.Add(s)
	}
	name := regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	release := regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)
	semver := regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$`)
	f.Fuzz(func(t *testing.T, s string) {
		if validName(s) != name.MatchString(s) || isRustRelease(s) != release.MatchString(s) || isSemver(s) != semver.MatchString(s) {
			t.Fatalf("a check and its pattern disagree on %q", s)
		}
	})
}

// TestDecodeHex: the table-driven decoder takes exactly 64 lowercase hex
// digits, as encoding/hex writes them.
func TestDecodeHex(t *testing.T) {
	for c := 0; c < 256; c++ {
		var dst [1]byte
		for _, s := range []string{string([]byte{byte(c), '0'}), string([]byte{'0', byte(c)})} {
			want := c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
			if got := decodeHex(dst[:], s); got != want {
				t.Errorf("decodeHex(%q) = %v, want %v", s, got, want)
			}
		}
	}
	var dst [32]byte
	const h = "00ff10a9b8c7d6e5f4031225364758697a8b9cadbecfd0e1f2030405060708f9"
	if !decodeHex(dst[:], h) || hex.EncodeToString(dst[:]) != h {
		t.Errorf("decodeHex(%s) = %x", h, dst)
	}
	if decodeHex(dst[:], h[:63]) || decodeHex(dst[:], h+"0") {
		t.Error("decodeHex takes a wrong length")
	}
}
