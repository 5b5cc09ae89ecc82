package license

import (
	"sort"
	"strings"
)

// Term is one license of an expression: an SPDX license id or a
// LicenseRef-/DocumentRef- reference, with the "or later" mark and an
// exception. Terms compare exactly, field by field: "GPL-2.0" is neither
// "GPL-2.0-only" nor "GPL-2.0+", and "Apache-2.0 WITH LLVM-exception" is
// not "Apache-2.0".
type Term struct {
	ID        string // "GPL-2.0", "Apache-2.0", "LicenseRef-x", "DocumentRef-d:LicenseRef-x"
	Plus      bool   // the "+" (or later) suffix of ID
	Exception string // the SPDX exception after WITH, or ""
}

// String returns the term as SPDX writes it: "GPL-2.0+",
// "Apache-2.0 WITH LLVM-exception".
func (t Term) String() string {
	s := t.ID
	if t.Plus {
		s += "+"
	}
	if t.Exception != "" {
		s += " WITH " + t.Exception
	}
	return s
}

// license returns the license part of t, without its exception:
// "GPL-2.0+" for "GPL-2.0+ WITH Linux-syscall-note".
func (t Term) license() string {
	if t.Plus {
		return t.ID + "+"
	}
	return t.ID
}

// op is the kind of an Expr node.
type op uint8

const (
	opTerm op = iota
	opAnd
	opOr
)

// Expr is a parsed SPDX license expression. Its AST keeps the terms in
// the order they were written; nested operators of the same kind are
// flattened ("(A OR B) OR C" is one OR of three terms). An Expr is
// immutable and safe for concurrent use.
type Expr struct {
	op   op
	term Term    // when op == opTerm
	args []*Expr // when op is opAnd or opOr: two or more
}

// String returns the canonical text of e: operators in upper case, ids
// as the SPDX list spells them, parentheses only where AND binds an OR
// ("MIT AND (Apache-2.0 OR ISC)"). A nil Expr gives "".
func (e *Expr) String() string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	e.write(&b)
	return b.String()
}

func (e *Expr) write(b *strings.Builder) {
	switch e.op {
	case opTerm:
		b.WriteString(e.term.String())
		return
	case opAnd:
		for i, a := range e.args {
			if i > 0 {
				b.WriteString(" AND ")
			}
			if a.op == opOr {
				b.WriteByte('(')
				a.write(b)
				b.WriteByte(')')
			} else {
				a.write(b)
			}
		}
	case opOr:
		for i, a := range e.args {
			if i > 0 {
				b.WriteString(" OR ")
			}
			a.write(b)
		}
	}
}

// KernelString returns e in the form the kernel's scripts/spdxcheck.py
// accepts. Its grammar makes AND and OR non-associative and wants a WITH
// term in parentheses when another operator follows it, so every
// operator joins exactly two operands and each compound operand, and
// each WITH term inside a compound expression, is parenthesized:
// "A OR B OR C" becomes "(A OR B) OR C" and "GPL-2.0 WITH
// Linux-syscall-note OR MIT" becomes "(GPL-2.0 WITH Linux-syscall-note)
// OR MIT". Expressions of one term or of one operator over two plain
// terms read as String gives them.
func (e *Expr) KernelString() string {
	if e == nil {
		return ""
	}
	return e.kernel(true)
}

func (e *Expr) kernel(top bool) string {
	if e.op == opTerm {
		if e.term.Exception != "" && !top {
			return "(" + e.term.String() + ")"
		}
		return e.term.String()
	}
	sep := " OR "
	if e.op == opAnd {
		sep = " AND "
	}
	s := e.args[0].kernel(false)
	for i, a := range e.args[1:] {
		s += sep + a.kernel(false)
		if i+2 < len(e.args) {
			s = "(" + s + ")"
		}
	}
	if !top {
		s = "(" + s + ")"
	}
	return s
}

// Terms returns every term of e, in the order written, each once.
func (e *Expr) Terms() []Term {
	if e == nil {
		return nil
	}
	var out []Term
	seen := make(map[Term]bool)
	var walk func(*Expr)
	walk = func(x *Expr) {
		if x.op == opTerm {
			if !seen[x.term] {
				seen[x.term] = true
				out = append(out, x.term)
			}
			return
		}
		for _, a := range x.args {
			walk(a)
		}
	}
	walk(e)
	return out
}

// Options returns the disjunctive normal form of e: each option is a set
// of terms that together satisfy e ("(MIT OR Apache-2.0) AND Zlib" has
// the options [MIT Zlib] and [Apache-2.0 Zlib]). Terms within an option
// keep their written order and appear once; an option equal to or a
// superset of an earlier or smaller option is dropped ("MIT OR (MIT AND
// Zlib)" has the one option [MIT]). Parse bounds the count by
// MaxOptions. The slices are fresh: callers may change them.
func (e *Expr) Options() [][]Term {
	if e == nil {
		return nil
	}
	return minimize(e.dnf())
}

func (e *Expr) dnf() [][]Term {
	switch e.op {
	case opTerm:
		return [][]Term{{e.term}}
	case opOr:
		var out [][]Term
		for _, a := range e.args {
			out = append(out, a.dnf()...)
		}
		return out
	}
	// The product of the operands' options, each built once (first
	// operand slowest): copying partial products operand by operand costs
	// options times terms squared on long conjunctions.
	parts := make([][][]Term, len(e.args))
	n, size := 1, 0
	for i, a := range e.args {
		parts[i] = a.dnf()
		n *= len(parts[i])
		size += len(parts[i][0])
	}
	out := make([][]Term, 0, n)
	idx := make([]int, len(parts))
	for {
		o := make([]Term, 0, size)
		for i, p := range parts {
			o = append(o, p[idx[i]]...)
		}
		out = append(out, o)
		k := len(idx) - 1
		for ; k >= 0; k-- {
			if idx[k]++; idx[k] < len(parts[k]) {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			return out
		}
	}
}

// minimize removes repeated terms within each option, then every option
// that contains another option (keeping the first of equal ones). Options
// are compared as bit sets over the terms, so that the up to MaxOptions
// options of long expressions stay cheap to compare pairwise.
func minimize(opts [][]Term) [][]Term {
	index := make(map[Term]int)
	sets := make([]bitset, len(opts))
	for i, o := range opts {
		for _, t := range o {
			if _, ok := index[t]; !ok {
				index[t] = len(index)
			}
		}
		set := make(bitset, (len(index)+63)/64+1)
		d := o[:0]
		for _, t := range o {
			if !set.has(index[t]) {
				set.add(index[t])
				d = append(d, t)
			}
		}
		opts[i], sets[i] = d, set
	}
	var out [][]Term
	for i, o := range opts {
		drop := false
		for j := range opts {
			if i == j || len(opts[j]) > len(o) || !sets[j].subsetOf(sets[i]) {
				continue
			}
			if len(opts[j]) < len(o) || j < i {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, o)
		}
	}
	return out
}

// bitset is a set of small non-negative integers.
type bitset []uint64

func (b bitset) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) add(i int)      { b[i/64] |= 1 << (i % 64) }

// subsetOf reports whether every element of b is in c.
func (b bitset) subsetOf(c bitset) bool {
	for i, w := range b {
		var x uint64
		if i < len(c) {
			x = c[i]
		}
		if w&^x != 0 {
			return false
		}
	}
	return true
}

// SatisfiedBy reports whether e holds when exactly the terms for which ok
// returns true are acceptable: an OR needs one operand, an AND all.
func (e *Expr) SatisfiedBy(ok func(Term) bool) bool {
	if e == nil {
		return false
	}
	switch e.op {
	case opTerm:
		return ok(e.term)
	case opAnd:
		for _, a := range e.args {
			if !a.SatisfiedBy(ok) {
				return false
			}
		}
		return true
	}
	for _, a := range e.args {
		if a.SatisfiedBy(ok) {
			return true
		}
	}
	return false
}

// Equivalent reports whether a and b have the same options (Options),
// whatever their order and the order of terms within them: "MIT OR
// Apache-2.0" is equivalent to "Apache-2.0 OR MIT" and "(A OR B) AND C"
// to "A AND C OR B AND C". Terms compare exactly. Two nil expressions are
// equivalent; a nil and a non-nil one are not.
func Equivalent(a, b *Expr) bool {
	if a == nil || b == nil {
		return a == b
	}
	ka, kb := optionKeys(a), optionKeys(b)
	if len(ka) != len(kb) {
		return false
	}
	for k := range ka {
		if !kb[k] {
			return false
		}
	}
	return true
}

// optionKeys returns e's options, each as the sorted texts of its terms.
func optionKeys(e *Expr) map[string]bool {
	keys := make(map[string]bool)
	for _, o := range e.Options() {
		s := make([]string, len(o))
		for i, t := range o {
			s[i] = t.String()
		}
		sort.Strings(s)
		keys[strings.Join(s, "\x00")] = true
	}
	return keys
}
