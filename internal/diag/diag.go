// Package diag holds the one error type every reader of the site's inputs
// reports (relia.toml, Markdown, SLO specs, chaos logs): the file, the line
// when known, the key or field, and what was expected. It prints as
// "file:line: key: message", the form editors and CI annotations link to.
package diag

import (
	"fmt"
	"strings"
)

// Error is a problem at a place in an input file.
type Error struct {
	File string
	Line int    // 1-based; 0 when unknown
	Key  string // the key or field, e.g. "slos[checkout/availability].objective"; may be empty
	Msg  string
	// Warning marks a problem the build reports and goes on from: evidence
	// relia cannot use (a chaos log it cannot read or place in time) must
	// not sink a whole report. --strict makes warnings fatal.
	Warning bool
}

// Severity is "warning" or "error", as relia check reports it.
func (e *Error) Severity() string {
	if e.Warning {
		return "warning"
	}
	return "error"
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}
