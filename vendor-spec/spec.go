package vendorspec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// SpecName is the spec's file name, looked for by Find.
const SpecName = "rvendor.toml"

// Find returns the path of the spec that governs dir: dir/rvendor.toml, or
// the first one found walking up towards the root, the way git finds .git.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; {
		p := filepath.Join(d, SpecName)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no %s in %s or any parent folder (run rvendor init to write one, or pass --spec): %w", SpecName, abs, fs.ErrNotExist)
		}
		d = parent
	}
}

// Load reads and validates the spec at path.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading spec: %w", err)
	}
	return Parse(path, data)
}

// Parse parses and validates the bytes of a spec read from path. Every
// problem found is returned, as an ErrorList in file order. A leading
// UTF-8 byte order mark is skipped (positions count from after it, as
// editors show them).
func Parse(path string, data []byte) (*Spec, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	d := &decoder{file: path, data: trimBOM(data)}
	s := &Spec{
		Path:      abs,
		Dir:       filepath.Dir(abs),
		Toolchain: Toolchain{Pos: Positions{}},
		Sources:   Sources{Pos: Positions{}},
		Policy:    Policy{Pos: Positions{}},
	}
	d.decode(s)
	if d.syntax {
		return nil, d.errs
	}
	d.decoded = map[Position]bool{}
	for _, e := range d.errs {
		d.decoded[e.Pos] = true
	}
	n := len(d.errs)
	validate(s, d)
	// A value of the wrong type was reported once: drop what validation
	// then says of the same place.
	kept := d.errs[:n]
	for _, e := range d.errs[n:] {
		if !d.decoded[e.Pos] {
			kept = append(kept, e)
		}
	}
	if len(kept) > 0 {
		kept.sort()
		return nil, kept
	}
	return s, nil
}

// decoder walks the TOML syntax tree so that every key and value keeps its
// position, every unknown or duplicate key is reported, and type errors
// name the key.
type decoder struct {
	file   string
	data   []byte
	p      unstable.Parser
	errs   ErrorList
	syntax bool // the TOML itself is broken: validation is skipped
	// decoded holds the positions of the errors decoding found (a value
	// of the wrong type, an unknown or repeated key), for validation.
	decoded map[Position]bool
}

// badType reports whether key is written in the table whose positions
// are pos with a value decoding refused (of the wrong type): that was
// reported, and validation says nothing more of it. A value of the right
// type, even an empty string or list, is validated.
func (d *decoder) badType(pos Positions, key string) bool {
	p, ok := pos[key]
	return ok && d.decoded[p]
}

func (d *decoder) pos(r unstable.Range) Position {
	if r.Length == 0 && r.Offset == 0 {
		return Position{File: d.file, Line: 1, Col: 1}
	}
	sh := d.p.Shape(r)
	return Position{File: d.file, Line: sh.Start.Line, Col: sh.Start.Column}
}

func (d *decoder) errorf(pos Position, hint, format string, args ...any) {
	d.errs = append(d.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

// table is where the key/values that follow a header go.
type table struct {
	name string // "", "toolchain", "sources", "component"
	pos  Positions
	set  func(key string, v *unstable.Node, pos Position)
}

// decode reads the spec's TOML expression by expression: a table header
// chooses the table the key/values that follow go to. A syntax error
// replaces every other error (d.syntax is set).
func (d *decoder) decode(s *Spec) {
	d.p.Reset(d.data)
	named := map[string]*table{
		"toolchain": d.toolchainTable(&s.Toolchain),
		"sources":   d.sourcesTable(&s.Sources),
		"policy":    d.policyTable(&s.Policy),
	}
	named["policy.licenses"] = d.licensesTable(&s.Policy.Licenses, "")
	named["policy.advisories"] = d.advisoriesTable(&s.Policy.Advisories)
	for _, r := range Roles() {
		named["policy.licenses."+r] = d.licensesTable(&s.Policy.Licenses, r)
	}
	seen := map[string]Position{} // named table -> its first header
	cur := d.topTable(s)
	for d.p.NextExpression() {
		e := d.p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			cur = d.header(s, e, named, seen)
		case unstable.KeyValue:
			d.keyValue(cur, "", e, named)
		}
	}
	if err := d.p.Error(); err != nil {
		d.syntaxError(err)
	}
}

// header returns the table that a [name] or [[name]] header opens,
// reporting a named table written twice, [component] without double
// brackets and an unknown table (whose keys are then ignored).
func (d *decoder) header(s *Spec, e *unstable.Node, named map[string]*table, seen map[string]Position) *table {
	name, kpos := d.key(e.Key())
	array := e.Kind == unstable.ArrayTable
	switch {
	case !array && named[name] != nil:
		if prev, dup := seen[name]; dup {
			d.errorf(kpos, "merge the two tables", "[%s] is written twice (first at line %d)", name, prev.Line)
		}
		seen[name] = kpos
		t := named[name]
		t.pos[""] = kpos
		return t
	case name == "component" && array:
		return d.componentTable(s, kpos)
	case name == "policy.licenses.exception" && array:
		return d.exceptionTable(&s.Policy.Licenses, kpos)
	case name == "policy.licenses.clarify" && array:
		return d.clarifyTable(&s.Policy.Licenses, kpos)
	case name == "policy.advisories.ignore" && array:
		return d.ignoreTable(&s.Policy.Advisories, kpos)
	case name == "component":
		d.errorf(kpos, "write [[component]] with double brackets", "[component] must be an array of tables")
		return d.componentTable(s, kpos)
	}
	brackets := "[%s]"
	if array {
		brackets = "[[%s]]"
	}
	d.errorf(kpos, "the tables are [toolchain], [sources], [policy], [policy.licenses] (with [policy.licenses.built-in], [policy.licenses.host-tool], [[policy.licenses.exception]], [[policy.licenses.clarify]]), [policy.advisories] (with [[policy.advisories.ignore]]) and [[component]]", "unknown table "+brackets, name)
	return &table{pos: Positions{}, set: func(string, *unstable.Node, Position) {}}
}

// syntaxError replaces every error found so far by the parser's err, at
// the place it highlights.
func (d *decoder) syntaxError(err error) {
	var pe *unstable.ParserError
	pos := Position{File: d.file, Line: 1, Col: 1}
	if errors.As(err, &pe) && len(pe.Highlight) > 0 {
		pos = d.pos(d.p.Range(pe.Highlight))
	}
	d.errs = nil
	d.syntax = true
	d.errorf(pos, "fix the TOML syntax", "%s", strings.TrimPrefix(err.Error(), "toml: "))
}

// topTable is the table of the keys written before any header.
func (d *decoder) topTable(s *Spec) *table {
	t := &table{pos: Positions{}}
	t.set = func(key string, v *unstable.Node, pos Position) {
		switch key {
		case "version":
			s.Version = d.int(key, v, pos)
		default:
			d.unknown(key, pos, "top-level keys are version, [toolchain], [sources], [policy] and [[component]]")
		}
	}
	return t
}

func (d *decoder) toolchainTable(tc *Toolchain) *table {
	t := &table{name: "toolchain", pos: tc.Pos}
	t.set = func(key string, v *unstable.Node, pos Position) {
		switch key {
		case "rustc":
			tc.Rustc = d.str(key, v, pos)
		case "bindgen":
			tc.Bindgen = d.str(key, v, pos)
		case "libclang":
			tc.Libclang = d.str(key, v, pos)
		case "require-llvm-match":
			tc.RequireLLVMMatch = d.bool(key, v, pos)
		default:
			d.unknown(key, pos, "[toolchain] keys are rustc, bindgen, libclang and require-llvm-match")
		}
	}
	return t
}

func (d *decoder) sourcesTable(src *Sources) *table {
	t := &table{name: "sources", pos: src.Pos}
	t.set = func(key string, v *unstable.Node, pos Position) {
		switch key {
		case "rust-dist":
			src.RustDist = d.str(key, v, pos)
		case "crates-index":
			src.CratesIndex = d.str(key, v, pos)
		case "mirrors":
			src.Mirrors = d.strs(key, v, pos, src.Pos)
		case "keyring":
			src.Keyring = d.str(key, v, pos)
		case "allow-unsigned":
			src.AllowUnsigned = d.bool(key, v, pos)
		default:
			d.unknown(key, pos, "[sources] keys are rust-dist, crates-index, mirrors, keyring and allow-unsigned")
		}
	}
	return t
}

func (d *decoder) policyTable(pol *Policy) *table {
	t := &table{name: "policy", pos: pol.Pos}
	t.set = func(key string, v *unstable.Node, pos Position) {
		switch key {
		case "network-allow":
			pol.NetworkAllow = d.strs(key, v, pos, pol.Pos)
		default:
			if rest, ok := strings.CutPrefix(key, "licenses."); ok {
				d.licensesKey(&pol.Licenses, rest, v, pos)
				return
			}
			if rest, ok := strings.CutPrefix(key, "advisories."); ok {
				d.advisoriesKey(&pol.Advisories, rest, v, pos)
				return
			}
			d.unknown(key, pos, "[policy] keys are network-allow, and the tables [policy.licenses] and [policy.advisories]")
		}
	}
	return t
}

// licensesTable is [policy.licenses], or with role set, its
// [policy.licenses.ROLE] table.
func (d *decoder) licensesTable(l *Licenses, role string) *table {
	name := "policy.licenses"
	if role != "" {
		name += "." + role
	}
	t := &table{name: name, pos: Positions{}}
	t.set = func(key string, v *unstable.Node, pos Position) {
		if role != "" {
			key = role + "." + key
		}
		d.licensesKey(l, key, v, pos)
	}
	return t
}

// licensesKey sets key (below policy.licenses) of l.
func (d *decoder) licensesKey(l *Licenses, key string, v *unstable.Node, pos Position) {
	if l.Pos == nil {
		l.Pos = Positions{}
	}
	r, rkey := &l.Rules, key
	if role, rest, ok := strings.Cut(key, "."); ok && slices.Contains(Roles(), role) {
		if l.Roles == nil {
			l.Roles = map[string]*LicenseRules{}
		}
		if l.Roles[role] == nil {
			l.Roles[role] = &LicenseRules{Pos: Positions{"": pos}}
		}
		r, rkey = l.Roles[role], rest
	}
	if r.Pos == nil {
		r.Pos = Positions{}
	}
	r.Pos[rkey] = pos
	switch rkey {
	case "kernel":
		r.Kernel = d.bool(key, v, pos)
	case "allow":
		r.Allow = d.strs(rkey, v, pos, r.Pos)
	default:
		d.unknown("policy.licenses."+key, pos, "[policy.licenses] keys are kernel and allow, and tables [policy.licenses.built-in], [policy.licenses.host-tool], [[policy.licenses.exception]] and [[policy.licenses.clarify]]")
	}
}

// advisoriesTable is [policy.advisories].
func (d *decoder) advisoriesTable(a *Advisories) *table {
	if a.Pos == nil {
		a.Pos = Positions{}
	}
	t := &table{name: "policy.advisories", pos: a.Pos}
	t.set = func(key string, v *unstable.Node, pos Position) { d.advisoriesKey(a, key, v, pos) }
	return t
}

// advisoriesKey sets key (below policy.advisories) of a.
func (d *decoder) advisoriesKey(a *Advisories, key string, v *unstable.Node, pos Position) {
	if a.Pos == nil {
		a.Pos = Positions{}
	}
	a.Pos[key] = pos
	switch key {
	case "db":
		a.DB = d.str(key, v, pos)
	case "max-age-days":
		a.MaxAgeDays = d.int(key, v, pos)
	case "os":
		a.OS = d.str(key, v, pos)
	case "arch":
		a.Arch = d.str(key, v, pos)
	default:
		d.unknown("policy.advisories."+key, pos, "[policy.advisories] keys are db, max-age-days, os and arch, and the table [[policy.advisories.ignore]]")
	}
}

// ignoreTable appends an ignored advisory to a, its header at header.
func (d *decoder) ignoreTable(a *Advisories, header Position) *table {
	x := &AdvisoryIgnore{Pos: Positions{"": header}}
	a.Ignore = append(a.Ignore, x)
	t := &table{name: "policy.advisories.ignore", pos: x.Pos}
	t.set = func(key string, v *unstable.Node, pos Position) {
		switch key {
		case "id":
			x.ID = d.str(key, v, pos)
		case "reason":
			x.Reason = d.str(key, v, pos)
		default:
			d.unknown(key, pos, "[[policy.advisories.ignore]] keys are id and reason")
		}
	}
	return t
}

// exceptionTable appends an exception to l, its header at header.
func (d *decoder) exceptionTable(l *Licenses, header Position) *table {
	x := &LicenseException{Pos: Positions{"": header}}
	l.Exceptions = append(l.Exceptions, x)
	t := &table{name: "policy.licenses.exception", pos: x.Pos}
	t.set = func(key string, v *unstable.Node, pos Position) {
		switch key {
		case "component":
			x.Component = d.str(key, v, pos)
		case "crate":
			x.Crate = d.str(key, v, pos)
		case "license":
			x.License = d.str(key, v, pos)
		case "reason":
			x.Reason = d.str(key, v, pos)
		default:
			d.unknown(key, pos, "[[policy.licenses.exception]] keys are component, crate, license and reason")
		}
	}
	return t
}

// clarifyTable appends a clarification to l, its header at header.
func (d *decoder) clarifyTable(l *Licenses, header Position) *table {
	c := &Clarification{Pos: Positions{"": header}}
	l.Clarifications = append(l.Clarifications, c)
	t := &table{name: "policy.licenses.clarify", pos: c.Pos}
	t.set = func(key string, v *unstable.Node, pos Position) {
		switch key {
		case "component":
			c.Component = d.str(key, v, pos)
		case "crate":
			c.Crate = d.str(key, v, pos)
		case "path":
			c.Path = d.str(key, v, pos)
		case "sha256":
			c.SHA256 = d.str(key, v, pos)
		case "license":
			c.License = d.str(key, v, pos)
		case "reason":
			c.Reason = d.str(key, v, pos)
		default:
			d.unknown(key, pos, "[[policy.licenses.clarify]] keys are component, crate, path, sha256, license and reason")
		}
	}
	return t
}

// componentTable appends a component to s, its header at header, and
// returns the table its keys go to.
func (d *decoder) componentTable(s *Spec, header Position) *table {
	c := &Component{Pos: Positions{"": header}}
	s.Components = append(s.Components, c)
	t := &table{name: "component", pos: c.Pos}
	t.set = func(key string, v *unstable.Node, pos Position) {
		switch key {
		case "name":
			c.Name = d.str(key, v, pos)
		case "kind":
			c.Kind = d.str(key, v, pos)
		case "version":
			c.Version = d.str(key, v, pos)
		case "url":
			c.URL = d.str(key, v, pos)
		case "sha256":
			c.SHA256 = d.str(key, v, pos)
		case "crate":
			c.Crate = d.str(key, v, pos)
		case "lockfile":
			c.Lockfile = d.str(key, v, pos)
		case "platforms":
			c.Platforms = d.strs(key, v, pos, c.Pos)
		case "root":
			c.Root = d.str(key, v, pos)
		case "paths":
			c.Paths = d.strs(key, v, pos, c.Pos)
		case "exclude":
			c.Exclude = d.strs(key, v, pos, c.Pos)
		case "dest":
			c.Dest = d.str(key, v, pos)
		case "license":
			c.License = d.str(key, v, pos)
		case "patches":
			c.Patches = d.str(key, v, pos)
		case "role":
			c.Role = d.str(key, v, pos)
		case "spdx-header":
			c.SPDXHeader = d.str(key, v, pos)
		case "readme":
			c.Readme = d.bool(key, v, pos)
		default:
			d.unknown(key, pos, "[[component]] keys are name, kind, version, url, sha256, crate, lockfile, platforms, root, paths, exclude, dest, license, patches, role, spdx-header and readme")
		}
	}
	return t
}

// keyValue applies one key = value to t, following dotted keys
// (toolchain.rustc = "...") and inline tables at the top level.
func (d *decoder) keyValue(t *table, prefix string, e *unstable.Node, subtables map[string]*table) {
	name, pos := d.key(e.Key())
	if prefix != "" {
		name = prefix + "." + name
	}
	v := e.Value()
	if t.name == "" {
		if head, rest, dotted := strings.Cut(name, "."); dotted {
			if sub, ok := subtables[head]; ok {
				if _, seen := sub.pos[rest]; seen {
					d.errorf(pos, "remove one of them", "%s is written twice", name)
					return
				}
				sub.pos[rest] = pos
				sub.set(rest, v, pos)
				return
			}
		}
		if sub, ok := subtables[name]; ok && v.Kind == unstable.InlineTable {
			sub.pos[""] = pos
			it := v.Children()
			for it.Next() {
				d.keyValue(sub, "", it.Node(), nil)
			}
			return
		}
	}
	if _, seen := t.pos[name]; seen {
		d.errorf(pos, "remove one of them", "%s is written twice", name)
		return
	}
	t.pos[name] = pos
	t.set(name, v, pos)
}

func (d *decoder) key(it unstable.Iterator) (string, Position) {
	var parts []string
	var pos Position
	first := true
	for it.Next() {
		n := it.Node()
		if first {
			pos = d.pos(n.Raw)
			first = false
		}
		parts = append(parts, string(n.Data))
	}
	return strings.Join(parts, "."), pos
}

func (d *decoder) unknown(key string, pos Position, hint string) {
	d.errorf(pos, hint, "unknown key %q", key)
}

func kindName(k unstable.Kind) string {
	switch k {
	case unstable.String:
		return "a string"
	case unstable.Integer:
		return "an integer"
	case unstable.Float:
		return "a float"
	case unstable.Bool:
		return "a boolean"
	case unstable.Array:
		return "an array"
	case unstable.InlineTable:
		return "a table"
	}
	return "a date or time"
}

func (d *decoder) str(key string, v *unstable.Node, pos Position) string {
	if v.Kind != unstable.String {
		d.errorf(pos, fmt.Sprintf("write %s = \"...\"", key), "%s must be a string, not %s", key, kindName(v.Kind))
		return ""
	}
	return string(v.Data)
}

func (d *decoder) int(key string, v *unstable.Node, pos Position) int {
	if v.Kind != unstable.Integer {
		d.errorf(pos, fmt.Sprintf("write %s = 1", key), "%s must be an integer, not %s", key, kindName(v.Kind))
		return 0
	}
	n, err := strconv.Atoi(strings.ReplaceAll(string(v.Data), "_", ""))
	if err != nil {
		d.errorf(pos, fmt.Sprintf("write %s = 1", key), "%s: %v", key, err)
	}
	return n
}

func (d *decoder) bool(key string, v *unstable.Node, pos Position) bool {
	if v.Kind != unstable.Bool {
		d.errorf(pos, fmt.Sprintf("write %s = true or %s = false", key, key), "%s must be true or false, not %s", key, kindName(v.Kind))
		return false
	}
	return string(v.Data) == "true"
}

// strs decodes an array of strings, recording each element's position as
// "key[i]" in pos.
func (d *decoder) strs(key string, v *unstable.Node, at Position, pos Positions) []string {
	if v.Kind != unstable.Array {
		d.errorf(at, fmt.Sprintf("write %s = [\"...\"]", key), "%s must be an array of strings, not %s", key, kindName(v.Kind))
		return nil
	}
	out := []string{}
	it := v.Children()
	for it.Next() {
		n := it.Node()
		if n.Kind == unstable.Comment {
			continue
		}
		epos := at
		if n.Raw.Length > 0 {
			epos = d.pos(n.Raw)
		}
		if n.Kind != unstable.String {
			d.errorf(epos, fmt.Sprintf("write %s = [\"...\"]", key), "%s must hold only strings, not %s", key, kindName(n.Kind))
			continue
		}
		pos[fmt.Sprintf("%s[%d]", key, len(out))] = epos
		out = append(out, string(n.Data))
	}
	return out
}
