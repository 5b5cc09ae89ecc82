package quote_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/internal/quote"
)

func TestPath(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"src/lib.rs", "src/lib.rs"},
		{"third_party/demo/a b.rs", "third_party/demo/a b.rs"},
		{"crates/ünïcödé/lib.rs", "crates/ünïcödé/lib.rs"},
		{"日本語.rs", "日本語.rs"},
		{`a"b\c`, `a"b\c`},
		{"MIT OR Apache-2.0", "MIT OR Apache-2.0"},
		// Issue #10 item 9: a name that forges a line of verify's report.
		{"evil.rs\ndemo: clean (everything fine)", `"evil.rs\ndemo: clean (everything fine)"`},
		{"a\rb", `"a\rb"`},
		{"a\tb", `"a\tb"`},
		{"a\x1b[31mred", `"a\x1b[31mred"`},
		{"nul\x00", `"nul\x00"`},
		{"del\x7f", `"del\x7f"`},
		{"\xff\xfe.rs", `"\xff\xfe.rs"`},
		{"c1\u0085", `"c1\u0085"`},
		{"txt.\u202ers", `"txt.\u202ers"`},
		{"nb\u00a0sp", `"nb\u00a0sp"`},
		{"zero\u200bwidth", `"zero\u200bwidth"`},
		{" lead", `" lead"`},
		{"trail ", `"trail "`},
		{" ", `" "`},
		{`"quoted"`, `"\"quoted\""`},
		{"", `""`},
	} {
		if got := quote.Path(tt.in); got != tt.want {
			t.Errorf("Path(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if got := quote.Needed(tt.in); got != (tt.in != tt.want) {
			t.Errorf("Needed(%q) = %v", tt.in, got)
		}
	}
}

// TestPathRoundTrip checks that a quoted name reads back as the name,
// and that no output holds a control character or a line break.
func TestPathRoundTrip(t *testing.T) {
	for _, s := range []string{"a\nb", "\xff", " x ", `"x`, "\u202e", "ok"} {
		out := quote.Path(s)
		if strings.ContainsAny(out, "\n\r\x00\x1b") {
			t.Errorf("Path(%q) = %q holds a control character", s, out)
		}
		if !quote.Needed(s) {
			continue
		}
		back, err := strconv.Unquote(out)
		if err != nil || back != s {
			t.Errorf("Unquote(Path(%q)) = %q, %v", s, back, err)
		}
	}
}

func FuzzPath(f *testing.F) {
	for _, s := range []string{"src/lib.rs", "evil.rs\ndemo: clean (everything fine)", " a", "\xff", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := quote.Path(s)
		for _, r := range out {
			if r < ' ' || r == 0x7f || !strconv.IsPrint(r) {
				t.Fatalf("Path(%q) = %q holds %U", s, out, r)
			}
		}
		if quote.Needed(s) {
			if back, err := strconv.Unquote(out); err != nil || back != s {
				t.Fatalf("Unquote(Path(%q)) = %q, %v", s, back, err)
			}
		} else if out != s {
			t.Fatalf("Path(%q) = %q, not the name", s, out)
		}
	})
}
