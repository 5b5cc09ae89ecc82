package tree

import "golang.org/x/sys/unix"

// mapPopulate has mmap map every page of the file at once, instead of one
// fault per page on first touch.
const mapPopulate = unix.MAP_POPULATE
