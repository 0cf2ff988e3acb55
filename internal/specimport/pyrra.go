package specimport

import (
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/relia-dev/relia/internal/slo"
)

// pyrra maps a Pyrra ServiceLevelObjective (pyrra.dev/v1alpha1).
//
// The id: Pyrra identifies an objective by its name and namespace (its
// UI and rules carry slo="NAME" and namespace="NAMESPACE"), so the SLO is
// NAMESPACE/NAME; an object without a namespace lands in "default", as
// kubectl apply would put it.
//
// The indicator: ratio errors/total become bad/total, latency success/total
// become good/total; each metric must be a counter selector. Pyrra's
// grouping splits an objective into one per group; relia sums the groups
// into one series and says so in a warning. A bool_gauge or a native
// histogram has no event counter and is refused.
//
// Alerting: Pyrra's four burn-rate rules, with its windows scaled to the
// SLO's window and its factors, unless alerting.disabled or
// alerting.burnrates: false turn them off.
func (r *reader) pyrra(file string, n *yaml.Node) {
	meta, spec := child(n, "metadata"), child(n, "spec")
	if spec == nil {
		r.fail(file, n, "spec", "missing")
		return
	}
	s := SLO{Name: str(meta, "name"), Service: str(meta, "namespace"), Description: strings.TrimSpace(str(spec, "description")),
		Budgeting: "occurrences", File: file, Line: n.Line, Keys: map[string]int{}}
	if c := child(meta, "name"); c != nil {
		s.Keys["name"] = c.Line
	} else {
		r.fail(file, n, "metadata.name", "missing; relia names a Pyrra SLO NAMESPACE/NAME")
		return
	}
	if c := child(meta, "namespace"); c != nil {
		s.Keys["service"] = c.Line
	} else {
		s.Service = "default"
		s.Keys["service"] = s.Keys["name"]
	}
	if c := child(spec, "description"); c != nil {
		s.Keys["description"] = c.Line
	}
	ok := true
	if t := child(spec, "target"); t == nil {
		r.fail(file, spec, "spec.target", "missing; expected a percentage such as \"99.9\"")
		ok = false
	} else if v, good := number(t); good {
		s.Objective, s.Keys["objective"] = &v, t.Line
	} else {
		r.fail(file, t, "spec.target", "expected a percentage such as \"99.9\", got %q", t.Value)
		ok = false
	}
	var window time.Duration
	if w := child(spec, "window"); w == nil {
		r.fail(file, spec, "spec.window", "missing; expected a duration such as 4w or 28d")
		ok = false
	} else if d, err := model.ParseDuration(w.Value); err != nil || d <= 0 {
		r.fail(file, w, "spec.window", "expected a duration such as 4w or 28d, got %q", w.Value)
		ok = false
	} else {
		s.Window, s.Keys["window"], window = w.Value, w.Line, time.Duration(d)
	}
	if !r.pyrraIndicator(file, spec, &s) || !ok {
		return
	}
	r.pyrraAlerting(file, spec, window, &s)
	r.slos = append(r.slos, s)
}

func (r *reader) pyrraIndicator(file string, spec *yaml.Node, s *SLO) bool {
	ind := child(spec, "indicator")
	if ind == nil {
		r.fail(file, spec, "spec.indicator", "missing; expected ratio or latency")
		return false
	}
	for _, k := range []string{"bool_gauge", "boolGauge"} {
		if child(ind, k) != nil {
			r.fail(file, keyOf(ind, k), "spec.indicator."+k, "a boolean gauge (such as probe_success) is sampled, not counted: Pyrra counts its samples over time, but relia reads increase() of event counters; export counters of good and total probes and use a ratio indicator")
			return false
		}
	}
	for _, k := range []string{"latency_native", "latencyNative"} {
		if child(ind, k) != nil {
			r.fail(file, keyOf(ind, k), "spec.indicator."+k, "a native histogram has no bucket series whose increase() counts the requests under the latency; relia needs counters: use a latency indicator on a classic histogram (success: its _bucket{le=...}, total: its _count)")
			return false
		}
	}
	var kind string
	var goodKey string
	switch {
	case child(ind, "ratio") != nil:
		kind, goodKey = "ratio", "errors"
	case child(ind, "latency") != nil:
		kind, goodKey = "latency", "success"
	default:
		r.fail(file, keyOf(spec, "indicator"), "spec.indicator", "expected ratio (errors and total) or latency (success and total)")
		return false
	}
	at := "spec.indicator." + kind
	in := child(ind, kind)
	ok := true
	read := func(key string) (string, int) {
		m := path(in, key, "metric")
		if m == nil {
			r.fail(file, in, at+"."+key+".metric", "missing; expected a counter selector")
			ok = false
			return "", 0
		}
		sel, err := counterSelector(m.Value)
		if err != nil {
			r.fail(file, m, at+"."+key+".metric", "%v", err)
			ok = false
			return "", 0
		}
		return sel, m.Line
	}
	sel, line := read(goodKey)
	if kind == "ratio" {
		s.Bad, s.Keys["bad"] = sel, line
	} else {
		s.Good, s.Keys["good"] = sel, line
	}
	s.Total, s.Keys["total"] = read("total")
	if g := child(in, "grouping"); g != nil && g.Kind == yaml.SequenceNode && len(g.Content) > 0 {
		var labels []string
		for _, l := range g.Content {
			labels = append(labels, l.Value)
		}
		r.warn(file, keyOf(in, "grouping"), at+".grouping", "Pyrra keeps one objective per value of %s; relia sums every group into one series, so %s/%s reports all groups together (define one SLO per group, with its label in the selectors, to see each)",
			strings.Join(labels, ", "), s.Service, s.Name)
	}
	return ok
}

// pyrraAlerting sets Pyrra's burn-rate rules: four windows scaled from
// those of a 28-day window (1h/5m, 6h/30m, 1d/2h, 4d/6h), rounded to the
// minute, with the factors 14, 7, 2 and 1; the first two page
// (critical), the others open tickets (warning). Pyrra's `for` durations
// are not replayed.
func (r *reader) pyrraAlerting(file string, spec *yaml.Node, window time.Duration, s *SLO) {
	alerting := child(spec, "alerting")
	if d := child(alerting, "disabled"); d != nil && d.Value == "true" {
		s.NoAlerts, s.AlertOrigin = true, fmt.Sprintf("Pyrra: alerting.disabled in %s:%d", file, d.Line)
		return
	}
	if b := child(alerting, "burnrates"); b != nil && b.Value == "false" {
		s.NoAlerts, s.AlertOrigin = true, fmt.Sprintf("Pyrra: alerting.burnrates false in %s:%d", file, b.Line)
		return
	}
	name := str(alerting, "name")
	if name == "" {
		name = "ErrorBudgetBurn" // Pyrra's default alert name
	}
	s.Rules = pyrraRules(window, name)
	s.AlertOrigin = "Pyrra's burn-rate windows for " + model.Duration(window).String()
}

// pyrraRules are the burn-rate rules Pyrra generates for an SLO window.
func pyrraRules(window time.Duration, name string) []slo.RuleSpec {
	w := func(div time.Duration) time.Duration { return (window / div).Round(time.Minute) }
	return []slo.RuleSpec{
		{Severity: "page", Factor: 14, Long: w(28 * 24), Short: w(28 * 24 * 12), Name: name},
		{Severity: "page", Factor: 7, Long: w(28 * 4), Short: w(28 * 24 * 2), Name: name},
		{Severity: "ticket", Factor: 2, Long: w(28), Short: w(28 * 12), Name: name},
		{Severity: "ticket", Factor: 1, Long: w(7), Short: w(28 * 4), Name: name},
	}
}
