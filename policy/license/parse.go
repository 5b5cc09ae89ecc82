package license

import (
	"fmt"
	"strings"
)

// Limits on an expression, so that parsing and Options stay cheap
// whatever the input.
const (
	// MaxExprLen is the longest expression text Parse accepts, in bytes.
	MaxExprLen = 2048
	// MaxDepth is the deepest nesting of parentheses Parse accepts.
	MaxDepth = 32
	// MaxOptions is the most options (Options) an accepted expression
	// may have before minimization: "(A OR B) AND (C OR D)" has 4.
	MaxOptions = 1024
)

// ExprError is a license expression that does not parse. Its message
// quotes the whole input and names the wrong token and its byte offset.
type ExprError struct {
	Input  string // the expression as given
	Offset int    // byte offset of Token in Input
	Token  string // the wrong token, "" at the end of the input
	Reason string // what is wrong with it
}

// Error returns the message: the quoted input, the reason and the token.
func (e *ExprError) Error() string {
	if e.Token == "" {
		return fmt.Sprintf("invalid license expression %q: %s", e.Input, e.Reason)
	}
	return fmt.Sprintf("invalid license expression %q: %s (%q at byte %d)", e.Input, e.Reason, e.Token, e.Offset)
}

// Parse parses s as a strict SPDX 2.3 license expression: AND binds
// tighter than OR, parentheses group, "+" follows an id with no space,
// WITH joins one license (not a parenthesized group) to one exception.
// Operators must be upper case. Each license id must be an active or
// deprecated SPDX license id spelled as the SPDX list spells it ("MIT",
// not "mit"), or a LicenseRef-/DocumentRef- reference; each exception an
// SPDX exception id. Errors are *ExprError.
func Parse(s string) (*Expr, error) {
	return parse(s, false)
}

// ParseDeclared parses what Cargo.toml `license` fields hold: besides
// Parse's syntax it takes the legacy "/" for OR ("MIT/Apache-2.0",
// "MIT / Apache-2.0"), operators in any case ("mit or apache-2.0") and ids
// in any case, which it spells as the SPDX list does. normalized is the
// canonical e.String() when that differs from s, and "" when s was
// already canonical.
func ParseDeclared(s string) (e *Expr, normalized string, err error) {
	e, err = parse(s, true)
	if err != nil {
		return nil, "", err
	}
	if c := e.String(); c != s {
		normalized = c
	}
	return e, normalized, nil
}

// parser is a recursive-descent parser over one expression's tokens.
type parser struct {
	in       string
	toks     []token
	pos      int
	declared bool // ParseDeclared's leniency
	depth    int
}

func parse(s string, declared bool) (*Expr, error) {
	if len(s) > MaxExprLen {
		return nil, &ExprError{Input: s[:64] + "...", Reason: fmt.Sprintf("longer than %d bytes", MaxExprLen)}
	}
	toks, err := lex(s, declared)
	if err != nil {
		return nil, err
	}
	p := &parser{in: s, toks: toks, declared: declared}
	if p.peek().kind == tokEOF {
		return nil, p.fail(p.peek(), "empty expression")
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.fail(t, "expected AND, OR or the end of the expression")
	}
	if n := e.count(); n > MaxOptions {
		return nil, &ExprError{Input: s, Reason: fmt.Sprintf("more than %d options once expanded", MaxOptions)}
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *parser) fail(t token, reason string) error {
	return &ExprError{Input: p.in, Offset: t.off, Token: t.text, Reason: reason}
}

// or parses: and { (OR | "/") and }.
func (p *parser) or() (*Expr, error) {
	return p.binary(opOr, p.and, func(k tokKind) bool { return k == tokOr || k == tokSlash })
}

// and parses: with { AND with }.
func (p *parser) and() (*Expr, error) {
	return p.binary(opAnd, p.with, func(k tokKind) bool { return k == tokAnd })
}

func (p *parser) binary(o op, operand func() (*Expr, error), isOp func(tokKind) bool) (*Expr, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	args := []*Expr{first}
	for isOp(p.peek().kind) {
		p.next()
		x, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, x)
	}
	if len(args) == 1 {
		return first, nil
	}
	var flat []*Expr
	for _, a := range args {
		if a.op == o {
			flat = append(flat, a.args...)
		} else {
			flat = append(flat, a)
		}
	}
	return &Expr{op: o, args: flat}, nil
}

// with parses: "(" or ")" | license [WITH exception].
func (p *parser) with() (*Expr, error) {
	t := p.next()
	switch t.kind {
	case tokLParen:
		if p.depth++; p.depth > MaxDepth {
			return nil, p.fail(t, fmt.Sprintf("parentheses nested deeper than %d", MaxDepth))
		}
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, p.fail(c, "expected )")
		}
		p.depth--
		if w := p.peek(); w.kind == tokWith {
			return nil, p.fail(w, "WITH must follow a single license, not a parenthesized expression")
		}
		return e, nil
	case tokID:
	case tokEOF:
		return nil, p.fail(t, "expected a license id, found the end of the expression")
	default:
		return nil, p.fail(t, "expected a license id or (")
	}
	term, err := p.license(t)
	if err != nil {
		return nil, err
	}
	if p.peek().kind == tokWith {
		p.next()
		x := p.next()
		if x.kind != tokID {
			return nil, p.fail(x, "expected an exception id after WITH")
		}
		if term.Exception, err = p.exception(x); err != nil {
			return nil, err
		}
	}
	return &Expr{op: opTerm, term: term}, nil
}

// license checks a license id token and returns its term.
func (p *parser) license(t token) (Term, error) {
	id, plus := t.text, false
	if strings.HasSuffix(id, "+") {
		id, plus = id[:len(id)-1], true
	}
	if p.declared && len(id) > len("LicenseRef-") && strings.EqualFold(id[:len("LicenseRef-")], "LicenseRef-") {
		id = "LicenseRef-" + id[len("LicenseRef-"):]
	}
	if strings.HasPrefix(id, "LicenseRef-") || strings.HasPrefix(id, "DocumentRef-") {
		if !isRef(id) {
			return Term{}, p.fail(t, "malformed reference: want LicenseRef-<id> or DocumentRef-<id>:LicenseRef-<id>")
		}
		if plus {
			return Term{}, p.fail(t, `"+" cannot follow a LicenseRef`)
		}
		return Term{ID: id}, nil
	}
	if strings.Contains(id, ":") {
		return Term{}, p.fail(t, "unexpected ':' outside a DocumentRef")
	}
	canon, ok := licenseID(id)
	switch {
	case !ok:
		if _, exc := exceptionID(id); exc {
			return Term{}, p.fail(t, "this is a license exception id: use it after WITH")
		}
		return Term{}, p.fail(t, "unknown SPDX license id")
	case canon != id && !p.declared:
		return Term{}, p.fail(t, fmt.Sprintf("unknown SPDX license id (the SPDX list spells it %q)", canon))
	}
	if plus && (strings.HasSuffix(canon, "-only") || strings.HasSuffix(canon, "-or-later")) {
		return Term{}, p.fail(t, `"+" cannot follow an -only or -or-later id`)
	}
	return Term{ID: canon, Plus: plus}, nil
}

// exception checks an exception id token and returns its spelling.
func (p *parser) exception(t token) (string, error) {
	canon, ok := exceptionID(t.text)
	switch {
	case !ok:
		if _, lic := licenseID(strings.TrimSuffix(t.text, "+")); lic {
			return "", p.fail(t, "this is a license id, not a license exception id")
		}
		return "", p.fail(t, "unknown SPDX license exception id")
	case canon != t.text && !p.declared:
		return "", p.fail(t, fmt.Sprintf("unknown SPDX license exception id (the SPDX list spells it %q)", canon))
	}
	return canon, nil
}

// count returns the number of options of e before minimization, capped
// just above MaxOptions.
func (e *Expr) count() int {
	switch e.op {
	case opTerm:
		return 1
	case opOr:
		n := 0
		for _, a := range e.args {
			n = min(n+a.count(), MaxOptions+1)
		}
		return n
	}
	n := 1
	for _, a := range e.args {
		n = min(n*a.count(), MaxOptions+1)
	}
	return n
}

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokID
	tokAnd
	tokOr
	tokWith
	tokSlash
	tokLParen
	tokRParen
)

type token struct {
	kind tokKind
	text string
	off  int
}

// lex splits s into tokens. Whitespace is spaces and tabs. An id is a run
// of letters, digits, '-', '.' and ':' with an optional "+" right after
// it. In strict mode operators must be upper case and "/" is refused.
func lex(s string, declared bool) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')' || c == '/':
			k := tokLParen
			switch c {
			case ')':
				k = tokRParen
			case '/':
				k = tokSlash
			}
			if k == tokSlash && !declared {
				return nil, &ExprError{Input: s, Offset: i, Token: "/", Reason: `"/" is not an SPDX operator: write OR`}
			}
			toks = append(toks, token{kind: k, text: s[i : i+1], off: i})
			i++
		case idByte(c) || c == ':':
			j := i
			for j < len(s) && (idByte(s[j]) || s[j] == ':') {
				j++
			}
			if j < len(s) && s[j] == '+' {
				j++
			}
			t, err := word(s, i, j, declared)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i = j
		default:
			tok := s[i : i+1]
			if c == '+' {
				return nil, &ExprError{Input: s, Offset: i, Token: tok, Reason: `"+" must follow a license id with no space`}
			}
			return nil, &ExprError{Input: s, Offset: i, Token: tok, Reason: "unexpected character"}
		}
	}
	return append(toks, token{kind: tokEOF, off: len(s)}), nil
}

// word classifies s[i:j] as an operator or an id.
func word(s string, i, j int, declared bool) (token, error) {
	w := s[i:j]
	for _, o := range []struct {
		name string
		kind tokKind
	}{{"AND", tokAnd}, {"OR", tokOr}, {"WITH", tokWith}} {
		if w == o.name || declared && strings.EqualFold(w, o.name) {
			return token{kind: o.kind, text: w, off: i}, nil
		}
		if strings.EqualFold(w, o.name) {
			return token{}, &ExprError{Input: s, Offset: i, Token: w, Reason: fmt.Sprintf("operators are upper case: write %s", o.name)}
		}
	}
	return token{kind: tokID, text: w, off: i}, nil
}
