package policy_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/policy"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

func mustRustc(t *testing.T, s string) policy.RustcInfo {
	t.Helper()
	info, err := policy.ParseRustcVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func mustV(t *testing.T, s string) policy.Version {
	t.Helper()
	v, err := policy.ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// summary renders a report as "name=status" words, in order.
func summary(r *policy.ToolchainReport) string {
	var w []string
	for _, c := range r.Checks {
		w = append(w, fmt.Sprintf("%s=%s", c.Name, c.Status))
	}
	return strings.Join(w, " ")
}

func TestCheckToolchain(t *testing.T) {
	pos := vendorspec.Positions{"rustc": {File: "/k/rvendor.toml", Line: 4, Col: 9}}
	found := func(rustc, bindgen, libclang, clang string) *policy.Found {
		return &policy.Found{Rustc: mustRustc(t, rustc), Bindgen: mustV(t, bindgen), Libclang: mustV(t, libclang), Clang: mustV(t, clang)}
	}
	kernel612 := map[string]string{"rustc": "1.78.0", "bindgen": "0.65.1", "llvm": "13.0.1"}
	tests := []struct {
		name string
		in   policy.ToolchainInput
		want string
	}{
		{"all good",
			policy.ToolchainInput{
				Pins:      &vendorspec.Toolchain{Rustc: "1.78.0", Bindgen: "0.65.1", Libclang: ">= 13.0.1", Pos: pos},
				Library:   &policy.Library{Component: "rust-library", Locked: "1.78.0"},
				KernelMin: kernel612,
				Found:     found("rustc 1.78.0 (9b00956e5 2024-04-29)\nLLVM version: 18.1.2", "0.65.1", "18.1.8", "18.1.8"),
			},
			"rustc=ok bindgen=ok libclang=ok clang=ok clang-libclang=ok rust-library=ok llvm-match=ok kernel-rustc=ok kernel-bindgen=ok kernel-llvm=ok"},
		{"library of another release, llvm mismatch, libclang differs",
			policy.ToolchainInput{
				Pins:    &vendorspec.Toolchain{Rustc: ">= 1.78.0"},
				Library: &policy.Library{Component: "rust-library", Locked: "1.78.0"},
				Found:   found("rustc 1.80.0 (051478957 2024-07-21)\nLLVM version: 18.1.7", "0.69.4", "17.0.6", "16.0.6"),
			},
			"rustc=ok bindgen=ok libclang=ok clang=ok clang-libclang=warning rust-library=error llvm-match=warning"},
		{"llvm match required",
			policy.ToolchainInput{
				Pins:  &vendorspec.Toolchain{RequireLLVMMatch: true},
				Found: found("rustc 1.80.0 (051478957 2024-07-21)\nLLVM version: 18.1.7", "0.69.4", "16.0.6", "16.0.6"),
			},
			"rustc=ok bindgen=ok libclang=ok clang=ok clang-libclang=ok llvm-match=error"},
		{"nightly library",
			policy.ToolchainInput{
				Library: &policy.Library{Component: "rust-library", Locked: "nightly-2024-05-02"},
				Found:   found("rustc 1.80.0-nightly (a1b2c3d 2024-05-01)", "0.69.4", "18.1.8", "18.1.8"),
			},
			"rustc=ok bindgen=ok libclang=ok clang=ok clang-libclang=ok rust-library=ok"},
		{"stable library, nightly compiler",
			policy.ToolchainInput{
				Library: &policy.Library{Component: "rust-library", Locked: "1.80.0"},
				Found:   found("rustc 1.80.0-nightly (a1b2c3d 2024-05-01)", "0.69.4", "18.1.8", "18.1.8"),
			},
			"rustc=ok bindgen=ok libclang=ok clang=ok clang-libclang=ok rust-library=error"},
		{"pins below the kernel's minimum",
			policy.ToolchainInput{
				Pins:      &vendorspec.Toolchain{Rustc: "1.63.0", Bindgen: "0.60.1", Pos: pos},
				KernelMin: kernel612,
				Found:     found("rustc 1.63.0", "0.60.1", "14.0.6", "14.0.6"),
			},
			"rustc=ok bindgen=ok libclang=ok clang=ok clang-libclang=ok kernel-rustc=error kernel-bindgen=error kernel-llvm=ok"},
		{"tools missing",
			policy.ToolchainInput{
				Pins: &vendorspec.Toolchain{Rustc: "1.78.0"},
				Found: &policy.Found{RustcErr: errors.New("rustc: not found"), BindgenErr: errors.New("bindgen: not found"),
					LibclangErr: errors.New("not probed"), ClangErr: errors.New("clang: not found")},
			},
			"rustc=error bindgen=warning libclang=warning clang=warning"},
	}
	for _, tt := range tests {
		r := policy.CheckToolchain(tt.in)
		if got := summary(r); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
		if (r.Count(policy.StatusError) > 0) != (r.Err() != nil) {
			t.Errorf("%s: Err() = %v", tt.name, r.Err())
		}
	}
	r := policy.CheckToolchain(tests[1].in)
	for _, c := range r.Checks {
		if c.Name == policy.CheckRustLibrary && !strings.Contains(c.Message, "does not build") {
			t.Errorf("the library mismatch does not say plainly that it does not build: %q", c.Message)
		}
	}
	r = policy.CheckToolchain(tests[5].in)
	if c := r.Checks[5]; c.Found != "1.63.0" || c.Wanted != ">= 1.78.0" || c.Source != "scripts/min-tool-version.sh rustc" ||
		!strings.Contains(c.Message, `the spec pins rustc "1.63.0" (rvendor.toml:4:9)`) {
		t.Errorf("kernel-rustc: %+v", c)
	}
}

// wrapper writes a script that runs a Debian rustc unpacked under the real
// data with its libraries.
func wrapper(t *testing.T, r realdata.Rustc) string {
	p := t.TempDir() + "/rustc"
	script := fmt.Sprintf("#!/bin/sh\n%s exec %q \"$@\"\n", strings.Join(r.Env(), " "), r.Bin)
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestToolchainReal checks Debian's real tools against the real Linux
// 6.12 tree: rustc 1.63 and bindgen 0.60.1 are below its minimums.
func TestToolchainReal(t *testing.T) {
	kdir := realdata.Path(t, "linux-6.12")
	for _, tool := range []string{"/usr/bin/bindgen", "/usr/bin/clang"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: run bash .ci/realdata.sh (50-bindgen-clang)", tool)
		}
	}
	min, err := policy.KernelMinVersions(context.Background(), kdir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		rustc realdata.Rustc
		want  string
	}{
		{"rustc 1.63", realdata.Rustc163(t),
			"rustc=ok bindgen=ok libclang=ok clang=ok clang-libclang=ok llvm-match=ok kernel-rustc=error kernel-bindgen=error kernel-llvm=ok"},
		{"rustc-web 1.96", realdata.RustcWeb196(t),
			"rustc=ok bindgen=ok libclang=ok clang=ok clang-libclang=ok llvm-match=warning kernel-rustc=ok kernel-bindgen=error kernel-llvm=ok"},
	} {
		paths := policy.ToolPaths{Rustc: wrapper(t, tc.rustc), Bindgen: "/usr/bin/bindgen", Clang: "/usr/bin/clang"}
		f := policy.Probe(context.Background(), paths, nil)
		for _, e := range []error{f.RustcErr, f.BindgenErr, f.LibclangErr, f.ClangErr} {
			if e != nil {
				t.Fatal(e)
			}
		}
		r := policy.CheckToolchain(policy.ToolchainInput{KernelMin: min, Found: f})
		for _, c := range r.Checks {
			t.Logf("%s: %-7s %-14s found %s, wanted %s %s", tc.name, c.Status, c.Name, c.Found, c.Wanted, c.Message)
		}
		if got := summary(r); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// TestClangFromCC: the clang a Kbuild CC value runs (issue 13).
func TestClangFromCC(t *testing.T) {
	for cc, want := range map[string]string{
		"clang":                      "clang",
		"ccache clang":               "clang",
		"ccache clang-14":            "clang-14",
		"/usr/bin/ccache /opt/clang": "/opt/clang",
		"distcc /usr/lib/llvm-14/bin/clang --target=x86_64": "/usr/lib/llvm-14/bin/clang",
		"clang-14.0":       "clang-14.0",
		"gcc":              "",
		"ccache gcc":       "",
		"clang-tidy":       "",
		"x86_64-clang-foo": "",
		"":                 "",
	} {
		if got := policy.ClangFromCC(cc); got != want {
			t.Errorf("ClangFromCC(%q) = %q, want %q", cc, got, want)
		}
	}
}

// TestProbeWithoutShebang: a tool that is a shell script without a "#!"
// line runs, as the kernel's rust_is_available.sh (a shell) runs it
// (issue 13).
func TestProbeWithoutShebang(t *testing.T) {
	dir := t.TempDir()
	rustc := dir + "/rustc"
	if err := os.WriteFile(rustc, []byte("case \"$*\" in *sysroot*) echo /sr ;; *) echo 'rustc 1.78.0' ;; esac\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	f := policy.Probe(context.Background(), policy.ToolPaths{Rustc: rustc}, nil)
	if f.RustcErr != nil || f.Rustc.Version.String() != "1.78.0" {
		t.Errorf("rustc without #!: %v, %v", f.Rustc.Version, f.RustcErr)
	}
	if sr, err := policy.RustcSysroot(context.Background(), rustc, nil); err != nil || sr != "/sr" {
		t.Errorf("rustc --print sysroot without #!: %q, %v", sr, err)
	}
}
