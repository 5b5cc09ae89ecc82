package lazyre

import "testing"

func TestNew(t *testing.T) {
	re := New(`^a+$`)
	if !re().MatchString("aaa") || re().MatchString("b") {
		t.Error("pattern does not match as compiled")
	}
	if re() != re() {
		t.Error("compiled more than once")
	}
	defer func() {
		if recover() == nil {
			t.Error("a bad pattern did not panic on use")
		}
	}()
	New(`(`)()
}
