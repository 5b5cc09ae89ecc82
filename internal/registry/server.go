package registry

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/rvendor/rvendor/fetch/crates"
)

// Server serves a Registry over loopback HTTP; see the package
// documentation for its paths and faults.
type Server struct {
	URL string // http://127.0.0.1:PORT, no trailing slash
	reg *Registry
	srv *httptest.Server
}

// Serve starts a server for r. Close it when done.
func Serve(r *Registry) *Server {
	s := &Server{reg: r}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Index returns the crates-index value for flavour ("lib" or "bin", with
// optional "+fault=NAME,..."): "sparse+URL/FLAVOUR/index/".
func (s *Server) Index(flavour string) string {
	return "sparse+" + s.URL + "/" + flavour + "/index/"
}

type faults struct {
	bin                              bool
	tamper, absent, index404, yanked map[string]bool
}

func parseFlavour(f string) (*faults, bool) {
	base, rest, _ := strings.Cut(f, "+")
	ft := &faults{tamper: map[string]bool{}, absent: map[string]bool{}, index404: map[string]bool{}, yanked: map[string]bool{}}
	switch base {
	case "lib":
	case "bin":
		ft.bin = true
	default:
		return nil, false
	}
	if rest != "" {
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "tamper":
				ft.tamper[v] = true
			case "absent":
				ft.absent[v] = true
			case "index404":
				ft.index404[v] = true
			case "yank":
				ft.yanked[v] = true
			default:
				return nil, false
			}
		}
	}
	return ft, true
}

func (s *Server) crates(ft *faults) []*Crate {
	root := s.reg.LibRoot
	if ft.bin {
		root = s.reg.BinRoot
	}
	return append([]*Crate{root}, s.reg.Crates...)
}

func (s *Server) handle(w http.ResponseWriter, req *http.Request) {
	flavour, rest, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/"), "/")
	ft, ok := parseFlavour(flavour)
	if !ok {
		http.NotFound(w, req)
		return
	}
	switch {
	case rest == "index/config.json":
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"dl":"` + s.URL + "/" + flavour + `/dl","api":"` + s.URL + `"}`))
	case strings.HasPrefix(rest, "index/"):
		p := strings.TrimPrefix(rest, "index/")
		var body bytes.Buffer
		name := ""
		for _, c := range s.crates(ft) {
			if crates.IndexPath(c.Name) != p {
				continue
			}
			name = c.Name
			line, err := indexLine(c, ft.yanked[c.Name])
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			body.Write(line)
			body.WriteByte('\n')
		}
		if name == "" || ft.index404[name] {
			http.NotFound(w, req)
			return
		}
		w.Write(body.Bytes())
	case strings.HasPrefix(rest, "dl/"):
		parts := strings.Split(strings.TrimPrefix(rest, "dl/"), "/")
		if len(parts) != 3 || parts[2] != "download" {
			http.NotFound(w, req)
			return
		}
		for _, c := range s.crates(ft) {
			if c.Name != parts[0] || c.Version != parts[1] {
				continue
			}
			if ft.absent[c.Name] {
				break
			}
			data := c.Data
			if ft.tamper[c.Name] {
				data = bytes.Clone(data)
				data[len(data)/2] ^= 0x01
			}
			w.Header().Set("Content-Type", "application/gzip")
			w.Write(data)
			return
		}
		http.NotFound(w, req)
	default:
		http.NotFound(w, req)
	}
}
