package fetch

import (
	"hash/maphash"
	"math/bits"
	"strings"

	"github.com/rvendor/rvendor/tree"
)

// What Extract keeps per selected entry, and nothing else: its file (a
// tree.File whose Path is the entry's name relative to the root, copied
// into an arena), and a 4-byte slot in the name index, which refuses
// duplicates and names equal up to case. Folders are kept the same way,
// one dirName each. At the 1,048,576-entry cap that is 64 MiB of files,
// the bytes of the names, and 8 MiB of index. Files are kept in chunks
// and put in one slice (Result.Files) at the end: a slice grown by
// append holds its old and new arrays at once, and each time the new
// one is allocated the garbage collector finds both alive and sets its
// next goal from them.

// arena copies names into shared blocks, so that keeping a name costs
// its bytes, not an allocation of its own holding the tar reader's full
// name (root included).
type arena struct {
	b strings.Builder
}

// An arena's first block holds arenaFirst bytes, and each next block
// twice as many as the one before, up to arenaBlock: the names of a
// small archive (a .crate's are a few KiB) take a small block, and the
// blocks of a large one are as few as before.
const (
	arenaFirst = 4 << 10
	arenaBlock = 256 << 10
)

// intern returns a copy of s, held in a shared block. A block is never
// written again where it has been handed out: strings.Builder only
// appends, and a full block is left to the strings that point into it.
func (a *arena) intern(s string) string {
	if len(s) > arenaBlock/16 {
		return strings.Clone(s)
	}
	if a.b.Cap()-a.b.Len() < len(s) {
		size := max(min(2*a.b.Cap(), arenaBlock), arenaFirst, len(s))
		a.b = strings.Builder{}
		a.b.Grow(size)
	}
	n := a.b.Len()
	a.b.WriteString(s)
	return a.b.String()[n:]
}

// ref names an entry of a nameIndex: a file, by its index in files, or,
// with dirBit set, a folder, by its index in dirs.
type ref uint32

const (
	dirBit ref = 1 << 31
	// maxRefs bounds files and folders each, so that ref+1 fits in a
	// slot's 32 bits (Limits.MaxEntries bounds them further).
	maxRefs = 1<<31 - 1
)

func (r ref) isDir() bool { return r&dirBit != 0 }
func (r ref) index() int  { return int(r &^ dirBit) }

// dirName is a folder among the selected names.
type dirName struct {
	rel      string
	by       ref  // the entry it was first recorded for (itself if explicit)
	explicit bool // an entry of the archive, not only the folder of one
	created  bool // made below dst
}

// nameIndex is a set of slash paths, relative to the root, keyed by
// their case folding (appendFold): an open-addressing hash table of
// refs with linear probing, at most 3/4 full. A slot holds the ref plus
// one; 0 is an empty slot. The names are where the refs point, so a
// slot is 4 bytes, and growing the table hashes every name again.
type nameIndex struct {
	seed  maphash.Seed
	slots []uint32
	n     int
	files fileList
	dirs  []dirName
	max   int // files, and folders, at most
}

// newNameIndex returns an empty index for at most max files and max
// folders (and at most maxRefs).
func newNameIndex(max int) *nameIndex {
	return &nameIndex{seed: maphash.MakeSeed(), slots: make([]uint32, 1024), max: min(max, maxRefs)}
}

// rel returns the name r refers to.
func (ix *nameIndex) rel(r ref) string {
	if r.isDir() {
		return ix.dirs[r.index()].rel
	}
	return ix.files.at(r.index()).Path
}

// hash returns the hash of rel's case folding (appendFold), without
// allocating for names of up to 256 bytes.
func (ix *nameIndex) hash(rel string) uint32 {
	var buf [256]byte
	return uint32(maphash.Bytes(ix.seed, appendFold(buf[:0], rel)))
}

// lookup returns the entry whose name equals rel up to case, if any,
// and rel's hash, to add rel when it is not there.
func (ix *nameIndex) lookup(rel string) (r ref, h uint32, ok bool) {
	h = ix.hash(rel)
	mask := uint32(len(ix.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := ix.slots[i]
		if s == 0 {
			return 0, h, false
		}
		if r := ref(s - 1); strings.EqualFold(ix.rel(r), rel) {
			return r, h, true
		}
	}
}

// add inserts r, whose name hashes to h and is not in the index yet.
func (ix *nameIndex) add(h uint32, r ref) {
	if (ix.n+1)*4 > len(ix.slots)*3 {
		ix.grow()
	}
	ix.put(h, r)
	ix.n++
}

func (ix *nameIndex) put(h uint32, r ref) {
	mask := uint32(len(ix.slots) - 1)
	i := h & mask
	for ix.slots[i] != 0 {
		i = (i + 1) & mask
	}
	ix.slots[i] = uint32(r + 1)
}

func (ix *nameIndex) grow() {
	old := ix.slots
	ix.slots = make([]uint32, 2*len(old))
	for _, s := range old {
		if s != 0 {
			r := ref(s - 1)
			ix.put(ix.hash(ix.rel(r)), r)
		}
	}
}

// addDir adds the folder rel (hash h), recorded for the entry by, or
// for itself when explicit.
func (ix *nameIndex) addDir(h uint32, rel string, by ref, explicit bool) (ref, bool) {
	if len(ix.dirs) >= ix.max {
		return 0, false
	}
	r := dirBit | ref(len(ix.dirs))
	if explicit {
		by = r
	}
	ix.dirs = append(ix.dirs, dirName{rel: rel, by: by, explicit: explicit})
	ix.add(h, r)
	return r, true
}

// nextFile returns the ref the next file added will have.
func (ix *nameIndex) nextFile() (ref, bool) {
	return ref(ix.files.n), ix.files.n < ix.max
}

// addFile adds the file rel (hash h) and returns it, for the caller to
// fill in.
func (ix *nameIndex) addFile(h uint32, rel string) *tree.File {
	r := ref(ix.files.n)
	f := ix.files.add()
	f.Path = rel
	ix.add(h, r)
	return f
}

// fileList is a list of files kept in chunks: 64 files, then 128, and
// so on up to fileChunk, then chunks of fileChunk. It grows without
// copying, and wastes at most one chunk.
type fileList struct {
	chunks [][]tree.File
	n      int
}

const (
	firstChunk = 64
	fileChunk  = 1 << 14 // 1 MiB
	// growing is how many files the doubling chunks hold:
	// 64 + 128 + ... + fileChunk/2.
	growing = fileChunk - firstChunk
)

// locate returns the chunk and the offset in it of file i.
func (l *fileList) locate(i int) (int, int) {
	if i < growing {
		k := bits.Len(uint(i/firstChunk+1)) - 1
		return k, i - firstChunk*(1<<k-1)
	}
	j := i - growing
	return bits.Len(fileChunk/firstChunk) - 1 + j/fileChunk, j % fileChunk
}

// chunkLen returns the length of chunk c.
func chunkLen(c int) int {
	if c < bits.Len(fileChunk/firstChunk)-1 {
		return firstChunk << c
	}
	return fileChunk
}

// at returns file i.
func (l *fileList) at(i int) *tree.File {
	c, o := l.locate(i)
	return &l.chunks[c][o]
}

// add appends a zero file and returns it.
func (l *fileList) add() *tree.File {
	c, o := l.locate(l.n)
	if c == len(l.chunks) {
		l.chunks = append(l.chunks, make([]tree.File, chunkLen(c)))
	}
	l.n++
	return &l.chunks[c][o]
}

// slice returns the files in one slice of their exact length, nil if
// there are none, and empties l, letting each chunk go once copied.
func (l *fileList) slice() []tree.File {
	if l.n == 0 {
		return nil
	}
	out := make([]tree.File, 0, l.n)
	for i, c := range l.chunks {
		out = append(out, c[:min(len(c), l.n-len(out))]...)
		l.chunks[i] = nil
	}
	l.chunks, l.n = nil, 0
	return out
}
