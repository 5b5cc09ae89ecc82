package sbom

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"

	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// SPDX relationship types rvendor writes.
const (
	relDescribes    = "DESCRIBES"
	relContains     = "CONTAINS"
	relDependsOn    = "DEPENDS_ON"
	relPatchApplied = "PATCH_APPLIED"
)

// SPDXTreeID is the SPDX id of the tree's root package.
const SPDXTreeID = "SPDXRef-Tree"

// spdxDoc builds SPDX documents: the ids handed out so far, and the
// document.
type spdxDoc struct {
	s    *Source
	o    Options
	ids  *idSet
	doc  *spdx.Document
	tool common.Annotator
}

// SPDX renders s as an SPDX 2.3 JSON document.
func SPDX(s *Source, o Options) ([]byte, error) {
	d := &spdxDoc{s: s, o: o, ids: newIDSet(spdxIDChar)}
	d.ids.make("SPDXRef-DOCUMENT")
	d.ids.make(SPDXTreeID)
	tool := "rvendor-" + toolVersion(o)
	d.tool = common.Annotator{AnnotatorType: "Tool", Annotator: tool}
	d.doc = &spdx.Document{
		SPDXVersion: spdx.Version, DataLicense: spdx.DataLicense,
		SPDXIdentifier: "DOCUMENT", DocumentName: s.Name,
		DocumentComment: "The vendored sources of " + s.Name + " as rvendor.lock and rvendor.sum record them.",
		CreationInfo: &spdx.CreationInfo{
			Creators: []common.Creator{{CreatorType: "Tool", Creator: tool}},
			Created:  stamp(o.Created),
		},
	}
	d.addTree()
	if a := o.Advisories; a != nil {
		var lines []string
		for _, kv := range a.properties() {
			lines = append(lines, kv[0]+"="+kv[1])
		}
		d.doc.Annotations = append(d.doc.Annotations, &spdx.Annotation{Annotator: d.tool, AnnotationDate: stamp(o.Created),
			AnnotationType: "OTHER", AnnotationSPDXIdentifier: common.MakeDocElementID("", "DOCUMENT"),
			AnnotationComment: "Checked against the RustSec advisory database: " + strings.Join(lines, " ")})
	}
	pkgIDs := make([]string, len(s.Packages))
	for i, p := range s.Packages {
		pkgIDs[i] = d.addPackage(p)
	}
	for i, p := range s.Packages {
		for _, j := range p.DependsOn {
			d.relate(pkgIDs[i], relDependsOn, pkgIDs[j], "")
		}
	}
	d.addPatches(pkgIDs)
	for _, r := range s.LicenseRefs {
		d.doc.OtherLicenses = append(d.doc.OtherLicenses, &spdx.OtherLicense{
			LicenseIdentifier: r.ID, ExtractedText: r.Text, LicenseName: strings.TrimPrefix(r.ID, "LicenseRef-"), LicenseComment: r.Comment})
	}
	if o.Namespace != "" {
		d.doc.DocumentNamespace = o.Namespace
		return writeSPDX(d.doc, true)
	}
	draft, err := writeSPDX(d.doc, false)
	if err != nil {
		return nil, err
	}
	d.doc.DocumentNamespace = "https://spdx.org/spdxdocs/rvendor-" + newIDSet(spdxIDChar).make(s.Name) + "-" + ContentUUID(draft)
	return writeSPDX(d.doc, true)
}

// writeSPDX renders doc: indented by two spaces, or compact (the form
// the namespace is derived from).
func writeSPDX(doc *spdx.Document, indent bool) ([]byte, error) {
	var b bytes.Buffer
	opts := []spdxjson.WriteOption{spdxjson.EscapeHTML(false)}
	if indent {
		opts = append(opts, spdxjson.Indent("  "))
	}
	if err := spdxjson.Write(doc, &b, opts...); err != nil {
		return nil, fmt.Errorf("writing the SPDX document: %w", err)
	}
	return b.Bytes(), nil
}

func toolVersion(o Options) string {
	if o.ToolVersion == "" {
		return "devel"
	}
	return o.ToolVersion
}

func (d *spdxDoc) relate(a, typ, b, comment string) {
	d.doc.Relationships = append(d.doc.Relationships, &spdx.Relationship{
		RefA: common.MakeDocElementID("", strings.TrimPrefix(a, "SPDXRef-")), Relationship: typ,
		RefB: common.MakeDocElementID("", strings.TrimPrefix(b, "SPDXRef-")), RelationshipComment: comment})
}

func (d *spdxDoc) addTree() {
	d.doc.Packages = append(d.doc.Packages, &spdx.Package{
		PackageName: d.s.Name, PackageSPDXIdentifier: common.ElementID(strings.TrimPrefix(SPDXTreeID, "SPDXRef-")),
		PackageDownloadLocation: NoAssertion, PrimaryPackagePurpose: "SOURCE",
		PackageLicenseConcluded: NoAssertion, PackageLicenseDeclared: NoAssertion, PackageCopyrightText: NoAssertion,
		PackageComment: "The tree rvendor.toml describes: it holds the vendored packages below as plain source files.",
	})
	d.relate("SPDXRef-DOCUMENT", relDescribes, SPDXTreeID, "")
}

// addPackage adds p (and, with files, its files) and returns its id.
func (d *spdxDoc) addPackage(p *Package) string {
	want := "SPDXRef-Package-" + p.Name
	if p.Crate {
		want = "SPDXRef-Crate-" + p.Component + "-" + p.Name + "-" + p.Version
	}
	id := d.ids.make(want)
	sp := &spdx.Package{
		PackageName: p.Name, PackageSPDXIdentifier: common.ElementID(strings.TrimPrefix(id, "SPDXRef-")),
		PackageVersion: p.Version, PackageDownloadLocation: NoAssertion,
		PrimaryPackagePurpose:   "SOURCE",
		PackageLicenseConcluded: spdxLicense(p.License.Concluded), PackageLicenseDeclared: spdxLicense(p.License.Declared),
		PackageLicenseComments: licenseComment(p), PackageCopyrightText: NoAssertion,
		PackageSourceInfo: sourceInfo(p), PackageComment: packageComment(p),
		PackageExternalReferences: []*spdx.PackageExternalReference{{Category: "PACKAGE-MANAGER", RefType: "purl", Locator: p.PURL()}},
	}
	if p.URL != "" {
		sp.PackageDownloadLocation = p.URL
	}
	if tree.IsSHA256Hex(p.SHA256) {
		sp.PackageChecksums = []common.Checksum{{Algorithm: common.SHA256, Value: p.SHA256}}
	}
	if len(p.Copyrights) > 0 {
		sp.PackageCopyrightText = strings.Join(p.Copyrights, "\n")
	}
	if p.Signer != "" {
		sp.Annotations = append(sp.Annotations, spdx.Annotation{Annotator: d.tool, AnnotationDate: stamp(d.o.Created),
			AnnotationType: "OTHER", AnnotationComment: signerComment(p.Package.Locked)})
	}
	d.doc.Packages = append(d.doc.Packages, sp)
	d.relate(SPDXTreeID, relContains, id, "")
	if d.s.Files {
		d.addFiles(p, sp, id)
	}
	return id
}

func signerComment(lc *vendorspec.LockedComponent) string {
	if lc.Signer == "unsigned" {
		return "rvendor:signer=unsigned: the spec allowed an unsigned Rust channel manifest (" + lc.Manifest + "); no signature was checked"
	}
	return fmt.Sprintf("rvendor:signer=%s: the Rust channel manifest %s (sha256 %s) was verified against this OpenPGP key before the archive's sha256 was taken from it", lc.Signer, lc.Manifest, lc.ManifestSHA256)
}

// addFiles adds p's files, FilesAnalyzed, the verification code and the
// licenses found in its files.
func (d *spdxDoc) addFiles(p *Package, sp *spdx.Package, pkgID string) {
	sp.FilesAnalyzed = true
	sp.IsFilesAnalyzedTagPresent = true
	var sha1s []string
	found := map[string]bool{}
	unexamined := false
	for _, f := range p.Files {
		id := d.ids.make(fmt.Sprintf("SPDXRef-File-%d", len(d.doc.Files)+1))
		h1 := hex.EncodeToString(f.SHA1[:])
		sha1s = append(sha1s, h1)
		sf := &spdx.File{
			FileName: "./" + f.Path, FileSPDXIdentifier: common.ElementID(strings.TrimPrefix(id, "SPDXRef-")),
			Checksums:        []common.Checksum{{Algorithm: common.SHA1, Value: h1}, {Algorithm: common.SHA256, Value: f.Hex()}},
			LicenseConcluded: NoAssertion, FileCopyrightText: NoAssertion,
		}
		switch info := fileLicenses(f); {
		case !f.Examined:
			unexamined = true
			sf.LicenseInfoInFiles = []string{NoAssertion}
		case f.Tag == "":
			sf.LicenseInfoInFiles = []string{"NONE"}
		case info == nil:
			sf.LicenseInfoInFiles = []string{NoAssertion}
			sf.LicenseComments = fmt.Sprintf("its SPDX-License-Identifier tag %q is not a valid SPDX expression", f.Tag)
		default:
			sf.LicenseInfoInFiles = info
			for _, t := range info {
				found[t] = true
			}
		}
		if f.Examined {
			sf.FileTypes = []string{"SOURCE"}
		}
		d.doc.Files = append(d.doc.Files, sf)
		d.relate(pkgID, relContains, id, "")
	}
	sort.Strings(sha1s)
	vc := sha1.Sum([]byte(strings.Join(sha1s, "")))
	sp.PackageVerificationCode = &common.PackageVerificationCode{Value: hex.EncodeToString(vc[:])}
	for t := range found {
		sp.PackageLicenseInfoFromFiles = append(sp.PackageLicenseInfoFromFiles, t)
	}
	sort.Strings(sp.PackageLicenseInfoFromFiles)
	if len(found) == 0 {
		sp.PackageLicenseInfoFromFiles = []string{"NONE"}
		if unexamined {
			sp.PackageLicenseInfoFromFiles = []string{NoAssertion}
		}
	}
}

// fileLicenses returns the terms of f's tag, each once, in order; nil
// when it has none or it is not a valid expression (or names another
// document).
func fileLicenses(f File) []string {
	var out []string
	for _, t := range terms(f.Tag) {
		s := spdxLicense(t.String())
		if s == NoAssertion {
			return nil
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// addPatches adds one package per patch file, PATCH_APPLIED to each
// package it changes.
func (d *spdxDoc) addPatches(pkgIDs []string) {
	ids := map[*Patch]string{}
	for i, p := range d.s.Packages {
		for _, pt := range p.Patches {
			id, ok := ids[pt]
			if !ok {
				id = d.ids.make("SPDXRef-Patch-" + pt.Component + "-" + strings.TrimSuffix(pt.Name, ".patch"))
				ids[pt] = id
				d.doc.Packages = append(d.doc.Packages, &spdx.Package{
					PackageName: pt.Name, PackageSPDXIdentifier: common.ElementID(strings.TrimPrefix(id, "SPDXRef-")),
					PackageFileName: pt.Path, PackageDownloadLocation: NoAssertion, PrimaryPackagePurpose: "FILE",
					PackageChecksums:        []common.Checksum{{Algorithm: common.SHA256, Value: pt.SHA256}},
					PackageLicenseConcluded: NoAssertion, PackageLicenseDeclared: NoAssertion, PackageCopyrightText: NoAssertion,
					PackageSummary: pt.Subject,
					PackageComment: "A patch of " + pt.Component + "'s queue, applied to its pristine upstream; it changes " + strings.Join(pt.Files, ", ") + ".",
				})
				d.relate(SPDXTreeID, relContains, id, "")
			}
			d.relate(id, relPatchApplied, pkgIDs[i], "")
		}
	}
}

// licenseComment explains p's declared and concluded licenses.
func licenseComment(p *Package) string {
	s := p.License.Note + "."
	switch p.License.ConcludedFrom {
	case "declared":
		s += " Concluded: the declared license."
	case "detected":
		s += " Concluded from its license files."
	case "clarified":
		s += " Concluded from its license files, with the spec's clarifications."
	default:
		s += " No license could be concluded."
	}
	if len(p.License.Files) > 0 {
		s += " License files: " + strings.Join(p.License.Files, ", ") + "."
	}
	return s
}

// sourceInfo says where p came from and what rvendor did to it.
func sourceInfo(p *Package) string {
	lc := p.Package.Locked
	var parts []string
	switch {
	case p.Crate:
		parts = append(parts, fmt.Sprintf("The crate %s %s of the %s closure, vendored from its .crate (sha256 as Cargo.lock records it)", p.Name, p.Version, p.Component))
		if p.Stub {
			parts = append(parts, "replaced by a platform stub: only other targets need it")
		}
	case lc != nil:
		parts = append(parts, fmt.Sprintf("Selected from the %s archive", lc.Kind))
		if len(lc.Paths) > 0 {
			parts = append(parts, "paths "+strings.Join(lc.Paths, ", "))
		}
		if len(lc.Added) > 0 {
			parts = append(parts, "added because the selection references them: "+strings.Join(lc.Added, ", "))
		}
		parts = append(parts, "pristine upstream "+lc.Upstream)
	}
	if lc != nil && len(lc.Stamped) > 0 {
		parts = append(parts, fmt.Sprintf("SPDX headers stamped into %d files", len(lc.Stamped)))
	}
	if lc != nil && len(lc.Generated) > 0 {
		parts = append(parts, "generated by rvendor: "+strings.Join(lc.Generated, ", "))
	}
	if len(p.Patches) > 0 {
		var names []string
		for _, pt := range p.Patches {
			names = append(names, pt.Name)
		}
		parts = append(parts, "patched (PATCH_APPLIED) by "+strings.Join(names, ", "))
	}
	return strings.Join(parts, "; ") + "."
}

// packageComment gives p's role and folder.
func packageComment(p *Package) string {
	return fmt.Sprintf("rvendor role %s; vendored at %s.", p.Role, path.Clean(p.Dir))
}
