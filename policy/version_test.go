package policy_test

import (
	"testing"

	"github.com/rvendor/rvendor/policy"
)

// TestParseRustcVersion: version strings from every channel and from
// distributions, as rustc --version [--verbose] prints them.
func TestParseRustcVersion(t *testing.T) {
	tests := []struct {
		out                   string
		release, str, channel string
		hash, date, llvm      string
	}{
		{"rustc 1.78.0 (9b00956e5 2024-04-29)", "1.78.0", "1.78.0", "stable", "9b00956e5", "2024-04-29", ""},
		{"rustc 1.79.0-beta.5 (f2b3c4d5e 2024-06-01)", "1.79.0", "1.79.0-beta.5", "beta", "f2b3c4d5e", "2024-06-01", ""},
		{"rustc 1.80.0-nightly (a1b2c3d 2024-05-01)", "1.80.0", "1.80.0-nightly", "nightly", "a1b2c3d", "2024-05-01", ""},
		{"rustc 1.63.0+dfsg1", "1.63.0", "1.63.0+dfsg1", "stable", "", "", ""},
		{"rustc 1.77.0-dev", "1.77.0", "1.77.0-dev", "dev", "", "", ""},
		{"rustc 1.75.0 (82e1608df 2023-12-21) (Fedora 1.75.0-1.fc39)", "1.75.0", "1.75.0", "stable", "82e1608df", "2023-12-21", ""},
		// Debian's rustc 1.63, verbatim.
		{"rustc 1.63.0\nbinary: rustc\ncommit-hash: unknown\ncommit-date: unknown\nhost: x86_64-unknown-linux-gnu\nrelease: 1.63.0\nLLVM version: 14.0.6\n",
			"1.63.0", "1.63.0", "stable", "", "", "14.0.6"},
		// Debian's rustc-web 1.96, verbatim.
		{"rustc 1.96.0 (ac68faa20 2026-05-25) (built from a source tarball)\nbinary: rustc\ncommit-hash: ac68faa20c58cbccd01ee7208bf3b6e93a7d7f96\ncommit-date: 2026-05-25\nhost: x86_64-unknown-linux-gnu\nrelease: 1.96.0\nLLVM version: 22.1.8\n",
			"1.96.0", "1.96.0", "stable", "ac68faa20c58cbccd01ee7208bf3b6e93a7d7f96", "2026-05-25", "22.1.8"},
		{"rustc 1.80.0-nightly (a1b2c3d4e 2024-05-01)\nbinary: rustc\ncommit-hash: a1b2c3d4e5f6\ncommit-date: 2024-05-01\nhost: aarch64-unknown-linux-gnu\nrelease: 1.80.0-nightly\nLLVM version: 18.1.4\n",
			"1.80.0", "1.80.0-nightly", "nightly", "a1b2c3d4e5f6", "2024-05-01", "18.1.4"},
		{"rustc 1.70.0 (90c541806 2023-05-31)\r\nLLVM version: 16.0\r\n", "1.70.0", "1.70.0", "stable", "90c541806", "2023-05-31", "16.0.0"},
	}
	for _, tt := range tests {
		info, err := policy.ParseRustcVersion(tt.out)
		if err != nil {
			t.Errorf("%q: %v", tt.out, err)
			continue
		}
		llvm := ""
		if !info.LLVM.IsZero() {
			llvm = info.LLVM.Release()
		}
		got := [...]string{info.Version.Release(), info.Version.String(), info.Channel, info.CommitHash, info.CommitDate, llvm}
		want := [...]string{tt.release, tt.str, tt.channel, tt.hash, tt.date, tt.llvm}
		if got != want {
			t.Errorf("%q:\n got %q\nwant %q", tt.out, got, want)
		}
	}
	for _, bad := range []string{"", "cargo 1.78.0", "rustc", "rustc version 1", "error: toolchain 'stable' is not installed"} {
		if _, err := policy.ParseRustcVersion(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestParseOtherVersions(t *testing.T) {
	tests := []struct {
		parse func(string) (policy.Version, error)
		out   string
		want  string
	}{
		{policy.ParseBindgenVersion, "bindgen 0.60.1\n", "0.60.1"},
		{policy.ParseBindgenVersion, "bindgen 0.69.4\nClang: clang version 17.0.6\n", "0.69.4"},
		{policy.ParseBindgenVersion, "bindgen 0.65.1-dev", "0.65.1-dev"},
		{policy.ParseClangVersion, "Debian clang version 14.0.6\nTarget: x86_64-pc-linux-gnu\n", "14.0.6"},
		{policy.ParseClangVersion, "Ubuntu clang version 14.0.0-1ubuntu1.1\n", "14.0.0-1ubuntu1.1"},
		{policy.ParseClangVersion, "clang version 18.1.8 (Fedora 18.1.8-1.fc40)\n", "18.1.8"},
		{policy.ParseClangVersion, "Apple clang version 15.0.0 (clang-1500.3.9.4)\n", "15.0.0"},
		{policy.ParseClangVersion, "clang version 19.0.0git (https://github.com/llvm/llvm-project 4ba6)\n", "19.0.0git"},
		{policy.ParseLibclangVersion, "clang diag: /tmp/h.h:1:9: warning: clang version 14.0.6  [-W#pragma-messages]\n", "14.0.6"},
		{policy.ParseLibclangVersion, "/tmp/x.h:2:9: warning: clang version 18.1.8 (Fedora 18.1.8-1.fc40) [-W#pragma-messages], err: false\n", "18.1.8"},
	}
	for _, tt := range tests {
		v, err := tt.parse(tt.out)
		if err != nil || v.String() != tt.want {
			t.Errorf("%q: got %q, %v; want %q", tt.out, v, err, tt.want)
		}
	}
	if _, err := policy.ParseLibclangVersion("error: libclang.so not found"); err == nil {
		t.Error("libclang output without a version parsed")
	}
}

// TestParseLikeTheKernel: versions are read as the kernel's
// scripts/rust_is_available.sh reads them with sed (issue 13): the last
// "NAME X.Y.Z" of the first line (of the first line that has one, for
// libclang), whatever surrounds it.
func TestParseLikeTheKernel(t *testing.T) {
	rustc := func(s string) (policy.Version, error) {
		info, err := policy.ParseRustcVersion(s)
		return info.Version, err
	}
	tests := []struct {
		parse func(string) (policy.Version, error)
		out   string
		want  string // "" when refused
	}{
		{rustc, "rustc 1.78.0(a8314ef7d 2022-06-27)", "1.78.0"},
		{rustc, "xrustc 1.78.0", "1.78.0"},
		{rustc, "rustc 1.78.0-1.60.0 (a8314ef7d 2022-06-27)", "1.78.0-1.60.0"},
		{rustc, "rustc 1.78.0\nrelease: 1.10.0", "1.78.0"},
		{rustc, "Welcome\nrustc 1.78.0", ""},
		{rustc, "unexpected 1.78.0", ""},
		{rustc, "rustc 1.78", ""},
		{policy.ParseBindgenVersion, "bindgen-cli 0.65.1", ""},
		{rustc, "rustc 1.078.0", ""},
		{rustc, "rustc 1.0100.0", "1.64.0"},
		{policy.ParseBindgenVersion, "\nbindgen 0.65.1", ""},
		{policy.ParseBindgenVersion, "bindgen 0.65.1-0.999.0", "0.65.1-0.999.0"},
		{policy.ParseLibclangVersion, "a: warning: clang version 14.0.6\nb: warning: clang version 10.0.0\n", "14.0.6"},
		{policy.ParseLibclangVersion, "\nsetlocale: warning\nh.h:2:9: warning: clang version 13.0.1-dev [-W#pragma-messages]\n", "13.0.1-dev"},
	}
	for _, tt := range tests {
		v, err := tt.parse(tt.out)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%q parsed as %v; the kernel refuses it", tt.out, v)
		case tt.want != "" && (err != nil || v.String() != tt.want):
			t.Errorf("%q: got %v, %v; want %s", tt.out, v, err, tt.want)
		}
	}
}

func TestPin(t *testing.T) {
	tests := []struct {
		pin, version string
		ok           bool
	}{
		{"1.78.0", "1.78.0", true},
		{"1.78.0", "1.78.1", false},
		{"1.78.0", "1.78.0+dfsg1", true},
		{">= 1.78.0", "1.80.0-nightly", true}, // the kernel compares X.Y.Z only
		{">= 1.78.0", "1.63.0", false},
		{">= 1.78.0, < 1.90.0", "1.96.0", false},
		{"~> 0.65.1", "0.65.9", true},
		{">= 13.0.1", "14.0.6", true},
	}
	for _, tt := range tests {
		p, err := policy.ParsePin(tt.pin)
		if err != nil {
			t.Fatal(err)
		}
		v, err := policy.ParseVersion(tt.version)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Allows(v); got != tt.ok {
			t.Errorf("pin %q allows %q = %v, want %v", tt.pin, tt.version, got, tt.ok)
		}
	}
	if _, err := policy.ParsePin("latest"); err == nil {
		t.Error(`pin "latest" parsed`)
	}
}
