//go:build unix

package fetch

import (
	"io/fs"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// openNew creates the file path, which must not exist, for writing, with
// permissions perm (less the umask), never following a symlink.
func openNew(path string, perm uint32) (int, error) {
	for {
		fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, perm)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// writeFD writes all of p to fd, as os.File.Write does; the caller names
// the file in its error.
func writeFD(fd int, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := unix.Write(fd, p[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
}

func fchmod(fd int, perm uint32) error { return unix.Fchmod(fd, perm) }

func closeFD(fd int) error { return unix.Close(fd) }

// processUmaskKeeps returns ^umask of this process from the Umask line of
// /proc/self/status (Linux 4.7 and later), or 0 when it cannot be read.
// Reading it this way does not change it, unlike umask(2).
func processUmaskKeeps() fs.FileMode {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "Umask:"); ok {
			u, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			if err != nil {
				return 0
			}
			return fs.FileMode(^u) & fs.ModePerm
		}
	}
	return 0
}
