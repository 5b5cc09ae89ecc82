package main

import (
	"reflect"
	"testing"

	"github.com/rvendor/rvendor/cmd/internal/cli"
)

// TestParse: rvendor-verify reads its command line as rvendor's flags
// (pflag) do: flags and arguments in any order, "--" ends the flags,
// values after "=", in the next argument, or joined to a one-letter flag.
func TestParse(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want cli.VerifyOptions
		what string
	}{
		{nil, cli.VerifyOptions{}, ""},
		{[]string{"-C", "k", "a", "b"}, cli.VerifyOptions{Dir: "k", Components: []string{"a", "b"}}, ""},
		{[]string{"a", "--directory=k", "-q", "b"}, cli.VerifyOptions{Dir: "k", Quiet: true, Components: []string{"a", "b"}}, ""},
		{[]string{"-Ck", "-j4", "--no-cache", "--json"}, cli.VerifyOptions{Dir: "k", Jobs: 4, NoCache: true, JSON: true}, ""},
		{[]string{"-C=k", "--jobs", "2", "--spec", "s.toml"}, cli.VerifyOptions{Dir: "k", Jobs: 2, SpecFile: "s.toml"}, ""},
		{[]string{"--quiet=false", "--json=true"}, cli.VerifyOptions{JSON: true}, ""},
		{[]string{"--", "-q", "--json"}, cli.VerifyOptions{Components: []string{"-q", "--json"}}, ""},
		{[]string{"-", "x"}, cli.VerifyOptions{Components: []string{"-", "x"}}, ""},
		{[]string{"-h"}, cli.VerifyOptions{}, "help"},
		{[]string{"a", "--help"}, cli.VerifyOptions{Components: []string{"a"}}, "help"},
		{[]string{"--version"}, cli.VerifyOptions{}, "version"},
	} {
		got, what, err := parse(tt.args)
		if err != nil || what != tt.what || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parse(%q) = %+v, %q, %v; want %+v, %q", tt.args, got, what, err, tt.want, tt.what)
		}
	}
	for _, bad := range [][]string{{"--nosuch"}, {"-x"}, {"-C"}, {"--spec"}, {"-j", "x"}, {"--jobs=x"}, {"-qj4"}, {"--json=maybe"}} {
		if _, _, err := parse(bad); err == nil {
			t.Errorf("parse(%q) accepted", bad)
		}
	}
}
