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
	f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, fmt.Errorf("%s is a symbolic link: rvendor reads only regular files of the tree there", p)
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	lr := &io.LimitedReader{R: f, N: max + 1}
	data, err := io.ReadAll(lr)
	if err == nil && lr.N <= 0 {
		err = fmt.Errorf("%s is over the %d-byte limit", p, max)
	}
	return data, err
}
