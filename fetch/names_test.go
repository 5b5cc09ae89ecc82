package fetch

import (
	"fmt"
	"strings"
	"testing"
)

func TestFileList(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 65, growing - 1, growing, growing + 1, growing + 3*fileChunk + 7} {
		var l fileList
		for i := range n {
			f := l.add()
			f.Size = int64(i)
		}
		for i := range n {
			if got := l.at(i).Size; got != int64(i) {
				t.Fatalf("n=%d: at(%d).Size = %d", n, i, got)
			}
		}
		var alloc int
		for _, c := range l.chunks {
			alloc += len(c)
		}
		if alloc-n > fileChunk {
			t.Errorf("n=%d: %d files allocated", n, alloc)
		}
		s := l.slice()
		if len(s) != n || cap(s) != n || (n == 0) != (s == nil) {
			t.Fatalf("n=%d: slice len %d cap %d", n, len(s), cap(s))
		}
		for i, f := range s {
			if f.Size != int64(i) {
				t.Fatalf("n=%d: slice()[%d].Size = %d", n, i, f.Size)
			}
		}
	}
}

// TestFileListLocate checks, up to 2^31 files, that files have places
// in increasing order within their chunk's length, and that each chunk
// runs from offset 0 to its length.
func TestFileListLocate(t *testing.T) {
	var l fileList
	prevC, prevO := 0, -1
	for i := 0; i < 1<<31; i += 1 + i/1000 {
		c, o := l.locate(i)
		if c < prevC || c == prevC && o <= prevO || o >= chunkLen(c) {
			t.Fatalf("file %d at chunk %d offset %d (length %d), after chunk %d offset %d", i, c, o, chunkLen(c), prevC, prevO)
		}
		prevC, prevO = c, o
	}
	for c := range 200 {
		start := 0
		for k := range c {
			start += chunkLen(k)
		}
		if gc, o := l.locate(start); gc != c || o != 0 {
			t.Fatalf("chunk %d starts at file %d, located at chunk %d offset %d", c, start, gc, o)
		}
		if gc, o := l.locate(start + chunkLen(c) - 1); gc != c || o != chunkLen(c)-1 {
			t.Fatalf("chunk %d ends at file %d, located at chunk %d offset %d", c, start+chunkLen(c)-1, gc, o)
		}
	}
}

func TestNameIndex(t *testing.T) {
	ix := newNameIndex(MaxEntries)
	const n = 50000 // several growths
	for i := range n {
		name := fmt.Sprintf("Dir%d/File-%d.RS", i%97, i)
		if _, _, ok := ix.lookup(name); ok {
			t.Fatalf("%s found before it was added", name)
		}
		_, h, _ := ix.lookup(name)
		if i%2 == 0 {
			ix.addFile(h, name)
		} else {
			ix.addDir(h, name, 0, true)
		}
	}
	for i := range n {
		name := fmt.Sprintf("Dir%d/File-%d.RS", i%97, i)
		for _, q := range []string{name, strings.ToLower(name), strings.ToUpper(name)} {
			r, _, ok := ix.lookup(q)
			if !ok || ix.rel(r) != name || r.isDir() != (i%2 == 1) {
				t.Fatalf("lookup(%q) = %v, %v", q, r, ok)
			}
		}
	}
	if _, _, ok := ix.lookup("Dir1/File-1.RSx"); ok {
		t.Errorf("found a name never added")
	}
	// Unicode case folding: "ß" and "ẞ", "K" and the Kelvin sign.
	_, h, _ := ix.lookup("straße/K")
	ix.addFile(h, "straße/K")
	if r, _, ok := ix.lookup("STRAẞE/\u212a"); !ok || ix.rel(r) != "straße/K" {
		t.Errorf("Unicode case folding: not found")
	}
}

func TestArena(t *testing.T) {
	var a arena
	var got []string
	for i := range 100000 {
		got = append(got, a.intern(fmt.Sprintf("name-%d", i)))
	}
	got = append(got, a.intern(strings.Repeat("x", arenaBlock)))
	for i := range 100000 {
		if want := fmt.Sprintf("name-%d", i); got[i] != want {
			t.Fatalf("interned %q, now %q", want, got[i])
		}
	}
}

// TestArenaBlockSizes: the first block is small, each next one twice as
// large up to arenaBlock, and a name larger than the next block gets a
// block of its own size.
func TestArenaBlockSizes(t *testing.T) {
	var a arena
	a.intern("x")
	if a.b.Cap() != arenaFirst {
		t.Fatalf("first block %d bytes, want %d", a.b.Cap(), arenaFirst)
	}
	want := arenaFirst
	for range 10 {
		before := a.b.Cap()
		for { // until a new block
			n := a.b.Len()
			a.intern(strings.Repeat("n", 100))
			if a.b.Len() < n {
				break
			}
		}
		want = min(2*want, arenaBlock)
		if a.b.Cap() != want {
			t.Fatalf("block after one of %d bytes: %d bytes, want %d", before, a.b.Cap(), want)
		}
	}
	var b arena
	b.intern("x")
	long := strings.Repeat("y", arenaBlock/16)
	if got := b.intern(long); got != long || b.b.Cap() < len(long) {
		t.Fatalf("a name of %d bytes: block of %d bytes", len(long), b.b.Cap())
	}
}
