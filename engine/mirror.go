package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// MirrorResult says what WriteMirror did.
type MirrorResult struct {
	Dir     string `json:"dir"`
	BaseURL string `json:"base_url"` // where the mirror's index says crates are downloaded from
	Written int    `json:"written"`  // files written or replaced
	Kept    int    `json:"kept"`     // files already there with the right content
	Bytes   int64  `json:"bytes"`    // bytes written
}

// WriteMirror writes c into dir as a static tree laid out like the
// upstream servers, which any web server can serve:
//
//	dist/channel-rust-X.toml{,.sha256,.asc}   and the archives at the dated paths the manifest names
//	index/config.json                         {"dl": "<baseURL>crates/{crate}/{crate}-{version}.crate"}
//	index/<crates.IndexPath(name)>            the index file of each crate, as the registry served it
//	crates/{name}/{name}-{version}.crate
//	archives/{sha256}/{file name}             archive components, by their pinned sha256
//
// baseURL is the URL the mirror will be served at ("" means dir's own
// file:// URL), used only for the index's dl; a spec uses the mirror with
// rust-dist = "<baseURL>", crates-index = "sparse+<baseURL>index/" (or
// lists baseURL in mirrors, for dist, crates and archives).
//
// dir is created when missing; files already there are kept when their
// content matches and replaced otherwise (each written to a temporary
// file beside it, synced, and renamed into place); other files are left
// alone, so one mirror can serve several specs. Index files and channel
// manifests are written after the files they name, config.json last. No
// parent folder may be a symbolic link.
func (c *Collection) WriteMirror(dir, baseURL string) (*MirrorResult, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if baseURL, err = mirrorBase(dir, baseURL); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	res := &MirrorResult{Dir: dir, BaseURL: baseURL}
	files := slices.Clone(c.Files)
	slices.SortStableFunc(files, func(a, b CollectedFile) int { return mirrorStage(a.Path) - mirrorStage(b.Path) })
	hasCrates := false
	for _, f := range files {
		if f.Path == mirrorConfig {
			continue // written last, for this mirror's location
		}
		hasCrates = hasCrates || strings.HasPrefix(f.Path, mirrorIndex+"/")
		wrote, err := c.placeFile(dir, f)
		if err != nil {
			return nil, failed(fmt.Errorf("mirror %s: %w", f.Path, err), "")
		}
		if wrote {
			res.Written++
			res.Bytes += f.Size
		} else {
			res.Kept++
		}
	}
	if hasCrates {
		if err := writeMirrorConfig(dir, baseURL); err != nil {
			return nil, failed(fmt.Errorf("mirror %s: %w", mirrorConfig, err), "")
		}
		res.Written++
	}
	return res, nil
}

// mirrorStage orders a mirror's writes: the files others name first,
// then channel manifests, then index files.
func mirrorStage(p string) int {
	switch {
	case strings.HasPrefix(p, mirrorIndex+"/"):
		return 2
	case strings.HasPrefix(p, mirrorDist+"/channel-rust-"):
		return 1
	}
	return 0
}

// mirrorBase checks baseURL (http, https or file, no query or fragment)
// and ends it with "/"; "" gives dir's file:// URL.
func mirrorBase(dir, baseURL string) (string, error) {
	if baseURL == "" {
		return fileURL(dir) + "/", nil
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "file") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", unusablef("write the URL the mirror folder will be served at, such as https://mirror.example.org/rvendor/",
			"base URL %q: want an https://, http:// or file:// URL without user, query or fragment", baseURL)
	}
	return strings.TrimSuffix(baseURL, "/") + "/", nil
}

// writeMirrorConfig writes dir's index/config.json, whose dl names the
// crates/ folder under baseURL.
func writeMirrorConfig(dir, baseURL string) error {
	data, err := json.Marshal(struct {
		DL string `json:"dl"`
	}{baseURL + crateMirrorPath("{crate}", "{version}")})
	if err != nil {
		return err
	}
	data = append(data, '\n')
	sum := sha256.Sum256(data)
	_, err = placeBytes(dir, mirrorConfig, int64(len(data)), hex.EncodeToString(sum[:]), func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(string(data))), nil
	})
	return err
}

// placeFile writes f at its path under dir unless it is there already.
func (c *Collection) placeFile(dir string, f CollectedFile) (bool, error) {
	return placeBytes(dir, f.Path, f.Size, f.SHA256, func() (io.ReadCloser, error) { return c.open(f.Member) })
}

// placeBytes writes the content open returns at rel under dir, checking
// it has size and sha256 sum, unless a regular file with that content is
// there; it reports whether it wrote.
func placeBytes(dir, rel string, size int64, sum string, open func() (io.ReadCloser, error)) (bool, error) {
	if err := mkdirNoLinks(dir, filepath.Dir(filepath.FromSlash(rel))); err != nil {
		return false, err
	}
	target := filepath.Join(dir, filepath.FromSlash(rel))
	if same, err := hasContent(target, size, sum); err != nil || same {
		return false, err
	}
	rc, err := open()
	if err != nil {
		return false, err
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(rc, size+1))
	if err == nil && (n != size || hex.EncodeToString(h.Sum(nil)) != sum) {
		err = fmt.Errorf("its content changed since it was checked (%d bytes, sha256 %x)", n, h.Sum(nil))
	}
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), target)
	}
	return err == nil, err
}

// hasContent reports whether p is a regular file of size bytes hashing
// to sum. A link or another kind of file there is an error.
func hasContent(p string, size int64, sum string) (bool, error) {
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !fi.Mode().IsRegular() {
		return false, fmt.Errorf("%s exists and is not a regular file", p)
	}
	if fi.Size() != size {
		return false, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == sum, nil
}

// mkdirNoLinks creates the folders of rel under dir, refusing a symbolic
// link or a non-folder on the way.
func mkdirNoLinks(dir, rel string) error {
	p := dir
	for _, e := range strings.Split(filepath.ToSlash(rel), "/") {
		if e == "." || e == "" {
			continue
		}
		p = filepath.Join(p, e)
		if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		if fi, err := os.Lstat(p); err != nil {
			return err
		} else if !fi.IsDir() {
			return fmt.Errorf("%s is not a folder (a symbolic link or a file)", p)
		}
	}
	return nil
}
