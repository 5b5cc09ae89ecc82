package hostiletree_test

import (
	"regexp"
	"testing"

	"github.com/rvendor/rvendor/internal/hostiletree"
)

// TestCasesWellFormed checks the table itself: unique names, a command
// for each case, a pattern naming the problem for each refusal, patterns
// that compile. (The cases run in cmd/rvendor's TestHostileTree.)
func TestCasesWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range hostiletree.Cases() {
		if c.Name == "" || seen[c.Name] {
			t.Errorf("case %q: empty or duplicate name", c.Name)
		}
		seen[c.Name] = true
		if c.Build == nil || len(c.Args) == 0 {
			t.Errorf("case %s: no tree or no command", c.Name)
		}
		if c.Outcome == hostiletree.Refused && c.Want == "" && c.KnownGap == "" {
			t.Errorf("case %s: a refusal must say what message names the problem (Want)", c.Name)
		}
		for _, re := range []string{c.Want, c.Forbid} {
			if _, err := regexp.Compile(re); err != nil {
				t.Errorf("case %s: %v", c.Name, err)
			}
		}
	}
	if len(seen) < 50 {
		t.Errorf("only %d cases", len(seen))
	}
}
