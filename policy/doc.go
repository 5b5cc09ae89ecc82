// Package policy holds the rules rvendor checks: the kernel's minimum tool
// versions, toolchain pins and, later, licenses.
//
// Invariants:
//   - Checks only read: they never change the tree, the spec or the lock.
//   - This package never opens a network connection (a test checks that
//     it does not import net or net/http).
package policy
