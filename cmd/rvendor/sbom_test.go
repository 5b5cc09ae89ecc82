package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rvendor/rvendor/policy/audit"
	"github.com/rvendor/rvendor/sbom/sbomtest"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// TestSBOMScript runs the sbom and notice scenarios in
// testdata/sbom/*.txtar (issue 12).
func TestSBOMScript(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/sbom"))
}

// sbomRun runs rvendor sbom in dir with args and an environment, writing
// to a file; it returns the file's bytes.
func sbomRun(t *testing.T, run func(args ...string) (int, string), dir, out string, args ...string) []byte {
	t.Helper()
	p := filepath.Join(dir, out)
	if code, msg := run(append([]string{"sbom", "-o", p}, args...)...); code != 0 {
		t.Fatalf("sbom %v: exit %d\n%s", args, code, msg)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestSBOMReal is issue 12's first demonstration: the SBOMs of the real
// vendored bindgen 0.60.1 closure and Rust 1.63's core and alloc, in
// every format and version, with and without --files, validate against
// the official schemas, name every vendored crate (and the library)
// with its checksum, and are byte-identical from one run to the next;
// SOURCE_DATE_EPOCH sets the time. The licenses they conclude, and the
// per-file tags, are the license audit's.
func TestSBOMReal(t *testing.T) {
	schemas := sbomtest.Dir(t)
	dir, run := licenseTree(t, "")
	lock, err := vendorspec.ReadLock(filepath.Join(dir, vendorspec.LockName))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for _, c := range []struct {
		name, schema string
		args         []string
	}{
		{"spdx", sbomtest.SPDX23, nil},
		{"spdx-files", sbomtest.SPDX23, []string{"--files"}},
		{"cdx16", sbomtest.CycloneDX16, []string{"--format", "cyclonedx-json"}},
		{"cdx16-files", sbomtest.CycloneDX16, []string{"--format", "cyclonedx-json", "--files"}},
		{"cdx15", sbomtest.CycloneDX15, []string{"--format", "cyclonedx-json", "--spec-version", "1.5"}},
		{"cdx15-files", sbomtest.CycloneDX15, []string{"--format", "cyclonedx-json", "--spec-version", "1.5", "--files"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := sbomRun(t, run, out, c.name+"-a.json", c.args...)
			b := sbomRun(t, run, out, c.name+"-b.json", c.args...)
			if !bytes.Equal(a, b) {
				t.Errorf("two runs differ")
			}
			if _, err := os.Stat(filepath.Join(schemas, c.schema)); err != nil {
				t.Fatal(err)
			}
			sbomtest.Check(t, c.schema, a)
			if strings.HasPrefix(c.name, "spdx") {
				checkSPDXReal(t, lock, a, len(c.args) > 0)
			} else {
				checkCDXReal(t, lock, a, len(c.args) > 2 && c.args[len(c.args)-1] == "--files")
			}
		})
	}
	t.Run("epoch", func(t *testing.T) {
		plain := sbomRun(t, run, out, "plain.json")
		code, js := runEnv(t, dir, map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}, "sbom")
		if code != 0 || !strings.Contains(js, `"created": "2023-11-14T22:13:20Z"`) || js == string(plain) {
			t.Errorf("SOURCE_DATE_EPOCH=1700000000: exit %d, created %v", code, strings.Contains(js, "2023-11-14T22:13:20Z"))
		}
	})
	t.Run("audit", func(t *testing.T) {
		checkAgainstAudit(t, run, sbomRun(t, run, out, "audit.json", "--format", "cyclonedx-json", "--files"))
	})
}

// runEnv runs rvendor -C dir with args and only the environment env,
// stdout and stderr apart; it returns the exit status and stdout.
func runEnv(t *testing.T, dir string, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out, errs bytes.Buffer
	code := run(append([]string{"-C", dir}, args...), strings.NewReader(""), &out, &errs, func(k string) string { return env[k] })
	if code != 0 {
		t.Logf("stderr: %s", errs.String())
	}
	return code, out.String()
}

// checkSPDXReal: every crate of the lock, and the Rust library, is a
// package with its version and checksum; the library has its download
// location and signer; bindgen DEPENDS_ON every other crate.
func checkSPDXReal(t *testing.T, lock *vendorspec.Lock, data []byte, files bool) {
	t.Helper()
	var d struct {
		Packages []struct {
			Name, SPDXID, VersionInfo, DownloadLocation, LicenseConcluded string
			Checksums                                                     []struct{ Algorithm, ChecksumValue string }
			Annotations                                                   []struct{ Comment string }
		}
		Files         []json.RawMessage
		Relationships []struct{ SpdxElementID, RelationshipType, RelatedSpdxElement string }
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	type key struct{ name, version, sum string }
	have := map[key]string{}
	for _, p := range d.Packages {
		for _, c := range p.Checksums {
			if c.Algorithm == "SHA256" {
				have[key{p.Name, p.VersionInfo, c.ChecksumValue}] = p.SPDXID
			}
		}
	}
	bindgen := lock.Component("bindgen")
	root := have[key{"bindgen", "0.60.1", crateSum(bindgen, "bindgen")}]
	deps := map[string]bool{}
	for _, r := range d.Relationships {
		if r.SpdxElementID == root && r.RelationshipType == "DEPENDS_ON" {
			deps[r.RelatedSpdxElement] = true
		}
	}
	if len(bindgen.Crates) < 40 {
		t.Fatalf("the lock has %d crates", len(bindgen.Crates))
	}
	for _, cr := range bindgen.Crates {
		id, ok := have[key{cr.Name, cr.Version, cr.Checksum}]
		if !ok {
			t.Errorf("crate %s %s (sha256 %s) is not in the SPDX document", cr.Name, cr.Version, cr.Checksum)
		}
		if cr.Name != "bindgen" && !deps[id] {
			t.Errorf("bindgen does not DEPENDS_ON %s", cr.Name)
		}
	}
	lib := lock.Component("rust-library")
	found := false
	for _, p := range d.Packages {
		if p.Name == "rust-library" {
			found = p.VersionInfo == "1.63.0" && p.DownloadLocation == lib.URL && len(p.Checksums) == 1 && p.Checksums[0].ChecksumValue == lib.SHA256 &&
				len(p.Annotations) == 1 && strings.HasPrefix(p.Annotations[0].Comment, "rvendor:signer="+lib.Signer) && p.LicenseConcluded == "MIT OR Apache-2.0"
		}
	}
	if !found {
		t.Errorf("the Rust library is not in the SPDX document with its URL, sha256, license and signer")
	}
	if n := len(d.Files); files && n != lib.Files+bindgen.Files-2 || !files && n != 0 {
		// Cargo.lock and cargo-config.toml at the top of bindgen's dest
		// belong to no crate.
		t.Errorf("%d files in the document, the lock has %d + %d", n, lib.Files, bindgen.Files)
	}
}

func crateSum(lc *vendorspec.LockedComponent, name string) string {
	for _, cr := range lc.Crates {
		if cr.Name == name {
			return cr.Checksum
		}
	}
	return ""
}

// cdxComponentReal is the part of a CycloneDX component the real test
// reads.
type cdxComponentReal struct {
	BOMRef     string `json:"bom-ref"`
	Name       string
	Version    string
	Hashes     []struct{ Alg, Content string }
	Licenses   []struct{ Expression string }
	Properties []struct{ Name, Value string }
	Components []cdxComponentReal
}

func (c *cdxComponentReal) prop(name string) string {
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func decodeCDXReal(t *testing.T, data []byte) []cdxComponentReal {
	t.Helper()
	var d struct{ Components []cdxComponentReal }
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	return d.Components
}

// checkCDXReal: every crate of the lock, and the Rust library, is a
// component with its version and SHA-256; with files, every file.
func checkCDXReal(t *testing.T, lock *vendorspec.Lock, data []byte, files bool) {
	t.Helper()
	have := map[string]bool{}
	n := 0
	for _, c := range decodeCDXReal(t, data) {
		for _, h := range c.Hashes {
			if h.Alg == "SHA-256" {
				have[c.Name+" "+c.Version+" "+h.Content] = true
			}
		}
		n += len(c.Components)
	}
	for _, cr := range lock.Component("bindgen").Crates {
		if !have[cr.Name+" "+cr.Version+" "+cr.Checksum] {
			t.Errorf("crate %s %s (sha256 %s) is not in the BOM", cr.Name, cr.Version, cr.Checksum)
		}
	}
	lib := lock.Component("rust-library")
	if !have["rust-library 1.63.0 "+lib.SHA256] {
		t.Errorf("the Rust library is not in the BOM with its sha256")
	}
	if want := lib.Files + lock.Component("bindgen").Files - 2; files && n != want || !files && n != 0 {
		t.Errorf("%d file components, want %d", n, want)
	}
}

// checkAgainstAudit: the BOM's concluded licenses and per-file tags are
// what rvendor licenses --files says, package by package: Load's short
// cut (no detection where the declaration is valid) agrees with the
// audit.
func checkAgainstAudit(t *testing.T, run func(args ...string) (int, string), data []byte) {
	t.Helper()
	code, js := run("--json", "licenses", "--files")
	if code != 0 {
		t.Fatalf("licenses: exit %d\n%s", code, js)
	}
	var rep audit.Report
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	comps := map[string]*cdxComponentReal{}
	cs := decodeCDXReal(t, data)
	for i := range cs {
		comps[cs[i].BOMRef] = &cs[i]
	}
	examined := 0
	for _, p := range rep.Packages {
		c := comps[p.ID]
		if c == nil {
			t.Errorf("%s is not in the BOM", p.ID)
			continue
		}
		if got := ""; len(c.Licenses) == 1 {
			got = c.Licenses[0].Expression
			if got != p.Concluded {
				t.Errorf("%s: the BOM concludes %q, the audit %q", p.ID, got, p.Concluded)
			}
		} else if p.Concluded != "" {
			t.Errorf("%s: the BOM concludes nothing, the audit %q", p.ID, p.Concluded)
		}
		tags := map[string]string{}
		for _, f := range c.Components {
			if v := f.prop("rvendor:spdx-tag"); v != "" {
				tags[f.Name] = v
			}
		}
		for _, f := range p.Tags.All {
			if tags[f.Path] != f.Tag {
				t.Errorf("%s: %s: the BOM's tag is %q, the audit's %q", p.ID, f.Path, tags[f.Path], f.Tag)
			}
		}
		for _, f := range p.Tags.Untagged {
			if tags[f] != "NONE" {
				t.Errorf("%s: %s: the BOM's tag is %q, the audit found none", p.ID, f, tags[f])
			}
		}
		examined += len(tags)
		if len(tags) != len(p.Tags.All)+len(p.Tags.Untagged) {
			t.Errorf("%s: the BOM examined %d files for tags, the audit %d", p.ID, len(tags), len(p.Tags.All)+len(p.Tags.Untagged))
		}
	}
	if examined < 1000 {
		t.Errorf("only %d files examined for tags: the comparison proves little", examined)
	}
}
