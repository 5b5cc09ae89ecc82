// Command rvendor-verify is "rvendor verify" alone, for builds: the same
// command line, output and exit statuses, in a program that links only
// what verify uses. Kbuild starts it on every build; it starts in about
// half the time of the full rvendor, which also links the network, OpenPGP,
// archive and SBOM code (BENCHMARKS.md, "verify").
//
//	rvendor-verify [-C DIR] [--spec FILE] [--json] [-q] [--no-cache] [-j N] [COMPONENT...]
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/rvendor/rvendor/cmd/internal/cli"
)

func main() {
	// No allocation sampling: the profiler's first sample faults in its
	// bucket table, on every build.
	runtime.MemProfileRate = 0
	// Nearly all a verify allocates stays live to its end (the sum, the
	// scan's entries): a collection frees nothing and costs a mark of the
	// whole heap. At 400 the first one waits for a 16 MiB heap, which a
	// tree of 29k files (10 MiB) never reaches; a far larger tree is
	// still collected, at five times its live heap. A GOGC set by the
	// build host is left as it is.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
}

const usage = `Usage:
  rvendor-verify [COMPONENT...] [flags]

Flags:
  -C, --directory DIR   act as if started in DIR
      --spec FILE       use the spec FILE instead of finding rvendor.toml
      --json            print machine-readable JSON on stdout
  -q, --quiet           print only errors
      --no-cache        hash every file; neither read nor write the stat cache
  -j, --jobs N          hash with N workers (default: one per core)
  -h, --help            help for rvendor-verify
      --version         version for rvendor-verify
`

// run executes the command line args and returns the exit status.
func run(args []string, env cli.Env) int {
	o, what, err := parse(args)
	if err != nil {
		err = cli.Usage(err, "see 'rvendor-verify --help'")
		code := cli.Report(env.Stderr, err)
		if o.JSON {
			cli.ReportJSON(env.Stdout, err, code)
		}
		return code
	}
	switch what {
	case "help":
		fmt.Fprintf(env.Stdout, "%s\n\n%s", strings.TrimSpace(cli.VerifyLong), usage)
		return cli.ExitOK
	case "version":
		fmt.Fprintf(env.Stdout, "rvendor-verify version %s\n", version())
		return cli.ExitOK
	}
	// No signal handler: an interrupted check dies by its signal, as git
	// status and sha256sum do (make sees an interrupt, not a failure), and
	// verify writes nothing that a death could leave half done (the stat
	// cache is replaced by a rename). Handling SIGINT cost every run a
	// goroutine waiting for signals and its thread: 1.1 ms of 16.8.
	if err := cli.Verify(context.Background(), env, o); err != nil {
		code := cli.Report(env.Stderr, err)
		if o.JSON {
			cli.ReportJSON(env.Stdout, err, code)
		}
		return code
	}
	return cli.ExitOK
}

// parse reads the command line as rvendor's (pflag's) rules do: flags and
// arguments in any order, "--" ends the flags, a value in the next
// argument, after "=", or (for one-letter flags) joined: -Cdir, -j4.
// what is "help" or "version" when one of those was asked for.
func parse(args []string) (o cli.VerifyOptions, what string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			o.Components = append(o.Components, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			o.Components = append(o.Components, a)
			continue
		}
		name, value, hasValue := a, "", false
		if strings.HasPrefix(a, "--") {
			name, value, hasValue = strings.Cut(a[2:], "=")
		} else {
			name = a[1:2]
			if len(a) > 2 {
				value, hasValue = strings.TrimPrefix(a[2:], "="), true
			}
		}
		takes := map[string]bool{"C": true, "directory": true, "spec": true, "j": true, "jobs": true}[name]
		if takes && !hasValue {
			if i+1 == len(args) {
				return o, "", fmt.Errorf("flag needs an argument: %s", a)
			}
			i++
			value, hasValue = args[i], true
		}
		if !takes && hasValue && strings.HasPrefix(a, "--") {
			b, perr := strconv.ParseBool(value)
			if perr != nil {
				return o, "", fmt.Errorf("invalid argument %q for %q flag: %w", value, "--"+name, perr)
			}
			if !b {
				continue
			}
		} else if !takes && hasValue {
			return o, "", fmt.Errorf("flag %s: -%s takes no value (write one-letter flags apart: -q -j 4)", a, name)
		}
		switch name {
		case "C", "directory":
			o.Dir = value
		case "spec":
			o.SpecFile = value
		case "j", "jobs":
			if o.Jobs, err = strconv.Atoi(value); err != nil {
				return o, "", fmt.Errorf("invalid argument %q for %q flag: %w", value, a, err)
			}
		case "json":
			o.JSON = true
		case "q", "quiet":
			o.Quiet = true
		case "no-cache":
			o.NoCache = true
		case "h", "help":
			what = "help"
		case "version":
			what = "version"
		default:
			return o, "", fmt.Errorf("unknown flag: %s", a)
		}
	}
	return o, what, nil
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
