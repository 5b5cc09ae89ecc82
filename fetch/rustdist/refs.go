package rustdist

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Ref is a reference from a Rust source file to another file of the
// source tree that rustc reads when it compiles the first: a #[path]
// attribute (also inside #[cfg_attr(…, path = "…")]) or an include!,
// include_str! or include_bytes! of a string literal.
type Ref struct {
	File string // slash path of the referring file, e.g. "library/core/src/lib.rs"
	Line int
	Kind string // "path", "include", "include_str" or "include_bytes"
	Lit  string // the string literal as written
	// Target is the slash path the reference resolves to; empty when
	// Unresolved is set.
	Target string
	// Add is the smallest subtree holding Target to add to the
	// selection: the nearest folder above Target with a Cargo.toml
	// (a crate, e.g. "library/stdarch/crates/core_arch"), or Target's
	// folder when there is none.
	Add string
	// Unresolved says why the reference could not be followed (its
	// argument is not a string literal: concat!, env!, a macro
	// variable); such references are listed but not followed.
	Unresolved string
}

func (r Ref) String() string {
	if r.Unresolved != "" {
		return fmt.Sprintf("%s:%d: %s!(…): not followed: %s", r.File, r.Line, r.Kind, r.Unresolved)
	}
	what := r.Kind + "!(\"" + r.Lit + "\")"
	if r.Kind == "path" {
		what = "#[path = \"" + r.Lit + "\"]"
	}
	return fmt.Sprintf("%s:%d: %s needs %s (add %s)", r.File, r.Line, what, r.Target, r.Add)
}

// MissingError is a reference to a file that does not exist in the tree.
type MissingError struct {
	Ref Ref
}

func (e *MissingError) Error() string {
	what := e.Ref.Kind + "!(\"" + e.Ref.Lit + "\")"
	if e.Ref.Kind == "path" {
		what = "#[path = \"" + e.Ref.Lit + "\"]"
	}
	return fmt.Sprintf("%s:%d: %s: %s does not exist in the source tree", e.Ref.File, e.Ref.Line, what, e.Ref.Target)
}

// FollowRefs finds what a selection of a Rust source tree needs besides
// itself. dir is the source root (the folder holding library/); selected
// are slash paths under it as specs write them ("library/core"). Every .rs
// file under the selected subtrees is scanned for references (see Ref); a
// reference leaving them adds its Add subtree, which is scanned in turn,
// until nothing new is needed.
//
// Paths resolve as rustc resolves them: include!-style paths relative to
// the folder of the file holding the macro call; #[path] on `mod x;`
// relative to the file's folder, or, inside inline `mod a { … }` blocks,
// to that folder joined with the inline module names (preceded by the
// file's stem when the file is not mod.rs, lib.rs or main.rs). Both
// branches of a #[cfg_attr(…, path = …)] are followed, and so are
// references under #[cfg(test)]: the scan does not evaluate cfg.
//
// The result lists, sorted by file and line, each reference whose target
// lies outside both the original selection and the subtree its file was
// scanned as part of, and every unresolved reference. References to files
// that do not exist, or that leave dir, make the error (one *MissingError
// per reference, joined), returned with the refs found.
func FollowRefs(dir string, selected []string) ([]Ref, error) {
	for _, s := range selected {
		if s == "" || s != path.Clean(s) || path.IsAbs(s) || s == ".." || strings.HasPrefix(s, "../") {
			return nil, fmt.Errorf("follow refs: selected path %q is not a clean relative path", s)
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(s))); err != nil {
			return nil, fmt.Errorf("follow refs: selected path %s: %w", s, err)
		}
	}
	subtrees := append([]string(nil), selected...)
	queue := append([]string(nil), selected...)
	scanned := map[string]bool{}
	var out []Ref
	var errs []error
	missing := map[string]bool{}
	for len(queue) > 0 {
		sub := queue[0]
		queue = queue[1:]
		files, err := rustFiles(dir, sub)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if scanned[f] {
				continue
			}
			scanned[f] = true
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
			if err != nil {
				return nil, err
			}
			for _, r := range scanRefs(f, data) {
				if r.Unresolved != "" {
					out = append(out, r)
					continue
				}
				if r.Target == ".." || strings.HasPrefix(r.Target, "../") {
					errs = append(errs, &MissingError{r})
					continue
				}
				st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(r.Target)))
				if err != nil || !st.Mode().IsRegular() {
					if !missing[r.File+":"+r.Target] {
						missing[r.File+":"+r.Target] = true
						errs = append(errs, &MissingError{r})
					}
					continue
				}
				r.Add = crateOf(dir, r.Target)
				if !under(r.Target, selected) && !under(r.Target, []string{sub}) {
					out = append(out, r)
				}
				if !under(r.Target, subtrees) {
					subtrees = append(subtrees, r.Add)
					queue = append(queue, r.Add)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, errors.Join(errs...)
}

// Subtrees returns the sorted distinct Add folders of refs: what to add
// to a selection.
func Subtrees(refs []Ref) []string {
	seen := map[string]bool{}
	var adds []string
	for _, r := range refs {
		if r.Add != "" && !seen[r.Add] {
			seen[r.Add] = true
			adds = append(adds, r.Add)
		}
	}
	sort.Strings(adds)
	return adds
}

func under(p string, roots []string) bool {
	for _, r := range roots {
		if r == "." || p == r || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

// crateOf returns the nearest folder above target (below the top-level
// folder, whose Cargo.toml is a workspace) holding a Cargo.toml, or
// target's folder.
func crateOf(dir, target string) string {
	d := path.Dir(target)
	for c := d; strings.Contains(c, "/"); c = path.Dir(c) {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(c), "Cargo.toml")); err == nil {
			return c
		}
	}
	return d
}

// rustFiles lists the .rs files under sub (a file or folder), as slash
// paths relative to dir, sorted.
func rustFiles(dir, sub string) ([]string, error) {
	var files []string
	root := filepath.Join(dir, filepath.FromSlash(sub))
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.HasSuffix(p, ".rs") {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files, err
}

// scanRefs returns the references in the Rust source data of file (a
// slash path), with Target resolved but not checked.
func scanRefs(file string, data []byte) []Ref {
	toks := lex(data)
	var refs []Ref
	dir := path.Dir(file)
	base := path.Base(file)
	modDir := dir // where `mod x;` files of inline modules live
	if base != "mod.rs" && base != "lib.rs" && base != "main.rs" {
		modDir = path.Join(dir, strings.TrimSuffix(base, ".rs"))
	}
	type inline struct {
		depth int
		seg   string
	}
	var stack []inline
	depth := 0
	pendingSeg := "" // inline module name (or #[path]) whose '{' comes next
	pendingAt := -1
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.kind == tokPunct && t.text == "{":
			depth++
			if i == pendingAt {
				stack = append(stack, inline{depth, pendingSeg})
			}
		case t.kind == tokPunct && t.text == "}":
			if len(stack) > 0 && stack[len(stack)-1].depth == depth {
				stack = stack[:len(stack)-1]
			}
			depth--
		case t.kind == tokIdent && t.text == "mod" && i+2 < len(toks) && toks[i+1].kind == tokIdent && toks[i+2].text == "{":
			if i+2 != pendingAt {
				pendingSeg, pendingAt = toks[i+1].text, i+2
			}
		case t.kind == tokIdent && (t.text == "include" || t.text == "include_str" || t.text == "include_bytes") &&
			i+2 < len(toks) && toks[i+1].text == "!" && isOpen(toks[i+2].text):
			r := Ref{File: file, Line: t.line, Kind: t.text}
			if i+4 < len(toks) && toks[i+3].kind == tokStr && (isClose(toks[i+4].text) || toks[i+4].text == ",") {
				r.Lit = toks[i+3].text
				r.Target = path.Join(dir, r.Lit)
			} else {
				r.Unresolved = describeArg(toks[i+3:])
			}
			refs = append(refs, r)
		case t.kind == tokPunct && t.text == "#" && i+1 < len(toks) && toks[i+1].text == "[":
			end := matching(toks, i+1)
			attr := toks[i+2 : end]
			var lits []token
			switch {
			case len(attr) >= 3 && attr[0].text == "path" && attr[1].text == "=" && attr[2].kind == tokStr:
				lits = append(lits, attr[2])
			case len(attr) >= 1 && attr[0].text == "cfg_attr":
				for k := 1; k+2 < len(attr); k++ {
					if attr[k].kind == tokIdent && attr[k].text == "path" && attr[k+1].text == "=" && attr[k+2].kind == tokStr {
						lits = append(lits, attr[k+2])
					}
				}
			}
			if len(lits) == 0 {
				continue // scan the attribute's tokens (include_str! in #[doc])
			}
			// What item does the attribute apply to?
			j := end + 1
			for j < len(toks) && toks[j].text == "#" && j+1 < len(toks) && toks[j+1].text == "[" {
				j = matching(toks, j+1) + 1
			}
			for j < len(toks) && (toks[j].text == "pub" || toks[j].text == "unsafe") {
				j++
				if j < len(toks) && toks[j].text == "(" {
					j = matching(toks, j) + 1
				}
			}
			if !(j+2 < len(toks) && toks[j].text == "mod" && toks[j+1].kind == tokIdent) {
				continue
			}
			if toks[j+2].text == "{" {
				// #[path] on an inline module names its folder.
				pendingSeg, pendingAt = lits[0].text, j+2
				continue
			}
			base := dir
			if len(stack) > 0 {
				base = modDir
				for _, s := range stack {
					base = path.Join(base, s.seg)
				}
			}
			for _, l := range lits {
				refs = append(refs, Ref{File: file, Line: l.line, Kind: "path", Lit: l.text, Target: path.Join(base, l.text)})
			}
		}
	}
	return refs
}

func isOpen(s string) bool  { return s == "(" || s == "[" || s == "{" }
func isClose(s string) bool { return s == ")" || s == "]" || s == "}" }

// matching returns the index of the bracket closing toks[open], or the
// last index.
func matching(toks []token, open int) int {
	depth := 0
	for k := open; k < len(toks); k++ {
		switch {
		case toks[k].kind != tokPunct:
		case isOpen(toks[k].text):
			depth++
		case isClose(toks[k].text):
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return len(toks) - 1
}

func describeArg(toks []token) string {
	switch {
	case len(toks) == 0:
		return "no argument"
	case toks[0].text == "$" && len(toks) > 1:
		return "argument is the macro variable $" + toks[1].text
	case toks[0].kind == tokIdent && len(toks) > 1 && toks[1].text == "!":
		return "argument is " + toks[0].text + "!(…), not a string literal"
	}
	return fmt.Sprintf("argument %q is not a string literal", toks[0].text)
}
