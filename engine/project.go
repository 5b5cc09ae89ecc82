package engine

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/rustdist"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// Project is a loaded spec with the lock and sum beside it.
type Project struct {
	Spec     *vendorspec.Spec
	Lock     *vendorspec.Lock // empty when there is no lock yet
	Sum      *vendorspec.Sum  // empty when there is no sum yet
	LockPath string
	SumPath  string
	// Keyring is the OpenPGP keyring replacing the embedded Rust key:
	// the command line's, else [sources] keyring (made absolute).
	Keyring string
	// KeyringFromFlag is set when Keyring came from the command line: the
	// maintainer chose the keys for this run, which also accepts a
	// change of signer.
	KeyringFromFlag bool
}

// Load reads the spec at specPath, and the lock and sum beside it (empty
// when absent). keyring, when not "", is the command line's --keyring
// (absolute).
func Load(specPath, keyring string) (*Project, error) {
	f, err := vendorspec.LoadFiles(specPath)
	if err != nil {
		var le *vendorspec.LoadError
		if errors.As(err, &le) {
			return nil, unusable(le.Err, le.Remedy)
		}
		return nil, err
	}
	p := &Project{Spec: f.Spec, Lock: f.Lock, Sum: f.Sum, LockPath: f.LockPath, SumPath: f.SumPath}
	p.Keyring, p.KeyringFromFlag = keyring, keyring != ""
	spec := f.Spec
	if p.Keyring == "" && spec.Sources.Keyring != "" {
		p.Keyring = spec.Sources.Keyring
		if !filepath.IsAbs(p.Keyring) {
			p.Keyring = filepath.Join(spec.Dir, p.Keyring)
		}
	}
	return p, nil
}

// Component returns the spec's component name, or nil.
func (p *Project) Component(name string) *vendorspec.Component {
	for _, c := range p.Spec.Components {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Select returns the spec's components named (all when names is empty),
// refusing a name the spec does not have.
func (p *Project) Select(names []string) ([]*vendorspec.Component, error) {
	if len(names) == 0 {
		return p.Spec.Components, nil
	}
	var out []*vendorspec.Component
	for _, n := range names {
		c := p.Component(n)
		if c == nil {
			return nil, unusablef("see the [[component]] names in the spec", "no component %q in %s", n, p.Spec.Path)
		}
		out = append(out, c)
	}
	return out, nil
}

// Engine runs the operations that change a vendored tree for one
// project. Its fields are set by the caller; an Engine is used by one
// goroutine at a time.
type Engine struct {
	Project *Project
	// Cache is the download cache. Operations that only rebuild pristine
	// sources (diff, patch) never download through it.
	Cache *fetch.Cache
	// Getenv reads the environment (RVENDOR_RUST_DIST); nil reads none.
	Getenv func(string) string
	// Events receives progress and messages; nil discards them.
	Events func(Event)
	// StatCache is verify's stat cache file for this tree ("" for none),
	// used when checking for undeclared edits.
	StatCache string
	// Compression is the archive format to download from the Rust
	// distribution server when it offers both: "gz", "xz", or "" to keep
	// the lock's and otherwise let rustdist.Choose pick (the .tar.gz,
	// which decodes about four times as fast, unless the .tar.xz is
	// already in the cache).
	Compression string
	// AllowYanked vendors a yanked crate version with a warning instead
	// of failing.
	AllowYanked bool
	// AcceptSigner accepts a Rust source signed by another key than the
	// one the lock recorded (a key rotation the maintainer checked).
	AcceptSigner bool
	// Mirror, when not "", is a local folder laid out as Collection.WriteMirror
	// writes it (OpenBundle unpacks a bundle into one): every upstream
	// file is read from it instead of the network, and checked exactly
	// as a download is; the lock records what a networked update
	// records.
	Mirror string

	// get, when set, replaces Cache as the Getter of small files
	// (Collect records what is read through it).
	get rustdist.Getter

	// hook, set only by this package's tests, is called at named points
	// of an operation.
	hook func(point string)
}

func (e *Engine) getenv(k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

func (e *Engine) at(point string) {
	if e.hook != nil {
		e.hook(point)
	}
}

// componentErr prefixes err with the component's name, keeping its class.
func componentErr(name string, err error) error {
	return fmt.Errorf("component %s: %w", name, err)
}
