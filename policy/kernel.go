package policy

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rvendor/rvendor/internal/lazyre"
)

// MinToolScript is the kernel script that prints the minimum version of a
// build tool: scripts/min-tool-version.sh rustc|bindgen|llvm.
const MinToolScript = "scripts/min-tool-version.sh"

// KernelTools are the tools whose minimum versions rvendor reads from a
// kernel tree.
var KernelTools = []string{"rustc", "bindgen", "llvm"}

// IsKernelTree reports whether dir looks like the top of a Linux source
// tree: it has a Kbuild file, a Makefile and scripts/min-tool-version.sh.
func IsKernelTree(dir string) bool {
	for _, f := range []string{"Kbuild", "Makefile", MinToolScript} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// KernelMinVersions returns the minimum versions of rustc, bindgen and llvm
// that the kernel tree at dir requires, as scripts/min-tool-version.sh
// prints them. It runs the script with sh (it is the kernel's own, and
// may depend on ARCH); where sh fails it falls back to reading the script's
// unconditional echo lines. Tools the script does not know are omitted.
func KernelMinVersions(ctx context.Context, dir string) (map[string]string, error) {
	script := filepath.Join(dir, MinToolScript)
	data, err := os.ReadFile(script)
	if err != nil {
		return nil, fmt.Errorf("reading the kernel's minimum tool versions: %w", err)
	}
	parsed := parseMinToolScript(data)
	out := map[string]string{}
	for _, tool := range KernelTools {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		cmd := exec.CommandContext(cctx, "sh", script, tool)
		cmd.Dir = dir
		b, err := cmd.Output()
		cancel()
		v := strings.TrimSpace(string(b))
		if err == nil && versionRE().MatchString(v) {
			out[tool] = v
		} else if v, ok := parsed[tool]; ok {
			out[tool] = v
		}
	}
	return out, nil
}

var (
	versionRE  = lazyre.New(`^[0-9]+(\.[0-9]+)*$`)
	caseLineRE = lazyre.New(`^\s*([a-z-]+)\)\s*(.*)$`)
	echoRE     = lazyre.New(`echo\s+([0-9]+(?:\.[0-9]+)*)`)
)

// parseMinToolScript reads the `tool) echo X.Y.Z` arms of the script's
// case statement; for an arm with conditionals it takes the last echo (the
// else branch, the general case).
func parseMinToolScript(data []byte) map[string]string {
	out := map[string]string{}
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if m := caseLineRE().FindStringSubmatch(line); m != nil {
			cur = m[1]
			line = m[2]
		}
		if cur == "" {
			continue
		}
		if m := echoRE().FindStringSubmatch(line); m != nil {
			out[cur] = m[1]
		}
		if strings.Contains(line, ";;") {
			cur = ""
		}
	}
	return out
}
