package sbom_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdxlib"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/sbom"
	"github.com/rvendor/rvendor/sbom/sbomtest"
)

// spdxDoc is the part of an SPDX JSON document the tests read.
type spdxDoc struct {
	Namespace    string `json:"documentNamespace"`
	CreationInfo struct {
		Created string `json:"created"`
	} `json:"creationInfo"`
	Packages []struct {
		Name             string `json:"name"`
		ID               string `json:"SPDXID"`
		Version          string `json:"versionInfo"`
		Download         string `json:"downloadLocation"`
		FilesAnalyzed    bool   `json:"filesAnalyzed"`
		Concluded        string `json:"licenseConcluded"`
		Declared         string `json:"licenseDeclared"`
		Copyright        string `json:"copyrightText"`
		FileName         string `json:"packageFileName"`
		Summary          string `json:"summary"`
		LicenseFromFiles []string
		Verification     *struct {
			Value string `json:"packageVerificationCodeValue"`
		} `json:"packageVerificationCode"`
		Checksums []struct {
			Algorithm string `json:"algorithm"`
			Value     string `json:"checksumValue"`
		} `json:"checksums"`
		ExternalRefs []struct {
			Type    string `json:"referenceType"`
			Locator string `json:"referenceLocator"`
		} `json:"externalRefs"`
		Annotations []struct {
			Comment string `json:"comment"`
		} `json:"annotations"`
	} `json:"packages"`
	Files []struct {
		Name      string `json:"fileName"`
		ID        string `json:"SPDXID"`
		Checksums []struct {
			Algorithm string `json:"algorithm"`
			Value     string `json:"checksumValue"`
		} `json:"checksums"`
		InFiles   []string `json:"licenseInfoInFiles"`
		Concluded string   `json:"licenseConcluded"`
	} `json:"files"`
	Extracted []struct {
		ID   string `json:"licenseId"`
		Text string `json:"extractedText"`
	} `json:"hasExtractedLicensingInfos"`
	Relationships []struct {
		A    string `json:"spdxElementId"`
		Type string `json:"relationshipType"`
		B    string `json:"relatedSpdxElement"`
	} `json:"relationships"`
}

func decodeSPDX(t *testing.T, data []byte) *spdxDoc {
	t.Helper()
	var d spdxDoc
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

// id returns the SPDXID of the package named name.
func (d *spdxDoc) id(t *testing.T, name string) string {
	t.Helper()
	for _, p := range d.Packages {
		if p.Name == name {
			return p.ID
		}
	}
	t.Fatalf("no package %s", name)
	return ""
}

func (d *spdxDoc) has(a, typ, b string) bool {
	for _, r := range d.Relationships {
		if r.A == a && r.Type == typ && r.B == b {
			return true
		}
	}
	return false
}

// TestSPDXRelationships: the document describes the tree, the tree
// contains every package, the root crate depends on its crates (and on
// nothing else), and the patch is a package PATCH_APPLIED to lib.
func TestSPDXRelationships(t *testing.T) {
	f := newFixture(t)
	d := decodeSPDX(t, marshal(t, f.source(t, false), sbom.FormatSPDX, ""))
	if !d.has("SPDXRef-DOCUMENT", "DESCRIBES", sbom.SPDXTreeID) {
		t.Errorf("the document does not describe the tree: %+v", d.Relationships)
	}
	for _, n := range []string{"lib", "rs", "dep", "dep2", "tool"} {
		if !d.has(sbom.SPDXTreeID, "CONTAINS", d.id(t, n)) {
			t.Errorf("the tree does not contain %s", n)
		}
	}
	tool := d.id(t, "tool")
	var deps []string
	for _, r := range d.Relationships {
		if r.Type == "DEPENDS_ON" {
			if r.A != tool {
				t.Errorf("%s DEPENDS_ON %s: only the root crate depends on the others", r.A, r.B)
			}
			deps = append(deps, r.B)
		}
	}
	if want := []string{d.id(t, "dep"), d.id(t, "dep2")}; !slices.Equal(deps, want) {
		t.Errorf("tool DEPENDS_ON %v, want %v", deps, want)
	}
	patch := d.id(t, "0001-kernel-add-try_push.patch")
	if !d.has(patch, "PATCH_APPLIED", d.id(t, "lib")) {
		t.Errorf("the patch is not PATCH_APPLIED to lib: %+v", d.Relationships)
	}
	for _, p := range d.Packages {
		if p.ID != patch {
			continue
		}
		if p.FileName != "patches/lib/0001-kernel-add-try_push.patch" || p.Summary != "kernel: add try_push" ||
			len(p.Checksums) != 1 || p.Checksums[0].Value != hexSum(patchText) {
			t.Errorf("patch package: %+v", p)
		}
	}
}

// TestSPDXPackages: versions, download locations, checksums, purls,
// licenses, copyright lines and the signer annotation.
func TestSPDXPackages(t *testing.T) {
	f := newFixture(t)
	d := decodeSPDX(t, marshal(t, f.source(t, false), sbom.FormatSPDX, ""))
	byName := map[string]int{}
	for i, p := range d.Packages {
		byName[p.Name] = i
	}
	lib := d.Packages[byName["lib"]]
	if lib.Version != "1.0.0" || lib.Download != "https://example.org/lib-1.0.0.tar.gz" || lib.Checksums[0].Value != hexSum("lib archive") ||
		lib.Declared != "MIT" || lib.Concluded != "MIT" || lib.Copyright != "Copyright (c) 2020 Jane Doe" || lib.ExternalRefs[0].Locator != "pkg:generic/lib@1.0.0" {
		t.Errorf("lib: %+v", lib)
	}
	rs := d.Packages[byName["rs"]]
	if rs.ExternalRefs[0].Locator != "pkg:generic/rust-src@1.63.0" || len(rs.Annotations) != 1 ||
		!strings.HasPrefix(rs.Annotations[0].Comment, "rvendor:signer=85AB96E6FA1BE5FE:") || rs.Copyright != sbom.NoAssertion {
		t.Errorf("rs: %+v", rs)
	}
	if len(lib.Annotations) != 0 {
		t.Errorf("lib has no signer, but annotations %+v", lib.Annotations)
	}
	dep2 := d.Packages[byName["dep2"]]
	if dep2.Declared != sbom.NoAssertion || dep2.Concluded != "MIT" || dep2.ExternalRefs[0].Locator != "pkg:cargo/dep2@0.2.0" {
		t.Errorf("dep2 (no declaration, an MIT LICENSE): %+v", dep2)
	}
	for _, p := range d.Packages {
		if p.FilesAnalyzed {
			t.Errorf("%s: filesAnalyzed without --files", p.Name)
		}
	}
	if len(d.Files) != 0 {
		t.Errorf("%d files without --files", len(d.Files))
	}
}

// TestSPDXFiles: with files, every file with its SHA-1 and SHA-256, its
// tag's licenses (NONE when a source file has none, NOASSERTION when
// its type cannot hold one), and each package's verification code.
func TestSPDXFiles(t *testing.T) {
	f := newFixture(t)
	d := decodeSPDX(t, marshal(t, f.source(t, true), sbom.FormatSPDX, ""))
	want := map[string][]string{"./src/a.rs": {"MIT"}, "./src/b.rs": {"NONE"}, "./data.bin": {"NOASSERTION"}, "./src/c.rs": {"LicenseRef-Other"}}
	var lib []string
	for _, fl := range d.Files {
		if w, ok := want[fl.Name]; ok && !slices.Equal(fl.InFiles, w) {
			t.Errorf("%s: licenseInfoInFiles %v, want %v", fl.Name, fl.InFiles, w)
		}
		if fl.Concluded != sbom.NoAssertion {
			t.Errorf("%s: licenseConcluded %q", fl.Name, fl.Concluded)
		}
		if fl.Name == "./src/b.rs" {
			h := sha1.Sum([]byte("pub fn b() {}\n"))
			if fl.Checksums[0].Algorithm != "SHA1" || fl.Checksums[0].Value != hex.EncodeToString(h[:]) || fl.Checksums[1].Value != hexSum("pub fn b() {}\n") {
				t.Errorf("b.rs checksums: %+v", fl.Checksums)
			}
		}
		if d.has(d.id(t, "lib"), "CONTAINS", fl.ID) {
			lib = append(lib, fl.Checksums[0].Value)
		}
	}
	if len(d.Files) != 5+1+2+3+2 {
		t.Errorf("%d files, want 13", len(d.Files))
	}
	sort.Strings(lib)
	code := sha1.Sum([]byte(strings.Join(lib, "")))
	for _, p := range d.Packages {
		if p.Name == "lib" && (!p.FilesAnalyzed || p.Verification == nil || p.Verification.Value != hex.EncodeToString(code[:])) {
			t.Errorf("lib's verification code: %+v, want %x over %d files", p.Verification, code, len(lib))
		}
	}
}

// TestSPDXLicenseRefs: a LicenseRef- gets its text from Cargo's
// license-file; one named only by a file's tag gets NOASSERTION.
func TestSPDXLicenseRefs(t *testing.T) {
	f := newFixture(t)
	d := decodeSPDX(t, marshal(t, f.source(t, true), sbom.FormatSPDX, ""))
	got := map[string]string{}
	for _, e := range d.Extracted {
		got[e.ID] = e.Text
	}
	if got["LicenseRef-Custom"] != strings.TrimSpace(customText) {
		t.Errorf("LicenseRef-Custom: %q", got["LicenseRef-Custom"])
	}
	if got["LicenseRef-Other"] != sbom.NoAssertion {
		t.Errorf("LicenseRef-Other: %q", got["LicenseRef-Other"])
	}
	if len(got) != 2 {
		t.Errorf("extracted licenses: %v", got)
	}
	// Without files, c.rs's tag is not read: only the declared one.
	d = decodeSPDX(t, marshal(t, f.source(t, false), sbom.FormatSPDX, ""))
	if len(d.Extracted) != 1 || d.Extracted[0].ID != "LicenseRef-Custom" {
		t.Errorf("extracted licenses without files: %+v", d.Extracted)
	}
}

// cdxDoc is the part of a CycloneDX BOM the tests read.
type cdxDoc struct {
	Schema   string `json:"$schema"`
	Spec     string `json:"specVersion"`
	Serial   string `json:"serialNumber"`
	Metadata struct {
		Timestamp string `json:"timestamp"`
		Component struct {
			Ref string `json:"bom-ref"`
		} `json:"component"`
	} `json:"metadata"`
	Components   []cdxComponent `json:"components"`
	Dependencies []struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn"`
	} `json:"dependencies"`
}

type cdxComponent struct {
	Type     string `json:"type"`
	Ref      string `json:"bom-ref"`
	Name     string `json:"name"`
	Scope    string `json:"scope"`
	PURL     string `json:"purl"`
	Hashes   []struct{ Alg, Content string }
	Licenses []struct {
		Expression      string `json:"expression"`
		Acknowledgement string `json:"acknowledgement"`
	} `json:"licenses"`
	Properties []struct{ Name, Value string } `json:"properties"`
	Pedigree   *struct {
		Ancestors []cdxComponent `json:"ancestors"`
		Patches   []struct {
			Type string `json:"type"`
			Diff struct {
				Text struct{ Content, ContentType, Encoding string } `json:"text"`
			} `json:"diff"`
		} `json:"patches"`
		Notes string `json:"notes"`
	} `json:"pedigree"`
	Components []cdxComponent `json:"components"`
}

func (c *cdxComponent) prop(name string) string {
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func decodeCDX(t *testing.T, data []byte) *cdxDoc {
	t.Helper()
	var d cdxDoc
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

// TestCycloneDX: components with purl, hash, concluded license and
// scope; the signer property; the patch's text and the pristine
// ancestor in the pedigree; the dependency graph; files nested with
// their tags.
func TestCycloneDX(t *testing.T) {
	f := newFixture(t)
	d := decodeCDX(t, marshal(t, f.source(t, true), sbom.FormatCycloneDX, ""))
	if d.Spec != "1.6" || !strings.HasSuffix(d.Schema, "bom-1.6.schema.json") || !strings.HasPrefix(d.Serial, "urn:uuid:") {
		t.Errorf("header: %s %s %s", d.Spec, d.Schema, d.Serial)
	}
	by := map[string]*cdxComponent{}
	for i := range d.Components {
		by[d.Components[i].Name] = &d.Components[i]
	}
	lib, rs, tool := by["lib"], by["rs"], by["tool"]
	if lib.PURL != "pkg:generic/lib@1.0.0" || lib.Hashes[0].Content != hexSum("lib archive") || lib.Scope != "required" ||
		lib.Licenses[0].Expression != "MIT" || lib.Licenses[0].Acknowledgement != "concluded" {
		t.Errorf("lib: %+v", lib)
	}
	if rs.prop("rvendor:signer") != "85AB96E6FA1BE5FE" || lib.prop("rvendor:signer") != "" {
		t.Errorf("signer: rs %q, lib %q", rs.prop("rvendor:signer"), lib.prop("rvendor:signer"))
	}
	if tool.Scope != "excluded" {
		t.Errorf("a host tool's scope is %q", tool.Scope)
	}
	pd := lib.Pedigree
	if pd == nil || len(pd.Patches) != 1 || pd.Patches[0].Diff.Text.Content != patchText || pd.Patches[0].Type != "unofficial" ||
		len(pd.Ancestors) != 1 || pd.Ancestors[0].PURL != lib.PURL || pd.Ancestors[0].prop("rvendor:upstream") != "h1:upstream=" ||
		!strings.Contains(pd.Notes, "0001-kernel-add-try_push.patch") {
		t.Errorf("lib's pedigree: %+v", pd)
	}
	if rs.Pedigree != nil || tool.Pedigree != nil {
		t.Errorf("unpatched components have a pedigree")
	}
	deps := map[string][]string{}
	for _, dep := range d.Dependencies {
		deps[dep.Ref] = dep.DependsOn
	}
	if !slices.Equal(deps[d.Metadata.Component.Ref], []string{"lib", "rs", "tool/tool@2.0.0"}) ||
		!slices.Equal(deps["tool/tool@2.0.0"], []string{"tool/dep@0.1.0", "tool/dep2@0.2.0"}) || len(deps) != 2 {
		t.Errorf("dependencies: %v", deps)
	}
	tags := map[string]string{}
	for _, fc := range lib.Components {
		if fc.Type != "file" || len(fc.Hashes) != 1 {
			t.Errorf("file component %+v", fc)
		}
		tags[fc.Name] = fc.prop("rvendor:spdx-tag")
	}
	if want := map[string]string{"LICENSE": "", "data.bin": "", "src/a.rs": "MIT", "src/b.rs": "NONE", "src/c.rs": "LicenseRef-Other"}; !mapsEqual(tags, want) {
		t.Errorf("file tags %v, want %v", tags, want)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestCycloneDX15: 1.5 on request, without 1.6's acknowledgement.
func TestCycloneDX15(t *testing.T) {
	f := newFixture(t)
	data := marshal(t, f.source(t, false), sbom.FormatCycloneDX, sbom.CycloneDX15)
	d := decodeCDX(t, data)
	if d.Spec != "1.5" || !strings.HasSuffix(d.Schema, "bom-1.5.schema.json") || bytes.Contains(data, []byte("acknowledgement")) {
		t.Errorf("1.5: spec %s, schema %s, acknowledgement present: %v", d.Spec, d.Schema, bytes.Contains(data, []byte("acknowledgement")))
	}
}

// TestBinaryPatch: a patch that is not UTF-8 is carried in base64, not
// mangled.
func TestBinaryPatch(t *testing.T) {
	f := newFixture(t)
	bin := patchText + "\xff\xfe\n"
	write(t, f.root, "patches/lib", map[string]string{"0001-kernel-add-try_push.patch": bin})
	lc := f.in.Inventory.Packages[0].Locked
	lc.Patches[0].SHA256 = hexSum(bin)
	d := decodeCDX(t, marshal(t, f.source(t, false), sbom.FormatCycloneDX, ""))
	txt := d.Components[0].Pedigree.Patches[0].Diff.Text
	raw, err := base64.StdEncoding.DecodeString(txt.Content)
	if txt.Encoding != "base64" || err != nil || string(raw) != bin {
		t.Errorf("binary patch: %+v", txt)
	}
}

// TestDeterministic: the same source gives the same bytes, in both
// formats, with and without files; the namespace and serial follow the
// content (and the time), and given ones are used as they are.
func TestDeterministic(t *testing.T) {
	f := newFixture(t)
	for _, files := range []bool{false, true} {
		for _, format := range []string{sbom.FormatSPDX, sbom.FormatCycloneDX} {
			a := marshal(t, f.source(t, files), format, "")
			b := marshal(t, f.source(t, files), format, "")
			if !bytes.Equal(a, b) {
				t.Errorf("%s (files %v): two runs differ", format, files)
			}
		}
	}
	s := f.source(t, false)
	at := func(o sbom.Options) []byte {
		data, err := sbom.Marshal(s, o)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	day := time.Unix(86400, 0)
	d0 := decodeSPDX(t, at(sbom.Options{Format: sbom.FormatSPDX}))
	d1 := decodeSPDX(t, at(sbom.Options{Format: sbom.FormatSPDX, Created: day}))
	if d0.CreationInfo.Created != "1970-01-01T00:00:00Z" || d1.CreationInfo.Created != "1970-01-02T00:00:00Z" || d0.Namespace == d1.Namespace {
		t.Errorf("created %s / %s, namespaces %s / %s", d0.CreationInfo.Created, d1.CreationInfo.Created, d0.Namespace, d1.Namespace)
	}
	d2 := decodeSPDX(t, at(sbom.Options{Format: sbom.FormatSPDX, Namespace: "https://example.org/sbom/1"}))
	if d2.Namespace != "https://example.org/sbom/1" {
		t.Errorf("namespace %s", d2.Namespace)
	}
	c0 := decodeCDX(t, at(sbom.Options{Format: sbom.FormatCycloneDX}))
	c1 := decodeCDX(t, at(sbom.Options{Format: sbom.FormatCycloneDX, Created: day}))
	serial := "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
	c2 := decodeCDX(t, at(sbom.Options{Format: sbom.FormatCycloneDX, Serial: serial}))
	if c0.Serial == c1.Serial || c1.Metadata.Timestamp != "1970-01-02T00:00:00Z" || c2.Serial != serial {
		t.Errorf("serials %s / %s / %s, timestamp %s", c0.Serial, c1.Serial, c2.Serial, c1.Metadata.Timestamp)
	}
	// A change of content changes the derived serial.
	s.Packages[0].Version = "1.0.1"
	if c3 := decodeCDX(t, at(sbom.Options{Format: sbom.FormatCycloneDX})); c3.Serial == c0.Serial {
		t.Errorf("another content, the same serial %s", c3.Serial)
	}
}

// TestContentUUID pins the derivation the package documents, against
// Python's uuid.uuid5(uuid.NAMESPACE_URL, sha256(b"abc").hexdigest()).
func TestContentUUID(t *testing.T) {
	if got := sbom.ContentUUID([]byte("abc")); got != "828faca5-1619-5ab5-a64c-4c4ee475b14b" {
		t.Errorf("ContentUUID(abc) = %s", got)
	}
	if sbom.ContentUUID([]byte("abc")) == sbom.ContentUUID([]byte("abd")) {
		t.Errorf("two contents, one UUID")
	}
}

// TestOptions: options that do not go together are refused.
func TestOptions(t *testing.T) {
	for _, o := range []sbom.Options{
		{Format: "spdx-tv"},
		{Format: sbom.FormatSPDX, SpecVersion: "1.6"},
		{Format: sbom.FormatSPDX, Serial: "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"},
		{Format: sbom.FormatSPDX, Namespace: "no-scheme"},
		{Format: sbom.FormatSPDX, Namespace: "https://example.org/x#frag"},
		{Format: sbom.FormatCycloneDX, SpecVersion: "1.4"},
		{Format: sbom.FormatCycloneDX, Namespace: "https://example.org/x"},
		{Format: sbom.FormatCycloneDX, Serial: "3e671687-395b-41f5-a30f-a58921a69b79"},
	} {
		var oe *sbom.OptionError
		if err := o.Check(); !errors.As(err, &oe) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	for _, s := range []string{"x", "-1", "1e9", ""} {
		if _, err := sbom.ParseEpoch(s); err == nil {
			t.Errorf("SOURCE_DATE_EPOCH=%q accepted", s)
		}
	}
	if tm, err := sbom.ParseEpoch("1700000000"); err != nil || !tm.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("ParseEpoch: %v %v", tm, err)
	}
}

// TestDrift: a file or patch that is not what the lock records stops the
// SBOM: the document would not describe the tree.
func TestDrift(t *testing.T) {
	f := newFixture(t)
	if err := os.WriteFile(filepath.Join(f.root, "vendor/lib/src/b.rs"), []byte("pub fn evil() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := f.in
	in.Files = true
	_, err := sbom.Collect(context.Background(), in)
	var de *inventory.DriftError
	if !errors.As(err, &de) || !strings.HasSuffix(de.Path, "src/b.rs") {
		t.Errorf("edited file with files: %v", err)
	}
	in.Files = false
	if _, err := sbom.Collect(context.Background(), in); err != nil {
		t.Errorf("without files, b.rs is not read: %v", err)
	}
	write(t, f.root, "patches/lib", map[string]string{"0001-kernel-add-try_push.patch": patchText + "\n"})
	_, err = sbom.Collect(context.Background(), in)
	var pe *sbom.PatchError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "rvendor verify") {
		t.Errorf("edited patch: %v", err)
	}
	if err := os.Remove(filepath.Join(f.root, "patches/lib/0001-kernel-add-try_push.patch")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(f.root, "patches/lib/0001-kernel-add-try_push.patch")); err != nil {
		t.Fatal(err)
	}
	if _, err := sbom.Collect(context.Background(), in); !errors.As(err, &pe) {
		t.Errorf("a patch that is a symbolic link: %v", err)
	}
}

// TestSchemas validates the fixture's documents, every format and
// version, with and without files, against the official schemas; and
// shows the validator refuses a broken document.
func TestSchemas(t *testing.T) {
	f := newFixture(t)
	for _, files := range []bool{false, true} {
		s := f.source(t, files)
		sbomtest.Check(t, sbomtest.SPDX23, marshal(t, s, sbom.FormatSPDX, ""))
		sbomtest.Check(t, sbomtest.CycloneDX16, marshal(t, s, sbom.FormatCycloneDX, sbom.CycloneDX16))
		sbomtest.Check(t, sbomtest.CycloneDX15, marshal(t, s, sbom.FormatCycloneDX, sbom.CycloneDX15))
	}
	data := marshal(t, f.source(t, false), sbom.FormatCycloneDX, "")
	bad := bytes.Replace(data, []byte(`"scope": "required"`), []byte(`"scope": "sometimes"`), 1)
	if err := sbomtest.Validate(sbomtest.Compile(t, sbomtest.CycloneDX16), bad); err == nil {
		t.Errorf("the CycloneDX schema accepts a bad scope: the validator checks nothing")
	}
	spdxData := marshal(t, f.source(t, false), sbom.FormatSPDX, "")
	bad = bytes.Replace(spdxData, []byte(`"algorithm": "SHA256"`), []byte(`"algorithm": "SHA-256"`), 1)
	if err := sbomtest.Validate(sbomtest.Compile(t, sbomtest.SPDX23), bad); err == nil {
		t.Errorf("the SPDX schema accepts a bad checksum algorithm: the validator checks nothing")
	}
}

// TestSPDXRoundTrip: tools-golang reads the document back, finds every
// element a relationship names, and sees the tree as what it describes.
func TestSPDXRoundTrip(t *testing.T) {
	f := newFixture(t)
	for _, files := range []bool{false, true} {
		doc, err := spdxjson.Read(bytes.NewReader(marshal(t, f.source(t, files), sbom.FormatSPDX, "")))
		if err != nil {
			t.Fatal(err)
		}
		if err := spdxlib.ValidateDocument(doc); err != nil {
			t.Errorf("files %v: %v", files, err)
		}
		ids, err := spdxlib.GetDescribedPackageIDs(doc)
		if err != nil || len(ids) != 1 || "SPDXRef-"+string(ids[0]) != sbom.SPDXTreeID {
			t.Errorf("files %v: the document describes %v (%v)", files, ids, err)
		}
		if n := len(doc.Packages); n != 1+5+1 {
			t.Errorf("files %v: %d packages, want the tree, 5 and the patch", files, n)
		}
	}
}

// TestAdvisoryDBNamed: with Options.Advisories, both formats name the
// database's commit and dates (and nothing of the machine), and the
// SPDX document still validates as JSON.
func TestAdvisoryDBNamed(t *testing.T) {
	f := newFixture(t)
	src := f.source(t, false)
	db := &sbom.AdvisoryDB{Commit: "bf5c0d245a92671908518d7e765914d437954ed6", CommitDate: time.Date(2026, 8, 21, 9, 0, 0, 0, time.UTC), Newest: time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)}
	for _, format := range []string{sbom.FormatSPDX, sbom.FormatCycloneDX} {
		out, err := sbom.Marshal(src, sbom.Options{Format: format, Advisories: db})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"rvendor:advisory-db-commit", "bf5c0d245a92671908518d7e765914d437954ed6", "2026-08-21", "2026-08-20"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("%s: no %q", format, want)
			}
		}
		plain, _ := sbom.Marshal(src, sbom.Options{Format: format})
		if strings.Contains(string(plain), "advisory-db") {
			t.Errorf("%s: the database is named without Advisories", format)
		}
		schema := sbomtest.SPDX23
		if format == sbom.FormatCycloneDX {
			schema = sbomtest.CycloneDX16
		}
		sbomtest.Check(t, schema, out)
	}
}
