package distserver

import (
	"bytes"
	"crypto"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/rvendor/rvendor/fetch/rustdist"
)

// Fault is a misbehaviour the server can show on one path.
type Fault int

const (
	OK        Fault = iota // no fault: answer normally
	Status500              // answer 500 Internal Server Error
	NotFound               // answer 404, as if the file did not exist
	Truncate               // send the full Content-Length, then half the body, then close
	Stall                  // send half the body, then wait Options.StallFor (or until the client gives up), then close
	Corrupt                // flip one byte of the body (a wrong hash, or a bad signature for .asc)
	WrongKey               // .asc only: a valid signature made by another key
	BadSig                 // .asc only: a signature by the right key over other data
	Redirect               // 302 to the same path on another loopback host
)

// Options configure New.
type Options struct {
	// Library is the library/ folder the archives of Version are built
	// from: realdata.RustSrc163(t) for 1.63.0. Required unless Versions
	// is set; when both are set the server serves all of them.
	Library string
	// Version is the release built from Library: a key of Releases;
	// default "1.63.0".
	Version string
	// FullLibrary puts all of Library in the archives; by default only
	// DefaultSubset, which keeps the test fast.
	FullLibrary bool
	// Versions are further releases served from the same root, each
	// built from its own library/ folder, e.g. 1.63.0 and 1.96.0 for
	// adopt --guess and update --to.
	Versions []VersionSpec
	// TLS serves https (Server.Client trusts it); else loopback http.
	TLS bool
	// OwnURLs makes manifests name the server's own URLs; by default
	// they name https://static.rust-lang.org/… as a verbatim mirror of
	// the official manifest does.
	OwnURLs bool
	// SourceArtifacts adds [artifacts.source-code] to the manifests
	// (newer manifests have it; the real 1.63.0 one does not).
	SourceArtifacts bool
	// RealOrig, when set, is the real upstream tarball of Version
	// (realdata.RustcOrig163 for 1.63.0) served, signed, as
	// /dist/rustc-VERSION-src.tar.xz in place of the built one.
	RealOrig string
	// StallFor bounds a Stall; 0 means 2s.
	StallFor time.Duration
}

// VersionSpec is one release a server serves.
type VersionSpec struct {
	// Version names a release of Releases. Release, when its Version is
	// set, is used instead, for a release Releases does not know.
	Version string
	Release Release
	// Library is the library/ folder the archives are built from.
	// Required.
	Library string
	// Subset is the part of Library the archives hold, as slash paths
	// relative to it; nil means DefaultSubset and {"."} everything.
	Subset []string
}

// release returns the Release v names.
func (v VersionSpec) release() (Release, error) {
	if v.Release.Version != "" {
		if v.Version != "" && v.Version != v.Release.Version {
			return Release{}, fmt.Errorf("distserver: VersionSpec names %s and a Release of %s", v.Version, v.Release.Version)
		}
		return v.Release, nil
	}
	r, ok := Releases[v.Version]
	if !ok {
		return Release{}, fmt.Errorf("distserver: release %q is not one of Releases; set VersionSpec.Release", v.Version)
	}
	return r, nil
}

// Server is a loopback Rust distribution server laid out like
// static.rust-lang.org, serving each release of its Options (by default
// Rust 1.63.0) built from real sources. For 1.63.0 (DATE is each
// release's Release.Date, 2022-08-11 for 1.63.0):
//
//	/dist/channel-rust-1.63.0.toml{,.sha256,.asc}
//	/dist/DATE/channel-rust-1.63.0.toml{,.sha256,.asc}
//	/dist/DATE/rust-src-1.63.0.tar.{gz,xz}{,.sha256,.asc}
//	/dist/DATE/rustc-1.63.0-src.tar.{gz,xz}{,.sha256,.asc}
//	/dist/rustc-1.63.0-src.tar.{gz,xz}{,.sha256,.asc}
//
// Every .asc is made by a test key generated per server (Key, KeyringFile).
type Server struct {
	URL    string       // root, no trailing slash
	Client *http.Client // a client that trusts the server
	// Key is the signing key; Other is a second key for WrongKey.
	Key, Other *openpgp.Entity
	// PublicKey is Key's armored public key; KeyringFile holds it.
	PublicKey   []byte
	KeyringFile string
	// Archives maps a served path to the archive on disk.
	Archives map[string]Archive
	// Releases are the releases served, in the order of Options
	// (Version first, then Versions).
	Releases []Release

	srv, other *httptest.Server
	stallFor   time.Duration

	mu       sync.Mutex
	files    map[string][]byte // small files by path
	faults   map[string]Fault
	requests []string
}

// New builds the archives (once per process) and starts the server; it is
// closed when t ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	var specs []VersionSpec
	if opts.Library != "" {
		v := VersionSpec{Version: opts.Version, Library: opts.Library}
		if v.Version == "" {
			v.Version = Version
		}
		if opts.FullLibrary {
			v.Subset = []string{"."}
		}
		specs = append(specs, v)
	} else if opts.Version != "" || opts.FullLibrary || opts.RealOrig != "" {
		t.Fatal("distserver: Options.Version, FullLibrary and RealOrig need Options.Library")
	}
	specs = append(specs, opts.Versions...)
	if len(specs) == 0 {
		t.Fatal("distserver: Options.Library (or Versions) is required")
	}
	type built struct {
		rel  Release
		arch map[string]Archive
	}
	var releases []built
	seen := map[string]bool{}
	for _, v := range specs {
		rel, err := v.release()
		if err != nil {
			t.Fatal(err)
		}
		if v.Library == "" {
			t.Fatalf("distserver: release %s has no Library", rel.Version)
		}
		if seen[rel.Version] {
			t.Fatalf("distserver: release %s is served twice", rel.Version)
		}
		seen[rel.Version] = true
		subset := v.Subset
		if subset == nil {
			subset = DefaultSubset
		}
		arch, err := buildArchives(v.Library, subset, rel)
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, built{rel, arch})
	}

	s := &Server{files: map[string][]byte{}, faults: map[string]Fault{}, Archives: map[string]Archive{}, stallFor: opts.StallFor}
	if s.stallFor == 0 {
		s.stallFor = 2 * time.Second
	}
	var err error
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, DefaultHash: crypto.SHA512}
	if s.Key, err = openpgp.NewEntity("rvendor distserver", "test", "distserver@rvendor.invalid", cfg); err != nil {
		t.Fatal(err)
	}
	if s.Other, err = openpgp.NewEntity("someone else", "test", "other@rvendor.invalid", cfg); err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	aw, _ := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err := s.Key.Serialize(aw); err != nil {
		t.Fatal(err)
	}
	aw.Close()
	s.PublicKey = pub.Bytes()
	s.KeyringFile = t.TempDir() + "/distserver.asc"
	if err := os.WriteFile(s.KeyringFile, s.PublicKey, 0o644); err != nil {
		t.Fatal(err)
	}

	h := http.HandlerFunc(s.serve)
	if opts.TLS {
		s.srv = httptest.NewTLSServer(h)
		s.other = httptest.NewUnstartedServer(http.HandlerFunc(s.serveOther))
		s.other.TLS = s.srv.TLS
		s.other.StartTLS()
	} else {
		s.srv = httptest.NewServer(h)
		s.other = httptest.NewServer(http.HandlerFunc(s.serveOther))
	}
	t.Cleanup(s.srv.Close)
	t.Cleanup(s.other.Close)
	s.URL = s.srv.URL
	s.Client = s.srv.Client()

	urlRoot := rustdist.DefaultRoot
	if opts.OwnURLs {
		urlRoot = s.URL
	}
	for i, b := range releases {
		rel := b.rel
		s.Releases = append(s.Releases, rel)
		// Archives and their .sha256 and .asc.
		dated := "/dist/" + rel.Date + "/"
		for name, a := range b.arch {
			if strings.HasPrefix(name, "rustc-") {
				s.addArchive(t, "/dist/"+name, a)
			}
			s.addArchive(t, dated+name, a)
		}
		if i == 0 && opts.RealOrig != "" {
			a, err := hashFile(opts.RealOrig)
			if err != nil {
				t.Fatal(err)
			}
			s.addArchive(t, "/dist/rustc-"+rel.Version+"-src.tar.xz", a)
			s.addArchive(t, dated+"rustc-"+rel.Version+"-src.tar.xz", a)
		}
		m := s.manifest(rel, urlRoot, opts.SourceArtifacts)
		s.PutSigned("/dist/channel-rust-"+rel.Version+".toml", m)
		s.PutSigned(dated+"channel-rust-"+rel.Version+".toml", m)
	}
	return s
}

// manifest returns the channel manifest of rel, naming its archives
// under urlRoot.
func (s *Server) manifest(rel Release, urlRoot string, sourceArtifacts bool) []byte {
	dated := "/dist/" + rel.Date + "/"
	src := func(ext string) (string, string) {
		p := dated + "rust-src-" + rel.Version + ".tar." + ext
		return urlRoot + p, s.Archives[p].SHA256
	}
	gzURL, gzHash := src("gz")
	xzURL, xzHash := src("xz")
	var m strings.Builder
	fmt.Fprintf(&m, "manifest-version = \"2\"\ndate = %q\n\n", rel.Date)
	fmt.Fprintf(&m, "[pkg.rust-src]\nversion = %q\ngit_commit_hash = %q\n\n", rel.PkgVersion, rel.GitCommitHash)
	fmt.Fprintf(&m, "[pkg.rust-src.target.\"*\"]\navailable = true\nurl = %q\nhash = %q\nxz_url = %q\nxz_hash = %q\n\n", gzURL, gzHash, xzURL, xzHash)
	fmt.Fprintf(&m, "[pkg.rustc]\nversion = %q\ngit_commit_hash = %q\n\n", rel.PkgVersion, rel.GitCommitHash)
	fmt.Fprintf(&m, "[pkg.rustc.target.x86_64-unknown-linux-gnu]\navailable = false\n\n")
	fmt.Fprintf(&m, "[renames.rls]\nto = \"rls-preview\"\n\n")
	if sourceArtifacts {
		m.WriteString("[artifacts.source-code]\n")
		for _, ext := range []string{"gz", "xz"} {
			p := dated + "rustc-" + rel.Version + "-src.tar." + ext
			fmt.Fprintf(&m, "[[artifacts.source-code.target.\"*\"]]\nurl = %q\nhash-sha256 = %q\n\n", urlRoot+p, s.Archives[p].SHA256)
		}
	}
	return []byte(m.String())
}

func (s *Server) addArchive(t testing.TB, p string, a Archive) {
	f, err := os.Open(a.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, s.Key, f, nil); err != nil {
		t.Fatal(err)
	}
	s.Archives[p] = a
	name := p[strings.LastIndexByte(p, '/')+1:]
	s.files[p+".sha256"] = []byte(a.SHA256 + "  " + name + "\n")
	s.files[p+".asc"] = sig.Bytes()
}

// Put serves data at p, replacing what was there. It does not touch the
// .sha256 or .asc beside it.
func (s *Server) Put(p string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[p] = data
}

// PutSigned serves data at p with a matching p.sha256 and a p.asc made
// by Key.
func (s *Server) PutSigned(p string, data []byte) {
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, s.Key, bytes.NewReader(data), nil); err != nil {
		panic(err)
	}
	s.Put(p, data)
	s.Put(p+".sha256", sumLine(data, p[strings.LastIndexByte(p, '/')+1:]))
	s.Put(p+".asc", sig.Bytes())
}

// Remove stops serving p (404).
func (s *Server) Remove(p string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.files, p)
}

// Get returns what is served at p (a small file), or nil.
func (s *Server) Get(p string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files[p]
}

// SetFault makes p misbehave as f until cleared with OK.
func (s *Server) SetFault(p string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == OK {
		delete(s.faults, p)
	} else {
		s.faults[p] = f
	}
}

// Requests returns the paths requested so far, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// OtherURL is the root of the other host that Redirect sends clients to.
func (s *Server) OtherURL() string { return s.other.URL }

func (s *Server) serveOther(w http.ResponseWriter, r *http.Request) {
	s.write(w, r, OK)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.Path)
	f := s.faults[r.URL.Path]
	s.mu.Unlock()
	switch f {
	case Status500:
		http.Error(w, "internal server error (distserver fault)", http.StatusInternalServerError)
		return
	case NotFound:
		http.NotFound(w, r)
		return
	case Redirect:
		http.Redirect(w, r, s.other.URL+r.URL.Path, http.StatusFound)
		return
	}
	s.write(w, r, f)
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, f Fault) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	s.mu.Lock()
	data, small := s.files[p]
	s.mu.Unlock()
	var body io.Reader
	var size int64
	if small {
		switch f {
		case WrongKey, BadSig:
			data = s.resign(p, f)
		case Corrupt:
			data = append([]byte(nil), data...)
			data[len(data)/2] ^= 0x01
		}
		body, size = bytes.NewReader(data), int64(len(data))
	} else if a, ok := s.Archives[p]; ok {
		fh, err := os.Open(a.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer fh.Close()
		body, size = fh, a.Size
		if f == Corrupt {
			body = &flipReader{r: fh, at: size / 2}
		}
	} else {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	switch f {
	case Truncate:
		io.CopyN(w, body, size/2)
		return // the server closes the connection: the client sees a short body
	case Stall:
		io.CopyN(w, body, size/2)
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		select {
		case <-time.After(s.stallFor):
		case <-r.Context().Done():
		}
		return
	}
	io.Copy(w, body)
}

// resign returns a .asc for p's data (p ends in .asc) made by the other
// key (WrongKey) or by Key over altered data (BadSig).
func (s *Server) resign(p string, f Fault) []byte {
	target := strings.TrimSuffix(p, ".asc")
	s.mu.Lock()
	data, ok := s.files[target]
	s.mu.Unlock()
	var r io.Reader = bytes.NewReader(data)
	if !ok {
		a, ok := s.Archives[target]
		if !ok {
			return []byte("no such file to sign")
		}
		fh, err := os.Open(a.Path)
		if err != nil {
			return []byte(err.Error())
		}
		defer fh.Close()
		r = fh
	}
	key := s.Key
	if f == WrongKey {
		key = s.Other
	} else {
		r = io.MultiReader(r, strings.NewReader("tampered"))
	}
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, key, r, nil); err != nil {
		return []byte(err.Error())
	}
	return sig.Bytes()
}

// Keyring returns Key's public key as a rustdist keyring.
func (s *Server) Keyring() *rustdist.Keyring {
	k, err := rustdist.ReadKeyring(bytes.NewReader(s.PublicKey), "distserver test key")
	if err != nil {
		panic(err)
	}
	return k
}

type flipReader struct {
	r   io.Reader
	at  int64
	off int64
}

func (f *flipReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if f.at >= f.off && f.at < f.off+int64(n) {
		p[f.at-f.off] ^= 0x01
	}
	f.off += int64(n)
	return n, err
}
