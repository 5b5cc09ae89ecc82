package patch

import (
	"sort"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/aymanbagabas/go-udiff/lcs"
)

// lineEdit replaces lines a[A0:A1] by b[B0:B1].
type lineEdit struct{ A0, A1, B0, B1 int }

// lineDiff returns the edits turning a into b, in order, contiguous ones
// joined. It is a patience diff: the common prefix and suffix are
// trimmed, the lines that occur exactly once in each side and in the same
// order anchor the rest, and each span between anchors is diffed the same
// way; a span with no such line is left to go-udiff's LCS.
//
// go-udiff's LCS alone bounds its search (about 100 differences) and then
// returns one edit spanning everything between far-apart changes: merged
// with a patch, that edit makes a whole file one conflict although the
// patch's lines are untouched upstream. Anchoring on unique lines keeps
// each LCS search local, so untouched regions stay untouched.
func lineDiff(a, b []string) []lineEdit {
	var out []lineEdit
	add := func(e lineEdit) {
		if e.A0 == e.A1 && e.B0 == e.B1 {
			return
		}
		if n := len(out); n > 0 && out[n-1].A1 == e.A0 && out[n-1].B1 == e.B0 {
			out[n-1].A1, out[n-1].B1 = e.A1, e.B1
			return
		}
		out = append(out, e)
	}
	var rec func(a0, a1, b0, b1 int)
	rec = func(a0, a1, b0, b1 int) {
		for a0 < a1 && b0 < b1 && a[a0] == b[b0] {
			a0, b0 = a0+1, b0+1
		}
		for a1 > a0 && b1 > b0 && a[a1-1] == b[b1-1] {
			a1, b1 = a1-1, b1-1
		}
		if a0 == a1 || b0 == b1 {
			add(lineEdit{a0, a1, b0, b1})
			return
		}
		anchors := uniqueCommon(a[a0:a1], b[b0:b1])
		if len(anchors) == 0 {
			for _, d := range lcs.DiffLines(a[a0:a1], b[b0:b1]) {
				add(lineEdit{a0 + d.Start, a0 + d.End, b0 + d.ReplStart, b0 + d.ReplEnd})
			}
			return
		}
		pa, pb := a0, b0
		for _, an := range anchors {
			rec(pa, a0+an[0], pb, b0+an[1])
			pa, pb = a0+an[0]+1, b0+an[1]+1
		}
		rec(pa, a1, pb, b1)
	}
	rec(0, len(a), 0, len(b))
	return out
}

// uniqueCommon returns the longest chain of index pairs (i, j), increasing
// in both, of lines that occur exactly once in a and once in b with
// a[i] == b[j].
func uniqueCommon(a, b []string) [][2]int {
	type count struct{ na, nb, ia, ib int }
	counts := map[string]*count{}
	for i, l := range a {
		c := counts[l]
		if c == nil {
			c = &count{}
			counts[l] = c
		}
		c.na++
		c.ia = i
	}
	for j, l := range b {
		if c := counts[l]; c != nil {
			c.nb++
			c.ib = j
		}
	}
	var pairs [][2]int
	for _, c := range counts {
		if c.na == 1 && c.nb == 1 {
			pairs = append(pairs, [2]int{c.ia, c.ib})
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	sort.Slice(pairs, func(x, y int) bool { return pairs[x][0] < pairs[y][0] })
	// The longest increasing run of j (patience sorting): tails[k] is the
	// index in pairs of the smallest j ending a chain of length k+1.
	tails := []int{}
	prev := make([]int, len(pairs))
	for p := range pairs {
		k := sort.Search(len(tails), func(k int) bool { return pairs[tails[k]][1] >= pairs[p][1] })
		prev[p] = -1
		if k > 0 {
			prev[p] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, p)
		} else {
			tails[k] = p
		}
	}
	chain := make([][2]int, len(tails))
	for k, p := len(tails)-1, tails[len(tails)-1]; k >= 0; k, p = k-1, prev[p] {
		chain[k] = pairs[p]
	}
	return chain
}

// textEdits returns the edits turning oldText into newText as go-udiff
// byte-range edits, computed line by line with lineDiff (so that hunks stay
// as small as the changes, where udiff.Lines would give up and return one
// edit spanning far-apart changes).
func textEdits(oldText, newText string) []udiff.Edit {
	a, b := splitLines(oldText), splitLines(newText)
	off := make([]int, len(a)+1)
	for i, l := range a {
		off[i+1] = off[i] + len(l)
	}
	var edits []udiff.Edit
	for _, e := range lineDiff(a, b) {
		edits = append(edits, udiff.Edit{Start: off[e.A0], End: off[e.A1], New: strings.Join(b[e.B0:e.B1], "")})
	}
	return edits
}
