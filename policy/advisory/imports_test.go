package advisory_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestImports checks the package's promise to stay offline and never run a
// program: neither it nor its dependencies import net, net/http or
// os/exec.
func TestImports(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/pelletier/go-toml/v2") {
		t.Fatalf("go list -deps did not list the package's dependencies: %q", deps)
	}
	for _, bad := range []string{"net", "net/http", "os/exec"} {
		if slices.Contains(deps, bad) {
			t.Errorf("policy/advisory depends on %s", bad)
		}
	}
}
