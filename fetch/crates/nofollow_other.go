//go:build !unix

package crates

// oNoFollow is 0 where O_NOFOLLOW does not exist.
const oNoFollow = 0
