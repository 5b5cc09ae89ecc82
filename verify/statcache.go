package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
// with it, or whose trailing SHA-256 does not match, is ignored.
const statCacheMagic = "rvendor stat cache v1\n"

type cacheEntry struct {
	path string
	st   tree.Stat
	sum  [32]byte
}

// cacheDest holds the entries of one dest, sorted by path.
type cacheDest []cacheEntry

func (d cacheDest) find(path string) (*cacheEntry, bool) {
	i, ok := slices.BinarySearchFunc(d, path, func(e cacheEntry, p string) int { return strings.Compare(e.path, p) })
	if !ok {
		return nil, false
	}
	return &d[i], true
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
	old      map[string]cacheDest

	mu    sync.Mutex
	new   map[string]cacheDest
	dirty bool // new differs from old
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
		old: map[string]cacheDest{}, new: map[string]cacheDest{}}
	c.specDir = opt.Spec.Dir
	if abs, err := filepath.Abs(opt.StatCache); err != nil || within(abs, opt.Spec.Dir) {
		c.readOnly = true
		c.err = "stat cache " + opt.StatCache + " lies inside the spec's folder: not written"
	}
	data, err := readLimited(opt.StatCache, MaxStatCacheSize)
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

func readLimited(path string, max int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > max {
		return nil, errors.New("not a regular file of at most MaxStatCacheSize bytes")
	}
	return os.ReadFile(path)
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

// known returns the Scanner.Known function for the component at dest.
func (c *statCache) known(dest string) func(string, *tree.Stat) ([32]byte, bool) {
	m := c.old[dest]
	return func(path string, st *tree.Stat) ([32]byte, bool) {
		e, ok := m.find(path)
		if !ok {
			return [32]byte{}, false
		}
		if c.coarsened(*st) != e.st {
			return [32]byte{}, false
		}
		return e.sum, true
	}
}

// record keeps the entries of dest that may be trusted next run: those
// read whole (size as stat said) with both times older than the run's
// start by RacyMargin.
func (c *statCache) record(dest string, entries []tree.Entry) {
	old := c.old[dest]
	same := len(entries) == len(old)
	for i := 0; same && i < len(entries); i++ {
		same = entries[i].Cached
	}
	if same {
		// Entries served from the cache were trusted when written, and
		// the clock only moved on since: all cached and as many as
		// recorded means the cache is unchanged.
		c.mu.Lock()
		c.new[dest] = old
		c.mu.Unlock()
		return
	}
	limit := c.start - int64(RacyMargin)
	m := make(cacheDest, 0, len(entries))
	for i := range entries { // sorted by path, as cacheDest must be
		e := &entries[i]
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

// save writes the cache when its content changed: atomically, and never
// failing verify.
func (c *statCache) save(stats *Stats) {
	defer func() { stats.CacheError = c.err }()
	if !c.dirty || c.readOnly {
		return
	}
	for dest, m := range c.old { // keep components not checked this run
		if _, ok := c.new[dest]; !ok {
			c.new[dest] = m
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

// encodeCache serializes m deterministically: the magic line, then per
// dest (sorted) its name, entry count and entries (sorted by path), then
// the SHA-256 of everything before it.
func encodeCache(m map[string]cacheDest) []byte {
	dests := make([]string, 0, len(m))
	n := 0
	for d, es := range m {
		dests = append(dests, d)
		n += len(es)
	}
	slices.Sort(dests)
	b := make([]byte, 0, len(statCacheMagic)+n*112+64)
	b = append(b, statCacheMagic...)
	b = binary.AppendUvarint(b, uint64(len(dests)))
	for _, d := range dests {
		es := m[d]
		b = appendString(b, d)
		b = binary.AppendUvarint(b, uint64(len(es)))
		for _, e := range es {
			b = appendString(b, e.path)
			b = binary.AppendVarint(b, e.st.Size)
			b = binary.AppendVarint(b, e.st.Mtime)
			b = binary.AppendVarint(b, e.st.Ctime)
			b = binary.AppendUvarint(b, e.st.Ino)
			b = binary.AppendUvarint(b, e.st.Dev)
			b = binary.AppendUvarint(b, uint64(e.st.Mode))
			b = append(b, e.sum[:]...)
		}
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeCache parses data; ok is false for anything but a well-formed
// cache whose checksum matches.
func decodeCache(data []byte) (m map[string]cacheDest, ok bool) {
	if len(data) < len(statCacheMagic)+sha256.Size || !strings.HasPrefix(string(data[:len(statCacheMagic)]), statCacheMagic) {
		return nil, false
	}
	body := data[:len(data)-sha256.Size]
	if sha256.Sum256(body) != [32]byte(data[len(body):]) {
		return nil, false
	}
	// Paths are substrings of one string sharing data's bytes, which are
	// never written after the read: no copy per path.
	all := unsafe.String(unsafe.SliceData(body), len(body))
	d := decoder{b: body[len(statCacheMagic):], s: all[len(statCacheMagic):], ok: true}
	ndest := d.uvarint()
	m = map[string]cacheDest{}
	for i := uint64(0); i < ndest && d.ok; i++ {
		dest := d.str()
		n := d.uvarint()
		if n > uint64(len(d.b)) { // each entry takes more than a byte
			return nil, false
		}
		es := make(cacheDest, 0, n)
		for j := uint64(0); j < n && d.ok; j++ {
			var e cacheEntry
			e.path = d.str()
			e.st.Size = d.varint()
			e.st.Mtime = d.varint()
			e.st.Ctime = d.varint()
			e.st.Ino = d.uvarint()
			e.st.Dev = d.uvarint()
			e.st.Mode = uint32(d.uvarint())
			copy(e.sum[:], d.bytes(32))
			if len(es) > 0 && es[len(es)-1].path >= e.path {
				return nil, false // not sorted: find would miss entries
			}
			es = append(es, e)
		}
		m[dest] = es
	}
	if !d.ok || len(d.b) != 0 {
		return nil, false
	}
	return m, true
}

type decoder struct {
	b  []byte
	s  string // the same bytes as b
	ok bool
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.b, d.s, d.ok = nil, "", false
		return 0
	}
	d.b, d.s = d.b[n:], d.s[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.b, d.s, d.ok = nil, "", false
		return 0
	}
	d.b, d.s = d.b[n:], d.s[n:]
	return v
}

func (d *decoder) bytes(n uint64) []byte {
	if uint64(len(d.b)) < n {
		d.b, d.s, d.ok = nil, "", false
		return nil
	}
	v := d.b[:n]
	d.b, d.s = d.b[n:], d.s[n:]
	return v
}

func (d *decoder) str() string {
	n := d.uvarint()
	if uint64(len(d.s)) < n {
		d.b, d.s, d.ok = nil, "", false
		return ""
	}
	v := d.s[:n]
	d.b, d.s = d.b[n:], d.s[n:]
	return v
}
