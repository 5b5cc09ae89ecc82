package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// Exit statuses shared by every command.
const (
	ExitOK      = 0
	ExitFailure = 1 // the command ran and found drift, or an operation failed
	ExitUsage   = 2 // bad usage, or a spec, lock or sum that cannot be used
)

// ExitError carries an exit status with an error; a nil Err means the
// command already said everything (verify's drift report).
type ExitError struct {
	Code   int
	Err    error
	Remedy string // what to do; "" when nothing useful can be said
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *ExitError) Unwrap() error { return e.Err }

// Hint returns the remedy text.
func (e *ExitError) Hint() string { return e.Remedy }

// Usage marks err as a spec, lock or usage problem (exit status 2).
func Usage(err error, hint string) error {
	return &ExitError{Code: ExitUsage, Err: err, Remedy: hint}
}

// Code is the exit status err calls for, from its type: an ExitError's
// code, or that of an error with an ExitCode method (the engine's); 2 for
// a spec, lock or sum error; else 1.
func Code(err error) int {
	var ee *ExitError
	var coded interface{ ExitCode() int }
	var list vendorspec.ErrorList
	var one *vendorspec.Error
	var load *vendorspec.LoadError
	switch {
	case errors.As(err, &ee):
		return ee.Code
	case errors.As(err, &coded):
		return coded.ExitCode()
	case errors.As(err, &list), errors.As(err, &one), errors.As(err, &load):
		return ExitUsage
	}
	return ExitFailure
}

// HintOf returns the first remedy text in err's chain: every rvendor
// error type with advice has a Hint method.
func HintOf(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if h, ok := e.(interface{ Hint() string }); ok && h.Hint() != "" {
			return h.Hint()
		}
	}
	return ""
}

// silent reports whether err is an ExitError whose command already said
// everything.
func silent(err error) bool {
	var ee *ExitError
	return errors.As(err, &ee) && ee.Err == nil
}

// Report prints err the one way rvendor prints errors, "rvendor: error:
// ..." and "rvendor: hint: ..." (one pair per place for spec, lock and
// sum errors), and returns the exit status it calls for.
func Report(w io.Writer, err error) int {
	code := Code(err)
	if silent(err) {
		return code
	}
	places := specErrors(err)
	for _, e := range places {
		fmt.Fprintf(w, "rvendor: error: %s: %s\n", e.Pos, e.Msg)
		if e.Hint != "" {
			fmt.Fprintf(w, "rvendor: hint: %s\n", e.Hint)
		}
	}
	if places == nil {
		fmt.Fprintf(w, "rvendor: error: %s\n", err)
	}
	if hint := HintOf(err); hint != "" {
		fmt.Fprintf(w, "rvendor: hint: %s\n", hint)
	}
	return code
}

// specErrors returns the places of a spec, lock or sum error, or nil.
func specErrors(err error) vendorspec.ErrorList {
	var list vendorspec.ErrorList
	var one *vendorspec.Error
	switch {
	case errors.As(err, &list):
		return list
	case errors.As(err, &one):
		return vendorspec.ErrorList{one}
	}
	return nil
}

// jsonError is what --json prints on stdout when a command fails, so that
// a script reading stdout always gets a JSON document.
type jsonError struct {
	Error struct {
		Message string          `json:"message"`
		Hint    string          `json:"hint,omitempty"`
		Exit    int             `json:"exit"`
		Places  []jsonErrorItem `json:"places,omitempty"` // spec, lock or sum errors, one per place
	} `json:"error"`
}

type jsonErrorItem struct {
	Position string `json:"position"` // file:line:col
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
}

// ReportJSON prints err as {"error": {...}} on w, unless the command
// already wrote its own report (an ExitError without an error, as
// verify's drift).
func ReportJSON(w io.Writer, err error, code int) {
	if silent(err) {
		return
	}
	var out jsonError
	out.Error.Message, out.Error.Exit, out.Error.Hint = err.Error(), code, HintOf(err)
	for _, e := range specErrors(err) {
		out.Error.Places = append(out.Error.Places, jsonErrorItem{Position: e.Pos.String(), Message: e.Msg, Hint: e.Hint})
	}
	WriteJSON(w, out)
}

// WriteJSON writes v as indented JSON, as every --json output is.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
