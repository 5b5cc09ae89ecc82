package fetch

import (
	"errors"
	"fmt"
)

// Kinds of refused entry, for errors.Is on an *EntryError.
var (
	// ErrUnsafeName: an entry's name is absolute, has a "..", "." or empty
	// element, a backslash, a control character or invalid UTF-8; or a
	// selected entry's name has a ".git" or ".rvendor" element (up to
	// case).
	ErrUnsafeName = errors.New("unsafe entry name")
	// ErrUnsupportedType: a selected entry is not a regular file or a
	// folder (a symlink, hardlink, device, fifo, ...).
	ErrUnsupportedType = errors.New("unsupported entry type")
	// ErrCollision: two selected entries have names equal up to case, or
	// a name is both a file and a folder.
	ErrCollision = errors.New("name collision")
	// ErrDuplicate: a selected name appears twice in the archive.
	ErrDuplicate = errors.New("duplicate entry")
	// ErrLimit: the archive exceeds one of the Limits.
	ErrLimit = errors.New("archive too large")
)

// EntryError refuses a whole archive because of one of its entries.
// Err is one of ErrUnsafeName, ErrUnsupportedType, ErrCollision,
// ErrDuplicate or ErrLimit.
type EntryError struct {
	Archive string // archive's name, e.g. "demo-1.2.0.tar.gz"
	Name    string // the entry's name as written in the archive
	Reason  string // what is wrong with it
	Err     error
}

// Error returns "refusing archive ARCHIVE: entry \"NAME\": REASON".
func (e *EntryError) Error() string {
	return fmt.Sprintf("refusing archive %s: entry %q: %s", e.Archive, e.Name, e.Reason)
}

// Unwrap returns the kind of refusal, for errors.Is.
func (e *EntryError) Unwrap() error { return e.Err }

// Hint says what to do about the refusal.
func (e *EntryError) Hint() string {
	if e.Err == ErrLimit {
		return "the archive exceeds rvendor's safety limits; select less of it with paths and exclude, or check that the url is the archive you meant"
	}
	if e.Err == ErrUnsupportedType {
		return "exclude the entry (exclude = [...]) or select paths that do not contain it"
	}
	return "the archive is malformed or hostile; check the url and sha256 in rvendor.toml, and report it upstream"
}

// Kinds of unreadable archive, for errors.Is on an *ArchiveError.
var (
	// ErrArchiveEmpty: the archive is 0 bytes long.
	ErrArchiveEmpty = errors.New("empty archive")
	// ErrArchiveFormat: the archive is not compressed as its format says
	// (a plain tar, another compression, something else), or what it
	// decompresses to is not a tar.
	ErrArchiveFormat = errors.New("archive not in its format")
	// ErrArchiveMemory: decompressing the archive needs more memory than
	// the decoder is allowed (an xz dictionary over 512 MiB, a zstd
	// window over 128 MiB).
	ErrArchiveMemory = errors.New("archive needs too much memory to decompress")
)

// ArchiveError is an archive Extract cannot read as its format, said in
// plain words: "demo.tar.gz is empty (0 bytes)", "demo.tar.gz is not
// gzip-compressed (it looks like a plain tar): gzip: invalid header",
// "demo.tar.xz needs more than 512 MiB to decompress: ...".
type ArchiveError struct {
	Archive string // the archive's name, e.g. "demo-1.2.0.tar.gz"
	Format  Format // the format it was read as
	Problem string // what is wrong with it, after its name
	Kind    error  // ErrArchiveEmpty, ErrArchiveFormat or ErrArchiveMemory
	Err     error  // what the decoder said, if anything
}

// Error returns "ARCHIVE PROBLEM: ERR", or "ARCHIVE PROBLEM".
func (e *ArchiveError) Error() string {
	if e.Err == nil {
		return e.Archive + " " + e.Problem
	}
	return e.Archive + " " + e.Problem + ": " + e.Err.Error()
}

// Unwrap returns the kind of problem and the decoder's error, for
// errors.Is and errors.As.
func (e *ArchiveError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Hint says what to do about the archive.
func (e *ArchiveError) Hint() string {
	switch e.Kind {
	case ErrArchiveEmpty:
		return "the sha256 pinned in rvendor.toml is that of an empty file: check the url and the sha256 against the upstream's published values"
	case ErrArchiveMemory:
		return "the archive was compressed with settings that need more memory than rvendor allows; use another of the upstream's archives (another compression, or default settings)"
	}
	return "the url's suffix says how the archive is compressed (.tar.gz, .tgz, .crate, .tar.xz, .txz, .tar.zst, .tzst): check that the url in rvendor.toml names the archive you meant"
}

// SelectionError is a Selection that does not fit the archive: a root or
// path that is not in it, a path outside the root, a malformed pattern.
type SelectionError struct {
	Archive string
	Field   string // "root", "paths" or "exclude"
	Value   string // the value as written, "" if not one value
	Msg     string // the full message after "Field: "
}

// Error returns "FIELD: MSG".
func (e *SelectionError) Error() string { return e.Field + ": " + e.Msg }

// Hint says what to do.
func (e *SelectionError) Hint() string {
	return "fix " + e.Field + " in rvendor.toml; list the archive with `tar tf` to see its folders"
}

// ErrChecksumMismatch is matched by errors.Is for every *ChecksumError.
var ErrChecksumMismatch = errors.New("checksum mismatch")

// securityText ends every checksum mismatch message. It is a constant
// so that it cannot be softened by the values around it.
const securityText = `SECURITY ERROR
This download does NOT match the sha256 pinned in rvendor.toml.
The download was not used; check the sha256 in rvendor.toml against the upstream's published value.`

// ChecksumError is a download whose sha256 is not the pinned one. It
// never leaves the download in the cache.
type ChecksumError struct {
	URL  string
	Want string // pinned sha256, hex
	Got  string // sha256 of what was downloaded, hex
	Size int64  // bytes downloaded
	// NoLength is set when the server announced no length and ended the
	// body by closing the connection: a body cut short that way cannot
	// be told from a complete one, so it shows as a mismatch too.
	NoLength bool
}

// Error names the URL and both digests, and ends with a constant text
// saying that this is a security error and what to do.
func (e *ChecksumError) Error() string {
	note := ""
	if e.NoLength {
		note = "\n\t(the server sent no length, so a download cut short by a closed connection looks the same)"
	}
	return fmt.Sprintf("verifying %s: checksum mismatch\n\tdownloaded:   sha256 %s (%d bytes)\n\trvendor.toml: sha256 %s%s\n\n%s",
		e.URL, e.Got, e.Size, e.Want, note, securityText)
}

// Is reports whether target is ErrChecksumMismatch.
func (e *ChecksumError) Is(target error) bool { return target == ErrChecksumMismatch }
