package verify

import (
	"time"

	"github.com/rvendor/rvendor/tree"
)

// SetTestHooks makes Verify with o use clock as the stat cache's clock
// and coarse on every stat the cache compares or records (nil: leave as
// is).
func SetTestHooks(o *Options, clock func() time.Time, coarse func(*tree.Stat)) {
	if clock != nil {
		o.now = clock
	}
	if coarse != nil {
		o.coarse = coarse
	}
}

// SetOnFile makes Verify with o call f with a component's dest and the
// path of each of its regular files before reading it.
func SetOnFile(o *Options, f func(dest, path string)) { o.onFile = f }
