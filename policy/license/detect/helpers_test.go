package detect_test

import (
	"flag"
	"testing"

	"github.com/rvendor/rvendor/internal/golden"
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
	golden.Check(t, file, got, *update)
}
