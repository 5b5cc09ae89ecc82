//go:build linux && (amd64 || arm64)

package tree

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// fstatat is unix.Fstatat with the name made NUL-terminated in *buf (a
// worker's, reused) instead of a new byte slice: verify stats every file
// of the tree on every build, and that slice was one allocation each.
//
// It is a raw system call: the goroutine keeps its P for the call, as for
// any short non-blocking call. With Syscall6, every stat slower than the
// runtime monitor's 20 µs tick (common on a busy VM) had the P taken away
// and handed to another thread, and the futex wake-ups and thread switches
// cost warm verify of 28,838 files 13% of its time (259 to 226 ms). A
// stat that waits on the disk holds one P of GOMAXPROCS for that time;
// the other workers go on.
func fstatat(dirfd int, name string, buf *[]byte, st *unix.Stat_t, flags int) error {
	p, err := cString(name, buf)
	if err != nil {
		return err
	}
	for {
		_, _, e := unix.RawSyscall6(unix.SYS_NEWFSTATAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(st)), uintptr(flags), 0, 0)
		switch e {
		case 0:
			return nil
		case unix.EINTR:
			continue
		}
		return e
	}
}

// openat is unix.Openat with the name in *buf, as fstatat.
func openat(dirfd int, name string, buf *[]byte, flags int) (int, error) {
	p, err := cString(name, buf)
	if err != nil {
		return -1, err
	}
	fd, _, e := unix.Syscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(flags), 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

// cString copies name and a NUL into *buf, growing it, and returns a
// pointer to its first byte; a name holding a NUL is EINVAL, as the
// system call wrappers of x/sys say.
func cString(name string, buf *[]byte) (*byte, error) {
	for i := 0; i < len(name); i++ {
		if name[i] == 0 {
			return nil, unix.EINVAL
		}
	}
	b := append((*buf)[:0], name...)
	b = append(b, 0)
	*buf = b
	return &b[0], nil
}
