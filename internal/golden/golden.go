// Package golden is test support: compare a test's output with a golden
// file, or rewrite the file when the test runs with -update.
package golden

import (
	"os"
	"strings"
	"testing"
)

// Check compares got with the golden file, or rewrites the file when
// update is set (the test's -update flag). On a difference it names the
// first differing line.
func Check(t testing.TB, file, got string, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got == string(want) {
		return
	}
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
