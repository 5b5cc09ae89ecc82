// Package advisory reads a local copy of the RustSec advisory database
// (github.com/rustsec/advisory-db) and matches vendored packages, crates
// and Rust's own std, core and alloc, against it (issue #12).
//
// Reading the database (Load):
//   - Only root/crates/<package>/<ID>.md and root/rust/<package>/<ID>.md
//     are read; other files are ignored. A root with neither crates/ nor
//     rust/ is refused (ErrNotDatabase).
//   - Files are regular files of at most MaxAdvisoryFile bytes. A symlink,
//     folder or special file named *.md, a symlinked package folder and a
//     larger file are not opened (or not read past the limit) and are
//     reported as LoadErrors; FIFOs never block.
//   - An advisory is a ```toml fenced block (the front matter) followed
//     by Markdown whose first "# " heading is the title. Fields the
//     schema does not know are ignored, so a field added later never
//     stops an advisory from being read.
//   - The front matter must give [advisory] id, package and date
//     (YYYY-MM-DD) and [versions] patched (possibly empty); every version
//     requirement must parse; the package must be its folder's name and
//     the file must be named <id>.md; an id may be used once (the first
//     file in path order keeps it). Anything else makes a LoadError.
//   - One bad file never fails Load: it is listed in DB.Errors, and Check
//     copies the list into Report.Unparsed.
//   - DB.Commit and DB.CommitDate come from root/.git (HEAD, loose or
//     packed refs and the commit object, read as files with the same
//     rules, never by running git), else from a SNAPSHOT.txt line
//     "commit <sha>, <YYYY-MM-DD>".
//
// Versions and requirements:
//   - Versions are SemVer 2.0 (ParseVersion); build metadata never takes
//     part in a comparison.
//   - Requirements have Cargo's syntax and meaning (ParseReq): a bare
//     version is a caret requirement; comma-separated comparators must
//     all hold; a pre-release version matches only a requirement with a
//     comparator that names the same major.minor.patch with a pre-release.
//
// Matching (Check):
//   - A package is affected by an advisory when its collection and name
//     equal the advisory's (exactly: no case folding, "-" is not "_"),
//     its version matches none of [versions] patched and none of
//     unaffected, and the advisory is not withdrawn.
//   - An advisory whose [affected] os or arch list is not empty applies
//     only to a target in the list; an Options.OS or Arch of "" is any
//     target. [affected.functions] is kept but not used for matching.
//   - Informational advisories (unmaintained, unsound, notice, ...) go to
//     Report.Informational, others to Report.Vulnerabilities; only the
//     latter make Report.Err fail.
//   - An Options.Ignore key equal to the advisory's id or one of its
//     aliases moves the finding to Report.Ignored with the key's reason;
//     keys that matched no finding are listed in Report.UnusedIgnores.
//   - When Options.MaxAge is set and the newest advisory's date is older
//     than that at Options.Now, Check returns the whole report and a
//     *StaleError; a database without advisories is always stale.
//   - Reports are deterministic: every list is sorted.
//
// Invariants: the package only reads the database folder (it never
// writes, never opens a network connection and never runs a program), it
// never prints, it keeps no global mutable state, and a DB is not changed
// by Check.
package advisory
