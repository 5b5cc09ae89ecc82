package tree

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// DefaultSpec is the spec file name that Open assumes.
const DefaultSpec = "rvendor.toml"

// ErrOtherSpec is wrapped by the error of OpenSpec and RollBackSpec when
// the state folder belongs to another spec in the same folder.
var ErrOtherSpec = errors.New("rvendor's state folder belongs to another spec")

// checkSpecName checks that spec is a spec file's base name.
func checkSpecName(spec string) error {
	if spec == "" || spec == "." || spec == ".." || strings.ContainsAny(spec, "/\x00\n") {
		return fmt.Errorf("spec file name %q: give the base name of the spec file, such as %q", spec, DefaultSpec)
	}
	return nil
}

// ownedBy checks that the state folder belongs to the spec file named
// spec, as recorded in StateDir/spec; when claim is set, a state folder
// that records no spec yet is claimed for it.
func (w *Workspace) ownedBy(spec string, claim bool) error {
	state := filepath.Join(w.Root, StateDir)
	data, err := readStateFile(state, specFile, 4096)
	if errors.Is(err, fs.ErrNotExist) {
		if !claim {
			return nil
		}
		f, err := os.OpenFile(filepath.Join(state, specFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o644)
		if err != nil {
			return fmt.Errorf("recording the spec of %s: %w", state, err)
		}
		_, err = f.WriteString(spec + "\n")
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("recording the spec of %s: %w", state, err)
		}
		syncDir(state)
		return nil
	}
	if err != nil {
		return err
	}
	owner := strings.TrimSuffix(string(data), "\n")
	if owner == spec {
		return nil
	}
	if checkSpecName(owner) != nil {
		return stateErr(state, specFile, "it does not hold a spec file name")
	}
	return fmt.Errorf("%w: %s is the state folder of %s, not of %s; two specs in one folder would share its lock, journal and staging: "+
		"keep each spec in a folder of its own, or, if %s is no longer used and none of its updates is interrupted, remove %s and run rvendor again",
		ErrOtherSpec, state, filepath.Join(w.Root, owner), spec, owner, state)
}

// maxJournal bounds the journal read back by Open and RollBack.
const maxJournal = 16 << 20

// stateErr is a part of the state folder that rvendor refuses to use.
func stateErr(state, name, problem string) error {
	rel, abs := StateDir, state
	if name != "" {
		rel, abs = path.Join(StateDir, name), filepath.Join(state, name)
	}
	return &PathError{Path: rel, Problem: problem + "; rvendor keeps its state only in a real folder of this tree, and never follows a link there " +
		"or deletes below one (a link that came with the tree could point anywhere)",
		Fix: fmt.Sprintf("remove it (rm %s) and run rvendor again", abs)}
}

// ensureStateDir makes the state folder, or checks that the one there is
// a real folder, not a symbolic link or a file.
func ensureStateDir(state string) error {
	fi, err := os.Lstat(state)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(state, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("creating rvendor's state folder: %w", err)
		}
		fi, err = os.Lstat(state)
	}
	if err != nil {
		return fmt.Errorf("rvendor's state folder: %w", err)
	}
	return checkStateMode(state, "", fi)
}

// checkStateFolder checks that state/name, if it exists, is a real folder.
func checkStateFolder(state, name string) error {
	fi, err := os.Lstat(filepath.Join(state, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return checkStateMode(state, name, fi)
}

func checkStateMode(state, name string, fi fs.FileInfo) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		to, _ := os.Readlink(filepath.Join(state, name))
		return stateErr(state, name, fmt.Sprintf("it is a symbolic link (to %s)", to))
	case !fi.IsDir():
		return stateErr(state, name, "it is not a folder")
	}
	return nil
}

// openStateFile opens the regular file state/name without following a
// link (and without blocking on a FIFO).
func openStateFile(state, name string, flag int, perm fs.FileMode) (*os.File, error) {
	p := filepath.Join(state, name)
	f, err := os.OpenFile(p, flag|unix.O_NOFOLLOW|unix.O_NONBLOCK, perm)
	if errors.Is(err, unix.ELOOP) {
		to, _ := os.Readlink(p)
		return nil, stateErr(state, name, fmt.Sprintf("it is a symbolic link (to %s)", to))
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, stateErr(state, name, "it is not a regular file")
	}
	return f, nil
}

// readStateFile reads the regular file state/name (see openStateFile),
// refusing one longer than max bytes.
func readStateFile(state, name string, max int64) ([]byte, error) {
	f, err := openStateFile(state, name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lr := &io.LimitedReader{R: f, N: max + 1}
	data, err := io.ReadAll(lr)
	if err != nil {
		return nil, err
	}
	if lr.N <= 0 {
		return nil, stateErr(state, name, fmt.Sprintf("it is larger than %d bytes", max))
	}
	return data, nil
}

// stateID reads (or, the first time, makes) the id file of the state
// folder and returns the workspace id (see ID).
func stateID(state string) (string, error) {
	for range 2 {
		f, err := openStateFile(state, idFile, os.O_RDONLY, 0)
		if errors.Is(err, fs.ErrNotExist) {
			if err := makeID(state); err != nil {
				return "", err
			}
			continue
		}
		if err != nil {
			return "", err
		}
		defer f.Close()
		var st unix.Stat_t
		if err := unix.Fstat(int(f.Fd()), &st); err != nil {
			return "", err
		}
		buf := make([]byte, 64)
		n, _ := io.ReadFull(f, buf)
		id := strings.TrimSuffix(string(buf[:n]), "\n")
		if len(id) != 32 || !isHex(id) {
			return "", stateErr(state, idFile, "it is not a workspace id that rvendor made")
		}
		return fmt.Sprintf("%s-%d", id, st.Ino), nil
	}
	return "", fmt.Errorf("making the workspace id in %s: it keeps changing", state)
}

// makeID writes a new random id file, 0600; one already there is kept.
func makeID(state string) error {
	var b [16]byte
	if err := randomBytes(b[:]); err != nil {
		return err
	}
	p := filepath.Join(state, idFile)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("making the workspace id %s: %w", p, err)
	}
	_, err = f.WriteString(hex.EncodeToString(b[:]) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(p)
		return fmt.Errorf("making the workspace id %s: %w", p, err)
	}
	syncDir(state)
	return nil
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
