// Package detect finds which licenses a text is: the license files of
// vendored code, matched against known license texts.
//
// It is apart from package license, which it uses for the SPDX id
// tables, so that what needs only expressions and tags (verify, and so
// cmd/rvendor-verify, which Kbuild starts on every build) does not link
// github.com/google/licensecheck, whose package init alone costs 0.4 to
// 0.9 ms per process start (GODEBUG=inittrace=1; issue 14).
//
// Invariants and rules:
//   - This is a pure library: it never prints, never touches the network
//     and holds no global mutable state; it reads only the bytes it is
//     given and the patterns embedded in it.
//   - A Detector uses github.com/google/licensecheck (near word-for-word
//     matches, no false positives by design) plus the embedded patterns
//     in patterns/, one file per SPDX id in licensecheck's LRE syntax
//     (Unicode-3.0, Unicode-DFS-2016, LLVM-exception), an embedded
//     pattern replacing a built-in one of the same id. A text it does
//     not know gives no id, never another license's.
//   - NewDetector knows CommonLicenses plus the embedded patterns;
//     NewFullDetector every license licensecheck knows plus the embedded
//     patterns. A Detector builds its scanner once, on the first Detect,
//     and is safe for concurrent use; embedded patterns that do not
//     build are a bug and panic.
//   - Detection.IDs are the ids of matched license texts (not of URLs
//     naming a license), sorted, each once; Detection.Matches are every
//     match, URLs too, in text order, as byte offsets into the text.
//   - Detector.Expr suggests an expression only for a file at least
//     MinExprCoverage percent license text and made of SPDX ids: one id,
//     several joined with AND, or one license WITH one exception. What it
//     returns, when not "", parses with license.Parse.
package detect
