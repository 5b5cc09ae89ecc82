package tree

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// MapFile returns the content of the regular file p, at most max bytes,
// after the checks of ReadFile, mapped read-only into memory instead of
// read into a new buffer. On a VM whose fresh pages are slow (each first
// touch a fault of 5 to 25 µs), reading rustc's 3.7 MB sum cost 20 to
// 30 ms and mapping it under 1 ms: the pages are the page cache's, mapped
// in one call, and nothing is copied.
//
// The mapping lasts as long as the process (callers slice strings from
// it, so it is never unmapped), and its bytes must never be written: a
// write faults. It is a snapshot only while the file is not written: a
// change made in place by another process shows through, and if the file
// is truncated, reading past its new end faults and the program dies.
// Use it only in a one-shot check that dies closed (rvendor verify), never
// where a death would lose work. Where the file cannot be mapped, its
// content is read as ReadFile reads it.
func MapFile(p string, max int64) ([]byte, error) {
	f, fi, err := openRegular(p, unix.O_NOFOLLOW)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return mapRegular(f, fi, p, max)
}

// MapOwnFile is MapFile for a file of rvendor's own outside the tree
// (verify's stat cache, in the user's cache folder): a symbolic link
// there is followed, as the user made it.
func MapOwnFile(p string, max int64) ([]byte, error) {
	f, fi, err := openRegular(p, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return mapRegular(f, fi, p, max)
}

// mapRegular maps the regular file f (fi, at p) as MapFile says.
func mapRegular(f *os.File, fi os.FileInfo, p string, max int64) ([]byte, error) {
	if fi.Size() > max {
		return nil, fmt.Errorf("%s is over the %d-byte limit", p, max)
	}
	if fi.Size() == 0 || int64(int(fi.Size())) != fi.Size() {
		return readRegular(f, fi, p, max)
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_PRIVATE|mapPopulate)
	if err != nil { // a filesystem without mmap: read it
		return readRegular(f, fi, p, max)
	}
	return data, nil
}
