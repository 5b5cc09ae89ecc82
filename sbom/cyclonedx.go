package sbom

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// cdxSchema is the $schema URL of the version ver (CycloneDX15 or
// CycloneDX16).
func cdxSchema(ver string) string {
	return "http://cyclonedx.org/schema/bom-" + ver + ".schema.json"
}

// cdxDoc builds a CycloneDX BOM.
type cdxDoc struct {
	s    *Source
	v16  bool
	refs *idSet
}

// CycloneDX renders s as a CycloneDX JSON BOM, version 1.6 unless
// o.SpecVersion says 1.5.
func CycloneDX(s *Source, o Options) ([]byte, error) {
	ver := o.SpecVersion
	if ver == "" {
		ver = CycloneDX16
	}
	d := &cdxDoc{s: s, v16: ver == CycloneDX16, refs: newIDSet(anyChar)}
	bom := &cdx.BOM{JSONSchema: cdxSchema(ver), BOMFormat: cdx.BOMFormat, SpecVersion: cdx.SpecVersion1_6, Version: 1}
	if !d.v16 {
		bom.SpecVersion = cdx.SpecVersion1_5
	}
	treeRef := d.refs.make("tree:" + s.Name)
	bom.Metadata = &cdx.Metadata{
		Timestamp: stamp(o.Created),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: "rvendor", Version: toolVersion(o)}}},
		Component: &cdx.Component{Type: cdx.ComponentTypeApplication, BOMRef: treeRef, Name: s.Name,
			Description: "The tree rvendor.toml describes: it holds the vendored components below as plain source files."},
	}
	if a := o.Advisories; a != nil {
		var props []cdx.Property
		for _, kv := range a.properties() {
			props = append(props, cdx.Property{Name: kv[0], Value: kv[1]})
		}
		bom.Metadata.Properties = &props
	}
	comps := make([]cdx.Component, len(s.Packages))
	refs := make([]string, len(s.Packages))
	for i, p := range s.Packages {
		refs[i] = d.refs.make(p.ID())
	}
	for i, p := range s.Packages {
		comps[i] = d.component(p, refs[i])
	}
	bom.Components = &comps
	bom.Dependencies = d.dependencies(treeRef, refs)
	if o.Serial != "" {
		bom.SerialNumber = o.Serial
		return writeCDX(bom, true)
	}
	draft, err := writeCDX(bom, false)
	if err != nil {
		return nil, err
	}
	bom.SerialNumber = "urn:uuid:" + ContentUUID(draft)
	return writeCDX(bom, true)
}

// writeCDX renders bom: indented by two spaces, or compact (the form the
// serial number is derived from).
func writeCDX(bom *cdx.BOM, pretty bool) ([]byte, error) {
	var b bytes.Buffer
	if err := cdx.NewBOMEncoder(&b, cdx.BOMFileFormatJSON).SetPretty(pretty).SetEscapeHTML(false).Encode(bom); err != nil {
		return nil, fmt.Errorf("writing the CycloneDX BOM: %w", err)
	}
	return b.Bytes(), nil
}

// dependencies: the tree depends on each component's package (a crate
// component's root crate, or all its crates when it has none), and each
// root crate on its crates.
func (d *cdxDoc) dependencies(treeRef string, refs []string) *[]cdx.Dependency {
	dependent := map[int]bool{}
	for _, p := range d.s.Packages {
		for _, j := range p.DependsOn {
			dependent[j] = true
		}
	}
	var top []string
	for i := range d.s.Packages {
		if !dependent[i] {
			top = append(top, refs[i])
		}
	}
	deps := []cdx.Dependency{{Ref: treeRef, Dependencies: &top}}
	for i, p := range d.s.Packages {
		if len(p.DependsOn) == 0 {
			continue
		}
		on := make([]string, len(p.DependsOn))
		for k, j := range p.DependsOn {
			on[k] = refs[j]
		}
		deps = append(deps, cdx.Dependency{Ref: refs[i], Dependencies: &on})
	}
	return &deps
}

// component is p as a CycloneDX component.
func (d *cdxDoc) component(p *Package, ref string) cdx.Component {
	c := cdx.Component{Type: cdx.ComponentTypeLibrary, BOMRef: ref, Name: p.Name, Version: p.Version,
		PackageURL: p.PURL(), Scope: cdx.ScopeRequired}
	if p.Role == vendorspec.RoleHostTool {
		// Run on the build machine, not part of what is built.
		c.Scope = cdx.ScopeExcluded
	}
	if tree.IsSHA256Hex(p.SHA256) {
		c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: p.SHA256}}
	}
	if p.URL != "" {
		c.ExternalReferences = &[]cdx.ExternalReference{{Type: cdx.ERTypeDistribution, URL: p.URL}}
	}
	c.Licenses = d.licenses(p.License.Concluded, cdx.LicenseAcknowledgementConcluded)
	c.Copyright = strings.Join(p.Copyrights, "\n")
	props := packageProperties(p)
	c.Properties = &props
	if len(p.Patches) > 0 {
		c.Pedigree = pedigree(p)
	}
	if d.s.Files {
		files := make([]cdx.Component, 0, len(p.Files))
		for _, f := range p.Files {
			files = append(files, d.file(ref, f))
		}
		c.Components = &files
	}
	return c
}

// licenses is one expression, acknowledged (1.6) as ack.
func (d *cdxDoc) licenses(expr string, ack cdx.LicenseAcknowledgement) *cdx.Licenses {
	if expr == "" {
		return nil
	}
	lc := cdx.LicenseChoice{Expression: expr}
	if d.v16 {
		lc.Acknowledgement = &ack
	}
	return &cdx.Licenses{lc}
}

// file is one vendored file as a nested component of type file.
func (d *cdxDoc) file(pkgRef string, f File) cdx.Component {
	c := cdx.Component{Type: cdx.ComponentTypeFile, BOMRef: d.refs.make(pkgRef + ":" + f.Path), Name: f.Path,
		Hashes: &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: f.Hex()}}}
	if !f.Examined {
		return c
	}
	tag := f.Tag
	if tag == "" {
		tag = "NONE"
	} else if e := canonical(tag); e != "" {
		c.Licenses = d.licenses(e, cdx.LicenseAcknowledgementDeclared)
	}
	c.Properties = &[]cdx.Property{{Name: "rvendor:spdx-tag", Value: tag}}
	return c
}

// packageProperties are what the BOM says about p beyond CycloneDX's
// own fields, under the rvendor: namespace, in a fixed order.
func packageProperties(p *Package) []cdx.Property {
	var ps []cdx.Property
	add := func(name, value string) {
		if value != "" {
			ps = append(ps, cdx.Property{Name: "rvendor:" + name, Value: value})
		}
	}
	lc := p.Package.Locked
	add("component", p.Component)
	add("kind", p.Kind)
	add("role", p.Role)
	add("dir", p.Dir)
	if p.Stub {
		add("stub", "true")
	}
	if lc != nil && !p.Crate {
		add("signer", lc.Signer)
		add("manifest", lc.Manifest)
		add("manifest-sha256", lc.ManifestSHA256)
		add("paths", strings.Join(lc.Paths, ","))
		add("added", strings.Join(lc.Added, ","))
		add("upstream", lc.Upstream)
		add("tree", lc.Tree)
	}
	if lc != nil && p.Crate {
		for _, cr := range lc.Crates {
			if cr.Name == p.Name && cr.Version == p.Version {
				add("tree", cr.Tree)
			}
		}
	}
	add("license-declared", p.Declared)
	add("license-declared-in", p.DeclaredIn)
	add("license-declared-spdx", p.License.Declared)
	add("license-concluded-from", p.License.ConcludedFrom)
	for _, f := range p.License.Files {
		add("license-file", f)
	}
	return ps
}

// pedigree records p's patches: their text, the pristine upstream as
// ancestor, and the patch files' names in the notes.
func pedigree(p *Package) *cdx.Pedigree {
	anc := cdx.Component{Type: cdx.ComponentTypeLibrary, Name: p.Name, Version: p.Version, PackageURL: p.PURL(),
		Description: "The pristine upstream, before " + p.Component + "'s patch queue."}
	if tree.IsSHA256Hex(p.SHA256) {
		anc.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: p.SHA256}}
	}
	if lc := p.Package.Locked; lc != nil && !p.Crate {
		anc.Properties = &[]cdx.Property{{Name: "rvendor:upstream", Value: lc.Upstream}}
	}
	patches := make([]cdx.Patch, len(p.Patches))
	var notes []string
	for i, pt := range p.Patches {
		text := &cdx.AttachedText{ContentType: "text/x-diff", Content: string(pt.Data)}
		if !utf8.Valid(pt.Data) {
			text.Encoding, text.Content = "base64", base64.StdEncoding.EncodeToString(pt.Data)
		}
		patches[i] = cdx.Patch{Type: cdx.PatchTypeUnofficial, Diff: &cdx.Diff{Text: text}}
		note := fmt.Sprintf("%d. %s (sha256 %s)", i+1, pt.Path, pt.SHA256)
		if pt.Subject != "" {
			note += ": " + pt.Subject
		}
		notes = append(notes, note)
	}
	return &cdx.Pedigree{Ancestors: &[]cdx.Component{anc}, Patches: &patches,
		Notes: "Patched by rvendor from the queue in the tree, in this order:\n" + strings.Join(notes, "\n")}
}
