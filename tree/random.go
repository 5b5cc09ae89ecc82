package tree

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// randomBytes fills b from the kernel's random source with getrandom(2),
// the call crypto/rand makes on Linux, without linking crypto/rand:
// tree is linked into rvendor-verify, which starts on every kernel build,
// and crypto/rand brings math/big and the FIPS DRBG, whose package
// initialization that program would pay for without using them.
func randomBytes(b []byte) error {
	for len(b) > 0 {
		n, err := unix.Getrandom(b, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading random bytes: %w", err)
		}
		b = b[n:]
	}
	return nil
}
