package specimport

import (
	"cmp"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// sloth maps a Sloth service spec: the root of a prometheus/v1 file, or
// the spec of a sloth.slok.dev/v1 PrometheusServiceLevel (camelCase keys,
// fields under "spec."). Sloth leaves the SLO period to its command line,
// so every SLO gets Options.Window.
func (r *reader) sloth(file string, spec *yaml.Node, k8s bool) {
	prefix := ""
	key := func(snake, camel string) string {
		if k8s {
			return camel
		}
		return snake
	}
	if k8s {
		prefix = "spec."
	}
	if spec == nil {
		r.fail(file, nil, "spec", "missing")
		return
	}
	service := str(spec, "service")
	if service == "" {
		r.fail(file, spec, prefix+"service", "missing; relia names each SLO service/name")
	}
	r.slothPlugins(file, spec, key("slo_plugins", "sloPlugins"), prefix+key("slo_plugins", "sloPlugins"))
	list := child(spec, "slos")
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		r.fail(file, spec, prefix+"slos", "expected a list of SLOs")
		return
	}
	for i, n := range list.Content {
		at := fmt.Sprintf("%sslos[%d]", prefix, i)
		s := SLO{
			Service: service, Name: str(n, "name"), Description: str(n, "description"),
			Window: r.opts.Window, Budgeting: "occurrences",
			File: file, Line: n.Line, Keys: map[string]int{},
		}
		if c := child(spec, "service"); c != nil {
			s.Keys["service"] = c.Line
		}
		if c := child(n, "name"); c != nil {
			s.Keys["name"] = c.Line
		}
		if c := child(n, "objective"); c != nil {
			s.Keys["objective"] = c.Line
			if v, ok := number(c); ok {
				s.Objective = &v
			} else {
				r.fail(file, c, at+".objective", "expected a percentage such as 99.9, got %q", c.Value)
				continue
			}
		}
		r.slothPlugins(file, n, "plugins", at+".plugins")
		sli := child(n, "sli")
		events, raw, plugin := child(sli, "events"), child(sli, "raw"), child(sli, "plugin")
		switch {
		case raw != nil:
			r.fail(file, keyOf(sli, "raw"), at+".sli.raw", "%s is a precomputed error ratio, not event counts; relia computes budgets from bad and total events: write the SLI as sli.events with %s and %s",
				key("error_ratio_query", "errorRatioQuery"), key("error_query", "errorQuery"), key("total_query", "totalQuery"))
			continue
		case plugin != nil:
			r.fail(file, keyOf(sli, "plugin"), at+".sli.plugin", "the SLI plugin %q builds its queries inside Sloth; relia cannot see them: write the SLI as sli.events with %s and %s",
				str(plugin, "id"), key("error_query", "errorQuery"), key("total_query", "totalQuery"))
			continue
		case events == nil:
			where := n
			if sli != nil {
				where = keyOf(n, "sli")
			}
			r.fail(file, where, at+".sli.events", "missing; relia needs %s and %s", key("error_query", "errorQuery"), key("total_query", "totalQuery"))
			continue
		}
		errKey, totalKey := key("error_query", "errorQuery"), key("total_query", "totalQuery")
		errNode, totalNode := child(events, errKey), child(events, totalKey)
		if totalNode == nil || errNode == nil {
			r.fail(file, keyOf(sli, "events"), at+".sli.events", "expected both %s and %s", errKey, totalKey)
			continue
		}
		total, err := counterSelector(totalNode.Value)
		if err != nil {
			r.fail(file, totalNode, at+".sli.events."+totalKey, "%v", err)
			continue
		}
		s.Total, s.Keys["total"] = total, totalNode.Line
		if bad, err := counterSelector(errNode.Value); err == nil {
			s.Bad, s.Keys["bad"] = bad, errNode.Line
		} else if a, b, ok := difference(errNode.Value); ok {
			// Sloth's latency idiom: errors = total − good.
			sa, errA := counterSelector(a)
			sb, errB := counterSelector(b)
			switch {
			case errA != nil || errB != nil:
				r.fail(file, errNode, at+".sli.events."+errKey, "expected TOTAL − GOOD of two counters: %v", cmp.Or(errA, errB))
				continue
			case !sameSelector(sa, total):
				r.fail(file, errNode, at+".sli.events."+errKey, "a difference is read as %s − GOOD, but its first term %s is not the %s selector %s", totalKey, sa, totalKey, total)
				continue
			}
			s.Good, s.Keys["good"] = sb, errNode.Line
		} else {
			r.fail(file, errNode, at+".sli.events."+errKey, "%v", err)
			continue
		}
		r.slothAlerting(file, n, k8s, &s)
		r.slos = append(r.slos, s)
	}
}
