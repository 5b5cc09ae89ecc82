package vendorspec

import (
	"fmt"
	"net/netip"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/github/go-spdx/v2/spdxexp"
	goversion "github.com/hashicorp/go-version"

	"github.com/rvendor/rvendor/internal/lazyre"
	"github.com/rvendor/rvendor/tree"
)

// The patterns are compiled on first use: rvendor starts on every kernel
// build, and package init is paid by every command.
var (
	channelRE = lazyre.New(`^(nightly|beta)-[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

func (l ErrorList) sort() {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Pos.Line != l[j].Pos.Line {
			return l[i].Pos.Line < l[j].Pos.Line
		}
		return l[i].Pos.Col < l[j].Pos.Col
	})
}

func validate(s *Spec, d *decoder) {
	top := Position{File: d.file, Line: 1, Col: 1}
	switch s.Version {
	case SpecVersion:
	case 0:
		d.errorf(top, "add version = 1 at the top", "version is missing")
	default:
		d.errorf(top, "write version = 1", "spec version %d is not supported (this rvendor reads version %d)", s.Version, SpecVersion)
	}
	validateToolchain(&s.Toolchain, d)
	validateSources(&s.Sources, d)
	validatePolicy(s, d)

	names := map[string]*Component{}
	for i, c := range s.Components {
		validateComponent(c, i, d)
		if prev, dup := names[c.Name]; dup && c.Name != "" {
			d.errorf(c.Pos.At("name"), "give each component its own name",
				"component name %q is already used at line %d", c.Name, prev.Pos.At("name").Line)
		}
		names[c.Name] = c
	}
	// No dest may hold another; none may hold the spec's folder files.
	for i, a := range s.Components {
		if a.Dest == "" {
			continue
		}
		for _, b := range s.Components[i+1:] {
			if b.Dest == "" {
				continue
			}
			if Within(a.Dest, b.Dest) || Within(b.Dest, a.Dest) {
				d.errorf(b.Pos.At("dest"), "give each component a folder of its own, neither inside the other",
					"dest %q of %s overlaps dest %q of %s (line %d)", b.Dest, b.Name, a.Dest, a.Name, a.Pos.At("dest").Line)
			}
		}
	}
	// A patch queue or lockfile inside another component's dest would be
	// replaced by that component's next update.
	for _, a := range s.Components {
		for _, b := range s.Components {
			if a == b || b.Dest == "" {
				continue
			}
			for key, p := range map[string]string{"patches": a.Patches, "lockfile": a.Lockfile} {
				if p != "" && (Within(p, b.Dest) || Within(b.Dest, p)) {
					d.errorf(a.Pos.At(key), "keep it outside every component's dest",
						"component %s: %s %q overlaps dest %q of %s, which updates replace", a.Name, key, p, b.Dest, b.Name)
				}
			}
		}
	}
}

func validateToolchain(t *Toolchain, d *decoder) {
	check := func(key, val string, exactOK bool) {
		if val == "" {
			return
		}
		if exactOK {
			if _, err := goversion.NewVersion(val); err == nil {
				return
			}
		}
		if _, err := goversion.NewConstraint(val); err != nil {
			d.errorf(t.Pos.At(key), `write an exact version such as "1.78.0" or a constraint such as ">= 1.78.0"`,
				"%s = %q is neither a version nor a version constraint", key, val)
		}
	}
	check("rustc", t.Rustc, true)
	check("bindgen", t.Bindgen, true)
	check("libclang", t.Libclang, true)
}

func validateSources(s *Sources, d *decoder) {
	if s.RustDist != "" {
		checkURL(d, s.Pos.At("rust-dist"), "rust-dist", s.RustDist, `such as "https://static.rust-lang.org" or "file:///srv/rust-mirror"`)
	}
	if s.CratesIndex != "" {
		u := strings.TrimPrefix(s.CratesIndex, "sparse+")
		checkURL(d, s.Pos.At("crates-index"), "crates-index", u, `such as "sparse+https://index.crates.io/"`)
	}
	for i, m := range s.Mirrors {
		checkURL(d, s.Pos.At(fmt.Sprintf("mirrors[%d]", i)), "mirrors", m, `such as "https://mirror.example.org/rust" or "file:///srv/mirror"`)
	}
	if s.Keyring != "" && strings.Contains(s.Keyring, "\n") {
		d.errorf(s.Pos.At("keyring"), "write the path of an OpenPGP keyring file", "keyring is not a path")
	}
}

// checkURL accepts https:// and file:// URLs, and http:// only to a
// loopback host.
func checkURL(d *decoder, pos Position, key, raw, example string) {
	u, err := url.Parse(raw)
	if err != nil {
		d.errorf(pos, "write a URL "+example, "%s %q is not a URL: %v", key, raw, err)
		return
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			d.errorf(pos, "write a URL "+example, "%s %q has no host", key, raw)
		}
	case "file":
		if u.Path == "" || !path.IsAbs(u.Path) {
			d.errorf(pos, `write file:///absolute/path`, "%s %q is not an absolute file:// URL", key, raw)
		}
	case "http":
		if !IsLoopback(u.Hostname()) {
			d.errorf(pos, "use https:// (plain http:// is allowed only to a loopback address)",
				"%s %q uses plain http to a remote host", key, raw)
		}
	default:
		d.errorf(pos, "write a URL "+example, "%s %q: scheme %q is not supported (https:// or file://)", key, raw, u.Scheme)
	}
}

// IsLoopback reports whether host (a name or address, no port) is a
// loopback address or "localhost".
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.IsLoopback()
}

// validateComponent checks the i-th component. A name or kind written
// with a value of the wrong type was reported by the decoder, and the
// component is not checked further; an empty one is an error.
func validateComponent(c *Component, i int, d *decoder) {
	what, ok := validateName(c, i, d)
	if !ok || !validateKind(c, what, d) {
		return
	}
	validateVersion(c, what, d)
	validateKindKeys(c, what, d)
	switch c.Kind {
	case KindArchive:
		validateArchive(c, what, d)
	case KindCrate:
		validateCrate(c, what, d)
	}
	validateSelection(c, what, d)
	validateDest(c, what, d)
	if c.License != "" {
		validateLicense(c.License, c.Pos.At("license"), what+": license", d)
	}
	validateTransforms(c, what, d)
}

// validateTransforms checks role, spdx-header and readme.
func validateTransforms(c *Component, what string, d *decoder) {
	if c.Role != "" && !slices.Contains(Roles(), c.Role) {
		d.errorf(c.Pos.At("role"), `write role = "built-in" (compiled into the kernel; the default) or "host-tool" (runs on the build machine only)`,
			"%s: unknown role %q", what, c.Role)
	}
	if c.SPDXHeader != "" {
		if c.Kind == KindCrate {
			d.errorf(c.Pos.At("spdx-header"), "remove spdx-header: each crate carries its own license, and cargo checks every vendored file against .cargo-checksum.json",
				"%s: spdx-header cannot be used with kind = \"crate\"", what)
		} else {
			validateLicense(c.SPDXHeader, c.Pos.At("spdx-header"), what+": spdx-header", d)
		}
	}
	if c.Readme && c.Kind == KindCrate {
		d.errorf(c.Pos.At("readme"), "remove readme: a crate component's dest is a cargo directory source, which holds crate folders only",
			"%s: readme cannot be used with kind = \"crate\"", what)
	}
}

// written reports whether key is written in the table, whatever its value.
func (p Positions) written(key string) bool {
	_, ok := p[key]
	return ok
}

// validateName checks the component's name and returns how messages name
// the component ("component NAME", or "component N" when it has none).
// It returns false when the name is written with a value of the wrong type.
func validateName(c *Component, i int, d *decoder) (what string, ok bool) {
	at := c.Pos.At
	if c.Name == "" {
		if d.badType(c.Pos, "name") {
			return "", false
		}
		what = fmt.Sprintf("component %d", i+1)
		if c.Pos.written("name") {
			d.errorf(at("name"), `write a name of lowercase letters, digits and -, such as "rust-library"`, "%s: name is empty", what)
		} else {
			d.errorf(at("name"), `add name = "..." (lowercase letters, digits and -)`, "%s has no name", what)
		}
		return what, true
	}
	if !validName(c.Name) {
		d.errorf(at("name"), `use lowercase letters, digits and -, such as "rust-library"`, "component name %q is not valid", c.Name)
	}
	return "component " + c.Name, true
}

// validateKind reports whether the component's kind is one rvendor knows,
// reporting a missing or unknown one.
func validateKind(c *Component, what string, d *decoder) bool {
	at := c.Pos.At
	switch c.Kind {
	case KindRustSrc, KindRustcSrc, KindCrate, KindArchive:
		return true
	case "":
		switch {
		case d.badType(c.Pos, "kind"):
		case c.Pos.written("kind"):
			d.errorf(at("kind"), `write "rust-src", "rustc-src", "crate" or "archive"`, "%s: kind is empty", what)
		default:
			d.errorf(at("kind"), `add kind = "rust-src", "rustc-src", "crate" or "archive"`, "%s has no kind", what)
		}
	default:
		d.errorf(at("kind"), `write "rust-src", "rustc-src", "crate" or "archive"`, "%s: unknown kind %q", what, c.Kind)
	}
	return false
}

// validateKindKeys refuses the keys of one kind written for another.
func validateKindKeys(c *Component, what string, d *decoder) {
	onlyFor := func(key, val, kind string) {
		if val != "" && c.Kind != kind {
			d.errorf(c.Pos.At(key), "remove it", "%s: %s is only for kind %q, not %q", what, key, kind, c.Kind)
		}
	}
	onlyFor("url", c.URL, KindArchive)
	onlyFor("sha256", c.SHA256, KindArchive)
	onlyFor("crate", c.Crate, KindCrate)
	onlyFor("lockfile", c.Lockfile, KindCrate)
	if len(c.Platforms) > 0 && c.Kind != KindCrate {
		d.errorf(c.Pos.At("platforms"), "remove it", "%s: platforms is only for kind \"crate\"", what)
	}
}

// validateArchive checks an archive component's url and sha256.
func validateArchive(c *Component, what string, d *decoder) {
	at := c.Pos.At
	if c.URL == "" && !c.Pos.written("url") {
		d.errorf(at(""), `add url = "https://..." or "file:///..."`, "%s: kind archive needs url", what)
	} else {
		checkURL(d, at("url"), "url", c.URL, `such as "https://example.org/demo-1.2.0.tar.gz"`)
		if _, ok := archiveFormat(c.URL); !ok {
			d.errorf(at("url"), "point url at a .tar.gz, .tar.xz or .tar.zst file", "%s: url %q is not a .tar.gz, .tar.xz or .tar.zst archive", what, c.URL)
		}
	}
	switch {
	case c.SHA256 == "" && d.badType(c.Pos, "sha256"):
	case c.SHA256 == "" && !c.Pos.written("sha256"):
		d.errorf(at(""), `add sha256 = "<64 hex digits>" from the upstream's published checksum`, "%s: kind archive needs sha256", what)
	case !tree.IsSHA256Hex(c.SHA256):
		d.errorf(at("sha256"), "write the 64 lowercase hex digits that sha256sum prints", "%s: sha256 %q is not a SHA-256 hex digest", what, c.SHA256)
	}
}

// validateCrate defaults a crate component's crate to its name and
// checks its lockfile.
func validateCrate(c *Component, what string, d *decoder) {
	at := c.Pos.At
	if c.Crate == "" {
		c.Crate = c.Name
	}
	if c.Lockfile != "" && checkRelPath(d, at("lockfile"), what, "lockfile", c.Lockfile, treePath, "keep the lockfile in the tree, outside rvendor's files") {
		if c.Dest != "" && Within(c.Lockfile, c.Dest) {
			d.errorf(at("lockfile"), "keep the lockfile outside dest, which updates replace (dest gets its own copy of the closure's Cargo.lock)",
				"%s: lockfile %q is inside dest %q", what, c.Lockfile, c.Dest)
		}
	}
}

// validateSelection checks root, paths and exclude, defaulting root:
// "library" for the Rust kinds, the paths' common top folder for an
// archive.
func validateSelection(c *Component, what string, d *decoder) {
	at := c.Pos.At
	if c.Kind == KindRustSrc || c.Kind == KindRustcSrc {
		if c.Root == "" {
			c.Root = "library"
		}
		switch {
		case len(c.Paths) > 0 || d.badType(c.Pos, "paths"):
		case c.Pos.written("paths"):
			d.errorf(at("paths"), `list the parts to take, such as paths = ["library/core", "library/alloc"]`, "%s: paths is empty (which parts of the Rust source to take)", what)
		default:
			d.errorf(at(""), `add paths = ["library/core", "library/alloc"]`, "%s: paths is missing (which parts of the Rust source to take)", what)
		}
	}
	for i, p := range c.Paths {
		checkRelPath(d, at(fmt.Sprintf("paths[%d]", i)), what, "paths", p, sourcePath, "")
	}
	if c.Kind == KindArchive && c.Root == "" {
		c.Root = commonTop(c.Paths)
		if c.Root == "" && len(c.Paths) > 1 {
			d.errorf(at("paths"), `add root = "<folder>" naming the archive folder that dest mirrors`,
				"%s: paths lie under different top-level folders, so root must be set", what)
		}
	}
	if c.Root != "" {
		checkRelPath(d, at("root"), what, "root", c.Root, sourcePath, "")
		for i, p := range c.Paths {
			if !Within(p, c.Root) {
				d.errorf(at(fmt.Sprintf("paths[%d]", i)), fmt.Sprintf("write a path that starts with %q", c.Root+"/"),
					"%s: path %q is not under root %q", what, p, c.Root)
			}
		}
	}
	// fetch.MaxExcludePatterns and fetch.MaxPatternLen (fetch imports
	// this package; a test of fetch checks that the numbers agree).
	const maxExclude, maxPatternLen = 256, 1024
	if len(c.Exclude) > maxExclude {
		d.errorf(at("exclude"), `exclude whole folders ("library/core/tests") or use "**" ("**/*.md") rather than listing files one by one`,
			"%s: exclude has %d patterns, over the limit of %d", what, len(c.Exclude), maxExclude)
	}
	for i, g := range c.Exclude {
		if len(g) > maxPatternLen {
			d.errorf(at(fmt.Sprintf("exclude[%d]", i)), `shorten it: name the folder to leave out, with * or ** for the parts that vary`,
				"%s: exclude pattern %.40q... is %d bytes long, over the limit of %d", what, g, len(g), maxPatternLen)
		} else if why, fix := checkPattern(g); why != "" {
			d.errorf(at(fmt.Sprintf("exclude[%d]", i)), fix, "%s: exclude pattern %q is not valid: it %s", what, g, why)
		}
	}
}

// validateDest checks dest and the patch queue folder, which must lie
// outside it.
func validateDest(c *Component, what string, d *decoder) {
	at := c.Pos.At
	if c.Dest == "" && !c.Pos.written("dest") {
		d.errorf(at(""), `add dest = "rust/vendor/..." (a folder inside the tree)`, "%s has no dest", what)
	} else {
		checkRelPath(d, at("dest"), what, "dest", c.Dest, treePath, "choose a folder of its own, such as rust/vendor/"+c.Name)
	}
	if c.Patches != "" && checkRelPath(d, at("patches"), what, "patches", c.Patches, treePath,
		"keep the patch queue in a folder of its own, such as rust/vendor/patches/"+c.Name) {
		if c.Dest != "" && Within(c.Patches, c.Dest) {
			d.errorf(at("patches"), "keep the patch queue outside dest, such as rust/vendor/patches/"+c.Name,
				"%s: patches %q is inside dest %q, where updates would overwrite it", what, c.Patches, c.Dest)
		}
	}
}

// checkRelPath reports whether p is a path of kind k (checkPath), and
// reports an error at pos if not. reservedFix, if set, replaces the hint
// for a reserved tree path.
func checkRelPath(d *decoder, pos Position, what, key, p string, k pathKind, reservedFix string) bool {
	why, fix := checkPath(p, k)
	if why == "" {
		return true
	}
	if k == treePath && reservedFix != "" && ReservedPath(p) == why {
		fix = reservedFix
	}
	d.errorf(pos, fix, "%s: %s %q %s", what, key, p, why)
	return false
}

// commonTop returns the first element that all paths share, or "".
func commonTop(paths []string) string {
	top := ""
	for i, p := range paths {
		first, _, _ := strings.Cut(p, "/")
		if i == 0 {
			top = first
		} else if first != top {
			return ""
		}
	}
	return top
}

func archiveFormat(u string) (string, bool) {
	if pu, err := url.Parse(u); err == nil {
		u = pu.Path
	}
	for _, ext := range []string{".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.zst", ".tzst"} {
		if strings.HasSuffix(u, ext) {
			return ext, true
		}
	}
	return "", false
}

// validateVersion requires an exact version. Ranges are refused: a
// vendored tree is one version, and the lock could not say which.
func validateVersion(c *Component, what string, d *decoder) {
	at := c.Pos.At("version")
	v := c.Version
	switch {
	case v != "":
	case d.badType(c.Pos, "version"):
		return
	case c.Pos.written("version"):
		d.errorf(at, `write an exact version, such as "1.78.0"`, "%s: version is empty", what)
		return
	default:
		d.errorf(c.Pos.At(""), `add version = "1.78.0" (an exact version)`, "%s has no version", what)
		return
	}
	isRange := strings.ContainsAny(v, "^~<>=*, |") || strings.HasSuffix(v, ".x")
	if isRange {
		d.errorf(at, `pin one exact version, such as "1.78.0": a vendored tree holds one version, and a range would let the same spec vendor different code`,
			"%s: version %q is a range", what, v)
		return
	}
	switch c.Kind {
	case KindRustSrc, KindRustcSrc:
		if !rustVersion(v) {
			d.errorf(at, `write a stable release such as "1.78.0" or a dated channel such as "nightly-2024-05-01"`,
				"%s: version %q is not a Rust release", what, v)
		}
	case KindCrate:
		if !isSemver(v) {
			d.errorf(at, `write the exact crate version, such as "0.65.1"`, "%s: version %q is not a crate version", what, v)
		}
	default:
		if strings.ContainsAny(v, "/\n\x00") {
			d.errorf(at, `write the upstream's version, such as "1.2.0"`, "%s: version %q is not valid", what, v)
		}
	}
}

// rustVersion reports whether v is a Rust version exactly as
// fetch/rustdist.ParseVersion reads it: a stable release ("1.78.0", no
// leading zeros, no suffix) or "nightly-" or "beta-" and a real date.
// rustdist imports this package, so the grammar is repeated here; its
// FuzzParseVersion keeps the two equal.
func rustVersion(v string) bool {
	if isRustRelease(v) {
		return true
	}
	if !channelRE().MatchString(v) {
		return false
	}
	_, date, _ := strings.Cut(v, "-")
	_, err := time.Parse(time.DateOnly, date)
	return err == nil
}

// validateLicense checks the SPDX expression lic written at at; what
// names it in messages ("component alloc: license").
func validateLicense(lic string, at Position, what string, d *decoder) {
	hint := `write an SPDX expression such as "MIT OR Apache-2.0" (see https://spdx.org/licenses/)`
	if strings.Contains(lic, "/") && !strings.Contains(lic, " ") {
		hint = fmt.Sprintf("write %q: the slash form is Cargo's old syntax, not SPDX", strings.ReplaceAll(lic, "/", " OR "))
	}
	if _, err := spdxexp.ExtractLicenses(lic); err != nil {
		d.errorf(at, hint, "%s %q is not a valid SPDX expression: %v", what, lic, err)
		return
	}
	if ok, bad := spdxexp.ValidateLicenses([]string{lic}); !ok {
		d.errorf(at, hint, "%s %q is not a valid SPDX expression (unknown: %s)", what, lic, strings.Join(bad, ", "))
	}
}
