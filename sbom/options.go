package sbom

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rvendor/rvendor/internal/lazyre"
)

// Formats and spec versions.
const (
	FormatSPDX      = "spdx-json"
	FormatCycloneDX = "cyclonedx-json"

	CycloneDX15 = "1.5"
	CycloneDX16 = "1.6"
)

// Options configure Marshal.
type Options struct {
	Format      string // FormatSPDX or FormatCycloneDX
	SpecVersion string // CycloneDX's: CycloneDX16 (the default) or CycloneDX15
	// Created is the document's creation time; the zero time means the
	// Unix epoch.
	Created time.Time
	// Namespace is the SPDX document namespace, Serial the CycloneDX
	// serial number (urn:uuid:...); when empty, each is derived from the
	// document's content (see the package documentation).
	Namespace, Serial string
	// ToolVersion is rvendor's version, named as the document's creator.
	ToolVersion string
	// Advisories, when set, names the RustSec advisory database the
	// tree was checked against, in the document.
	Advisories *AdvisoryDB
}

// AdvisoryDB is the advisory database an SBOM names: its git commit and
// dates (no path: the document must not depend on the machine).
type AdvisoryDB struct {
	Commit     string
	CommitDate time.Time // zero when unknown
	Newest     time.Time // the newest advisory's date
}

// properties are the database's facts as name/value pairs, in a fixed
// order, for an SPDX annotation or CycloneDX properties.
func (a *AdvisoryDB) properties() [][2]string {
	var out [][2]string
	if a.Commit != "" {
		out = append(out, [2]string{"rvendor:advisory-db-commit", a.Commit})
	}
	if !a.CommitDate.IsZero() {
		out = append(out, [2]string{"rvendor:advisory-db-commit-date", a.CommitDate.UTC().Format(time.DateOnly)})
	}
	if !a.Newest.IsZero() {
		out = append(out, [2]string{"rvendor:advisory-db-newest", a.Newest.UTC().Format(time.DateOnly)})
	}
	return out
}

// OptionError is an option that cannot be used.
type OptionError struct{ Msg string }

// Error returns the message.
func (e *OptionError) Error() string { return e.Msg }

var serialRE = lazyre.New(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Check refuses options that do not go together or are malformed.
func (o *Options) Check() error {
	switch o.Format {
	case FormatSPDX:
		if o.SpecVersion != "" && o.SpecVersion != "2.3" {
			return &OptionError{"spdx-json is SPDX 2.3: --spec-version " + o.SpecVersion + " applies to cyclonedx-json only"}
		}
		if o.Serial != "" {
			return &OptionError{"--serial is CycloneDX's serial number: with spdx-json, give --namespace"}
		}
		if o.Namespace != "" && (!strings.Contains(o.Namespace, ":") || strings.Contains(o.Namespace, "#") || strings.ContainsAny(o.Namespace, " \t\n")) {
			return &OptionError{fmt.Sprintf("--namespace %q is not an absolute URI without a fragment (#)", o.Namespace)}
		}
	case FormatCycloneDX:
		switch o.SpecVersion {
		case "", CycloneDX16, CycloneDX15:
		default:
			return &OptionError{"--spec-version " + o.SpecVersion + ": rvendor writes CycloneDX 1.6 or 1.5"}
		}
		if o.Namespace != "" {
			return &OptionError{"--namespace is SPDX's document namespace: with cyclonedx-json, give --serial"}
		}
		if o.Serial != "" && !serialRE().MatchString(o.Serial) {
			return &OptionError{fmt.Sprintf("--serial %q is not urn:uuid: and a lowercase RFC 9562 UUID", o.Serial)}
		}
	default:
		return &OptionError{fmt.Sprintf("format %q: use spdx-json or cyclonedx-json", o.Format)}
	}
	return nil
}

// ParseEpoch reads SOURCE_DATE_EPOCH: a decimal count of seconds since
// the Unix epoch, as reproducible-builds.org defines it.
func ParseEpoch(s string) (time.Time, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 || n > 253402300799 {
		return time.Time{}, &OptionError{fmt.Sprintf("SOURCE_DATE_EPOCH=%q is not a count of seconds since 1970 (before year 10000)", s)}
	}
	return time.Unix(n, 0).UTC(), nil
}

// stamp formats t as both formats write times: UTC, to the second.
func stamp(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// urlNamespace is RFC 9562's namespace UUID for URLs,
// 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
const urlNamespace = "\x6b\xa7\xb8\x11\x9d\xad\x11\xd1\x80\xb4\x00\xc0\x4f\xd4\x30\xc8"

// ContentUUID returns the version 5 UUID (URL namespace) of the hex
// SHA-256 of data: the same as `uuid -v5 ns:URL $(sha256sum FILE | cut
// -c1-64)`.
func ContentUUID(data []byte) string {
	sum := sha256.Sum256(data)
	h := sha1.New()
	h.Write([]byte(urlNamespace))
	h.Write([]byte(hex.EncodeToString(sum[:])))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// idSet hands out identifiers that are unique in one document: the
// wanted one, made of allowed characters only, with "-2", "-3"... added
// on a collision. It is deterministic for the same sequence of calls.
type idSet struct {
	used  map[string]bool
	allow func(r rune) bool
}

func newIDSet(allow func(rune) bool) *idSet {
	return &idSet{used: map[string]bool{}, allow: allow}
}

func (s *idSet) make(want string) string {
	b := []rune(want)
	for i, r := range b {
		if !s.allow(r) {
			b[i] = '-'
		}
	}
	id := string(b)
	for n := 2; s.used[id]; n++ {
		id = string(b) + "-" + strconv.Itoa(n)
	}
	s.used[id] = true
	return id
}

// spdxIDChar is SPDX's idstring alphabet: letters, digits, "." and "-".
func spdxIDChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-'
}

// anyChar allows every character (CycloneDX bom-refs are free text).
func anyChar(rune) bool { return true }

// Marshal renders s in the format o names.
func Marshal(s *Source, o Options) ([]byte, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	if o.Format == FormatSPDX {
		return SPDX(s, o)
	}
	return CycloneDX(s, o)
}
