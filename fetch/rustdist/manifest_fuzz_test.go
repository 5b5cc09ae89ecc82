package rustdist_test

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/rvendor/rvendor/fetch/rustdist"
	"github.com/rvendor/rvendor/internal/tomltest"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// The seeds of FuzzParseChannelManifest, in testdata/fuzz, are the
// channel manifests internal/distserver builds from Debian's Rust 1.63.0
// and 1.96.0 sources (as the official server writes them, with and
// without [artifacts.source-code], naming static.rust-lang.org or the
// server itself), and the fragments of rustdist_test.go.

var fzHex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// FuzzParseChannelManifest parses arbitrary bytes as a channel manifest.
// It checks that a refusal says it is about the channel manifest; that
// an accepted manifest has a real YYYY-MM-DD date and, for every
// available target and source-code artifact, archives with a URL and a
// 64-hex sha256 (or none at all); that Target answers only with an
// available target that has an archive; and that the manifest, written
// back as TOML, parses to the same Manifest.
func FuzzParseChannelManifest(f *testing.F) {
	f.Add([]byte("manifest-version = \"2\"\ndate = \"2022-08-11\"\n[pkg.rust-src]\nversion = \"1.63.0 (x)\"\n[pkg.rust-src.target.\"*\"]\navailable = false\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := rustdist.ParseManifest(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "channel manifest: ") {
				t.Errorf("error %q does not say it is about the channel manifest", err)
			}
			return
		}
		if _, err := time.Parse(time.DateOnly, m.Date); err != nil {
			t.Errorf("date %q accepted", m.Date)
		}
		checkArchive := func(where string, a rustdist.Archive) {
			if (a.URL != "" || a.SHA256 != "") && (a.URL == "" || !fzHex64.MatchString(a.SHA256)) {
				t.Errorf("%s: archive %+v accepted", where, a)
			}
			if ft := a.Format(); ft != "" && ft != "tar.gz" && ft != "tar.xz" {
				t.Errorf("%s: format %q", where, ft)
			}
		}
		for name, p := range m.Pkgs {
			if p.Name != name {
				t.Errorf("package %q is named %q", name, p.Name)
			}
			for triple, tg := range p.Targets {
				if tg.Available {
					checkArchive(name+" "+triple, tg.GZ)
					checkArchive(name+" "+triple, tg.XZ)
				}
				p2, tg2, err := m.Target(name, triple)
				switch {
				case err == nil && (p2 != p || tg2 != tg || !tg.Available || tg.GZ.URL == "" && tg.XZ.URL == ""):
					t.Errorf("Target(%q, %q) = %+v, an unavailable target or one without an archive", name, triple, tg2)
				case err != nil && tg.Available && (tg.GZ.URL != "" || tg.XZ.URL != ""):
					t.Errorf("Target(%q, %q): %v, but it is available", name, triple, err)
				}
			}
		}
		for _, a := range m.SourceCode {
			if a.URL == "" {
				t.Errorf("source-code archive without url accepted")
			}
			checkArchive("source-code", a)
		}
		m2, err := rustdist.ParseManifest(fzMarshalManifest(t, m))
		if err != nil {
			t.Fatalf("the manifest written back does not parse: %v\n%s", err, fzMarshalManifest(t, m))
		}
		if !reflect.DeepEqual(m, m2) {
			t.Errorf("the manifest written back reads differently:\n%+v\n%+v", m, m2)
		}
	})
}

// fzMarshalManifest writes m as a channel manifest.
func fzMarshalManifest(t *testing.T, m *rustdist.Manifest) []byte {
	type target struct {
		Available bool   `toml:"available"`
		URL       string `toml:"url,omitempty"`
		Hash      string `toml:"hash,omitempty"`
		XzURL     string `toml:"xz_url,omitempty"`
		XzHash    string `toml:"xz_hash,omitempty"`
	}
	type pkg struct {
		Version       string            `toml:"version"`
		GitCommitHash string            `toml:"git_commit_hash"`
		Target        map[string]target `toml:"target"`
	}
	type item struct {
		URL  string `toml:"url"`
		Hash string `toml:"hash-sha256"`
	}
	raw := struct {
		ManifestVersion string                                  `toml:"manifest-version"`
		Date            string                                  `toml:"date"`
		Pkg             map[string]pkg                          `toml:"pkg"`
		Artifacts       map[string]map[string]map[string][]item `toml:"artifacts,omitempty"`
	}{ManifestVersion: "2", Date: m.Date, Pkg: map[string]pkg{}}
	for name, p := range m.Pkgs {
		rp := pkg{Version: p.Version, GitCommitHash: p.GitCommitHash, Target: map[string]target{}}
		for triple, tg := range p.Targets {
			rp.Target[triple] = target{tg.Available, tg.GZ.URL, tg.GZ.SHA256, tg.XZ.URL, tg.XZ.SHA256}
		}
		raw.Pkg[name] = rp
	}
	if m.SourceCode != nil {
		var items []item
		for _, a := range m.SourceCode {
			items = append(items, item{a.URL, a.SHA256})
		}
		raw.Artifacts = map[string]map[string]map[string][]item{"source-code": {"target": {"*": items}}}
	}
	out, err := toml.Marshal(raw)
	if err != nil {
		t.Fatalf("writing the manifest back: %v", err)
	}
	return out
}

// FuzzParseVersion parses arbitrary Rust versions as a spec writes them.
// It checks that rustdist reads exactly the versions the spec accepts for
// a rust-src component (one that validates in rvendor.toml but that
// rustdist refuses would only be found at update time), and that an
// accepted version prints back as given (String) and has the manifest
// path of its channel.
func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"1.63.0", "1.78.0", "1.96.0", "nightly-2024-05-01", "beta-2024-05-01", "stable", "1.78", "01.78.0", "nightly-2024-02-30", "1.80.0-beta.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := rustdist.ParseVersion(s)
		if q, ok := tomltest.String(s); ok {
			spec := "version = 1\n[[component]]\nname = \"rust-library\"\nkind = \"rust-src\"\nversion = " + q + "\npaths = [\"library/core\"]\ndest = \"rust/vendor/library\"\n"
			if _, serr := vendorspec.Parse("rvendor.toml", []byte(spec)); (serr == nil) != (err == nil) {
				t.Errorf("version %q: rustdist says %v, the spec says %v", s, err, serr)
			}
		}
		if err != nil {
			if !strings.Contains(err.Error(), "rust version") {
				t.Errorf("error %q does not say what it is about", err)
			}
			return
		}
		if v.String() != s {
			t.Errorf("ParseVersion(%q).String() = %q", s, v.String())
		}
		want := "/dist/channel-rust-" + s + ".toml"
		if v.Channel != rustdist.Stable {
			if v.Channel != rustdist.Nightly && v.Channel != rustdist.Beta || v.Release != "" {
				t.Errorf("%q: %+v", s, v)
			}
			want = "/dist/" + v.Date + "/channel-rust-" + v.Channel + ".toml"
		}
		if v.ManifestPath() != want || v.ManifestURL("") != rustdist.DefaultRoot+want {
			t.Errorf("%q: manifest path %q, want %q", s, v.ManifestPath(), want)
		}
	})
}

// FuzzParseSHA256File parses arbitrary .sha256 files. An accepted file
// is exactly "<64 lowercase hex>  <name>\n" and the digest returned is
// its first 64 bytes.
func FuzzParseSHA256File(f *testing.F) {
	f.Add([]byte("dcb6ad97081473cb2b95a4d574e2adcb35a088210a833b6f7e80f467d4c60da0  channel-rust-1.96.0.toml\n"), "channel-rust-1.96.0.toml")
	f.Add([]byte("951e86a08c0db01004e6d235e032806df96c1e8ca6ebba53359660601d754d1a  rust-src-1.63.0.tar.gz\n"), "rust-src-1.63.0.tar.gz")
	f.Add([]byte("951e86a08c0db01004e6d235e032806df96c1e8ca6ebba53359660601d754d1a *rust-src-1.63.0.tar.gz\n"), "rust-src-1.63.0.tar.gz")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		sum, err := rustdist.ParseSHA256File(data, name)
		if err != nil {
			if !strings.HasPrefix(err.Error(), name+".sha256: ") {
				t.Errorf("error %q does not name %s.sha256", err, name)
			}
			return
		}
		if !fzHex64.MatchString(sum) || string(data) != sum+"  "+name+"\n" {
			t.Errorf("%q accepted for %q, digest %q", data, name, sum)
		}
	})
}
