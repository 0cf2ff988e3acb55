// Package chaos reads the logs chaos experiments leave — Chaos Toolkit
// journals, LitmusChaos ChaosResults, Chaos Mesh objects and a generic JSON
// or CSV format — into
// one normalised Run, and measures what each run cost the SLOs of the
// services it touched (see Measure). It parses and computes; it reads the
// log files it is given and writes nothing, and it knows nothing about
// pages or the site.
package chaos

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/relia-dev/relia/internal/content"
	"github.com/relia-dev/relia/internal/diag"
)

// Log formats: the `type` of a [[chaos]] entry and Run.Source.
const (
	ChaosToolkit = "chaostoolkit"
	Litmus       = "litmus"
	Generic      = "generic"
	ChaosMesh    = "chaosmesh"
)

// Formats lists the log formats relia reads.
var Formats = []string{ChaosToolkit, Litmus, Generic, ChaosMesh}

// Run statuses, normalised across formats.
const (
	StatusCompleted   = "completed"   // ran to the end; the hypothesis may still have failed
	StatusFailed      = "failed"      // the steady-state hypothesis (or the experiment) failed
	StatusAborted     = "aborted"     // stopped by an error or by hand
	StatusInterrupted = "interrupted" // stopped by a signal or a control
	StatusRunning     = "running"     // not finished when the log was taken
)

// Statuses lists the run statuses, for messages and the generic format.
var Statuses = []string{StatusCompleted, StatusFailed, StatusAborted, StatusInterrupted, StatusRunning}

// Hypothesis is whether a steady-state hypothesis held: it may be unknown
// (not checked, or not recorded by the tool).
type Hypothesis int8

// Hypothesis values.
const (
	HypothesisUnknown Hypothesis = iota
	HypothesisMet
	HypothesisNotMet
)

// String is "met", "not met" or "unknown".
func (h Hypothesis) String() string {
	switch h {
	case HypothesisMet:
		return "met"
	case HypothesisNotMet:
		return "not met"
	}
	return "unknown"
}

// Bool is true or false when known, nil when unknown: the JSON of the API.
func (h Hypothesis) Bool() *bool {
	if h == HypothesisUnknown {
		return nil
	}
	v := h == HypothesisMet
	return &v
}

// hypothesisOf turns a recorded flag into a Hypothesis.
func hypothesisOf(met *bool) Hypothesis {
	switch {
	case met == nil:
		return HypothesisUnknown
	case *met:
		return HypothesisMet
	}
	return HypothesisNotMet
}

// Run is one chaos experiment run, whatever tool recorded it.
type Run struct {
	ID          string // slug-safe and unique across every log: the page is chaos/runs/<ID>/
	Title       string
	Description string
	Source      string // ChaosToolkit, Litmus, Generic or ChaosMesh
	File        string // the log it was read from, as shown in errors
	Line        int    // where in the log the run begins; 0 when the log is one run

	Start, End time.Time // UTC; End is never before Start; zero when TimeUnknown
	Status     string    // one of Statuses

	// TimeUnknown marks a run the log proves happened but cannot place in
	// time (a ChaosResult without update times, or reused for several
	// runs): it is listed, with Problems saying why and how to fix the
	// export, but measures nothing and is never a detection gap.
	TimeUnknown bool
	// Problems are warnings about this run's log, shown on its page.
	Problems []*Error

	// The steady-state hypothesis before, during and after the method.
	Before, During, After Hypothesis

	Services   []string // sorted, without duplicates
	Tags       []string
	Activities []Activity // in the order the tool ran them
	Details    []Detail   // facts of the format worth showing: verdict, probe success, engine
}

// Hypothesis is the run's overall verdict: not met when any check failed
// (before, during or after the method), met when it held after the method,
// unknown otherwise.
func (r *Run) Hypothesis() Hypothesis {
	for _, h := range []Hypothesis{r.Before, r.During, r.After} {
		if h == HypothesisNotMet {
			return HypothesisNotMet
		}
	}
	return r.After
}

// Duration is End − Start.
func (r *Run) Duration() time.Duration { return r.End.Sub(r.Start) }

// Activity is one step of a run: an action, a probe, a fault, a rollback.
type Activity struct {
	Phase      string    // "hypothesis before", "method", "hypothesis during", "hypothesis after", "rollback", "fault", "probe"
	Name       string    // as the experiment names it
	Type       string    // "action", "probe", "fault", …
	Start, End time.Time // zero when the log does not say
	Status     string    // as the tool reports it: "succeeded", "failed", "Passed", …
	Output     string    // the output, shortened; shown escaped
	Error      string    // the exception, shortened; shown escaped
}

// Failed reports whether the tool marked the activity as failed.
func (a Activity) Failed() bool {
	s := strings.ToLower(a.Status)
	return strings.Contains(s, "fail") || strings.Contains(s, "not met") || a.Error != ""
}

// Detail is one named fact about a run.
type Detail struct {
	Name, Value string
}

// Options tell the readers how to tie runs to services.
type Options struct {
	// Services are the services that have SLOs. A Chaos Toolkit tag, or a
	// Litmus engine, experiment, label or target name, equal to one ties
	// the run to it.
	Services []string
	// Map ties runs to services by glob patterns (path.Match syntax,
	// case-insensitive) over the same names and over run titles.
	Map map[string][]string
}

// services resolves the services of a run from its names (tags, engine,
// labels: exact matches count) and its title (only the map applies),
// plus any the log names explicitly.
func (o Options) services(explicit []string, names []string, title string) []string {
	set := map[string]bool{}
	for _, s := range explicit {
		if s = strings.TrimSpace(s); s != "" {
			set[s] = true
		}
	}
	for _, n := range names {
		if slices.Contains(o.Services, n) {
			set[n] = true
		}
	}
	candidates := append(slices.Clone(names), title)
	for pattern, svcs := range o.Map {
		p := strings.ToLower(pattern)
		for _, c := range candidates {
			if ok, _ := path.Match(p, strings.ToLower(c)); ok && c != "" {
				for _, s := range svcs {
					set[s] = true
				}
				break
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Error is a problem at a place in an input: see diag.Error.
type Error = diag.Error

// maxErrors caps the errors reported for one build.
const maxErrors = 50

// Parse reads one log of the given format. file names it in errors.
//
// It returns the runs it could read and, joined in the error, a *Error for
// each run or document it could not: a log may hold runs of both kinds,
// and the good ones are returned with the error. The caller decides what
// the problems weigh (a site reports them as warnings). Runs that the log
// cannot place in time are returned with TimeUnknown and their Problems.
func Parse(format, file string, data []byte, opts Options) ([]*Run, error) {
	switch format {
	case ChaosToolkit:
		r, err := ParseChaosToolkit(file, data, opts)
		if err != nil {
			return nil, err
		}
		return []*Run{r}, nil
	case Litmus:
		return ParseLitmus(file, data, opts)
	case Generic:
		return ParseGeneric(file, data, opts)
	case ChaosMesh:
		return ParseChaosMesh(file, data, opts)
	}
	return nil, &Error{File: file, Msg: fmt.Sprintf("unknown log format %q; expected one of %s", format, strings.Join(Formats, ", "))}
}

// Dedupe keeps the first run of each id, in the order given (the order the
// logs were read), and returns a problem for every later one, naming both
// logs: two logs claiming one page is a mistake to fix, but not a reason
// to drop the report.
func Dedupe(runs []*Run) ([]*Run, []*Error) {
	seen := map[string]*Run{}
	var problems []*Error
	kept := runs[:0:0]
	for _, r := range runs {
		if first, dup := seen[r.ID]; dup {
			problems = append(problems, &Error{File: r.File, Line: r.Line, Key: "id", Msg: fmt.Sprintf(
				"run id %q is also the id of a run in %s, which is kept; this one is left out: give one a different id (or title and start)", r.ID, first.File)})
			continue
		}
		seen[r.ID] = r
		kept = append(kept, r)
	}
	return kept, problems
}

// Sort orders runs by start, then id, runs of unknown time last: the order
// of every list of runs.
func Sort(runs []*Run) {
	slices.SortStableFunc(runs, func(a, b *Run) int {
		if a.TimeUnknown != b.TimeUnknown {
			if a.TimeUnknown {
				return 1
			}
			return -1
		}
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// Problems flattens the error of Parse into its positioned problems.
func Problems(err error) []*Error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Error
		for _, e := range j.Unwrap() {
			out = append(out, Problems(e)...)
		}
		return out
	}
	var e *Error
	if errors.As(err, &e) {
		return []*Error{e}
	}
	return []*Error{{Msg: err.Error()}}
}

// maxSlug bounds the name part of a generated run id.
const maxSlug = content.MaxSlug

// makeID builds a run id from its start and title: 2026-11-12-1000-title.
func makeID(start time.Time, title string) string {
	return start.UTC().Format("2006-01-02-1504") + "-" + content.ShortSlug(title)
}

// parseTime reads a log's time: RFC 3339, or an ISO 8601 date-time without
// a zone (as Chaos Toolkit writes them), which is UTC.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("expected a time such as 2026-11-12T10:00:00Z, got %q", s)
}

// shorten cuts s to at most n bytes on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + " …"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// checkSpan validates a run's times.
func checkSpan(file, field string, r *Run) error {
	if r.End.Before(r.Start) {
		return &Error{File: file, Key: field, Msg: fmt.Sprintf("the run ends (%s) before it starts (%s)",
			r.End.Format(time.RFC3339), r.Start.Format(time.RFC3339))}
	}
	return nil
}

// unplacedID is the id of a run of unknown time: its name, marked.
func unplacedID(name string) string {
	s := content.Slug(name)
	if len(s) > maxSlug {
		s = strings.Trim(s[:maxSlug], "-")
	}
	return "time-unknown-" + s
}
