//go:build !unix

package fetch

// oNoFollow is 0 where O_NOFOLLOW does not exist; dst is new and holds
// no symlinks, since Extract never creates one.
const oNoFollow = 0
