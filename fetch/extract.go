package fetch

import (
	"archive/tar"
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/rvendor/rvendor/tree"
)

// Default limits of Extract. See the package documentation.
const (
	// MaxEntries caps the number of tar entries scanned, selected or not.
	// The Rust 1.63 source tarball has 51,690.
	MaxEntries = 1 << 20
	// MaxFileSize caps the size of one written file (256 MiB).
	MaxFileSize = 256 << 20
	// MaxTotalSize caps the total size of the written files (2 GiB).
	MaxTotalSize = 2 << 30
	// MaxTarSize caps the size of the uncompressed tar stream read,
	// skipped entries included (16 GiB), so that a small compressed
	// archive cannot keep the decoder busy for hours.
	MaxTarSize = 16 << 30
)

// Limits overrides the default limits; a zero (or negative) field takes
// the default constant of the same name.
type Limits struct {
	MaxEntries   int
	MaxFileSize  int64
	MaxTotalSize int64
	MaxTarSize   int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = MaxEntries
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = MaxFileSize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = MaxTotalSize
	}
	if l.MaxTarSize <= 0 {
		l.MaxTarSize = MaxTarSize
	}
	return l
}

// collectBefore is how many files make Extract collect garbage before it
// puts them in one slice (16 MiB of tree.File).
const collectBefore = 1 << 18

// Result describes a successful extraction.
type Result struct {
	// Root is the archive folder dst mirrors: Selection.Root, or the
	// detected top-level folder.
	Root string
	// Files lists every file written, sorted by Path, which is relative
	// to dst (and to Root). SHA256 and Size were computed while writing.
	Files []tree.File
	// Entries counts the tar entries scanned.
	Entries int
	// Skipped counts the entries not written because they lie outside
	// Root or Paths or match Exclude.
	Skipped int
}

// Extract streams the compressed tar r into dst, writing only the
// entries that sel selects, and returns what it wrote. dst must not
// exist; its parent must. Extract creates dst with mode 0755 and never
// writes outside it. On any error dst is removed and the error says
// which entry or selection field is at fault.
//
// The package documentation lists the rules Extract enforces.
func Extract(ctx context.Context, r io.Reader, f Format, dst string, sel Selection, lim Limits) (*Result, error) {
	var e Extractor
	return e.Extract(ctx, r, f, dst, sel, lim)
}

// An Extractor extracts archives one after another, keeping what one
// extraction allocates or reads for the next: the gzip decoder, the
// read-ahead blocks, the copy buffer, the hash and the process's umask. Extracting many small archives,
// such as the .crate files of a crate closure, then allocates (and
// touches fresh memory) for the first one only. The zero Extractor is
// ready to use; it extracts one archive at a time.
type Extractor struct {
	gz     *gzip.Reader
	blocks [][]byte // the last read-ahead's blocks
	buf    []byte   // copy buffer, copyBufferSize bytes
	hash   hash.Hash
	umask  umaskBits
}

// copyBufferSize is the buffer a file's content is copied through.
const copyBufferSize = 64 << 10

// Extract is the package's Extract, with e's buffers.
func (e *Extractor) Extract(ctx context.Context, r io.Reader, f Format, dst string, sel Selection, lim Limits) (res *Result, err error) {
	archive := sel.Archive
	if archive == "" {
		if file, ok := r.(*os.File); ok {
			archive = filepath.Base(file.Name())
		} else {
			archive = "archive"
		}
	}
	x := &extractor{
		ctx:     ctx,
		archive: archive,
		dst:     dst,
		lim:     lim.withDefaults(),

		progress: sel.Progress,
	}
	x.names = newNameIndex(x.lim.MaxEntries)
	if e.buf == nil {
		e.buf, e.hash = make([]byte, copyBufferSize), sha256.New()
	}
	x.buf, x.hash, x.umask = e.buf, e.hash, &e.umask
	if err := x.compile(sel); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("extracting %s: %w", archive, context.Cause(ctx))
	}
	head, r, err := readHead(r)
	if err != nil {
		return nil, fmt.Errorf("reading archive %s: %w", archive, err)
	}
	if len(head) == 0 {
		return nil, &ArchiveError{Archive: archive, Format: f, Problem: "is empty (0 bytes)", Kind: ErrArchiveEmpty}
	}
	x.head, x.format = head, f
	if err := os.Mkdir(dst, 0o755); err != nil {
		return nil, fmt.Errorf("extracting %s: %w", archive, err)
	}
	defer func() {
		if err != nil {
			res = nil
			os.RemoveAll(dst)
		}
	}()
	if err := os.Chmod(dst, 0o755); err != nil { // umask
		return nil, err
	}
	dec, err := e.newReader(ctx, r, f)
	if err != nil {
		return nil, x.wrapReadErr(err)
	}
	defer dec.Close()
	// An in-process decoder gets a goroutine of its own (a read-ahead),
	// so that decompression overlaps parsing and writing; the xz program
	// already runs beside us, and is read through a large buffer.
	var src discardReader
	if _, isProcess := dec.(*xzCommand); isProcess {
		src = bufio.NewReaderSize(dec, 1<<20)
	} else {
		ra := newReadAhead(dec, e.blocks)
		e.blocks = nil
		defer func() {
			ra.Close() // before dec.Close: until then the goroutine reads dec
			e.blocks = ra.Blocks()
		}()
		src = ra
	}
	tarStream := &boundedReader{ctx: ctx, r: src, n: x.lim.MaxTarSize}
	x.stream = tarStream
	if err := x.run(tar.NewReader(tarStream)); err != nil {
		return nil, x.wrapReadErr(err)
	}
	// Read to the end, so that the decoder checks its trailer (and the xz
	// program reports its exit status).
	if _, err := io.CopyBuffer(io.Discard, tarStream, x.buf); err != nil {
		return nil, x.wrapReadErr(err)
	}
	if err := x.finish(); err != nil {
		return nil, err
	}
	files := x.names.files
	x.names = nil // the index goes before the files are put in one slice
	if files.n >= collectBefore {
		// The heap may be twice what is alive: without a collection the
		// slice would be allocated on top of the extraction's garbage.
		runtime.GC()
	}
	x.res.Files = files.slice()
	slices.SortFunc(x.res.Files, func(a, b tree.File) int { return cmp.Compare(a.Path, b.Path) })
	res = new(Result)
	*res = x.res // not &x.res: the extractor and its index are garbage now
	return res, nil
}

// newReader is NewReader, with e's gzip decoder reset for r instead of
// a new one.
func (e *Extractor) newReader(ctx context.Context, r io.Reader, f Format) (io.ReadCloser, error) {
	if f != FormatGzip {
		return NewReader(ctx, r, f)
	}
	br := bufio.NewReaderSize(r, gzipBufferSize)
	if e.gz == nil {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, prefixed("gzip", err)
		}
		e.gz = zr
		return zr, nil
	}
	if err := e.gz.Reset(br); err != nil {
		return nil, prefixed("gzip", err)
	}
	return e.gz, nil
}

func (x *extractor) wrapReadErr(err error) error {
	var ee *EntryError
	var se *SelectionError
	switch {
	case errors.As(err, &ee), errors.As(err, &se):
		return err
	case x.ctx.Err() != nil: // whatever the decoder says, the cause is ctx
		return fmt.Errorf("extracting %s: %w", x.archive, context.Cause(x.ctx))
	case errors.Is(err, errTarTooLarge):
		return fmt.Errorf("refusing archive %s: the uncompressed tar stream is over %d bytes: %w", x.archive, x.lim.MaxTarSize, ErrLimit)
	}
	if ae := x.explain(err); ae != nil {
		return ae
	}
	return fmt.Errorf("reading archive %s: %w", x.archive, err)
}

// explain returns an *ArchiveError when err, met while decompressing or
// parsing the archive, has a cause it can say in plain words: the
// archive does not start as its format does (so it is not compressed as
// its name says), decompressing it needs more memory than the decoder
// may use, or it decompresses to something that is not a tar.
func (x *extractor) explain(err error) *ArchiveError {
	ae := &ArchiveError{Archive: x.archive, Format: x.format, Kind: ErrArchiveFormat, Err: err}
	if !x.format.startsAs(x.head) {
		ae.Problem = notCompressedAs(x.head, x.format)
		return ae
	}
	if limit, said, ok := memoryLimit(err); ok {
		ae.Kind, ae.Err = ErrArchiveMemory, said
		ae.Problem = fmt.Sprintf("needs more than %d MiB to decompress", limit>>20)
		return ae
	}
	if errors.Is(err, tar.ErrHeader) && x.res.Entries == 0 {
		ae.Problem = "decompresses to something that is not a tar"
		return ae
	}
	return nil
}

type extractor struct {
	ctx     context.Context
	archive string
	format  Format
	head    []byte // the archive's first bytes, to explain a failure
	dst     string
	lim     Limits

	root     string // Root, once known
	rootSet  bool   // root is known
	autoRoot bool   // root is detected from the first entry
	rootSeen bool   // an entry lies under root

	rawPaths []string // Selection.Paths, cleaned
	paths    []string // relative to root ("" = all of root)
	matched  []bool
	excl     []pattern

	names   *nameIndex // the selected entries and their folders
	file    *tree.File // the file record added last, for write
	arena   arena      // holds their names
	lastDir string     // the folder the last file was written in
	total   int64      // bytes written
	buf     []byte
	hash    hash.Hash        // sha256, for every file
	limited io.LimitedReader // for every file
	out     fileHashWriter   // for every file

	umask *umaskBits // the Extractor's
	res   Result

	stream   *boundedReader // for progress: bytes read so far
	progress func(entries int, read int64)
}

func (x *extractor) selErr(field, value, format string, args ...any) error {
	return &SelectionError{Archive: x.archive, Field: field, Value: value, Msg: fmt.Sprintf(format, args...)}
}

func (x *extractor) entryErr(name string, kind error, format string, args ...any) error {
	return &EntryError{Archive: x.archive, Name: name, Reason: fmt.Sprintf(format, args...), Err: kind}
}

// compile checks sel and prepares the extractor for it.
func (x *extractor) compile(sel Selection) error {
	if sel.Root != "" {
		root := cleanSelPath(sel.Root)
		if why := checkName(root); why != "" {
			return x.selErr("root", sel.Root, "%q is not a clean archive path: %s", sel.Root, why)
		}
		x.root, x.rootSet = root, true
	} else {
		x.autoRoot = true
	}
	for _, p := range sel.Paths {
		c := cleanSelPath(p)
		if why := checkName(c); why != "" {
			return x.selErr("paths", p, "%q is not a clean archive path: %s", p, why)
		}
		x.rawPaths = append(x.rawPaths, c)
	}
	if len(sel.Exclude) > MaxExcludePatterns {
		return x.selErr("exclude", "", "%d patterns, over the limit of %d", len(sel.Exclude), MaxExcludePatterns)
	}
	for _, p := range sel.Exclude {
		pat, err := compilePattern(p)
		if err != nil {
			return x.selErr("exclude", p, "%v", err)
		}
		x.excl = append(x.excl, pat)
	}
	if x.rootSet {
		return x.setRoot(x.root)
	}
	return nil
}

// setRoot fixes the root and puts the paths relative to it.
func (x *extractor) setRoot(root string) error {
	x.root, x.rootSet = root, true
	x.res.Root = root
	x.paths = x.paths[:0]
	for _, p := range x.rawPaths {
		rel, ok := under(p, root)
		if !ok {
			if x.autoRoot {
				return x.selErr("paths", p, "%q is outside %q, the top-level folder of %s: paths are archive paths, such as %q", p, root, x.archive, root+"/src")
			}
			return x.selErr("paths", p, "%q is outside root %q: paths are archive paths under root, such as %q", p, root, root+"/src")
		}
		x.paths = append(x.paths, rel)
	}
	x.matched = make([]bool, len(x.paths))
	return nil
}

// under returns name relative to root, and whether name is root or below it.
func under(name, root string) (string, bool) {
	if name == root {
		return "", true
	}
	if rel, ok := strings.CutPrefix(name, root+"/"); ok {
		return rel, true
	}
	return "", false
}

func (x *extractor) run(tr *tar.Reader) error {
	for {
		if err := x.ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			if x.progress != nil {
				x.progress(x.res.Entries, x.stream.pos)
			}
			return nil
		}
		if err != nil {
			return err
		}
		x.res.Entries++
		if x.progress != nil && x.res.Entries%ProgressEvery == 0 {
			x.progress(x.res.Entries, x.stream.pos)
		}
		if x.res.Entries > x.lim.MaxEntries {
			return x.entryErr(hdr.Name, ErrLimit, "the archive has more than %d entries", x.lim.MaxEntries)
		}
		if err := x.entry(tr, hdr); err != nil {
			return err
		}
	}
}

func (x *extractor) entry(tr *tar.Reader, hdr *tar.Header) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader { // git archive's comment
		return nil
	}
	isDir := hdr.Typeflag == tar.TypeDir
	name := cleanEntryName(hdr.Name, isDir)
	if name == "" && isDir { // "./"
		return nil
	}
	if why := checkName(name); why != "" {
		return x.entryErr(hdr.Name, ErrUnsafeName, "%s", why)
	}
	if x.autoRoot {
		top, _, _ := strings.Cut(name, "/")
		if top == name && !isDir {
			return x.selErr("root", "", "%s has a top-level file %q, so it has no single top-level folder: set root to the folder to vendor", x.archive, name)
		}
		if !x.rootSet {
			if err := x.setRoot(top); err != nil {
				return err
			}
		} else if top != x.root {
			return x.selErr("root", "", "%s has two top-level folders, %q and %q: set root to the one to vendor", x.archive, x.root, top)
		}
	}
	rel, in := under(name, x.root)
	if !in {
		x.res.Skipped++
		return nil
	}
	x.rootSeen = true
	if rel == "" {
		if isDir {
			return nil
		}
		return x.selErr("root", x.root, "root %q is a file in %s, not a folder", x.root, x.archive)
	}
	selected := len(x.paths) == 0
	for i, p := range x.paths {
		if p == "" || rel == p || strings.HasPrefix(rel, p+"/") {
			x.matched[i] = true
			selected = true
		}
	}
	if !selected || x.excluded(name) {
		x.res.Skipped++
		return nil
	}
	if elem := reservedElem(name); elem != "" {
		return x.entryErr(hdr.Name, ErrUnsafeName, "%s", reservedWhy(elem))
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return x.record(hdr.Name, rel, true)
	case tar.TypeReg:
		if err := x.record(hdr.Name, rel, false); err != nil {
			return err
		}
		return x.write(tr, hdr, rel)
	case tar.TypeSymlink:
		return x.entryErr(hdr.Name, ErrUnsupportedType, "symlink (to %q) in the selection: only regular files and folders are vendored", hdr.Linkname)
	case tar.TypeLink:
		return x.entryErr(hdr.Name, ErrUnsupportedType, "hardlink (to %q) in the selection: only regular files and folders are vendored", hdr.Linkname)
	case tar.TypeChar:
		return x.entryErr(hdr.Name, ErrUnsupportedType, "character device in the selection: only regular files and folders are vendored")
	case tar.TypeBlock:
		return x.entryErr(hdr.Name, ErrUnsupportedType, "block device in the selection: only regular files and folders are vendored")
	case tar.TypeFifo:
		return x.entryErr(hdr.Name, ErrUnsupportedType, "fifo in the selection: only regular files and folders are vendored")
	}
	return x.entryErr(hdr.Name, ErrUnsupportedType, "entry of tar type %q in the selection: only regular files and folders are vendored", hdr.Typeflag)
}

func (x *extractor) excluded(name string) bool {
	if len(x.excl) == 0 {
		return false
	}
	elems := strings.Split(name, "/")
	for i := range x.excl {
		if x.excl[i].match(elems) {
			return true
		}
	}
	return false
}

// record notes a selected entry, refusing duplicates and names that
// collide, up to case, with another selected entry or its folders. A
// file is added to the index's files as x.file, for write to fill in.
func (x *extractor) record(name, rel string, dir bool) error {
	rel = x.arena.intern(rel)      // and so are its folders, prefixes of it
	self, ok := x.names.nextFile() // a folder's ref is set below
	if !ok {
		return x.entryErr(name, ErrLimit, "the selection has more than %d files", x.names.max)
	}
	added := len(x.names.dirs) // the folders added for it start here
	for i := 0; i < len(rel); i++ {
		if rel[i] != '/' {
			continue
		}
		d := rel[:i]
		r, h, found := x.names.lookup(d)
		switch {
		case !found:
			if _, ok := x.names.addDir(h, d, self, false); !ok {
				return x.tooManyFolders(name)
			}
		case !r.isDir():
			return x.entryErr(name, ErrCollision, "its folder %q is also the file %q", d, x.path(r))
		case x.names.rel(r) != d:
			return x.entryErr(name, ErrCollision, "its folder %q and the folder of %q differ only in case", d, x.path(x.names.dirs[r.index()].by))
		}
	}
	r, h, found := x.names.lookup(rel)
	if !found {
		if dir {
			self, ok = x.names.addDir(h, rel, 0, true)
			if !ok {
				return x.tooManyFolders(name)
			}
			for i := added; i < len(x.names.dirs)-1; i++ {
				x.names.dirs[i].by = self
			}
			return nil
		}
		x.file = x.names.addFile(h, rel)
		return nil
	}
	if x.names.rel(r) != rel {
		return x.entryErr(name, ErrCollision, "it and %q differ only in case", x.path(r))
	}
	if !r.isDir() {
		if dir {
			return x.entryErr(name, ErrCollision, "it is both a file and a folder in the archive")
		}
		return x.entryErr(name, ErrDuplicate, "it appears twice in the archive")
	}
	e := &x.names.dirs[r.index()]
	switch {
	case e.explicit && !dir:
		return x.entryErr(name, ErrCollision, "it is both a file and a folder in the archive")
	case e.explicit:
		return x.entryErr(name, ErrDuplicate, "it appears twice in the archive")
	case !dir:
		return x.entryErr(name, ErrCollision, "it is a file, and also the folder of %q", x.path(e.by))
	}
	e.explicit = true
	return nil
}

func (x *extractor) tooManyFolders(name string) error {
	return x.entryErr(name, ErrLimit, "the selected entries lie in more than %d folders", x.names.max)
}

// path returns the archive path of the entry r: its name under the root.
func (x *extractor) path(r ref) string {
	if x.root == "" {
		return x.names.rel(r)
	}
	return x.root + "/" + x.names.rel(r)
}

// write creates dst/rel and copies the entry's content into it, hashing
// it into x.file, which record added.
func (x *extractor) write(tr *tar.Reader, hdr *tar.Header, rel string) (err error) {
	if hdr.Size > x.lim.MaxFileSize {
		return x.entryErr(hdr.Name, ErrLimit, "file is %d bytes, over the limit of %d bytes per file", hdr.Size, x.lim.MaxFileSize)
	}
	room := x.lim.MaxTotalSize - x.total
	if hdr.Size > room {
		return x.entryErr(hdr.Name, ErrLimit, "the selected files are over the limit of %d bytes in total", x.lim.MaxTotalSize)
	}
	if err := x.mkdirs(pathDir(rel)); err != nil {
		return err
	}
	mode := tree.NormalizeMode(fs.FileMode(hdr.Mode))
	target := filepath.Join(x.dst, filepath.FromSlash(rel))
	// The file is made with system calls, not os.OpenFile: an os.File
	// of a regular file costs four fcntl and one epoll_ctl calls more
	// (the runtime tries its poller), more than the file's own calls.
	fd, err := openNew(target, uint32(mode))
	if err != nil {
		return &fs.PathError{Op: "open", Path: target, Err: err}
	}
	defer func() {
		if cerr := closeFD(fd); err == nil && cerr != nil {
			err = &fs.PathError{Op: "close", Path: target, Err: cerr}
		}
	}()
	if mode&^x.umaskKeeps() != 0 { // the umask took bits away
		if err := fchmod(fd, uint32(mode)); err != nil {
			return &fs.PathError{Op: "chmod", Path: target, Err: err}
		}
	}
	// One hash, limited reader and writer for every file: nothing is
	// allocated per file here.
	x.hash.Reset()
	x.out = fileHashWriter{fd: fd, h: x.hash}
	lr := &x.limited
	*lr = io.LimitedReader{R: tr, N: min(x.lim.MaxFileSize, room) + 1}
	n, err := io.CopyBuffer(&x.out, lr, x.buf)
	x.out, lr.R = fileHashWriter{}, nil
	if err != nil {
		if errors.Is(err, errTarTooLarge) {
			return err
		}
		return fmt.Errorf("writing %s from entry %q: %w", target, hdr.Name, err)
	}
	if lr.N <= 0 { // cannot happen with a sane tar reader; belt and braces
		return x.entryErr(hdr.Name, ErrLimit, "file is over the size limit")
	}
	x.total += n
	x.file.Mode, x.file.Size = mode, n
	x.hash.Sum(x.file.SHA256[:0])
	return nil
}

// fileHashWriter writes to a file descriptor and a hash.
type fileHashWriter struct {
	fd int
	h  hash.Hash
}

func (w *fileHashWriter) Write(p []byte) (int, error) {
	n, err := writeFD(w.fd, p)
	w.h.Write(p[:n])
	return n, err
}

// umaskBits holds the permission bits the process's umask lets through
// (^umask), once read.
type umaskBits struct {
	read bool
	keep fs.FileMode
}

// umaskKeeps returns the permission bits the process's umask lets
// through (^umask), read from /proc/self/status once per Extractor; 0
// where it cannot be read, so that every file is chmodded.
func (x *extractor) umaskKeeps() fs.FileMode {
	if !x.umask.read {
		x.umask.read = true
		x.umask.keep = processUmaskKeeps()
	}
	return x.umask.keep
}

// mkdirs creates the folder dst/rel and its parents, mode 0755. Each is
// in the name index, with exactly this name (record saw to it).
func (x *extractor) mkdirs(rel string) error {
	if rel == "" || rel == x.lastDir {
		return nil
	}
	r, _, ok := x.names.lookup(rel)
	if !ok || !r.isDir() {
		return fmt.Errorf("fetch: internal error: folder %q is not recorded", rel)
	}
	if x.names.dirs[r.index()].created {
		x.lastDir = x.names.rel(r)
		return nil
	}
	if err := x.mkdirs(pathDir(rel)); err != nil {
		return err
	}
	p := filepath.Join(x.dst, filepath.FromSlash(rel))
	if err := os.Mkdir(p, 0o755); err != nil {
		return err
	}
	if err := os.Chmod(p, 0o755); err != nil {
		return err
	}
	x.names.dirs[r.index()].created = true
	x.lastDir = x.names.rel(r)
	return nil
}

// pathDir is path.Dir with "" for the top.
func pathDir(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return ""
}

// finish checks the selection against what the archive held.
func (x *extractor) finish() error {
	if !x.rootSet {
		return x.selErr("root", "", "%s is empty", x.archive)
	}
	if !x.rootSeen {
		return x.selErr("root", x.root, "%q is not in %s", x.root, x.archive)
	}
	var errs []error
	for i, ok := range x.matched {
		if !ok {
			errs = append(errs, x.selErr("paths", x.rawPaths[i], "%q is not in %s", x.rawPaths[i], x.archive))
		}
	}
	return errors.Join(errs...)
}

var errTarTooLarge = errors.New("tar stream too large")

// boundedReader reads at most n bytes from r, and stops when ctx is done.
// discardReader is what the tar reader reads: a read-ahead, or a
// bufio.Reader over the xz program's output.
type discardReader interface {
	io.Reader
	Discard(n int) (int, error)
}

type boundedReader struct {
	ctx context.Context
	r   discardReader
	n   int64
	pos int64 // bytes read or skipped so far
}

// Seek lets archive/tar skip the data of entries it is not asked for
// without copying it: only a forward move from the current position is
// supported (what tar's discard asks for), and the skipped bytes count
// against the size limit as read bytes do.
func (b *boundedReader) Seek(offset int64, whence int) (int64, error) {
	if whence != io.SeekCurrent || offset < 0 {
		return 0, errors.New("fetch: only forward seeks from the current position")
	}
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	if offset > b.n {
		offset = b.n // the next Read reports the limit
	}
	var k int64
	var err error
	for k < offset && err == nil { // Discard takes an int
		var d int
		d, err = b.r.Discard(int(min(offset-k, 1<<30)))
		k += int64(d)
	}
	b.n -= k
	b.pos += k
	if err != nil && err != io.EOF {
		return b.pos, err
	}
	return b.pos, nil
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	if b.n <= 0 {
		// Allow a clean end exactly at the limit.
		var one [1]byte
		if n, err := b.r.Read(one[:]); n == 0 && err != nil {
			return 0, err
		}
		return 0, errTarTooLarge
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	b.pos += int64(n)
	return n, err
}
