//go:build !linux

package tree

// mapPopulate: only Linux maps every page at once.
const mapPopulate = 0
