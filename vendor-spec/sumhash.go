package vendorspec

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rvendor/rvendor/tree"
)

// sumHashPrefix names the version of the hash of a component's lines of
// rvendor.sum, as "h1:" names the version of a directory hash.
const sumHashPrefix = "s1:"

// ComponentHash returns the "s1:" hash of the lines of component name in
// rvendor.sum, exactly as Marshal writes them: its file lines
// ("name mode size sha256 path") sorted by path, then its pristine lines
// ("name upstream mode size sha256 path" or "name upstream - - - path")
// sorted by path, each ending in "\n". It is what this pipeline prints
// for a sum with LF line ends:
//
//	grep '^name ' rvendor.sum | sha256sum | cut -c1-64 | xxd -r -p | base64 | sed 's/^/s1:/'
//
// Unlike the lock's tree hash (h1:, which covers paths and sha256s
// only), it covers every field, so a lock that records it commits to
// the mode and size of every file too. A component the sum does not
// list hashes as no lines.
func (s *Sum) ComponentHash(name string) string {
	h := sha256.New()
	var line []byte
	files := s.Files[name]
	if !slices.IsSortedFunc(files, func(a, b tree.File) int { return strings.Compare(a.Path, b.Path) }) {
		files = slices.Clone(files)
		sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	}
	for i := range files {
		line = appendFileLine(line[:0], name, "", &files[i], files[i].Path)
		h.Write(line)
	}
	hashPristine(h, &line, name, s.Pristine[name])
	return sumHashPrefix + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func hashPristine(h hash.Hash, line *[]byte, name string, over map[string]*tree.File) {
	if len(over) == 0 {
		return
	}
	paths := make([]string, 0, len(over))
	for p := range over {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		*line = appendFileLine((*line)[:0], name, pristineField, over[p], p)
		h.Write(*line)
	}
}

// appendFileLine appends the sum line of f (path p) to b: "name mode
// size sha256 path\n", with "upstream " after the name when field is
// pristineField, and "- - -" for a nil f (a path a patch added).
func appendFileLine(b []byte, name, field string, f *tree.File, p string) []byte {
	b = append(b, name...)
	b = append(b, ' ')
	if field != "" {
		b = append(b, field...)
		b = append(b, ' ')
	}
	if f == nil {
		b = append(b, "- - - "...)
	} else {
		b = appendMode(b, uint32(f.Mode.Perm()))
		b = append(b, ' ')
		b = strconv.AppendInt(b, f.Size, 10)
		b = append(b, ' ')
		b = appendHex(b, f.SHA256[:])
		b = append(b, ' ')
	}
	b = append(b, p...)
	return append(b, '\n')
}

// appendMode appends perm as fmt's "%04o" does.
func appendMode(b []byte, perm uint32) []byte {
	var d [12]byte
	i := len(d)
	for perm > 0 || i > len(d)-4 {
		i--
		d[i] = byte('0' + perm&7)
		perm >>= 3
	}
	return append(b, d[i:]...)
}

func appendHex(b, src []byte) []byte {
	const digits = "0123456789abcdef"
	for _, c := range src {
		b = append(b, digits[c>>4], digits[c&0xf])
	}
	return b
}

// validSumHash reports whether s has the form of a ComponentHash:
// "s1:" and the base64 of 32 bytes.
func validSumHash(s string) bool {
	rest, ok := strings.CutPrefix(s, sumHashPrefix)
	if !ok || len(rest) != base64.StdEncoding.EncodedLen(sha256.Size) {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(rest)
	return err == nil && len(b) == sha256.Size
}

// SealSum sets the Sum field of every component of l to the hash of its
// lines in s (s.ComponentHash), so that the lock commits to the sum.
// Call it on the lock and sum about to be written, after the last change
// to either.
func (l *Lock) SealSum(s *Sum) {
	for _, c := range l.Components {
		c.Sum = s.ComponentHash(c.Name)
	}
}

// ErrSumNotSealed reports that a lock records no sum hash for a
// component: it was written before rvendor sealed rvendor.sum (or the
// field was removed). Callers decide what it means; verify treats it as
// "not sealed: run rvendor update".
var ErrSumNotSealed = errors.New("rvendor.lock does not seal rvendor.sum")

// SumHashError is a component whose lines in rvendor.sum do not hash to
// the lock's sum field. It wraps ErrSumNotSealed when the lock has no sum
// for it, and ErrSumMismatch otherwise.
type SumHashError struct {
	Component string
	Lock      string // the lock's sum field; "" when not sealed
	Sum       string // ComponentHash of rvendor.sum
}

func (e *SumHashError) Error() string {
	if e.Lock == "" {
		return fmt.Sprintf("rvendor.lock does not seal the rvendor.sum lines of component %s (it was written by an older rvendor): run rvendor update %s to seal it", e.Component, e.Component)
	}
	return fmt.Sprintf("security error: the rvendor.sum lines of component %s hash to %s, but rvendor.lock records sum %s: "+
		"one of them was edited by hand or damaged (a mode or size changed?): restore both from version control, or re-vendor with rvendor update --force %s",
		e.Component, e.Sum, e.Lock, e.Component)
}

// Unwrap returns ErrSumNotSealed or ErrSumMismatch.
func (e *SumHashError) Unwrap() error {
	if e.Lock == "" {
		return ErrSumNotSealed
	}
	return ErrSumMismatch
}

// CheckSumHash checks, for every component of l in name order, that its
// lines in s hash to its Sum field. It returns nil when all do, else a
// *SumHashError for each component that does not (joined with
// errors.Join when there are several): errors.Is(err, ErrSumMismatch)
// holds when a sealed component's lines changed, and
// errors.Is(err, ErrSumNotSealed) when a component is not sealed. It
// does not look at components s lists and l does not.
func CheckSumHash(l *Lock, s *Sum) error {
	comps := slices.Clone(l.Components)
	sort.Slice(comps, func(i, j int) bool { return comps[i].Name < comps[j].Name })
	var errs []error
	for _, c := range comps {
		if got := s.ComponentHash(c.Name); got != c.Sum {
			errs = append(errs, &SumHashError{Component: c.Name, Lock: c.Sum, Sum: got})
		}
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}
