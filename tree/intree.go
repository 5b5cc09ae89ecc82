package tree

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// InTree is Workspace.Path for reading without a workspace (diff, a
// patch queue, an in-tree lockfile): it returns root/rel after the same
// checks, so that a path read from the spec or the lock never leads
// through a symbolic link or out of the tree.
func InTree(root, rel string) (string, error) {
	if err := checkRel(rel); err != nil {
		return "", err
	}
	if err := checkParents(root, rel, rel); err != nil {
		return "", err
	}
	return filepath.Join(root, filepath.FromSlash(rel)), nil
}

// ReadFile reads the regular file p, at most max bytes, refusing a
// symbolic link in its place (never followed: the file is part of a tree
// cloned from others), a FIFO or a device (never waited on).
func ReadFile(p string, max int64) ([]byte, error) {
	f, fi, err := openRegular(p, unix.O_NOFOLLOW)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readRegular(f, fi, p, max)
}

// readRegular reads the open regular file f (fi, at p), at most max
// bytes.
func readRegular(f *os.File, fi os.FileInfo, p string, max int64) ([]byte, error) {
	// One buffer of the size stat gives (plus one byte to see the end):
	// verify reads the sum on every build, and io.ReadAll's doubling
	// touched about three times its size in fresh pages.
	size := min(max, fi.Size()) + 1
	data := make([]byte, 0, size)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if int64(len(data)) > max {
			return data, fmt.Errorf("%s is over the %d-byte limit", p, max)
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return data, err
		}
		if len(data) == cap(data) { // the file grew while read
			data = append(data, 0)[:len(data)]
		}
	}
}

// openRegular opens p for reading if it is a regular file: a FIFO or a
// device is refused, never waited on. With flags O_NOFOLLOW, a symbolic
// link in its place is refused, never followed; with 0 it is followed.
func openRegular(p string, flags int) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NONBLOCK|flags, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, nil, fmt.Errorf("%s is a symbolic link: rvendor reads only regular files of the tree there", p)
		}
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", p)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}
