package engine

import (
	"fmt"
	"os"
	"path/filepath"

	vendorspec "github.com/rvendor/rvendor/vendor-spec"
	"github.com/rvendor/rvendor/verify"
)

// Action is what an update does with one component.
type Action int

// Actions of a Step.
const (
	Keep   Action = iota // the lock is current: nothing to do
	Stage                // fetch, stage and swap in the component
	Remove               // the spec no longer has it: remove its folder
)

// Step is the plan for one component.
type Step struct {
	Action Action
	// Component is the spec's component (nil for Remove).
	Component *vendorspec.Component
	// Locked is the lock entry of the same name (nil when new).
	Locked *vendorspec.LockedComponent
	// Prev is the lock entry whose folder the component's dest replaces:
	// Locked, or a component the spec renamed (same dest, no longer in the
	// spec), or nil when the dest is nobody's.
	Prev *vendorspec.LockedComponent
	// Why lists the reasons for Stage: "new", "--force", "dest is
	// missing", or how the spec, the in-tree inputs or the patch queue
	// changed since the last update.
	Why []string
}

// Plan is what an update will do.
type Plan struct {
	Steps []Step
	// TakenOver names the removed components whose folder a renamed
	// component takes over.
	TakenOver []string
}

// PlanOptions configure Plan.
type PlanOptions struct {
	Names []string // components to consider; none: all, and removals
	Force bool     // stage every component considered
}

// Plan decides which components an update stages, keeps or removes, and
// why. It reads the spec, the lock, the patch queues and in-tree inputs;
// it changes nothing.
func (p *Project) Plan(o PlanOptions) (*Plan, error) {
	comps, err := p.Select(o.Names)
	if err != nil {
		return nil, err
	}
	out := &Plan{}
	taken := map[string]bool{}
	for _, c := range comps {
		st := Step{Action: Stage, Component: c, Locked: p.Lock.Component(c.Name)}
		old := st.Locked
		st.Prev = old
		if old == nil {
			if r := p.renamedFrom(c); r != nil {
				st.Prev, taken[r.Name] = r, true
				out.TakenOver = append(out.TakenOver, r.Name)
			}
			st.Why = append(st.Why, "new")
		} else {
			queue, err := verify.QueueChanges(p.Spec.Dir, c, old)
			if err != nil {
				return nil, err
			}
			st.Why = append(st.Why, c.Stale(old)...)
			st.Why = append(st.Why, c.StaleInputs(p.Spec.Dir, old)...)
			st.Why = append(st.Why, queue...)
			if !dirExists(filepath.Join(p.Spec.Dir, filepath.FromSlash(c.Dest))) {
				st.Why = append(st.Why, fmt.Sprintf("dest %s is missing", c.Dest))
			}
		}
		if o.Force {
			st.Why = append(st.Why, "--force")
		}
		if len(st.Why) == 0 {
			st.Action = Keep
		}
		out.Steps = append(out.Steps, st)
	}
	if len(o.Names) == 0 {
		for _, lc := range p.Lock.Components {
			if p.Component(lc.Name) == nil && !taken[lc.Name] {
				out.Steps = append(out.Steps, Step{Action: Remove, Locked: lc, Prev: lc, Why: []string{"no longer in the spec"}})
			}
		}
	}
	return out, nil
}

// renamedFrom returns the locked component that c replaces under a new
// name: one no longer in the spec with the same dest, or nil.
func (p *Project) renamedFrom(c *vendorspec.Component) *vendorspec.LockedComponent {
	for _, lc := range p.Lock.Components {
		if lc.Dest == c.Dest && p.Component(lc.Name) == nil {
			return lc
		}
	}
	return nil
}

func dirExists(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.IsDir()
}
