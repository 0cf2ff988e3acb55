package chaos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The parts of a Chaos Toolkit journal (chaostoolkit-lib's run journal,
// journal.json) that relia reads. Times are ISO 8601 without a zone, in
// UTC; unknown fields are ignored (the journal also carries the whole
// experiment, the platform, controls' data, …).
type ctkJournal struct {
	Experiment *struct {
		Title       *string  `json:"title"`
		Description string   `json:"description"`
		Tags        []string `json:"tags"`
	} `json:"experiment"`
	Start        *string  `json:"start"`
	End          *string  `json:"end"`
	Duration     *float64 `json:"duration"`
	Status       *string  `json:"status"`
	Deviated     bool     `json:"deviated"`
	SteadyStates struct {
		Before *ctkState  `json:"before"`
		After  *ctkState  `json:"after"`
		During []ctkState `json:"during"`
	} `json:"steady_states"`
	Run       []ctkRun `json:"run"`
	Rollbacks []ctkRun `json:"rollbacks"`
	// The 2017 reports of chaoslib 0.x name the library instead of a status.
	LibVersion *string `json:"chaoslib-version"`
}

type ctkState struct {
	SteadyStateMet *bool    `json:"steady_state_met"`
	Probes         []ctkRun `json:"probes"`
}

// ctkRun is the record of one activity: the activity as declared, and
// what happened when it ran.
type ctkRun struct {
	Activity struct {
		Type  string `json:"type"`
		Name  string `json:"name"`
		Title string `json:"title"` // chaoslib 0.x
	} `json:"activity"`
	Kind         string          `json:"kind"` // chaoslib 0.x: "steady state", "action", "close state"
	Status       string          `json:"status"`
	Start        *string         `json:"start"`
	End          *string         `json:"end"`
	Output       json.RawMessage `json:"output"`
	Exception    json.RawMessage `json:"exception"`
	ToleranceMet *bool           `json:"tolerance_met"`
}

// Chaos Toolkit journal statuses (the specification allows only these).
var ctkStatuses = []string{StatusCompleted, StatusFailed, StatusAborted, StatusInterrupted}

// ParseChaosToolkit reads a Chaos Toolkit journal.json.
//
// The run's id is its start and title (2026-11-12-1000-title). Its
// services are the experiment's tags that name a service with SLOs, plus
// those the options map from tags or the title. The hypothesis before and
// after the method is steady_states.before/after.steady_state_met (unknown
// when the journal has none); during the method, it is not met when any
// continuous check failed. A journal without "end" ends at start +
// duration, or at its last activity's end.
func ParseChaosToolkit(file string, data []byte, opts Options) (*Run, error) {
	var j ctkJournal
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, jsonError(file, data, err)
	}
	fail := func(field, format string, args ...any) error {
		return &Error{File: file, Line: jsonLine(data, field), Key: field, Msg: fmt.Sprintf(format, args...)}
	}
	if j.Experiment == nil {
		return nil, fail("experiment", "missing; expected the experiment of a Chaos Toolkit journal (journal.json)")
	}
	if j.Experiment.Title == nil || strings.TrimSpace(*j.Experiment.Title) == "" {
		return nil, fail("experiment.title", "missing; expected the experiment's title")
	}
	r := &Run{
		Title:       strings.TrimSpace(*j.Experiment.Title),
		Description: strings.TrimSpace(j.Experiment.Description),
		Source:      ChaosToolkit,
		File:        file,
		Tags:        j.Experiment.Tags,
	}
	if j.Start == nil {
		return nil, fail("start", "missing; expected the time the run started")
	}
	var err error
	if r.Start, err = parseTime(*j.Start); err != nil {
		return nil, fail("start", "%v", err)
	}
	legacy := j.Status == nil && j.LibVersion != nil && strings.HasPrefix(*j.LibVersion, "0.")
	if err := ctkStatus(r, &j, legacy, fail); err != nil {
		return nil, err
	}
	failedChecks := ctkHypothesis(r, &j)
	last, err := ctkActivities(r, &j, legacy, fail)
	if err != nil {
		return nil, err
	}
	if err := ctkEnd(r, &j, last, fail); err != nil {
		return nil, err
	}
	if err := checkSpan(file, "end", r); err != nil {
		return nil, err
	}

	r.ID = makeID(r.Start, r.Title)
	r.Services = opts.services(nil, r.Tags, r.Title)
	if len(j.SteadyStates.During) > 0 {
		r.Details = append(r.Details, Detail{"Continuous hypothesis checks", fmt.Sprintf("%d, %d not met", len(j.SteadyStates.During), failedChecks)})
	}
	if j.Deviated {
		r.Details = append(r.Details, Detail{"Deviated", "yes: the steady state did not hold after the method"})
	}
	return r, nil
}

// ctkFail builds the error of one field of a journal.
type ctkFail func(field, format string, args ...any) error

// ctkStatus sets the run's status from the journal's, or, for a legacy
// chaoslib 0.x report, from its activities.
func ctkStatus(r *Run, j *ctkJournal, legacy bool, fail ctkFail) error {
	switch {
	case legacy:
		// chaoslib 0.x (2017) records each activity's status and no verdict:
		// the run failed when an activity did; the hypothesis is unknown.
		r.Status = StatusCompleted
		for _, a := range j.Run {
			if a.Status == "failed" {
				r.Status = StatusFailed
			}
		}
		r.Details = append(r.Details, Detail{"Format", fmt.Sprintf(
			"report of chaoslib %s (2017): no run status and no steady-state verdict; the status comes from the activities, and the hypothesis is unknown", *j.LibVersion)})
	case j.Status == nil:
		return fail("status", "missing; expected one of %s", strings.Join(ctkStatuses, ", "))
	default:
		if r.Status = *j.Status; !slices.Contains(ctkStatuses, r.Status) {
			return fail("status", "expected one of %s, got %q", strings.Join(ctkStatuses, ", "), r.Status)
		}
	}
	return nil
}

// ctkHypothesis sets the hypothesis before, during and after the method
// from the steady-state checks, and returns how many checks during it
// failed.
func ctkHypothesis(r *Run, j *ctkJournal) (failedChecks int) {
	if s := j.SteadyStates.Before; s != nil {
		r.Before = hypothesisOf(s.SteadyStateMet)
	}
	if s := j.SteadyStates.After; s != nil {
		r.After = hypothesisOf(s.SteadyStateMet)
	}
	for _, s := range j.SteadyStates.During {
		switch hypothesisOf(s.SteadyStateMet) {
		case HypothesisNotMet:
			r.During = HypothesisNotMet
			failedChecks++
		case HypothesisMet:
			if r.During == HypothesisUnknown {
				r.During = HypothesisMet
			}
		}
	}
	if j.Deviated && r.After != HypothesisNotMet {
		// A deviated journal always failed its hypothesis after the method.
		r.After = HypothesisNotMet
	}
	return failedChecks
}

// ctkActivities adds the probes and actions in the order they ran —
// hypothesis before, method, hypothesis after, rollbacks — and returns
// when the last of them ended.
func ctkActivities(r *Run, j *ctkJournal, legacy bool, fail ctkFail) (time.Time, error) {
	var last time.Time
	add := func(phase string, runs []ctkRun, field string) error {
		for i, a := range runs {
			act, err := ctkActivity(phase, a)
			if err != nil {
				return fail(fmt.Sprintf("%s[%d]", field, i), "%v", err)
			}
			if act.End.After(last) {
				last = act.End
			}
			r.Activities = append(r.Activities, act)
		}
		return nil
	}
	if s := j.SteadyStates.Before; s != nil {
		if err := add("hypothesis before", s.Probes, "steady_states.before.probes"); err != nil {
			return last, err
		}
	}
	if legacy {
		for i, a := range j.Run {
			phase := "method"
			if strings.Contains(a.Kind, "state") {
				phase = "hypothesis (" + a.Kind + ")"
			}
			if err := add(phase, j.Run[i:i+1], fmt.Sprintf("run[%d]", i)); err != nil {
				return last, err
			}
		}
	} else if err := add("method", j.Run, "run"); err != nil {
		return last, err
	}
	if s := j.SteadyStates.After; s != nil {
		if err := add("hypothesis after", s.Probes, "steady_states.after.probes"); err != nil {
			return last, err
		}
	}
	return last, add("rollback", j.Rollbacks, "rollbacks")
}

// ctkEnd sets the end of the run: the journal's end, else its start plus
// its duration, else the end of its last activity.
func ctkEnd(r *Run, j *ctkJournal, last time.Time, fail ctkFail) error {
	var err error
	switch {
	case j.End != nil:
		if r.End, err = parseTime(*j.End); err != nil {
			return fail("end", "%v", err)
		}
	case j.Duration != nil && *j.Duration >= 0 && *j.Duration < 1e9:
		r.End = r.Start.Add(time.Duration(*j.Duration * float64(time.Second)))
	case !last.IsZero():
		r.End = last
	default:
		return fail("end", "missing, and neither duration nor any activity says when the run ended")
	}
	return nil
}

func ctkActivity(phase string, a ctkRun) (Activity, error) {
	act := Activity{Phase: phase, Name: a.Activity.Name, Type: a.Activity.Type, Status: a.Status}
	if act.Name == "" {
		act.Name = a.Activity.Title
	}
	var err error
	if a.Start != nil {
		if act.Start, err = parseTime(*a.Start); err != nil {
			return act, fmt.Errorf("start: %w", err)
		}
	}
	if a.End != nil {
		if act.End, err = parseTime(*a.End); err != nil {
			return act, fmt.Errorf("end: %w", err)
		}
	}
	if a.ToleranceMet != nil {
		if *a.ToleranceMet {
			act.Status = "tolerance met"
		} else {
			act.Status = "tolerance not met"
		}
	}
	act.Output = shorten(rawText(a.Output), 300)
	act.Error = shorten(exceptionText(a.Exception), 500)
	return act, nil
}

// rawText shows a JSON value: a string as itself, anything else compact.
func rawText(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) == nil {
		return buf.String()
	}
	return string(v)
}

// exceptionText keeps the last line of a traceback (the exception and its
// message), which is what a reader needs; the journal has the rest.
func exceptionText(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	var lines []string
	if json.Unmarshal(v, &lines) != nil {
		return rawText(v)
	}
	var all []string
	for _, l := range lines {
		all = append(all, strings.Split(l, "\n")...)
	}
	for i := len(all) - 1; i >= 0; i-- {
		if s := strings.TrimSpace(all[i]); s != "" {
			return s
		}
	}
	return ""
}

// jsonError places a decoding error on its line and names the field.
func jsonError(file string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &Error{File: file, Line: lineAt(data, se.Offset), Msg: "invalid JSON: " + se.Error()}
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(top level)"
		}
		return &Error{File: file, Line: lineAt(data, te.Offset), Key: field, Msg: "expected " + jsonKind(te.Type.String()) + ", got JSON " + te.Value}
	}
	return &Error{File: file, Msg: "invalid JSON: " + err.Error()}
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.Contains(goType, "string"):
		return "a string"
	case strings.Contains(goType, "float"), strings.Contains(goType, "int"):
		return "a number"
	case strings.Contains(goType, "bool"):
		return "true or false"
	}
	return "an object"
}

// jsonLine finds the line of a field path ("steady_states.before",
// "run[1]") in a JSON document, or of the deepest part of it that exists;
// 0 when the document does not parse.
func jsonLine(data []byte, field string) int {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return 0
	}
	n := root.Content[0]
	line := n.Line
	for _, part := range strings.Split(field, ".") {
		name, index, _ := strings.Cut(part, "[")
		v := mapValue(n, name)
		if v == nil {
			return line
		}
		line, n = v.Line, v
		if i, err := strconv.Atoi(strings.TrimSuffix(index, "]")); err == nil && n.Kind == yaml.SequenceNode && i >= 0 && i < len(n.Content) {
			n = n.Content[i]
			line = n.Line
		}
	}
	return line
}

// lineAt is the 1-based line of a byte offset.
func lineAt(data []byte, offset int64) int {
	if offset < 0 {
		return 0
	}
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}
