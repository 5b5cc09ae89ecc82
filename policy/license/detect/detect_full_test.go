package detect_test

import (
	"testing"

	"github.com/google/licensecheck"

	"github.com/rvendor/rvendor/policy/license/detect"
)

// TestCommonLicensesKnown: every id of the fast detector's set is one
// licensecheck has a pattern for (a typo would silently detect nothing).
func TestCommonLicensesKnown(t *testing.T) {
	builtin := map[string]bool{}
	for _, l := range licensecheck.BuiltinLicenses() {
		builtin[l.ID] = true
	}
	for _, id := range detect.CommonLicenses() {
		if !builtin[id] {
			t.Errorf("%s: licensecheck has no such license", id)
		}
	}
}

// TestFullDetector: a license outside the common set is not detected by
// NewDetector (no id, never another license) and is by NewFullDetector.
func TestFullDetector(t *testing.T) {
	beerware := []byte(`"THE BEER-WARE LICENSE" (Revision 42):
<phk@FreeBSD.ORG> wrote this file. As long as you retain this notice you
can do whatever you want with this stuff. If we meet some day, and you think
this stuff is worth it, you can buy me a beer in return Poul-Henning Kamp
`)
	if det := detect.NewDetector().Detect(beerware); len(det.IDs) != 0 {
		t.Errorf("the fast detector names %v", det.IDs)
	}
	if det := detect.NewFullDetector().Detect(beerware); len(det.IDs) != 1 || det.IDs[0] != "Beerware" {
		t.Errorf("the full detector: %+v", det)
	}
}
