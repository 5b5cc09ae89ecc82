// Package tomltest is test support: it writes strings as TOML, for tests
// that build TOML documents (specs, locks, manifests) from fuzzed input.
package tomltest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// String writes s as a TOML basic string ("...", with \" \\ and \uXXXX
// escapes), or says it cannot be: TOML text is UTF-8.
func String(s string) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), true
}
