package web

import (
	"fmt"
	"net/url"
	"path/filepath"

	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// CheckURL parses rawURL and refuses the schemes and hosts rvendor does
// not fetch from: it accepts https:// with a host, http:// to a loopback
// host, and file:// of an absolute local path.
func CheckURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", rawURL, err)
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" || u.Opaque != "" {
			return nil, fmt.Errorf("fetching %s: the URL has no host", rawURL)
		}
		return u, nil
	case "http":
		if u.Opaque != "" || !vendorspec.IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("refusing plain http URL %s: use https:// (http:// is allowed only to loopback hosts)", rawURL)
		}
		return u, nil
	case "file":
		if u.Host != "" && u.Host != "localhost" || u.Opaque != "" || u.RawQuery != "" || u.Fragment != "" ||
			!filepath.IsAbs(filepath.FromSlash(u.Path)) {
			return nil, fmt.Errorf("fetching %s: a file URL must name an absolute local path, as in file:///srv/mirror/x.tar.gz", rawURL)
		}
		return u, nil
	}
	return nil, fmt.Errorf("refusing URL %s: only https://, file:// and loopback http:// URLs are fetched", rawURL)
}

// CheckRedirect reports whether a server at from may send rvendor to to
// (see the package documentation); a refusal wraps errNoRedirect and says
// why.
func CheckRedirect(from, to string) error {
	refuse := func(why string) error {
		return fmt.Errorf("%w from %s to %s: %s", errNoRedirect, from, to, why)
	}
	f, err := url.Parse(from)
	if err != nil {
		return refuse(err.Error())
	}
	t, err := url.Parse(to)
	if err != nil {
		return refuse(err.Error())
	}
	switch t.Scheme {
	case "https":
		if t.Host == "" {
			return refuse("the URL has no host")
		}
	case "http":
		if !vendorspec.IsLoopback(t.Hostname()) {
			return refuse("plain http is allowed only to loopback hosts")
		}
		if f.Scheme != "http" || f.Host != t.Host {
			return refuse("a redirect may use plain http only within the same loopback host")
		}
	default:
		return refuse("a redirect must lead to https")
	}
	if vendorspec.IsLoopback(t.Hostname()) && !vendorspec.IsLoopback(f.Hostname()) {
		return refuse("a remote server may not redirect to a loopback host")
	}
	return nil
}
