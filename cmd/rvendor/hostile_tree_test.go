package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/internal/hostiletree"
)

// TestHostileTree (issue #10, "Trust the tree no more than the network")
// runs the corpus of hostile kernel trees (internal/hostiletree) through
// the CLI in-process: each planted link, state folder, lock, sum, patch
// or file name is refused (or defused), and nothing is written outside
// the tree or into its .git folder.
func TestHostileTree(t *testing.T) {
	hostiletree.Run(t, func(args []string, env map[string]string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
		return code, out.String(), errb.String()
	})
}
