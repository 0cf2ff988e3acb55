// Package diag holds the one error type every reader of the site's inputs
// reports (relia.toml, Markdown, SLO specs, chaos logs, templates): the
// file, the line when known, the key or field, and what was expected. It
// prints as "file:line: key: message", the form editors and CI annotations
// link to; relia check prints and encodes these same values, so no caller
// ever reads a position back out of the text.
package diag

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Severities, as relia check reports them.
const (
	SeverityError   = "error"   // the build fails, or the site is broken
	SeverityWarning = "warning" // the site builds, but something needs a look
)

// Error is a problem at a place in an input file.
type Error struct {
	File string // slash-separated, relative to the working folder as given; "" when no file is at fault
	Line int    // 1-based; 0 when unknown or the whole file is at fault
	Key  string // the key or field, e.g. "slos[checkout/availability].objective"; may be empty
	Msg  string
	// Warning marks a problem the build reports and goes on from: evidence
	// relia cannot use (a chaos log it cannot read or place in time) must
	// not sink a whole report. --strict makes warnings fatal.
	Warning bool
}

// Severity is SeverityWarning or SeverityError.
func (e *Error) Severity() string {
	if e.Warning {
		return SeverityWarning
	}
	return SeverityError
}

func (e *Error) Error() string { return e.format(false) }

// Text is how relia check prints e: as Error, with "warning: " before the
// key of a warning.
func (e *Error) Text() string { return e.format(e.Warning) }

func (e *Error) format(marked bool) string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if marked {
		b.WriteString("warning: ")
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// MarshalJSON writes every field, always: tools read file, line, key,
// severity and message without testing for absent ones (line 0 and key ""
// when unknown).
func (e Error) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		File     string `json:"file"`
		Line     int    `json:"line"`
		Key      string `json:"key"`
		Severity string `json:"severity"`
		Message  string `json:"message"`
	}{e.File, e.Line, e.Key, e.Severity(), e.Msg})
}

// List collects problems as the stages of a pipeline find them, from
// several goroutines at once: the structured sink a build hands its
// readers instead of a text log. The zero List is ready to use.
type List struct {
	mu   sync.Mutex
	errs []*Error
}

// Add records e.
func (l *List) Add(e *Error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, e)
}

// All is every problem added, in the order added.
func (l *List) All() []*Error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Error(nil), l.errs...)
}

// Len is the number of problems added.
func (l *List) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.errs)
}

// Flatten splits err into the problems it joins: one per *Error, found
// through joined errors and through wrappers that add no words of their
// own; any other error becomes a problem that names no file, with its
// whole text as the message. It never reads a position out of text.
func Flatten(err error) []*Error {
	if err == nil {
		return nil
	}
	if e, ok := err.(*Error); ok {
		return []*Error{e}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Error
		for _, x := range j.Unwrap() {
			out = append(out, Flatten(x)...)
		}
		return out
	}
	if inner := errors.Unwrap(err); inner != nil && inner.Error() == err.Error() {
		return Flatten(inner)
	}
	return []*Error{{Msg: err.Error()}}
}
