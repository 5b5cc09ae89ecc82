// Package sbom writes software bills of materials of a vendored tree:
// SPDX 2.3 JSON (github.com/spdx/tools-golang) and CycloneDX 1.6 or 1.5
// JSON (github.com/CycloneDX/cyclonedx-go). Both describe the same
// Source, which Load reads from the spec, lock, sum and tree.
//
// What a document holds:
//   - A root package for the tree (the spec's folder); the document
//     DESCRIBES it (SPDX) or has it as metadata.component (CycloneDX).
//   - One package per component, and one per crate of a crate
//     component's closure, with its version, download location (the
//     archive or .crate URL as rvendor.lock records it; NOASSERTION, or
//     no distribution reference, when unknown), the archive's or
//     .crate's sha256, its purl, the declared license (the spec's, or
//     the crate's Cargo.toml, as a canonical SPDX expression) and the
//     concluded license (the license audit's rule: the declared one
//     when it is a valid expression, else what the license files say),
//     the copyright lines of its license files, and for the Rust dist
//     kinds the fingerprint of the key that signed the channel manifest.
//   - purl: pkg:cargo/NAME@VERSION for a crate; for rust-src and
//     rustc-src pkg:generic/rust-src@VERSION (rustc-src): the Rust
//     project publishes these as dist archives, not on a registry that
//     has a purl type, and "generic" with the archive's name and the
//     release version is what purl's spec prescribes for such sources;
//     an archive component is pkg:generic/NAME@VERSION.
//   - Relationships: the tree CONTAINS every package; the root crate of
//     a crate component (the lock's crate key, else the component's
//     name, e.g. bindgen) DEPENDS_ON every other crate of its closure;
//     in CycloneDX the tree dependsOn each component's package and the
//     root crate dependsOn its crates.
//   - Patches. SPDX: one package per patch file (its name, path, sha256
//     and subject), related to the package it changes by PATCH_APPLIED
//     (patch PATCH_APPLIED package). A relationship is what SPDX defines
//     for this, and what tools query; an annotation would be free text.
//     A package rather than a file element, because SPDX 2.3 file
//     elements need a SHA-1 and belong to an analyzed package, which the
//     tree's root package is not. CycloneDX: pedigree.patches with each
//     patch's full text (type "unofficial"), pedigree.ancestors with the
//     pristine upstream (same purl and archive hash, its h1: hash as
//     property rvendor:upstream), and the patch names in pedigree.notes.
//     A crate component's patch goes to the crates whose files it
//     touches (to the root crate when none).
//   - The signer: SPDX, a package annotation (type OTHER) whose comment
//     starts "rvendor:signer=FINGERPRINT", so that the package's own
//     comment stays free; CycloneDX, the property rvendor:signer.
//   - With Files, every vendored file: SPDX file elements (SHA-1 and
//     SHA-256, licenseConcluded NOASSERTION, licenseInfoInFiles the
//     terms of its SPDX-License-Identifier tag, NONE when a file that can
//     hold a tag has none, NOASSERTION when its type cannot hold one),
//     the packages FilesAnalyzed with a verification code; CycloneDX,
//     nested components of type "file" under their package, with their
//     SHA-256, the tag as a license expression, and the property
//     rvendor:spdx-tag (the tag as written, or NONE). Nested components
//     are the CycloneDX way to say what a component is made of; a
//     property list on the package would not give each file a hash.
//   - License ids that are not on the SPDX list (LicenseRef-) get a
//     hasExtractedLicensingInfos entry in SPDX, with the text of the
//     license file that a clarification or Cargo's license-file ties to
//     it, else NOASSERTION and a comment that says so.
//
// Invariants:
//   - Output is deterministic: the same tree gives the same bytes. The
//     creation time is Options.Created (the command takes it from
//     --created, else SOURCE_DATE_EPOCH, else the Unix epoch: rvendor
//     never reads the clock). The SPDX namespace and the CycloneDX
//     serial number, when not given, are a version 5 UUID (URL
//     namespace) of the hex SHA-256 of the document rendered as compact
//     JSON without them: they change when, and only when, the content
//     does.
//   - The document describes what rvendor.lock and rvendor.sum record;
//     Load refuses a sum that does not match the lock's seal. Every file
//     read (Cargo.toml, license files, with Files every file) goes
//     through inventory.ReadFile: in the tree, no links, checked against
//     the sum; a file that differs is an *inventory.DriftError. Patch
//     files are read below the spec's patches folder (tree.InTree, no
//     links) and checked against the sha256 the lock records.
//   - Load runs the license detector only for packages whose declaration
//     is missing, invalid or names a LicenseRef-: for every other one the
//     audit concludes the declared expression without looking at the
//     files, and so does Load, at a fraction of the cost.
//   - No network, no writes, nothing printed: Marshal returns bytes.
package sbom
