package verify_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoNetwork guards the offline invariant: neither verify nor anything
// it imports may link the network stack.
func TestNoNetwork(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found: cannot list dependencies")
	}
	for _, pkg := range []string{"github.com/rvendor/rvendor/verify", "github.com/rvendor/rvendor/tree"} {
		out, err := exec.Command(goBin, "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "net" || dep == "net/http" || strings.HasPrefix(dep, "net/http/") {
				t.Errorf("%s imports %s (directly or transitively); verify must stay offline", pkg, dep)
			}
		}
	}
}
