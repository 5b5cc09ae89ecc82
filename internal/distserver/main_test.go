package distserver_test

import (
	"os"
	"testing"

	"github.com/rvendor/rvendor/internal/distserver"
)

func TestMain(m *testing.M) {
	code := m.Run()
	distserver.Cleanup()
	os.Exit(code)
}
