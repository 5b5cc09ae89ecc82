//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package tree

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ScanBufferSize is the size of the read buffer each Scanner worker owns.
// Files up to this size are read with one read call; bigger files are
// hashed in chunks of this size, so a scan holds at most
// Jobs × ScanBufferSize bytes of file content at any time.
const ScanBufferSize = 64 << 10

// Stat is the metadata of a regular file that a stat cache compares to
// decide whether the file may have changed since it was last hashed. Times
// are nanoseconds since the Unix epoch.
type Stat struct {
	Size  int64
	Mtime int64
	Ctime int64
	Ino   uint64
	Dev   uint64
	Mode  uint32 // raw st_mode: type and permission bits
}

func statOf(st *unix.Stat_t) Stat {
	return Stat{
		Size:  st.Size,
		Mtime: st.Mtim.Nano(),
		Ctime: st.Ctim.Nano(),
		Ino:   uint64(st.Ino),
		Dev:   uint64(st.Dev),  //nolint:unconvert // int32 on darwin
		Mode:  uint32(st.Mode), //nolint:unconvert // uint16 on darwin
	}
}

// Entry is a regular file found by a Scanner: its File (mode normalized)
// and the metadata it had when it was opened, before its content was read.
type Entry struct {
	File
	Stat Stat
	// Cached is true when the digest came from Scanner.Known and the
	// file was not read.
	Cached bool
}

// Irregular is an entry below a scanned folder that is neither a regular
// file nor a folder: a symlink, named pipe, socket or device. Scan never
// follows, opens or hashes it.
type Irregular struct {
	Path string      // slash-separated, relative to the scanned folder
	Type fs.FileMode // the type bits, e.g. fs.ModeSymlink
}

// TypeString names the kind of entry: "symlink", "fifo", "socket",
// "device", "char-device" or "irregular".
func (i Irregular) TypeString() string { return TypeName(i.Type) }

// TypeName names the type bits of m as rvendor reports them: "file",
// "dir", "symlink", "fifo", "socket", "device", "char-device" or
// "irregular".
func TypeName(m fs.FileMode) string {
	switch t := m.Type(); {
	case t == 0:
		return "file"
	case t&fs.ModeDir != 0:
		return "dir"
	case t&fs.ModeSymlink != 0:
		return "symlink"
	case t&fs.ModeNamedPipe != 0:
		return "fifo"
	case t&fs.ModeSocket != 0:
		return "socket"
	case t&fs.ModeCharDevice != 0:
		return "char-device"
	case t&fs.ModeDevice != 0:
		return "device"
	}
	return "irregular"
}

// A Scanner walks a folder and hashes every regular file below it on
// parallel workers, while it walks.
//
// Compared with dirhash.HashDir, which Scan matches on any folder holding
// only folders and regular files: dirhash uses filepath.Walk, which does
// not descend into a symlink but lists it as a file and then opens it,
// so it hashes a symlink to a file as that file's content under the
// link's name and fails on a symlink to a folder, a dangling symlink or a
// FIFO (which blocks). A Scanner never follows or opens such entries: it
// returns them as Irregular, and they are in no File list and no hash.
type Scanner struct {
	// Jobs is the number of hashing workers; 0 means runtime.GOMAXPROCS(0).
	Jobs int
	// Known, when set, is called with each regular file's path and
	// metadata (from lstat) before the file is opened. When it returns
	// ok, the file is not read and sum is taken as its SHA-256. It is
	// called from several goroutines at once. path and st are valid
	// only during the call (path is a worker's reused buffer). A Known
	// that may return a stale digest hides content changes: see the
	// stat cache in verify.
	Known func(path string, st *Stat) (sum [32]byte, ok bool)
	// OmitKnown leaves out of Scan's result the files Known vouched
	// for: a caller that keeps its own account of them (verify marks the
	// stat cache's records) spares an Entry of 120 bytes per file, which
	// at 29k files was a third of a warm verify's fresh pages.
	OmitKnown bool
	// SizeHint, when positive, is the number of regular files the
	// caller expects in the result (verify: the lock's count, less the
	// files its stat cache may vouch for): the result is then allocated
	// once and filled in place by all workers; more files are kept all
	// the same.
	SizeHint int
}

// Scan hashes every regular file below dir with jobs workers (0 means
// runtime.GOMAXPROCS(0)). It returns the files sorted by Path, with
// normalized modes, and the irregular entries sorted by Path. For a
// folder holding only folders and regular files,
//
//	H1(files) == dirhash.HashDir(dir, "", dirhash.Hash1)
//
// Empty folders are ignored, as dirhash ignores them.
func Scan(ctx context.Context, dir string, jobs int) ([]File, []Irregular, error) {
	entries, irr, err := (&Scanner{Jobs: jobs}).Scan(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	files := make([]File, len(entries))
	for i := range entries {
		files[i] = entries[i].File
	}
	return files, irr, nil
}

// ScanBatch is how many files of one folder a Scanner worker takes at a
// time; the rest of the folder is left for idle workers, so one folder of
// big files does not leave the other workers waiting.
const ScanBatch = 8

// dirRef is an open folder shared by the tasks for its files: files are
// opened relative to it (openat), so the kernel resolves one name, not the
// whole path, per file. The last release closes it.
type dirRef struct {
	fd   int
	abs  string // for error messages
	refs atomic.Int32
}

func (d *dirRef) release() {
	if d.refs.Add(-1) == 0 {
		rawClose(d.fd)
	}
}

func (d *dirRef) path(name string) string { return d.abs + string(filepath.Separator) + name }

// task is a folder to read (dir == nil) or a batch of files to hash.
type task struct {
	dir    *dirRef
	parent *dirRef  // folder to read: the open folder holding it (nil: the root)
	name   string   // folder to read: its name in parent
	abs    string   // folder to read: its path, for messages (and the root's open)
	rel    string   // slash path of the folder below the root ("" for it)
	paths  []string // files of the batch: their names in the folder
}

// queue is a LIFO stack of tasks shared by the workers; pop blocks until
// a task is there or every task is done.
type queue struct {
	mu      sync.Mutex
	cond    sync.Cond
	tasks   []task
	pending int // pushed and not yet done
	stopped bool
}

func (q *queue) push(t task) {
	q.mu.Lock()
	q.tasks = append(q.tasks, t)
	q.pending++
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *queue) pop() (task, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.tasks) == 0 && q.pending > 0 && !q.stopped {
		q.cond.Wait()
	}
	if q.stopped || len(q.tasks) == 0 {
		return task{}, false
	}
	t := q.tasks[len(q.tasks)-1]
	q.tasks[len(q.tasks)-1] = task{}
	q.tasks = q.tasks[:len(q.tasks)-1]
	return t, true
}

func (q *queue) done() {
	q.mu.Lock()
	q.pending--
	last := q.pending == 0
	q.mu.Unlock()
	if last {
		q.cond.Broadcast()
	}
}

func (q *queue) stop() {
	q.mu.Lock()
	q.stopped = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// ErrFolderReplaced is wrapped by Scan's error when the folder it scanned
// was replaced by another while it ran.
var ErrFolderReplaced = errors.New("folder replaced while it was scanned")

// soloFiles is how many files a scan whose digests all come from Known
// stats on one goroutine before it starts the others. Since the stats
// are raw system calls (no hand-off per call), a second worker pays off
// early: the kernel's library (651 files) verified warm in 17.3 ms with
// it from file 256 on, 18.2 ms with one worker throughout.
const soloFiles = 256

// Scan walks dir, which must be a folder (not a symlink to one), and
// returns its regular files sorted by Path and its irregular entries
// sorted by Path. The first error stops the scan; errors name the file.
// If dir is no longer the folder it was when the scan started (moved
// away or replaced meanwhile), the error wraps ErrFolderReplaced, or
// fs.ErrNotExist when nothing is there any more.
//
// Jobs workers share a stack of tasks: reading a folder (which pushes
// its sub-folders) or hashing a batch of up to ScanBatch of its files.
// Files are stat'ed, opened and hashed by the worker that reads them,
// while the walk goes on: no per-file hand-off between goroutines.
func (s *Scanner) Scan(ctx context.Context, dir string) ([]Entry, []Irregular, error) {
	entries, irregular, _, err := s.scan(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	sortByPath(entries)
	return entries, irregular, nil
}

// ScanRuns is Scan with the regular files returned as runs, each sorted
// by Path, at most one per worker and sorted by the workers at once: a
// caller that merges them as it reads them (verify) spares Scan's sort on
// one core, which at 29k files read was 14-19 ms after the walk.
func (s *Scanner) ScanRuns(ctx context.Context, dir string) ([][]Entry, []Irregular, error) {
	entries, irregular, jobs, err := s.scan(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	n := max(1, min(jobs, len(entries)/minRun))
	runs := make([][]Entry, n)
	for i := range runs {
		runs[i] = entries[i*len(entries)/n : (i+1)*len(entries)/n]
	}
	var wg sync.WaitGroup
	for _, r := range runs[1:] {
		wg.Go(func() { sortByPath(r) })
	}
	sortByPath(runs[0])
	wg.Wait()
	return runs, irregular, nil
}

// minRun is the fewest files ScanRuns sorts on a goroutine of their own.
const minRun = 1024

func sortByPath(entries []Entry) {
	slices.SortFunc(entries, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) })
}

// scan walks dir as Scan says, and returns its regular files unsorted,
// its irregular entries sorted, and the number of workers.
func (s *Scanner) scan(ctx context.Context, dir string) ([]Entry, []Irregular, int, error) {
	dir = filepath.Clean(dir)
	fi, err := os.Lstat(dir)
	if err != nil {
		return nil, nil, 0, err
	}
	if !fi.IsDir() {
		return nil, nil, 0, &fs.PathError{Op: "scan", Path: dir, Err: errors.New("not a folder")}
	}
	jobs := s.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	q := &queue{}
	q.cond.L = &q.mu
	q.push(task{abs: dir})
	workers := make([]scanWorker, jobs)
	var shared *sharedEntries
	if s.SizeHint > 0 {
		shared = &sharedEntries{buf: make([]Entry, s.SizeHint)}
	}
	var (
		errMu    sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
		q.stop()
	}
	stopWatch := context.AfterFunc(ctx, func() { fail(ctx.Err()) })
	defer stopWatch()
	run := func(w *scanWorker) {
		w.s, w.q, w.shared = s, q, shared
		for {
			t, ok := q.pop()
			if !ok {
				return
			}
			if err := w.do(&t); err != nil {
				fail(err)
			}
			q.done()
		}
	}
	// The other workers start when worker 0 first has a file to hash,
	// or has stat'ed soloFiles files: a warm verify of a tiny tree, which
	// hashes nothing, runs on one goroutine and pays for no more threads.
	// Only worker 0's code path calls wake before it returns, so wg.Wait
	// sees every Add.
	workers[0].wake = sync.OnceFunc(func() {
		for i := 1; i < jobs; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); run(&workers[i]) }()
		}
	})
	for i := 1; i < jobs; i++ {
		workers[i].wake = func() {}
	}
	run(&workers[0])
	wg.Wait()
	// Close the folders of tasks never run after a stop.
	for _, t := range q.tasks {
		if t.dir != nil {
			t.dir.release()
		}
		if t.parent != nil {
			t.parent.release()
		}
	}
	if err := ctx.Err(); err != nil {
		fail(err)
	}
	errMu.Lock()
	err = firstErr
	errMu.Unlock()
	if err != nil {
		return nil, nil, 0, err
	}
	// Sub-folders were opened relative to their parents, so a walk goes
	// on inside a folder that was moved away meanwhile (an update's
	// Commit renames a dest aside before it renames the new one in): it
	// counts only if dir is still the folder it started from.
	if now, err := os.Lstat(dir); err != nil {
		return nil, nil, 0, err
	} else if !os.SameFile(fi, now) {
		return nil, nil, 0, &fs.PathError{Op: "scan", Path: dir, Err: ErrFolderReplaced}
	}

	var entries []Entry
	if shared != nil {
		entries = shared.buf[:min(int(shared.n.Load()), len(shared.buf))]
	}
	var irregular []Irregular
	for i := range workers {
		entries = append(entries, workers[i].entries...)
		irregular = append(irregular, workers[i].irregular...)
	}
	slices.SortFunc(irregular, func(a, b Irregular) int { return strings.Compare(a.Path, b.Path) })
	return entries, irregular, jobs, nil
}

func openDir(at int, name string, buf *[]byte) (int, error) {
	for {
		fd, err := openat(at, name, buf, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// scanWorker is one worker's state: its read buffer and its results.
type scanWorker struct {
	wake      func()   // starts the other workers (see Scan)
	seen      int      // files stat'ed from Known, before wake
	meta      Stat     // the stat handed to Known
	cname     []byte   // a file name made NUL-terminated for a system call
	pbuf      []byte   // a path handed to Known
	arena     []byte   // the bytes of the paths keep hands out
	names     []byte   // readDir's paths of one folder, before they are a string
	list      []dirent // readDir's entries of one folder
	s         *Scanner
	q         *queue
	shared    *sharedEntries
	buf       []byte // file content, allocated on first use
	dents     []byte // folder entries
	h         hash.Hash
	sum       []byte
	paths     []string
	entries   []Entry // those that did not fit in shared
	irregular []Irregular
}

// sharedEntries is the result slice, sized from Scanner.SizeHint, that
// workers fill by claiming slots.
type sharedEntries struct {
	buf []Entry
	n   atomic.Int64
}

func (w *scanWorker) add(e *Entry) {
	if sh := w.shared; sh != nil {
		if i := sh.n.Add(1) - 1; i < int64(len(sh.buf)) {
			sh.buf[i] = *e
			return
		}
	}
	w.entries = append(w.entries, *e)
}

// Offsets in the records that ReadDirent returns (struct dirent).
const (
	direntReclen = unsafe.Offsetof(unix.Dirent{}.Reclen)
	direntType   = unsafe.Offsetof(unix.Dirent{}.Type)
	direntName   = unsafe.Offsetof(unix.Dirent{}.Name)
)

// readDir reads the open folder d, at rel below the root: it pushes a
// task per sub-folder, records irregular entries and returns the names
// of its regular files (in w.paths, reused).
func (w *scanWorker) readDir(d *dirRef, rel string) ([]string, error) {
	if w.dents == nil {
		w.dents = make([]byte, 16<<10)
	}
	// Every name of the folder is written into one buffer and made one
	// string, which each name is a slice of: one allocation per folder
	// instead of one per entry. Names, not paths: a path is built when a
	// file is read (and for Known, in a reused buffer), which at 29k
	// files saved a third of these bytes.
	names, list := w.names[:0], w.list[:0]
	for {
		n, err := rawGetdents(d.fd, w.dents)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "readdirent", Path: d.abs, Err: err}
		}
		if n <= 0 {
			break
		}
		for buf := w.dents[:n]; len(buf) > 0; {
			reclen := int(binary.NativeEndian.Uint16(buf[direntReclen:]))
			if reclen <= int(direntName) || reclen > len(buf) {
				return nil, &fs.PathError{Op: "readdirent", Path: d.abs, Err: errors.New("malformed folder entry")}
			}
			rec := buf[:reclen]
			buf = buf[reclen:]
			name := rec[direntName:]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if len(name) == 0 || (name[0] == '.' && (len(name) == 1 || len(name) == 2 && name[1] == '.')) {
				continue
			}
			typ := rec[direntType]
			if typ == unix.DT_UNKNOWN {
				var st unix.Stat_t
				if err := fstatat(d.fd, string(name), &w.cname, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
					return nil, &fs.PathError{Op: "lstat", Path: d.path(string(name)), Err: err}
				}
				typ = direntTypeOf(uint32(st.Mode)) //nolint:unconvert // uint16 on darwin
			}
			e := dirent{start: len(names), typ: typ}
			names = append(names, name...)
			e.end = len(names)
			list = append(list, e)
		}
	}
	all := string(names)
	paths := w.paths[:0]
	for _, e := range list {
		name := all[e.start:e.end]
		switch e.typ {
		case unix.DT_REG:
			paths = append(paths, name)
		case unix.DT_DIR:
			d.refs.Add(1) // released once the sub-folder is open
			w.q.push(task{parent: d, name: name, abs: d.path(name), rel: join(rel, name)})
		default:
			w.irregular = append(w.irregular, Irregular{Path: join(rel, name), Type: direntMode(e.typ)})
		}
	}
	w.names, w.list, w.paths = names, list, paths
	return paths, nil
}

// dirent is a folder entry read by readDir: its name is
// names[start:end].
type dirent struct {
	start, end int
	typ        uint8
}

// direntTypeOf and direntMode convert between a stat mode's type bits and
// a dirent's d_type, which are the same bits shifted (DTTOIF(t) = t << 12
// on Linux and the BSDs), so modeType serves both.
func direntTypeOf(mode uint32) uint8 { return uint8((mode & unix.S_IFMT) >> 12) }

func direntMode(typ uint8) fs.FileMode { return modeType(uint32(typ) << 12) }

func (w *scanWorker) do(t *task) error {
	if t.dir != nil {
		defer t.dir.release()
		return w.files(t.dir, t.rel, t.paths)
	}
	// A sub-folder is opened relative to its parent's descriptor: the
	// kernel resolves one name, not the whole path from /, and no symlink
	// swapped into a parent since it was read is followed (O_NOFOLLOW
	// guards only the last name).
	at, name := unix.AT_FDCWD, t.abs
	if t.parent != nil {
		at, name = t.parent.fd, t.name
	}
	fd, err := openDir(at, name, &w.cname)
	if t.parent != nil {
		t.parent.release()
	}
	if err != nil {
		switch err { // replaced since its parent was read
		case unix.ELOOP:
			w.irregular = append(w.irregular, Irregular{Path: t.rel, Type: fs.ModeSymlink})
			return nil
		case unix.ENOTDIR:
			w.irregular = append(w.irregular, Irregular{Path: t.rel, Type: fs.ModeIrregular})
			return nil
		}
		return &fs.PathError{Op: "open", Path: t.abs, Err: err}
	}
	d := &dirRef{fd: fd, abs: t.abs}
	d.refs.Store(1)
	defer d.release()
	names, err := w.readDir(d, t.rel)
	if err != nil {
		return err
	}
	// Leave all batches but the first to whichever worker is free.
	if len(names) > ScanBatch {
		rest := slices.Clone(names[ScanBatch:])
		for i := 0; i < len(rest); i += ScanBatch {
			d.refs.Add(1)
			w.q.push(task{dir: d, rel: t.rel, paths: rest[i:min(i+ScanBatch, len(rest))]})
		}
	}
	return w.files(d, t.rel, names[:min(ScanBatch, len(names))])
}

func join(rel, name string) string {
	if rel == "" {
		return name
	}
	return rel + "/" + name
}

// keep returns rel/name as a string that lasts, its bytes carved from
// w's arena: one allocation per chunk of paths (4 KiB, growing to
// 64 KiB), not one per file. Bytes once handed out are never written
// again: appends write past them, and a full chunk is left to its strings.
func (w *scanWorker) keep(rel, name string) string {
	n := len(name)
	if rel != "" {
		n += len(rel) + 1
	}
	if cap(w.arena)-len(w.arena) < n {
		w.arena = make([]byte, 0, max(n, min(2*cap(w.arena), 64<<10), 4<<10))
	}
	start := len(w.arena)
	if rel != "" {
		w.arena = append(append(w.arena, rel...), '/')
	}
	w.arena = append(w.arena, name...)
	return unsafe.String(&w.arena[start], n)
}

// tempPath returns rel/name in w's reused buffer: valid until the next
// call, for Known (which keeps nothing).
func (w *scanWorker) tempPath(rel, name string) string {
	if rel == "" {
		return name
	}
	b := append(append(append(w.pbuf[:0], rel...), '/'), name...)
	w.pbuf = b
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// files hashes the regular files names of folder d (at rel below the
// root), or takes their digests from Known.
func (w *scanWorker) files(d *dirRef, rel string, names []string) error {
	var st unix.Stat_t
	for _, name := range names {
		if w.s.Known != nil {
			if err := fstatat(d.fd, name, &w.cname, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				return &fs.PathError{Op: "lstat", Path: d.path(name), Err: err}
			}
			if t := modeType(uint32(st.Mode)); t != 0 { //nolint:unconvert // uint16 on darwin
				w.irregular = append(w.irregular, Irregular{Path: join(rel, name), Type: t})
				continue
			}
			w.meta = statOf(&st) // in w: a local passed to Known would be allocated per file
			if sum, ok := w.s.Known(w.tempPath(rel, name), &w.meta); ok {
				if !w.s.OmitKnown {
					w.add(&Entry{File: File{Path: w.keep(rel, name), Mode: NormalizeMode(fs.FileMode(st.Mode)),
						Size: st.Size, SHA256: sum}, Stat: w.meta, Cached: true})
				}
				if w.seen++; w.seen == soloFiles {
					w.wake()
				}
				continue
			}
		}
		w.wake()
		r := w.keep(rel, name)
		e, irr, err := w.hash(d, name, r)
		switch {
		case err != nil:
			return err
		case irr != 0:
			w.irregular = append(w.irregular, Irregular{Path: r, Type: irr})
		default:
			w.add(&e)
		}
	}
	return nil
}

func modeType(m uint32) fs.FileMode {
	switch m & unix.S_IFMT {
	case unix.S_IFREG:
		return 0
	case unix.S_IFDIR:
		return fs.ModeDir
	case unix.S_IFLNK:
		return fs.ModeSymlink
	case unix.S_IFIFO:
		return fs.ModeNamedPipe
	case unix.S_IFSOCK:
		return fs.ModeSocket
	case unix.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		return fs.ModeDevice
	}
	return fs.ModeIrregular
}

// hash returns the entry for file name of d (rel below the root), or the
// type of what was found instead of a regular file (the folder changed
// since it was read).
func (w *scanWorker) hash(d *dirRef, name, rel string) (Entry, fs.FileMode, error) {
	if w.buf == nil {
		w.buf = make([]byte, ScanBufferSize)
	}
	var fd int
	var err error
	for {
		// O_NONBLOCK: a FIFO swapped in after the folder was read must
		// not block the open; reads of regular files ignore it.
		fd, err = openat(d.fd, name, &w.cname, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		if err == unix.ELOOP { // O_NOFOLLOW on a symlink swapped in
			return Entry{}, fs.ModeSymlink, nil
		}
		return Entry{}, 0, &fs.PathError{Op: "open", Path: d.path(name), Err: err}
	}
	defer rawClose(fd)
	var st unix.Stat_t
	if err := rawFstat(fd, &st); err != nil {
		return Entry{}, 0, &fs.PathError{Op: "fstat", Path: d.path(name), Err: err}
	}
	if t := modeType(uint32(st.Mode)); t != 0 { //nolint:unconvert // uint16 on darwin
		return Entry{}, t, nil
	}
	e := Entry{File: File{Path: rel, Mode: NormalizeMode(fs.FileMode(st.Mode))}, Stat: statOf(&st)}

	// Fast path: the whole file in one read (no second read to see the
	// end: see readFull).
	n, err := readFull(fd, w.buf, st.Size)
	if err != nil {
		return Entry{}, 0, &fs.PathError{Op: "read", Path: d.path(name), Err: err}
	}
	if n < len(w.buf) {
		e.Size = int64(n)
		e.SHA256 = sha256.Sum256(w.buf[:n])
		return e, 0, nil
	}
	if w.h == nil {
		w.h = sha256.New()
	}
	h := w.h
	h.Reset()
	h.Write(w.buf[:n])
	e.Size = int64(n)
	for n == len(w.buf) {
		if n, err = readFull(fd, w.buf, st.Size-e.Size); err != nil {
			return Entry{}, 0, &fs.PathError{Op: "read", Path: d.path(name), Err: err}
		}
		h.Write(w.buf[:n])
		e.Size += int64(n)
	}
	w.sum = h.Sum(w.sum[:0])
	copy(e.SHA256[:], w.sum)
	return e, 0, nil
}

// readFull reads into buf until it is full or the file ends. left is
// what fstat said remains of the file: a read that comes back short
// exactly there ends it, without the read that would return 0 (a regular
// file reads short only at its end; at 29k files that read was a fifth
// of verify's system calls). A file that grew since fstat is read on
// until a read returns 0, as before; either way the entry's size is what
// was read and hashed.
func readFull(fd int, buf []byte, left int64) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := rawRead(fd, buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		if m == 0 {
			break
		}
		n += m
		if n < len(buf) && int64(n) == left {
			break
		}
	}
	return n, nil
}

// String returns "path (type)" for messages.
func (i Irregular) String() string { return fmt.Sprintf("%s (%s)", i.Path, i.TypeString()) }
