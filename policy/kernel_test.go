package policy

import (
	"context"
	"testing"

	"github.com/rvendor/rvendor/internal/realdata"
)

func TestParseMinToolScript(t *testing.T) {
	script := []byte(`#!/bin/sh
case "$1" in
binutils)
	echo 2.25.0
	;;
llvm)
	if [ "$SRCARCH" = s390 ]; then
		echo 15.0.0
	else
		echo 13.0.1
	fi
	;;
rustc)
	echo 1.78.0 # comment 9.9.9
	;;
bindgen) echo 0.65.1 ;;
*)
	echo "$1: unknown tool" >&2
	exit 1
	;;
esac
`)
	got := parseMinToolScript(script)
	want := map[string]string{"binutils": "2.25.0", "llvm": "13.0.1", "rustc": "1.78.0", "bindgen": "0.65.1"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
}

// TestKernelMinVersionsReal reads the real Linux 6.12 tree's minimums.
func TestKernelMinVersionsReal(t *testing.T) {
	dir := realdata.Path(t, "linux-6.12")
	if !IsKernelTree(dir) {
		t.Fatalf("%s is not recognized as a kernel tree", dir)
	}
	got, err := KernelMinVersions(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"rustc": "1.78.0", "bindgen": "0.65.1", "llvm": "13.0.1"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if IsKernelTree(t.TempDir()) {
		t.Error("an empty folder is recognized as a kernel tree")
	}
}
