package notice

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// Decode returns a license file's bytes as text: UTF-8 as it is (a
// byte-order mark dropped); any other bytes read as ISO 8859-1, the
// encoding of old license files whose "©" is one byte. Line ends become
// "\n".
func Decode(data []byte) string {
	var s string
	if utf8.Valid(data) {
		s = strings.TrimPrefix(string(data), "\ufeff")
	} else {
		r := make([]rune, len(data))
		for i, b := range data {
			r[i] = rune(b)
		}
		s = string(r)
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// Sanitize makes text safe to show: a form feed (which GPL texts use
// between sections) becomes a newline; other control characters but
// tab and newline, and the bidirectional controls that can make text
// read other than it is (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F,
// U+061C), are dropped.
func Sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\f':
			return '\n'
		case r == '\n', r == '\t':
			return r
		case r < ' ', r == 0x7f, r >= 0x80 && r < 0xa0:
			return -1
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return -1
		}
		return r
	}, s)
}

// Body returns a license file as the notice prints it: decoded,
// sanitized, each line's trailing blanks removed, and the blank lines
// at its start and end dropped.
func Body(data []byte) string {
	lines := strings.Split(Sanitize(Decode(data)), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// TextHash is the hash by which the notice tells license texts apart:
// the lowercase hex SHA-256 of the body's words joined by single
// spaces, so that texts that differ only in white space or line
// wrapping are one text. Texts that differ in any word (a copyright
// line, a name) are distinct.
func TextHash(body string) string {
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(body), " ")))
	return hex.EncodeToString(sum[:])
}
