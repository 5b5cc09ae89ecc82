package rustdist

import (
	"strings"
	"unicode/utf8"
)

type tokKind int

const (
	tokIdent tokKind = iota
	tokPunct
	tokStr   // string literal (normal, raw, byte or C); text is its value
	tokOther // numbers, char literals, lifetimes
)

type token struct {
	kind tokKind
	text string
	line int
}

// lex splits Rust source into the tokens scanRefs needs. Comments
// (including nested block comments and doc comments) are dropped; string
// literals keep their line and decoded value. It never fails: malformed
// input gives some tokens, which at worst miss a reference.
func lex(src []byte) []token {
	s := string(src)
	var toks []token
	line := 1
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case strings.HasPrefix(s[i:], "//"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			depth := 0
			for i < len(s) {
				switch {
				case strings.HasPrefix(s[i:], "/*"):
					depth++
					i += 2
				case strings.HasPrefix(s[i:], "*/"):
					depth--
					i += 2
				default:
					if s[i] == '\n' {
						line++
					}
					i++
				}
				if depth == 0 {
					break
				}
			}
		case c == '"':
			start := line
			val, n, nl := lexString(s[i:])
			toks = append(toks, token{tokStr, val, start})
			i += n
			line += nl
		case c == '\'':
			// char literal or lifetime
			if i+1 < len(s) && s[i+1] == '\\' {
				j := i + 2
				for j < len(s) && s[j] != '\'' && s[j] != '\n' {
					j++
				}
				toks = append(toks, token{tokOther, s[i : j+1], line})
				i = j + 1
				continue
			}
			_, w := utf8.DecodeRuneInString(s[i+1:])
			if i+1+w < len(s) && s[i+1+w] == '\'' {
				toks = append(toks, token{tokOther, s[i : i+2+w], line})
				i += 2 + w
				continue
			}
			toks = append(toks, token{tokPunct, "'", line})
			i++
		case isIdentStart(c):
			j := i
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			word := s[i:j]
			// raw, byte and C string prefixes
			if j < len(s) && (word == "r" || word == "br" || word == "cr") && (s[j] == '"' || s[j] == '#') {
				if val, n, nl, ok := lexRawString(s[j:]); ok {
					toks = append(toks, token{tokStr, val, line})
					i = j + n
					line += nl
					continue
				}
			}
			if j < len(s) && (word == "b" || word == "c") && s[j] == '"' {
				val, n, nl := lexString(s[j:])
				toks = append(toks, token{tokStr, val, line})
				i = j + n
				line += nl
				continue
			}
			if word == "r" && j < len(s) && s[j] == '#' { // raw identifier r#name
				k := j + 1
				for k < len(s) && isIdentChar(s[k]) {
					k++
				}
				toks = append(toks, token{tokIdent, s[j+1 : k], line})
				i = k
				continue
			}
			toks = append(toks, token{tokIdent, word, line})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (isIdentChar(s[j])) {
				j++
			}
			toks = append(toks, token{tokOther, s[i:j], line})
			i = j
		default:
			_, w := utf8.DecodeRuneInString(s[i:])
			toks = append(toks, token{tokPunct, s[i : i+w], line})
			i += w
		}
	}
	return toks
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' }

// lexString reads a "…" literal at the start of s; it returns the
// decoded value (common escapes only), the bytes consumed and the newlines
// inside.
func lexString(s string) (string, int, int) {
	var b strings.Builder
	nl := 0
	i := 1
	for i < len(s) {
		c := s[i]
		switch c {
		case '"':
			return b.String(), i + 1, nl
		case '\n':
			nl++
			b.WriteByte(c)
			i++
		case '\\':
			if i+1 >= len(s) {
				return b.String(), len(s), nl
			}
			e := s[i+1]
			i += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case '\\', '"', '\'':
				b.WriteByte(e)
			case '\n': // line continuation: skip leading whitespace
				nl++
				for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
					if s[i] == '\n' {
						nl++
					}
					i++
				}
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), len(s), nl
}

// lexRawString reads #…#"…"#…# at the start of s (after the r prefix).
func lexRawString(s string) (string, int, int, bool) {
	h := 0
	for h < len(s) && s[h] == '#' {
		h++
	}
	if h >= len(s) || s[h] != '"' {
		return "", 0, 0, false
	}
	end := "\"" + strings.Repeat("#", h)
	k := strings.Index(s[h+1:], end)
	if k < 0 {
		return "", 0, 0, false
	}
	val := s[h+1 : h+1+k]
	return val, h + 1 + k + len(end), strings.Count(val, "\n"), true
}
