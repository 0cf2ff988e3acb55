package specimport

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// prometheusTypes are the OpenSLO metricSource types whose queries relia
// can send to its Prometheus-API sources (compared case-insensitively).
var prometheusTypes = []string{"prometheus", "thanos", "cortex", "mimir", "victoriametrics"}

// openSLO maps one `kind: SLO` object. Each of its objectives becomes one
// relia SLO; with several, each is named NAME-DISPLAYNAME.
func (r *reader) openSLO(file string, n *yaml.Node) {
	spec := child(n, "spec")
	if spec == nil {
		r.fail(file, n, "spec", "missing")
		return
	}
	base := SLO{Name: str(child(n, "metadata"), "name"), Service: str(spec, "service"),
		Description: str(spec, "description"), Budgeting: "occurrences", File: file, Line: n.Line, Keys: map[string]int{}}
	if base.Description == "" {
		base.Description = str(child(n, "metadata"), "displayName")
	}
	if c := path(n, "metadata", "name"); c != nil {
		base.Keys["name"] = c.Line
	} else {
		r.fail(file, n, "metadata.name", "missing")
		return
	}
	if c := child(spec, "service"); c != nil {
		base.Keys["service"] = c.Line
	} else {
		r.fail(file, spec, "spec.service", "missing; relia names each SLO service/name")
		return
	}
	if c := child(spec, "description"); c != nil {
		base.Keys["description"] = c.Line
	}
	ok := r.budgeting(file, spec, &base)
	ok = r.timeWindow(file, spec, &base) && ok

	objectives := child(spec, "objectives")
	if objectives == nil || objectives.Kind != yaml.SequenceNode || len(objectives.Content) == 0 {
		r.fail(file, spec, "spec.objectives", "expected a list with at least one objective")
		return
	}
	for i, o := range objectives.Content {
		at := fmt.Sprintf("spec.objectives[%d]", i)
		s := base
		s.Keys = map[string]int{}
		for k, v := range base.Keys {
			s.Keys[k] = v
		}
		if len(objectives.Content) > 1 {
			dn := str(o, "displayName")
			if dn == "" {
				dn = str(o, "name")
			}
			if dn == "" {
				r.fail(file, o, at+".displayName", "missing; with several objectives relia makes one SLO per objective, named %s-DISPLAYNAME", base.Name)
				continue
			}
			s.Name = base.Name + "-" + slug(dn)
		}
		okObj := r.objective(file, at, o, &s)
		// The SLI: the objective's own, the SLO's inline one, or a reference.
		sliFile, sliNode, sliAt := file, child(o, "indicator"), at+".indicator"
		ref, refAt := child(o, "indicatorRef"), at+".indicatorRef"
		if sliNode == nil && ref == nil {
			sliNode, sliAt = child(spec, "indicator"), "spec.indicator"
			ref, refAt = child(spec, "indicatorRef"), "spec.indicatorRef"
		}
		switch {
		case sliNode != nil:
			sliNode, sliAt = child(sliNode, "spec"), sliAt+".spec"
		case ref != nil:
			found, exists := r.slis[ref.Value]
			if !exists {
				r.fail(file, ref, refAt, "no SLI object named %q in slo_files", ref.Value)
				continue
			}
			sliFile, sliNode, sliAt = found.file, child(found.node, "spec"), "spec"
		default:
			r.fail(file, spec, "spec.indicator", "missing; expected an inline indicator or an indicatorRef")
			continue
		}
		if !r.indicator(sliFile, sliAt, sliNode, file, &s) || !okObj || !ok {
			continue
		}
		r.slos = append(r.slos, s)
	}
}

func (r *reader) budgeting(file string, spec *yaml.Node, s *SLO) bool {
	c := child(spec, "budgetingMethod")
	if c == nil {
		return true
	}
	s.Keys["budgeting"] = c.Line
	switch c.Value {
	case "Occurrences":
		s.Budgeting = "occurrences"
	case "Timeslices":
		s.Budgeting = "timeslices"
	case "RatioTimeslices":
		s.Budgeting = "ratio_timeslices"
	default:
		r.fail(file, c, "spec.budgetingMethod", "expected Occurrences, Timeslices or RatioTimeslices, got %q", c.Value)
		return false
	}
	return true
}

var shorthandRe = regexp.MustCompile(`^([1-9][0-9]*)([mhdwMQY])$`)

// timeWindow maps spec.timeWindow: a rolling duration, or a calendar week,
// month or quarter starting at 00:00 in the site's zone.
func (r *reader) timeWindow(file string, spec *yaml.Node, s *SLO) bool {
	tw := child(spec, "timeWindow")
	if tw == nil {
		return true // relia's default window
	}
	if tw.Kind != yaml.SequenceNode || len(tw.Content) != 1 {
		r.fail(file, keyOf(spec, "timeWindow"), "spec.timeWindow", "expected a list of exactly one time window")
		return false
	}
	w := tw.Content[0]
	d := child(w, "duration")
	if d == nil {
		r.fail(file, w, "spec.timeWindow[0].duration", "missing; expected a duration such as 28d or 1M")
		return false
	}
	s.Keys["window"] = d.Line
	m := shorthandRe.FindStringSubmatch(d.Value)
	if m == nil {
		r.fail(file, d, "spec.timeWindow[0].duration", "expected a duration shorthand such as 28d, 4w or 1M, got %q", d.Value)
		return false
	}
	cal := child(w, "calendar")
	rolling := cal == nil
	if c := child(w, "isRolling"); c != nil {
		rolling = c.Value == "true"
	}
	if rolling {
		switch m[2] {
		case "M", "Q":
			r.fail(file, d, "spec.timeWindow[0].duration", "a rolling %s has no fixed length; relia's rolling windows are fixed durations: use days (such as 30d or 90d), or a calendar window", d.Value)
			return false
		case "Y":
			s.Window = m[1] + "y"
		default:
			s.Window = d.Value
		}
		return true
	}
	switch d.Value {
	case "1w":
		s.Window = "week"
	case "1M":
		s.Window = "month"
	case "1Q":
		s.Window = "quarter"
	default:
		hint := ""
		if m[2] == "m" {
			hint = fmt.Sprintf(" (%s is %s minutes; a month is 1M)", d.Value, m[1])
		}
		r.fail(file, d, "spec.timeWindow[0].duration", "relia's calendar windows are one ISO week (1w), month (1M) or quarter (1Q); got %s%s", d.Value, hint)
		return false
	}
	if tz := child(cal, "timeZone"); tz != nil && tz.Value != r.opts.Timezone {
		r.fail(file, tz, "spec.timeWindow[0].calendar.timeZone", "calendar windows start at 00:00 in the site's timezone %q, not %q: set timezone = %q in relia.toml, or use the same zone here",
			r.opts.Timezone, tz.Value, tz.Value)
		return false
	}
	if st := child(cal, "startTime"); st != nil {
		t, err := parseStart(st.Value)
		if err != nil {
			r.fail(file, st, "spec.timeWindow[0].calendar.startTime", "expected a time such as 2026-01-05 00:00:00, got %q", st.Value)
			return false
		}
		if why := misaligned(t, s.Window); why != "" {
			r.fail(file, st, "spec.timeWindow[0].calendar.startTime", "relia's calendar %ss start %s; %s does not", s.Window, why, st.Value)
			return false
		}
	}
	return true
}

func parseStart(v string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time")
}

// misaligned says where periods start when t is not such a start, else "".
func misaligned(t time.Time, window string) string {
	midnight := t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0
	switch window {
	case "week":
		if !midnight || t.Weekday() != time.Monday {
			return "on Mondays at 00:00 (ISO weeks)"
		}
	case "month":
		if !midnight || t.Day() != 1 {
			return "on the 1st at 00:00"
		}
	case "quarter":
		if !midnight || t.Day() != 1 || (t.Month()-1)%3 != 0 {
			return "on 1 January, April, July and October at 00:00"
		}
	}
	return ""
}

// objective maps the target and the time-slice settings of one objective.
func (r *reader) objective(file, at string, o *yaml.Node, s *SLO) bool {
	target, targetPct := child(o, "target"), child(o, "targetPercent")
	switch {
	case target != nil && targetPct != nil:
		r.fail(file, targetPct, at+".targetPercent", "both target and targetPercent are set; keep one")
		return false
	case target != nil:
		v, ok := number(target)
		if !ok || v <= 0 || v >= 1 {
			r.fail(file, target, at+".target", "expected a fraction between 0 and 1 such as 0.999, got %q", target.Value)
			return false
		}
		p := percent(v)
		s.Objective, s.Keys["objective"] = &p, target.Line
	case targetPct != nil:
		v, ok := number(targetPct)
		if !ok {
			r.fail(file, targetPct, at+".targetPercent", "expected a percentage such as 99.9, got %q", targetPct.Value)
			return false
		}
		s.Objective, s.Keys["objective"] = &v, targetPct.Line
	default:
		r.fail(file, o, at+".target", "missing; expected target (such as 0.999) or targetPercent (such as 99.9)")
		return false
	}
	if s.Budgeting == "occurrences" {
		return true
	}
	if sw := child(o, "timeSliceWindow"); sw != nil {
		d, err := sliceWindow(sw.Value)
		switch {
		case err != nil:
			r.fail(file, sw, at+".timeSliceWindow", "expected a duration such as 5m, got %q", sw.Value)
			return false
		case r.opts.Step > 0 && d != r.opts.Step:
			r.fail(file, sw, at+".timeSliceWindow", "relia's time slices are its step (%s); a %s slice needs step = %q in relia.toml", shortDuration(r.opts.Step), sw.Value, shortDuration(d))
			return false
		}
	}
	if s.Budgeting != "timeslices" {
		return true
	}
	st := child(o, "timeSliceTarget")
	if st == nil {
		r.fail(file, o, at+".timeSliceTarget", "missing; budgetingMethod Timeslices needs the share of good events that makes a slice good, such as 0.99")
		return false
	}
	v, ok := number(st)
	if !ok || v <= 0 || v > 1 {
		r.fail(file, st, at+".timeSliceTarget", "expected a fraction in (0, 1] such as 0.99, got %q", st.Value)
		return false
	}
	p := percent(v)
	s.SliceThreshold, s.Keys["slice_threshold"] = &p, st.Line
	return true
}

// sliceWindow reads a timeSliceWindow: a duration shorthand, or a bare
// number of minutes.
func sliceWindow(v string) (time.Duration, error) {
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Minute, nil
	}
	m := shorthandRe.FindStringSubmatch(v)
	if m == nil {
		return 0, fmt.Errorf("bad duration")
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
	if unit == 0 {
		return 0, fmt.Errorf("bad duration")
	}
	return time.Duration(n) * unit, nil
}

func shortDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// indicator maps an SLI spec (the content of an SLI's "spec", or of an
// inline indicator's) into s. sloFile is where the SLO is: query lines are
// recorded only when the SLI is in the same file.
func (r *reader) indicator(file, at string, spec *yaml.Node, sloFile string, s *SLO) bool {
	if spec == nil {
		r.fail(file, nil, at+".spec", "missing")
		return false
	}
	if tm := child(spec, "thresholdMetric"); tm != nil {
		r.fail(file, keyOf(spec, "thresholdMetric"), at+".thresholdMetric", "a threshold metric compares one value (such as a latency percentile) with objectives[].value; relia counts good and total events: write it as a ratioMetric, for example good = requests under the threshold (a histogram bucket) and total = all requests")
		return false
	}
	rm := child(spec, "ratioMetric")
	if rm == nil {
		r.fail(file, spec, at+".ratioMetric", "missing; relia maps ratio metrics of good (or bad) and total events")
		return false
	}
	at += ".ratioMetric"
	if c := child(rm, "counter"); c != nil && c.Value != "true" {
		r.fail(file, c, at+".counter", "relia takes increase() of each query, so both must be counters (counter: true); a gauge cannot be mapped")
		return false
	}
	if raw := child(rm, "raw"); raw != nil {
		r.fail(file, keyOf(rm, "raw"), at+".raw", "a raw ratio is precomputed; relia computes budgets from good (or bad) and total event counts: give good or bad, and total")
		return false
	}
	good, bad, total := child(rm, "good"), child(rm, "bad"), child(rm, "total")
	switch {
	case total == nil:
		r.fail(file, rm, at+".total", "missing")
		return false
	case good == nil && bad == nil:
		r.fail(file, rm, at+".good", "missing; expected good or bad")
		return false
	case good != nil && bad != nil:
		r.fail(file, keyOf(rm, "bad"), at+".bad", "both good and bad are set; keep one")
		return false
	}
	ok := true
	refs := map[string]bool{}
	read := func(key string, n *yaml.Node, dst *string) {
		sel, ref, line, good := r.metric(file, at+"."+key, n)
		if !good {
			ok = false
			return
		}
		*dst = sel
		refs[ref] = true
		s.SourceRef = ref
		if file == sloFile {
			s.Keys[key] = line
		}
	}
	read("total", total, &s.Total)
	if good != nil {
		read("good", good, &s.Good)
	} else {
		read("bad", bad, &s.Bad)
	}
	if ok && len(refs) > 1 {
		r.fail(file, keyOf(spec, "ratioMetric"), at, "good and total name different metricSourceRefs; relia reads one SLO from one source")
		return false
	}
	return ok
}

// metric reads one metricSource: its selector, source reference and line.
func (r *reader) metric(file, at string, n *yaml.Node) (sel, ref string, line int, ok bool) {
	ms := child(n, "metricSource")
	if ms == nil {
		r.fail(file, n, at+".metricSource", "missing")
		return "", "", 0, false
	}
	if t := child(ms, "type"); t != nil && !isPrometheus(t.Value) {
		r.fail(file, t, at+".metricSource.type", "relia reads Prometheus-API stores (Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics); a query for %q cannot be mapped", t.Value)
		return "", "", 0, false
	}
	q := child(child(ms, "spec"), "query")
	if q == nil {
		q = child(child(ms, "spec"), "promql")
	}
	if q == nil || q.Kind != yaml.ScalarNode {
		r.fail(file, ms, at+".metricSource.spec.query", "missing; expected a PromQL counter selector")
		return "", "", 0, false
	}
	sel, err := counterSelector(q.Value)
	if err != nil {
		r.fail(file, q, at+".metricSource.spec.query", "%v", err)
		return "", "", 0, false
	}
	return sel, str(ms, "metricSourceRef"), q.Line, true
}

func isPrometheus(t string) bool {
	t = strings.ToLower(t)
	for _, p := range prometheusTypes {
		if t == p {
			return true
		}
	}
	return false
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}
