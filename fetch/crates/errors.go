package crates

import (
	"errors"
	"fmt"
)

// ErrYanked is wrapped by the error for a yanked version.
var ErrYanked = errors.New("yanked")

// ErrChecksum is wrapped by every checksum disagreement between the lock,
// the index and the downloaded .crate; fetch.ErrChecksumMismatch also
// matches a download that does not hash to the lock's checksum.
var ErrChecksum = errors.New("crate checksum mismatch")

// PackageError is a problem with one package of the closure. Its message
// names the package; Hint says what to do.
type PackageError struct {
	Name, Version string
	Err           error
	Advice        string
}

// Error returns "crate NAME VERSION: ERR".
func (e *PackageError) Error() string {
	return fmt.Sprintf("crate %s %s: %v", e.Name, e.Version, e.Err)
}

// Unwrap returns the cause.
func (e *PackageError) Unwrap() error { return e.Err }

// Hint says what to do about it.
func (e *PackageError) Hint() string { return e.Advice }

func pkgErr(name, version, hint string, err error) error {
	return &PackageError{Name: name, Version: version, Err: err, Advice: hint}
}
