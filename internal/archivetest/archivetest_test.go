package archivetest_test

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
)

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mkarchive":  archivetest.MkArchive,
			"sha256file": archivetest.Sha256File,
			"lsarchive":  lsArchive,
		},
	})
}

// lsArchive is "lsarchive FILE": one line per entry, "TYPE MODE NAME [LINK]"
// with Go-quoted names.
func lsArchive(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: lsarchive FILE")
	}
	name := ts.MkAbs(args[0])
	f, err := fetch.FormatOf(name)
	ts.Check(err)
	file, err := os.Open(name)
	ts.Check(err)
	defer file.Close()
	r, err := fetch.NewReader(context.Background(), file, f)
	ts.Check(err)
	defer r.Close()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return
		}
		ts.Check(err)
		line := fmt.Sprintf("%c %04o %q", hdr.Typeflag, hdr.Mode, hdr.Name)
		if hdr.Linkname != "" {
			line += fmt.Sprintf(" %q", hdr.Linkname)
		}
		if hdr.Typeflag == tar.TypeReg {
			line += fmt.Sprintf(" %d", hdr.Size)
		}
		fmt.Fprintln(ts.Stdout(), line)
	}
}

func TestBuildFormats(t *testing.T) {
	ents := []archivetest.Entry{{Name: "d/"}, {Name: "d/a", Body: []byte("a"), Mode: 0o755}}
	for _, f := range []fetch.Format{fetch.FormatGzip, fetch.FormatXZ, fetch.FormatZstd} {
		var b bytes.Buffer
		if err := archivetest.Build(&b, f, ents); err != nil {
			t.Fatal(err)
		}
		if got, err := fetch.SniffFormat(b.Bytes()); err != nil || got != f {
			t.Errorf("%v: sniffed %v, %v", f, got, err)
		}
		var again bytes.Buffer
		archivetest.Build(&again, f, ents)
		if !bytes.Equal(b.Bytes(), again.Bytes()) {
			t.Errorf("%v: Build is not reproducible", f)
		}
	}
}

func TestFromDir(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "src", "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "src", "lib.rs"), []byte("lib"), 0o644)
	os.WriteFile(filepath.Join(dir, "run.sh"), []byte("#!"), 0o755)
	os.Symlink("src/lib.rs", filepath.Join(dir, "link"))
	ents, err := archivetest.FromDir(dir, "demo-1.2.0/")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, fmt.Sprintf("%c %o %s %s", e.Type|'0'&^e.Type, e.Mode, e.Name, e.Linkname))
	}
	want := []string{
		"5 755 demo-1.2.0/ ",
		"2 777 demo-1.2.0/link src/lib.rs",
		"0 755 demo-1.2.0/run.sh ",
		"5 755 demo-1.2.0/src/ ",
		"0 644 demo-1.2.0/src/lib.rs ",
		"5 755 demo-1.2.0/src/sub/ ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("FromDir:\n%q\nwant\n%q", got, want)
	}
}

func TestParseSpecialErrors(t *testing.T) {
	for _, s := range []string{"symlink:a", "bogus:a", "nocolon", `raw:\q`} {
		if _, err := archivetest.ParseSpecial(s, ""); err == nil {
			t.Errorf("ParseSpecial(%q) succeeded", s)
		}
	}
}
