package chaos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Annotations a ChaosResult may carry for relia. A ChaosResult records no
// times of its own: see ParseLitmus.
const (
	AnnotationStart = "relia.dev/start"
	AnnotationEnd   = "relia.dev/end"
)

// litmusObject is a ChaosResult (litmuschaos.io/v1alpha1) as `kubectl get
// chaosresult -o yaml|json` writes it, or a List of them. Older and newer
// operator versions differ in a few names; both are read.
type litmusObject struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   litmusMeta `yaml:"metadata"`
	Spec       struct {
		Engine     string `yaml:"engine"`
		Experiment string `yaml:"experiment"`
	} `yaml:"spec"`
	Status struct {
		ExperimentStatus *litmusExperimentStatus `yaml:"experimentStatus"`
		// Litmus 1.x (chaos-operator before 1.13.8) spelled it in lower case.
		ExperimentStatusV1 *litmusExperimentStatus `yaml:"experimentstatus"`
		ProbeStatuses      []litmusProbe           `yaml:"probeStatuses"` // operator ≥ 3
		ProbeStatus        []litmusProbe           `yaml:"probeStatus"`   // older operators
		History            *struct {
			PassedRuns  int `yaml:"passedRuns"`
			FailedRuns  int `yaml:"failedRuns"`
			StoppedRuns int `yaml:"stoppedRuns"`
			Targets     []struct {
				Name        string `yaml:"name"`
				Kind        string `yaml:"kind"`
				ChaosStatus string `yaml:"chaosStatus"`
			} `yaml:"targets"`
		} `yaml:"history"`
	} `yaml:"status"`
	Items []yaml.Node `yaml:"items"`
}

// litmusMeta is the metadata of a ChaosResult.
type litmusMeta struct {
	Name              string            `yaml:"name"`
	Namespace         string            `yaml:"namespace"`
	CreationTimestamp string            `yaml:"creationTimestamp"`
	Labels            map[string]string `yaml:"labels"`
	Annotations       map[string]string `yaml:"annotations"`
	ManagedFields     []struct {
		Manager string `yaml:"manager"`
		Time    string `yaml:"time"`
	} `yaml:"managedFields"`
}

type litmusExperimentStatus struct {
	Phase                  string `yaml:"phase"`
	Verdict                string `yaml:"verdict"`
	ProbeSuccessPercentage string `yaml:"probeSuccessPercentage"`
	FailStep               string `yaml:"failStep"`
	FailureOutput          *struct {
		FailedStep string `yaml:"failedStep"`
		ErrorCode  string `yaml:"errorCode"`
	} `yaml:"failureOutput"`
}

// litmusProbe is one probe's result. Newer operators write status.verdict
// (Passed, Failed, N/A, Awaited) and a mode; older ones a verdict per
// phase: status.prechaos, postchaos, continuous or onchaos.
type litmusProbe struct {
	Name   string            `yaml:"name"`
	Type   string            `yaml:"type"`
	Mode   string            `yaml:"mode"`
	Status map[string]string `yaml:"status"`
}

// ParseLitmus reads LitmusChaos ChaosResults: one object, a List (kind
// List or ChaosResultList, as kubectl writes several), or several YAML
// documents; YAML or JSON.
//
// A ChaosResult records the verdict but no times, so relia takes the start
// from metadata.creationTimestamp (the result is created when the run
// starts) and the end from the latest metadata.managedFields time (its last
// update, at the end of the run; kubectl shows them with
// --show-managed-fields). The annotations relia.dev/start and relia.dev/end
// override both. A result the operator reused for several runs keeps its
// first creation time, so it must carry relia.dev/start.
//
// Status: phase Completed with verdict Pass is completed, Fail is failed;
// a Stopped verdict or phase is aborted; phase Running (verdict Awaited) is
// running. The hypothesis comes from the probes: SOT probes before the
// fault, EOT after, Edge both, Continuous and OnChaos during. Without probe
// verdicts, a Pass verdict means the hypothesis (Litmus's own checks) held
// after the fault and a Fail that it did not.
func ParseLitmus(file string, data []byte, opts Options) ([]*Run, error) {
	docs, err := yamlDocuments(file, data, "a ChaosResult (kubectl get chaosresult NAME -o yaml --show-managed-fields) or a List of them")
	if err != nil {
		return nil, err
	}
	var runs []*Run
	var errs []error
	for d, doc := range docs {
		prefix := ""
		if len(docs) > 1 {
			prefix = fmt.Sprintf("document %d: ", d+1)
		}
		var obj litmusObject
		if err := doc.Decode(&obj); err != nil {
			return nil, yamlError(file, err)
		}
		switch obj.Kind {
		case "List", "ChaosResultList":
			if len(obj.Items) == 0 {
				errs = append(errs, &Error{File: file, Line: doc.Line, Key: prefix + "items", Msg: "the list holds no ChaosResult"})
			}
			for i := range obj.Items {
				item := &obj.Items[i]
				var o litmusObject
				if err := item.Decode(&o); err != nil {
					return nil, yamlError(file, err)
				}
				r, err := litmusRun(file, fmt.Sprintf("%sitems[%d].", prefix, i), item, &o, opts)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				runs = append(runs, r)
			}
		default:
			r, err := litmusRun(file, prefix, doc, &obj, opts)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			runs = append(runs, r)
		}
		if len(errs) >= maxErrors {
			break
		}
	}
	return runs, errors.Join(errs...)
}

// yamlDocuments splits the file into its YAML documents. JSON is YAML, but
// a JSON file that YAML rejects (tabs) is read as JSON.
// want says what the file should hold, for an empty one.
func yamlDocuments(file string, data []byte, want string) ([]*yaml.Node, error) {
	var docs []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if t := bytes.TrimSpace(data); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
				var v any
				if jerr := json.Unmarshal(data, &v); jerr != nil {
					return nil, jsonError(file, data, jerr)
				}
				var jn yaml.Node
				if err := jn.Encode(v); err == nil {
					return []*yaml.Node{&jn}, nil
				}
			}
			return nil, yamlError(file, err)
		}
		if len(n.Content) == 0 {
			continue // an empty document
		}
		docs = append(docs, n.Content[0])
		if len(docs) > 10000 {
			return nil, &Error{File: file, Msg: "more than 10000 YAML documents"}
		}
	}
	if len(docs) == 0 {
		return nil, &Error{File: file, Msg: "empty; expected " + want}
	}
	return docs, nil
}

// litmusFail builds the error of one field of a ChaosResult.
type litmusFail func(field, format string, args ...any) *Error

// litmusRun reads one ChaosResult into a run.
func litmusRun(file, prefix string, node *yaml.Node, o *litmusObject, opts Options) (*Run, error) {
	fail := func(field, format string, args ...any) *Error {
		return &Error{File: file, Line: nodeLine(node, strings.Split(field, ".")...), Key: prefix + field, Msg: fmt.Sprintf(format, args...)}
	}
	if err := litmusCheck(node, o, fail); err != nil {
		return nil, err
	}
	md, spec, st := &o.Metadata, &o.Spec, &o.Status
	r := &Run{Source: Litmus, File: file, Line: node.Line, Title: spec.Experiment}
	if spec.Engine != "" {
		r.Title = spec.Experiment + " on " + spec.Engine
	}

	// Times: a result relia cannot place is still a run, of unknown time.
	runs := 0
	if h := st.History; h != nil {
		runs = h.PassedRuns + h.FailedRuns + h.StoppedRuns
	}
	es, esKey := st.ExperimentStatus, "status.experimentStatus"
	if es == nil && st.ExperimentStatusV1 != nil {
		es, esKey = st.ExperimentStatusV1, "status.experimentstatus"
	}
	if es == nil {
		return nil, fail("status.experimentStatus", "missing; expected the verdict of the run (status.experimentStatus, or experimentstatus from Litmus 1.x)")
	}
	phase := strings.ToLower(strings.TrimSpace(es.Phase))
	if err := litmusTimes(r, md, runs, phase, fail); err != nil {
		err.Warning = true
		r.TimeUnknown, r.Start, r.End = true, time.Time{}, time.Time{}
		r.Problems = append(r.Problems, err)
	}

	verdict := strings.ToLower(strings.TrimSpace(es.Verdict))
	status, err := litmusStatus(es, esKey, phase, verdict, fail)
	if err != nil {
		return nil, err
	}
	r.Status = status

	fault := Activity{Phase: "fault", Name: spec.Experiment, Type: "fault", Start: r.Start, End: r.End, Status: es.Verdict}
	if step := es.FailStep; step != "" && !strings.EqualFold(step, "N/A") {
		fault.Error = shorten(step, 500)
	}
	if fo := es.FailureOutput; fo != nil && fo.FailedStep != "" {
		fault.Error = shorten(strings.TrimSpace(fo.ErrorCode+" "+fo.FailedStep), 500)
	}
	r.Activities = append(r.Activities, fault)
	if !litmusProbes(r, append(slices.Clone(st.ProbeStatuses), st.ProbeStatus...)) {
		switch verdict {
		case "pass":
			r.After = HypothesisMet
		case "fail":
			r.After = HypothesisNotMet
		}
	}

	names := litmusDetails(r, o, es)
	r.ID = makeID(r.Start, md.Name)
	if r.TimeUnknown {
		r.ID = unplacedID(md.Name)
	}
	r.Services = opts.services(nil, names, r.Title)
	return r, nil
}

// litmusCheck refuses an object that is not a ChaosResult with a name and
// an experiment, saying what it looks like instead where it can.
func litmusCheck(node *yaml.Node, o *litmusObject, fail litmusFail) *Error {
	if o.Kind != "ChaosResult" {
		if o.Kind == "" && mapValue(node, "Kind") != nil {
			return fail("Kind", "this is kubectl describe output, which holds no times; export the result with kubectl get chaosresult NAME -o yaml --show-managed-fields")
		}
		if o.Kind == "" {
			return fail("kind", "missing; expected ChaosResult (or a List of them)")
		}
		return fail("kind", "expected ChaosResult (or a List of them), got %q", o.Kind)
	}
	if !strings.HasPrefix(o.APIVersion, "litmuschaos.io/") {
		return fail("apiVersion", "expected litmuschaos.io/v1alpha1, got %q", o.APIVersion)
	}
	if strings.TrimSpace(o.Metadata.Name) == "" {
		return fail("metadata.name", "missing; expected the ChaosResult's name")
	}
	if strings.TrimSpace(o.Spec.Experiment) == "" {
		return fail("spec.experiment", "missing; expected the name of the chaos experiment")
	}
	return nil
}

// litmusStatus maps a phase and a verdict (both lower case) to a run
// status: see ParseLitmus.
func litmusStatus(es *litmusExperimentStatus, esKey, phase, verdict string, fail litmusFail) (string, *Error) {
	switch verdict {
	case "pass", "fail", "stopped", "awaited":
	case "":
		return "", fail(esKey+".verdict", "missing; expected Pass, Fail, Stopped or Awaited")
	default:
		return "", fail(esKey+".verdict", "expected Pass, Fail, Stopped or Awaited, got %q", es.Verdict)
	}
	switch {
	case phase == "":
		return "", fail(esKey+".phase", "missing; expected Running, Completed or Stopped")
	case phase == "stopped" || phase == "aborted" || verdict == "stopped":
		return StatusAborted, nil
	case phase == "running" || phase == "awaited" || (phase == "completed" && verdict == "awaited"):
		return StatusRunning, nil
	case phase == "completed" && verdict == "pass":
		return StatusCompleted, nil
	case phase == "completed" && verdict == "fail":
		return StatusFailed, nil
	}
	return "", fail(esKey+".phase", "expected Running, Completed or Stopped, got %q", es.Phase)
}

// litmusProbes adds one activity per probe and folds the probe verdicts
// into the run's hypothesis phases. It reports whether any verdict was
// known, so that the caller can fall back on the experiment's verdict.
func litmusProbes(r *Run, probes []litmusProbe) (known bool) {
	for _, p := range probes {
		act := Activity{Phase: "probe", Name: p.Name, Type: p.Type, Output: shorten(p.Status["description"], 300)}
		var statuses []string
		if v, ok := p.Status["verdict"]; ok {
			h := probeVerdict(v)
			switch strings.ToLower(p.Mode) {
			case "sot":
				r.Before = combine(r.Before, h)
			case "eot":
				r.After = combine(r.After, h)
			case "edge":
				r.Before, r.After = combine(r.Before, h), combine(r.After, h)
			default: // Continuous, OnChaos
				r.During = combine(r.During, h)
			}
			known = known || h != HypothesisUnknown
			statuses = append(statuses, v)
		}
		for _, key := range []string{"prechaos", "postchaos", "continuous", "onchaos"} {
			v, ok := p.Status[key]
			if !ok {
				continue
			}
			h := probeVerdict(v)
			switch key {
			case "prechaos":
				r.Before = combine(r.Before, h)
			case "postchaos":
				r.After = combine(r.After, h)
			default:
				r.During = combine(r.During, h)
			}
			known = known || h != HypothesisUnknown
			statuses = append(statuses, key+" "+v)
		}
		act.Status = strings.Join(statuses, ", ")
		if p.Mode != "" {
			act.Type = strings.TrimSpace(p.Type + " (" + p.Mode + ")")
		}
		r.Activities = append(r.Activities, act)
	}
	return known
}

// litmusDetails adds the details a run page lists and returns the names
// that may match a service: the result's, the engine's, the experiment's,
// its label values (sorted by key, for a deterministic match) and its
// targets'.
func litmusDetails(r *Run, o *litmusObject, es *litmusExperimentStatus) []string {
	md, spec, h := &o.Metadata, &o.Spec, o.Status.History
	r.Details = append(r.Details,
		Detail{"Verdict", es.Verdict},
		Detail{"Phase", es.Phase})
	if p := es.ProbeSuccessPercentage; p != "" {
		r.Details = append(r.Details, Detail{"Probe success", strings.TrimSuffix(p, "%") + " %"})
	}
	r.Details = append(r.Details, Detail{"Experiment", spec.Experiment})
	if spec.Engine != "" {
		r.Details = append(r.Details, Detail{"Engine", spec.Engine})
	}
	if md.Namespace != "" {
		r.Details = append(r.Details, Detail{"Namespace", md.Namespace})
	}
	names := []string{md.Name, spec.Engine, spec.Experiment}
	keys := make([]string, 0, len(md.Labels))
	for k := range md.Labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		names = append(names, md.Labels[k])
	}
	if h != nil {
		var targets []string
		for _, t := range h.Targets {
			names = append(names, t.Name)
			targets = append(targets, strings.TrimSpace(strings.Trim(t.Kind+"/"+t.Name, "/")+" "+t.ChaosStatus))
		}
		if len(targets) > 0 {
			r.Details = append(r.Details, Detail{"Targets", strings.Join(targets, ", ")})
		}
		r.Details = append(r.Details, Detail{"Runs recorded", fmt.Sprintf("%d passed, %d failed, %d stopped", h.PassedRuns, h.FailedRuns, h.StoppedRuns)})
	}
	return names
}

// litmusTimes places a result in time: see ParseLitmus. runs is how many
// runs its history records.
func litmusTimes(r *Run, md *litmusMeta, runs int, phase string, fail litmusFail) *Error {
	var err error
	if s, ok := md.Annotations[AnnotationStart]; ok {
		if r.Start, err = parseTime(s); err != nil {
			return fail("metadata.annotations", "%s: %v", AnnotationStart, err)
		}
	} else {
		if runs > 1 || (runs == 1 && phase == "running") {
			return fail("status.history", "the result records %d runs, so metadata.creationTimestamp is when the first of them started, not this one; annotate the result with %s and %s (RFC 3339) when the run started and ended", runs, AnnotationStart, AnnotationEnd)
		}
		if md.CreationTimestamp == "" {
			return fail("metadata.creationTimestamp", "missing, so the start of the run is unknown; export the result with kubectl get chaosresult NAME -o yaml, or annotate it with %s (RFC 3339)", AnnotationStart)
		}
		if r.Start, err = parseTime(md.CreationTimestamp); err != nil {
			return fail("metadata.creationTimestamp", "%v", err)
		}
	}
	if s, ok := md.Annotations[AnnotationEnd]; ok {
		if r.End, err = parseTime(s); err != nil {
			return fail("metadata.annotations", "%s: %v", AnnotationEnd, err)
		}
	} else {
		for i, mf := range md.ManagedFields {
			if mf.Time == "" {
				continue
			}
			t, err := parseTime(mf.Time)
			if err != nil {
				return fail(fmt.Sprintf("metadata.managedFields[%d].time", i), "%v", err)
			}
			if t.After(r.End) {
				r.End = t
			}
		}
		if r.End.IsZero() {
			return fail("metadata.managedFields", "no update time, so the end of the run is unknown; export the result with kubectl get chaosresult NAME -o yaml --show-managed-fields, or annotate it with %s (RFC 3339)", AnnotationEnd)
		}
	}
	if r.End.Before(r.Start) {
		return fail("metadata", "the run ends (%s) before it starts (%s)", r.End.Format(time.RFC3339), r.Start.Format(time.RFC3339))
	}
	return nil
}

// probeVerdict reads a probe verdict: "Passed", "Failed", older "Passed 👍",
// "Better Luck Next Time" for a failure, or N/A and Awaited (unknown).
func probeVerdict(v string) Hypothesis {
	s := strings.ToLower(strings.TrimSpace(v))
	switch {
	case strings.HasPrefix(s, "pass"):
		return HypothesisMet
	case strings.HasPrefix(s, "fail"), strings.HasPrefix(s, "better luck"):
		return HypothesisNotMet
	}
	return HypothesisUnknown
}

// combine merges two checks of one phase: any failure fails it.
func combine(a, b Hypothesis) Hypothesis {
	switch {
	case a == HypothesisNotMet || b == HypothesisNotMet:
		return HypothesisNotMet
	case a == HypothesisMet || b == HypothesisMet:
		return HypothesisMet
	}
	return HypothesisUnknown
}

// nodeLine finds the line of a key path in a YAML mapping, or of the
// deepest part of it that exists.
func nodeLine(n *yaml.Node, keys ...string) int {
	if n == nil {
		return 0
	}
	line := n.Line
	for _, k := range keys {
		if n.Kind != yaml.MappingNode {
			return line
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				line, next = n.Content[i].Line, n.Content[i+1]
				break
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}

// yamlError places a YAML error on its line.
func yamlError(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg := te.Errors[0]
		if strings.HasPrefix(msg, "line ") {
			if _, rest, ok := strings.Cut(msg, ": "); ok {
				msg = rest
			}
		}
		return &Error{File: file, Line: yamlLine(te.Errors[0]), Msg: msg}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := yamlLine(msg)
	if strings.HasPrefix(msg, "line ") {
		if _, rest, ok := strings.Cut(msg, ": "); ok {
			msg = rest
		}
	}
	return &Error{File: file, Line: line, Msg: "invalid YAML: " + msg}
}

// yamlLine finds "line N" in a yaml.v3 message.
func yamlLine(msg string) int {
	i := strings.Index(msg, "line ")
	if i < 0 {
		return 0
	}
	n := 0
	for _, c := range msg[i+5:] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
		if n > 1e9 {
			return 0
		}
	}
	return n
}
