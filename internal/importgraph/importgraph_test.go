package importgraph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// offline are the packages that must never reach the network.
var offline = []string{
	"github.com/rvendor/rvendor/verify",
	"github.com/rvendor/rvendor/tree",
	"github.com/rvendor/rvendor/policy",
	"github.com/rvendor/rvendor/policy/license",
	"github.com/rvendor/rvendor/policy/audit",
	"github.com/rvendor/rvendor/policy/advisory",
	"github.com/rvendor/rvendor/inventory",
}

// forbidden are the packages that open network connections.
var forbidden = []string{"net", "net/http"}

type pkg struct {
	ImportPath string
	Imports    []string
	Standard   bool
}

// TestOfflinePackagesDoNotImportNet lists the dependencies of the offline
// packages with go list -deps and fails, naming the import chain, when net
// or net/http is among them.
func TestOfflinePackagesDoNotImportNet(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	cmd := exec.Command(goBin, append([]string{"list", "-e", "-deps", "-json=ImportPath,Imports,Standard"}, offline...)...)
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	graph := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		graph[p.ImportPath] = p.Imports
	}
	for _, root := range offline {
		if _, ok := graph[root]; !ok {
			t.Errorf("go list did not list %s", root)
		}
		for _, bad := range forbidden {
			if chain := path(graph, root, bad); chain != nil {
				t.Errorf("%s depends on %s: %s\n(only fetch/ may touch the network; net/url and net/netip are fine)",
					root, bad, strings.Join(chain, " -> "))
			}
		}
	}
	if len(graph) < 10 {
		t.Errorf("only %d packages listed: go list output looks wrong", len(graph))
	}
}

// path returns the shortest import chain from root to target, or nil.
func path(graph map[string][]string, root, target string) []string {
	prev := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == target {
			var chain []string
			for ; p != ""; p = prev[p] {
				chain = append([]string{p}, chain...)
			}
			return chain
		}
		for _, q := range graph[p] {
			if _, seen := prev[q]; !seen {
				prev[q] = p
				queue = append(queue, q)
			}
		}
	}
	return nil
}

// TestPathFinder checks the chain search on a graph with a violation.
func TestPathFinder(t *testing.T) {
	g := map[string][]string{"a": {"b", "net/url"}, "b": {"c"}, "c": {"net/http"}, "net/http": {"net"}}
	if got := strings.Join(path(g, "a", "net"), " "); got != "a b c net/http net" {
		t.Errorf("chain: %q", got)
	}
	if path(g, "a", "os") != nil {
		t.Error("found a chain to a package not in the graph")
	}
}
