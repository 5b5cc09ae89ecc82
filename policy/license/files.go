package license

import (
	"path"
	"strings"
)

// licenseFilePrefixes are the upper-case base-name prefixes of license
// files.
var licenseFilePrefixes = []string{"LICENSE", "LICENCE", "COPYING", "COPYRIGHT", "NOTICE", "UNLICENSE"}

// sourceExts are the extensions that make a license-like name source
// code: a crate's src/license.rs or copying.c is code, not a license.
var sourceExts = map[string]bool{
	".rs": true, ".c": true, ".h": true, ".cc": true, ".cpp": true, ".cxx": true, ".hpp": true,
	".s": true, ".asm": true, ".py": true, ".pl": true, ".pm": true, ".sh": true, ".go": true,
	".js": true, ".ts": true, ".java": true, ".rb": true, ".lua": true, ".swift": true,
	".kt": true, ".m": true, ".mm": true, ".zig": true, ".d": true, ".o": true, ".a": true,
	".so": true, ".rlib": true, ".stderr": true, ".stdout": true,
}

// IsLicenseFile reports whether the base name of the slash or OS path
// name is that of a license file: it starts, in any case, with LICENSE,
// LICENCE, COPYING, COPYRIGHT, NOTICE or UNLICENSE and then ends or goes
// on after '-', '.', '_' or ' ' ("LICENSE-MIT", "license-apache",
// "COPYING.LIB", "LICENSE.md", but not "licenses.md"); and it
// has no source extension (.rs, .c, .h, .py, .sh, ...), so a crate's
// src/license.rs is code. Any depth counts; a name ending in "/" is a
// folder, not a license file.
func IsLicenseFile(name string) bool {
	name = strings.ReplaceAll(name, `\`, "/")
	if name == "" || strings.HasSuffix(name, "/") {
		return false
	}
	base := strings.ToUpper(path.Base(name))
	if sourceExts[strings.ToLower(path.Ext(base))] {
		return false
	}
	for _, p := range licenseFilePrefixes {
		rest, ok := strings.CutPrefix(base, p)
		if !ok {
			continue
		}
		if rest == "" || strings.ContainsRune("-._ ", rune(rest[0])) {
			return true
		}
	}
	return false
}
