package policy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rvendor/rvendor/internal/lazyre"
)

// MaxLintFile is the largest file the network lint reads; a build file or
// script above it is reported as an error rather than skipped.
const MaxLintFile = 8 << 20

// NetworkFinding is a command in a build file or script that fetches from
// the network.
type NetworkFinding struct {
	File string // slash path relative to the scanned root
	Line int    // 1-based line of the tool's name
	Tool string // what was found: "curl", "git clone", "cargo build", ...
	Text string // the line, trimmed
	// Allow is the allowlist entry that covers the finding; "" when none.
	Allow string
}

func (f NetworkFinding) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", f.File, f.Line, f.Tool, f.Text)
}

// NetworkReport is the result of LintNetwork.
type NetworkReport struct {
	BuildFiles int // Makefiles, Kbuild files and *.mk scanned
	Scripts    int // scripts they invoke, scanned
	// ScriptPaths are the scripts scanned (slash paths, sorted).
	ScriptPaths []string
	// Findings are the network fetches no allowlist entry covers, sorted by
	// file and line.
	Findings []NetworkFinding
	// Allowed are the fetches an allowlist entry covers.
	Allowed []NetworkFinding
	// UnusedAllow are allowlist entries that covered nothing: stale
	// exceptions to remove.
	UnusedAllow []string
}

// ErrNetworkFetch is wrapped by NetworkReport.Err when a build file fetches
// from the network.
var ErrNetworkFetch = errors.New("build files fetch from the network")

// Err returns nil when every fetch found is allowed.
func (r *NetworkReport) Err() error {
	if len(r.Findings) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %d fetch(es), first at %s:%d", ErrNetworkFetch, len(r.Findings), r.Findings[0].File, r.Findings[0].Line)
}

// Allow is one allowlist entry for reviewed network fetches, as written in
// the spec ([policy] network-allow) or with --allow:
//   - "PATH:LINE" allows the finding at that line of that file;
//   - "PATH" allows every finding in that file, and "DIR/" every finding
//     below that folder; PATH may hold path.Match wildcards (* ? [...]);
//   - "re:REGEXP" allows the findings whose "PATH:LINE: TOOL: TEXT" matches.
//
// PATH is slash-separated and relative to the scanned root.
type Allow struct {
	Entry string
	glob  string
	line  int
	re    *regexp.Regexp
}

// ParseAllow parses an allowlist entry.
func ParseAllow(entry string) (Allow, error) {
	a := Allow{Entry: entry}
	if rx, ok := strings.CutPrefix(entry, "re:"); ok {
		re, err := regexp.Compile(rx)
		if err != nil {
			return Allow{}, fmt.Errorf("network allowlist entry %q: %w", entry, err)
		}
		a.re = re
		return a, nil
	}
	p := entry
	if i := strings.LastIndexByte(entry, ':'); i >= 0 {
		n, err := strconv.Atoi(entry[i+1:])
		if err != nil || n < 1 {
			return Allow{}, fmt.Errorf("network allowlist entry %q: want PATH, PATH:LINE or re:REGEXP", entry)
		}
		p, a.line = entry[:i], n
	}
	if p == "" || path.IsAbs(p) || strings.Contains(p, `\`) {
		return Allow{}, fmt.Errorf("network allowlist entry %q: the path must be slash-separated and relative to the tree", entry)
	}
	if _, err := path.Match(p, ""); err != nil {
		return Allow{}, fmt.Errorf("network allowlist entry %q: %w", entry, err)
	}
	a.glob = p
	return a, nil
}

// Covers reports whether the entry allows f.
func (a Allow) Covers(f NetworkFinding) bool {
	if a.re != nil {
		return a.re.MatchString(fmt.Sprintf("%s:%d: %s: %s", f.File, f.Line, f.Tool, f.Text))
	}
	if a.line != 0 && a.line != f.Line {
		return false
	}
	if strings.HasSuffix(a.glob, "/") {
		return strings.HasPrefix(f.File, a.glob)
	}
	ok, _ := path.Match(a.glob, f.File)
	return ok
}

// NetworkLintOptions configures LintNetwork.
type NetworkLintOptions struct {
	Allow []string // allowlist entries, see Allow
}

// IsBuildFile reports whether a file name is one the build runs: Makefile,
// makefile, GNUmakefile, Makefile.*, Kbuild, Kbuild.* or *.mk.
func IsBuildFile(name string) bool {
	switch {
	case name == "Makefile", name == "makefile", name == "GNUmakefile", name == "Kbuild":
		return true
	case strings.HasPrefix(name, "Makefile."), strings.HasPrefix(name, "Kbuild."):
		return true
	}
	return strings.HasSuffix(name, ".mk")
}

// LintNetwork scans the build files under root (see IsBuildFile) and the
// scripts they invoke, transitively, for commands that fetch from the
// network: curl, wget, git clone/fetch/pull/ls-remote/push/submodule
// update, cargo without --offline or --frozen (or --locked with
// CARGO_NET_OFFLINE or net.offline), rustup, pip install, go get/go mod
// download, npm/yarn/pnpm install and npx. Only commands count: a tool's
// name in a comment, or inside an echoed message, is not a finding.
// Version queries (curl --version) are not findings either.
func LintNetwork(root string, opts NetworkLintOptions) (*NetworkReport, error) {
	var allows []Allow
	for _, e := range opts.Allow {
		a, err := ParseAllow(e)
		if err != nil {
			return nil, err
		}
		allows = append(allows, a)
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	r := &NetworkReport{}
	var buildFiles []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".hg", ".svn":
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && IsBuildFile(d.Name()) {
			rel, _ := filepath.Rel(root, p)
			buildFiles = append(buildFiles, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scanning %s for build files: %w", root, err)
	}
	seen := map[string]bool{}
	for _, f := range buildFiles {
		seen[f] = true
	}
	queue := append([]string(nil), buildFiles...)
	var all []NetworkFinding
	for len(queue) > 0 {
		rel := queue[0]
		queue = queue[1:]
		isBuild := IsBuildFile(path.Base(rel))
		if isBuild {
			r.BuildFiles++
		} else {
			r.Scripts++
			r.ScriptPaths = append(r.ScriptPaths, rel)
		}
		data, err := readLimited(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		lines := logicalLines(data, isBuild)
		for _, ll := range lines {
			all = append(all, findFetches(rel, ll)...)
			for _, ref := range scriptRefs(ll.text) {
				s, ok := resolveScript(root, rel, ref)
				if ok && !seen[s] {
					seen[s] = true
					queue = append(queue, s)
				}
			}
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].File != all[j].File {
			return all[i].File < all[j].File
		}
		if all[i].Line != all[j].Line {
			return all[i].Line < all[j].Line
		}
		return all[i].Tool < all[j].Tool
	})
	sort.Strings(r.ScriptPaths)
	all = slices.CompactFunc(all, func(a, b NetworkFinding) bool { return a.File == b.File && a.Line == b.Line && a.Tool == b.Tool })
	used := make([]bool, len(allows))
	for _, f := range all {
		for i, a := range allows {
			if a.Covers(f) {
				used[i] = true
				if f.Allow == "" {
					f.Allow = a.Entry
				}
			}
		}
		if f.Allow != "" {
			r.Allowed = append(r.Allowed, f)
		} else {
			r.Findings = append(r.Findings, f)
		}
	}
	for i, a := range allows {
		if !used[i] {
			r.UnusedAllow = append(r.UnusedAllow, a.Entry)
		}
	}
	return r, nil
}

func readLimited(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("network lint: %w", err)
	}
	defer f.Close()
	lr := &io.LimitedReader{R: f, N: MaxLintFile + 1}
	data, err := io.ReadAll(lr)
	if err != nil {
		return nil, fmt.Errorf("network lint: reading %s: %w", p, err)
	}
	if lr.N <= 0 {
		return nil, fmt.Errorf("network lint: %s is larger than %d bytes", p, MaxLintFile)
	}
	return data, nil
}

// logicalLine is a command line with its continuation lines joined, the
// comments removed, and a map from offsets back to physical lines.
type logicalLine struct {
	text   string
	starts []int // offset in text where each physical line begins
	first  int   // physical line number of starts[0]
	raw    []string
}

func (l logicalLine) lineAt(off int) (int, string) {
	i := sort.SearchInts(l.starts, off+1) - 1
	if i < 0 {
		i = 0
	}
	return l.first + i, strings.TrimSpace(l.raw[i])
}

// logicalLines splits data into lines, strips comments and joins lines
// continued with a trailing backslash. In a make file a comment ends at
// the end of its (continued) line; a recipe line's comments are the
// shell's, which the same rule strips.
func logicalLines(data []byte, isMake bool) []logicalLine {
	var out []logicalLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxLintFile+1)
	n := 0
	var cur *logicalLine
	inComment := false
	for sc.Scan() {
		n++
		raw := sc.Text()
		cont := strings.HasSuffix(raw, `\`) && !strings.HasSuffix(raw, `\\`)
		text := raw
		if cont {
			text = raw[:len(raw)-1]
		}
		if inComment {
			text = ""
		} else if i := commentStart(text, isMake); i >= 0 {
			text = text[:i]
			// make continues a comment onto the next line; sh does not.
			inComment = cont && isMake
		}
		if cur == nil {
			cur = &logicalLine{first: n}
		}
		cur.starts = append(cur.starts, len(cur.text))
		cur.raw = append(cur.raw, raw)
		cur.text += text + " "
		if !cont {
			out = append(out, *cur)
			cur = nil
			inComment = false
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// commentStart returns the offset of the # that starts a comment, or -1.
// A # inside quotes, escaped, or inside a word ($#, ${#x}, a#b) does not
// start a comment, except in a make variable line, where any unescaped #
// outside a recipe does.
func commentStart(s string, isMake bool) int {
	recipe := strings.HasPrefix(s, "\t")
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\\' && quote == '"' {
				i++
			}
		case c == '\\':
			i++
		case c == '\'' || c == '"':
			if isMake && !recipe {
				continue // quotes mean nothing to make outside recipes
			}
			quote = c
		case c == '#':
			if isMake && !recipe {
				return i
			}
			if i == 0 || strings.IndexByte(" \t;&|(", s[i-1]) >= 0 {
				return i
			}
		}
	}
	return -1
}

var (
	// toolRE finds a tool's name as a word, possibly as a path
	// (/usr/bin/curl) or a make or shell variable ($(CARGO), ${CURL}).
	toolRE       = lazyre.New(`(\$\(|\$\{|\$)?((?:[A-Za-z0-9_.+/-]*/)?)\b(curl|wget|git|cargo|rustup|pip[0-9.]*|pipx|python[0-9.]*|go|npm|npx|yarn|pnpm|CURL|WGET|GIT|CARGO|RUSTUP|PIP|NPM)\b([)}]?)`)
	envAssignRE  = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*=\S*$`)
	makeAssignRE = lazyre.New(`^[ \t]*(?:(?:export|override)[ \t]+)?[A-Za-z_][A-Za-z0-9_.-]*[ \t]*(?:::|:|\?|\+|!)?=$`)
	// commandPrefixes are words after which the next word runs as a command.
	commandPrefixes = map[string]bool{"then": true, "do": true, "else": true, "elif": true, "if": true, "while": true,
		"until": true, "exec": true, "xargs": true, "sudo": true, "env": true, "command": true, "time": true,
		"nice": true, "eval": true, "nohup": true, "$(shell": true, "$(Q)": true, "$(quiet)": true, "!": true}
)

// findFetches reports the network fetches of one logical line.
func findFetches(file string, ll logicalLine) []NetworkFinding {
	var out []NetworkFinding
	text := ll.text
	for _, m := range toolRE().FindAllStringSubmatchIndex(text, -1) {
		start, end := m[0], m[1]
		pre, dir, close := "", text[m[4]:m[5]], text[m[8]:m[9]]
		if m[2] >= 0 {
			pre = text[m[2]:m[3]]
		}
		word := text[m[6]:m[7]]
		name := strings.ToLower(word)
		// $(CARGO), ${CURL} and $GIT are the tool; "$(curl" is a command
		// substitution running it.
		isVar := pre != "" && dir == "" && (pre == "$(" && close == ")" || pre == "${" && close == "}" || pre == "$" && close == "")
		if !isVar {
			start = m[4]
			if close != "" {
				end = m[7]
			}
			if word != name { // CURL and the like only as variables
				continue
			}
		}
		if end < len(text) && strings.IndexByte(" \t;|&)'\"`", text[end]) < 0 {
			continue
		}
		if start > 0 && strings.IndexByte("$-./", text[start-1]) >= 0 {
			continue
		}
		if !atCommand(text[:start], text[end:]) {
			continue
		}
		tool, ok := fetchTool(name, commandArgs(text[end:]), envBefore(text[:start]))
		if !ok {
			continue
		}
		line, raw := ll.lineAt(m[6])
		out = append(out, NetworkFinding{File: file, Line: line, Tool: tool, Text: raw})
	}
	return out
}

// atCommand reports whether a word between before and after stands where a
// command runs: at the start of a line or recipe, after a shell operator or
// a command prefix word, as a make or shell variable's value, or as a
// quoted element of an argument list (["curl", ...]).
func atCommand(before, after string) bool {
	b := strings.TrimRight(before, " \t")
	// A quoted word of its own in a list: ("curl", or ['git',
	if n := len(b); n > 0 && (b[n-1] == '"' || b[n-1] == '\'') && len(after) > 0 && after[0] == b[n-1] {
		bb := strings.TrimRight(b[:n-1], " \t")
		return bb != "" && strings.IndexByte("[,", bb[len(bb)-1]) >= 0
	}
	// The value of a make variable: CURL := curl -s.
	if makeAssignRE().MatchString(b) {
		return true
	}
	// Drop the environment assignments before a command: FOO=1 cargo build.
	for b != "" {
		i := strings.LastIndexAny(b, " \t")
		if !envAssignRE().MatchString(b[i+1:]) || strings.HasSuffix(b, "=") {
			break
		}
		b = strings.TrimRight(b[:max(i, 0)], " \t")
	}
	if b == "" {
		return true
	}
	for _, op := range []string{";", "&&", "||", "|", "&", "(", "`", "{", "$(", "@", "@-", "-", "+", "@+"} {
		if strings.HasSuffix(b, op) {
			if op == "-" || op == "+" || op == "@-" || op == "@+" || op == "@" {
				// make recipe prefixes, only at the start of a recipe.
				return strings.TrimLeft(b, " \t@-+") == ""
			}
			return true
		}
	}
	i := strings.LastIndexAny(b, " \t")
	return commandPrefixes[b[i+1:]]
}

// envBefore returns the environment assignments written right before a
// command (CARGO_NET_OFFLINE=true cargo build).
func envBefore(before string) []string {
	var env []string
	f := strings.Fields(before)
	for i := len(f) - 1; i >= 0 && envAssignRE().MatchString(f[i]); i-- {
		env = append(env, f[i])
	}
	return env
}

// commandArgs returns the words of the command after the tool's name, up
// to the end of the simple command.
func commandArgs(after string) []string {
	end := len(after)
	for _, op := range []string{";", "&&", "||", "|", "`", ")"} {
		if i := strings.Index(after, op); i >= 0 && i < end {
			end = i
		}
	}
	var args []string
	for _, w := range strings.Fields(after[:end]) {
		args = append(args, strings.Trim(w, `"'`))
	}
	return args
}

// fetchTool decides whether running name with args fetches from the
// network, and names the finding.
func fetchTool(name string, args, env []string) (string, bool) {
	versionOnly := len(args) > 0 && (args[0] == "--version" || args[0] == "-V" || args[0] == "--help" || args[0] == "-h")
	switch {
	case name == "curl" || name == "wget":
		return name, !versionOnly
	case name == "git":
		sub := firstNonFlag(args, map[string]bool{"-C": true, "-c": true, "--git-dir": true, "--work-tree": true, "--namespace": true})
		switch sub {
		case "clone", "fetch", "pull", "ls-remote", "push":
			return "git " + sub, true
		case "submodule":
			if rest := after(args, sub); len(rest) > 0 && (rest[0] == "update" || rest[0] == "sync" || rest[0] == "add") {
				return "git submodule " + rest[0], true
			}
		case "remote":
			if rest := after(args, sub); len(rest) > 0 && rest[0] == "update" {
				return "git remote update", true
			}
		}
		return "", false
	case name == "cargo":
		sub := firstNonFlag(args, map[string]bool{"--config": true, "-Z": true, "--color": true, "--manifest-path": true})
		if sub == "" || strings.HasPrefix(sub, "+") {
			sub = firstNonFlag(after(args, sub), map[string]bool{"--config": true, "-Z": true})
		}
		if sub == "" || versionOnly {
			return "", false
		}
		switch sub {
		case "version", "help", "clean", "fmt", "locate-project", "pkgid", "verify-project", "read-manifest":
			return "", false
		}
		if cargoOffline(args, env) {
			return "", false
		}
		return "cargo " + sub + " without --offline", true
	case name == "rustup":
		sub := firstNonFlag(args, nil)
		switch {
		case versionOnly, sub == "show", sub == "which", sub == "help", sub == "completions", sub == "":
			return "", false
		}
		return "rustup " + sub, true
	case strings.HasPrefix(name, "pip"):
		sub := firstNonFlag(args, nil)
		if (sub == "install" || sub == "download") && !contains(args, "--no-index") {
			return name + " " + sub, true
		}
		return "", false
	case strings.HasPrefix(name, "python"):
		// python -m pip install
		for i := 0; i+2 < len(args); i++ {
			if args[i] == "-m" && strings.HasPrefix(args[i+1], "pip") && (args[i+2] == "install" || args[i+2] == "download") && !contains(args, "--no-index") {
				return "pip " + args[i+2], true
			}
		}
		return "", false
	case name == "go":
		sub := firstNonFlag(args, nil)
		switch {
		case sub == "get":
			return "go get", true
		case sub == "mod" && contains(args, "download"):
			return "go mod download", true
		case sub == "install":
			for _, a := range after(args, sub) {
				if strings.Contains(a, "@") {
					return "go install " + a, true
				}
			}
		}
		return "", false
	case name == "npm" || name == "yarn" || name == "pnpm":
		sub := firstNonFlag(args, nil)
		switch sub {
		case "install", "i", "ci", "add", "update", "upgrade":
			return name + " " + sub, true
		case "":
			if name == "yarn" && !versionOnly {
				return "yarn install", true
			}
		}
		return "", false
	case name == "npx":
		return "npx", !versionOnly
	}
	return "", false
}

// cargoOffline reports whether a cargo command line cannot touch the
// network: --offline or --frozen, or --locked with offline configuration
// (--config net.offline=true, or CARGO_NET_OFFLINE=true before it). With
// neither --locked nor an offline flag, CARGO_NET_OFFLINE alone also
// suffices.
func cargoOffline(args, env []string) bool {
	for _, a := range args {
		if a == "--offline" || a == "--frozen" {
			return true
		}
	}
	for i, a := range args {
		if (a == "--config" && i+1 < len(args) && strings.ReplaceAll(args[i+1], " ", "") == "net.offline=true") || a == "--config=net.offline=true" {
			return true
		}
	}
	for _, e := range env {
		if e == "CARGO_NET_OFFLINE=true" || e == "CARGO_NET_OFFLINE=1" {
			return true
		}
	}
	return false
}

// firstNonFlag returns the first argument that is not a flag, skipping
// the value of each flag in withValue.
func firstNonFlag(args []string, withValue map[string]bool) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if withValue[a] {
				i++
			}
			continue
		}
		return a
	}
	return ""
}

func after(args []string, word string) []string {
	for i, a := range args {
		if a == word {
			return args[i+1:]
		}
	}
	return nil
}

func contains(args []string, s string) bool {
	for _, a := range args {
		if a == s {
			return true
		}
	}
	return false
}

var scriptRefRE = lazyre.New(`(\$\((?:srctree|src|obj|objtree|srcroot)\)/|\$\{?srctree\}?/|\$\(dirname "?\$0"?\)/|\$\{?0%/\*\}?/)?([A-Za-z0-9_+][A-Za-z0-9_./+-]*[A-Za-z0-9_+])`)

// scriptRef is a path a build file or script may run.
type scriptRef struct {
	base string // "srctree", "here" (the referring file's folder) or ""
	path string
}

// scriptRefs returns the words of a line that may name a script: paths
// with a slash or a script extension.
func scriptRefs(text string) []scriptRef {
	var out []scriptRef
	for _, m := range scriptRefRE().FindAllStringSubmatch(text, -1) {
		prefix, p := m[1], m[2]
		if !strings.Contains(p, "/") && !hasScriptExt(p) {
			continue
		}
		r := scriptRef{path: p}
		switch {
		case strings.Contains(prefix, "srctree") || strings.Contains(prefix, "objtree") || strings.Contains(prefix, "srcroot"):
			r.base = "srctree"
		case prefix != "":
			r.base = "here"
		}
		out = append(out, r)
	}
	return out
}

func hasScriptExt(p string) bool {
	switch path.Ext(p) {
	case ".sh", ".bash", ".py", ".pl", ".awk":
		return true
	}
	return false
}

// resolveScript finds the file ref names, relative to root or to the
// folder of the referring file from, and keeps it when it is a regular
// text file inside root that is a script: it has a script extension or
// starts with #!.
func resolveScript(root, from string, ref scriptRef) (string, bool) {
	var cands []string
	here := path.Dir(from)
	switch ref.base {
	case "srctree":
		cands = []string{ref.path}
	case "here":
		cands = []string{path.Join(here, ref.path)}
	default:
		cands = []string{ref.path, path.Join(here, ref.path)}
	}
	for _, c := range cands {
		c = path.Clean(c)
		if c == "." || strings.HasPrefix(c, "../") || path.IsAbs(c) || IsBuildFile(path.Base(c)) {
			continue
		}
		full := filepath.Join(root, filepath.FromSlash(c))
		fi, err := os.Lstat(full)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if hasScriptExt(c) || hasShebang(full) {
			return c, true
		}
	}
	return "", false
}

func hasShebang(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [2]byte
	n, _ := io.ReadFull(f, b[:])
	return n == 2 && b[0] == '#' && b[1] == '!'
}
