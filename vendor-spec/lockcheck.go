package vendorspec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// lockRestoreHint is the hint of every security error in rvendor.lock.
const lockRestoreHint = "rvendor.lock is written by rvendor: restore it from version control"

// checkLock checks every name and path of a decoded lock as strictly as
// the spec's, and returns the first problem as an *Error at the bad
// value. The positions are found only when there is a problem: a good
// lock costs one pass over its strings.
func checkLock(file string, data []byte, l *Lock) error {
	var (
		key, msg string
	)
	fail := func(k, format string, args ...any) bool {
		key, msg = k, fmt.Sprintf(format, args...)
		return false
	}
	seen := map[string]bool{}
	ok := true
	for i, c := range l.Components {
		if !ok {
			break
		}
		at := func(k string) string { return fmt.Sprintf("component[%d].%s", i, k) }
		switch {
		case c.Name == "" || seen[c.Name]:
			ok = fail(at("name"), "component %d has an empty or duplicate name %q", i+1, c.Name)
			continue
		case !validName(c.Name):
			ok = fail(at("name"), "security error: component %d has name %q, which is not a component name (lowercase letters, digits and -)", i+1, c.Name)
			continue
		}
		seen[c.Name] = true
		ok = checkLockedComponent(c, at, fail)
	}
	if ok {
		return nil
	}
	hint := lockRestoreHint
	if strings.Contains(msg, "empty or duplicate name") {
		hint = "restore rvendor.lock from version control or run rvendor update"
	}
	return &Error{Pos: newLockPositions(file, data).at(key), Msg: msg, Hint: hint}
}

// checkLockedComponent checks one component's paths; fail records the
// first problem (key as newLockPositions names it) and returns false.
func checkLockedComponent(c *LockedComponent, at func(string) string, fail func(key, format string, args ...any) bool) bool {
	// where says what a path of kind k lies inside, for the message.
	where := map[pathKind]string{treePath: "the tree", sourcePath: "the upstream source", destPath: "its dest"}
	path := func(key, p string, k pathKind) bool {
		if why, _ := checkPath(p, k); why != "" {
			return fail(at(key), "security error: component %s has %s %q, which is not a clean path inside %s: it %s", c.Name, key, p, where[k], why)
		}
		return true
	}
	paths := func(key string, ps []string, k pathKind) bool {
		for j, p := range ps {
			if !path(fmt.Sprintf("%s[%d]", key, j), p, k) {
				return false
			}
		}
		return true
	}
	// update deletes and replaces dest; lockfile is read and hashed.
	if !path("dest", c.Dest, treePath) {
		return false
	}
	if c.Lockfile != "" && !path("lockfile", c.Lockfile, treePath) {
		return false
	}
	if c.Root != "" && !path("root", c.Root, sourcePath) {
		return false
	}
	if !paths("paths", c.Paths, sourcePath) || !paths("added", c.Added, sourcePath) {
		return false
	}
	if !paths("stamped", c.Stamped, destPath) || !paths("generated", c.Generated, destPath) {
		return false
	}
	if len(c.Stamped) > 0 && c.SPDXHeader == "" {
		return fail(at("stamped"), "component %s lists stamped files but no spdx-header", c.Name)
	}
	if (c.Readme || len(c.Generated) > 0) && !(c.Readme && slices.Equal(c.Generated, []string{"README.md"})) {
		return fail(at("generated"), "component %s: generated must be [\"README.md\"] exactly when readme is set (readme %v, generated %q)", c.Name, c.Readme, c.Generated)
	}
	for j, g := range c.Exclude {
		if why, _ := checkPattern(g); why != "" {
			return fail(at(fmt.Sprintf("exclude[%d]", j)), "security error: component %s has exclude pattern %q, which is not valid: it %s", c.Name, g, why)
		}
	}
	for j, cr := range c.Crates {
		// A crate's folder is its name, or name-version when two
		// versions are vendored: one element below dest.
		key := fmt.Sprintf("package[%d].dir", j)
		if !validCrateName(cr.Name) {
			return fail(at(fmt.Sprintf("package[%d].name", j)), "security error: component %s has crate name %q, which is not a crate name", c.Name, cr.Name)
		}
		if why, _ := checkPath(cr.Dir, fileName); why != "" {
			return fail(at(key), "security error: component %s has %s %q, which is not a folder below its dest: it %s", c.Name, key, cr.Dir, why)
		}
		if cr.Dir != cr.Name && cr.Dir != cr.Name+"-"+cr.Version {
			return fail(at(key), "security error: component %s has %s %q, which is not the folder of crate %s %s (%q or %q)",
				c.Name, key, cr.Dir, cr.Name, cr.Version, cr.Name, cr.Name+"-"+cr.Version)
		}
	}
	for j, p := range c.Patches {
		key := fmt.Sprintf("patch[%d].name", j)
		if why, _ := checkPath(p.Name, fileName); why != "" {
			return fail(at(key), "security error: component %s has %s %q, which is not a file name in the patch queue: it %s", c.Name, key, p.Name, why)
		}
		if !strings.HasSuffix(p.Name, ".patch") {
			return fail(at(key), "security error: component %s has %s %q, which is not a .patch file", c.Name, key, p.Name)
		}
		if !paths(fmt.Sprintf("patch[%d].files", j), p.Files, destPath) {
			return false
		}
	}
	if c.Sum != "" && !validSumHash(c.Sum) {
		return fail(at("sum"), "component %s has sum %q, which is not an %s hash", c.Name, c.Sum, sumHashPrefix)
	}
	return true
}

// validCrateName reports whether s is a crate name as Cargo allows it:
// ASCII letters, digits, - and _.
func validCrateName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// lockPositions maps the values of a lock file to where they are
// written: "version", "component[2].dest", "component[2].paths[0]",
// "component[0].package[3].dir", "component[1].patch[0].files[2]". Each
// [[component]] header is "component[i]".
type lockPositions struct {
	file string
	m    map[string]Position
}

func newLockPositions(file string, data []byte) *lockPositions {
	lp := &lockPositions{file: file, m: map[string]Position{}}
	var p unstable.Parser
	p.Reset(data)
	pos := func(r unstable.Range) Position {
		sh := p.Shape(r)
		return Position{File: file, Line: sh.Start.Line, Col: sh.Start.Column}
	}
	keyOf := func(it unstable.Iterator) (string, Position) {
		var parts []string
		var at Position
		for it.Next() {
			n := it.Node()
			if parts == nil {
				at = pos(n.Raw)
			}
			parts = append(parts, string(n.Data))
		}
		return strings.Join(parts, "."), at
	}
	prefix, comp := "", -1
	var sub map[string]int
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			name, at := keyOf(e.Key())
			rest, inComp := strings.CutPrefix(name, "component.")
			switch {
			case e.Kind == unstable.ArrayTable && name == "component":
				comp++
				sub = map[string]int{}
				prefix = fmt.Sprintf("component[%d]", comp)
			case e.Kind == unstable.ArrayTable && inComp && comp >= 0:
				prefix = fmt.Sprintf("component[%d].%s[%d]", comp, rest, sub[rest])
				sub[rest]++
			default:
				prefix = name
			}
			lp.m[prefix] = at
		case unstable.KeyValue:
			name, at := keyOf(e.Key())
			if prefix != "" {
				name = prefix + "." + name
			}
			lp.m[name] = at
			if v := e.Value(); v.Kind == unstable.Array {
				it, j := v.Children(), 0
				for it.Next() {
					if n := it.Node(); n.Kind != unstable.Comment {
						lp.m[fmt.Sprintf("%s[%d]", name, j)] = pos(n.Raw)
						j++
					}
				}
			}
		}
	}
	return lp
}

// at returns where key is written, or where the nearest enclosing value
// or table is (a lock written with inline tables has fewer places), or
// the file's first line.
func (lp *lockPositions) at(key string) Position {
	for key != "" {
		if p, ok := lp.m[key]; ok {
			return p
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return Position{File: lp.file, Line: 1, Col: 1}
}
