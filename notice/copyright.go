package notice

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rvendor/rvendor/internal/lazyre"
)

// MaxCopyrightLine caps one copyright line as the notice keeps it; a
// longer line is cut there (and marked with "...").
const MaxCopyrightLine = 300

var (
	// copyrightStart matches a line that opens with a copyright mark:
	// "Copyright", "(c)" or "©", after comment leaders.
	copyrightStart = lazyre.New(`^(?i)(?:copyright\b|\(c\)|©)`)
	// inner matches a copyright notice inside a line: "Original work
	// Copyright (c) 2014 ...", "Portions Copyright 2015 ...".
	inner = lazyre.New(`(?i)\bcopyright\s*(?:\(c\)|©)\s*\S|\bcopyright\s+(?:\(c\)\s*)?\d{4}`)
	// leader is what comment syntax puts before a header's text.
	leader = lazyre.New(`^(?:[-/*#;!%]+|\(\*|<!--|\.\.|rem\b)\s*`)
	// placeholder matches the placeholders of license texts' "how to apply"
	// sections: "Copyright [yyyy] [name of copyright owner]".
	placeholder = lazyre.New(`(?i)[\[<{](?:yyyy|year|name|owner|copyright|fullname|author)|<\s*year\s*>|\byyyy\b`)
	// prose matches the word after "copyright" in a sentence about
	// copyright rather than a notice: "copyright notice", "copyright
	// holders", "COPYRIGHT OWNER".
	prose = lazyre.New(`^(?i)copyright\s+(?:notices?|holders?|owners?|licen[cs]es?|laws?|protection|statements?|and|or|of|to|is|in|for|the\s+above|this|that|which|disclaimer|interest|infringement)\b`)
)

// Copyrights returns the copyright lines of a license, COPYRIGHT or
// NOTICE file: each line that opens (after comment leaders such as "//"
// or "#") with "Copyright", "(c)" or "©" and is a notice, not a
// sentence about copyright ("copyright holders", "copyright notice")
// nor a template ("Copyright [yyyy] [name of copyright owner]"); and
// each line that holds "Copyright (c)", "Copyright ©" or "Copyright"
// and a year further on ("Original work Copyright (c) 2014 ..."). A line
// that opens with "(c)" must go on with a year or a name in capitals,
// so that list items such as Apache-2.0's "(c) You must retain" are
// not taken. Each line is returned once, trimmed, in the file's order,
// made printable (Sanitize) and cut at MaxCopyrightLine bytes.
func Copyrights(data []byte) []string {
	var out []string
	seen := map[string]bool{}
	for _, line := range strings.Split(Decode(data), "\n") {
		l := strings.TrimSpace(line)
		for {
			m := leader().FindString(l)
			if m == "" {
				break
			}
			l = strings.TrimSpace(l[len(m):])
		}
		l = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(l, "*/"), "-->"))
		if !mayBeCopyright(l) || !isCopyright(l) {
			continue
		}
		l = strings.Join(strings.Fields(Sanitize(l)), " ")
		if len(l) > MaxCopyrightLine {
			cut := MaxCopyrightLine
			for cut > 0 && !utf8.RuneStart(l[cut]) {
				cut--
			}
			l = l[:cut] + "..."
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// mayBeCopyright is a cheap first look: whether l holds "copyright" (in
// any case), "(c)", "(C)" or "©" at all.
func mayBeCopyright(l string) bool {
	if strings.Contains(l, "©") || strings.Contains(l, "(c)") || strings.Contains(l, "(C)") {
		return true
	}
	for i := strings.IndexAny(l, "cC"); i >= 0 && i+9 <= len(l); {
		if strings.EqualFold(l[i:i+9], "copyright") {
			return true
		}
		j := strings.IndexAny(l[i+1:], "cC")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// isCopyright reports whether the trimmed line l is a copyright notice.
func isCopyright(l string) bool {
	if placeholder().MatchString(l) {
		return false
	}
	m := copyrightStart().FindString(l)
	if m == "" {
		return inner().MatchString(l)
	}
	if prose().MatchString(l) {
		return false
	}
	rest := strings.TrimSpace(l[len(m):])
	if strings.EqualFold(m, "(c)") {
		// "(c) 2015 Jane Doe" or "(c) Jane Doe", not a list item such
		// as "(c) You must retain ...".
		r, _ := utf8.DecodeRuneInString(rest)
		return unicode.IsDigit(r) || (unicode.IsUpper(r) && !strings.HasPrefix(rest, "You ") && !strings.HasPrefix(rest, "If ") && !strings.HasPrefix(rest, "The "))
	}
	// "Copyright (c) 2015 ...", "Copyright 2019 ...", "Copyright © ...",
	// "Copyright The Rust Project Developers": something must follow.
	return strings.ContainsFunc(rest, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}
