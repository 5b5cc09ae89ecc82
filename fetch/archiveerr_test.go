package fetch_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
)

// plainTar returns demo() as an uncompressed tar.
func plainTar(t *testing.T) []byte {
	var b bytes.Buffer
	if err := archivetest.WriteTar(&b, demo()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// compressed returns data compressed as f (not a tar, unless data is).
func compressed(t *testing.T, f fetch.Format, data []byte) []byte {
	var b bytes.Buffer
	w, err := archivetest.Compress(&b, f)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// xzBigDict returns demo() as a .tar.xz whose first block declares a
// 1 GiB LZMA2 dictionary (its header's CRC32 fixed), which needs more
// than the 512 MiB the decoders may use.
func xzBigDict(t *testing.T) []byte {
	data := build(t, fetch.FormatXZ, demo())
	// The stream header is 12 bytes; archivetest's encoder writes a
	// 12-byte block header: size, flags, the LZMA2 filter (0x21, one
	// property byte: the dictionary size), padding, CRC32.
	hdr := data[12:24]
	if hdr[0] != 2 || hdr[1] != 0 || hdr[2] != 0x21 || hdr[3] != 1 {
		t.Fatalf("unexpected xz block header % x", hdr)
	}
	hdr[4] = 36 // 2 << (36/2 + 11) = 1 GiB
	binary.LittleEndian.PutUint32(hdr[8:], crc32.ChecksumIEEE(hdr[:8]))
	return data
}

// zstdBigWindow returns demo() as a one-frame .tar.zst declaring a
// 256 MiB window, over the decoder's 128 MiB: a frame header with a
// window descriptor (exponent 18) and the tar as one raw block.
func zstdBigWindow(t *testing.T) []byte {
	tarData := plainTar(t)
	if len(tarData) >= 128<<10 {
		t.Fatal("tar too large for one raw block")
	}
	b := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 18 << 3}
	h := uint32(len(tarData))<<3 | 1 // raw block, last
	b = append(b, byte(h), byte(h>>8), byte(h>>16))
	return append(b, tarData...)
}

// TestExtractArchiveErrors checks that an archive that cannot be read
// as its format is refused with an *ArchiveError naming it and saying
// what is wrong in plain words (issue #10): not "gzip: gzip: invalid
// header" for a plain tar, not "gzip: EOF" for an empty file, not xz's
// raw message for its memory limit. Each case runs from a bytes.Reader
// and from an *os.File (which the xz program reads directly).
func TestExtractArchiveErrors(t *testing.T) {
	type tc struct {
		name string
		data []byte
		is   error
		msg  string // the message starts with the archive's name, then this
	}
	junk := bytes.Repeat([]byte("this is not a tar\n"), 100)
	html := []byte("<!DOCTYPE html>\n<html><body>404 Not Found</body></html>\n")
	formats := []struct {
		name string
		f    fetch.Format
		path string // "none": no xz program on $PATH
	}{
		{"gzip", fetch.FormatGzip, ""},
		{"xz-program", fetch.FormatXZ, ""},
		{"xz-go", fetch.FormatXZ, "none"},
		{"zstd", fetch.FormatZstd, ""},
	}
	for _, ff := range formats {
		f := ff.f
		c := map[fetch.Format]string{fetch.FormatGzip: "gzip", fetch.FormatXZ: "xz", fetch.FormatZstd: "zstd"}[f]
		other := fetch.FormatXZ
		if f == fetch.FormatXZ {
			other = fetch.FormatZstd
		}
		cases := []tc{
			{"empty", nil, fetch.ErrArchiveEmpty, " is empty (0 bytes)"},
			{"plain-tar", plainTar(t), fetch.ErrArchiveFormat, " is not " + c + "-compressed (it looks like a plain tar): "},
			{"other-compression", build(t, other, demo()), fetch.ErrArchiveFormat, " is not " + c + "-compressed (it is " + map[fetch.Format]string{fetch.FormatXZ: "xz", fetch.FormatZstd: "zstd"}[other] + "-compressed): "},
			{"junk", junk, fetch.ErrArchiveFormat, " is not " + c + "-compressed (it starts with the bytes 74 68 69 73 20 69 73 20, not " + c + "'s magic number "},
			{"html", html, fetch.ErrArchiveFormat, " is not " + c + "-compressed (it looks like an HTML page): "},
			{"one-byte", []byte{0x00}, fetch.ErrArchiveFormat, " is not " + c + "-compressed (it starts with the bytes 00, not "},
			{"magic-cut", []byte{map[fetch.Format]byte{fetch.FormatGzip: 0x1f, fetch.FormatXZ: 0xfd, fetch.FormatZstd: 0x28}[f]}, fetch.ErrArchiveFormat, " is too short to be " + c + "-compressed (1 byte): "},
			{"not-a-tar-inside", compressed(t, f, junk), fetch.ErrArchiveFormat, " decompresses to something that is not a tar: archive/tar: invalid tar header"},
		}
		switch f {
		case fetch.FormatXZ:
			cases = append(cases, tc{"memory", xzBigDict(t), fetch.ErrArchiveMemory, " needs more than 512 MiB to decompress: "})
		case fetch.FormatZstd:
			cases = append(cases, tc{"memory", zstdBigWindow(t), fetch.ErrArchiveMemory, " needs more than 128 MiB to decompress: zstd: window size exceeded"})
		}
		for _, tt := range cases {
			for _, how := range []string{"reader", "file"} {
				t.Run(ff.name+"/"+tt.name+"/"+how, func(t *testing.T) {
					if ff.name == "xz-program" {
						if _, err := exec.LookPath("xz"); err != nil {
							t.Skip("no xz program on $PATH")
						}
					}
					if ff.path == "none" {
						t.Setenv("PATH", t.TempDir())
					}
					archive := "demo-1.2.0." + f.String()
					var err error
					if how == "file" {
						err = extractFile(t, tt.data, f, archive)
					} else {
						_, _, err = extract(t, tt.data, f, fetch.Selection{Archive: archive}, fetch.Limits{})
					}
					if err == nil {
						t.Fatal("Extract succeeded")
					}
					var ae *fetch.ArchiveError
					if !errors.As(err, &ae) || !errors.Is(err, tt.is) {
						t.Fatalf("error %q (%T) is not an *ArchiveError that is %v", err, err, tt.is)
					}
					if want := archive + tt.msg; !strings.HasPrefix(err.Error(), want) {
						t.Errorf("error\n\t%q\ndoes not start with\n\t%q", err, want)
					}
					if strings.Contains(err.Error(), c+": "+c+": ") || strings.Contains(err.Error(), "\n") {
						t.Errorf("error %q repeats the decoder's name or spans lines", err)
					}
					if ae.Archive != archive || ae.Format != f || ae.Hint() == "" {
						t.Errorf("ArchiveError %+v: wrong archive, format or no hint", ae)
					}
				})
			}
		}
	}
}

// extractFile writes data to a file named archive and extracts from the
// open file, returning the error; nothing may be left of dst.
func extractFile(t *testing.T, data []byte, f fetch.Format, archive string) error {
	dir := t.TempDir()
	p := filepath.Join(dir, archive)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	dst := filepath.Join(dir, "dst")
	_, err = fetch.Extract(t.Context(), file, f, dst, fetch.Selection{}, fetch.Limits{})
	if _, serr := os.Stat(dst); !os.IsNotExist(serr) {
		t.Errorf("dst left behind")
	}
	return err
}

// TestExtractArchiveNotExplained: a truncated archive that starts as its
// format keeps the decoder's error, named by the archive.
func TestExtractArchiveNotExplained(t *testing.T) {
	for _, f := range []fetch.Format{fetch.FormatGzip, fetch.FormatXZ, fetch.FormatZstd} {
		data := build(t, f, demo())
		_, _, err := extract(t, data[:len(data)/2], f, fetch.Selection{}, fetch.Limits{})
		var ae *fetch.ArchiveError
		if err == nil || errors.As(err, &ae) || !strings.HasPrefix(err.Error(), "reading archive demo-1.2.0.tar.gz: ") {
			t.Errorf("%v: err = %v, want a read error naming the archive", f, err)
		}
	}
}
