// Command rvendor vendors the Rust sources and tools the Linux kernel
// builds with into the kernel tree, and verifies them offline.
//
// The commands are thin: each parses flags, calls a library package
// (vendor-spec, fetch, tree, verify, policy) and renders the result.
// Errors are printed in one place, by main, as "rvendor: error: ..."
// with an optional "rvendor: hint: ..." line.
package main

import (
	"os"
	"runtime"
)

func main() {
	// No allocation sampling: rvendor verify starts on every kernel build,
	// and the profiler's first sample faults in its bucket table.
	runtime.MemProfileRate = 0
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
