package vendorspec

import (
	"errors"
	"os"
	"path/filepath"
)

// Files is a spec with the lock and sum beside it: what verify reads on
// every build, and what every other command starts from.
type Files struct {
	Spec     *Spec
	Lock     *Lock // empty when there is no lock yet
	Sum      *Sum  // empty when there is no sum yet; nil from LoadFilesLater
	LockPath string
	SumPath  string
}

// LoadError is an error of LoadFiles that is not already an *Error (the
// spec missing, the lock or sum unreadable), with what to do about it.
// Like an *Error, it makes the spec, lock or sum unusable: exit status 2.
type LoadError struct {
	Err    error
	Remedy string
}

func (e *LoadError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *LoadError) Unwrap() error { return e.Err }

// Hint returns what to do.
func (e *LoadError) Hint() string { return e.Remedy }

// LoadFiles reads the spec at specPath, and the lock and sum beside it
// (empty when absent). Errors are *Error, ErrorList or *LoadError.
func LoadFiles(specPath string) (*Files, error) { return loadFiles(specPath, ReadSum) }

// LoadFilesLater is LoadFiles with the sum left to the function it
// returns, for a caller that reads it on a goroutine of its own (verify
// scans the tree meanwhile). Files.Sum is nil. That function maps
// rvendor.sum into memory (MapSum) instead of reading it: its Sum holds
// strings of the mapping, so the caller must be one that may die if
// another process truncates the sum while it runs. It returns the same
// Sum and errors as LoadFiles would.
func LoadFilesLater(specPath string) (*Files, func() (*Sum, error), error) {
	f, err := loadFiles(specPath, nil)
	if err != nil {
		return nil, nil, err
	}
	return f, func() (*Sum, error) { return loadSum(f.SumPath, MapSum) }, nil
}

func loadFiles(specPath string, readSum func(string) (*Sum, error)) (*Files, error) {
	spec, err := Load(specPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &LoadError{Err: err, Remedy: "run rvendor init to write a starter rvendor.toml"}
		}
		return nil, err
	}
	f := &Files{Spec: spec, LockPath: filepath.Join(spec.Dir, LockName), SumPath: filepath.Join(spec.Dir, SumName)}
	if f.Lock, err = ReadLock(f.LockPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, dataError(err, "rvendor.lock is written by rvendor: restore it from version control")
	}
	if readSum != nil {
		if f.Sum, err = loadSum(f.SumPath, readSum); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// loadSum reads the sum at path with readSum: empty when it is missing.
func loadSum(path string, readSum func(string) (*Sum, error)) (*Sum, error) {
	s, err := readSum(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, dataError(err, "rvendor.sum is written by rvendor: restore it from version control")
	}
	return s, nil
}

// dataError keeps an *Error (it has its own hint) and wraps anything
// else in a LoadError with hint.
func dataError(err error, hint string) error {
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	return &LoadError{Err: err, Remedy: hint}
}
