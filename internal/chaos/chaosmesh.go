package chaos

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// meshObject is a Chaos Mesh object (chaos-mesh.org/v1alpha1) as `kubectl
// get KIND -o yaml|json` prints it: an experiment (PodChaos, NetworkChaos,
// StressChaos, …), a Workflow or a Schedule, or a List of them. The spec
// differs per kind and stays a node, read by meshSpecOf.
type meshObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name              string            `yaml:"name"`
		Namespace         string            `yaml:"namespace"`
		CreationTimestamp string            `yaml:"creationTimestamp"`
		Labels            map[string]string `yaml:"labels"`
		Annotations       map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Spec   yaml.Node   `yaml:"spec"`
	Status *meshStatus `yaml:"status"`
	Items  []yaml.Node `yaml:"items"`
}

// meshStatus holds the status fields of every kind relia reads: an
// experiment's conditions and records, a Workflow's times and conditions.
type meshStatus struct {
	Conditions []struct {
		Type   string `yaml:"type"`
		Status string `yaml:"status"`
		Reason string `yaml:"reason"`
	} `yaml:"conditions"`
	Experiment *struct {
		DesiredPhase string `yaml:"desiredPhase"`
		Records      []struct {
			ID             string `yaml:"id"`
			Phase          string `yaml:"phase"`
			InjectedCount  int    `yaml:"injectedCount"`
			RecoveredCount int    `yaml:"recoveredCount"`
			Events         []struct {
				Type      string `yaml:"type"`      // Succeeded, Failed
				Operation string `yaml:"operation"` // Apply, Recover
				Message   string `yaml:"message"`
				Timestamp string `yaml:"timestamp"`
			} `yaml:"events"`
		} `yaml:"containerRecords"`
		// Chaos Mesh 1.x recorded the span and a phase instead of events.
		Phase     string `yaml:"phase"`
		StartTime string `yaml:"startTime"`
		EndTime   string `yaml:"endTime"`
	} `yaml:"experiment"`
	StartTime string `yaml:"startTime"` // Workflow
	EndTime   string `yaml:"endTime"`   // Workflow
}

// condition reports a condition's status ("True", "False" or "").
func (s *meshStatus) condition(typ string) string {
	for _, c := range s.Conditions {
		if strings.EqualFold(c.Type, typ) {
			return c.Status
		}
	}
	return ""
}

// meshSpec is what relia shows of an experiment's spec, and of the chaos a
// Workflow template or a Schedule embeds.
type meshSpec struct {
	Action   string       `yaml:"action"`
	Mode     string       `yaml:"mode"`
	Value    string       `yaml:"value"`
	Duration string       `yaml:"duration"`
	Selector meshSelector `yaml:"selector"`
}

type meshSelector struct {
	Namespaces          []string            `yaml:"namespaces"`
	LabelSelectors      map[string]string   `yaml:"labelSelectors"`
	AnnotationSelectors map[string]string   `yaml:"annotationSelectors"`
	FieldSelectors      map[string]string   `yaml:"fieldSelectors"`
	Pods                map[string][]string `yaml:"pods"`
	Nodes               []string            `yaml:"nodes"`
	NodeSelectors       map[string]string   `yaml:"nodeSelectors"`
	ExpressionSelectors []struct {
		Key      string   `yaml:"key"`
		Operator string   `yaml:"operator"`
		Values   []string `yaml:"values"`
	} `yaml:"expressionSelectors"`
}

// Chaos Mesh's own bookkeeping objects: they end in "Chaos" but record no
// experiment.
var meshInternalKinds = []string{"PodNetworkChaos", "PodIOChaos", "PodHttpChaos"}

// Limits on what one Chaos Mesh object may make relia show.
const (
	maxMeshActivities = 500
	maxMeshNames      = 1000
)

// Chaos Mesh annotations and labels relia reads.
const (
	meshPauseAnnotation = "experiment.chaos-mesh.org/pause"
	meshAbortAnnotation = "workflow.chaos-mesh.org/abort"
	meshManagedBy       = "managed-by" // set by a Schedule on the experiments it spawns
)

// ParseChaosMesh reads Chaos Mesh objects: one object, a List (kind List or
// KINDList), or several YAML documents; YAML or JSON.
//
// An experiment (any kind ending in Chaos: PodChaos, NetworkChaos,
// StressChaos, IOChaos, TimeChaos, HTTPChaos, DNSChaos, …) records no start
// or end, but every target in status.experiment.containerRecords keeps the
// events of its injections and recoveries. The run starts at the first
// successful Apply event and ends at the last successful Recover event;
// while it still runs, it ends at start + spec.duration (or the last
// event). Its status: a target whose last Apply or Recover failed makes it
// failed; the Paused condition (or the pause annotation) interrupted; the
// AllRecovered condition, or desiredPhase Stop with every target
// recovered, completed; else running. Chaos Mesh 1.x's
// status.experiment.startTime, endTime and phase are read too.
//
// A Workflow has status.startTime and endTime; Accomplished = True is
// completed, the abort annotation aborted, else running (ending at start +
// the entry template's deadline). A Schedule records no run: the
// experiments it spawned (label managed-by) name it, and a Schedule none of
// whose experiments the file holds is a problem saying what to export.
//
// Chaos Mesh checks no steady-state hypothesis: it is unknown. An object without status is the
// manifest, not a record of a run, and is refused; one with a status that
// holds no time is a run of unknown time.
func ParseChaosMesh(file string, data []byte, opts Options) ([]*Run, error) {
	docs, err := yamlDocuments(file, data, "Chaos Mesh objects (kubectl get podchaos,networkchaos,workflow -A -o yaml)")
	if err != nil {
		return nil, err
	}
	type item struct {
		node   *yaml.Node
		obj    *meshObject
		prefix string
	}
	var items []item
	var errs []error
	for d, doc := range docs {
		prefix := ""
		if len(docs) > 1 {
			prefix = fmt.Sprintf("document %d: ", d+1)
		}
		var obj meshObject
		if err := doc.Decode(&obj); err != nil {
			errs = append(errs, yamlError(file, err))
			continue
		}
		if obj.Kind == "List" || (strings.HasSuffix(obj.Kind, "List") && obj.Items != nil) {
			if len(obj.Items) == 0 {
				errs = append(errs, &Error{File: file, Line: doc.Line, Key: prefix + "items", Msg: "the list holds no Chaos Mesh object"})
			}
			for i := range obj.Items {
				n := &obj.Items[i]
				var o meshObject
				if err := n.Decode(&o); err != nil {
					errs = append(errs, yamlError(file, err))
					continue
				}
				items = append(items, item{n, &o, fmt.Sprintf("%sitems[%d].", prefix, i)})
			}
			continue
		}
		items = append(items, item{doc, &obj, prefix})
	}
	// Schedules first, so that their experiments can name them.
	schedules := map[string]*meshObject{}
	spawned := map[string]bool{}
	for _, it := range items {
		if it.obj.Kind == "Schedule" {
			schedules[it.obj.Metadata.Namespace+"/"+it.obj.Metadata.Name] = it.obj
		}
	}
	var runs []*Run
	for _, it := range items {
		if it.obj.Kind == "Schedule" {
			continue
		}
		r, err := meshRun(file, it.prefix, it.node, it.obj, schedules, opts)
		if err != nil {
			errs = append(errs, err)
		} else {
			runs = append(runs, r)
			if by := it.obj.Metadata.Labels[meshManagedBy]; by != "" {
				spawned[it.obj.Metadata.Namespace+"/"+by] = true
			}
		}
		if len(errs) >= maxErrors {
			break
		}
	}
	for _, it := range items {
		o := it.obj
		if o.Kind != "Schedule" || spawned[o.Metadata.Namespace+"/"+o.Metadata.Name] || len(errs) >= maxErrors {
			continue
		}
		var spec struct {
			Type string `yaml:"type"`
		}
		_ = o.Spec.Decode(&spec)
		kind := strings.ToLower(spec.Type)
		if kind == "" {
			kind = "podchaos"
		}
		ns := ""
		if o.Metadata.Namespace != "" {
			ns = " -n " + o.Metadata.Namespace
		}
		errs = append(errs, &Error{File: file, Line: nodeLine(it.node, "kind"), Key: it.prefix + "kind",
			Msg: fmt.Sprintf("Schedule %q records no run of its own, and the file holds none of the experiments it spawned; export them with kubectl get %s%s -l %s=%s -o yaml",
				o.Metadata.Name, kind, ns, meshManagedBy, o.Metadata.Name)})
	}
	return runs, errors.Join(errs...)
}

func meshRun(file, prefix string, node *yaml.Node, o *meshObject, schedules map[string]*meshObject, opts Options) (*Run, error) {
	fail := func(field, format string, args ...any) *Error {
		return &Error{File: file, Line: nodeLine(node, strings.Split(field, ".")...), Key: prefix + field, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case o.Kind == "" && mapValue(node, "Kind") != nil:
		return nil, fail("Kind", "this is kubectl describe output, which Chaos Mesh's records do not survive; export the object with kubectl get KIND NAME -o yaml")
	case o.Kind == "":
		return nil, fail("kind", "missing; expected a Chaos Mesh experiment (PodChaos, NetworkChaos, …), Workflow or Schedule")
	case !strings.HasPrefix(o.APIVersion, "chaos-mesh.org/"):
		return nil, fail("apiVersion", "expected chaos-mesh.org/v1alpha1, got %q", o.APIVersion)
	case slices.Contains(meshInternalKinds, o.Kind) || (o.Kind != "Workflow" && !strings.HasSuffix(o.Kind, "Chaos")):
		return nil, fail("kind", "%s is not a chaos experiment; expected an experiment (PodChaos, NetworkChaos, …), Workflow or Schedule", o.Kind)
	case strings.TrimSpace(o.Metadata.Name) == "":
		return nil, fail("metadata.name", "missing; expected the object's name")
	}
	md := &o.Metadata
	export := fmt.Sprintf("kubectl get %s %s", strings.ToLower(o.Kind), md.Name)
	if md.Namespace != "" {
		export += " -n " + md.Namespace
	}
	export += " -o yaml"
	if o.Status == nil {
		return nil, fail("kind", "%s %q has no status: this is the manifest that starts it, not the record of a run; export it after the run with %s", o.Kind, md.Name, export)
	}
	r := &Run{Source: ChaosMesh, File: file, Line: node.Line}
	names := []string{md.Name, md.Namespace}
	var err *Error
	if o.Kind == "Workflow" {
		err = meshWorkflow(r, o, fail, &names)
	} else {
		err = meshExperiment(r, o, fail, export, &names)
	}
	if err != nil {
		if !err.Warning {
			return nil, err
		}
		r.TimeUnknown, r.Start, r.End = true, time.Time{}, time.Time{}
		r.Problems = append(r.Problems, err)
	}
	if md.Namespace != "" {
		r.Details = append(r.Details, Detail{"Namespace", md.Namespace})
	}
	if by := md.Labels[meshManagedBy]; by != "" {
		v := by
		if s := schedules[md.Namespace+"/"+by]; s != nil {
			var spec struct {
				Schedule string `yaml:"schedule"`
			}
			if s.Spec.Decode(&spec) == nil && spec.Schedule != "" {
				v += " (" + spec.Schedule + ")"
			}
		}
		r.Details = append(r.Details, Detail{"Scheduled by", v})
	}
	for _, k := range sortedKeys(md.Labels) {
		names = append(names, md.Labels[k])
	}
	if len(names) > maxMeshNames {
		names = names[:maxMeshNames]
	}
	if r.TimeUnknown {
		r.ID = unplacedID(md.Name)
	} else {
		r.ID = makeID(r.Start, md.Name)
	}
	r.Services = opts.services(nil, names, r.Title)
	return r, nil
}

// meshExperiment reads an experiment's spec and records into r. A time
// problem comes back as a warning: the run happened, relia cannot place it.
func meshExperiment(r *Run, o *meshObject, fail func(string, string, ...any) *Error, export string, names *[]string) *Error {
	var spec meshSpec
	if err := o.Spec.Decode(&spec); err != nil {
		return fail("spec", "expected the experiment's spec (action, mode, selector, duration): %v", yamlMessage(err))
	}
	r.Title = o.Kind
	if spec.Action != "" {
		r.Title += " " + spec.Action
	}
	r.Title += ": " + o.Metadata.Name
	r.Details = append(r.Details, meshDetails(o.Kind, spec)...)
	*names = append(*names, spec.Selector.names()...)
	st := o.Status
	var planned time.Duration
	if spec.Duration != "" {
		d, err := model.ParseDuration(spec.Duration)
		if err != nil {
			return fail("spec.duration", "expected a duration such as 30s or 10m, got %q", spec.Duration)
		}
		planned = time.Duration(d)
	}

	// Until the records say otherwise (and when they cannot be read).
	r.Status = StatusRunning
	ex := st.Experiment
	if ex == nil {
		if strings.EqualFold(st.condition("AllRecovered"), "True") {
			r.Status = StatusCompleted
		}
		e := fail("status", "no status.experiment, so when the fault was injected is unknown; export the experiment with %s from Chaos Mesh 2.1 or later", export)
		e.Warning = true
		return e
	}
	// Events of every target, and what each target's last apply and
	// recovery did.
	var firstApply, firstEvent, lastRecover, lastEvent time.Time
	failed, recovered, anyRecover := false, true, false
	var targets []string
	for i, rec := range ex.Records {
		targets = append(targets, fmt.Sprintf("%s (%s, injected %d×, recovered %d×)", rec.ID, rec.Phase, rec.InjectedCount, rec.RecoveredCount))
		*names = append(*names, rec.ID)
		*names = append(*names, strings.Split(rec.ID, "/")...)
		var lastApplyOK, lastRecoverOK *bool
		for j, ev := range rec.Events {
			t, err := parseTime(ev.Timestamp)
			if err != nil {
				e := fail("status.experiment", "containerRecords[%d].events[%d].timestamp: %v", i, j, err)
				e.Warning = true
				return e
			}
			ok := strings.EqualFold(ev.Type, "Succeeded")
			if firstEvent.IsZero() || t.Before(firstEvent) {
				firstEvent = t
			}
			if t.After(lastEvent) {
				lastEvent = t
			}
			switch strings.ToLower(ev.Operation) {
			case "apply":
				lastApplyOK = &ok
				if ok && (firstApply.IsZero() || t.Before(firstApply)) {
					firstApply = t
				}
			case "recover":
				lastRecoverOK = &ok
				anyRecover = true
				if ok && t.After(lastRecover) {
					lastRecover = t
				}
			}
			if len(r.Activities) < maxMeshActivities {
				act := Activity{Phase: "fault", Name: rec.ID, Type: strings.ToLower(ev.Operation), Start: t, End: t, Status: ev.Type}
				if !ok {
					act.Error = shorten(ev.Message, 500)
				} else {
					act.Output = shorten(ev.Message, 300)
				}
				r.Activities = append(r.Activities, act)
			}
		}
		if (lastApplyOK != nil && !*lastApplyOK) || (lastRecoverOK != nil && !*lastRecoverOK) {
			failed = true
		}
		if lastRecoverOK == nil || !*lastRecoverOK {
			recovered = false
		}
	}
	slices.SortStableFunc(r.Activities, func(a, b Activity) int { return a.Start.Compare(b.Start) })
	if len(targets) > 0 {
		r.Details = append(r.Details, Detail{"Targets", strings.Join(targets, "; ")})
	}
	if ex.DesiredPhase != "" {
		r.Details = append(r.Details, Detail{"Desired phase", ex.DesiredPhase})
	}
	var conds []string
	for _, c := range st.Conditions {
		if strings.EqualFold(c.Status, "True") {
			conds = append(conds, c.Type)
		}
	}
	if len(conds) > 0 {
		r.Details = append(r.Details, Detail{"Conditions", strings.Join(conds, ", ")})
	}

	paused := strings.EqualFold(st.condition("Paused"), "True") || strings.EqualFold(o.Metadata.Annotations[meshPauseAnnotation], "true")
	switch {
	case failed:
		r.Status = StatusFailed
	case paused:
		r.Status = StatusInterrupted
	case strings.EqualFold(st.condition("AllRecovered"), "True") && !strings.EqualFold(ex.DesiredPhase, "Run"),
		strings.EqualFold(ex.DesiredPhase, "Stop") && recovered && anyRecover:
		r.Status = StatusCompleted
	default:
		r.Status = StatusRunning
	}

	switch {
	case !firstEvent.IsZero():
		r.Start = firstApply
		if r.Start.IsZero() {
			r.Start = firstEvent // every injection failed: the attempt still happened
		}
		switch {
		case !lastRecover.IsZero() && r.Status != StatusRunning:
			r.End = lastRecover
		case planned > 0 && r.Status == StatusRunning:
			r.End = r.Start.Add(planned)
		default:
			r.End = lastEvent
		}
		if r.End.Before(r.Start) {
			r.End = lastEvent
		}
	case ex.StartTime != "":
		// Chaos Mesh 1.x.
		var err error
		if r.Start, err = parseTime(ex.StartTime); err != nil {
			e := fail("status.experiment.startTime", "%v", err)
			e.Warning = true
			return e
		}
		switch strings.ToLower(ex.Phase) {
		case "finished", "waiting":
			r.Status = StatusCompleted
		case "paused":
			r.Status = StatusInterrupted
		case "failed":
			r.Status = StatusFailed
		case "running":
			r.Status = StatusRunning
		}
		r.End = r.Start.Add(planned)
		if ex.EndTime != "" {
			if r.End, err = parseTime(ex.EndTime); err != nil {
				e := fail("status.experiment.endTime", "%v", err)
				e.Warning = true
				return e
			}
		}
		if r.End.Before(r.Start) {
			e := fail("status.experiment.endTime", "the run ends (%s) before it starts (%s)", r.End.Format(time.RFC3339), r.Start.Format(time.RFC3339))
			e.Warning = true
			return e
		}
		if ex.Phase != "" {
			r.Details = append(r.Details, Detail{"Phase", ex.Phase})
		}
	default:
		e := fail("status.experiment", "no injection or recovery events (containerRecords[].events), so the run cannot be placed in time; Chaos Mesh 2.1 and later record them: export the experiment with %s", export)
		e.Warning = true
		return e
	}
	return nil
}

// meshWorkflow reads a Workflow into r.
func meshWorkflow(r *Run, o *meshObject, fail func(string, string, ...any) *Error, names *[]string) *Error {
	var spec struct {
		Entry     string      `yaml:"entry"`
		Templates []yaml.Node `yaml:"templates"`
	}
	if err := o.Spec.Decode(&spec); err != nil {
		return fail("spec", "expected the workflow's entry and templates: %v", yamlMessage(err))
	}
	r.Title = "Workflow: " + o.Metadata.Name
	var entryDeadline time.Duration
	for i := range spec.Templates {
		n := &spec.Templates[i]
		var t struct {
			Name     string   `yaml:"name"`
			Type     string   `yaml:"templateType"`
			Deadline string   `yaml:"deadline"`
			Children []string `yaml:"children"`
		}
		if err := n.Decode(&t); err != nil {
			return fail("spec.templates", "templates[%d]: %v", i, yamlMessage(err))
		}
		var deadline time.Duration
		if t.Deadline != "" {
			d, err := model.ParseDuration(t.Deadline)
			if err != nil {
				return fail("spec.templates", "templates[%d].deadline: expected a duration such as 30s or 10m, got %q", i, t.Deadline)
			}
			deadline = time.Duration(d)
		}
		if t.Name == spec.Entry {
			entryDeadline = deadline
		}
		act := Activity{Phase: "template", Name: t.Name, Type: t.Type}
		var parts []string
		if len(t.Children) > 0 {
			parts = append(parts, "children: "+strings.Join(t.Children, ", "))
		}
		// The chaos a template injects sits under its kind, in lower camel
		// case (networkChaos), or under schedule.
		if key := lowerFirst(t.Type); strings.HasSuffix(t.Type, "Chaos") || t.Type == "Schedule" {
			if sub := mapValue(n, key); sub != nil {
				if t.Type == "Schedule" {
					var sched struct {
						Schedule string `yaml:"schedule"`
						Type     string `yaml:"type"`
					}
					_ = sub.Decode(&sched)
					parts = append(parts, fmt.Sprintf("schedule %s: %s", sched.Schedule, sched.Type))
					sub = mapValue(sub, lowerFirst(sched.Type))
				}
				var ms meshSpec
				if sub != nil && sub.Decode(&ms) == nil {
					for _, d := range meshDetails("", ms) {
						parts = append(parts, strings.ToLower(d.Name)+" "+d.Value)
					}
					*names = append(*names, ms.Selector.names()...)
				}
			}
		}
		if t.Deadline != "" {
			parts = append(parts, "deadline "+t.Deadline)
		}
		act.Output = shorten(strings.Join(parts, "; "), 300)
		if len(r.Activities) < maxMeshActivities {
			r.Activities = append(r.Activities, act)
		}
	}
	if spec.Entry != "" {
		r.Details = append(r.Details, Detail{"Entry", spec.Entry})
	}
	st := o.Status
	switch {
	case strings.EqualFold(o.Metadata.Annotations[meshAbortAnnotation], "true"):
		r.Status = StatusAborted
	case strings.EqualFold(st.condition("Accomplished"), "True"):
		r.Status = StatusCompleted
	default:
		r.Status = StatusRunning
	}
	if st.StartTime == "" {
		e := fail("status.startTime", "missing, so the workflow cannot be placed in time; export it once it has started with kubectl get workflow %s -o yaml", o.Metadata.Name)
		e.Warning = true
		return e
	}
	var err error
	if r.Start, err = parseTime(st.StartTime); err != nil {
		e := fail("status.startTime", "%v", err)
		e.Warning = true
		return e
	}
	switch {
	case st.EndTime != "":
		if r.End, err = parseTime(st.EndTime); err != nil {
			e := fail("status.endTime", "%v", err)
			e.Warning = true
			return e
		}
	case entryDeadline > 0:
		r.End = r.Start.Add(entryDeadline)
	default:
		e := fail("status.endTime", "missing, and the entry template has no deadline, so when the workflow ends is unknown; export it once it has ended")
		e.Warning = true
		return e
	}
	if r.End.Before(r.Start) {
		e := fail("status.endTime", "the run ends (%s) before it starts (%s)", r.End.Format(time.RFC3339), r.Start.Format(time.RFC3339))
		e.Warning = true
		return e
	}
	return nil
}

// meshDetails describes what an experiment does. kind may be empty.
func meshDetails(kind string, s meshSpec) []Detail {
	var out []Detail
	if kind != "" {
		out = append(out, Detail{"Kind", kind})
	}
	if s.Action != "" {
		out = append(out, Detail{"Action", s.Action})
	}
	if s.Mode != "" {
		mode := s.Mode
		if s.Value != "" {
			mode += " " + s.Value
		}
		out = append(out, Detail{"Mode", mode})
	}
	if sel := s.Selector.String(); sel != "" {
		out = append(out, Detail{"Selector", sel})
	}
	if s.Duration != "" {
		out = append(out, Detail{"Duration", s.Duration})
	}
	return out
}

// String shows a selector as kubectl users write it.
func (s meshSelector) String() string {
	var parts []string
	if len(s.Namespaces) > 0 {
		parts = append(parts, "namespaces "+strings.Join(s.Namespaces, ", "))
	}
	pairs := func(what string, m map[string]string) {
		if len(m) == 0 {
			return
		}
		var kv []string
		for _, k := range sortedKeys(m) {
			kv = append(kv, k+"="+m[k])
		}
		parts = append(parts, what+" "+strings.Join(kv, ", "))
	}
	pairs("labels", s.LabelSelectors)
	pairs("annotations", s.AnnotationSelectors)
	pairs("fields", s.FieldSelectors)
	pairs("node labels", s.NodeSelectors)
	for _, e := range s.ExpressionSelectors {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", e.Key, e.Operator, strings.Join(e.Values, ", ")))
	}
	for _, ns := range sortedKeys(s.Pods) {
		parts = append(parts, "pods "+ns+"/"+strings.Join(s.Pods[ns], ", "+ns+"/"))
	}
	if len(s.Nodes) > 0 {
		parts = append(parts, "nodes "+strings.Join(s.Nodes, ", "))
	}
	return shorten(strings.Join(parts, "; "), 500)
}

// names are the selector's names for the service mapping: namespaces,
// label values and key=value pairs, pods and nodes.
func (s meshSelector) names() []string {
	out := slices.Clone(s.Namespaces)
	for _, m := range []map[string]string{s.LabelSelectors, s.AnnotationSelectors, s.FieldSelectors, s.NodeSelectors} {
		for _, k := range sortedKeys(m) {
			out = append(out, m[k], k+"="+m[k])
		}
	}
	for _, e := range s.ExpressionSelectors {
		out = append(out, e.Values...)
	}
	for _, ns := range sortedKeys(s.Pods) {
		out = append(out, ns)
		out = append(out, s.Pods[ns]...)
	}
	return append(out, s.Nodes...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// mapValue is the value of key in a YAML mapping, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	// Chaos Mesh's field names: PodChaos → podChaos, IOChaos → ioChaos,
	// HTTPChaos → httpChaos, DNSChaos → dnsChaos, JVMChaos → jvmChaos.
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	if i > 1 && i < len(s) {
		i-- // the last capital starts the next word
	}
	return strings.ToLower(s[:i]) + s[i:]
}

// yamlMessage is a decoding error without yaml.v3's prefix.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		return te.Errors[0]
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}
