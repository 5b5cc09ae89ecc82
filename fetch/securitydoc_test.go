package fetch_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rvendor/rvendor/bundle"
	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/crates"
	"github.com/rvendor/rvendor/fetch/internal/web"
	"github.com/rvendor/rvendor/fetch/rustdist"
	"github.com/rvendor/rvendor/policy"
	"github.com/rvendor/rvendor/tree"
	"github.com/rvendor/rvendor/tree/patch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
	"github.com/rvendor/rvendor/verify"
)

// TestSecurityDocLimits (issue #10): SECURITY.md's table of limits is
// the exported constants with their values. Each constant must have its
// row, "| `pkg.Name` | value |", with the value the code has, so that the
// document cannot drift from the code. (fetch/internal/web is internal:
// this test, in fetch, is where its constants can be named.)
func TestSecurityDocLimits(t *testing.T) {
	doc, err := os.ReadFile("../SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	size := func(n int64) string {
		for _, u := range []struct {
			shift int
			name  string
		}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
			if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
				return fmt.Sprintf("%d %s", n>>u.shift, u.name)
			}
		}
		return fmt.Sprintf("%d bytes", n)
	}
	dur := func(d time.Duration) string {
		switch {
		case d%time.Hour == 0:
			return fmt.Sprintf("%d h", d/time.Hour)
		case d%time.Minute == 0:
			return fmt.Sprintf("%d min", d/time.Minute)
		case d%time.Second == 0:
			return fmt.Sprintf("%d s", d/time.Second)
		}
		return fmt.Sprintf("%d ms", d/time.Millisecond)
	}
	count := func(n int) string { return fmt.Sprint(n) }
	limits := []struct{ name, value string }{
		{"fetch.MaxEntries", count(fetch.MaxEntries)},
		{"fetch.MaxFileSize", size(fetch.MaxFileSize)},
		{"fetch.MaxTotalSize", size(fetch.MaxTotalSize)},
		{"fetch.MaxTarSize", size(fetch.MaxTarSize)},
		{"fetch.MaxExcludePatterns", count(fetch.MaxExcludePatterns)},
		{"fetch.MaxPatternLen", fmt.Sprintf("%d bytes", fetch.MaxPatternLen)},
		{"fetch.MaxDownloadSize", size(fetch.MaxDownloadSize)},
		{"fetch.DefaultStallTimeout", dur(fetch.DefaultStallTimeout)},
		{"fetch.DefaultMinRate", size(fetch.DefaultMinRate) + "/s"},
		{"fetch.DefaultRateWindow", dur(fetch.DefaultRateWindow)},
		{"fetch.DefaultDeadlineBase", dur(fetch.DefaultDeadlineBase)},
		{"fetch.DefaultDeadlineRate", size(fetch.DefaultDeadlineRate) + "/s"},
		{"fetch.StaleTempAge", dur(fetch.StaleTempAge)},
		{"web.MaxRedirects", count(web.MaxRedirects)},
		{"web.DefaultAttempts", count(web.DefaultAttempts)},
		{"web.DefaultDelay", dur(web.DefaultDelay)},
		{"web.MaxDelay", dur(web.MaxDelay)},
		{"web.DefaultMaxWait", dur(web.DefaultMaxWait)},
		{"web.ConnectTimeout", dur(web.ConnectTimeout)},
		{"web.TLSHandshakeTimeout", dur(web.TLSHandshakeTimeout)},
		{"web.ResponseHeaderTimeout", dur(web.ResponseHeaderTimeout)},
		{"rustdist.MaxManifestSize", size(rustdist.MaxManifestSize)},
		{"rustdist.MaxSigSize", size(rustdist.MaxSigSize)},
		{"rustdist.MaxSumSize", size(rustdist.MaxSumSize)},
		{"rustdist.MaxRefRounds", count(rustdist.MaxRefRounds)},
		{"rustdist.DefaultRoot", rustdist.DefaultRoot},
		{"crates.MaxConfigSize", size(crates.MaxConfigSize)},
		{"crates.MaxIndexFile", size(crates.MaxIndexFile)},
		{"crates.DefaultJobs", count(crates.DefaultJobs)},
		{"crates.DefaultIndex", crates.DefaultIndex},
		{"bundle.MaxManifestSize", size(bundle.MaxManifestSize)},
		{"bundle.MaxMembers", count(bundle.MaxMembers)},
		{"bundle.MaxMemberSize", size(bundle.MaxMemberSize)},
		{"bundle.MaxTotalSize", size(bundle.MaxTotalSize)},
		{"bundle.MaxPathLen", fmt.Sprintf("%d bytes", bundle.MaxPathLen)},
		{"bundle.MaxDepth", count(bundle.MaxDepth)},
		{"verify.MaxStatCacheSize", size(verify.MaxStatCacheSize)},
		{"policy.MaxLintFile", size(policy.MaxLintFile)},
		{"vendorspec.MaxLockSize", size(vendorspec.MaxLockSize)},
		{"vendorspec.MaxSumSize", size(vendorspec.MaxSumSize)},
		{"patch.MaxPatchSize", size(patch.MaxPatchSize)},
		{"tree.DefaultSpec", tree.DefaultSpec},
	}
	for _, l := range limits {
		row := "| `" + l.name + "` | " + l.value + " |"
		if !strings.Contains(string(doc), row) {
			t.Errorf("SECURITY.md has no row %q", row)
		}
	}
	if !t.Failed() {
		t.Logf("limits: %d exported constants, each listed in SECURITY.md with its value", len(limits))
	}
}
