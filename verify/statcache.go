package verify

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"
	"unsafe"

	"github.com/rvendor/rvendor/tree"
)

// RacyMargin is how much older than the start of a verify run a file's
// mtime and ctime must be for the run to record its digest in the stat
// cache. A file touched later may still change within the same timestamp
// tick without its metadata changing, so it is hashed again next run.
// Three seconds covers filesystems with one- or two-second timestamps and
// the lag of the kernel's coarse clock; it assumes the tree's filesystem
// and this machine's clock agree to within that.
const RacyMargin = 3 * time.Second

// MaxStatCacheSize is the largest stat cache file read; a bigger one is
// ignored and rewritten.
const MaxStatCacheSize = 64 << 20

// statCacheMagic starts every stat cache file; a file that does not start
// with it, is not of the length its header says, or whose trailing
// CRC-32 (IEEE) does not match, is ignored (and rewritten).
//
// The format is read in place, from a mapping of the file, with nothing
// decoded up front: every field has a fixed size and place. All numbers
// are little-endian:
//
//	magic                          22 bytes
//	ndest, nrec, nstr              3 × u32
//	dests, sorted by name          ndest × {u32 nameOff, nameLen, first, count}
//	records, per dest by path      nrec × 88 bytes:
//	    u32 pathOff, pathLen; i64 size, mtime, ctime; u64 ino, dev;
//	    u32 mode, 0; the file's SHA-256 (32 bytes)
//	strings                        nstr bytes (offsets above are into them)
//	CRC-32 (IEEE) of all the above u32
//
// The checksum is against corruption, not attack: the cache lives outside
// the tree, in a folder of the user's own (verify refuses one inside it).
// IEEE, not Castagnoli: both run on the CPU's carry-less multiply, and
// Castagnoli's tables cost every run 0.1-0.2 ms to build.
const statCacheMagic = "rvendor stat cache v2\n"

const (
	cacheHeaderSize = len(statCacheMagic) + 12
	cacheDestSize   = 16
	cacheRecordSize = 88
)

type cacheEntry struct {
	path string
	st   tree.Stat
	sum  [32]byte
}

// cacheView is one dest's records in a stat cache file, read in place.
type cacheView struct {
	recs []byte // count × cacheRecordSize
	strs string // the file's strings
}

func (v cacheView) len() int { return len(v.recs) / cacheRecordSize }

func (v cacheView) rec(i int) []byte {
	return v.recs[i*cacheRecordSize : (i+1)*cacheRecordSize]
}

// path returns record i's path; one out of the strings' bounds (only a
// corrupt file whose checksum still matched) reads as "", which no
// lookup asks for.
func (v cacheView) path(i int) string {
	r := v.rec(i)
	off, n := uint64(binary.LittleEndian.Uint32(r)), uint64(binary.LittleEndian.Uint32(r[4:]))
	if off+n > uint64(len(v.strs)) {
		return ""
	}
	return v.strs[off : off+n]
}

func (v cacheView) stat(i int) tree.Stat {
	r := v.rec(i)
	le := binary.LittleEndian
	return tree.Stat{Size: int64(le.Uint64(r[8:])), Mtime: int64(le.Uint64(r[16:])), Ctime: int64(le.Uint64(r[24:])),
		Ino: le.Uint64(r[32:]), Dev: le.Uint64(r[40:]), Mode: le.Uint32(r[48:])}
}

func (v cacheView) sum(i int) [32]byte { return [32]byte(v.rec(i)[56:88]) }

// find returns the index of path's record. Records are sorted by path as
// written; were they not, find would miss entries (their files hashed
// again), never return another path's.
func (v cacheView) find(path string) (int, bool) {
	i := sort.Search(v.len(), func(i int) bool { return v.path(i) >= path })
	return i, i < v.len() && v.path(i) == path
}

// entries returns the dest's records as entries, to write them again.
func (v cacheView) entries() []cacheEntry {
	out := make([]cacheEntry, v.len())
	for i := range out {
		out[i] = cacheEntry{path: v.path(i), st: v.stat(i), sum: v.sum(i)}
	}
	return out
}

// statCache maps dest -> path -> metadata and digest of the file when it
// was last hashed.
type statCache struct {
	path     string
	specDir  string
	coarse   func(*tree.Stat) // nil, or tests' transform of every stat
	readOnly bool             // inside the spec's folder: read it, never write it
	start    int64
	raw      []byte // the file as read, to skip identical rewrites
	old      map[string]cacheView

	mu    sync.Mutex
	new   map[string][]cacheEntry // dests whose entries changed this run
	dirty bool                    // new differs from old
	err   string
}

// coarsened returns st with the tests' transform, if any, applied.
// Without one nothing escapes to the heap: verify calls it per file.
func (c *statCache) coarsened(st tree.Stat) tree.Stat {
	if c.coarse == nil {
		return st
	}
	return c.coarsenedSlow(st)
}

//go:noinline
func (c *statCache) coarsenedSlow(st tree.Stat) tree.Stat {
	c.coarse(&st)
	return st
}

func openCache(opt Options) *statCache {
	if opt.StatCache == "" {
		return nil
	}
	now := time.Now
	if opt.now != nil {
		now = opt.now
	}
	c := &statCache{path: opt.StatCache, start: now().UnixNano(), coarse: opt.coarse,
		old: map[string]cacheView{}, new: map[string][]cacheEntry{}}
	c.specDir = opt.Spec.Dir
	if abs, err := filepath.Abs(opt.StatCache); err != nil || within(abs, opt.Spec.Dir) {
		c.readOnly = true
		c.err = "stat cache " + opt.StatCache + " lies inside the spec's folder: not written"
	}
	// Mapped, not read: at 29k files the cache is 3.8 MB, and fresh pages
	// are what a warm verify spends most on. The file is only ever
	// replaced by a rename, never written in place.
	data, err := tree.MapOwnFile(opt.StatCache, MaxStatCacheSize)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			c.err = "reading stat cache: " + err.Error()
		}
		return c
	}
	if old, ok := decodeCache(data); ok {
		c.old, c.raw = old, data
	} else {
		c.err = "stat cache " + opt.StatCache + " is corrupt or of another format: ignored"
	}
	return c
}

func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && filepath.IsLocal(rel)
}

// resolveExisting returns p with the symlinks of its longest existing
// prefix resolved.
func resolveExisting(p string) (string, error) {
	p, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	for {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		parent := filepath.Dir(p)
		if parent == p {
			return "", errors.New("no existing parent")
		}
		rest = append([]string{filepath.Base(p)}, rest...)
		p = parent
	}
}

// destHits is the account of a dest's files that the stat cache vouched
// for in this run: the records of the dest's view that were hits.
type destHits struct {
	v   cacheView
	hit []bool // by record of v; each written by the one worker that met its path
}

// count returns how many records were hits.
func (h *destHits) count() int {
	n := 0
	for _, b := range h.hit {
		if b {
			n++
		}
	}
	return n
}

// entry returns record i as the Entry a scan would have made of it.
func (h *destHits) entry(i int) tree.Entry {
	st := h.v.stat(i)
	return tree.Entry{File: tree.File{Path: h.v.path(i), Mode: tree.NormalizeMode(fs.FileMode(st.Mode)), Size: st.Size,
		SHA256: h.v.sum(i)}, Stat: st, Cached: true}
}

// known returns the Scanner.Known function for the component at dest,
// which marks each record it vouches for in the returned account; the
// scan leaves those files out of its result (Scanner.OmitKnown).
func (c *statCache) known(dest string) (*destHits, func(string, *tree.Stat) ([32]byte, bool)) {
	h := &destHits{v: c.old[dest]}
	h.hit = make([]bool, h.v.len())
	return h, func(path string, st *tree.Stat) ([32]byte, bool) {
		i, ok := h.v.find(path)
		if !ok || c.coarsened(*st) != h.v.stat(i) {
			return [32]byte{}, false
		}
		h.hit[i] = true
		return h.v.sum(i), true
	}
}

// record keeps the files of dest that may be trusted next run: those the
// cache vouched for (h), and of those read (runs, each sorted by path)
// the ones read whole (size as stat said) with both times older than the
// run's start by RacyMargin.
func (c *statCache) record(dest string, runs [][]tree.Entry, h *destHits) {
	hits, read := h.count(), 0
	for _, r := range runs {
		read += len(r)
	}
	if read == 0 && hits == h.v.len() {
		// Records vouched for were trusted when written, and the clock
		// only moved on since: every file a hit, and every record hit,
		// means the cache is unchanged (save keeps it as is).
		return
	}
	limit := c.start - int64(RacyMargin)
	m := make([]cacheEntry, 0, hits+read)
	for f := newFound(h, runs); f.next(); { // in path order, as a dest's records must be
		e := &f.cur
		if e.Cached {
			m = append(m, cacheEntry{path: e.Path, st: e.Stat, sum: e.SHA256})
			continue
		}
		st := c.coarsened(e.Stat)
		if st.Size != e.Size || st.Mtime >= limit || st.Ctime >= limit {
			continue
		}
		m = append(m, cacheEntry{path: e.Path, st: st, sum: e.SHA256})
	}
	c.mu.Lock()
	c.new[dest] = m
	c.dirty = true
	c.mu.Unlock()
}

// found is what a scan found of a dest: the files the stat cache vouched
// for (h, nil without a cache) and the files read (runs), each in path
// order. next walks them all as one list in path order.
type found struct {
	h    *destHits
	runs [][]tree.Entry // what is left of each run
	i    int            // the next record of h.v to look at
	cur  tree.Entry     // the file next moved to
}

func newFound(h *destHits, runs [][]tree.Entry) *found {
	return &found{h: h, runs: slices.Clone(runs)}
}

// next moves to the next file in path order; false at the end.
func (f *found) next() bool {
	if f.h != nil {
		for f.i < len(f.h.hit) && !f.h.hit[f.i] {
			f.i++
		}
	}
	best, path := -1, "" // the run whose head comes first, and its path
	for k, r := range f.runs {
		if len(r) > 0 && (best < 0 || r[0].Path < path) {
			best, path = k, r[0].Path
		}
	}
	switch {
	case f.h != nil && f.i < len(f.h.hit) && (best < 0 || f.h.v.path(f.i) < path):
		f.cur = f.h.entry(f.i)
		f.i++
	case best >= 0:
		f.cur = f.runs[best][0]
		f.runs[best] = f.runs[best][1:]
	default:
		return false
	}
	return true
}

// save writes the cache when its content changed: atomically, and never
// failing verify.
func (c *statCache) save(stats *Stats) {
	defer func() { stats.CacheError = c.err }()
	if !c.dirty || c.readOnly {
		return
	}
	for dest, v := range c.old { // keep dests unchanged or not checked this run
		if _, ok := c.new[dest]; !ok {
			c.new[dest] = v.entries()
		}
	}
	data := encodeCache(c.new)
	if bytes.Equal(data, c.raw) {
		return
	}
	dir := filepath.Dir(c.path)
	// Refuse a cache folder that reaches into the tree by a symlink,
	// before creating any folder.
	specDir := c.specDir
	if real, err := filepath.EvalSymlinks(specDir); err == nil {
		specDir = real
	}
	if real, err := resolveExisting(dir); err != nil || within(real, specDir) {
		c.err = "stat cache " + c.path + " lies inside the spec's folder: not written"
		return
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		c.err = "stat cache not written: " + err.Error()
		return
	}
	f, err := os.CreateTemp(dir, ".stat-*.tmp")
	if err != nil {
		c.err = "stat cache not written: " + err.Error()
		return
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), c.path)
	}
	if werr != nil {
		os.Remove(f.Name())
		c.err = "stat cache not written: " + werr.Error()
		return
	}
	stats.CacheWritten = true
}

// encodeCache serializes m deterministically, in the format described
// at statCacheMagic: dests sorted by name, each one's entries sorted by
// path (as record and entries give them).
func encodeCache(m map[string][]cacheEntry) []byte {
	dests := make([]string, 0, len(m))
	nrec, nstr := 0, 0
	for d, es := range m {
		dests = append(dests, d)
		nrec += len(es)
		nstr += len(d)
		for _, e := range es {
			nstr += len(e.path)
		}
	}
	slices.Sort(dests)
	le := binary.LittleEndian
	b := make([]byte, 0, cacheHeaderSize+len(dests)*cacheDestSize+nrec*cacheRecordSize+nstr+4)
	b = append(b, statCacheMagic...)
	b = le.AppendUint32(b, uint32(len(dests)))
	b = le.AppendUint32(b, uint32(nrec))
	b = le.AppendUint32(b, uint32(nstr))
	strs := make([]byte, 0, nstr)
	first := 0
	for _, d := range dests {
		b = le.AppendUint32(b, uint32(len(strs)))
		b = le.AppendUint32(b, uint32(len(d)))
		b = le.AppendUint32(b, uint32(first))
		b = le.AppendUint32(b, uint32(len(m[d])))
		strs = append(strs, d...)
		first += len(m[d])
	}
	for _, d := range dests {
		for _, e := range m[d] {
			b = le.AppendUint32(b, uint32(len(strs)))
			b = le.AppendUint32(b, uint32(len(e.path)))
			strs = append(strs, e.path...)
			b = le.AppendUint64(b, uint64(e.st.Size))
			b = le.AppendUint64(b, uint64(e.st.Mtime))
			b = le.AppendUint64(b, uint64(e.st.Ctime))
			b = le.AppendUint64(b, e.st.Ino)
			b = le.AppendUint64(b, e.st.Dev)
			b = le.AppendUint32(b, e.st.Mode)
			b = le.AppendUint32(b, 0)
			b = append(b, e.sum[:]...)
		}
	}
	b = append(b, strs...)
	return le.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// decodeCache checks data and returns its dests as views of it, decoding
// no record; ok is false for anything but a well-formed cache whose
// checksum matches. The views share data's bytes, which are never
// written.
func decodeCache(data []byte) (m map[string]cacheView, ok bool) {
	if len(data) < cacheHeaderSize+4 || string(data[:len(statCacheMagic)]) != statCacheMagic {
		return nil, false
	}
	le := binary.LittleEndian
	body := data[:len(data)-4]
	if crc32.ChecksumIEEE(body) != le.Uint32(data[len(body):]) {
		return nil, false
	}
	h := body[len(statCacheMagic):]
	ndest, nrec, nstr := uint64(le.Uint32(h)), uint64(le.Uint32(h[4:])), uint64(le.Uint32(h[8:]))
	destsAt := uint64(cacheHeaderSize)
	recsAt := destsAt + ndest*cacheDestSize
	strsAt := recsAt + nrec*cacheRecordSize
	if strsAt+nstr != uint64(len(body)) {
		return nil, false
	}
	strs := unsafe.String(unsafe.SliceData(body[strsAt:]), int(nstr))
	m = make(map[string]cacheView, ndest)
	for i := range ndest {
		d := body[destsAt+i*cacheDestSize:]
		nameOff, nameLen := uint64(le.Uint32(d)), uint64(le.Uint32(d[4:]))
		first, count := uint64(le.Uint32(d[8:])), uint64(le.Uint32(d[12:]))
		if nameOff+nameLen > nstr || first+count > nrec {
			return nil, false
		}
		name := strs[nameOff : nameOff+nameLen]
		if _, dup := m[name]; dup {
			return nil, false
		}
		m[name] = cacheView{recs: body[recsAt+first*cacheRecordSize : recsAt+(first+count)*cacheRecordSize], strs: strs}
	}
	return m, true
}
