//go:build unix

package crates

import "syscall"

// oNoFollow makes OpenFile refuse a symlink as its last element, as
// fetch.Cache does for its files.
const oNoFollow = syscall.O_NOFOLLOW
