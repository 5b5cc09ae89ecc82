package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	lib1 = map[string]string{"src/lib.rs": "pub fn a() {}\npub fn b() {}\npub fn c() {}\n", "README": "demo\n"}
	lib2 = map[string]string{"src/lib.rs": "pub fn a() {}\npub fn b() {}\npub fn c() {}\npub fn d() {}\n", "README": "demo\n"}
)

// TestPlan: the plan for each state a component can be in.
func TestPlan(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(f *fixture) // after a first update of demo 1.0.0
		names  []string
		force  bool
		want   map[string]Action
		why    string // a reason the staged component's step gives
	}{
		{name: "current", change: func(f *fixture) {}, want: map[string]Action{"demo": Keep}},
		{name: "forced", change: func(f *fixture) {}, force: true, want: map[string]Action{"demo": Stage}, why: "--force"},
		{name: "new version", change: func(f *fixture) {
			f.spec(comp{name: "demo", version: "2.0.0", dest: "third_party/demo", patches: "patches/demo", files: lib2})
		}, want: map[string]Action{"demo": Stage}, why: `version: spec says "2.0.0", lock has "1.0.0"`},
		{name: "dest missing", change: func(f *fixture) {
			os.RemoveAll(filepath.Join(f.root, "third_party/demo"))
		}, want: map[string]Action{"demo": Stage}, why: "dest third_party/demo is missing"},
		{name: "queue changed", change: func(f *fixture) {
			f.write("patches/demo/0001-x.patch", "not yet applied\n")
		}, want: map[string]Action{"demo": Stage}, why: "patch 0001-x.patch: in patches/demo, not applied yet"},
		{name: "new component", change: func(f *fixture) {
			f.spec(comp{name: "demo", version: "1.0.0", dest: "third_party/demo", patches: "patches/demo", files: lib1},
				comp{name: "other", version: "1.0.0", dest: "third_party/other", files: lib1})
		}, want: map[string]Action{"demo": Keep, "other": Stage}, why: "new"},
		{name: "removed", change: func(f *fixture) {
			f.spec(comp{name: "other", version: "1.0.0", dest: "third_party/other", files: lib1})
		}, want: map[string]Action{"demo": Remove, "other": Stage}},
		{name: "removed, but named others only", change: func(f *fixture) {
			f.spec(comp{name: "other", version: "1.0.0", dest: "third_party/other", files: lib1})
		}, names: []string{"other"}, want: map[string]Action{"other": Stage}},
		{name: "renamed", change: func(f *fixture) {
			f.spec(comp{name: "renamed", version: "1.0.0", dest: "third_party/demo", files: lib1})
		}, want: map[string]Action{"renamed": Stage}, why: "new"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.spec(comp{name: "demo", version: "1.0.0", dest: "third_party/demo", patches: "patches/demo", files: lib1})
			f.mustUpdate(UpdateOptions{})
			tc.change(f)
			plan, err := f.engine().Project.Plan(PlanOptions{Names: tc.names, Force: tc.force})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]Action{}
			for _, st := range plan.Steps {
				var name string
				if st.Component != nil {
					name = st.Component.Name
				} else {
					name = st.Locked.Name
				}
				got[name] = st.Action
				if st.Action == Stage && tc.why != "" && !strings.Contains(strings.Join(st.Why, "\n"), tc.why) {
					t.Errorf("%s: why = %q, want %q", name, st.Why, tc.why)
				}
				if tc.name == "renamed" && (st.Prev == nil || st.Prev.Name != "demo") {
					t.Errorf("renamed: Prev = %v, want the lock entry of demo", st.Prev)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("plan = %v, want %v", got, tc.want)
			}
			for n, a := range tc.want {
				if got[n] != a {
					t.Errorf("%s: action %v, want %v", n, got[n], a)
				}
			}
			if tc.name == "renamed" && (len(plan.TakenOver) != 1 || plan.TakenOver[0] != "demo") {
				t.Errorf("TakenOver = %v, want [demo]", plan.TakenOver)
			}
		})
	}
}
