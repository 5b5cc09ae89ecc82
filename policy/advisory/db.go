package advisory

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// MaxAdvisoryFile is the largest advisory file Load reads (the largest in
// the real database is about 10 kB); a larger one is a LoadError.
const MaxAdvisoryFile = 1 << 20

// MaxMetaFile is the largest SNAPSHOT.txt or .git file (HEAD, a ref,
// packed-refs, a commit object) Load reads.
const MaxMetaFile = 4 << 20

// LoadError is an advisory file that could not be read or parsed. Load
// reports it and goes on with the other files.
type LoadError struct {
	File string // slash path relative to the database root
	Err  error
}

// Error returns "FILE: REASON".
func (e LoadError) Error() string { return e.File + ": " + e.Err.Error() }

// Unwrap returns the reason.
func (e LoadError) Unwrap() error { return e.Err }

// DB is an advisory database read by Load.
type DB struct {
	Root       string      // the folder given to Load
	Advisories []*Advisory // sorted by ID
	// Errors are the files that could not be read or parsed, sorted by
	// File; their advisories are not in Advisories.
	Errors []LoadError
	// Commit and CommitDate identify the database's version: read from
	// Root/.git when it is a git checkout, else from a SNAPSHOT.txt line
	// "commit <40 hex digits>, <YYYY-MM-DD>"; empty or zero when neither
	// says.
	Commit     string
	CommitDate time.Time
	Newest     time.Time // the latest Date of an advisory; zero when there is none
}

// ErrNotDatabase is wrapped by Load's error when root has neither a
// crates nor a rust folder.
var ErrNotDatabase = errors.New("not a RustSec advisory database (no crates/ or rust/ folder)")

// Load reads the advisory database at root: every
// {crates,rust}/<package>/<ID>.md file. It fails only when root is not a
// readable folder holding crates/ or rust/; a file that cannot be read or
// parsed is recorded in DB.Errors and skipped.
func Load(root string) (*DB, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("advisory database: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("advisory database: %s is not a folder", root)
	}
	db := &DB{Root: root}
	found := false
	for _, coll := range []string{CollectionCrates, CollectionRust} {
		ok, err := db.loadCollection(coll)
		if err != nil {
			return nil, fmt.Errorf("advisory database %s: %w", root, err)
		}
		found = found || ok
	}
	if !found {
		return nil, fmt.Errorf("advisory database %s: %w", root, ErrNotDatabase)
	}
	db.dedupe()
	sort.Slice(db.Errors, func(i, j int) bool { return db.Errors[i].File < db.Errors[j].File })
	for _, a := range db.Advisories {
		if a.Date.After(db.Newest) {
			db.Newest = a.Date
		}
	}
	db.Commit, db.CommitDate = gitHead(root)
	if db.Commit == "" {
		db.Commit, db.CommitDate = snapshotInfo(root)
	}
	return db, nil
}

func (db *DB) addError(file string, err error) {
	db.Errors = append(db.Errors, LoadError{File: file, Err: err})
}

// loadCollection reads root/coll/*/*.md; it reports false when root/coll
// does not exist.
func (db *DB) loadCollection(coll string) (bool, error) {
	dir := filepath.Join(db.Root, coll)
	st, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case !st.IsDir():
		db.addError(coll, errors.New("not a folder (a symlink or special file is not followed)"))
		return true, nil
	}
	pkgs, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	for _, p := range pkgs {
		rel := coll + "/" + p.Name()
		if !p.IsDir() {
			if p.Type()&fs.ModeSymlink != 0 || strings.HasSuffix(p.Name(), ".md") {
				db.addError(rel, errors.New("not a package folder (a symlink or file is not followed)"))
			}
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, p.Name()))
		if err != nil {
			db.addError(rel, err)
			continue
		}
		for _, f := range files {
			if strings.HasSuffix(f.Name(), ".md") {
				db.loadFile(coll, p.Name(), f.Name())
			}
		}
	}
	return true, nil
}

// loadFile reads and checks one advisory file, recording an error when
// it fails.
func (db *DB) loadFile(coll, pkg, name string) {
	rel := path.Join(coll, pkg, name)
	data, err := readRegular(filepath.Join(db.Root, coll, pkg, name), MaxAdvisoryFile)
	if err != nil {
		db.addError(rel, err)
		return
	}
	a, err := ParseAdvisory(data)
	if err != nil {
		db.addError(rel, err)
		return
	}
	switch {
	case a.Package != pkg:
		err = fmt.Errorf("package %q is not the folder's name %q", a.Package, pkg)
	case a.ID+".md" != name:
		err = fmt.Errorf("id %q does not match the file name", a.ID)
	}
	if err != nil {
		db.addError(rel, err)
		return
	}
	a.Collection, a.File = coll, rel
	db.Advisories = append(db.Advisories, a)
}

// dedupe sorts the advisories by ID and turns every advisory whose ID
// another file already used (the first in path order keeps it) into a
// LoadError.
func (db *DB) dedupe() {
	sort.SliceStable(db.Advisories, func(i, j int) bool {
		a, b := db.Advisories[i], db.Advisories[j]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.File < b.File
	})
	kept := db.Advisories[:0]
	for _, a := range db.Advisories {
		if n := len(kept); n > 0 && kept[n-1].ID == a.ID {
			db.addError(a.File, fmt.Errorf("id %s is already used by %s", a.ID, kept[n-1].File))
			continue
		}
		kept = append(kept, a)
	}
	clear(db.Advisories[len(kept):])
	db.Advisories = kept
}

// ErrTooLarge is wrapped when a file is larger than the limit for it.
var ErrTooLarge = errors.New("file too large")

// errNotRegular is wrapped when a path is a symlink, a folder or a
// special file.
var errNotRegular = errors.New("not a regular file (a symlink or special file is not followed)")

// readRegular reads the regular file p, refusing symlinks, special files
// (without blocking on a FIFO) and files larger than max bytes.
func readRegular(p string, max int64) ([]byte, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY, 0)
	if errors.Is(err, unix.ELOOP) {
		return nil, errNotRegular
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errNotRegular
	}
	lr := &io.LimitedReader{R: f, N: max + 1}
	data, err := io.ReadAll(lr)
	if err != nil {
		return nil, err
	}
	if lr.N <= 0 {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return data, nil
}

// snapshotInfo reads root/SNAPSHOT.txt for "commit <sha>, <YYYY-MM-DD>".
func snapshotInfo(root string) (string, time.Time) {
	data, err := readRegular(filepath.Join(root, "SNAPSHOT.txt"), MaxMetaFile)
	if err != nil {
		return "", time.Time{}
	}
	text := string(data)
	for {
		i := strings.Index(text, "commit ")
		if i < 0 {
			return "", time.Time{}
		}
		text = text[i+len("commit "):]
		if len(text) < 40 || !isHex(text[:40]) {
			continue
		}
		sha := text[:40]
		var date time.Time
		if rest, ok := strings.CutPrefix(text[40:], ", "); ok && len(rest) >= len(time.DateOnly) {
			date, _ = time.Parse(time.DateOnly, rest[:len(time.DateOnly)])
		}
		return sha, date
	}
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}
