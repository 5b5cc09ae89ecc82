package advisory

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// gitHead returns the commit root/.git's HEAD names and its committer
// date, reading git's files directly: HEAD, the loose ref or packed-refs,
// then the commit object, loose or in a pack (a commit stored as a delta
// gives no date). It returns "" when root/.git is not a folder or HEAD
// cannot be resolved.
func gitHead(root string) (string, time.Time) {
	gitDir := filepath.Join(root, ".git")
	if st, err := os.Lstat(gitDir); err != nil || !st.IsDir() {
		return "", time.Time{}
	}
	sha, err := resolveHead(gitDir)
	if err != nil {
		return "", time.Time{}
	}
	date, err := commitDate(gitDir, sha)
	if err != nil {
		return sha, time.Time{}
	}
	return sha, date
}

// resolveHead follows HEAD through at most five symbolic refs.
func resolveHead(gitDir string) (string, error) {
	name := "HEAD"
	for range 5 {
		data, err := readRegular(filepath.Join(gitDir, filepath.FromSlash(name)), MaxMetaFile)
		if errors.Is(err, os.ErrNotExist) && name != "HEAD" {
			return packedRef(gitDir, name)
		}
		if err != nil {
			return "", err
		}
		text := strings.TrimSpace(string(data))
		target, ok := strings.CutPrefix(text, "ref: ")
		if !ok {
			if !isObjectID(text) {
				return "", fmt.Errorf("%s holds no commit id", name)
			}
			return text, nil
		}
		if !validRef(target) {
			return "", fmt.Errorf("%s names an invalid ref %q", name, target)
		}
		name = target
	}
	return "", errors.New("too many symbolic refs")
}

// validRef reports whether ref is a plain name under refs/ that stays
// inside the git folder.
func validRef(ref string) bool {
	if !strings.HasPrefix(ref, "refs/") || strings.ContainsAny(ref, "\\\x00") {
		return false
	}
	for _, elem := range strings.Split(ref, "/") {
		if elem == "" || strings.HasPrefix(elem, ".") {
			return false
		}
	}
	return true
}

func isObjectID(s string) bool { return (len(s) == 40 || len(s) == 64) && isHex(s) }

// packedRef looks ref up in packed-refs.
func packedRef(gitDir, ref string) (string, error) {
	data, err := readRegular(filepath.Join(gitDir, "packed-refs"), MaxMetaFile)
	if err != nil {
		return "", err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		sha, name, ok := strings.Cut(strings.TrimSpace(line), " ")
		if ok && name == ref && isObjectID(sha) {
			return sha, nil
		}
	}
	return "", fmt.Errorf("ref %s not found", ref)
}

// commitDate reads the committer date of commit sha.
func commitDate(gitDir, sha string) (time.Time, error) {
	data, err := readRegular(filepath.Join(gitDir, "objects", sha[:2], sha[2:]), MaxMetaFile)
	var body []byte
	switch {
	case err == nil:
		if body, err = inflate(bytes.NewReader(data)); err != nil {
			return time.Time{}, err
		}
		header, rest, ok := bytes.Cut(body, []byte{0})
		if !ok || !bytes.HasPrefix(header, []byte("commit ")) {
			return time.Time{}, errors.New("not a commit object")
		}
		body = rest
	case errors.Is(err, os.ErrNotExist):
		if body, err = packedCommit(gitDir, sha); err != nil {
			return time.Time{}, err
		}
	default:
		return time.Time{}, err
	}
	return committerTime(body)
}

// inflate decompresses a zlib stream, at most MaxMetaFile bytes of it.
func inflate(r io.Reader) ([]byte, error) {
	zr, err := zlib.NewReader(r)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	lr := &io.LimitedReader{R: zr, N: MaxMetaFile + 1}
	out, err := io.ReadAll(lr)
	if err != nil {
		return nil, err
	}
	if lr.N <= 0 {
		return nil, ErrTooLarge
	}
	return out, nil
}

// committerTime reads the "committer NAME <EMAIL> SECONDS ZONE" header of
// a commit.
func committerTime(commit []byte) (time.Time, error) {
	for line := range strings.SplitSeq(string(commit), "\n") {
		if line == "" {
			break
		}
		if rest, ok := strings.CutPrefix(line, "committer "); ok {
			f := strings.Fields(rest[strings.LastIndex(rest, ">")+1:])
			if len(f) != 2 {
				break
			}
			secs, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return time.Time{}, fmt.Errorf("committer time: %w", err)
			}
			return time.Unix(secs, 0).UTC(), nil
		}
	}
	return time.Time{}, errors.New("no committer line")
}

// packedCommit finds a SHA-1 commit in the packs' version 2 indexes and
// reads it when the pack stores it whole.
func packedCommit(gitDir, sha string) ([]byte, error) {
	id, err := hex.DecodeString(sha)
	if err != nil || len(id) != 20 {
		return nil, errors.New("only SHA-1 packs are read")
	}
	idxs, err := filepath.Glob(filepath.Join(gitDir, "objects", "pack", "pack-*.idx"))
	if err != nil {
		return nil, err
	}
	for _, idx := range idxs {
		off, found, err := findInIndex(idx, id)
		if err != nil {
			return nil, err
		}
		if found {
			return readPackedCommit(strings.TrimSuffix(idx, ".idx")+".pack", off)
		}
	}
	return nil, errors.New("commit object not found")
}

// openRegular opens a regular file without following a symlink.
func openRegular(p string) (*os.File, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, errNotRegular
	}
	return f, nil
}

// indexNames is where a version 2 pack index lists object names: after
// its 8-byte header and the 256-entry fan-out table.
const indexNames = 8 + 256*4

// findInIndex binary-searches a version 2 pack index for id and returns
// the object's offset in the pack.
func findInIndex(idx string, id []byte) (int64, bool, error) {
	f, err := openRegular(idx)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	var head [indexNames]byte
	if _, err := f.ReadAt(head[:], 0); err != nil {
		return 0, false, fmt.Errorf("%s: %w", idx, err)
	}
	if !bytes.Equal(head[:8], []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}) {
		return 0, false, fmt.Errorf("%s: not a version 2 pack index", idx)
	}
	fan := func(i int) int64 { return int64(binary.BigEndian.Uint32(head[8+4*i:])) }
	total := fan(255)
	lo, hi := int64(0), fan(int(id[0]))
	if id[0] > 0 {
		lo = fan(int(id[0]) - 1)
	}
	var buf [20]byte
	for lo < hi {
		mid := lo + (hi-lo)/2
		if _, err := f.ReadAt(buf[:], indexNames+20*mid); err != nil {
			return 0, false, fmt.Errorf("%s: %w", idx, err)
		}
		switch c := bytes.Compare(buf[:], id); {
		case c < 0:
			lo = mid + 1
		case c > 0:
			hi = mid
		default:
			return readIndexOffset(f, total, mid)
		}
	}
	return 0, false, nil
}

// readIndexOffset reads entry i of the offset table of an index of
// total objects, and the large offset table after it when the entry's top
// bit is set.
func readIndexOffset(f *os.File, total, i int64) (int64, bool, error) {
	offsets := indexNames + 24*total // after the names and the CRCs
	var b [8]byte
	if _, err := f.ReadAt(b[:4], offsets+4*i); err != nil {
		return 0, false, err
	}
	off := binary.BigEndian.Uint32(b[:4])
	if off&0x80000000 == 0 {
		return int64(off), true, nil
	}
	large := offsets + 4*total + 8*int64(off&0x7fffffff)
	if _, err := f.ReadAt(b[:], large); err != nil {
		return 0, false, err
	}
	return int64(binary.BigEndian.Uint64(b[:]) & (1<<62 - 1)), true, nil
}

// readPackedCommit reads the object at off in pack p, which must be a
// whole (not deltified) commit.
func readPackedCommit(p string, off int64) ([]byte, error) {
	f, err := openRegular(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(io.NewSectionReader(f, off, 1<<62))
	c, err := br.ReadByte()
	if err != nil {
		return nil, err
	}
	if typ := (c >> 4) & 7; typ != 1 {
		return nil, fmt.Errorf("packed object of type %d is not a whole commit", typ)
	}
	for c&0x80 != 0 { // the rest of the size, which inflate bounds anyway
		if c, err = br.ReadByte(); err != nil {
			return nil, err
		}
	}
	return inflate(br)
}
