package fetch_test

import (
	"errors"
	"fmt"
	"math/rand"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/quick"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// refMatch is the exclude matcher before issue #10: the specification
// the compiled matcher must agree with, exponential in the number of
// "**" (it tries every split, for every parent folder).
func refMatch(p, name string) (bool, error) {
	if p == "" {
		return false, errors.New("empty pattern")
	}
	if strings.HasPrefix(p, "/") {
		return false, errors.New("starts with /")
	}
	p = strings.TrimSuffix(strings.TrimPrefix(p, "./"), "/")
	pat := strings.Split(p, "/")
	for _, e := range pat {
		if e == "" || e == "." || e == ".." {
			return false, errors.New("bad element")
		}
		if _, err := path.Match(e, ""); err != nil {
			return false, err
		}
	}
	elems := strings.Split(name, "/")
	if len(pat) == 1 {
		for _, e := range elems {
			if ok, _ := path.Match(pat[0], e); ok {
				return true, nil
			}
		}
		return false, nil
	}
	for k := 1; k <= len(elems); k++ {
		if refElems(pat, elems[:k]) {
			return true, nil
		}
	}
	return false, nil
}

func refElems(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if refElems(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// stepBound is the most work the matcher may do for pattern p and name:
// the product of their lengths (each segment compared at most once with
// each element, at a cost of (len(segment)+1)*(len(element)+1)).
func stepBound(p, name string) int { return (len(p) + 1) * (len(name) + 1) }

// checkGlob matches name against p with both matchers and fails t when
// they disagree or the compiled one worked more than stepBound.
func checkGlob(t *testing.T, p, name string) bool {
	t.Helper()
	got, steps, err := fetch.MatchExclude(p, name)
	want, refErr := refMatch(p, name)
	if (err != nil) != (refErr != nil) {
		t.Errorf("pattern %q: error %v, before %v", p, err, refErr)
		return false
	}
	if err != nil {
		return true
	}
	if got != want {
		t.Errorf("pattern %q, name %q: matched %v, before %v", p, name, got, want)
		return false
	}
	if b := stepBound(p, name); steps > b {
		t.Errorf("pattern %q, name %q: %d steps, over the bound %d", p, name, steps, b)
		return false
	}
	return true
}

func TestGlobTable(t *testing.T) {
	for _, tt := range []struct {
		pattern, name string
		want          bool
	}{
		{"*.orig", "r/src/lib.rs.orig", true},
		{"*.orig", "r/src/lib.rs", false},
		{"tests", "r/src/tests/a.rs", true},
		{"tests", "r/src/tests", true},
		{"tests", "r/src/testsuite/a.rs", false},
		{"r/tests", "r/tests/d.rs", true},
		{"r/tests/", "r/tests/d.rs", true},
		{"./r/tests", "r/tests/d.rs", true},
		{"r/tests", "r/src/tests/a.rs", false},
		{"r/*/tests", "r/src/tests/a.rs", true},
		{"r/*/tests", "r/src/x/tests/b.rs", false},
		{"r/**/tests", "r/tests/d.rs", true},
		{"r/**/tests", "r/src/x/tests/b.rs", true},
		{"**/*.md", "r/README.md", true},
		{"**/*.md", "r/src/x/y/c.md", true},
		{"**/*.md", "r/src/x/y/c.rs", false},
		{"r/src/**/*.md", "r/src/x/y/c.md", true},
		{"r/src/**/*.md", "r/README.md", false},
		{"r/**", "r", true},
		{"r/**", "r/a/b", true},
		{"r/**", "s/a", false},
		{"r/src/**", "r/src", true},
		{"r/src/x", "r/src/x/y/c.md", true},
		{"r/sr", "r/src/lib.rs", false},
		{"src/lib.rs", "r/src/lib.rs", false},
		{"R/Cargo.toml", "r/Cargo.toml", false},
		{"r/[bt]*", "r/tests/d.rs", true},
		{"r/[bt]*", "r/src/d.rs", false},
		{"r/[!s]*", "r/x/d.rs", false}, // path.Match negates with ^, not !
		{"r/[^s]*", "r/tests/d.rs", true},
		{"Cargo.?oml", "r/Cargo.toml", true},
		{`r/\*`, "r/*", true},
		{`r/\*`, "r/a", false},
		{"**", "anything/at/all", true},
		{"**/**", "r", true},
		{"**/**/**", "r/a/b", true},
		{"a/**/b/**/c", "a/b/c", true},
		{"a/**/b/**/c", "a/x/b/y/z/c/w", true},
		{"a/**/b/**/c", "a/x/c/y/b", false},
		{"a/**/a/a", "a/a/a/a/a/b", true},
		{"a/**/a/b", "a/a/a/a/a/b", true},
		{"a/**/a/b", "a/a/a/a/a/c", false},
		{"**/tests/**/*.snap", "r/a/tests/b/c/x.snap", true},
		{"**/tests/**/*.snap", "r/a/tests/x.snap", true},
		{"**/tests/**/*.snap", "r/a/tests/x.snap/y", true}, // a folder named *.snap
		{"**/tests/**/*.snap", "r/a/tests/x.snip", false},
		{"a**b/c", "axxb/c", true}, // "**" inside an element is "*"
		{"a**b/c", "ax/xb/c", false},
	} {
		got, _, err := fetch.MatchExclude(tt.pattern, tt.name)
		if err != nil || got != tt.want {
			t.Errorf("MatchExclude(%q, %q) = %v, %v; want %v", tt.pattern, tt.name, got, err, tt.want)
		}
		checkGlob(t, tt.pattern, tt.name)
	}
}

func TestGlobErrors(t *testing.T) {
	for _, p := range []string{"", "/r/tests", "r//tests", "r/./tests", "../x", "r/[a", strings.Repeat("a", fetch.MaxPatternLen+1)} {
		if _, _, err := fetch.MatchExclude(p, "r/a"); err == nil {
			t.Errorf("pattern %.50q: no error", p)
		}
	}
	if _, _, err := fetch.MatchExclude(strings.Repeat("a", fetch.MaxPatternLen), "r/a"); err != nil {
		t.Errorf("a pattern of MaxPatternLen bytes: %v", err)
	}
}

// TestGlobDeep is issue #10 item 6: paths 600 folders deep against
// patterns with several "**" took minutes (81 s for two "**", more never
// finished). Matching is now within the product of the lengths.
func TestGlobDeep(t *testing.T) {
	deep := "r/" + strings.Repeat("d/", 600)
	names := []string{
		deep + "x.rs",
		deep + "tests/x.snap",
		deep + "tests/" + strings.Repeat("e/", 100) + "x.snip",
		"r/tests/" + strings.Repeat("tests/", 600) + "x.snap",
		strings.Repeat("a/", 800) + "b",
	}
	patterns := []string{
		"**/tests/**/*.snap",
		"r/**/tests/**/*.snap",
		"**/d/**/d/**/d/**/d/**/d/**/d/**/nothing",
		"**/a/**/a/**/a/**/a/**/a/**/a/**/a/c",
		"**/*/**/?/**/[de]/**/tests/**/e/**/x.*",
		"r/" + strings.Repeat("*/", 300) + "**/x.rs",
		"*.snap",
	}
	for _, p := range patterns {
		for _, n := range names {
			_, steps, err := fetch.MatchExclude(p, n)
			if err != nil {
				t.Fatal(err)
			}
			if b := stepBound(p, n); steps > b {
				t.Errorf("pattern %q on a name of %d bytes: %d steps, over the bound %d", p, len(n), steps, b)
			}
		}
	}

	// The archive of the issue: 20 entries 600 folders deep.
	var ents []archivetest.Entry
	for i := range 20 {
		name := fmt.Sprintf("%sf%02d.rs", deep, i)
		if i%2 == 0 {
			name = fmt.Sprintf("%stests/f%02d.snap", deep, i)
		}
		ents = append(ents, archivetest.Entry{Name: name, Body: []byte("x")})
	}
	_, res, err := extract(t, build(t, fetch.FormatGzip, ents), fetch.FormatGzip,
		fetch.Selection{Exclude: []string{"**/tests/**/*.snap", "**/d/**/d/**/d/**/tests/**/*.snap"}}, fetch.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 10 || res.Skipped != 10 {
		t.Errorf("%d files written, %d skipped; want 10 and 10", len(res.Files), res.Skipped)
	}
}

// globCase is a random pattern and name over a few elements, so that
// matches are frequent.
type globCase struct{ Pattern, Name string }

func (globCase) Generate(r *rand.Rand, _ int) reflect.Value {
	pick := func(from []string, n int) string {
		el := make([]string, n)
		for i := range el {
			el[i] = from[r.Intn(len(from))]
		}
		return strings.Join(el, "/")
	}
	pat := []string{"a", "b", "ab", "*", "**", "**", "?", "a*", "*b", "[ab]", "[!a]*", `\a`}
	name := []string{"a", "b", "ab", "ba", "c", "aa"}
	return reflect.ValueOf(globCase{pick(pat, 1+r.Intn(6)), pick(name, 1+r.Intn(9))})
}

// TestGlobProperty checks that the compiled matcher agrees with the
// previous one, within the step bound, on random patterns and names.
func TestGlobProperty(t *testing.T) {
	cfg := &quick.Config{MaxCount: 20000, Rand: rand.New(rand.NewSource(106))}
	if err := quick.Check(func(c globCase) bool { return checkGlob(t, c.Pattern, c.Name) }, cfg); err != nil {
		t.Error(err)
	}
}

// FuzzGlob compares the compiled matcher with the previous one and checks
// the step bound. The seeds are exclude patterns of real specs and the
// tests, with archive paths.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{
		{"*.md", "demo-1.2.0/README.md"},
		{"*.orig", "demo-1.2.0/src/lib.rs.orig"},
		{"demo-1.2.0/src/tests/**", "demo-1.2.0/src/tests/a/b.rs"},
		{"demo-1.2.0/tests", "demo-1.2.0/tests/t.rs"},
		{"library/core/tests/**", "library/core/tests/num/mod.rs"},
		{"library/stdarch/crates/*/tests", "library/stdarch/crates/core_arch/tests/x.rs"},
		{"library/backtrace/**", "library/backtrace/src/lib.rs"},
		{"**/benches", "rustc-1.63.0-src/library/alloc/benches/vec.rs"},
		{"**/tests/**/*.snap", "r/a/tests/b/x.snap"},
		{"r/[bt]*", "r/benches/e.rs"},
		{"Cargo.?oml", "r/Cargo.toml"},
		{"**/*.rej", "r/src/lib.rs.rej"},
		{"**/.github/**", "r/.github/workflows/ci.yml"},
		{"a/**/b/**/c", "a/x/b/y/c/z"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, p, name string) {
		if len(p) > fetch.MaxPatternLen {
			if _, _, err := fetch.MatchExclude(p, name); err == nil {
				t.Errorf("a pattern of %d bytes is accepted", len(p))
			}
			return
		}
		// The previous matcher takes about depth^(number of "**" + 1)
		// times the lengths: keep the cases it answers quickly.
		work, depth := stepBound(p, name), strings.Count(name, "/")+2
		for range strings.Count("/"+p+"/", "/**/") + 1 {
			work = min(work*depth, 1<<40)
		}
		if work > 1<<26 {
			_, steps, err := fetch.MatchExclude(p, name)
			if err == nil && steps > stepBound(p, name) {
				t.Errorf("pattern %q, name %q: %d steps, over the bound %d", p, name, steps, stepBound(p, name))
			}
			return
		}
		checkGlob(t, p, name)
	})
}

func TestExtractExcludeLimits(t *testing.T) {
	data := build(t, fetch.FormatGzip, demo())
	many := make([]string, fetch.MaxExcludePatterns)
	for i := range many {
		many[i] = fmt.Sprintf("demo-1.2.0/x%d", i)
	}
	long := "demo-1.2.0/" + strings.Repeat("x", fetch.MaxPatternLen-len("demo-1.2.0/"))
	for _, sel := range [][]string{many, {long}} {
		if _, _, err := extract(t, data, fetch.FormatGzip, fetch.Selection{Exclude: sel}, fetch.Limits{}); err != nil {
			t.Errorf("exclude at the limit: %v", err)
		}
	}
	for _, sel := range [][]string{append(slices.Clone(many), "*.md"), {long + "x"}} {
		_, _, err := extract(t, data, fetch.FormatGzip, fetch.Selection{Exclude: sel}, fetch.Limits{})
		var se *fetch.SelectionError
		if !errors.As(err, &se) || se.Field != "exclude" || !strings.Contains(se.Msg, "over the limit") {
			t.Errorf("exclude over the limit: error %v, want a SelectionError about exclude", err)
		}
	}
}

// TestExcludeLimitsMatchSpec: the spec's validation refuses exclude lists
// over fetch's limits, at the key's line and column, and accepts them at
// the limits (vendor-spec cannot import fetch, so it repeats the numbers).
func TestExcludeLimitsMatchSpec(t *testing.T) {
	spec := func(exclude []string) string {
		var b strings.Builder
		b.WriteString("version = 1\n[[component]]\nname = \"demo\"\nkind = \"archive\"\nversion = \"1.2.0\"\n")
		b.WriteString("url = \"https://example.org/demo-1.2.0.tar.gz\"\nsha256 = \"" + strings.Repeat("ab", 32) + "\"\n")
		b.WriteString("paths = [\"demo-1.2.0/src\"]\ndest = \"third_party/demo\"\nexclude = [")
		for i, g := range exclude {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(`"` + g + `"`)
		}
		b.WriteString("]\n")
		return b.String()
	}
	many := make([]string, fetch.MaxExcludePatterns)
	for i := range many {
		many[i] = fmt.Sprintf("demo-1.2.0/x%d", i)
	}
	long := "demo-1.2.0/" + strings.Repeat("x", fetch.MaxPatternLen-len("demo-1.2.0/"))
	for _, ok := range [][]string{many, {long}} {
		if _, err := vendorspec.Parse("rvendor.toml", []byte(spec(ok))); err != nil {
			t.Errorf("exclude at the limits: %v", err)
		}
	}
	for _, tt := range []struct {
		exclude  []string
		pos, msg string
	}{
		{append(slices.Clone(many), "*.md"), "rvendor.toml:10:1", fmt.Sprintf("exclude has %d patterns, over the limit of %d", fetch.MaxExcludePatterns+1, fetch.MaxExcludePatterns)},
		{[]string{"*.md", long + "x"}, "rvendor.toml:10:20", fmt.Sprintf("is %d bytes long, over the limit of %d", fetch.MaxPatternLen+1, fetch.MaxPatternLen)},
	} {
		_, err := vendorspec.Parse("rvendor.toml", []byte(spec(tt.exclude)))
		var list vendorspec.ErrorList
		if !errors.As(err, &list) || len(list) != 1 || list[0].Pos.String() != tt.pos || !strings.Contains(list[0].Msg, tt.msg) || list[0].Hint == "" {
			t.Errorf("got %v; want one error at %s: %s", err, tt.pos, tt.msg)
		}
	}
}
