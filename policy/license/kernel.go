package license

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"unicode/utf8"
)

// MaxLicenseFile is the largest file LoadKernel reads from LICENSES/, in
// bytes (the kernel's largest, GFDL-1.2, is about 23 KiB).
const MaxLicenseFile = 1 << 20

// Class is the LICENSES/ sub-folder a kernel license file is in.
type Class string

// The classes of license-rules.rst's "License identifiers" section, one
// per LICENSES/ sub-folder.
const (
	ClassPreferred  Class = "preferred"  // LICENSES/preferred/: allowed
	ClassDual       Class = "dual"       // LICENSES/dual/: only OR'ed with a preferred license
	ClassDeprecated Class = "deprecated" // LICENSES/deprecated/: only for imported code
	ClassException  Class = "exception"  // LICENSES/exceptions/: WITH one of the licenses it names
)

// classDirs maps each LICENSES/ sub-folder LoadKernel reads to its class,
// exceptions last (an exception names licenses the others declare).
var classDirs = []struct {
	dir   string
	class Class
}{{"preferred", ClassPreferred}, {"dual", ClassDual}, {"deprecated", ClassDeprecated}, {"exceptions", ClassException}}

// KernelLicense is one license id a kernel tree's LICENSES/ declares with
// a Valid-License-Identifier metatag.
type KernelLicense struct {
	ID    string // as declared: "GPL-2.0", "GPL-2.0+", "GPL-2.0-only"
	Class Class  // ClassPreferred, ClassDual or ClassDeprecated
	File  string // slash path from the tree's top: "LICENSES/preferred/GPL-2.0"
	URL   string // the file's SPDX-URL
}

// KernelException is one exception a kernel tree's LICENSES/exceptions/
// declares with a SPDX-Exception-Identifier metatag.
type KernelException struct {
	ID       string   // "Linux-syscall-note"
	Licenses []string // the SPDX-Licenses line, in its order: the ids it may be used WITH
	File     string   // "LICENSES/exceptions/Linux-syscall-note"
	URL      string   // the file's SPDX-URL
}

// Kernel is what a kernel tree's LICENSES/ folder allows, keyed by id.
type Kernel struct {
	Licenses   map[string]*KernelLicense
	Exceptions map[string]*KernelException
}

// FileError is a LICENSES/ file LoadKernel refuses, with the line at
// fault (0 when the fault is the whole file).
type FileError struct {
	File string // slash path from the tree's top
	Line int
	Err  error
}

// Error returns "file:line: reason" (no line when the whole file is at
// fault).
func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// LoadKernel reads the LICENSES/ folder of the kernel tree fsys is rooted
// at: every file of LICENSES/preferred, dual, deprecated and exceptions,
// parsed by its metatags (see the package documentation). It refuses a
// missing LICENSES/preferred, an entry that is not a regular file, a file
// over MaxLicenseFile bytes, a malformed file (a *FileError naming file
// and line) and an id declared twice.
func LoadKernel(fsys fs.FS) (*Kernel, error) {
	k := &Kernel{Licenses: make(map[string]*KernelLicense), Exceptions: make(map[string]*KernelException)}
	for _, cd := range classDirs {
		dir := "LICENSES/" + cd.dir
		ents, err := fs.ReadDir(fsys, dir)
		if errors.Is(err, fs.ErrNotExist) && cd.class != ClassPreferred {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading the kernel's license folder: %w", err)
		}
		for _, ent := range ents {
			name := path.Join(dir, ent.Name())
			if !ent.Type().IsRegular() {
				return nil, &FileError{File: name, Err: fmt.Errorf("not a regular file (%v)", ent.Type())}
			}
			data, err := readCapped(fsys, name)
			if err != nil {
				return nil, err
			}
			mf, err := parseMetatags(name, data)
			if err != nil {
				return nil, err
			}
			if err := k.add(cd.class, name, mf); err != nil {
				return nil, err
			}
		}
	}
	return k, nil
}

// readCapped reads the regular file name, refusing more than
// MaxLicenseFile bytes.
func readCapped(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("reading the kernel's license file: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, fmt.Errorf("reading the kernel's license file: %w", err)
	} else if !fi.Mode().IsRegular() {
		return nil, &FileError{File: name, Err: fmt.Errorf("not a regular file (%v)", fi.Mode().Type())}
	}
	lr := &io.LimitedReader{R: f, N: MaxLicenseFile + 1}
	data, err := io.ReadAll(lr)
	if err != nil {
		return nil, fmt.Errorf("reading the kernel's license file: %w", err)
	}
	if lr.N <= 0 {
		return nil, &FileError{File: name, Err: fmt.Errorf("larger than %d bytes", MaxLicenseFile)}
	}
	return data, nil
}

// metaFile is the metatags of one LICENSES/ file.
type metaFile struct {
	ids       []tagged // Valid-License-Identifier values
	exception tagged   // SPDX-Exception-Identifier value
	licenses  tagged   // SPDX-Licenses value
	url       string
	usage     bool // has Usage-Guide
}

type tagged struct {
	val  string
	line int
}

// parseMetatags reads the metatags above the License-Text: line.
func parseMetatags(name string, data []byte) (*metaFile, error) {
	mf := &metaFile{}
	inUsage := false
	for i, line := range bytes.Split(data, []byte("\n")) {
		n := i + 1
		fail := func(format string, a ...any) error {
			return &FileError{File: name, Line: n, Err: fmt.Errorf(format, a...)}
		}
		if !utf8.Valid(line) {
			return nil, fail("not UTF-8")
		}
		l := strings.TrimSuffix(string(line), "\r")
		if strings.TrimSpace(l) == "" {
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			if !inUsage {
				return nil, fail("indented line outside Usage-Guide: %q", l)
			}
			continue
		}
		tag, val, ok := strings.Cut(l, ":")
		if !ok {
			return nil, fail("want a metatag (Tag: value) before License-Text:, found %q", l)
		}
		val = strings.TrimSpace(val)
		inUsage = false
		switch tag {
		case "License-Text", "Exception-Text":
			return mf, mf.complete(name, n)
		case "Usage-Guide", "Usage-Guidance":
			inUsage, mf.usage = true, true
		case "Valid-License-Identifier":
			mf.ids = append(mf.ids, tagged{val, n})
		case "SPDX-Exception-Identifier":
			if mf.exception.val != "" {
				return nil, fail("a second SPDX-Exception-Identifier")
			}
			mf.exception = tagged{val, n}
		case "SPDX-Licenses":
			if mf.licenses.val != "" {
				return nil, fail("a second SPDX-Licenses")
			}
			mf.licenses = tagged{val, n}
		case "SPDX-URL":
			if mf.url != "" {
				return nil, fail("a second SPDX-URL")
			}
			mf.url = val
		default:
			return nil, fail("unknown metatag %q", tag)
		}
		if val == "" && !inUsage {
			return nil, fail("%s: with no value", tag)
		}
	}
	return nil, &FileError{File: name, Line: bytes.Count(data, []byte("\n")) + 1, Err: errors.New("no License-Text: line")}
}

// complete checks that mf has the metatags every file needs.
func (mf *metaFile) complete(name string, line int) error {
	fail := func(msg string) error { return &FileError{File: name, Line: line, Err: errors.New(msg)} }
	switch {
	case mf.url == "":
		return fail("no SPDX-URL: metatag before License-Text:")
	case !mf.usage:
		return fail("no Usage-Guide: metatag before License-Text:")
	case len(mf.ids) == 0 && mf.exception.val == "":
		return fail("no Valid-License-Identifier: or SPDX-Exception-Identifier: before License-Text:")
	case mf.exception.val != "" && mf.licenses.val == "":
		return fail("exception has no SPDX-Licenses: line")
	}
	return nil
}

// add records the ids of one file of class c.
func (k *Kernel) add(c Class, name string, mf *metaFile) error {
	fail := func(line int, format string, a ...any) error {
		return &FileError{File: name, Line: line, Err: fmt.Errorf(format, a...)}
	}
	if c == ClassException {
		if len(mf.ids) > 0 {
			return fail(mf.ids[0].line, "Valid-License-Identifier in the exceptions folder")
		}
		if mf.exception.val == "" {
			return fail(0, "no SPDX-Exception-Identifier: line")
		}
		return k.addException(name, mf)
	}
	if mf.exception.val != "" || mf.licenses.val != "" {
		return fail(max(mf.exception.line, mf.licenses.line), "exception metatag outside LICENSES/exceptions/")
	}
	for _, id := range mf.ids {
		if strings.ContainsAny(id.val, " \t") {
			// deprecated/GFDL-1.1 declares "GPL-2.0 OR
			// GFDL-1.1-no-invariants-or-later": a usage example whose
			// ids are declared on their own lines. It must parse.
			if _, err := parseKernelExpr(id.val); err != nil {
				return fail(id.line, "Valid-License-Identifier: %w", err)
			}
			continue
		}
		if !kernelID(id.val) {
			return fail(id.line, "Valid-License-Identifier %q is not a license id", id.val)
		}
		if old := k.Licenses[id.val]; old != nil {
			return fail(id.line, "license id %s is declared by %s too", id.val, old.File)
		}
		k.Licenses[id.val] = &KernelLicense{ID: id.val, Class: c, File: name, URL: mf.url}
	}
	return nil
}

func (k *Kernel) addException(name string, mf *metaFile) error {
	id := mf.exception
	if !kernelID(id.val) || strings.HasSuffix(id.val, "+") {
		return &FileError{File: name, Line: id.line, Err: fmt.Errorf("SPDX-Exception-Identifier %q is not an exception id", id.val)}
	}
	if old := k.Exceptions[id.val]; old != nil {
		return &FileError{File: name, Line: id.line, Err: fmt.Errorf("exception %s is declared by %s too", id.val, old.File)}
	}
	x := &KernelException{ID: id.val, File: name, URL: mf.url}
	for _, l := range strings.Split(mf.licenses.val, ",") {
		l = strings.TrimSpace(l)
		if k.Licenses[l] == nil {
			return &FileError{File: name, Line: mf.licenses.line, Err: fmt.Errorf("SPDX-Licenses names %q, which no file in LICENSES/ declares", l)}
		}
		x.Licenses = append(x.Licenses, l)
	}
	k.Exceptions[id.val] = x
	return nil
}

// kernelID reports whether s has the syntax of a license id, with an
// optional "+": the kernel may know ids newer than go-spdx's list, so
// LoadKernel checks syntax only.
func kernelID(s string) bool {
	return idString(strings.TrimSuffix(s, "+")) || isRef(s)
}

// parseKernelExpr checks the syntax of an expression in a metatag with
// ids checked by kernelID only.
func parseKernelExpr(s string) ([]string, error) {
	toks, err := lex(s, false)
	if err != nil {
		return nil, err
	}
	var ids []string
	depth, want := 0, true // want: an id or "(" comes next
	for _, t := range toks[:len(toks)-1] {
		switch {
		case t.kind == tokLParen && want:
			depth++
		case t.kind == tokRParen && !want && depth > 0:
			depth--
		case t.kind == tokID && want && kernelID(t.text):
			ids, want = append(ids, t.text), false
		case (t.kind == tokAnd || t.kind == tokOr || t.kind == tokWith) && !want:
			want = true
		default:
			return nil, &ExprError{Input: s, Offset: t.off, Token: t.text, Reason: "unexpected token"}
		}
	}
	if want || depth != 0 {
		return nil, &ExprError{Input: s, Offset: len(s), Reason: "unfinished expression"}
	}
	return ids, nil
}
