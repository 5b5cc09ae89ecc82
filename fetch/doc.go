// Package fetch downloads pinned archives into a content-addressed cache
// and extracts selected parts of them, refusing anything unsafe. It is the
// only rvendor package that touches the network.
//
// # Download cache
//
// Cache.Open returns the file whose sha256 is the pinned value, open and
// verified, downloading it first if needed; Cache.OpenCached never
// downloads:
//
//   - The file returned is open at offset 0, and its bytes are bytes that
//     were hashed: a download is hashed while it is written and the same
//     descriptor is returned; a cache hit is hashed through the descriptor
//     returned, then rewound (a hit is read twice on purpose: nothing is
//     unpacked before its sha256 matched). Replacing the cache file
//     afterwards does not change what the caller reads.
//   - The pinned sha256 must be 64 lowercase hex digits.
//   - A cached file that no longer matches is reported absent by
//     OpenCached and replaced by Open.
//   - A download is written to a temporary file in the cache folder,
//     hashed, compared with the pin, synced, made read-only and only then
//     renamed into place. A mismatch is a *ChecksumError, errors.Is
//     ErrChecksumMismatch, whose message says plainly that it is a
//     security error; the download is deleted and never used.
//   - Each cache entry is written under a file lock; a second look after
//     taking it finds an entry another process finished meanwhile. The
//     entry's own temporary files are removed while holding it; those of
//     other entries (*.tmp-*) are removed, best-effort and without their
//     lock, once unwritten for StaleTempAge (a day): in the entry's folder
//     on every download, and in every folder on a Cache's first Open.
//   - Cache.Get reads small files with no pinned hash (manifests,
//     signatures, index files) through the same client and rules, and
//     stores nothing; a *Cache is the rustdist.Getter of a run.
//
// # Network rules
//
// Every request of fetch, fetch/rustdist and fetch/crates goes through
// one package, fetch/internal/web, whose documentation is the full list:
//
//   - URLs are https://, file:// (an absolute local path, a regular file),
//     or http:// to a loopback host only (localhost, 127.0.0.0/8, ::1).
//     Any other URL is refused before connecting.
//   - Redirects: at most 10; each hop is checked against the same URL
//     policy; cross-host redirects are followed to https only (crates.io's
//     downloads redirect to another host); plain http only within the same
//     loopback host; never from a remote host to a loopback one.
//   - Requests send "Accept-Encoding: identity" and the transport never
//     decompresses: the sha256 is of the bytes as sent, even when a server
//     labels a .tar.gz "Content-Encoding: gzip".
//   - The client has connect, TLS-handshake and response-header timeouts
//     (never http.DefaultClient). A transfer is abandoned when no data
//     comes for Cache.StallTimeout (60 s), when its average rate over any
//     Cache.RateWindow (60 s) is below Cache.MinRate (4 KiB/s), or when it
//     is not done Cache.DeadlineBase (2 min) plus the time to receive its
//     Content-Length (else MaxDownloadSize) at Cache.DeadlineRate
//     (16 KiB/s); these errors say how many bytes came in how long. A body
//     over MaxDownloadSize (4 GiB) is refused.
//   - A body shorter than its Content-Length, a chunked body without its
//     end, or one cut by a reset is a truncated download saying after how
//     many bytes the connection closed, never a checksum mismatch. A body
//     without length ended by a clean close cannot be told from a
//     complete one; its mismatch says so.
//   - Retries (Cache.Retry): 4 tries from 0.5 s apart, doubling, for 5xx,
//     408 and 429 answers, timeouts, stalls, truncations and reset
//     connections; a Retry-After (seconds or HTTP date) is waited for up
//     to a minute, and a longer one ends the retries. Never after another
//     4xx answer, a refused URL or redirect, a too-slow transfer or a
//     checksum mismatch.
//   - The cache folder comes from CacheDir(getenv): $RVENDOR_CACHE, else
//     the user cache folder. There is no package-level client: a Cache
//     builds its own on first use, from its fields.
//
// # Extraction
//
// Extract streams a compressed tar (gzip, xz or zstd) in one pass and
// writes the entries a Selection picks into a new folder. The sha256 of
// the archive is checked before, by Open, on the descriptor Extract then
// reads. Extract enforces:
//
//   - Entry names are checked for every entry, selected or not, and one
//     bad name refuses the whole archive: no absolute paths, no "..", "."
//     or empty ("a//b") elements, no backslash, NUL or other control
//     character (newline included), and valid UTF-8 only. A leading "./"
//     is removed; a trailing "/" is allowed on folders. pax global headers
//     (as written by git archive) are skipped.
//   - A selected entry with a ".git" or ".rvendor" element in its path,
//     whatever its case (".GIT", ".Rvendor") and type, refuses the archive
//     as an unsafe name: git would take a .git folder or file in the tree
//     for a repository of its own (its config and hooks run commands),
//     and .rvendor is rvendor's own state. Outside the selection, or
//     excluded, such entries are skipped like any other. Names that only
//     look alike (".github", ".gitignore") are vendored.
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
//   - At most MaxEntries (1,048,576) entries are scanned, the selected
//     entries lie in at most as many folders (implied ones included), at
//     most MaxFileSize (256 MiB) is written per file and MaxTotalSize
//     (2 GiB) in total, and at most MaxTarSize (16 GiB) of uncompressed
//     tar is read; Limits lowers or raises them. Sizes are enforced with
//     io.LimitedReader{N: max+1}, so a header that lies is caught too.
//   - A Selection path that matches no entry, a path outside Root, a Root
//     that is not in the archive, or (with Root "") an archive that has no
//     single top-level folder is an error (*SelectionError).
//   - Memory use does not grow with the archive: entries are streamed,
//     unselected ones are read past, never unpacked. What is kept per
//     selected entry is what Result needs and the name index: its
//     tree.File (64 bytes), its name relative to Root, copied into shared
//     blocks, and a 4-byte slot of a hash table of the names up to case;
//     per folder, its name and a slot. Nothing else is allocated per
//     entry beyond what archive/tar and the file system calls allocate
//     and drop. Files are kept in chunks (a growing slice would hold two
//     arrays at once) and put in one sorted slice at the end, after a
//     garbage collection when there are 262,144 or more (the heap may be
//     twice what is alive, and the slice would come on top). A million
//     empty files take 84 MiB once Extract returns, and at most 200 MiB
//     of heap while it runs (issue #10: it was 421 MiB; see
//     TestExtractMemoryAtEntryCap).
//   - zstd is decoded with one goroutine and a window of at most
//     128 MiB, xz by the xz program with
//     --memlimit-decompress=512MiB when it is on $PATH (else by the
//     pure-Go decoder, which refuses a first block declaring a dictionary
//     over 512 MiB, but allocates whatever later blocks declare).
//   - The format is the caller's (FormatOf the URL), never guessed from
//     the content. An archive that cannot be read as it is an
//     *ArchiveError naming the archive and saying what is wrong with it,
//     errors.Is one of ErrArchiveEmpty ("x.tar.gz is empty (0 bytes)"),
//     ErrArchiveFormat (its first bytes are not its format's magic
//     number: "x.tar.gz is not gzip-compressed (it looks like a plain
//     tar): gzip: invalid header", or another compression, a zip, an HTML
//     page; or it decompresses to something that is not a tar) or
//     ErrArchiveMemory ("x.tar.xz needs more than 512 MiB to decompress:
//     ..." after the xz program's "Memory usage limit reached", read
//     from its stderr with LC_ALL=C; a zstd window over 128 MiB; the
//     pure-Go xz decoder's first-block check). Other decoder errors (a
//     truncated or corrupt stream) are "reading archive x.tar.gz: ...".
//   - On any error, or when ctx is done, dst is removed entirely before
//     Extract returns, and the xz process, if any, is killed. Refusals are
//     *EntryError values naming the archive and the entry, errors.Is one
//     of ErrUnsafeName, ErrUnsupportedType, ErrCollision, ErrDuplicate or
//     ErrLimit.
package fetch
