package vendorspec_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
	"github.com/rvendor/rvendor/internal/tomltest"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// FuzzSpecSelection checks that the spec's validation of an archive
// component's root, paths and exclude patterns accepts only what
// fetch.Extract accepts: a spec that validates must never be refused at
// update time for the form of its selection. The root, paths and
// patterns are written into a spec; when Parse accepts it, an archive
// holding a file under each path is extracted with the component's
// selection, and Extract must not return a *SelectionError (it may
// refuse an entry, as it refuses a .git element). The seeds are the
// selections of real specs (the tests', rvendor init's and a Linux
// vendoring of itoa), with the limits fetch sets on patterns.
func FuzzSpecSelection(f *testing.F) {
	f.Add("", "demo-1.2.0/src", "*.md\ndemo-1.2.0/src/tests/**")
	f.Add("itoa-1.0.1", "itoa-1.0.1/src\nitoa-1.0.1/Cargo.toml", "**/*.orig")
	f.Add("", "demo/src", "./docs/\ntests/\n**/*.orig")
	f.Add("", "", "demo/"+strings.Repeat("x", fetch.MaxPatternLen))
	f.Add("", "", strings.Repeat("*.md\n", fetch.MaxExcludePatterns)+"*.rej")
	f.Fuzz(func(t *testing.T, root, paths, exclude string) {
		split := func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, "\n")
		}
		c := &vendorspec.Component{Root: root, Paths: split(paths), Exclude: split(exclude)}
		spec, ok := selectionSpec(c)
		if !ok {
			return
		}
		s, err := vendorspec.Parse(fuzzSpecFile, []byte(spec))
		if err != nil {
			return
		}
		c = s.Components[0]
		data, ok := selectionArchive(t, c)
		if !ok {
			return
		}
		dst := filepath.Join(t.TempDir(), "dst")
		sel := fetch.Selection{Root: c.Root, Paths: c.Paths, Exclude: c.Exclude, Archive: "demo.tar.gz"}
		_, err = fetch.Extract(context.Background(), bytes.NewReader(data), fetch.FormatGzip, dst, sel, fetch.Limits{})
		var se *fetch.SelectionError
		if errors.As(err, &se) {
			t.Errorf("the spec accepts root %q, paths %q, exclude %q, but Extract refuses them: %v", c.Root, c.Paths, c.Exclude, err)
		}
	})
}

// selectionSpec writes a spec whose one archive component has c's root,
// paths and exclude, or says they cannot be written in TOML.
func selectionSpec(c *vendorspec.Component) (string, bool) {
	var b strings.Builder
	b.WriteString("version = 1\n[[component]]\nname = \"demo\"\nkind = \"archive\"\nversion = \"1.2.0\"\n")
	b.WriteString("url = \"https://example.org/demo-1.2.0.tar.gz\"\nsha256 = \"" + strings.Repeat("0", 64) + "\"\ndest = \"third_party/demo\"\n")
	if c.Root != "" {
		q, ok := tomltest.String(c.Root)
		if !ok {
			return "", false
		}
		b.WriteString("root = " + q + "\n")
	}
	for key, l := range map[string][]string{"paths": c.Paths, "exclude": c.Exclude} {
		if l == nil {
			continue
		}
		q, ok := tomlList(l)
		if !ok {
			return "", false
		}
		b.WriteString(key + " = " + q + "\n")
	}
	return b.String(), true
}

// selectionArchive builds a .tar.gz holding a file below each of c's
// paths (or below its root, or a top folder, when it has none). It
// returns false when the paths name the same file twice.
func selectionArchive(t *testing.T, c *vendorspec.Component) ([]byte, bool) {
	const file = "zz-fuzz-file"
	dirs := slices.Clone(c.Paths)
	if len(dirs) == 0 {
		dirs = []string{c.Root}
		if c.Root == "" {
			dirs = []string{"demo"}
		}
	}
	var entries []archivetest.Entry
	seen := map[string]bool{}
	for _, d := range dirs {
		if strings.Contains(d, file) {
			return nil, false
		}
		name := d + "/" + file
		if !seen[name] {
			seen[name] = true
			entries = append(entries, archivetest.Entry{Name: name, Body: []byte("x\n")})
		}
	}
	var buf bytes.Buffer
	if err := archivetest.Build(&buf, fetch.FormatGzip, entries); err != nil {
		return nil, false // a name tar cannot hold
	}
	return buf.Bytes(), true
}
