package policy_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/policy"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(content, "#!") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func findings(r *policy.NetworkReport) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.File+":"+itoa(f.Line)+": "+f.Tool)
	}
	return out
}

func itoa(n int) string { return fmtInt(n) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestLintNetworkLines: each case is a Makefile (or a script it runs) and
// the fetches it must report; everything else must not be reported.
func TestLintNetworkLines(t *testing.T) {
	tests := []struct {
		name, makefile string
		want           []string // "Tool" at line, in file Makefile
	}{
		{"curl in recipe", "all:\n\tcurl -o x https://example.org/x\n", []string{"Makefile:2: curl"}},
		{"comment", "# curl http://x\nall:\n\t# wget http://x\n", nil},
		{"echoed message", "all:\n\t@echo 'use curl to fetch'\n\t@echo \"# curl\"\n", nil},
		{"quiet prefix", "all:\n\t$(Q)wget http://x\n", []string{"Makefile:2: wget"}},
		{"make shell", "X := $(shell git fetch origin)\n", []string{"Makefile:1: git fetch"}},
		{"git with -C", "all:\n\tgit -C foo clone http://x\n", []string{"Makefile:2: git clone"}},
		{"git describe", "all:\n\tgit describe --tags; git rev-parse HEAD\n", nil},
		{"git submodule", "all:\n\tgit submodule update --init\n", []string{"Makefile:2: git submodule update"}},
		{"cargo online", "all:\n\tcargo build --release\n", []string{"Makefile:2: cargo build without --offline"}},
		{"cargo offline", "all:\n\tcargo build --offline\n\tcargo +nightly build --frozen\n", nil},
		{"cargo env offline", "all:\n\tCARGO_NET_OFFLINE=true cargo build --locked\n", nil},
		{"cargo config offline", "all:\n\tcargo --config net.offline=true build --locked\n", nil},
		{"cargo var continued offline", "all:\n\t$(CARGO) build \\\n\t\t--frozen\n", nil},
		{"cargo var continued online", "all:\n\t$(CARGO) build \\\n\t\t--release\n", []string{"Makefile:2: cargo build without --offline"}},
		{"cargo version", "V := $(shell cargo --version)\nCARGO = cargo\n", nil},
		{"rustup", "all:\n\trustup component add rust-src\n\trustup --version\n\trustup which rustc\n", []string{"Makefile:2: rustup component"}},
		{"pip", "all:\n\tpip install foo\n\tpython3 -m pip install -r r.txt\n\tpip install --no-index x\n",
			[]string{"Makefile:2: pip install", "Makefile:3: pip install"}},
		{"go", "all:\n\tgo get example.org/x\n\tgo build ./...\n\tgo install example.org/y@v1\n",
			[]string{"Makefile:2: go get", "Makefile:4: go install example.org/y@v1"}},
		{"npm", "all:\n\tnpm install\n\tnpm run build\n", []string{"Makefile:2: npm install"}},
		{"make variable value", "CURL = curl -s\nWGET ?= /usr/bin/wget\n", []string{"Makefile:1: curl", "Makefile:2: wget"}},
		{"version queries", "all:\n\tcurl --version\n\twget -V\n", nil},
		{"conditions and substitutions", "all:\n\tif curl -s x; then :; fi\n\tfoo=$$(wget -qO- x)\n\ttrue && git pull\n",
			[]string{"Makefile:2: curl", "Makefile:3: wget", "Makefile:4: git pull"}},
		{"arguments", "all:\n\tls curl wget\n\techo $(CURL)\n\tcp curl.c x/\n\t$(MAKE) -C tools/git\n", nil},
		{"continued comment", "# a comment \\\n curl continues it\nall:\n", nil},
		{"script it runs", "all:\n\t$(CONFIG_SHELL) $(srctree)/scripts/gen.sh\n", []string{"scripts/gen.sh:3: cargo build without --offline", "scripts/gen.sh:5: curl"}},
		{"python list", "all:\n\t$(PYTHON3) scripts/fetch.py\n", []string{"scripts/fetch.py:3: curl"}},
	}
	scripts := map[string]string{
		"scripts/gen.sh":    "#!/bin/sh\n# cargo build here is a comment\ncargo build\necho \"run curl yourself\" # curl\nx=$(curl -s http://example.org)\necho $# ${#x}\n",
		"scripts/fetch.py":  "#!/usr/bin/env python3\nimport subprocess\nsubprocess.run([\"curl\", url])\nprint(\"curl\")\n",
		"scripts/unused.sh": "#!/bin/sh\ncurl http://never.run\n",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"Makefile": tt.makefile}
			for k, v := range scripts {
				files[k] = v
			}
			r, err := policy.LintNetwork(writeFiles(t, files), policy.NetworkLintOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := findings(r); !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tt.want)
			}
			if r.Err() == nil != (len(tt.want) == 0) {
				t.Errorf("Err() = %v with %d findings", r.Err(), len(tt.want))
			}
		})
	}
}

func TestLintNetworkAllow(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"Makefile":             "all:\n\tcurl -o a http://x\n\twget http://y\n",
		"tools/fetch/Makefile": "all:\n\tgit clone http://z\n",
		"sub/x.mk":             "all:\n\tnpm install\n",
	})
	r, err := policy.LintNetwork(dir, policy.NetworkLintOptions{Allow: []string{"Makefile:2", "tools/", "re:npm install", "nothing/here.mk"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := findings(r), []string{"Makefile:3: wget"}; !slices.Equal(got, want) {
		t.Errorf("findings: got %q, want %q", got, want)
	}
	if len(r.Allowed) != 3 {
		t.Errorf("allowed: %v", r.Allowed)
	}
	if !slices.Equal(r.UnusedAllow, []string{"nothing/here.mk"}) {
		t.Errorf("unused allow entries: %q", r.UnusedAllow)
	}
	if !errors.Is(r.Err(), policy.ErrNetworkFetch) {
		t.Errorf("Err() = %v", r.Err())
	}
	for _, bad := range []string{"/abs/Makefile", "Makefile:x", "Makefile:0", "re:(", ""} {
		if _, err := policy.ParseAllow(bad); err == nil {
			t.Errorf("ParseAllow(%q) accepted a bad entry", bad)
		}
	}
}

// TestLintNetworkReal lints the real Linux 6.12 build files: no finding in
// the files a kernel build runs, and both injected fetches found.
func TestLintNetworkReal(t *testing.T) {
	src := realdata.Path(t, "linux-6.12")
	start := time.Now()
	r, err := policy.LintNetwork(src, policy.NetworkLintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("linux-6.12: %d build files and %d scripts scanned in %v", r.BuildFiles, r.Scripts, time.Since(start).Round(time.Millisecond))
	// The only fetch in the whole tree: the WireGuard selftest's qemu
	// Makefile downloads its distfiles with wget (a true finding, outside
	// the kernel build proper).
	want := []string{"tools/testing/selftests/wireguard/qemu/Makefile:37: wget"}
	if got := findings(r); !slices.Equal(got, want) {
		t.Errorf("findings in the real tree:\n got %q\nwant %q", got, want)
	}
	for _, must := range []string{"scripts/rust_is_available.sh", "scripts/min-tool-version.sh", "scripts/link-vmlinux.sh", "scripts/setlocalversion"} {
		if !slices.Contains(r.ScriptPaths, must) {
			t.Errorf("%s, which the build runs, was not scanned", must)
		}
	}
	if r.BuildFiles < 1000 {
		t.Errorf("only %d build files scanned", r.BuildFiles)
	}

	// A copy with a curl in rust/Makefile's recipe and a cargo build in a
	// script the top Makefile runs.
	dir := t.TempDir()
	copyTree(t, src, dir)
	appendTo(t, filepath.Join(dir, "rust/Makefile"), "\nrust-fetch:\n\t$(Q)curl -sSfo $(objtree)/rust/x.tar.gz https://static.rust-lang.org/dist/x.tar.gz\n")
	appendTo(t, filepath.Join(dir, "scripts/rust_is_available.sh"), "\ncargo build --manifest-path \"$srctree/tools/x/Cargo.toml\"\n")
	r, err = policy.LintNetwork(dir, policy.NetworkLintOptions{Allow: []string{"tools/testing/selftests/"}})
	if err != nil {
		t.Fatal(err)
	}
	got := findings(r)
	want = []string{
		"rust/Makefile:" + itoa(lineCount(t, filepath.Join(dir, "rust/Makefile"))) + ": curl",
		"scripts/rust_is_available.sh:" + itoa(lineCount(t, filepath.Join(dir, "scripts/rust_is_available.sh"))) + ": cargo build without --offline",
	}
	if !slices.Equal(got, want) {
		t.Errorf("injected fetches:\n got %q\nwant %q", got, want)
	}
	for _, f := range r.Findings {
		t.Logf("%s", f)
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		o, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_EXCL, fi.Mode().Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(o, in); err != nil {
			o.Close()
			return err
		}
		return o.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func lineCount(t *testing.T, p string) int {
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(strings.TrimRight(string(data), "\n"), "\n") + 1
}
