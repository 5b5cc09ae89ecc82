package license_test

import (
	"testing"

	"github.com/rvendor/rvendor/policy/license"
)

func TestIsLicenseFile(t *testing.T) {
	for name, want := range map[string]bool{
		"LICENSE": true, "LICENSE-MIT": true, "LICENSE-APACHE": true, "license-apache": true,
		"LICENSE.txt": true, "LICENSE.md": true, "LICENSE-MIT.md": true, "LICENCE": true,
		"LICENSE-Apache-2.0_WITH_LLVM-exception": true, "LICENSE-THIRD-PARTY": true, "LICENSES": false, "licenses.md": false,
		"COPYING": true, "COPYING.LIB": true, "copying": true, "COPYRIGHT": true, "copyright": true,
		"NOTICE": true, "NOTICE.txt": true, "UNLICENSE": true, "unlicense.txt": true,
		"src/unicode_tables/LICENSE-UNICODE": true, "a/b/c/LICENSE": true, `a\b\LICENSE`: true,
		// Source files and other words are not license files.
		"license.rs": false, "src/license.rs": false, "LICENSE.rs": false, "copying.c": false,
		"copyright.h": false, "license.py": false, "notice.sh": false, "LICENSE.go": false,
		"copy.rs": false, "copysign.rs": false, "copy_file_range.rs": false, "licenses.rs": false,
		"NOTICEABLE": false, "LICENSED": false, "COPYINGS-x": false, "LICENSE x": true, "README": false, "Cargo.toml": false,
		"LICENSE/": false, "": false,
	} {
		if got := license.IsLicenseFile(name); got != want {
			t.Errorf("IsLicenseFile(%q) = %v, want %v", name, got, want)
		}
	}
}
