package patch

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	udiff "github.com/aymanbagabas/go-udiff"
)

// ContextLines is the number of unchanged lines around each hunk.
const ContextLines = 3

// Content is one version of a file: its bytes and normalized mode (0o644
// or 0o755).
type Content struct {
	Data []byte
	Mode fs.FileMode
}

// Change is the change of one file between two versions of a tree; a nil
// Old means the file was added, a nil New that it was deleted.
type Change struct {
	Path     string // slash-separated, relative to the tree's root
	Old, New *Content
}

// BinaryError reports a file that cannot be diffed as text.
type BinaryError struct{ Path string }

func (e *BinaryError) Error() string {
	return fmt.Sprintf("%s is not a text file (it holds a NUL byte or invalid UTF-8); rvendor patches carry text only: restore it, or exclude it from the component", e.Path)
}

// ErrEmpty is returned by Format when no change remains.
var ErrEmpty = errors.New("no changes")

// Stat is the diffstat of one file.
type Stat struct {
	Path    string `json:"path"`
	Added   int    `json:"added"`
	Deleted int    `json:"deleted"`
	Status  string `json:"status"` // "modified", "added", "deleted" or "mode"
}

func isText(b []byte) bool { return bytes.IndexByte(b, 0) < 0 && utf8.Valid(b) }

func gitMode(m fs.FileMode) string {
	if m&0o111 != 0 {
		return "100755"
	}
	return "100644"
}

// blobID returns git's object id of a blob holding data.
func blobID(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// Diff returns the git-style unified diff of changes, sorted by path, and
// the diffstat of each file. Changes with equal old and new are skipped.
func Diff(changes []Change) ([]byte, []Stat, error) {
	cs := append([]Change(nil), changes...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Path < cs[j].Path })
	var b bytes.Buffer
	var stats []Stat
	for _, c := range cs {
		st, err := diffFile(&b, c)
		if err != nil {
			return nil, nil, err
		}
		if st != nil {
			stats = append(stats, *st)
		}
	}
	return b.Bytes(), stats, nil
}

func diffFile(b *bytes.Buffer, c Change) (*Stat, error) {
	var oldData, newData []byte
	if c.Old != nil {
		oldData = c.Old.Data
	}
	if c.New != nil {
		newData = c.New.Data
	}
	if c.Old != nil && c.New != nil && bytes.Equal(oldData, newData) && gitMode(c.Old.Mode) == gitMode(c.New.Mode) {
		return nil, nil
	}
	if c.Old == nil && c.New == nil {
		return nil, nil
	}
	if !isText(oldData) || !isText(newData) {
		return nil, &BinaryError{Path: c.Path}
	}
	st := &Stat{Path: c.Path, Status: "modified"}
	fmt.Fprintf(b, "diff --git a/%s b/%s\n", c.Path, c.Path)
	oldID, newID := blobID(oldData), blobID(newData)
	switch {
	case c.Old == nil:
		st.Status = "added"
		fmt.Fprintf(b, "new file mode %s\nindex %s..%s\n", gitMode(c.New.Mode), strings.Repeat("0", 40), newID)
	case c.New == nil:
		st.Status = "deleted"
		fmt.Fprintf(b, "deleted file mode %s\nindex %s..%s\n", gitMode(c.Old.Mode), oldID, strings.Repeat("0", 40))
	default:
		if gitMode(c.Old.Mode) != gitMode(c.New.Mode) {
			fmt.Fprintf(b, "old mode %s\nnew mode %s\n", gitMode(c.Old.Mode), gitMode(c.New.Mode))
			if bytes.Equal(oldData, newData) {
				st.Status = "mode"
				return st, nil
			}
			fmt.Fprintf(b, "index %s..%s\n", oldID, newID)
		} else {
			fmt.Fprintf(b, "index %s..%s %s\n", oldID, newID, gitMode(c.New.Mode))
		}
	}
	if len(oldData) == 0 && len(newData) == 0 {
		return st, nil // an empty file added or deleted: headers only
	}
	from, to := "a/"+c.Path, "b/"+c.Path
	if c.Old == nil {
		from = "/dev/null"
	}
	if c.New == nil {
		to = "/dev/null"
	}
	oldText, newText := string(oldData), string(newData)
	u, err := udiff.ToUnifiedDiff(from, to, oldText, textEdits(oldText, newText), ContextLines)
	if err != nil {
		return nil, fmt.Errorf("diffing %s: %w", c.Path, err)
	}
	fmt.Fprintf(b, "--- %s\n+++ %s\n", from, to)
	for _, h := range u.Hunks {
		var from, to int
		for _, l := range h.Lines {
			switch l.Kind {
			case udiff.Delete:
				from++
			case udiff.Insert:
				to++
			default:
				from++
				to++
			}
		}
		fmt.Fprintf(b, "@@ -%s +%s @@\n", hunkRange(h.FromLine, from), hunkRange(h.ToLine, to))
		for _, l := range h.Lines {
			switch l.Kind {
			case udiff.Delete:
				b.WriteByte('-')
				st.Deleted++
			case udiff.Insert:
				b.WriteByte('+')
				st.Added++
			default:
				b.WriteByte(' ')
			}
			b.WriteString(l.Content)
			if !strings.HasSuffix(l.Content, "\n") {
				b.WriteString("\n\\ No newline at end of file\n")
			}
		}
	}
	return st, nil
}

// hunkRange writes a hunk's start and count as diff -u does: "N" for one
// line, "N,C" otherwise, and "N-1,0" for an empty range (the line before).
func hunkRange(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}

// Header is what a patch file says about its change.
type Header struct {
	Author  string // "Name <mail>"
	Date    string // RFC 2822, as git writes it; see DefaultDate
	Subject string // one line, without "[PATCH]"
	Body    string // optional commit message body
}

// DefaultDate is the Date written when none is given: fixed, so that
// recording the same change twice gives the same bytes.
const DefaultDate = "Thu, 1 Jan 1970 00:00:00 +0000"

// DefaultAuthor is the From written when none is given.
const DefaultAuthor = "rvendor <rvendor@localhost>"

// Format returns a git format-patch file for changes. It returns ErrEmpty
// when no file changes.
func Format(h Header, changes []Change) ([]byte, []Stat, error) {
	diff, stats, err := Diff(changes)
	if err != nil {
		return nil, nil, err
	}
	if len(stats) == 0 {
		return nil, nil, ErrEmpty
	}
	if h.Author == "" {
		h.Author = DefaultAuthor
	}
	if h.Date == "" {
		h.Date = DefaultDate
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From %s Mon Sep 17 00:00:00 2001\n", strings.Repeat("0", 40))
	fmt.Fprintf(&b, "From: %s\nDate: %s\nSubject: [PATCH] %s\n\n", h.Author, h.Date, oneLine(h.Subject))
	if body := strings.TrimSpace(h.Body); body != "" {
		b.WriteString(body + "\n")
	}
	b.WriteString("---\n")
	writeStat(&b, stats)
	b.WriteString("\n")
	b.Write(diff)
	b.WriteString("-- \nrvendor\n\n")
	return b.Bytes(), stats, nil
}

// Refresh returns data (a patch file) with its diff replaced by changes,
// keeping its header bytes (everything before its "---" line, or before
// its first "diff --git" line when it has none). It returns ErrEmpty when
// no file changes.
func Refresh(data []byte, changes []Change) ([]byte, []Stat, error) {
	diff, stats, err := Diff(changes)
	if err != nil {
		return nil, nil, err
	}
	if len(stats) == 0 {
		return nil, nil, ErrEmpty
	}
	head := data
	if i := bytes.Index(data, []byte("\n---\n")); i >= 0 && (bytes.Index(data, []byte("\ndiff --git ")) < 0 || i < bytes.Index(data, []byte("\ndiff --git "))) {
		head = data[:i+1]
	} else if i := bytes.Index(data, []byte("diff --git ")); i >= 0 {
		head = data[:i]
	}
	var b bytes.Buffer
	b.Write(head)
	b.WriteString("---\n")
	writeStat(&b, stats)
	b.WriteString("\n")
	b.Write(diff)
	b.WriteString("-- \nrvendor\n\n")
	return b.Bytes(), stats, nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func writeStat(b *bytes.Buffer, stats []Stat) {
	width := 0
	for _, s := range stats {
		width = max(width, len(s.Path))
	}
	var add, del int
	for _, s := range stats {
		n := s.Added + s.Deleted
		if s.Status == "mode" {
			fmt.Fprintf(b, " %-*s | 0\n", width, s.Path)
			continue
		}
		fmt.Fprintf(b, " %-*s | %d %s%s\n", width, s.Path, n, strings.Repeat("+", min(s.Added, 60)), strings.Repeat("-", min(s.Deleted, 60)))
		add += s.Added
		del += s.Deleted
	}
	fmt.Fprintf(b, " %d file%s changed", len(stats), plural(len(stats)))
	if add > 0 {
		fmt.Fprintf(b, ", %d insertion%s(+)", add, plural(add))
	}
	if del > 0 {
		fmt.Fprintf(b, ", %d deletion%s(-)", del, plural(del))
	}
	b.WriteString("\n")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Read returns the content of root/path, or nil when it does not exist.
func Read(root, path string) (*Content, error) {
	p := filepath.Join(root, filepath.FromSlash(path))
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is a %s, not a regular file", path, fi.Mode().Type())
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	mode := fs.FileMode(0o644)
	if fi.Mode().Perm()&0o111 != 0 {
		mode = 0o755
	}
	return &Content{Data: data, Mode: mode}, nil
}

// Write makes root/path hold c, or removes it when c is nil (and any
// folders that become empty, up to root).
func Write(root, path string, c *Content) error {
	p := filepath.Join(root, filepath.FromSlash(path))
	if c == nil {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		for d := filepath.Dir(p); len(d) > len(root); d = filepath.Dir(d) {
			if os.Remove(d) != nil {
				break
			}
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp := p + ".rvendor-tmp"
	if err := os.WriteFile(tmp, c.Data, c.Mode); err != nil {
		return err
	}
	if err := os.Chmod(tmp, c.Mode); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, p)
}
