package verify

import (
	"time"

	"github.com/rvendor/rvendor/tree"
)

// SetTestHooks replaces the clock and the stat transform the stat cache
// uses, and returns a function that restores them.
func SetTestHooks(clock func() time.Time, coarse func(*tree.Stat)) (restore func()) {
	oldNow, oldCoarse := now, coarseStat
	if clock != nil {
		now = clock
	}
	if coarse != nil {
		coarseStat = coarse
	}
	return func() { now, coarseStat = oldNow, oldCoarse }
}

// SetOnFile makes Verify with o call f with a component's dest and the
// path of each of its regular files before reading it.
func SetOnFile(o *Options, f func(dest, path string)) { o.onFile = f }
