package rustdist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Kinds of archive Resolve finds (the same names as vendor-spec's kinds).
const (
	KindRustSrc  = "rust-src"  // the rust-src component (installer tarball)
	KindRustcSrc = "rustc-src" // the full rustc-X-src tarball
)

// Request says what to resolve and whom to trust.
type Request struct {
	Version string // as ParseVersion reads it
	Kind    string // KindRustSrc or KindRustcSrc
	// Root is the distribution server ([sources] rust-dist); DefaultRoot
	// when empty. Mirrors are tried in order after it, each as a root
	// laid out like the server.
	Root    string
	Mirrors []string
	// Keyring checks signatures; nil means the embedded Rust key.
	Keyring *Keyring
	// AllowUnsigned accepts a manifest (or direct archive) with no .asc
	// at all. A present but bad signature is refused regardless.
	AllowUnsigned bool
	// Format is the archive format to take when the manifest offers both
	// .tar.gz and .tar.xz: "tar.gz", "tar.xz", or "" to choose (see
	// Choose). A format not offered is never an error: the other is taken.
	Format string
	// Cached, when set, reports whether the download cache holds the
	// file of a sha256; an archive already there costs no download.
	Cached func(sha256 string) bool
}

// Choose picks the archive to download among a .tar.gz and a .tar.xz of
// the same tree (either may be missing), and says why. With no format
// asked for, it takes one the cache already holds, else the .tar.gz: on a
// link of 10 MB/s or more it is the quicker whole, because gzip decodes
// about four times as fast as xz (BENCHMARKS.md, "extraction": Rust's
// library from the 328 MB rustc tar in 0.8 s from .tar.gz, 1.9 s from
// .tar.xz, with the xz program; about 3x slower still without it), and
// the .tar.gz is only about 1.4 times the size. Ask for "tar.xz" on a slow
// link.
func Choose(format string, cached func(string) bool, gz, xz Archive) (Archive, string) {
	switch {
	case gz.URL == "" && xz.URL == "":
		return Archive{}, ""
	case gz.URL == "":
		return xz, "the only archive offered"
	case xz.URL == "":
		return gz, "the only archive offered"
	case format == "tar.xz":
		return xz, "asked for"
	case format == "tar.gz":
		return gz, "asked for"
	case cached != nil && cached(xz.SHA256) && !cached(gz.SHA256):
		return xz, "already in the download cache"
	case cached != nil && cached(gz.SHA256):
		return gz, "already in the download cache"
	}
	return gz, "decodes about 4x faster than the .tar.xz; --compression xz downloads the smaller file"
}

// Resolution is what Resolve found and checked: enough to download the
// archive and to record in the lock how it was trusted.
type Resolution struct {
	Kind    string
	Version Version
	Root    string // the root or mirror that answered

	ManifestURL    string // as fetched, under Root
	ManifestSHA256 string // of the manifest bytes, matching its .sha256
	// Signer is the fingerprint of the key that signed the manifest, and
	// SignerPrimary its primary key; both empty when unsigned was allowed
	// and no .asc existed.
	Signer        string
	SignerPrimary string
	Date          string // the manifest's date
	PkgVersion    string // [pkg.rust-src] version, "1.63.0 (4b91a6ea7 2022-08-08)"
	GitCommitHash string

	// ArchiveURL is where to download (under Root); CanonicalURL is the
	// same file under DefaultRoot, the name to record in a lock.
	ArchiveURL    string
	CanonicalURL  string
	ArchiveSHA256 string
	Format        string // "tar.gz" or "tar.xz"
	FormatWhy     string // why Format was taken: Choose's reason
	// ArchiveSigURL is set when ArchiveSHA256 is not covered by the
	// manifest's signature (direct rustc-X-src archives): then it came
	// from an unsigned .sha256 and CheckArchive must verify the
	// downloaded archive against this .asc before it is used.
	ArchiveSigURL string

	// Skipped holds why earlier roots were passed over; empty when Root
	// is the first one tried.
	Skipped []error
}

// Resolve fetches the channel manifest of req.Version with its .sha256 and
// .asc from the first root that serves a valid, signed (or, if allowed,
// unsigned) copy, and returns the archive to download. Roots are req.Root
// then req.Mirrors, in order; a failing root is recorded in
// Resolution.Skipped and the next one is tried. When every root fails the
// error joins each root's error, so errors.Is finds ErrBadSignature,
// ErrUnknownSigner, ErrUnsigned or ErrNotFound.
func Resolve(ctx context.Context, g Getter, req Request) (*Resolution, error) {
	v, err := ParseVersion(req.Version)
	if err != nil {
		return nil, err
	}
	if req.Kind != KindRustSrc && req.Kind != KindRustcSrc {
		return nil, fmt.Errorf("rust dist: kind %q: want %s or %s", req.Kind, KindRustSrc, KindRustcSrc)
	}
	if req.Keyring == nil {
		req.Keyring = EmbeddedKeyring()
	}
	root := req.Root
	if root == "" {
		root = DefaultRoot
	}
	var errs []error
	for _, r := range append([]string{root}, req.Mirrors...) {
		res, err := resolveAt(ctx, g, req, v, r)
		if err == nil {
			res.Skipped = errs
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		errs = append(errs, fmt.Errorf("%s: %w", r, err))
	}
	return nil, fmt.Errorf("rust dist: cannot resolve %s %s:\n%w", req.Kind, v, errors.Join(errs...))
}

func resolveAt(ctx context.Context, g Getter, req Request, v Version, root string) (*Resolution, error) {
	root, err := CheckRoot(root)
	if err != nil {
		return nil, err
	}
	res := &Resolution{Kind: req.Kind, Version: v, Root: root, ManifestURL: v.ManifestURL(root)}
	data, err := g.Get(ctx, res.ManifestURL, MaxManifestSize)
	if err != nil {
		return nil, err
	}
	if res.ManifestSHA256, err = checkSum(ctx, g, res.ManifestURL, data); err != nil {
		return nil, err
	}
	if res.Signer, err = checkSig(ctx, g, res.ManifestURL, data, req); err != nil {
		return nil, err
	}
	res.SignerPrimary = req.Keyring.PrimaryOf(res.Signer)
	m, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", res.ManifestURL, err)
	}
	res.Date = m.Date
	// A correctly signed manifest of another release is a downgrade or
	// mix-up: check that the manifest is the one asked for.
	pkg, tgt, err := m.Target("rust-src", "*")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", res.ManifestURL, err)
	}
	if err := checkIsVersion(m, pkg, v); err != nil {
		return nil, fmt.Errorf("%s: %w", res.ManifestURL, err)
	}
	res.PkgVersion, res.GitCommitHash = pkg.Version, pkg.GitCommitHash

	var a Archive
	switch req.Kind {
	case KindRustSrc:
		a, res.FormatWhy = Choose(req.Format, req.Cached, tgt.GZ, tgt.XZ)
	case KindRustcSrc:
		var gz, xz Archive
		for _, sc := range m.SourceCode {
			switch sc.Format() {
			case "tar.gz":
				gz = sc
			case "tar.xz":
				xz = sc
			}
		}
		a, res.FormatWhy = Choose(req.Format, req.Cached, gz, xz)
		if a.URL == "" {
			return directSource(ctx, g, req, res)
		}
	}
	if res.ArchiveURL, err = MapURL(a.URL, root); err != nil {
		return nil, fmt.Errorf("%s: %w", res.ManifestURL, err)
	}
	res.CanonicalURL = DefaultRoot + strings.TrimPrefix(res.ArchiveURL, root)
	res.ArchiveSHA256 = a.SHA256
	res.Format = a.Format()
	if res.Format == "" {
		return nil, fmt.Errorf("%s: archive %s is neither .tar.gz nor .tar.xz", res.ManifestURL, a.URL)
	}
	return res, nil
}

// directSource resolves /dist/rustc-X-src.tar.{gz,xz} (or
// /dist/DATE/rustc-CHANNEL-src…) for manifests without
// [artifacts.source-code]; its hash comes from the .sha256 beside it and
// must be confirmed by CheckArchive.
func directSource(ctx context.Context, g Getter, req Request, res *Resolution) (*Resolution, error) {
	// Without the manifest's list, only the asked-for format is tried.
	var ext string
	ext, res.FormatWhy = ".tar.gz", "decodes about 4x faster than the .tar.xz; --compression xz downloads the smaller file"
	if req.Format == "tar.xz" {
		ext, res.FormatWhy = ".tar.xz", "asked for"
	}
	p := "/dist/rustc-" + res.Version.Release + "-src" + ext
	if res.Version.Channel != Stable {
		p = "/dist/" + res.Version.Date + "/rustc-" + res.Version.Channel + "-src" + ext
	}
	res.ArchiveURL = res.Root + p
	res.CanonicalURL = DefaultRoot + p
	res.Format = strings.TrimPrefix(ext, ".")
	data, err := g.Get(ctx, res.ArchiveURL+".sha256", MaxSumSize)
	if err != nil {
		return nil, err
	}
	if res.ArchiveSHA256, err = ParseSHA256File(data, baseName(res.ArchiveURL)); err != nil {
		return nil, err
	}
	res.ArchiveSigURL = res.ArchiveURL + ".asc"
	return res, nil
}

// checkIsVersion checks that m, whose rust-src package is pkg, is the
// manifest of v.
func checkIsVersion(m *Manifest, pkg *Package, v Version) error {
	switch v.Channel {
	case Stable:
		if got := pkg.ReleaseNumber(); got != v.Release {
			return fmt.Errorf("manifest is for rust-src %q, not %s: the server sent the wrong release", pkg.Version, v.Release)
		}
	default:
		if m.Date != v.Date || !strings.Contains(pkg.ReleaseNumber(), "-"+v.Channel) {
			return fmt.Errorf("manifest is for %s of %s (rust-src %q), not %s", v.Channel, m.Date, pkg.Version, v)
		}
	}
	return nil
}

// checkSum fetches u.sha256 and checks data against it; it returns the
// hex digest of data.
func checkSum(ctx context.Context, g Getter, u string, data []byte) (string, error) {
	sumFile, err := g.Get(ctx, u+".sha256", MaxSumSize)
	if err != nil {
		return "", err
	}
	want, err := ParseSHA256File(sumFile, baseName(u))
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(data)
	got := hex.EncodeToString(h[:])
	if got != want {
		return "", fmt.Errorf("%s: sha256 %s does not match %s.sha256 (%s)\n%s", u, got, baseName(u), want, mismatchHint)
	}
	return got, nil
}

const mismatchHint = "SECURITY ERROR: the downloaded file does not match its published checksum; " +
	"it may have been corrupted or tampered with. Try again, or another mirror"

// checkSig fetches u.asc and checks it over data. A missing .asc is
// ErrUnsigned, accepted (with an empty signer) only when req allows it.
func checkSig(ctx context.Context, g Getter, u string, data []byte, req Request) (string, error) {
	asc, err := g.Get(ctx, u+".asc", MaxSigSize)
	switch {
	case errors.Is(err, ErrNotFound):
		if req.AllowUnsigned {
			return "", nil
		}
		return "", fmt.Errorf("%s: %w (set [sources] allow-unsigned = true only for a trusted private mirror)", u, ErrUnsigned)
	case err != nil:
		return "", err
	}
	signer, err := VerifyDetached(req.Keyring, data, asc)
	if err != nil {
		return "", fmt.Errorf("%s: %w\n%s", u, err, securityHint)
	}
	return signer, nil
}

// CheckArchive verifies a downloaded archive (its content read from r)
// against ArchiveSigURL when that is set, and returns the signer's
// fingerprint; it does nothing and returns "" when the archive's hash is
// already covered by the manifest's signature. Call it before extracting.
func (res *Resolution) CheckArchive(ctx context.Context, g Getter, r io.Reader, keyring *Keyring, allowUnsigned bool) (string, error) {
	if res.ArchiveSigURL == "" {
		return "", nil
	}
	if keyring == nil {
		keyring = EmbeddedKeyring()
	}
	asc, err := g.Get(ctx, res.ArchiveSigURL, MaxSigSize)
	switch {
	case errors.Is(err, ErrNotFound):
		if allowUnsigned {
			return "", nil
		}
		return "", fmt.Errorf("%s: %w (set [sources] allow-unsigned = true only for a trusted private mirror)", res.ArchiveURL, ErrUnsigned)
	case err != nil:
		return "", err
	}
	signer, err := VerifyDetachedReader(keyring, r, asc)
	if err != nil {
		return "", fmt.Errorf("%s: %w\n%s", res.ArchiveURL, err, securityHint)
	}
	return signer, nil
}
