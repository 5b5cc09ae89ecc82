package tree

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrUnsafePath is wrapped by every *PathError: a path of the tree that
// rvendor refuses to write.
var ErrUnsafePath = errors.New("unsafe path")

// PathError is a path that rvendor refuses to write: it names the path as
// it was given, says what is wrong with it and what to do.
type PathError struct {
	Path    string // as given: slash-separated, relative to the workspace root
	Problem string // what is wrong, such as "third_party/g is a symbolic link"
	Fix     string // what to do about it
}

func (e *PathError) Error() string {
	s := fmt.Sprintf("path %q: %s", e.Path, e.Problem)
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

// Unwrap returns ErrUnsafePath.
func (e *PathError) Unwrap() error { return ErrUnsafePath }

// Path is the one containment check for a path of the tree that rvendor
// is about to write, replace or remove (a dest folder, a patch file, the
// lock, the sum, the spec). rel is slash-separated and relative to the
// workspace root. Path returns the absolute path, or a *PathError when rel
//
//   - is empty, absolute, not clean (path.Clean would change it), the root
//     itself, or leaves the root through "..";
//   - is at or below a .git or .rvendor (StateDir) folder, at any depth and
//     in any letter case: git's own files and rvendor's state are never
//     written through a path of the tree;
//   - has an existing parent that is a symbolic link or not a folder:
//     each existing component but the last is checked with Lstat, from the
//     root down, so that a link committed to the tree
//     (third_party/g -> ../.git, or a link to a folder outside the tree)
//     is never written through. The last component is not followed by
//     the swap (a rename replaces a link, not its target), and the root
//     itself may be reached through links: that is the user's choice.
//
// The check is made again by every Replace, WriteFile and roll-forward,
// so a link planted between two runs is still refused.
func (w *Workspace) Path(rel string) (string, error) {
	if err := checkRel(rel); err != nil {
		return "", err
	}
	abs := filepath.Join(w.Root, filepath.FromSlash(rel))
	if err := checkParents(w.Root, rel, rel); err != nil {
		return "", err
	}
	return abs, nil
}

// checkRel checks rel's spelling (see Path), without touching the disk.
func checkRel(rel string) error {
	bad := func(problem, fix string) error { return &PathError{Path: rel, Problem: problem, Fix: fix} }
	switch {
	case rel == "":
		return bad("the path is empty", "name a path relative to the folder of the spec")
	case strings.ContainsRune(rel, 0):
		return bad("the path contains a NUL byte", "name a path without one")
	case path.IsAbs(rel) || filepath.IsAbs(rel):
		return bad("the path is absolute", "write it relative to the folder of the spec")
	case rel == ".":
		return bad("the path names the workspace root itself", "name a folder below it")
	case path.Clean(rel) != rel:
		if c := path.Clean(rel); c != "." && c != ".." && !strings.HasPrefix(c, "../") {
			return bad("the path is not clean", fmt.Sprintf("write it as %q", c))
		}
		return bad("the path is not clean and leaves the workspace", "keep it below the folder of the spec")
	}
	for _, e := range strings.Split(rel, "/") {
		switch {
		case e == "..":
			return bad("the path leaves the workspace through \"..\"", "keep it below the folder of the spec")
		case strings.EqualFold(e, ".git"):
			return bad("the path is at or below a .git folder, which rvendor never writes", "choose a path outside .git")
		case strings.EqualFold(e, StateDir):
			return bad("the path is at or below rvendor's state folder "+StateDir, "choose a path outside "+StateDir)
		}
	}
	return nil
}

// checkParents checks with Lstat, from base down, that every existing
// component of rel but the last is a real folder (not a symbolic link,
// not a file). shown is the path named in errors.
func checkParents(base, rel, shown string) error {
	fi, err := os.Stat(base)
	if err != nil {
		return fmt.Errorf("workspace root: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("workspace root %s is not a folder", base)
	}
	elems := strings.Split(rel, "/")
	p := base
	for i, e := range elems[:len(elems)-1] {
		p = filepath.Join(p, e)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // nothing below exists either
		}
		if err != nil {
			return fmt.Errorf("checking %s: %w", shown, err)
		}
		where := strings.Join(elems[:i+1], "/")
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return &PathError{Path: shown, Problem: where + " is a symbolic link, and rvendor never writes through links",
				Fix: "replace the link by a real folder, or choose another path"}
		case !fi.IsDir():
			return &PathError{Path: shown, Problem: where + " is not a folder",
				Fix: "move it away, or choose another path"}
		}
	}
	return nil
}

// tree's own names inside the state folder; every other name is a caller's
// state folder (StatePath).
var reservedState = map[string]bool{
	lockFile: true, journalFile: true, journalTmp: true, stagingDir: true, idFile: true, specFile: true,
}

// checkStateName checks that name can name a caller's state folder.
func checkStateName(name string) error {
	rel := path.Join(StateDir, name)
	switch {
	case name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00"):
		return &PathError{Path: rel, Problem: "a state folder's name must be one path element", Fix: "name it such as \"conflict\""}
	case reservedState[name] || strings.HasPrefix(name, journalFile):
		return &PathError{Path: rel, Problem: name + " is rvendor's own", Fix: "choose another name"}
	}
	return nil
}

// StatePath returns the absolute path of StateDir/name, a folder where a
// caller keeps state across runs (a conflicted update, say). name is one
// path element that is not one of tree's own (lock, journal.json,
// staging, id, spec). The folder need not exist; if it does, it must be a
// real folder, not a symbolic link. The state folder itself was checked
// by Open. A transaction can take its staged content from such a folder
// (Replace) and remove it (RemoveState).
func (w *Workspace) StatePath(name string) (string, error) {
	if err := checkStateName(name); err != nil {
		return "", err
	}
	p := filepath.Join(w.Root, StateDir, name)
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return p, nil
	case err != nil:
		return "", err
	case !fi.IsDir():
		return "", &PathError{Path: path.Join(StateDir, name), Problem: "it is not a folder (a symbolic link or a file)",
			Fix: "remove it; rvendor keeps only folders there"}
	}
	return p, nil
}

// safeHint makes hint one readable path element.
func safeHint(hint string) string {
	hint = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f {
			return '_'
		}
		return r
	}, hint)
	if len(hint) > 64 {
		hint = hint[:64]
	}
	if hint == "" || hint == "." || hint == ".." {
		return "item"
	}
	return hint
}
