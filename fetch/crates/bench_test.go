package crates_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/crates"
	"github.com/rvendor/rvendor/internal/registry"
)

// BenchmarkVendorWarm vendors bindgen's closure (Debian's real crates,
// through the loopback registry) from a warm cache of .crate files, the
// work scripts/bench-crates.sh times inside `rvendor update`; with
// -memprofile and -cpuprofile it shows where Vendor's memory and time
// go (issue 14).
func BenchmarkVendorWarm(b *testing.B) {
	reg, srv := registry.Shared(b)
	o := crates.Options{Crate: reg.Root, Version: reg.Version, Lockfile: reg.Lock,
		Registry: &crates.Registry{URL: srv.Index("lib")},
		Cache:    &fetch.Cache{Dir: filepath.Join(b.TempDir(), "cache")}}
	work := b.TempDir()
	dst := filepath.Join(work, "vendor")
	if _, err := crates.Vendor(context.Background(), dst, o); err != nil { // warms the cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if err := os.RemoveAll(dst); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := crates.Vendor(context.Background(), dst, o); err != nil {
			b.Fatal(err)
		}
	}
}
