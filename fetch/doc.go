// Package fetch downloads pinned archives into a content-addressed cache
// and extracts selected parts of them, refusing anything unsafe. It is the
// only rvendor package that touches the network.
//
// # Download cache
//
// Cache.Fetch returns the cached file whose sha256 is the pinned value,
// downloading it first if needed:
//
//   - URLs are https://, file:// (an absolute local path), or http:// to a
//     loopback host only (localhost, 127.0.0.0/8, ::1). Redirects must stay
//     within these rules. Any other URL is refused before connecting.
//   - The pinned sha256 must be 64 lowercase hex digits.
//   - A cached file is hashed again on every use; if it no longer matches,
//     it is removed and downloaded again.
//   - A download is written to a temporary file in the cache folder,
//     synced, hashed and compared with the pin, and only then renamed into
//     place (read-only). A mismatch is a *ChecksumError, errors.Is
//     ErrChecksumMismatch, whose message says plainly that it is a
//     security error; the download is deleted and never used.
//   - Each cache entry is written under a file lock; a second look after
//     taking it finds an entry another process finished meanwhile, and
//     stale temporary files are removed only while holding it.
//   - The default HTTP client has connect, TLS-handshake, response-header
//     and idle timeouts (never http.DefaultClient); a download that
//     receives no data for Cache.StallTimeout (default 60s) is abandoned,
//     and one over MaxDownloadSize (4 GiB) is refused.
//
// # Extraction
//
// Extract streams a compressed tar (gzip, xz or zstd) in one pass and
// writes the entries a Selection picks into a new folder. The sha256 of
// the archive is checked before, by Fetch. Extract enforces:
//
//   - Entry names are checked for every entry, selected or not, and one
//     bad name refuses the whole archive: no absolute paths, no "..", "."
//     or empty ("a//b") elements, no backslash, NUL or other control
//     character (newline included), and valid UTF-8 only. A leading "./"
//     is removed; a trailing "/" is allowed on folders. pax global headers
//     (as written by git archive) are skipped.
//   - Only regular files and folders may be selected. A selected symlink,
//     hardlink, character or block device, fifo or other special entry
//     refuses the archive, naming the entry and its type. Outside the
//     selection such entries are skipped and never written.
//   - Among selected entries, two names equal up to Unicode case folding
//     ("A.rs" and "a.rs"), a name that is both a file and a folder, and a
//     name that appears twice refuse the archive.
//   - Files are written with mode 0644, or 0755 when the entry has any
//     execute bit; setuid, setgid and sticky bits are dropped; folders get
//     0755 (tree.NormalizeMode), whatever the umask. Modification times
//     are not restored. Only files are written: a folder is created as the
//     parent of a written file, and empty folders are not recreated.
//   - Files are created with O_CREAT|O_EXCL|O_NOFOLLOW inside dst, which
//     must not exist before (its parent must): nothing is ever written
//     outside dst, and no file is written twice. Files are not fsynced;
//     the caller's transaction does that if it needs to.
//   - Each file's SHA-256 and size are computed while it is written, and
//     returned in Result.Files, sorted by path.
//   - At most MaxEntries (1,048,576) entries are scanned, at most
//     MaxFileSize (256 MiB) is written per file and MaxTotalSize (2 GiB)
//     in total, and at most MaxTarSize (16 GiB) of uncompressed tar is
//     read; Limits lowers or raises them. Sizes are enforced with
//     io.LimitedReader{N: max+1}, so a header that lies is caught too.
//   - A Selection path that matches no entry, a path outside Root, a Root
//     that is not in the archive, or (with Root "") an archive that has no
//     single top-level folder is an error (*SelectionError).
//   - Memory use does not grow with the archive: entries are streamed,
//     unselected ones are read past, never unpacked; only the names of
//     written entries are kept. zstd is decoded with one goroutine and a
//     window of at most 128 MiB, xz by the xz program with
//     --memlimit-decompress=512MiB when it is on $PATH (else by the
//     pure-Go decoder, which allocates the dictionary the stream declares).
//   - On any error, or when ctx is done, dst is removed entirely before
//     Extract returns, and the xz process, if any, is killed. Refusals are
//     *EntryError values naming the archive and the entry, errors.Is one
//     of ErrUnsafeName, ErrUnsupportedType, ErrCollision, ErrDuplicate or
//     ErrLimit.
package fetch
