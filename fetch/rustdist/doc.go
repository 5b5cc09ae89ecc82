// Package rustdist reads the Rust distribution server
// (https://static.rust-lang.org and its mirrors): it turns a Rust version
// into a channel manifest URL, checks the manifest's .sha256 and OpenPGP
// signature, and resolves the URL and SHA-256 of the archive to download for
// the rust-src component or the full rustc source tarball. It also knows
// where the library/ folder lies inside each archive (LayoutRoot) and which
// other subtrees a selection of library/ needs to compile (FollowRefs).
//
// Layout of the server, as static.rust-lang.org serves it:
//
//	/dist/channel-rust-1.78.0.toml{,.sha256,.asc}           stable
//	/dist/2024-05-01/channel-rust-{nightly,beta}.toml{,…}   dated channels
//	/dist/2026-04-16/rust-src-1.95.0.tar.{gz,xz}            named by manifests
//	/dist/rustc-1.78.0-src.tar.{gz,xz}{,.sha256,.asc}       direct source
//
// What is trusted and what is refused:
//   - Trust starts at the keyring: the embedded Rust release key (primary
//     108F66205EAEB0AAA8DD5E1C85AB96E6FA1BE5FE), or a keyring file that
//     replaces it. A manifest is used only when its .asc verifies against
//     the keyring; then every archive URL and hash in it is trusted.
//   - A missing .asc is refused (ErrUnsigned) unless the caller allows
//     unsigned manifests; a present but bad or unknown-key signature is
//     always refused (ErrBadSignature, ErrUnknownSigner), even when unsigned
//     manifests are allowed.
//   - The .sha256 beside a manifest or archive is checked but never trusted
//     on its own: it must be exactly "<64 lowercase hex>  <bare name>\n",
//     name the file it sits beside and match its content. A missing .sha256
//     is an error.
//   - Roots and mirrors are untrusted transport. A root is an https://,
//     file:// or loopback http:// URL; plain http:// to any other host,
//     user info, queries and fragments are refused. URLs inside manifests
//     must lie under /dist/ of the official root or of the root being
//     read, and are rewritten onto that root (as rustup does for
//     RUSTUP_DIST_SERVER); URLs pointing anywhere else are refused.
//   - The direct rustc-X-src archive's .asc signs the archive itself, so
//     its hash is trusted only once Resolution.CheckArchive has verified the
//     downloaded archive against it.
//   - Small files are read with a size cap (MaxManifestSize, MaxSigSize).
//
// Nothing here prints; networking is behind the Getter interface, which a
// *fetch.Cache implements with fetch's one URL policy, redirect rule,
// transfer limits and retries (fetch/internal/web): cross-host redirects
// are followed to https only, since what arrives is checked against the
// signature or the pinned sha256 anyway.
package rustdist
