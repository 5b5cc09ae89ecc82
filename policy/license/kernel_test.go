package license_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pelletier/go-toml/v2"

	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/policy/license"
)

func loadReal(t *testing.T) *license.Kernel {
	t.Helper()
	k, err := license.LoadKernel(os.DirFS(realdata.Linux612(t)))
	if err != nil {
		t.Fatalf("LoadKernel(linux-6.12): %v", err)
	}
	return k
}

// TestLoadKernelReal reads the LICENSES/ folder of Linux 6.12.
func TestLoadKernelReal(t *testing.T) {
	k := loadReal(t)
	for id, want := range map[string]struct {
		class license.Class
		file  string
	}{
		"GPL-2.0":                         {license.ClassPreferred, "LICENSES/preferred/GPL-2.0"},
		"GPL-2.0-only":                    {license.ClassPreferred, "LICENSES/preferred/GPL-2.0"},
		"GPL-2.0+":                        {license.ClassPreferred, "LICENSES/preferred/GPL-2.0"},
		"GPL-2.0-or-later":                {license.ClassPreferred, "LICENSES/preferred/GPL-2.0"},
		"LGPL-2.1+":                       {license.ClassPreferred, "LICENSES/preferred/LGPL-2.1"},
		"MIT":                             {license.ClassPreferred, "LICENSES/preferred/MIT"},
		"BSD-3-Clause":                    {license.ClassPreferred, "LICENSES/preferred/BSD-3-Clause"},
		"Apache-2.0":                      {license.ClassDual, "LICENSES/dual/Apache-2.0"},
		"MPL-1.1":                         {license.ClassDual, "LICENSES/dual/MPL-1.1"},
		"copyleft-next-0.3.1":             {license.ClassDual, "LICENSES/dual/copyleft-next-0.3.1"},
		"ISC":                             {license.ClassDeprecated, "LICENSES/deprecated/ISC"},
		"Zlib":                            {license.ClassDeprecated, "LICENSES/deprecated/Zlib"},
		"0BSD":                            {license.ClassDeprecated, "LICENSES/deprecated/0BSD"},
		"GPL-1.0+":                        {license.ClassDeprecated, "LICENSES/deprecated/GPL-1.0"},
		"GFDL-1.1-no-invariants-or-later": {license.ClassDeprecated, "LICENSES/deprecated/GFDL-1.1"},
	} {
		l := k.Licenses[id]
		if l == nil || l.ID != id || l.Class != want.class || l.File != want.file || !strings.HasPrefix(l.URL, "https://spdx.org/licenses/") {
			t.Errorf("Licenses[%q] = %+v, want class %s in %s", id, l, want.class, want.file)
		}
	}
	// GPL-1.0 is declared only with "+"; Unlicense, CC0-1.0 and the
	// GFDL usage examples ("GPL-2.0 OR GFDL-1.1-...") are not ids.
	for _, id := range []string{"GPL-1.0", "Unlicense", "CC0-1.0", "LLVM-exception", "GPL-2.0 OR GFDL-1.1-no-invariants-or-later"} {
		if l := k.Licenses[id]; l != nil {
			t.Errorf("Licenses[%q] = %+v, want none", id, l)
		}
	}
	// spdxcheck.py counts 33 "License IDs": these 29 and the 4
	// expression-valued Valid-License-Identifier lines of GFDL-1.1/1.2.
	if len(k.Licenses) != 29 || len(k.Exceptions) != 2 {
		t.Errorf("%d licenses and %d exceptions, want 29 and 2", len(k.Licenses), len(k.Exceptions))
	}
	for id, want := range map[string][]string{
		"Linux-syscall-note": {"GPL-2.0", "GPL-2.0+", "GPL-1.0+", "LGPL-2.0", "LGPL-2.0+", "LGPL-2.1", "LGPL-2.1+", "GPL-2.0-only", "GPL-2.0-or-later"},
		"GCC-exception-2.0":  {"GPL-2.0", "GPL-2.0+", "GPL-2.0-only", "GPL-2.0-or-later"},
	} {
		x := k.Exceptions[id]
		if x == nil || x.ID != id || !slices.Equal(x.Licenses, want) || x.File != "LICENSES/exceptions/"+id {
			t.Errorf("Exceptions[%q] = %+v, want licenses %q", id, x, want)
		}
	}
}

// findings renders Check's findings as "severity rule term" lines.
func findings(k *license.Kernel, e *license.Expr) []string {
	var out []string
	for _, f := range k.Check(e) {
		out = append(out, f.Severity.String()+" "+f.Rule+" "+f.Term.String())
	}
	return out
}

func TestCheckReal(t *testing.T) {
	k := loadReal(t)
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{"MIT OR Apache-2.0", nil},
		{"GPL-2.0 WITH Linux-syscall-note", nil},
		{"(GPL-2.0 WITH Linux-syscall-note) OR MIT", nil},
		{"GPL-2.0-only WITH GCC-exception-2.0", nil},
		{"BSD-3-Clause", nil},
		{"0BSD OR MIT OR Apache-2.0", nil},
		{"GPL-2.0-only OR copyleft-next-0.3.1", nil},
		{"Apache-2.0", []string{"error kernel-dual-only Apache-2.0"}},
		{"ISC", []string{"warning kernel-deprecated ISC"}},
		{"LGPL-2.1 WITH GCC-exception-2.0", []string{"error kernel-exception LGPL-2.1 WITH GCC-exception-2.0"}},
		{"Unlicense OR MIT", []string{"warning kernel-unknown-license Unlicense"}},
		{"CC0-1.0", []string{"error kernel-unknown-license CC0-1.0"}},
		{"GPL-1.0", []string{"error kernel-unknown-license GPL-1.0"}},
		{"Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT", []string{"warning kernel-unknown-license Apache-2.0 WITH LLVM-exception"}},
	} {
		if got := findings(k, mustParse(t, tc.expr)); !slices.Equal(got, tc.want) {
			t.Errorf("Check(%q) = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// TestCheckRealCrates checks the declared license of every real crate of
// the bindgen closure against Linux 6.12's LICENSES/.
func TestCheckRealCrates(t *testing.T) {
	k := loadReal(t)
	want := map[string][]string{
		"0BSD OR MIT OR Apache-2.0": nil,
		"Apache-2.0":                {"error kernel-dual-only Apache-2.0"},
		"Apache-2.0 OR MIT":         nil,
		"Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT": {"warning kernel-unknown-license Apache-2.0 WITH LLVM-exception"},
		"BSD-3-Clause":              nil,
		"CC0-1.0":                   {"error kernel-unknown-license CC0-1.0"},
		"ISC":                       {"warning kernel-deprecated ISC"},
		"MIT":                       nil,
		"MIT OR Apache-2.0":         nil,
		"MIT OR Zlib OR Apache-2.0": nil,
		"Unlicense OR MIT":          {"warning kernel-unknown-license Unlicense"},
	}
	seen := map[string]bool{}
	tomls, _ := filepath.Glob(filepath.Join(realdata.CratesBindgen(t), "*", "Cargo.toml"))
	for _, p := range tomls {
		var m struct {
			Package struct{ License string } `toml:"package"`
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := toml.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		e, _, err := license.ParseDeclared(m.Package.License)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		w, ok := want[e.String()]
		if !ok {
			t.Errorf("%s: license %q has no expected findings in this test", p, e)
			continue
		}
		seen[e.String()] = true
		if got := findings(k, e); !slices.Equal(got, w) {
			t.Errorf("%s: Check(%q) = %q, want %q", p, e, got, w)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("saw %d of the %d expected license values", len(seen), len(want))
	}
}

// licFile returns a well-formed license file declaring ids.
func licFile(ids ...string) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString("Valid-License-Identifier: " + id + "\n")
	}
	b.WriteString("SPDX-URL: https://spdx.org/licenses/" + ids[0] + ".html\nUsage-Guide:\n  To use this license put\n\tSPDX-License-Identifier: " + ids[0] + "\n\nLicense-Text:\n\nThe text.\nFoo: not a metatag after License-Text\n")
	return b.String()
}

func excFile(id, licenses string) string {
	return "SPDX-Exception-Identifier: " + id + "\nSPDX-URL: https://spdx.org/licenses/" + id + ".html\nSPDX-Licenses: " + licenses + "\nUsage-Guide:\n  Use it WITH one of them.\nLicense-Text:\n\nThe exception.\n"
}

// synthKernel is a small LICENSES/ folder with one license per class.
func synthKernel() fstest.MapFS {
	return fstest.MapFS{
		"LICENSES/preferred/GPL-2.0":             {Data: []byte(licFile("GPL-2.0", "GPL-2.0+"))},
		"LICENSES/preferred/MIT":                 {Data: []byte(licFile("MIT"))},
		"LICENSES/dual/Apache-2.0":               {Data: []byte(licFile("Apache-2.0"))},
		"LICENSES/dual/MPL-1.1":                  {Data: []byte(licFile("MPL-1.1"))},
		"LICENSES/deprecated/ISC":                {Data: []byte(licFile("ISC"))},
		"LICENSES/exceptions/Linux-syscall-note": {Data: []byte(excFile("Linux-syscall-note", "GPL-2.0, GPL-2.0+"))},
		"LICENSES/README":                        {Data: []byte("not read\n")},
	}
}

func TestCheckRules(t *testing.T) {
	k, err := license.LoadKernel(synthKernel())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{"MIT", nil},
		{"GPL-2.0+", nil},
		{"MIT OR Apache-2.0", nil},
		{"Apache-2.0 OR GPL-2.0", nil},
		{"(Apache-2.0 AND MPL-1.1) OR MIT", nil},
		{"ISC OR MIT", nil},
		{"GPL-2.0 WITH Linux-syscall-note", nil},
		{"GPL-2.0+ WITH Linux-syscall-note OR MIT", nil},
		// kernel-dual-only: no option without a dual license.
		{"Apache-2.0", []string{"error kernel-dual-only Apache-2.0"}},
		{"MIT AND Apache-2.0", []string{"error kernel-dual-only Apache-2.0"}},
		{"Apache-2.0 OR MPL-1.1", []string{"error kernel-dual-only Apache-2.0", "error kernel-dual-only MPL-1.1"}},
		{"(MIT AND Apache-2.0) OR MPL-1.1", []string{"error kernel-dual-only Apache-2.0", "error kernel-dual-only MPL-1.1"}},
		// kernel-deprecated: a warning unless an option is all preferred.
		{"ISC", []string{"warning kernel-deprecated ISC"}},
		{"ISC AND MIT", []string{"warning kernel-deprecated ISC"}},
		{"Apache-2.0 OR ISC", []string{"warning kernel-deprecated ISC"}},
		// kernel-exception: only WITH the licenses SPDX-Licenses names.
		{"MIT WITH Linux-syscall-note", []string{"error kernel-exception MIT WITH Linux-syscall-note"}},
		// An option the kernel takes makes the others' problems warnings:
		// the code is taken under that option.
		{"MIT WITH Linux-syscall-note OR MIT", []string{"warning kernel-exception MIT WITH Linux-syscall-note"}},
		// kernel-unknown-license: no file, whatever the other options.
		{"GPL-2.0-only", []string{"error kernel-unknown-license GPL-2.0-only"}},
		{"LicenseRef-x OR MIT", []string{"warning kernel-unknown-license LicenseRef-x"}},
		{"GPL-2.0 WITH GCC-exception-2.0 OR MIT", []string{"warning kernel-unknown-license GPL-2.0 WITH GCC-exception-2.0"}},
		{"Zlib OR Apache-2.0", []string{"error kernel-unknown-license Zlib", "error kernel-dual-only Apache-2.0"}},
	} {
		if got := findings(k, mustParse(t, tc.expr)); !slices.Equal(got, tc.want) {
			t.Errorf("Check(%q) = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// TestCheckMessages checks that each finding names its id and rule and
// says what to do.
func TestCheckMessages(t *testing.T) {
	k, err := license.LoadKernel(synthKernel())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		expr, rule, id string
		fix            []string
	}{
		{"Apache-2.0", license.RuleDualOnly, "Apache-2.0", []string{"preferred", "rvendor.toml"}},
		{"ISC", license.RuleDeprecated, "ISC", []string{"imported"}},
		{"MIT WITH Linux-syscall-note", license.RuleException, "Linux-syscall-note", []string{"SPDX-Licenses"}},
		{"Zlib", license.RuleUnknownLicense, "Zlib", []string{"LICENSES/", "rvendor.toml"}},
		{"GPL-2.0 WITH GCC-exception-2.0", license.RuleUnknownLicense, "GCC-exception-2.0", []string{"LICENSES/", "rvendor.toml"}},
	} {
		fs := k.Check(mustParse(t, tc.expr))
		if len(fs) != 1 {
			t.Fatalf("Check(%q) = %+v, want one finding", tc.expr, fs)
		}
		f := fs[0]
		if f.Rule != tc.rule || !strings.Contains(f.Msg, tc.id) || !strings.Contains(f.Msg, tc.rule) {
			t.Errorf("Check(%q): %+v, want rule %s and a message naming %s and the rule", tc.expr, f, tc.rule, tc.id)
		}
		for _, w := range tc.fix {
			if !strings.Contains(f.Fix, w) {
				t.Errorf("Check(%q): fix %q does not mention %q", tc.expr, f.Fix, w)
			}
		}
	}
}

func TestLoadKernelMalformed(t *testing.T) {
	good := licFile("MIT")
	for _, tc := range []struct {
		name  string
		files map[string]string
		file  string // the file the error names
		line  int
		want  string
	}{
		{"no License-Text", map[string]string{"LICENSES/preferred/MIT": "Valid-License-Identifier: MIT\nSPDX-URL: x\nUsage-Guide:\n  use it\n"}, "LICENSES/preferred/MIT", 5, "no License-Text"},
		{"unknown metatag", map[string]string{"LICENSES/preferred/MIT": "Valid-License-Identifier: MIT\nSPDX-Foo: x\n" + good}, "LICENSES/preferred/MIT", 2, `unknown metatag "SPDX-Foo"`},
		{"stray line", map[string]string{"LICENSES/preferred/MIT": "Valid-License-Identifier: MIT\nhello\n" + good}, "LICENSES/preferred/MIT", 2, "want a metatag"},
		{"indented outside usage", map[string]string{"LICENSES/preferred/MIT": "Valid-License-Identifier: MIT\n  MIT again\n" + good}, "LICENSES/preferred/MIT", 2, "indented line outside Usage-Guide"},
		{"empty id", map[string]string{"LICENSES/preferred/MIT": "Valid-License-Identifier:\n" + good}, "LICENSES/preferred/MIT", 1, "with no value"},
		{"bad id", map[string]string{"LICENSES/preferred/MIT": "Valid-License-Identifier: MIT_2\n" + good}, "LICENSES/preferred/MIT", 1, "not a license id"},
		{"bad expression id", map[string]string{"LICENSES/preferred/MIT": "Valid-License-Identifier: MIT OR\n" + good}, "LICENSES/preferred/MIT", 1, "unfinished"},
		{"no id", map[string]string{"LICENSES/preferred/MIT": "SPDX-URL: x\nUsage-Guide:\n  u\nLicense-Text:\n"}, "LICENSES/preferred/MIT", 4, "no Valid-License-Identifier"},
		{"no url", map[string]string{"LICENSES/preferred/MIT": "Valid-License-Identifier: MIT\nUsage-Guide:\n  u\nLicense-Text:\n"}, "LICENSES/preferred/MIT", 4, "no SPDX-URL"},
		{"two urls", map[string]string{"LICENSES/preferred/MIT": "SPDX-URL: y\n" + good}, "LICENSES/preferred/MIT", 3, "a second SPDX-URL"},
		{"no usage guide", map[string]string{"LICENSES/preferred/MIT": "Valid-License-Identifier: MIT\nSPDX-URL: x\nLicense-Text:\n"}, "LICENSES/preferred/MIT", 3, "no Usage-Guide"},
		{"not UTF-8", map[string]string{"LICENSES/preferred/MIT": "Valid-License-Identifier: M\xffT\n" + good}, "LICENSES/preferred/MIT", 1, "not UTF-8"},
		{"duplicate id", map[string]string{"LICENSES/preferred/MIT": good, "LICENSES/deprecated/MIT-again": good}, "LICENSES/deprecated/MIT-again", 1, "declared by LICENSES/preferred/MIT too"},
		{"exception tag in preferred", map[string]string{"LICENSES/preferred/MIT": "SPDX-Exception-Identifier: X\nSPDX-Licenses: MIT\n" + good}, "LICENSES/preferred/MIT", 2, "exception metatag outside LICENSES/exceptions/"},
		{"license tag in exceptions", map[string]string{"LICENSES/preferred/MIT": good, "LICENSES/exceptions/X": "Valid-License-Identifier: X\n" + excFile("X", "MIT")}, "LICENSES/exceptions/X", 1, "Valid-License-Identifier in the exceptions folder"},
		{"exception without licenses", map[string]string{"LICENSES/preferred/MIT": good, "LICENSES/exceptions/X": "SPDX-Exception-Identifier: X\nSPDX-URL: u\nUsage-Guide:\n  u\nLicense-Text:\n"}, "LICENSES/exceptions/X", 5, "no SPDX-Licenses"},
		{"exception names unknown license", map[string]string{"LICENSES/preferred/MIT": good, "LICENSES/exceptions/X": excFile("X", "MIT, GPL-2.0")}, "LICENSES/exceptions/X", 3, `names "GPL-2.0"`},
		{"exception file without id", map[string]string{"LICENSES/preferred/MIT": good, "LICENSES/exceptions/X": "SPDX-URL: u\nUsage-Guide:\n  u\nLicense-Text:\n"}, "LICENSES/exceptions/X", 4, "no Valid-License-Identifier: or SPDX-Exception-Identifier"},
		{"duplicate exception", map[string]string{"LICENSES/preferred/MIT": good, "LICENSES/exceptions/X": excFile("X", "MIT"), "LICENSES/exceptions/Y": excFile("X", "MIT")}, "LICENSES/exceptions/Y", 1, "declared by LICENSES/exceptions/X too"},
		{"too big", map[string]string{"LICENSES/preferred/MIT": good + strings.Repeat("x", license.MaxLicenseFile)}, "LICENSES/preferred/MIT", 0, "larger than 1048576 bytes"},
	} {
		fsys := fstest.MapFS{}
		for name, data := range tc.files {
			fsys[name] = &fstest.MapFile{Data: []byte(data)}
		}
		_, err := license.LoadKernel(fsys)
		var fe *license.FileError
		if !errors.As(err, &fe) || fe.File != tc.file || fe.Line != tc.line || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: LoadKernel = %v, want a FileError at %s:%d saying %q", tc.name, err, tc.file, tc.line, tc.want)
		}
	}
}

func TestLoadKernelEntries(t *testing.T) {
	good := []byte(licFile("MIT"))
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		want string // "" when LoadKernel must succeed
	}{
		{"only preferred", fstest.MapFS{"LICENSES/preferred/MIT": {Data: good}}, ""},
		{"no LICENSES", fstest.MapFS{"COPYING": {Data: good}}, "file does not exist"},
		{"no preferred", fstest.MapFS{"LICENSES/dual/MIT": {Data: good}}, "file does not exist"},
		{"symlink", fstest.MapFS{"LICENSES/preferred/MIT": {Data: []byte("../../COPYING"), Mode: fs.ModeSymlink}}, "LICENSES/preferred/MIT: not a regular file"},
		{"sub-folder", fstest.MapFS{"LICENSES/preferred/MIT": {Data: good}, "LICENSES/dual/old/X": {Data: good}}, "LICENSES/dual/old: not a regular file"},
		{"other top-level entries ignored", fstest.MapFS{"LICENSES/preferred/MIT": {Data: good}, "LICENSES/other/junk": {Data: []byte("junk")}, "LICENSES/README": {Data: []byte("junk")}}, ""},
		{"CRLF file", fstest.MapFS{"LICENSES/preferred/MIT": {Data: []byte(strings.ReplaceAll(string(good), "\n", "\r\n"))}}, ""},
	} {
		k, err := license.LoadKernel(tc.fsys)
		switch {
		case tc.want == "" && (err != nil || k.Licenses["MIT"] == nil || k.Licenses["MIT"].Class != license.ClassPreferred):
			t.Errorf("%s: LoadKernel = %v, %v; want MIT preferred", tc.name, k, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: LoadKernel = %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}
