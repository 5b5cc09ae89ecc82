package verify_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
	"github.com/rvendor/rvendor/verify"
)

// TestVerifyUpdateRace is issue #10: a verify that runs while an update
// commits must not fail with a raw "no such file or directory" (or report
// a half-swapped tree as drift) but say that an update is in progress.
// The update is simulated from the per-file hook, mid-walk: lib's dest is
// renamed aside (as Commit does before renaming the new one in), so the
// folders not read yet vanish, and a journal, a new rvendor.lock or
// nothing else appears.
func TestVerifyUpdateRace(t *testing.T) {
	journal := func(t *testing.T, e *env) {
		write(t, e.path(tree.StateDir+"/journal.json"), "{}")
	}
	newLock := func(t *testing.T, e *env) { write(t, e.path(vendorspec.LockName), "version = 1\n") }
	renameAway := func(t *testing.T, e *env) {
		must(t, os.Rename(e.path("vendor/lib"), e.path("vendor/.lib-old")))
	}
	tests := []struct {
		name    string
		before  func(t *testing.T, e *env) // before Verify
		mid     []func(t *testing.T, e *env)
		journal bool
		changed []string
		readErr bool // a read failed (else the tree drifted)
	}{
		{name: "journal appears", mid: []func(*testing.T, *env){renameAway, journal}, journal: true, readErr: true},
		{name: "lock replaced", mid: []func(*testing.T, *env){renameAway, newLock}, changed: []string{"rvendor.lock"}, readErr: true},
		{name: "lock and sum replaced", mid: []func(*testing.T, *env){renameAway, newLock, func(t *testing.T, e *env) {
			write(t, e.path(vendorspec.SumName), "")
		}}, changed: []string{"rvendor.lock", "rvendor.sum"}, readErr: true},
		{name: "drift and journal", mid: []func(*testing.T, *env){func(t *testing.T, e *env) {
			write(t, e.path("vendor/lib/core/src/new.rs"), "new version\n") // a folder not read yet
		}, journal}, journal: true},
		{name: "journal there from the start", before: journal, mid: []func(*testing.T, *env){renameAway}, journal: true, readErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			write(t, e.path("vendor/lib/aaa.rs"), "// read first\n")
			lockComponent(t, e, e.spec.Components[0])
			if tt.before != nil {
				tt.before(t, e)
			}
			o := e.opts()
			o.Jobs = 1 // one worker: the folders are read after the hook
			var once sync.Once
			verify.SetOnFile(&o, func(dest, path string) {
				if dest == "vendor/lib" {
					once.Do(func() {
						for _, f := range tt.mid {
							f(t, e)
						}
					})
				}
			})
			rep, err := verify.Verify(context.Background(), o)
			var race *verify.UpdateInProgressError
			if !errors.As(err, &race) || !errors.Is(err, verify.ErrUpdateInProgress) {
				t.Fatalf("Verify = %v, %v; want an UpdateInProgressError", rep, err)
			}
			if race.Journal != tt.journal || !slices.Equal(race.Changed, tt.changed) {
				t.Errorf("Journal %v, Changed %q; want %v, %q", race.Journal, race.Changed, tt.journal, tt.changed)
			}
			if tt.readErr != errors.Is(err, fs.ErrNotExist) {
				t.Errorf("error %q: wraps ErrNotExist = %v", err, !tt.readErr)
			}
			t.Log(err)
		})
	}
}

// TestVerifyVanishedNoUpdate: a folder removed under verify with no sign
// of an update is a plain read error, and drift without one is drift.
func TestVerifyVanishedNoUpdate(t *testing.T) {
	e := newEnv(t)
	write(t, e.path("vendor/lib/aaa.rs"), "// read first\n")
	lockComponent(t, e, e.spec.Components[0])
	write(t, e.path(vendorspec.LockName), "version = 1\n")
	o := e.opts()
	o.Jobs = 1
	var once sync.Once
	verify.SetOnFile(&o, func(dest, path string) {
		once.Do(func() { must(t, os.Rename(e.path("vendor/lib"), e.path("vendor/.lib-old"))) })
	})
	_, err := verify.Verify(context.Background(), o)
	if err == nil || errors.Is(err, verify.ErrUpdateInProgress) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Verify: %v; want a plain not-exist error", err)
	}

	e = newEnv(t)
	write(t, e.path("vendor/lib/new.rs"), "x")
	rep, err := verify.Verify(context.Background(), e.opts())
	if err != nil || rep.Clean() {
		t.Errorf("Verify = %v, %v; want drift", rep, err)
	}
}

// TestVerifyInputs: a lock replaced after the caller read it, before
// Verify started, is seen through Options.Inputs.
func TestVerifyInputs(t *testing.T) {
	setup := func(t *testing.T) (*env, verify.Options) {
		e := newEnv(t)
		lock := e.path(vendorspec.LockName)
		write(t, lock, "version = 1\n")
		o := e.opts()
		o.Inputs = verify.InputsOf(e.dir)
		// The update commits: a new lock by rename, and lib's dest changes.
		write(t, lock+".tmp", "version = 1\n# new\n")
		must(t, os.Rename(lock+".tmp", lock))
		write(t, e.path("vendor/lib/core/src/num.rs"), "pub fn one() -> u8 { 2 }\n")
		return e, o
	}

	_, o := setup(t)
	_, err := verify.Verify(context.Background(), o)
	var race *verify.UpdateInProgressError
	if !errors.As(err, &race) || race.Journal || !slices.Equal(race.Changed, []string{"rvendor.lock"}) || race.Err != nil {
		t.Fatalf("Verify: %v; want an UpdateInProgressError naming rvendor.lock", err)
	}

	// A lock and a sum read on either side of a commit do not match:
	// that is the update too, not a security error.
	e, o := setup(t)
	e.lock.Component("other").Tree = "h1:AAAA"
	_, err = verify.Verify(context.Background(), o)
	var sm *verify.SumMismatchError
	if !errors.As(err, &race) || !errors.As(err, &sm) {
		t.Fatalf("Verify: %v; want an UpdateInProgressError wrapping the SumMismatchError", err)
	}

	// Without Inputs, Verify compares with the lock as it starts: the
	// same drift is drift.
	_, o = setup(t)
	o.Inputs = nil
	rep, err := verify.Verify(context.Background(), o)
	if err != nil || rep.Clean() {
		t.Errorf("Verify = %v, %v; want drift", rep, err)
	}
}
