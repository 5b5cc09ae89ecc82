//go:build unix

package fetch

import "syscall"

// oNoFollow makes OpenFile refuse a symlink as its last element.
const oNoFollow = syscall.O_NOFOLLOW
