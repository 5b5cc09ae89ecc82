package tree_test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/rvendor/rvendor/tree"
)

// TestH1AnyOrder: H1 is dirhash's Hash1 of the files whatever their
// order: sorted (it skips the sort), reversed and shuffled.
func TestH1AnyOrder(t *testing.T) {
	content := map[string]string{}
	var files []tree.File
	for i := range 200 {
		p := fmt.Sprintf("src/d%d/f%03d.rs", i%7, i)
		if i%5 == 0 {
			p = fmt.Sprintf("src/d%d.rs", i) // a file before its folder's files
		}
		content[p] = fmt.Sprint("file ", i)
		files = append(files, tree.File{Path: p, Size: int64(len(content[p])), SHA256: sha256.Sum256([]byte(content[p]))})
	}
	var names []string
	for p := range content {
		names = append(names, p)
	}
	want, err := dirhash.Hash1(names, func(p string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content[p])), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sorted := append([]tree.File(nil), files...)
	slices.SortFunc(sorted, func(a, b tree.File) int { return strings.Compare(a.Path, b.Path) })
	reversed := make([]tree.File, len(sorted))
	for i := range sorted {
		reversed[len(sorted)-1-i] = sorted[i]
	}
	shuffled := append([]tree.File(nil), files...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for name, fs := range map[string][]tree.File{"sorted": sorted, "reversed": reversed, "shuffled": shuffled} {
		if got, err := tree.H1(fs); err != nil || got != want {
			t.Errorf("%s: H1 = %s, %v; dirhash.Hash1 = %s", name, got, err, want)
		}
	}
	if _, err := tree.H1([]tree.File{{Path: "a\nb"}}); err == nil {
		t.Error("a path with a newline was hashed")
	}
}
