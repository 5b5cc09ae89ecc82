package main

import (
	"fmt"
	"io"
	"os"
	"path"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// progress draws one status line on a terminal, at most ten times a
// second, and erases it when done. It is a no-op when stderr is not a
// terminal or output is quiet or JSON.
type progress struct {
	mu   sync.Mutex
	w    io.Writer
	on   bool
	last time.Time
	wide int
}

func (g *globalOptions) progress() *progress {
	return &progress{w: g.stderr, on: !g.Quiet && !g.JSON && isTerminal(g.stderr)}
}

// download is a fetch.Cache Progress callback.
func (p *progress) download(url string, done, total int64) {
	if total > 0 {
		p.show(fmt.Sprintf("downloading %s: %s of %s (%d%%)", path.Base(url), humanBytes(done), humanBytes(total), done*100/total), done == total)
		return
	}
	p.show(fmt.Sprintf("downloading %s: %s", path.Base(url), humanBytes(done)), false)
}

func (p *progress) show(line string, force bool) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !force && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	pad := p.wide - len(line)
	if pad < 0 {
		pad = 0
	}
	p.wide = len(line)
	fmt.Fprintf(p.w, "\r%s%*s", line, pad, "")
}

// done erases the status line.
func (p *progress) done() {
	if !p.on || p.wide == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r%*s\r", p.wide, "")
	p.wide = 0
}

// extract returns a fetch.Selection Progress callback naming the archive.
func (p *progress) extract(archive string) func(entries int, read int64) {
	if !p.on {
		return nil
	}
	return func(entries int, read int64) {
		p.show(fmt.Sprintf("extracting %s: %d entries scanned, %s read", archive, entries, humanBytes(read)), false)
	}
}
