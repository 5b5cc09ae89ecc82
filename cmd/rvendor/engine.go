package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/rvendor/rvendor/cmd/internal/cli"
	"github.com/rvendor/rvendor/engine"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// newEngine returns the engine for p, its events rendered on stderr.
func (g *globalOptions) newEngine(p *project) (*engine.Engine, error) {
	if err := g.checkCompression(); err != nil {
		return nil, err
	}
	cache, err := g.cache()
	if err != nil {
		return nil, err
	}
	return &engine.Engine{Project: p, Cache: cache, Getenv: g.getenv, Events: g.render(g.progress()),
		StatCache: statCachePath(g, p.Spec.Dir), AllowYanked: g.AllowYanked, AcceptSigner: g.AcceptSigner,
		Compression: g.Compression}, nil
}

// render returns the engine's event handler: lines go to stderr (unless
// --quiet or --json; warnings always), progress to the status line.
func (g *globalOptions) render(pr *progress) func(engine.Event) {
	return func(ev engine.Event) {
		switch ev.Kind {
		case engine.Info:
			g.say("%s", ev.Text)
		case engine.Warning:
			g.warn("%s", ev.Text)
		case engine.Extract:
			pr.show(fmt.Sprintf("extracting %s: %d entries scanned, %s read", ev.Name, ev.Entries, humanBytes(ev.Done)), false)
		case engine.Crates:
			pr.show(fmt.Sprintf("%s: %d/%d crates fetched and checked (%s)", ev.Component, ev.Done, ev.Total, ev.Name), ev.Done == ev.Total)
		case engine.ProgressEnd:
			pr.done()
		}
	}
}

// openWorkspace locks the workspace of the spec, finishing or cleaning
// up what an interrupted run left, and loads the project under the lock.
func (g *globalOptions) openWorkspace() (*tree.Workspace, *project, error) {
	specPath, err := g.specPath()
	if err != nil {
		return nil, nil, err
	}
	if _, err := vendorspec.Load(specPath); err != nil {
		return nil, nil, err
	}
	ws, err := tree.OpenSpec(filepath.Dir(specPath), filepath.Base(specPath))
	if errors.Is(err, tree.ErrOtherSpec) {
		return nil, nil, usageErr(err, "")
	}
	if err != nil {
		return nil, nil, err
	}
	ws.Hook = g.hook
	for _, r := range ws.Recovered {
		g.say("rvendor: %s", r)
	}
	// Read everything again under the lock: recovery may have changed it.
	p, err := g.loadProject()
	if err != nil {
		ws.Close()
		return nil, nil, err
	}
	return ws, p, nil
}

// withEngine opens the workspace, builds the engine on the project read
// under its lock, runs op and closes the workspace.
func (g *globalOptions) withEngine(op func(*tree.Workspace, *engine.Engine) error) error {
	ws, p, err := g.openWorkspace()
	if err != nil {
		return err
	}
	defer ws.Close()
	e, err := g.newEngine(p)
	if err != nil {
		return err
	}
	return op(ws, e)
}

func humanBytes(n int64) string { return engine.HumanBytes(n) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// writeJSON writes v as indented JSON on stdout, as every --json output is.
func writeJSON(g *globalOptions, v any) error { return cli.WriteJSON(g.stdout, v) }
