// Package quote prints names for people: a file, patch or crate name
// taken from an archive, a patch folder or a lock is shown as it is when
// that cannot mislead, and quoted like Go's %q otherwise, so that a name
// can neither forge a line of a report nor hide what it is.
//
// A name is quoted when it:
//   - is empty;
//   - is not valid UTF-8;
//   - holds a character that strconv.IsPrint refuses: control characters
//     (newline, carriage return, escape, NUL...), and also format and
//     separator characters such as the bidirectional overrides (U+202E)
//     or the no-break space, which would make a name read as another;
//   - begins or ends with a space, which a reader cannot see;
//   - begins with a double quote, which would read as a quoted name.
//
// Other names, spaces and non-ASCII letters included, are printed as
// they are, as git does with core.quotePath off. Quoting is only for
// human-readable output: JSON output keeps names raw (encoding/json
// escapes them).
package quote

import (
	"strconv"
	"unicode/utf8"
)

// Path returns name as it should be printed for people: name itself when
// Needed says no, else strconv.Quote(name). For example the file name
// "evil.rs\ndemo: clean" is printed "evil.rs\ndemo: clean" with its
// quotes and a backslash-n, on one line.
//
// Path works on any text that must stay one line of output, not only
// paths.
func Path(name string) string {
	if !Needed(name) {
		return name
	}
	return strconv.Quote(name)
}

// Needed reports whether Path quotes name: see the package documentation.
func Needed(name string) bool {
	if name == "" || name[0] == ' ' || name[0] == '"' || name[len(name)-1] == ' ' {
		return true
	}
	for i := 0; i < len(name); {
		c := name[i]
		if c < utf8.RuneSelf {
			if c < ' ' || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(name[i:])
		if r == utf8.RuneError && size == 1 || !strconv.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}
