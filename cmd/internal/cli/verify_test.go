package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/verify"
)

// TestVerifyErrorUpdateInProgress: a verify that raced an update's commit
// exits 2 saying so, with a hint, instead of a raw "no such file or
// directory" (issue #10). Verify's own tests simulate the race.
func TestVerifyErrorUpdateInProgress(t *testing.T) {
	vanished := &fs.PathError{Op: "open", Path: "/t/rust/vendor/library/core", Err: fs.ErrNotExist}
	for _, tt := range []struct {
		err  error
		hint string
	}{
		{&verify.UpdateInProgressError{Journal: true, Err: vanished}, "wait for the update to finish"},
		{&verify.UpdateInProgressError{Changed: []string{"rvendor.lock"}, Err: vanished}, "run rvendor verify again"},
		{fmt.Errorf("checking: %w", &verify.UpdateInProgressError{Changed: []string{"rvendor.lock", "rvendor.sum"}}), "run rvendor verify again"},
	} {
		var stderr bytes.Buffer
		if code := Report(&stderr, verifyError(tt.err)); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", tt.err, code, ExitUsage)
		}
		out := stderr.String()
		if !strings.Contains(out, "an rvendor update is in progress (or was interrupted)") || !strings.Contains(out, "rvendor: hint: ") || !strings.Contains(out, tt.hint) {
			t.Errorf("stderr:\n%s", out)
		}
	}
}
