package patch

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	udiff "github.com/aymanbagabas/go-udiff"
)

// TestTextEdits checks that the line-anchored edits turn the old text into
// the new one exactly, on texts with many scattered changes (where
// udiff.Lines gives up), and that far-apart changes stay separate edits.
func TestTextEdits(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var old []string
	for i := 0; i < 3000; i++ {
		old = append(old, fmt.Sprintf("line %d %d\n", i, r.Intn(1000)))
	}
	for round := 0; round < 20; round++ {
		lines := append([]string(nil), old...)
		for k := 0; k < 300; k++ {
			i := r.Intn(len(lines))
			switch r.Intn(3) {
			case 0:
				lines[i] = fmt.Sprintf("changed %d\n", r.Int())
			case 1:
				lines = append(lines[:i], lines[i+1:]...)
			default:
				lines = append(lines[:i], append([]string{"inserted\n"}, lines[i:]...)...)
			}
		}
		oldText, newText := strings.Join(old, ""), strings.Join(lines, "")
		if round%2 == 1 {
			newText = strings.TrimSuffix(newText, "\n") // no final newline
		}
		edits := textEdits(oldText, newText)
		got, err := udiff.Apply(oldText, edits)
		if err != nil {
			t.Fatal(err)
		}
		if got != newText {
			t.Fatalf("round %d: applying the edits does not give the new text", round)
		}
		if len(edits) < 100 {
			t.Errorf("round %d: %d edits for ~300 scattered changes: far-apart changes were joined", round, len(edits))
		}
	}
}
