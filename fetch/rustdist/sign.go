package rustdist

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/rvendor/rvendor/tree"
)

// RustKeyFingerprint is the primary key of the Rust release signing key,
// "Rust Language (Tag and Release Signing Key) <rust-key@rust-lang.org>".
const RustKeyFingerprint = "108F66205EAEB0AAA8DD5E1C85AB96E6FA1BE5FE"

// RustSigningSubkey is the subkey of the Rust key that signs releases.
const RustSigningSubkey = "C13466B7E169A085188632165CB4A9347B3B09DC"

// rustKey is the Rust key as GnuPG exports it with export-minimal
// (self-signatures only). The key as published, with third-party
// certifications, is refused by go-crypto ("subkey signature with wrong
// type"); the minimal export holds the same key material and bindings.
//
//go:embed rust-key.minimal.asc
var rustKey []byte

// Limits on the small files rvendor reads from a distribution server.
const (
	MaxManifestSize = 16 << 20 // a channel manifest (about 1 MiB in 2026)
	MaxSigSize      = 64 << 10 // an .asc detached signature
	MaxSumSize      = 4 << 10  // a .sha256 file
)

// Signature errors. Each is wrapped with the URL or file it concerns;
// test with errors.Is.
var (
	// ErrUnsigned: there is no .asc beside the manifest or archive.
	ErrUnsigned = errors.New("no signature (.asc) found")
	// ErrUnknownSigner: the signature is well formed but made by a key
	// that is not in the keyring.
	ErrUnknownSigner = errors.New("signed by a key that is not in the keyring")
	// ErrBadSignature: the signature does not verify against the data,
	// or the signing key is revoked or expired, or the file is not an
	// OpenPGP signature.
	ErrBadSignature = errors.New("bad signature")
)

// securityHint ends every refused-signature message, in the style of the go
// command's checksum mismatch message.
const securityHint = "SECURITY ERROR: the file may have been tampered with; do not use it. " +
	"If you run your own mirror or test server, pass its public key with [sources] keyring"

// Keyring is a set of OpenPGP public keys that signatures are checked
// against.
type Keyring struct {
	entities openpgp.EntityList
	source   string
}

// EmbeddedKeyring returns the Rust release key compiled into rvendor.
func EmbeddedKeyring() *Keyring {
	k, err := ReadKeyring(bytes.NewReader(rustKey), "embedded Rust release key")
	if err != nil {
		panic("rustdist: embedded Rust key: " + err.Error())
	}
	return k
}

// ReadKeyring reads armored or binary OpenPGP public keys. source names
// them in messages.
func ReadKeyring(r io.Reader, source string) (*Keyring, error) {
	data, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("keyring %s: %w", source, err)
	}
	var el openpgp.EntityList
	if bytes.Contains(data, []byte("-----BEGIN PGP")) {
		el, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	} else {
		el, err = openpgp.ReadKeyRing(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("keyring %s: %w (keys with third-party certifications may need `gpg --export --export-options export-minimal`)", source, err)
	}
	if len(el) == 0 {
		return nil, fmt.Errorf("keyring %s: no keys", source)
	}
	return &Keyring{entities: el, source: source}, nil
}

// ReadKeyringFile reads a keyring file ([sources] keyring), which replaces
// the embedded key.
func ReadKeyringFile(path string) (*Keyring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	defer f.Close()
	return ReadKeyring(f, path)
}

// Source names where the keyring came from.
func (k *Keyring) Source() string { return k.source }

// Key describes one key of a keyring that can sign.
type Key struct {
	Fingerprint string // of the key that signs: a subkey or the primary
	Primary     string // of its primary key
	Identity    string // the primary user id, e.g. "Rust Language … <rust-key@rust-lang.org>"
}

// SigningKeys lists the keys of k that may make signatures (those flagged
// for signing, or carrying no flags), sorted as in the keyring.
func (k *Keyring) SigningKeys() []Key {
	var keys []Key
	for _, e := range k.entities {
		id := ""
		if pi := e.PrimaryIdentity(); pi != nil {
			id = pi.Name
		}
		prim := fpr(e.PrimaryKey.Fingerprint)
		if ss, _ := e.PrimarySelfSignature(); ss != nil && (!ss.FlagsValid || ss.FlagSign) {
			keys = append(keys, Key{prim, prim, id})
		}
		for _, sk := range e.Subkeys {
			if sk.Sig != nil && sk.Sig.FlagsValid && sk.Sig.FlagSign {
				keys = append(keys, Key{fpr(sk.PublicKey.Fingerprint), prim, id})
			}
		}
	}
	return keys
}

// PrimaryOf returns the primary key fingerprint of the key with
// fingerprint f in k, or "".
func (k *Keyring) PrimaryOf(f string) string {
	for _, key := range k.SigningKeys() {
		if key.Fingerprint == f {
			return key.Primary
		}
	}
	return ""
}

func fpr(b []byte) string { return strings.ToUpper(fmt.Sprintf("%x", b)) }

// VerifyDetached checks asc, an armored (or binary) detached OpenPGP
// signature, over data against k. It returns the fingerprint (40 or 64
// uppercase hex digits) of the key that made the signature: for the Rust
// key, the signing subkey RustSigningSubkey. Errors wrap ErrUnsigned (asc
// empty), ErrUnknownSigner or ErrBadSignature.
func VerifyDetached(k *Keyring, data, asc []byte) (string, error) {
	return VerifyDetachedReader(k, bytes.NewReader(data), asc)
}

// VerifyDetachedReader is VerifyDetached over a stream, for archives too
// big to hold in memory.
func VerifyDetachedReader(k *Keyring, data io.Reader, asc []byte) (string, error) {
	if len(bytes.TrimSpace(asc)) == 0 {
		return "", ErrUnsigned
	}
	sigData := asc
	if bytes.Contains(asc, []byte("-----BEGIN PGP")) {
		block, err := armor.Decode(bytes.NewReader(asc))
		if err != nil {
			return "", fmt.Errorf("%w: not an armored signature: %v", ErrBadSignature, err)
		}
		if block.Type != openpgp.SignatureType {
			return "", fmt.Errorf("%w: armor type is %q, want %q", ErrBadSignature, block.Type, openpgp.SignatureType)
		}
		if sigData, err = io.ReadAll(io.LimitReader(block.Body, MaxSigSize)); err != nil {
			return "", fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
	}
	sig, _, err := openpgp.VerifyDetachedSignature(k.entities, data, bytes.NewReader(sigData), nil)
	switch {
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		ids := issuers(sigData)
		return "", fmt.Errorf("%w %s (signature issuer %s)", ErrUnknownSigner, k.source, ids)
	case err != nil:
		return "", fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if sig.IssuerFingerprint != nil {
		return fpr(sig.IssuerFingerprint), nil
	}
	// v4 signatures without an issuer fingerprint subpacket: find the
	// key by id. A 64-bit id collision inside one keyring is refused.
	keys := k.entities.KeysByIdUsage(*sig.IssuerKeyId, packet.KeyFlagSign)
	if len(keys) != 1 {
		return "", fmt.Errorf("%w: %d keys in %s have key id %016X", ErrBadSignature, len(keys), k.source, *sig.IssuerKeyId)
	}
	return fpr(keys[0].PublicKey.Fingerprint), nil
}

// issuers returns the issuer key ids or fingerprints named by the
// signature packets in sig, for messages.
func issuers(sig []byte) string {
	var ids []string
	r := packet.NewReader(bytes.NewReader(sig))
	for {
		p, err := r.Next()
		if err != nil {
			break
		}
		s, ok := p.(*packet.Signature)
		if !ok {
			continue
		}
		switch {
		case s.IssuerFingerprint != nil:
			ids = append(ids, fpr(s.IssuerFingerprint))
		case s.IssuerKeyId != nil:
			ids = append(ids, fmt.Sprintf("%016X", *s.IssuerKeyId))
		}
	}
	if len(ids) == 0 {
		return "unknown"
	}
	return strings.Join(ids, ", ")
}

// ParseSHA256File checks a .sha256 file, which must be exactly
// "<64 lowercase hex>  <name>\n" with name the bare name of the file it
// sits beside, and returns the hex digest.
func ParseSHA256File(data []byte, name string) (string, error) {
	s := string(data)
	line, ok := strings.CutSuffix(s, "\n")
	if !ok || strings.Contains(line, "\n") {
		return "", fmt.Errorf("%s.sha256: want exactly one line ending in a newline", name)
	}
	sum, file, ok := strings.Cut(line, "  ")
	if !ok || !tree.IsSHA256Hex(sum) {
		return "", fmt.Errorf("%s.sha256: want \"<64 lowercase hex digits>  %s\", got %q", name, name, abbrevBytes(line))
	}
	if file != name {
		return "", fmt.Errorf("%s.sha256: names %q, not %q", name, file, name)
	}
	return sum, nil
}

func abbrevBytes(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}
