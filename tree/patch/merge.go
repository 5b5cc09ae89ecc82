package patch

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Labels name the three versions in conflict markers.
type Labels struct {
	Ours   string // the new upstream (with the earlier patches)
	Base   string // what the patch was recorded against
	Theirs string // the patch
}

// Conflict markers, as git writes them (diff3 style).
const (
	MarkerOurs   = "<<<<<<<"
	MarkerBase   = "|||||||"
	MarkerSep    = "======="
	MarkerTheirs = ">>>>>>>"
)

type hunk3 struct {
	start, end int      // base lines replaced, [start, end)
	lines      []string // what replaces them
	theirs     bool
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// lineHunks returns the changes from base to other as replaced line
// ranges of base (by lineDiff, which keeps untouched regions untouched
// when the two are far apart).
func lineHunks(base []string, other string, theirs bool) []hunk3 {
	ol := splitLines(other)
	var out []hunk3
	for _, e := range lineDiff(base, ol) {
		out = append(out, hunk3{start: e.A0, end: e.A1, lines: ol[e.B0:e.B1], theirs: theirs})
	}
	return out
}

// Merge3 merges the changes from base to ours and from base to theirs,
// line by line. Where both changed the same lines differently it writes
// both versions between conflict markers (with the base between them,
// diff3 style) and counts a conflict.
func Merge3(base, ours, theirs []byte, l Labels) ([]byte, int) {
	bt, ot, tt := string(base), string(ours), string(theirs)
	if ot == tt {
		return ours, 0
	}
	if bt == ot {
		return theirs, 0
	}
	if bt == tt {
		return ours, 0
	}
	bl := splitLines(bt)
	hs := append(lineHunks(bl, ot, false), lineHunks(bl, tt, true)...)
	sort.SliceStable(hs, func(i, j int) bool {
		if hs[i].start != hs[j].start {
			return hs[i].start < hs[j].start
		}
		return hs[i].end < hs[j].end
	})
	var out bytes.Buffer
	conflicts := 0
	pos := 0
	for i := 0; i < len(hs); {
		s, e := hs[i].start, hs[i].end
		j := i + 1
		for j < len(hs) && (hs[j].start < e || hs[j].start == e && (hs[j].start == hs[j].end || s == e)) {
			e = max(e, hs[j].end)
			j++
		}
		group := hs[i:j]
		for _, x := range bl[pos:s] {
			out.WriteString(x)
		}
		var hasOurs, hasTheirs bool
		for _, h := range group {
			if h.theirs {
				hasTheirs = true
			} else {
				hasOurs = true
			}
		}
		region := func(theirs bool) string {
			var b strings.Builder
			p := s
			for _, h := range group {
				if h.theirs != theirs {
					continue
				}
				for _, x := range bl[p:h.start] {
					b.WriteString(x)
				}
				for _, x := range h.lines {
					b.WriteString(x)
				}
				p = h.end
			}
			for _, x := range bl[p:e] {
				b.WriteString(x)
			}
			return b.String()
		}
		o, t := region(false), region(true)
		switch {
		case !hasTheirs:
			out.WriteString(o)
		case !hasOurs || o == t:
			out.WriteString(t)
		default:
			conflicts++
			nl := func(x string) string {
				if x != "" && !strings.HasSuffix(x, "\n") {
					return x + "\n"
				}
				return x
			}
			fmt.Fprintf(&out, "%s %s\n%s%s %s\n%s%s\n%s%s %s\n", MarkerOurs, l.Ours, nl(o),
				MarkerBase, l.Base, nl(strings.Join(bl[s:e], "")), MarkerSep, nl(t), MarkerTheirs, l.Theirs)
		}
		pos = e
		i = j
	}
	for _, x := range bl[pos:] {
		out.WriteString(x)
	}
	return out.Bytes(), conflicts
}

// HasMarkers reports whether data holds a line starting with a conflict
// marker ("<<<<<<< " or ">>>>>>> ").
func HasMarkers(data []byte) bool {
	for _, m := range []string{MarkerOurs + " ", MarkerTheirs + " "} {
		if bytes.HasPrefix(data, []byte(m)) || bytes.Contains(data, []byte("\n"+m)) {
			return true
		}
	}
	return false
}

// Carry statuses of a patch applied to a new version.
const (
	Applied   = "applied"  // every hunk applied exactly
	Merged    = "merged"   // a three-way merge was needed and succeeded
	Conflict  = "conflict" // conflict markers were written
	BecameNil = "empty"    // the new version already has the change
)

// CarryResult is what Carry did with one patch.
type CarryResult struct {
	Status string
	// Before and After hold each touched path's content before and after
	// the patch (nil: absent). After holds conflict markers on conflict.
	Before, After map[string]*Content
	// Conflicts lists the paths with conflicts, sorted, each with why.
	Conflicts []FileConflict
}

// FileConflict is one file a patch could not be carried onto.
type FileConflict struct {
	Path string `json:"path"`
	Why  string `json:"why"`
}

// Changes returns the result as changes, sorted by path, for Refresh.
func (r *CarryResult) Changes() []Change {
	var out []Change
	for p, b := range r.Before {
		out = append(out, Change{Path: p, Old: b, New: r.After[p]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// ErrNoBase is wrapped when a patch does not apply exactly and no base
// version is known to merge with.
var ErrNoBase = errors.New("it does not apply exactly, and the version it was recorded against is not available for a three-way merge")

// Carry applies p to the tree at work in place: exactly where it can, else
// by a three-way merge per file with base(path), the content the path had
// when p was recorded, as the base. base may be nil; it is called only
// for files where the exact apply fails.
func Carry(p *Patch, work string, base func(path string) (*Content, error), l Labels) (*CarryResult, error) {
	r := &CarryResult{Status: Applied, Before: map[string]*Content{}, After: map[string]*Content{}}
	for _, f := range p.Files {
		path := filePath(f)
		before, err := Read(work, path)
		if err != nil {
			return nil, &PatchError{Patch: p.Name, Path: path, Err: err}
		}
		r.Before[path] = before
		after, err := ApplyFile(f, before)
		if err == nil {
			r.After[path] = after
			continue
		}
		if base == nil {
			return nil, &PatchError{Patch: p.Name, Path: path, Err: fmt.Errorf("%w (%v)", ErrNoBase, err)}
		}
		b, err := base(path)
		if err != nil {
			return nil, &PatchError{Patch: p.Name, Path: path, Err: err}
		}
		theirs, err := ApplyFile(f, b)
		if err != nil {
			return nil, &PatchError{Patch: p.Name, Path: path,
				Err: fmt.Errorf("it does not apply to the version it was recorded against either (%w); the queue is damaged: drop or re-record the patch", err)}
		}
		if r.Status == Applied {
			r.Status = Merged
		}
		switch {
		case before == nil && theirs == nil:
			r.After[path] = nil
		case before == nil:
			r.After[path] = theirs
			r.Conflicts = append(r.Conflicts, FileConflict{path, "deleted upstream, changed by the patch (the patch's version was written)"})
		case theirs == nil:
			r.After[path] = before
			if b == nil || !bytes.Equal(b.Data, before.Data) {
				r.Conflicts = append(r.Conflicts, FileConflict{path, "changed upstream, deleted by the patch (upstream's version was kept)"})
			} else {
				r.After[path] = nil
			}
		default:
			var bd []byte
			mode := before.Mode
			if b != nil {
				bd = b.Data
				if theirs.Mode != b.Mode {
					mode = theirs.Mode
				}
			}
			merged, n := Merge3(bd, before.Data, theirs.Data, l)
			r.After[path] = &Content{Data: merged, Mode: mode}
			if n > 0 {
				r.Conflicts = append(r.Conflicts, FileConflict{path, fmt.Sprintf("%d conflicting hunk%s", n, plural(n))})
			}
		}
	}
	if len(r.Conflicts) > 0 {
		r.Status = Conflict
	} else {
		same := true
		for path, b := range r.Before {
			a := r.After[path]
			if (a == nil) != (b == nil) || a != nil && (!bytes.Equal(a.Data, b.Data) || a.Mode != b.Mode) {
				same = false
			}
		}
		if same {
			r.Status = BecameNil
		}
	}
	for _, path := range p.Paths() {
		if err := Write(work, path, r.After[path]); err != nil {
			return nil, &PatchError{Patch: p.Name, Path: path, Err: err}
		}
	}
	sort.Slice(r.Conflicts, func(i, j int) bool { return r.Conflicts[i].Path < r.Conflicts[j].Path })
	return r, nil
}
