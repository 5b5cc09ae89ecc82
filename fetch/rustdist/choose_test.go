package rustdist_test

import (
	"testing"

	"github.com/rvendor/rvendor/fetch/rustdist"
)

// TestChoose: the format asked for wins when offered; else one already
// in the cache; else the .tar.gz, which decodes faster; a missing format
// is never an error.
func TestChoose(t *testing.T) {
	gz := rustdist.Archive{URL: "https://x/rust-src-1.63.0.tar.gz", SHA256: "g"}
	xz := rustdist.Archive{URL: "https://x/rust-src-1.63.0.tar.xz", SHA256: "x"}
	in := func(sums ...string) func(string) bool {
		return func(s string) bool {
			for _, x := range sums {
				if x == s {
					return true
				}
			}
			return false
		}
	}
	for _, tt := range []struct {
		name    string
		format  string
		cached  func(string) bool
		gz, xz  rustdist.Archive
		want    rustdist.Archive
		wantWhy string
	}{
		{"default", "", nil, gz, xz, gz, "decodes about 4x faster"},
		{"default, nothing cached", "", in(), gz, xz, gz, "decodes about 4x faster"},
		{"xz cached", "", in("x"), gz, xz, xz, "already in the download cache"},
		{"both cached", "", in("x", "g"), gz, xz, gz, "already in the download cache"},
		{"gz cached", "", in("g"), gz, xz, gz, "already in the download cache"},
		{"asked xz", "tar.xz", in("g"), gz, xz, xz, "asked for"},
		{"asked gz", "tar.gz", in("x"), gz, xz, gz, "asked for"},
		{"asked xz, only gz", "tar.xz", nil, gz, rustdist.Archive{}, gz, "the only archive offered"},
		{"asked gz, only xz", "tar.gz", nil, rustdist.Archive{}, xz, xz, "the only archive offered"},
	} {
		got, why := rustdist.Choose(tt.format, tt.cached, tt.gz, tt.xz)
		if got != tt.want || len(why) < len(tt.wantWhy) || why[:len(tt.wantWhy)] != tt.wantWhy {
			t.Errorf("%s: Choose = %s (%q), want %s (%q...)", tt.name, got.URL, why, tt.want.URL, tt.wantWhy)
		}
	}
}
