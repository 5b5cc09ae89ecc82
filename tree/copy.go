package tree

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// IrregularError is returned by Copy for an entry that is not a regular
// file or a folder (a symbolic link, a device, a FIFO, a socket).
type IrregularError struct {
	Path string // slash-separated, relative to the copied folder
	Type string // as TypeName names it: "symlink", "fifo", …
}

func (e *IrregularError) Error() string {
	return fmt.Sprintf("%s is a %s, not a regular file", e.Path, e.Type)
}

// Copy copies every regular file below src into dst, which must not exist
// (its parent must), and returns them, hashed while they were copied: the
// hashes are of the bytes written to dst, read from src once. Modes are
// normalized (NormalizeMode); empty folders are not copied, as the h1:
// hash ignores them. Symbolic links and other irregular entries are
// refused with an *IrregularError (never followed); on any error dst is
// removed.
func Copy(ctx context.Context, src, dst string) (files []File, err error) {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dst)
			files = nil
		}
	}()
	buf := make([]byte, 256<<10)
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, werr error) error {
		if werr != nil {
			return werr
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if rel == "." {
			if !d.IsDir() {
				return fmt.Errorf("%s is not a folder", src)
			}
			return nil
		}
		slash := filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			return nil
		case !d.Type().IsRegular():
			return &IrregularError{Path: slash, Type: TypeName(d.Type())}
		}
		f, err := copyOne(p, filepath.Join(dst, rel), buf)
		if err != nil {
			return err
		}
		f.Path = slash
		files = append(files, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

// copyOne copies the regular file src to dst (creating its folder),
// refusing to follow a symbolic link put in src's place meanwhile.
func copyOne(src, dst string, buf []byte) (File, error) {
	in, err := os.OpenFile(src, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return File{}, err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return File{}, err
	}
	if !fi.Mode().IsRegular() {
		return File{}, &IrregularError{Path: filepath.Base(src), Type: TypeName(fi.Mode().Type())}
	}
	mode := NormalizeMode(fi.Mode())
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return File{}, err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return File{}, err
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(out, h), in, buf)
	if err == nil {
		err = out.Chmod(mode) // umask
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, err
	}
	f := File{Mode: mode, Size: n}
	copy(f.SHA256[:], h.Sum(nil))
	return f, nil
}
