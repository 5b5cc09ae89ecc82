package rustdist

import (
	"fmt"
	"strings"

	"github.com/rvendor/rvendor/fetch/internal/web"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// CheckRoot checks that root can serve as a distribution root or mirror:
// a URL fetch downloads from (https:// with a host, file:// with an
// absolute path, or http:// to a loopback address: fetch's one URL
// policy), without user info, query or fragment. It returns root without
// a trailing slash.
func CheckRoot(root string) (string, error) {
	u, err := web.CheckURL(root)
	if err != nil {
		return "", fmt.Errorf("rust dist root %q: %w", root, err)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("rust dist root %q: user info, query and fragment are not allowed", root)
	}
	return strings.TrimSuffix(root, "/"), nil
}

// IsLoopback reports whether host (without port) is localhost or a
// loopback IP address.
func IsLoopback(host string) bool { return vendorspec.IsLoopback(host) }

// MapURL rewrites u, a URL read from a manifest, onto root. Manifests copied
// verbatim to a mirror still name https://static.rust-lang.org/dist/…;
// rustup rewrites that prefix onto RUSTUP_DIST_SERVER, and so does MapURL.
// u must lie under /dist/ of DefaultRoot or of root itself; anything else is
// refused, as are ".." segments, queries and fragments. root must pass
// CheckRoot.
func MapURL(u, root string) (string, error) {
	root, err := CheckRoot(root)
	if err != nil {
		return "", err
	}
	var rest string
	switch {
	case strings.HasPrefix(u, DefaultRoot+"/dist/"):
		rest = strings.TrimPrefix(u, DefaultRoot)
	case strings.HasPrefix(u, root+"/dist/"):
		rest = strings.TrimPrefix(u, root)
	default:
		return "", fmt.Errorf("manifest URL %q lies neither under %s/dist/ nor under %s/dist/", u, DefaultRoot, root)
	}
	if strings.ContainsAny(rest, "?#\\") || strings.Contains(rest, "//") {
		return "", fmt.Errorf("manifest URL %q: query, fragment, backslash or empty segment", u)
	}
	for _, seg := range strings.Split(rest, "/") {
		if seg == "." || seg == ".." || strings.Contains(seg, "%") {
			return "", fmt.Errorf("manifest URL %q: dot or escaped segment", u)
		}
	}
	return root + rest, nil
}

// baseName returns the last segment of a URL path.
func baseName(u string) string {
	return u[strings.LastIndexByte(u, '/')+1:]
}
