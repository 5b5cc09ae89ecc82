//go:build !linux

package sandbox

import (
	"errors"
	"io"
	"runtime"
)

// InitName is argv[0] of the re-executed init; unused off Linux.
const InitName = "rvendor-sandbox-init"

// UserNS says when to create a user namespace along with the network one.
type UserNS int

// User namespace modes; see the Linux build.
const (
	UserNSAuto UserNS = iota
	UserNSAlways
)

// Command is what Run runs.
type Command struct {
	Path           string
	Args           []string
	Env            []string
	Dir            string
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	UserNS         UserNS
}

// UnavailableError reports that this system will not make the sandbox.
type UnavailableError struct {
	Op     string
	Err    error
	Reason string
}

func (e *UnavailableError) Error() string {
	return "cannot make a network namespace: " + e.Op + ": " + e.Err.Error() + " (" + e.Reason + ")"
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Info describes a sandbox that was made.
type Info struct {
	UserNS     bool
	Interfaces []string
}

func unavailable() error {
	return &UnavailableError{Op: "unshare", Err: errors.ErrUnsupported, Reason: "network namespaces exist only on Linux, not " + runtime.GOOS}
}

// Run always fails off Linux: the command is never run with network.
func Run(c Command) (int, *Info, error) { return 0, nil, unavailable() }

// Check always fails off Linux.
func Check(mode UserNS) (*Info, error) { return nil, unavailable() }

// MaybeInit does nothing off Linux.
func MaybeInit() {}
