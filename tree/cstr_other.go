//go:build (linux && !amd64 && !arm64) || darwin || freebsd || netbsd || openbsd || dragonfly

package tree

import "golang.org/x/sys/unix"

// fstatat is unix.Fstatat; see cstr_linux.go.
func fstatat(dirfd int, name string, _ *[]byte, st *unix.Stat_t, flags int) error {
	for {
		err := unix.Fstatat(dirfd, name, st, flags)
		if err != unix.EINTR {
			return err
		}
	}
}

// openat is unix.Openat; see cstr_linux.go.
func openat(dirfd int, name string, _ *[]byte, flags int) (int, error) {
	return unix.Openat(dirfd, name, flags, 0)
}

// rawFstat is unix.Fstat; see cstr_linux.go.
func rawFstat(fd int, st *unix.Stat_t) error { return unix.Fstat(fd, st) }

// rawRead is unix.Read; see cstr_linux.go.
func rawRead(fd int, p []byte) (int, error) { return unix.Read(fd, p) }

// rawClose is unix.Close; see cstr_linux.go.
func rawClose(fd int) error { return unix.Close(fd) }

// rawGetdents is unix.ReadDirent; see cstr_linux.go.
func rawGetdents(fd int, p []byte) (int, error) { return unix.ReadDirent(fd, p) }
