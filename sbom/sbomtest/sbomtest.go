// Package sbomtest validates SBOMs against the official JSON schemas in
// tests. The schemas are not in this repository: they are read from
// ../shared/data/schemas beside the module's root (see its SOURCES.txt),
// or from $RVENDOR_SCHEMAS. A test that cannot find them is skipped
// with a message, and fails when $CI is "true".
//
// The CycloneDX schemas refer to "spdx.schema.json" and
// "jsf-0.82.schema.json" by URL; the validator's loader maps those URLs
// to the local cyclonedx-spdx.schema.json and cyclonedx-jsf-0.82.schema.json,
// so nothing is fetched.
package sbomtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemasEnv overrides where the schemas are read from.
const SchemasEnv = "RVENDOR_SCHEMAS"

// Schema files, by what they validate.
const (
	SPDX23      = "spdx-2.3.schema.json"
	CycloneDX15 = "cyclonedx-bom-1.5.schema.json"
	CycloneDX16 = "cyclonedx-bom-1.6.schema.json"
)

// localRef maps a URL the CycloneDX schemas refer to onto its local
// file, "" for any other URL.
func localRef(url string) string {
	switch url {
	case "http://cyclonedx.org/schema/spdx.schema.json":
		return "cyclonedx-spdx.schema.json"
	case "http://cyclonedx.org/schema/jsf-0.82.schema.json":
		return "cyclonedx-jsf-0.82.schema.json"
	}
	return ""
}

// Dir returns the schemas folder, or skips t (fails it under CI=true)
// when it cannot be found.
func Dir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(SchemasEnv)
	if dir == "" {
		root, err := moduleRoot()
		if err == nil {
			dir = filepath.Join(root, "..", "shared", "data", "schemas")
		}
	}
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, SPDX23)); err == nil {
			return dir
		}
	}
	msg := fmt.Sprintf("the official SBOM schemas are not found (looked in %q; set %s to their folder)", dir, SchemasEnv)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// moduleRoot is the folder of the go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// loader serves the schemas from dir by their URLs: the file that a
// reference names, or a file:// URL.
type loader struct{ dir string }

func (l loader) Load(url string) (any, error) {
	if name := localRef(url); name != "" {
		return l.file(filepath.Join(l.dir, name))
	}
	if p, err := (jsonschema.FileLoader{}).ToFile(url); err == nil {
		return l.file(p)
	}
	return nil, fmt.Errorf("sbomtest: no local copy of %s (nothing is fetched)", url)
}

func (l loader) file(p string) (any, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(data))
}

// Compile compiles the schema file name from the schemas folder.
func Compile(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	dir := Dir(t)
	c := jsonschema.NewCompiler()
	c.UseLoader(loader{dir: dir})
	sch, err := c.Compile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("compiling %s: %v", name, err)
	}
	return sch
}

// Validate checks the JSON document data against the schema.
func Validate(sch *jsonschema.Schema, data []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(doc)
}

// Check validates data against the schema file name, failing t with
// the validator's findings.
func Check(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := Validate(Compile(t, name), data); err != nil {
		t.Errorf("the document does not validate against %s:\n%v", name, err)
	}
}

// Decode unmarshals data into a generic value, failing t on an error.
func Decode(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}
