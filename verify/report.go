package verify

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ReportVersion is the version of the Report JSON format. Fields are only
// ever added; a field's meaning never changes within a version.
const ReportVersion = 1

// Status is the state of one component, or of the whole report.
type Status string

// Component statuses. A Report's own Status is StatusClean or StatusDrift.
const (
	StatusClean       Status = "clean"
	StatusDrift       Status = "drift"
	StatusStale       Status = "stale"
	StatusNotVendored Status = "not-vendored"
	StatusMissing     Status = "missing"
	StatusRemoved     Status = "removed"
)

// Report is the result of Verify. Its JSON form (encoding/json) is
// rvendor verify --json's output and is stable: snake_case keys, lists
// always present (empty, never null), components sorted by name, paths
// sorted.
type Report struct {
	// Version is ReportVersion.
	Version int `json:"version"`
	// Status is "clean" when every checked component is clean, else
	// "drift".
	Status Status `json:"status"`
	// Components holds one entry per checked component, sorted by name.
	Components []*ComponentReport `json:"components"`
	// Stats says how much work was done; its values vary run to run.
	Stats Stats `json:"stats"`
}

// ComponentReport is the state of one component.
type ComponentReport struct {
	// Name is the component's name in the spec or lock.
	Name string `json:"name"`
	// Dest is the folder checked, slash-separated and relative to the
	// spec's folder: the lock's dest, or the spec's when not vendored.
	Dest string `json:"dest"`
	// Status is one of the Status constants other than "drift" for a
	// report: clean, drift, stale, not-vendored, missing or removed.
	Status Status `json:"status"`
	// Hint says what to run, for every status but clean; may be empty.
	Hint string `json:"hint,omitempty"`
	// Stale lists how the spec differs from the lock, one
	// "key: spec says X, lock has Y" line per key (status stale).
	Stale []string `json:"stale"`
	// Patches lists the component's applied patch queue, in order.
	Patches []string `json:"patches"`
	// Patched lists files that differ from upstream by recorded patches
	// and are exactly as the patch queue makes them: not drift.
	Patched []PatchedFile `json:"patched"`
	// Stamped counts the files rvendor stamped with the spec's
	// spdx-header (rvendor.lock lists them); Generated lists the files
	// it wrote itself (README.md). Neither is drift.
	Stamped   int      `json:"stamped"`
	Generated []string `json:"generated,omitempty"`
	// Modified lists files whose content differs from the sum: undeclared
	// edits, neither upstream's nor made by a recorded patch.
	Modified []string `json:"modified"`
	// Added lists regular files on disk that the sum does not list.
	Added []string `json:"added"`
	// Deleted lists files the sum lists that are not on disk.
	Deleted []string `json:"deleted"`
	// Mode lists files whose normalized mode differs from the sum.
	Mode []ModeChange `json:"mode"`
	// Type lists entries of the wrong type: not a regular file where the
	// sum lists a file, or an irregular entry (symlink, FIFO…) where the
	// sum lists nothing. Path "." is the dest folder itself.
	Type []TypeChange `json:"type"`
	// CrateFiles says, for a crate component, which crate of its locked
	// closure holds each path of the lists above (patched, modified,
	// added, deleted, mode and type), sorted by path. Paths in no crate's
	// folder, and the paths of other kinds, are not listed.
	CrateFiles []CrateFile `json:"crate_files"`
}

// CrateFile places a path of a crate component in its crate: the
// [[component.package]] of rvendor.lock whose dir holds it.
type CrateFile struct {
	Path    string `json:"path"`    // as in the lists: relative to dest
	Crate   string `json:"crate"`   // the crate's name
	Version string `json:"version"` // its locked version
	Dir     string `json:"dir"`     // its folder below dest
	File    string `json:"file"`    // Path relative to Dir
}

// CrateOf returns the crate that holds path (a path of c's lists), or nil
// when it lies in no crate's folder.
func (c *ComponentReport) CrateOf(path string) *CrateFile {
	i, ok := slices.BinarySearchFunc(c.CrateFiles, path, func(f CrateFile, p string) int { return strings.Compare(f.Path, p) })
	if !ok {
		return nil
	}
	return &c.CrateFiles[i]
}

// PatchedFile is a file changed from upstream by recorded patches.
type PatchedFile struct {
	Path    string   `json:"path"`
	Patches []string `json:"patches"` // the patches touching it, in queue order
}

// ModeChange is a file whose mode is not the recorded one. Modes are
// four octal digits, "0644" or "0755".
type ModeChange struct {
	Path string `json:"path"`
	Want string `json:"want"` // recorded in rvendor.sum
	Got  string `json:"got"`  // found on disk, normalized
}

// TypeChange is an entry of the wrong type. Want is "file" (the sum
// lists a file here), "dir" (for the dest folder itself) or "none" (the
// sum lists nothing here); Got is "dir", "symlink", "fifo", "socket",
// "device", "char-device", "irregular" or "file".
type TypeChange struct {
	Path string `json:"path"`
	Want string `json:"want"`
	Got  string `json:"got"`
}

// Stats counts the work Verify did.
type Stats struct {
	// Files is the number of regular files found in the checked dests.
	Files int `json:"files"`
	// Hashed is how many of them were read and hashed; the others were
	// unchanged according to the stat cache.
	Hashed int `json:"hashed"`
	// CacheHits is Files - Hashed when a stat cache was used.
	CacheHits int `json:"cache_hits"`
	// CacheWritten tells whether the stat cache file was (re)written.
	CacheWritten bool `json:"cache_written"`
	// CacheError says why the stat cache could not be read or written;
	// such problems never fail Verify.
	CacheError string `json:"cache_error,omitempty"`
}

// ErrDrift is wrapped by Report.Err when the tree does not match.
var ErrDrift = errors.New("vendored tree does not match rvendor.lock")

// Clean reports whether every checked component is clean.
func (r *Report) Clean() bool {
	for _, c := range r.Components {
		if c.Status != StatusClean {
			return false
		}
	}
	return true
}

// ExitCode is rvendor verify's exit status for r: 0 when clean, 1 on any
// drift, stale, not-vendored, missing or removed component. (Bad input
// is an error from Verify, for which the CLI exits 2.)
func (r *Report) ExitCode() int {
	if r.Clean() {
		return 0
	}
	return 1
}

// Err returns nil when r is clean, else an error wrapping ErrDrift that
// names each component that is not clean and its status.
func (r *Report) Err() error {
	var bad []string
	for _, c := range r.Components {
		if c.Status != StatusClean {
			bad = append(bad, fmt.Sprintf("%s (%s)", c.Name, c.Status))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrDrift, strings.Join(bad, ", "))
}

// Drifted reports whether any file list of c is non-empty.
func (c *ComponentReport) Drifted() bool {
	return len(c.Modified)+len(c.Added)+len(c.Deleted)+len(c.Mode)+len(c.Type) > 0
}

// SumMismatchError reports that rvendor.sum and rvendor.lock disagree
// about a component: one of them was edited by hand or damaged. It wraps
// vendorspec.ErrSumMismatch.
type SumMismatchError struct {
	Component string
	Detail    string // what differs, e.g. the two tree hashes
}

func (e *SumMismatchError) Error() string {
	return fmt.Sprintf("security error: rvendor.sum does not match rvendor.lock for component %s: %s; "+
		"one of them was edited by hand or damaged: restore both from version control, or re-vendor with rvendor update --force",
		e.Component, e.Detail)
}

// Unwrap returns vendorspec.ErrSumMismatch.
func (e *SumMismatchError) Unwrap() error { return errSumMismatch }
