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
	fd, _, e := unix.RawSyscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(flags), 0, 0, 0)
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

// The calls below are the scan's other per-file system calls, raw for the
// reason fstatat is: on regular files and folders of a local filesystem
// they return without waiting on anything but the disk. With them, the
// runtime monitor finds no P in a system call to take, backs off from its
// 20 µs tick, and stops waking threads: cold verify of 28,838 files went
// from 317 to 272 ms (median of 15; nanosleep calls 683 to 91 at
// 651 files). The scan opens only what it found to be a regular file
// (with O_NONBLOCK) or a folder (with O_DIRECTORY), so none of these waits
// on a FIFO or a device.
//
// A goroutine in a raw call keeps its P, so one that runs longer than
// 10 ms is sent the runtime's preemption signal, which a network or FUSE
// filesystem may turn into EINTR: every caller of these retries on EINTR
// (close excepted: Linux has closed the descriptor either way). While all
// workers wait in slow raw calls, no other goroutine of the program runs.

// rawFstat is unix.Fstat as a raw system call, retried on EINTR.
func rawFstat(fd int, st *unix.Stat_t) error {
	for {
		_, _, e := unix.RawSyscall(unix.SYS_FSTAT, uintptr(fd), uintptr(unsafe.Pointer(st)), 0)
		switch e {
		case 0:
			return nil
		case unix.EINTR:
			continue
		}
		return e
	}
}

// rawRead is unix.Read as a raw system call.
func rawRead(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// rawClose is unix.Close as a raw system call.
func rawClose(fd int) error {
	_, _, e := unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// rawGetdents is unix.ReadDirent as a raw system call.
func rawGetdents(fd int, p []byte) (int, error) {
	n, _, e := unix.RawSyscall(unix.SYS_GETDENTS64, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
