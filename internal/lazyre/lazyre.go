// Package lazyre compiles regular expressions on first use.
//
// rvendor starts on every kernel build (rvendor verify), and every
// package-level regexp.MustCompile is paid by every command at start-up,
// whether it uses the pattern or not. A pattern declared with New costs
// nothing until it is used, and is compiled once.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr the first time it is called
// and returns the same *regexp.Regexp ever after. It panics, as
// regexp.MustCompile does, if expr does not compile: patterns are
// constants of the program.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
