package license

import (
	"strings"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
)

// The SPDX tables come from go-spdx (SPDX License List 3.29 in v2.8.0);
// its lookups are case-insensitive and return the list's spelling.

// licenseID returns the SPDX list's spelling of id when id is an active
// or deprecated SPDX license id, compared case-insensitively.
func licenseID(id string) (string, bool) {
	if ok, canon := spdxexp.ActiveLicense(id); ok {
		return canon, true
	}
	if ok, canon := spdxlicenses.IsDeprecatedLicense(id); ok {
		return canon, true
	}
	return id, false
}

// exceptionID returns the SPDX list's spelling of id when id is an SPDX
// license exception id, compared case-insensitively.
func exceptionID(id string) (string, bool) {
	if ok, canon := spdxlicenses.IsException(id); ok {
		return canon, true
	}
	return id, false
}

// Deprecated reports whether id is, exactly as spelled, a deprecated SPDX
// license id such as "GPL-2.0", "GPL-2.0+" or "LGPL-2.1".
func Deprecated(id string) bool {
	ok, canon := spdxlicenses.IsDeprecatedLicense(id)
	return ok && canon == id
}

// KnownLicense reports whether id is, exactly as spelled, an active or
// deprecated SPDX license id (no "+", no WITH).
func KnownLicense(id string) bool {
	canon, ok := licenseID(id)
	return ok && canon == id
}

// KnownException reports whether id is, exactly as spelled, an SPDX
// license exception id such as "LLVM-exception".
func KnownException(id string) bool {
	canon, ok := exceptionID(id)
	return ok && canon == id
}

// isRef reports whether id is a LicenseRef- or DocumentRef- reference
// with the SPDX idstring syntax: LicenseRef-[A-Za-z0-9.-]+, optionally
// preceded by DocumentRef-[A-Za-z0-9.-]+: .
func isRef(id string) bool {
	if doc, rest, ok := strings.Cut(id, ":"); ok {
		if !strings.HasPrefix(doc, "DocumentRef-") || !idString(doc[len("DocumentRef-"):]) {
			return false
		}
		id = rest
	}
	return strings.HasPrefix(id, "LicenseRef-") && idString(id[len("LicenseRef-"):])
}

// idString reports whether s is a non-empty SPDX idstring.
func idString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !idByte(s[i]) {
			return false
		}
	}
	return true
}

// idByte reports whether c may appear in an SPDX id: letters, digits,
// '-' and '.'.
func idByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.'
}
