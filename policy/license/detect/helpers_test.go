package detect_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/policy/license"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files from what the code gives now")

func mustParse(t *testing.T, s string) *license.Expr {
	t.Helper()
	e, err := license.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return e
}

// checkGolden compares got with the golden file, or rewrites it with
// -update.
func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			g, w := "", ""
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s:%d:\n got  %q\n want %q", file, i+1, g, w)
				break
			}
		}
		t.Errorf("%s differs from what the code gives now (go test -update rewrites it)", file)
	}
}
