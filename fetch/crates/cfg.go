package crates

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Target is the set of cfg values rustc sets for one target triple: what
// `rustc --print cfg --target TRIPLE` prints, reduced to the keys a
// Cargo.toml [target.'cfg(...)'] table can test without nightly features.
type Target struct {
	Triple string
	// Names holds the name-only cfgs that are set ("unix", "windows").
	Names map[string]bool
	// Values maps a key such as "target_os" to its values.
	Values map[string][]string
}

// HasName reports whether the name-only cfg name is set.
func (t *Target) HasName(name string) bool { return t.Names[name] }

// HasValue reports whether cfg key = "value" holds.
func (t *Target) HasValue(key, value string) bool { return slices.Contains(t.Values[key], value) }

// KnownTargets lists the triples whose cfg values rvendor knows, as
// `rustc --print cfg --target TRIPLE` prints them (Rust 1.95).
func KnownTargets() []string {
	out := make([]string, 0, len(targetTable))
	for _, t := range targetTable {
		out = append(out, t.triple)
	}
	slices.Sort(out)
	return out
}

type targetRow struct {
	triple, arch, os, family, env, vendor, width, endian string
}

// targetTable holds the cfg values of the triples platform filters can
// name. family "unix" sets cfg(unix); "windows" sets cfg(windows); "wasm"
// sets neither.
var targetTable = []targetRow{
	{triple: "x86_64-unknown-linux-gnu", arch: "x86_64", os: "linux", family: "unix", env: "gnu", vendor: "unknown", width: "64", endian: "little"},
	{triple: "x86_64-unknown-linux-musl", arch: "x86_64", os: "linux", family: "unix", env: "musl", vendor: "unknown", width: "64", endian: "little"},
	{triple: "i686-unknown-linux-gnu", arch: "x86", os: "linux", family: "unix", env: "gnu", vendor: "unknown", width: "32", endian: "little"},
	{triple: "aarch64-unknown-linux-gnu", arch: "aarch64", os: "linux", family: "unix", env: "gnu", vendor: "unknown", width: "64", endian: "little"},
	{triple: "aarch64-unknown-linux-musl", arch: "aarch64", os: "linux", family: "unix", env: "musl", vendor: "unknown", width: "64", endian: "little"},
	{triple: "armv7-unknown-linux-gnueabihf", arch: "arm", os: "linux", family: "unix", env: "gnu", vendor: "unknown", width: "32", endian: "little"},
	{triple: "arm-unknown-linux-gnueabi", arch: "arm", os: "linux", family: "unix", env: "gnu", vendor: "unknown", width: "32", endian: "little"},
	{triple: "riscv64gc-unknown-linux-gnu", arch: "riscv64", os: "linux", family: "unix", env: "gnu", vendor: "unknown", width: "64", endian: "little"},
	{triple: "powerpc64le-unknown-linux-gnu", arch: "powerpc64", os: "linux", family: "unix", env: "gnu", vendor: "unknown", width: "64", endian: "little"},
	{triple: "powerpc64-unknown-linux-gnu", arch: "powerpc64", os: "linux", family: "unix", env: "gnu", vendor: "unknown", width: "64", endian: "big"},
	{triple: "s390x-unknown-linux-gnu", arch: "s390x", os: "linux", family: "unix", env: "gnu", vendor: "unknown", width: "64", endian: "big"},
	{triple: "loongarch64-unknown-linux-gnu", arch: "loongarch64", os: "linux", family: "unix", env: "gnu", vendor: "unknown", width: "64", endian: "little"},
	{triple: "x86_64-unknown-freebsd", arch: "x86_64", os: "freebsd", family: "unix", env: "", vendor: "unknown", width: "64", endian: "little"},
	{triple: "x86_64-apple-darwin", arch: "x86_64", os: "macos", family: "unix", env: "", vendor: "apple", width: "64", endian: "little"},
	{triple: "aarch64-apple-darwin", arch: "aarch64", os: "macos", family: "unix", env: "", vendor: "apple", width: "64", endian: "little"},
	{triple: "x86_64-pc-windows-msvc", arch: "x86_64", os: "windows", family: "windows", env: "msvc", vendor: "pc", width: "64", endian: "little"},
	{triple: "x86_64-pc-windows-gnu", arch: "x86_64", os: "windows", family: "windows", env: "gnu", vendor: "pc", width: "64", endian: "little"},
	{triple: "i686-pc-windows-msvc", arch: "x86", os: "windows", family: "windows", env: "msvc", vendor: "pc", width: "32", endian: "little"},
	{triple: "i686-pc-windows-gnu", arch: "x86", os: "windows", family: "windows", env: "gnu", vendor: "pc", width: "32", endian: "little"},
	{triple: "aarch64-pc-windows-msvc", arch: "aarch64", os: "windows", family: "windows", env: "msvc", vendor: "pc", width: "64", endian: "little"},
	{triple: "wasm32-unknown-unknown", arch: "wasm32", os: "none", family: "wasm", env: "", vendor: "unknown", width: "32", endian: "little"},
	{triple: "wasm32-wasip1", arch: "wasm32", os: "wasi", family: "wasm", env: "p1", vendor: "unknown", width: "32", endian: "little"},
}

// LookupTarget returns the cfg values of triple, or an error naming the
// known triples.
func LookupTarget(triple string) (*Target, error) {
	for _, r := range targetTable {
		if r.triple != triple {
			continue
		}
		t := &Target{Triple: triple, Names: map[string]bool{}, Values: map[string][]string{
			"target_arch":          {r.arch},
			"target_os":            {r.os},
			"target_env":           {r.env},
			"target_vendor":        {r.vendor},
			"target_pointer_width": {r.width},
			"target_endian":        {r.endian},
		}}
		if r.family != "" {
			t.Values["target_family"] = []string{r.family}
			if r.family == "unix" || r.family == "windows" {
				t.Names[r.family] = true
			}
		}
		return t, nil
	}
	return nil, fmt.Errorf("unknown target %q: rvendor knows the cfg values of %s", triple, strings.Join(KnownTargets(), ", "))
}

// Cfg is a parsed cfg expression or target key of a Cargo.toml
// [target.KEY] table.
type Cfg struct {
	op    string // "all", "any", "not", "name", "kv", "triple"
	key   string
	value string
	args  []*Cfg
}

// ParseTargetKey parses the key of a [target.KEY] table: "cfg(EXPR)" or
// a bare target triple.
func ParseTargetKey(key string) (*Cfg, error) {
	s := strings.TrimSpace(key)
	if !strings.HasPrefix(s, "cfg(") {
		if s == "" || strings.ContainsAny(s, " ()\"=,") {
			return nil, fmt.Errorf("target key %q is neither cfg(...) nor a target triple", key)
		}
		return &Cfg{op: "triple", value: s}, nil
	}
	if !strings.HasSuffix(s, ")") {
		return nil, fmt.Errorf("target key %q: cfg( without a closing )", key)
	}
	p := &cfgParser{s: s[len("cfg(") : len(s)-1]}
	c, err := p.expr()
	if err != nil {
		return nil, fmt.Errorf("target key %q: %w", key, err)
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("target key %q: unexpected %q", key, p.s[p.i:])
	}
	return c, nil
}

// Match reports whether the expression holds for t.
func (c *Cfg) Match(t *Target) bool {
	switch c.op {
	case "triple":
		return c.value == t.Triple
	case "name":
		return t.HasName(c.key)
	case "kv":
		return t.HasValue(c.key, c.value)
	case "not":
		return !c.args[0].Match(t)
	case "all":
		for _, a := range c.args {
			if !a.Match(t) {
				return false
			}
		}
		return true
	case "any":
		for _, a := range c.args {
			if a.Match(t) {
				return true
			}
		}
		return false
	}
	return false
}

// String returns the expression in cfg syntax.
func (c *Cfg) String() string {
	switch c.op {
	case "triple":
		return c.value
	case "name":
		return c.key
	case "kv":
		// Cargo's cfg strings have no escapes: the value is written as
		// read (it cannot hold a quote), so that it reads back the same.
		return c.key + ` = "` + c.value + `"`
	}
	parts := make([]string, len(c.args))
	for i, a := range c.args {
		parts[i] = a.String()
	}
	return c.op + "(" + strings.Join(parts, ", ") + ")"
}

type cfgParser struct {
	s string
	i int
}

func (p *cfgParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *cfgParser) ident() string {
	p.space()
	start := p.i
	for p.i < len(p.s) {
		r := rune(p.s[p.i])
		if r == '_' || unicode.IsLetter(r) || (p.i > start && unicode.IsDigit(r)) {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

func (p *cfgParser) expr() (*Cfg, error) {
	name := p.ident()
	if name == "" {
		return nil, fmt.Errorf("expected a cfg name at %q", p.s[p.i:])
	}
	p.space()
	switch {
	case p.i < len(p.s) && p.s[p.i] == '(':
		if name != "all" && name != "any" && name != "not" {
			return nil, fmt.Errorf("unknown cfg predicate %s(...)", name)
		}
		p.i++
		c := &Cfg{op: name}
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ')' {
				p.i++
				break
			}
			a, err := p.expr()
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == ')' {
				p.i++
				break
			}
			return nil, fmt.Errorf("expected , or ) at %q", p.s[p.i:])
		}
		if name == "not" && len(c.args) != 1 {
			return nil, fmt.Errorf("not() takes exactly one argument")
		}
		return c, nil
	case p.i < len(p.s) && p.s[p.i] == '=':
		p.i++
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, fmt.Errorf("expected a quoted value after %s =", name)
		}
		end := strings.IndexByte(p.s[p.i+1:], '"')
		if end < 0 {
			return nil, fmt.Errorf("unterminated string after %s =", name)
		}
		v := p.s[p.i+1 : p.i+1+end]
		p.i += end + 2
		return &Cfg{op: "kv", key: name, value: v}, nil
	}
	return &Cfg{op: "name", key: name}, nil
}
