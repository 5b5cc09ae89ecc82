// Package policy holds the rules rvendor checks: the kernel's minimum tool
// versions, toolchain pins and, later, licenses.
//
// Invariants:
//   - Checks only read: they never change the tree, the spec or the lock.
//   - This package never opens a network connection (a test checks that
//     it does not import net or net/http).
//   - This package never prints: it returns reports (ToolchainReport,
//     NetworkReport) whose Err method gives a single error, and typed
//     errors (ToolError) that name the tool and what it printed.
//   - Versions compare by their numeric X.Y.Z only, as the kernel's
//     scripts/rust_is_available.sh compares them: channel and distribution
//     suffixes ("-nightly", "+dfsg1") are kept for display, never compared.
//     Tool output is read as that script reads it (the last "rustc X.Y.Z"
//     of the first line, numbers with a leading 0 as octal), and the
//     kernel's minimums are compared by its number, 100000*X + 100*Y + Z.
//   - In a kernel tree, CheckToolchain has an error exactly when that
//     script refuses, except for errors whose message says "pin
//     violation": the spec pins more than the kernel.
//   - Probe runs only the tools it is given, each with LC_ALL=C and a
//     ToolTimeout, and learns libclang's version the kernel's way (bindgen
//     on LibclangProbeHeader).
//   - LintNetwork reads only build files (IsBuildFile) and the scripts they
//     name that exist inside the scanned root, at most MaxLintFile bytes
//     each; it reads regular files only (no symlink) and never leaves the
//     root.
package policy
