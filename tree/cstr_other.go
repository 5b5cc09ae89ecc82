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
