package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// BenchmarkVerifyWarmCLI runs `rvendor verify` in-process on the tree
// scripts/bench-verify.sh prepared (RVENDOR_BENCH_TREE, with its
// RVENDOR_CACHE), to profile the whole warm path: spec, lock and sum
// parsing, the stat cache and the scan.
func BenchmarkVerifyWarmCLI(b *testing.B) {
	dir, cache := os.Getenv("RVENDOR_BENCH_TREE"), os.Getenv("RVENDOR_BENCH_CACHE")
	if dir == "" || cache == "" {
		b.Skip("set RVENDOR_BENCH_TREE and RVENDOR_BENCH_CACHE to a tree prepared by scripts/bench-verify.sh")
	}
	env := func(k string) string {
		if k == "RVENDOR_CACHE" {
			return cache
		}
		return ""
	}
	for i := 0; i < b.N; i++ {
		if code := run([]string{"-C", dir, "verify", "-q"}, strings.NewReader(""), io.Discard, io.Discard, env); code != 0 {
			b.Fatalf("verify: exit %d", code)
		}
	}
}
