package patch_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rvendor/rvendor/tree/patch"
)

// The seeds of these targets, in testdata/fuzz, are real patches with the
// files they apply to: a patch rvendor patch record wrote for Debian's
// itoa 1.0.1 (a file added, one changed), the patch of the patch_queue
// test script, rustc-perf's benchmark patches and a musl diff from Rust
// 1.96's sources, and for FuzzFormatApply the files before and after them.

func fzMode(exec bool) fs.FileMode {
	if exec {
		return 0o755
	}
	return 0o644
}

func fzText(b []byte) bool { return bytes.IndexByte(b, 0) < 0 && utf8.Valid(b) }

// FuzzFormatApply writes a patch for one changed file (kind 0: changed,
// 1: added, 2: deleted) with Format, parses it back with Parse and
// applies it to the old content with ApplyFile. It checks that no
// change gives ErrEmpty; that a changed file that is not text is refused
// with a *BinaryError and nothing else is; and otherwise that the patch parses,
// touches exactly that path with the diffstat Format returned, and
// applied to the old content gives exactly the new content and mode.
func FuzzFormatApply(f *testing.F) {
	f.Add([]byte("line 1\nline 2\n"), []byte("line 1\nline 1.5\nline 2\n"), false, false, uint8(0))
	f.Add([]byte("no newline"), []byte("no newline\n"), false, true, uint8(0))
	f.Add([]byte(""), []byte("#!/bin/sh\n"), false, true, uint8(1))
	f.Fuzz(func(t *testing.T, oldData, newData []byte, oldExec, newExec bool, kind uint8) {
		const path = "src/lib.rs"
		old := &patch.Content{Data: oldData, Mode: fzMode(oldExec)}
		nw := &patch.Content{Data: newData, Mode: fzMode(newExec)}
		switch kind % 3 {
		case 1:
			old = nil
		case 2:
			nw = nil
		}
		data, stats, err := patch.Format(patch.Header{Subject: "kernel: fuzz"}, []patch.Change{{Path: path, Old: old, New: nw}})
		var be *patch.BinaryError
		unchanged := old != nil && nw != nil && bytes.Equal(old.Data, nw.Data) && old.Mode == nw.Mode
		binary := old != nil && !fzText(old.Data) || nw != nil && !fzText(nw.Data)
		switch {
		case unchanged:
			if !errors.Is(err, patch.ErrEmpty) {
				t.Errorf("no change: got %v, want ErrEmpty", err)
			}
			return
		case errors.As(err, &be):
			if !binary || be.Path != path {
				t.Errorf("BinaryError %v for text", be)
			}
			return
		case binary:
			t.Fatalf("binary content: got %v, want a BinaryError", err)
		case err != nil:
			t.Fatalf("Format: %v", err)
		}
		p, err := patch.Parse("0001-kernel-fuzz.patch", data)
		if err != nil {
			t.Fatalf("the patch Format wrote does not parse: %v\n%s", err, data)
		}
		if !slices.Equal(p.Paths(), []string{path}) || !slices.Equal(p.Stats(), stats) {
			t.Errorf("patch touches %q with stats %+v, Format said %+v", p.Paths(), p.Stats(), stats)
		}
		got, err := patch.ApplyFile(p.Files[0], old)
		if err != nil {
			t.Fatalf("the patch Format wrote does not apply to the old content: %v\n%s", err, data)
		}
		switch {
		case nw == nil && got != nil:
			t.Errorf("a deletion applied gives content %q", got.Data)
		case nw != nil && (got == nil || !bytes.Equal(got.Data, nw.Data) || got.Mode != nw.Mode):
			t.Errorf("applied: %+v, want %+v\n%s", got, nw, data)
		}
	})
}

// FuzzParseApply parses arbitrary patch files and applies each file of
// one to old (to nothing for a file the patch adds). It checks that a
// refusal is a *PatchError naming the patch; that an accepted patch
// keeps its bytes and their sha256, and touches only clean relative
// paths inside dest, each once, as Paths and Stats list them; that an
// applied file has mode 0644 or 0755 and a deletion gives nothing; and
// that what an apply produced, written as a patch again by Format,
// applies to old to give the same content.
func FuzzParseApply(f *testing.F) {
	f.Add([]byte("diff --git a/src/main.rs b/src/main.rs\nindex e0b5e27..ac15fff 100644\n--- a/src/main.rs\n+++ b/src/main.rs\n@@ -1,3 +1,4 @@\n fn main() {\n     println!(\"Hello world!\");\n+    println!(\"testing\");\n }\n"),
		[]byte("fn main() {\n    println!(\"Hello world!\");\n}\n"), false)
	f.Fuzz(func(t *testing.T, data, old []byte, oldExec bool) {
		const name = "0001-fuzz.patch"
		p, err := patch.Parse(name, data)
		if err != nil {
			var pe *patch.PatchError
			if !errors.As(err, &pe) || pe.Patch != name {
				t.Errorf("Parse error %v (%T) does not name the patch", err, err)
			}
			return
		}
		sum := sha256.Sum256(data)
		if !bytes.Equal(p.Data, data) || p.SHA256 != hex.EncodeToString(sum[:]) || p.Name != name {
			t.Errorf("patch %s keeps other bytes or another sha256", p.Name)
		}
		paths := p.Paths()
		var statPaths []string
		for _, s := range p.Stats() {
			statPaths = append(statPaths, s.Path)
		}
		if len(paths) != len(p.Files) || !slices.Equal(paths, statPaths) {
			t.Errorf("Paths %q, Stats %q for %d files", paths, statPaths, len(p.Files))
		}
		for i, q := range paths {
			if !filepath.IsLocal(q) || strings.Contains(q, `\`) || i > 0 && paths[i-1] == q {
				t.Errorf("path %q accepted (not local, or twice)", q)
			}
		}
		for _, fl := range p.Files {
			var in *patch.Content
			if !fl.IsNew {
				in = &patch.Content{Data: old, Mode: fzMode(oldExec)}
			}
			out, err := patch.ApplyFile(fl, in)
			if err != nil {
				continue
			}
			if fl.IsDelete {
				if out != nil {
					t.Errorf("a deletion applied gives content")
				}
				continue
			}
			if out == nil || out.Mode != 0o644 && out.Mode != 0o755 {
				t.Fatalf("applied: %+v", out)
			}
			fzReapply(t, in, out)
		}
	})
}

// fzReapply checks that the change from in to out, written by Format,
// applies to in to give out.
func fzReapply(t *testing.T, in, out *patch.Content) {
	t.Helper()
	if in != nil && !fzText(in.Data) || !fzText(out.Data) {
		return
	}
	data, _, err := patch.Format(patch.Header{Subject: "again"}, []patch.Change{{Path: "f", Old: in, New: out}})
	if errors.Is(err, patch.ErrEmpty) {
		return
	}
	if err != nil {
		t.Fatalf("Format of an applied result: %v", err)
	}
	p, err := patch.Parse("again.patch", data)
	if err != nil {
		t.Fatalf("Parse of Format's patch: %v\n%s", err, data)
	}
	got, err := patch.ApplyFile(p.Files[0], in)
	if err != nil || got == nil || !bytes.Equal(got.Data, out.Data) || got.Mode != out.Mode {
		t.Errorf("the applied result, written as a patch again, applies as %+v, %v; want %+v\n%s", got, err, out, data)
	}
}
