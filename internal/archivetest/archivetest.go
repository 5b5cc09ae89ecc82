// Package archivetest builds tar archives for tests, including hostile
// ones (unsafe names, links, devices, setuid files) that no well-behaved
// tool writes, and provides testscript commands to do so.
package archivetest

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/ulikunitz/xz"

	"github.com/rvendor/rvendor/fetch"
)

// Entry is one tar entry to write.
type Entry struct {
	// Name is written verbatim, so it may be unsafe ("../x", "/abs").
	// A name ending in "/" with Type 0 is a folder.
	Name string
	Body []byte
	// Mode is the permission and setuid/setgid/sticky bits; 0 means 0644
	// for files and 0755 for folders.
	Mode int64
	// Type is a tar type flag: tar.TypeReg, TypeDir, TypeSymlink,
	// TypeLink, TypeChar, TypeBlock, TypeFifo, or TypeXGlobalHeader (a
	// pax global header with Body as its comment, as git archive writes);
	// 0 means TypeReg (or TypeDir for a name ending in "/").
	Type byte
	// Linkname is the target of a symlink or hardlink.
	Linkname string
}

// ModTime is the modification time of every entry Build writes, so that
// archives are reproducible.
var ModTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Build writes entries, in order, as a tar compressed with f.
func Build(w io.Writer, f fetch.Format, entries []Entry) error {
	cw, err := Compress(w, f)
	if err != nil {
		return err
	}
	if err := WriteTar(cw, entries); err != nil {
		cw.Close()
		return err
	}
	return cw.Close()
}

// Compress returns a writer that compresses to w as f. Close flushes it
// (and does not close w). xz is written by the pure-Go encoder.
func Compress(w io.Writer, f fetch.Format) (io.WriteCloser, error) {
	switch f {
	case fetch.FormatGzip:
		return gzip.NewWriter(w), nil
	case fetch.FormatXZ:
		return xz.NewWriter(w)
	case fetch.FormatZstd:
		return zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
	}
	return nil, fmt.Errorf("archivetest: unknown format %v", f)
}

// WriteTar writes entries, in order, as an uncompressed tar.
func WriteTar(w io.Writer, entries []Entry) error {
	tw := tar.NewWriter(w)
	for _, e := range entries {
		typ := e.Type
		if typ == 0 {
			typ = tar.TypeReg
			if strings.HasSuffix(e.Name, "/") {
				typ = tar.TypeDir
			}
		}
		mode := e.Mode
		if mode == 0 {
			mode = 0o644
			if typ == tar.TypeDir {
				mode = 0o755
			}
		}
		hdr := &tar.Header{
			Typeflag: typ,
			Name:     e.Name,
			Linkname: e.Linkname,
			Mode:     mode,
			ModTime:  ModTime,
		}
		switch typ {
		case tar.TypeReg:
			hdr.Size = int64(len(e.Body))
		case tar.TypeXGlobalHeader: // as git archive writes
			hdr = &tar.Header{Typeflag: typ, Name: e.Name, PAXRecords: map[string]string{"comment": string(e.Body)}}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("archivetest: entry %q: %w", e.Name, err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write(e.Body); err != nil {
				return fmt.Errorf("archivetest: entry %q: %w", e.Name, err)
			}
		}
	}
	return tw.Close()
}

// FromDir returns the folders, regular files and symlinks below dir, in
// lexical order, named prefix + their slash path relative to dir (prefix
// is used verbatim: give "demo-1.2.0/" for a top-level folder). When
// prefix ends in "/", a folder entry for it comes first. File modes are
// the files' permissions (setuid, setgid and sticky bits included).
func FromDir(dir, prefix string) ([]Entry, error) {
	var entries []Entry
	if p, ok := strings.CutSuffix(prefix, "/"); ok && p != "" {
		entries = append(entries, Entry{Name: prefix, Type: tar.TypeDir, Mode: 0o755})
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := prefix + filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := int64(info.Mode().Perm())
		if info.Mode()&fs.ModeSetuid != 0 {
			mode |= 0o4000
		}
		if info.Mode()&fs.ModeSetgid != 0 {
			mode |= 0o2000
		}
		if info.Mode()&fs.ModeSticky != 0 {
			mode |= 0o1000
		}
		switch {
		case d.IsDir():
			entries = append(entries, Entry{Name: name + "/", Type: tar.TypeDir, Mode: mode})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			entries = append(entries, Entry{Name: name, Type: tar.TypeSymlink, Linkname: target, Mode: 0o777})
		case d.Type().IsRegular():
			body, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			entries = append(entries, Entry{Name: name, Body: body, Mode: mode})
		default:
			return fmt.Errorf("archivetest: %s: unsupported file type %v", p, d.Type())
		}
		return nil
	})
	return entries, err
}

// ParseSpecial parses one SPECIAL argument of MkArchive (see there);
// prefix is prepended to the names of all
// but raw entries.
func ParseSpecial(s, prefix string) (Entry, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Entry{}, fmt.Errorf("special entry %q: want KIND:NAME", s)
	}
	unq := func(v string) (string, error) {
		u, err := strconv.Unquote(`"` + strings.ReplaceAll(v, `"`, `\"`) + `"`)
		if err != nil {
			return "", fmt.Errorf("special entry %q: bad escape in %q: %v", s, v, err)
		}
		return u, nil
	}
	switch kind {
	case "symlink", "hardlink":
		name, target, ok := strings.Cut(rest, ":")
		if !ok {
			return Entry{}, fmt.Errorf("special entry %q: want %s:NAME:TARGET", s, kind)
		}
		n, err := unq(name)
		if err != nil {
			return Entry{}, err
		}
		t, err := unq(target)
		if err != nil {
			return Entry{}, err
		}
		typ := byte(tar.TypeSymlink)
		if kind == "hardlink" {
			typ = tar.TypeLink
		}
		return Entry{Name: prefix + n, Type: typ, Linkname: t, Mode: 0o777}, nil
	case "fifo", "char", "block", "raw", "setuid", "dir":
		n, err := unq(rest)
		if err != nil {
			return Entry{}, err
		}
		switch kind {
		case "fifo":
			return Entry{Name: prefix + n, Type: tar.TypeFifo, Mode: 0o644}, nil
		case "char":
			return Entry{Name: prefix + n, Type: tar.TypeChar, Mode: 0o644}, nil
		case "block":
			return Entry{Name: prefix + n, Type: tar.TypeBlock, Mode: 0o644}, nil
		case "dir":
			return Entry{Name: prefix + strings.TrimSuffix(n, "/") + "/", Type: tar.TypeDir}, nil
		case "setuid":
			return Entry{Name: prefix + n, Body: []byte("#!/bin/sh\n"), Mode: 0o4755}, nil
		}
		return Entry{Name: n, Body: []byte("raw\n")}, nil
	}
	return Entry{}, fmt.Errorf("special entry %q: unknown kind %q (want symlink, hardlink, fifo, char, block, dir, raw or setuid)", s, kind)
}

// MkArchive is the testscript command
//
//	mkarchive [-prefix PREFIX] OUT DIR [SPECIAL...]
//
// It writes OUT, a tar compressed as its suffix says (.tar.gz, .tgz,
// .crate, .tar.xz, .txz, .tar.zst, .tzst), holding the folders, files and
// symlinks below DIR ("-" for none) named PREFIX + their path relative to
// DIR (give "-prefix demo-1.2.0/" for a top-level folder; its folder
// entry is written first), then the SPECIAL entries, in order:
//
//	symlink:NAME:TARGET  a symlink
//	hardlink:NAME:TARGET a hardlink
//	fifo:NAME            a fifo
//	char:NAME            a character device (block:NAME: a block device)
//	dir:NAME             a folder
//	setuid:NAME          a file with mode 04755; replaces a file of DIR of the same name
//	raw:NAME             a file whose name is exactly NAME, without PREFIX
//
// PREFIX is prepended to every NAME but raw ones. NAME and TARGET are
// unquoted as Go strings, so "\n", "\x00" and "\\" may be written. A
// name may not contain ":" (but TARGET may).
func MkArchive(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! mkarchive")
	}
	prefix := ""
	if len(args) >= 2 && args[0] == "-prefix" {
		prefix, args = args[1], args[2:]
	}
	if len(args) < 2 {
		ts.Fatalf("usage: mkarchive [-prefix PREFIX] OUT DIR [SPECIAL...]")
	}
	out := ts.MkAbs(args[0])
	f, err := fetch.FormatOf(out)
	ts.Check(err)
	var entries []Entry
	if args[1] != "-" {
		entries, err = FromDir(ts.MkAbs(args[1]), prefix)
		ts.Check(err)
	}
	for _, s := range args[2:] {
		e, err := ParseSpecial(s, prefix)
		ts.Check(err)
		if e.Mode&0o4000 != 0 {
			replaced := false
			for i := range entries {
				if entries[i].Name == e.Name {
					entries[i].Mode = e.Mode
					replaced = true
				}
			}
			if replaced {
				continue
			}
		}
		entries = append(entries, e)
	}
	w, err := os.Create(out)
	ts.Check(err)
	if err := Build(w, f, entries); err != nil {
		w.Close()
		ts.Fatalf("mkarchive: %v", err)
	}
	ts.Check(w.Close())
}

// Sha256File is the testscript command
//
//	sha256file FILE
//
// It prints the sha256 of FILE as 64 lowercase hex digits and a newline
// to stdout (see the stdout command), e.g. for writing a pin into a spec.
func Sha256File(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! sha256file")
	}
	if len(args) != 1 {
		ts.Fatalf("usage: sha256file FILE")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	h := sha256.New()
	_, err = io.Copy(h, f)
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "%s\n", hex.EncodeToString(h.Sum(nil)))
}

// SHA256 returns the sha256 of b as lowercase hex.
func SHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
