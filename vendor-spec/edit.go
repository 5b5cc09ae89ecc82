package vendorspec

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2/unstable"
)

// SpecFile is an rvendor.toml kept byte for byte, for the edits rvendor
// makes to it (update --to, adopt), in the way golang.org/x/mod/modfile
// keeps a go.mod: ParseEditable reads the file and keeps its syntax,
// each edit changes only the bytes it must (comments, blank lines, quote
// styles, key order and line ends elsewhere stay as written), and Bytes
// returns the file. Every edit re-parses and validates the result: when
// that fails, the edit returns the validation error and the SpecFile is
// left as it was.
type SpecFile struct {
	// Spec is the parsed and validated spec of the current bytes: after
	// an edit, its values and positions are those of Bytes().
	Spec *Spec

	path string
	data []byte
}

// ParseEditable parses and validates the bytes of a spec read from path
// (as Parse does) and keeps them for editing.
func ParseEditable(path string, data []byte) (*SpecFile, error) {
	s, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	return &SpecFile{Spec: s, path: path, data: slices.Clone(data)}, nil
}

// Bytes returns the spec's current bytes.
func (f *SpecFile) Bytes() []byte { return slices.Clone(f.data) }

// SetComponentVersion sets the version of the component named name: only
// the bytes of that value change (see SetComponentString).
func (f *SpecFile) SetComponentVersion(name, version string) error {
	return f.SetComponentString(name, "version", version)
}

// SetComponentString sets key of the component named name to value,
// rewriting only the bytes of the value as written: a 'literal' string
// stays literal when value can be written so, a "basic" one stays basic.
// A key that is not written in that component's table, or whose value is
// not a one-line string (a multi-line string, an array, a number), is
// refused with an *Error at the value, as is a result that does not
// validate (the validation error is returned).
func (f *SpecFile) SetComponentString(name, key, value string) error {
	comps, err := f.components()
	if err != nil {
		return err
	}
	var c *componentSyntax
	for i := range comps {
		if comps[i].name == name {
			c = &comps[i]
			break
		}
	}
	if c == nil {
		return &Error{Pos: Position{File: f.path}, Msg: fmt.Sprintf("no component is named %q", name),
			Hint: "name a [[component]] of rvendor.toml"}
	}
	v, ok := c.values[key]
	if !ok {
		return &Error{Pos: c.header, Msg: fmt.Sprintf("component %s: %s is not written in its table", name, key),
			Hint: fmt.Sprintf("add %s = \"...\" to it by hand", key)}
	}
	var raw []byte
	if v.kind == unstable.String {
		raw = f.data[v.start:v.end]
	}
	switch {
	case v.kind != unstable.String:
		return &Error{Pos: v.pos, Msg: fmt.Sprintf("component %s: %s is %s, not a string; rvendor edits only one-line string values", name, key, kindName(v.kind)),
			Hint: fmt.Sprintf("write %s = \"...\" on one line", key)}
	case bytes.HasPrefix(raw, []byte(`"""`)) || bytes.HasPrefix(raw, []byte(`'''`)):
		return &Error{Pos: v.pos, Msg: fmt.Sprintf("component %s: %s is a multi-line string; rvendor edits only one-line string values", name, key),
			Hint: fmt.Sprintf("write %s = \"...\" on one line", key)}
	}
	if !utf8.ValidString(value) {
		return &Error{Pos: v.pos, Msg: fmt.Sprintf("component %s: the new %s %q is not valid UTF-8, which a TOML file cannot hold", name, key, value),
			Hint: "give a UTF-8 value"}
	}
	repl := quote(value)
	if raw[0] == '\'' && literalOK(value) {
		repl = "'" + value + "'"
	}
	out := make([]byte, 0, len(f.data)-len(raw)+len(repl))
	out = append(out, f.data[:v.start]...)
	out = append(out, repl...)
	out = append(out, f.data[v.end:]...)
	return f.replace(out)
}

// literalOK reports whether s can be written as a TOML literal string.
func literalOK(s string) bool {
	for _, r := range s {
		if r == '\'' || r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// AddComponent appends a [[component]] table for c after the existing
// bytes, which are kept as they are. comment, if not empty, is written
// above the table as "# " lines. The keys are written in the spec's order
// (name, kind, version, url, sha256, crate, lockfile, platforms, root,
// paths, exclude, dest, license, patches), each only when set, crate
// only when it differs from name; a list is written on one line when it
// has one element, else one element per line, and paths are sorted. The
// file's line ends (LF or CRLF) are kept. The result must validate (a
// duplicate name, an overlapping dest...), else the validation error is
// returned. The spec's component, as parsed back, is the last of
// f.Spec.Components; paths being sorted, use it rather than c.
func (f *SpecFile) AddComponent(c *Component, comment string) error {
	if c == nil {
		return fmt.Errorf("AddComponent: no component")
	}
	for _, r := range comment {
		if r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f) {
			return fmt.Errorf("component %s: the comment has a control character", c.Name)
		}
	}
	if key := notUTF8(c, comment); key != "" {
		// quote would write U+FFFD for the bad bytes: the spec would name
		// another folder or version than the one given.
		return fmt.Errorf("component %s: %s is not valid UTF-8, which a TOML file cannot hold", c.Name, key)
	}
	eol := "\n"
	if i := bytes.IndexByte(f.data, '\n'); i > 0 && f.data[i-1] == '\r' {
		eol = "\r\n"
	}
	b := slices.Clone(f.data)
	if len(trimBOM(b)) > 0 {
		if !bytes.HasSuffix(b, []byte("\n")) {
			b = append(b, eol...)
		}
		b = append(b, eol...)
	}
	if comment != "" {
		for line := range strings.SplitSeq(strings.TrimRight(comment, "\n"), "\n") {
			line = strings.TrimSuffix(line, "\r")
			if line == "" {
				b = append(b, "#"+eol...)
			} else {
				b = append(b, "# "+line+eol...)
			}
		}
	}
	b = append(b, "[[component]]"+eol...)
	str := func(key, val string) {
		if val != "" {
			b = append(b, key+" = "+quote(val)+eol...)
		}
	}
	list := func(key string, vals []string) {
		switch len(vals) {
		case 0:
		case 1:
			b = append(b, key+" = ["+quote(vals[0])+"]"+eol...)
		default:
			b = append(b, key+" = ["+eol...)
			for _, v := range vals {
				b = append(b, "  "+quote(v)+","+eol...)
			}
			b = append(b, "]"+eol...)
		}
	}
	str("name", c.Name)
	str("kind", c.Kind)
	str("version", c.Version)
	str("url", c.URL)
	str("sha256", c.SHA256)
	if c.Crate != c.Name {
		str("crate", c.Crate)
	}
	str("lockfile", c.Lockfile)
	list("platforms", c.Platforms)
	str("root", c.Root)
	list("paths", slices.Sorted(slices.Values(c.Paths)))
	list("exclude", c.Exclude)
	str("dest", c.Dest)
	str("license", c.License)
	str("patches", c.Patches)
	return f.replace(b)
}

// notUTF8 returns the first of c's values (or "comment") that is not
// valid UTF-8, or "".
func notUTF8(c *Component, comment string) string {
	for _, kv := range []struct {
		key  string
		vals []string
	}{
		{"name", []string{c.Name}}, {"kind", []string{c.Kind}}, {"version", []string{c.Version}},
		{"url", []string{c.URL}}, {"sha256", []string{c.SHA256}}, {"crate", []string{c.Crate}},
		{"lockfile", []string{c.Lockfile}}, {"platforms", c.Platforms}, {"root", []string{c.Root}},
		{"paths", c.Paths}, {"exclude", c.Exclude}, {"dest", []string{c.Dest}},
		{"license", []string{c.License}}, {"patches", []string{c.Patches}}, {"comment", []string{comment}},
	} {
		for _, v := range kv.vals {
			if !utf8.ValidString(v) {
				return kv.key
			}
		}
	}
	return ""
}

// replace makes data the spec's bytes if they validate.
func (f *SpecFile) replace(data []byte) error {
	s, err := Parse(f.path, data)
	if err != nil {
		return err
	}
	f.Spec, f.data = s, data
	return nil
}

// componentSyntax is where one [[component]] table's values are written.
type componentSyntax struct {
	name   string // its name value, if a string
	header Position
	values map[string]valueSyntax // key -> value
}

type valueSyntax struct {
	kind       unstable.Kind
	start, end int      // offsets in SpecFile.data, quotes included (strings only)
	pos        Position // of the key, as Spec positions are
}

// components locates every [[component]] table's values in the bytes.
func (f *SpecFile) components() ([]componentSyntax, error) {
	body := trimBOM(f.data)
	off := len(f.data) - len(body)
	d := &decoder{file: f.path, data: body}
	d.p.Reset(body)
	var out []componentSyntax
	var cur *componentSyntax
	for d.p.NextExpression() {
		e := d.p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			name, at := d.key(e.Key())
			cur = nil
			if e.Kind == unstable.ArrayTable && name == "component" {
				out = append(out, componentSyntax{header: at, values: map[string]valueSyntax{}})
				cur = &out[len(out)-1]
			}
		case unstable.KeyValue:
			if cur == nil {
				continue
			}
			key, at := d.key(e.Key())
			v := e.Value()
			start := off + int(v.Raw.Offset)
			cur.values[key] = valueSyntax{kind: v.Kind, start: start, end: start + int(v.Raw.Length), pos: at}
			if key == "name" && v.Kind == unstable.String {
				cur.name = string(v.Data)
			}
		}
	}
	if err := d.p.Error(); err != nil {
		// ParseEditable and every edit validated the bytes.
		return nil, fmt.Errorf("%s: %w", f.path, err)
	}
	return out, nil
}
