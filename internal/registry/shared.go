package registry

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rvendor/rvendor/internal/realdata"
)

// DebianSource is where .ci/realdata.d/60-crates-bindgen.sh unpacks
// Debian's crates, relative to realdata.Root().
const DebianSource = "crates-bindgen/usr/share/cargo/registry"

// BindgenRoot is the root crate of the shared registry.
const BindgenRoot = "bindgen-0.60.1"

// shared is the one registry built per test process (building it takes
// about a second and 30 MB): tests share it read-only, and its server,
// whose faults are chosen per URL.
var shared struct {
	once sync.Once
	dir  string
	reg  *Registry
	srv  *Server
	err  error
}

// Shared returns the registry of bindgen 0.60.1's closure built from
// Debian's real crates, and its loopback server, building both on first
// use. It skips t when the real crates are not installed, and fails it
// when the build fails. Call Cleanup from TestMain.
func Shared(t testing.TB) (*Registry, *Server) {
	t.Helper()
	src := realdata.Path(t, DebianSource)
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "rvendor-registry-")
		if shared.err != nil {
			return
		}
		shared.reg, shared.err = Build(filepath.Join(shared.dir, "reg"), Options{Source: src, Root: BindgenRoot})
		if shared.err == nil {
			shared.srv = Serve(shared.reg)
		}
	})
	if shared.err != nil {
		t.Fatalf("building the test registry: %v", shared.err)
	}
	return shared.reg, shared.srv
}

// Cleanup stops the shared server and removes the shared registry.
func Cleanup() {
	if shared.srv != nil {
		shared.srv.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
}
