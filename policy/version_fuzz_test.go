package policy_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rvendor/rvendor/internal/tomltest"
	"github.com/rvendor/rvendor/policy"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// The seeds of FuzzParseToolOutput, in testdata/fuzz, are real outputs:
// rustc --version --verbose of Debian's rustc 1.63 and rustc-web 1.96 and
// of a rustup toolchain, bindgen --version and clang --version of Debian
// 12, and what bindgen prints for the kernel's libclang probe header.

// FuzzParseVersion parses two arbitrary versions. It checks that an
// accepted version reads back from its String, and that Compare is an
// order on releases: reflexive, antisymmetric, and blind to suffixes.
func FuzzParseVersion(f *testing.F) {
	for _, s := range [][2]string{{"1.78.0", "1.80.0-nightly"}, {"1.63.0+dfsg1", "1.63.0"}, {"14.0.0-1ubuntu1.1", "19.0.0git"}, {"0.65.1", "0.60.1"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		va, err := policy.ParseVersion(a)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", a)) {
				t.Errorf("error %q does not quote the version", err)
			}
			return
		}
		if again, err := policy.ParseVersion(va.String()); err != nil || again != va {
			t.Errorf("%q prints as %q, read back as %+v, %v", a, va.String(), again, err)
		}
		if va.Compare(va) != 0 {
			t.Errorf("%q: Compare with itself %d", a, va.Compare(va))
		}
		vb, err := policy.ParseVersion(b)
		if err != nil {
			return
		}
		if va.Compare(vb) != -vb.Compare(va) {
			t.Errorf("Compare(%q, %q) = %d, but the reverse is %d", a, b, va.Compare(vb), vb.Compare(va))
		}
		bare := policy.Version{Major: va.Major, Minor: va.Minor, Patch: va.Patch}
		if bare.Compare(vb) != va.Compare(vb) {
			t.Errorf("the suffix of %q changes its order against %q", a, b)
		}
	})
}

var fzDate = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// FuzzParseToolOutput parses arbitrary tool output as rustc, bindgen,
// clang or libclang's (by which%4). It checks that an accepted version
// reads back from its String and that its suffix was printed; for rustc,
// that Line is the output's first line, the channel is what the suffix
// says and the commit date is a date or empty; for libclang, that the
// output holds "clang version " and the version.
func FuzzParseToolOutput(f *testing.F) {
	f.Add("rustc 1.80.0-nightly (a1b2c3d 2024-05-01)", uint8(0))
	f.Add("bindgen-cli 0.65.1", uint8(1))
	f.Add("clang version 19.0.0git (https://github.com/llvm/llvm-project 4ba6)\n", uint8(2))
	f.Add("/tmp/x.h:2:9: warning: clang version 18.1.8 (Fedora 18.1.8-1.fc40) [-W#pragma-messages], err: false\n", uint8(3))
	f.Fuzz(func(t *testing.T, out string, which uint8) {
		var v policy.Version
		var err error
		switch which % 4 {
		case 0:
			var info policy.RustcInfo
			info, err = policy.ParseRustcVersion(out)
			if err == nil {
				v = info.Version
				checkRustcInfo(t, out, info)
			}
		case 1:
			v, err = policy.ParseBindgenVersion(out)
		case 2:
			v, err = policy.ParseClangVersion(out)
		case 3:
			v, err = policy.ParseLibclangVersion(out)
			if err == nil && !saysClangVersion(out, v) {
				t.Errorf("libclang version %v, but the output says no \"clang version %s\"", v, v.Release())
			}
		}
		if err != nil {
			return
		}
		if again, err := policy.ParseVersion(v.String()); err != nil || again != v {
			t.Errorf("%v read back as %+v, %v", v, again, err)
		}
		if !strings.Contains(out, v.Suffix) {
			t.Errorf("suffix %q is not in %q", v.Suffix, out)
		}
	})
}

var fzClangVersion = regexp.MustCompile(`clang version ([0-9]+)\.([0-9]+)\.([0-9]+)`)

// saysClangVersion reports whether out prints "clang version X.Y.Z" with
// v's numbers. The numbers are compared as numbers, read as the kernel's
// shell arithmetic reads them: "1.00.1" is 1.0.1 and "1.010.1" is 1.8.1.
func saysClangVersion(out string, v policy.Version) bool {
	for _, m := range fzClangVersion.FindAllStringSubmatch(out, -1) {
		n := [3]int{}
		ok := true
		for i := range n {
			base := 10
			if len(m[i+1]) > 1 && m[i+1][0] == '0' {
				base = 8 // as the kernel's shell arithmetic reads it
			}
			x64, err := strconv.ParseInt(m[i+1], base, 32)
			x := int(x64)
			n[i], ok = x, ok && err == nil
		}
		if ok && n == [3]int{v.Major, v.Minor, v.Patch} {
			return true
		}
	}
	return false
}

func checkRustcInfo(t *testing.T, out string, info policy.RustcInfo) {
	t.Helper()
	lines := strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n")
	if info.Line != strings.TrimSpace(lines[0]) || !strings.Contains(info.Line, "rustc ") {
		t.Errorf("Line %q, first line %q", info.Line, lines[0])
	}
	want := policy.ChannelStable
	for _, ch := range []string{policy.ChannelNightly, policy.ChannelBeta, policy.ChannelDev} {
		if strings.HasPrefix(info.Version.Suffix, "-"+ch) {
			want = ch
		}
	}
	if info.Channel != want {
		t.Errorf("channel %q for version %v", info.Channel, info.Version)
	}
	if info.CommitDate != "" && !fzDate.MatchString(info.CommitDate) {
		t.Errorf("commit date %q", info.CommitDate)
	}
}

// FuzzParsePin parses arbitrary toolchain pins and versions. It checks
// that ParsePin accepts exactly the pins the spec's validation accepts
// (a pin that validates but that rvendor toolchain cannot read, or the
// reverse, would be found late); that an exact pin allows its own
// release; and that Allows ignores a version's suffix, as the kernel
// does.
func FuzzParsePin(f *testing.F) {
	for _, s := range [][2]string{{"1.78.0", "1.78.0+dfsg1"}, {">= 1.78.0", "1.80.0-nightly"}, {">= 1.78.0, < 1.90.0", "1.96.0"}, {"~> 0.65.1", "0.65.9"}, {">= 13.0.1", "14.0.6"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pin, version string) {
		p, err := policy.ParsePin(pin)
		if pin != "" && utf8.ValidString(pin) {
			spec := "version = 1\n[toolchain]\nrustc = " + tomlString(pin) + "\n"
			if _, serr := vendorspec.Parse("rvendor.toml", []byte(spec)); (serr == nil) != (err == nil) {
				t.Errorf("pin %q: ParsePin says %v, the spec says %v", pin, err, serr)
			}
		}
		if err != nil {
			return
		}
		if e, ok := p.Exact(); ok && (!p.Allows(e) || p.AllowsBelow(e)) {
			t.Errorf("exact pin %q does not allow its release %v, or is below it", pin, e)
		}
		v, err := policy.ParseVersion(version)
		if err != nil {
			return
		}
		bare := policy.Version{Major: v.Major, Minor: v.Minor, Patch: v.Patch}
		if p.Allows(v) != p.Allows(bare) {
			t.Errorf("pin %q: Allows(%v) = %v, but Allows(%v) = %v", pin, v, p.Allows(v), bare, p.Allows(bare))
		}
	})
}

// tomlString writes s as a TOML basic string; each byte that is not
// UTF-8 becomes U+FFFD, as ranging over s reads it.
func tomlString(s string) string {
	q, _ := tomltest.String(string([]rune(s)))
	return q
}
