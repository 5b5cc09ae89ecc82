package advisory

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// Collections: the top folders of the advisory database.
const (
	CollectionCrates = "crates" // advisories against crates.io packages
	CollectionRust   = "rust"   // advisories against Rust itself: std, core, alloc, cargo, rustdoc, ...
)

// Informational kinds the database uses; other values may appear and are
// kept as written.
const (
	Unmaintained = "unmaintained"
	Unsound      = "unsound"
	Notice       = "notice"
)

// Advisory is one advisory: the TOML front matter of its file, and the
// title and description of its Markdown body.
type Advisory struct {
	// ID ("RUSTSEC-2024-0006", or a CVE id under rust/), Package (the
	// crate's name, or std, cargo, ...) and URL are the [advisory] fields;
	// Title is the body's first "# " heading and Description the Markdown
	// after it.
	ID, Package, Title, Description, URL string
	Date                                 time.Time // [advisory] date, UTC midnight
	Aliases, Related, Categories         []string
	Keywords, References                 []string
	// Informational is the kind of an informational advisory
	// (Unmaintained, Unsound, Notice, or another word); "" for a
	// vulnerability.
	Informational string
	Withdrawn     time.Time // zero when not withdrawn
	CVSS          string    // a CVSS vector; "" when none is given
	License       string    // the advisory text's license; "" means CC0-1.0
	// Patched and Unaffected are [versions]: a version that matches one
	// of them is not affected.
	Patched, Unaffected []Req
	// Functions maps the canonical paths of affected functions to the
	// versions in which they are affected ([affected.functions]).
	Functions map[string][]Req
	OS, Arch  []string // [affected]: the targets affected; empty means all
	// Collection is CollectionCrates or CollectionRust (the top folder);
	// File is the path relative to the database root, slash-separated.
	// Both are set by Load and empty from ParseAdvisory.
	Collection, File string
}

// IsWithdrawn reports whether the advisory was withdrawn.
func (a *Advisory) IsWithdrawn() bool { return !a.Withdrawn.IsZero() }

// Affects reports whether version v of the advisory's package is
// affected: it matches none of Patched and none of Unaffected. It does not
// look at the package name, the target or withdrawal.
func (a *Advisory) Affects(v Version) bool {
	for _, rs := range [2][]Req{a.Patched, a.Unaffected} {
		for _, r := range rs {
			if r.Matches(v) {
				return false
			}
		}
	}
	return true
}

// Names returns the advisory's ID followed by its aliases.
func (a *Advisory) Names() []string { return append([]string{a.ID}, a.Aliases...) }

// frontMatter is the TOML schema of an advisory (see the database's
// README.md). Fields it does not name are ignored, so a field added to the
// schema later does not stop an advisory from being read.
type frontMatter struct {
	Advisory struct {
		ID            string   `toml:"id"`
		Package       string   `toml:"package"`
		Date          any      `toml:"date"`
		Withdrawn     any      `toml:"withdrawn"`
		URL           string   `toml:"url"`
		Title         string   `toml:"title"`       // the schema's first version
		Description   string   `toml:"description"` // the schema's first version
		Informational string   `toml:"informational"`
		Categories    []string `toml:"categories"`
		Keywords      []string `toml:"keywords"`
		Aliases       []string `toml:"aliases"`
		Related       []string `toml:"related"`
		References    []string `toml:"references"`
		CVSS          string   `toml:"cvss"`
		License       string   `toml:"license"`
	} `toml:"advisory"`
	Affected struct {
		Arch      []string            `toml:"arch"`
		OS        []string            `toml:"os"`
		Functions map[string][]string `toml:"functions"`
	} `toml:"affected"`
	Versions struct {
		Patched    *[]string `toml:"patched"`
		Unaffected []string  `toml:"unaffected"`
	} `toml:"versions"`
}

// ErrNoFrontMatter is wrapped when a file does not start with a ```toml
// fenced block.
var ErrNoFrontMatter = errors.New("no ```toml front matter at the start of the file")

// ParseAdvisory reads an advisory file: a ```toml fenced block (the front
// matter) at its start, then Markdown whose first "# " heading is the
// title and whose remainder is the description. It requires an id, a
// package, a date (YYYY-MM-DD), [versions] patched (which may be empty)
// and that every version requirement parses. Collection and File are left
// empty.
func ParseAdvisory(data []byte) (*Advisory, error) {
	front, body, err := splitFrontMatter(data)
	if err != nil {
		return nil, err
	}
	var fm frontMatter
	if err := toml.Unmarshal(front, &fm); err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	a, err := fromFrontMatter(&fm)
	if err != nil {
		return nil, err
	}
	a.Title, a.Description = splitTitle(body)
	if a.Title == "" {
		a.Title = strings.TrimSpace(fm.Advisory.Title)
	}
	if a.Description == "" {
		a.Description = strings.TrimSpace(fm.Advisory.Description)
	}
	return a, nil
}

// splitFrontMatter returns the TOML between the opening ```toml line and
// the next ``` line, and what follows. Blank lines may precede the fence;
// CRLF line ends are read as LF.
func splitFrontMatter(data []byte) (front, body []byte, err error) {
	text := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	text = bytes.TrimPrefix(text, []byte("\ufeff"))
	text = bytes.TrimLeft(text, " \t\n")
	open, rest, ok := bytes.Cut(text, []byte("\n"))
	if !ok || string(bytes.TrimRight(open, " \t")) != "```toml" {
		return nil, nil, ErrNoFrontMatter
	}
	for off := 0; off <= len(rest); {
		line, _, _ := bytes.Cut(rest[off:], []byte("\n"))
		if string(bytes.TrimRight(line, " \t")) == "```" {
			end := min(off+len(line)+1, len(rest))
			return rest[:off], rest[end:], nil
		}
		off += len(line) + 1
	}
	return nil, nil, errors.New("the ```toml front matter is not closed by a ``` line")
}

// splitTitle returns the text of the body's first line when it is a
// "# " heading, and the rest of the body, both trimmed.
func splitTitle(body []byte) (title, description string) {
	text := strings.TrimSpace(string(body))
	first, rest, _ := strings.Cut(text, "\n")
	if t, ok := strings.CutPrefix(first, "# "); ok {
		return strings.TrimSpace(t), strings.TrimSpace(rest)
	}
	return "", text
}

// fromFrontMatter checks the front matter and converts it.
func fromFrontMatter(fm *frontMatter) (*Advisory, error) {
	h := &fm.Advisory
	if h.ID == "" {
		return nil, errors.New("[advisory] id is missing")
	}
	if h.Package == "" {
		return nil, errors.New("[advisory] package is missing")
	}
	a := &Advisory{
		ID: h.ID, Package: h.Package, URL: h.URL,
		Aliases: h.Aliases, Related: h.Related, Categories: h.Categories,
		Keywords: h.Keywords, References: h.References,
		Informational: h.Informational, CVSS: h.CVSS, License: h.License,
		OS: fm.Affected.OS, Arch: fm.Affected.Arch,
	}
	var err error
	if a.Date, err = parseDate(h.Date, "date"); err != nil {
		return nil, err
	}
	if a.Date.IsZero() {
		return nil, errors.New("[advisory] date is missing")
	}
	if a.Withdrawn, err = parseDate(h.Withdrawn, "withdrawn"); err != nil {
		return nil, err
	}
	if fm.Versions.Patched == nil {
		return nil, errors.New("[versions] patched is missing (write patched = [] when no version is patched)")
	}
	if a.Patched, err = parseReqs(*fm.Versions.Patched, "[versions] patched"); err != nil {
		return nil, err
	}
	if a.Unaffected, err = parseReqs(fm.Versions.Unaffected, "[versions] unaffected"); err != nil {
		return nil, err
	}
	if len(fm.Affected.Functions) > 0 {
		a.Functions = make(map[string][]Req, len(fm.Affected.Functions))
		names := make([]string, 0, len(fm.Affected.Functions))
		for name := range fm.Affected.Functions {
			names = append(names, name)
		}
		sort.Strings(names) // the first error is always the same one
		for _, name := range names {
			if a.Functions[name], err = parseReqs(fm.Affected.Functions[name], fmt.Sprintf("[affected.functions] %q", name)); err != nil {
				return nil, err
			}
		}
	}
	return a, nil
}

func parseReqs(ss []string, where string) ([]Req, error) {
	var rs []Req
	for _, s := range ss {
		r, err := ParseReq(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// parseDate reads a date written as a "YYYY-MM-DD" string or a TOML local
// date; nil (absent) gives the zero time.
func parseDate(v any, key string) (time.Time, error) {
	switch d := v.(type) {
	case nil:
		return time.Time{}, nil
	case toml.LocalDate:
		return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC), nil
	case string:
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return time.Time{}, fmt.Errorf("[advisory] %s %q is not a YYYY-MM-DD date: %w", key, d, err)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("[advisory] %s is a %T, not a YYYY-MM-DD date", key, v)
}
