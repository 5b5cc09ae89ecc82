package engine

// EventKind says what an Event reports.
type EventKind int

// Event kinds.
const (
	// Info is a line for the user about what is happening (printed unless
	// output is quiet).
	Info EventKind = iota
	// Warning is about trust (an unsigned source, another keyring, a
	// mirror passed over) and must reach the user whatever else is
	// quiet.
	Warning
	// Download reports bytes received of URL: Done of Total (-1 when
	// unknown).
	Download
	// Extract reports an archive being read: Entries scanned and Done
	// bytes read so far.
	Extract
	// Crates reports crates fetched and checked: Done of Total, the last
	// one Name.
	Crates
	// ProgressEnd says that the progress reported so far is over (a
	// terminal's status line can be erased).
	ProgressEnd
)

// Event is something the engine tells its caller while it works. The
// engine never prints; the command renders events.
type Event struct {
	Kind      EventKind
	Component string // the component concerned, when one is
	Text      string // Info and Warning: the whole line, without "rvendor: warning: "
	Name      string // Download: the URL; Extract: the archive; Crates: the crate
	Done      int64
	Total     int64
	Entries   int
}

// emit sends ev to the caller, if it listens.
func (e *Engine) emit(ev Event) {
	if e.Events != nil {
		e.Events(ev)
	}
}

// say emits an Info line.
func (e *Engine) say(text string) { e.emit(Event{Kind: Info, Text: text}) }

// warn emits a Warning line.
func (e *Engine) warn(text string) { e.emit(Event{Kind: Warning, Text: text}) }
