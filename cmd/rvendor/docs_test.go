package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra/doc"
)

// The reference is generated here, in the test binary, so that the
// markdown and man page generators (and their package init) stay out of
// the rvendor binary, which starts on every kernel build.
var updateDocs = flag.Bool("update-docs", false, "rewrite docs/cli from the commands")

// docsDir is the generated command reference.
var docsDir = filepath.Join("..", "..", "docs", "cli")

func genDocs(t *testing.T, dir string) {
	g := &globalOptions{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
	root := newRootCommand(g)
	root.DisableAutoGenTag = true
	if err := doc.GenMarkdownTree(root, dir); err != nil {
		t.Fatal(err)
	}
	if err := doc.GenManTree(root, &doc.GenManHeader{Title: "RVENDOR", Section: "1", Source: "rvendor"}, filepath.Join(dir, "man")); err != nil {
		t.Fatal(err)
	}
}

// TestDocsUpToDate keeps docs/cli (markdown, and man pages in docs/cli/man)
// true to the commands. Regenerate with:
//
//	go test ./cmd/rvendor -run TestDocsUpToDate -update-docs
func TestDocsUpToDate(t *testing.T) {
	if *updateDocs {
		os.RemoveAll(docsDir)
		if err := os.MkdirAll(filepath.Join(docsDir, "man"), 0o755); err != nil {
			t.Fatal(err)
		}
		genDocs(t, docsDir)
		return
	}
	tmp := t.TempDir()
	os.MkdirAll(filepath.Join(tmp, "man"), 0o755)
	genDocs(t, tmp)
	const hint = "run go test ./cmd/rvendor -run TestDocsUpToDate -update-docs"
	for _, pattern := range []string{"*.md", "man/*.1"} {
		want, _ := filepath.Glob(filepath.Join(tmp, pattern))
		have, _ := filepath.Glob(filepath.Join(docsDir, pattern))
		if len(want) != len(have) {
			t.Errorf("docs/cli has %d %s files, the commands give %d: %s", len(have), pattern, len(want), hint)
		}
		for _, w := range want {
			rel, _ := filepath.Rel(tmp, w)
			a, _ := os.ReadFile(w)
			b, err := os.ReadFile(filepath.Join(docsDir, rel))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("docs/cli/%s is out of date: %s", rel, hint)
			}
		}
	}
}
