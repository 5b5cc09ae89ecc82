// Package license reads, checks and writes license information of
// vendored code: SPDX license expressions, allow lists, the rules of a
// kernel tree's LICENSES/ folder, the names of license files and
// per-file SPDX-License-Identifier tags. Detecting which license a text
// is lives in package detect (policy/license/detect), apart, so that
// what links this package (cmd/rvendor-verify, through verify) does not
// link github.com/google/licensecheck and pay its init on every start.
//
// Invariants and rules:
//   - This is a pure library: it never prints, never touches the network
//     (it imports neither net nor net/http) and holds no global mutable
//     state. What it reads comes in as bytes or an fs.FS; Stamp returns
//     new bytes and writes nothing.
//   - Expressions (Parse) follow SPDX 2.3 strictly: AND binds tighter
//     than OR, "+" follows an id with no space, WITH joins one license to
//     one exception, operators are upper case, ids are known SPDX license
//     ids (active or deprecated) or LicenseRef-/DocumentRef- references,
//     spelled as the SPDX list spells them, and exceptions are known SPDX
//     exception ids. Errors (*ExprError) quote the input and name the
//     wrong token. Inputs are capped: MaxExprLen bytes, MaxDepth nested
//     parentheses, MaxOptions options.
//   - ParseDeclared is the one lenient reader, for Cargo.toml `license`
//     fields: "/" means OR, operators and ids may be in any case, and it
//     returns the canonical text when that differs from the input.
//   - Terms compare exactly: "GPL-2.0" is neither "GPL-2.0-only" nor
//     "GPL-2.0+", and "Apache-2.0" does not cover "Apache-2.0 WITH
//     LLVM-exception". The kernel writes "GPL-2.0"; what it means is the
//     caller's decision. go-spdx supplies only the id tables; evaluation
//     (Options, SatisfiedBy, Equivalent) is this package's own.
//   - An expression's String is canonical (upper-case operators, minimal
//     parentheses); KernelString is the form scripts/spdxcheck.py
//     accepts, whose grammar makes AND and OR non-associative and wants
//     WITH terms parenthesized inside compound expressions.
//   - An AllowList allows an expression by satisfaction: one option whose
//     terms are all allowed, or an entry equivalent to the expression.
//   - LoadKernel derives everything from the tree's LICENSES/ files, never
//     from a built-in list: the class of a license is its sub-folder
//     (preferred, dual, deprecated; exceptions for exceptions), the ids
//     are the Valid-License-Identifier and SPDX-Exception-Identifier
//     metatags, and an exception's licenses its SPDX-Licenses metatag.
//     Only the metatags above License-Text: are read: each line there is
//     a known metatag (Valid-License-Identifier, SPDX-URL, Usage-Guide or
//     Usage-Guidance, SPDX-Exception-Identifier, SPDX-Licenses), an
//     indented line continuing Usage-Guide, or blank. Every file needs
//     SPDX-URL, Usage-Guide and License-Text (or Exception-Text); a
//     license file at least one Valid-License-Identifier, an exception file
//     one SPDX-Exception-Identifier and an SPDX-Licenses naming only
//     declared ids. A Valid-License-Identifier holding an expression (as
//     deprecated/GFDL-1.1 does) must parse and declares nothing. Other
//     entries of LICENSES/ are ignored, as spdxcheck.py ignores them;
//     entries of the four sub-folders must be regular files of at most
//     MaxLicenseFile bytes, and an id may be declared once. A refused file
//     is a *FileError naming file and line.
//   - Kernel.Check applies license-rules.rst: an id or exception with no
//     file is an Error (RuleUnknownLicense, "kernel-unknown-license"); an
//     exception WITH a license its file does not name is an Error
//     (RuleException, "kernel-exception"); both are Warnings when another
//     option of the expression is one the kernel takes (the code is taken
//     under that option, which the finding names); a dual license is an Error
//     unless some option of the expression is made only of preferred or
//     deprecated licenses (RuleDualOnly, "kernel-dual-only"); a deprecated
//     license is a Warning unless some option is made only of preferred
//     licenses (RuleDeprecated, "kernel-deprecated"), since everything
//     rvendor vendors is imported code, which may keep a deprecated
//     license. Preferred licenses raise nothing. Ids compare exactly, as
//     LICENSES/ declares them.
//   - License files (IsLicenseFile) are named LICENSE*, LICENCE*,
//     COPYING*, COPYRIGHT*, NOTICE* or UNLICENSE* in any case, at any
//     depth, without a source extension.
//   - It imports no license text scanner: neither package detect nor
//     github.com/google/licensecheck (cmd/rvendor-verify's tests check
//     what it links).
//   - Tags follow license-rules.rst's placement rule: the first line, or
//     the second after a "#!" interpreter line (a Rust "#![" attribute is
//     not one). FindTag looks only there; FindAnyTag reports a tag
//     elsewhere in the first MaxTagLines lines as misplaced. Stamp adds a
//     tag in the file's CommentStyle only where FindTag finds none, keeps
//     the file's line endings, leaves unknown file types alone, and is
//     idempotent: stamping a stamped file changes nothing.
package license
