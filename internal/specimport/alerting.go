package specimport

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/relia-dev/relia/internal/slo"
)

// alertWindows is one Sloth AlertWindows object: the four multiwindow
// rules Sloth generates for SLOs of its period, instead of its defaults.
type alertWindows struct {
	file   string
	line   int
	period string
	rules  []slo.RuleSpec // page quick, page slow, ticket quick, ticket slow
	used   bool
}

// alertWindows reads a Sloth AlertWindows object (sloth.slok.dev/v1):
// spec.sloPeriod and, for page and ticket, a quick and a slow window with
// errorBudgetPercent, shortWindow and longWindow. Sloth picks the object
// whose period is the SLO's; so does relia, among the files of one
// slo_files entry.
func (r *reader) alertWindows(file string, n *yaml.Node) {
	spec := child(n, "spec")
	if spec == nil {
		r.fail(file, n, "spec", "missing")
		return
	}
	pn := child(spec, "sloPeriod")
	if pn == nil {
		r.fail(file, spec, "spec.sloPeriod", "missing; expected the SLO period these windows are for, such as 30d")
		return
	}
	period, err := model.ParseDuration(pn.Value)
	if err != nil || period <= 0 {
		r.fail(file, pn, "spec.sloPeriod", "expected a duration such as 30d, got %q", pn.Value)
		return
	}
	aw := &alertWindows{file: file, line: n.Line, period: pn.Value}
	ok := true
	for _, sev := range []struct{ key, severity string }{{"page", "page"}, {"ticket", "ticket"}} {
		for _, speed := range []string{"quick", "slow"} {
			at := "spec." + sev.key + "." + speed
			w := path(spec, sev.key, speed)
			if w == nil {
				r.fail(file, spec, at, "missing; Sloth needs a quick and a slow window for page and ticket alerts")
				ok = false
				continue
			}
			rule, good := r.alertWindow(file, at, w)
			if !good {
				ok = false
				continue
			}
			rule.Severity = sev.severity
			aw.rules = append(aw.rules, rule)
		}
	}
	if !ok {
		return
	}
	if first, dup := r.windows[time.Duration(period)]; dup {
		r.fail(file, pn, "spec.sloPeriod", "a second AlertWindows for %s; the first is at %s:%d", pn.Value, first.file, first.line)
		return
	}
	r.windows[time.Duration(period)] = aw
}

func (r *reader) alertWindow(file, at string, w *yaml.Node) (slo.RuleSpec, bool) {
	var rule slo.RuleSpec
	pct := child(w, "errorBudgetPercent")
	v, ok := number(pct)
	if !ok || v <= 0 || v > 100 {
		where := pct
		if where == nil {
			where = w
		}
		r.fail(file, where, at+".errorBudgetPercent", "expected a percentage of the error budget in (0, 100], such as 2")
		return rule, false
	}
	rule.Share = v / 100
	var durs [2]time.Duration
	for i, key := range []string{"longWindow", "shortWindow"} {
		c := child(w, key)
		if c == nil {
			r.fail(file, w, at+"."+key, "missing; expected a duration such as 1h")
			return rule, false
		}
		d, err := model.ParseDuration(c.Value)
		if err != nil || d <= 0 {
			r.fail(file, c, at+"."+key, "expected a duration such as 1h, got %q", c.Value)
			return rule, false
		}
		durs[i] = time.Duration(d)
	}
	if durs[1] >= durs[0] {
		r.fail(file, child(w, "shortWindow"), at+".shortWindow", "expected a short window shorter than the long window %s", child(w, "longWindow").Value)
		return rule, false
	}
	rule.Long, rule.Short = durs[0], durs[1]
	return rule, true
}

// slothAlerting sets the rules of a Sloth SLO: the AlertWindows of its
// period (or relia's defaults, which are Sloth's for 28 and 30 days),
// less the page or ticket alerts the spec disables.
func (r *reader) slothAlerting(file string, n *yaml.Node, k8s bool, s *SLO) {
	r.sloths++
	alerting := child(n, "alerting")
	pageKey, ticketKey := "page_alert", "ticket_alert"
	if k8s {
		pageKey, ticketKey = "pageAlert", "ticketAlert"
	}
	disabled := func(key string) bool {
		d := path(alerting, key, "disable")
		return d != nil && d.Value == "true"
	}
	noPage, noTicket := disabled(pageKey), disabled(ticketKey)
	name := str(alerting, "name")

	var base []slo.RuleSpec
	origin := ""
	if d, err := model.ParseDuration(s.Window); err == nil {
		if aw, ok := r.windows[time.Duration(d)]; ok {
			aw.used = true
			base = slices.Clone(aw.rules)
			origin = fmt.Sprintf("Sloth AlertWindows (%s) in %s", aw.period, aw.file)
		}
	}
	switch {
	case noPage && noTicket:
		s.NoAlerts, s.AlertOrigin = true, "Sloth: page and ticket alerts disabled in "+file
		return
	case !noPage && !noTicket && base == nil && name == "":
		return // relia's defaults, Sloth's own
	}
	if base == nil {
		base = slo.DefaultRules()
		origin = "Sloth's default windows"
	}
	var rules []slo.RuleSpec
	for _, rule := range base {
		if (rule.Severity == "page" && noPage) || (rule.Severity == "ticket" && noTicket) {
			continue
		}
		rule.Name = name
		rules = append(rules, rule)
	}
	var off []string
	if noPage {
		off = append(off, "page alerts disabled")
	}
	if noTicket {
		off = append(off, "ticket alerts disabled")
	}
	if len(off) > 0 {
		origin += "; " + strings.Join(off, ", ") + " in " + file
	}
	s.Rules, s.AlertOrigin = rules, origin
}

// slothPlugins warns about Sloth plugins: they rewrite the rules Sloth
// generates, and relia does not run them.
func (r *reader) slothPlugins(file string, parent *yaml.Node, key, field string) {
	plugins := child(parent, key)
	if plugins == nil {
		return
	}
	var ids []string
	var chain []*yaml.Node
	if c := child(plugins, "chain"); c != nil {
		chain = c.Content
	}
	for _, p := range chain {
		if id := str(p, "id"); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	what := "the Sloth SLO plugins"
	if len(ids) > 0 {
		what += " " + strings.Join(ids, ", ")
	}
	r.warn(file, keyOf(parent, key), field, "%s are not applied: relia does not run Sloth plugins; its figures come from the SLI queries and alert windows as written", what)
}

// unusedWindows warns about AlertWindows no SLO took: a period mismatch
// would otherwise silently leave the defaults in place.
func (r *reader) unusedWindows() {
	for _, aw := range r.windows {
		if aw.used {
			continue
		}
		msg := fmt.Sprintf("these AlertWindows are for %s SLOs, and no Sloth SLO of these files has that window (Sloth SLOs get the window of their slo_files entry, %s): they are not used",
			aw.period, r.opts.Window)
		if r.sloths == 0 {
			msg = "no Sloth SLO in these files: these AlertWindows are not used; list them in the same slo_files entry as the Sloth specs they are for"
		}
		r.warns = append(r.warns, &Error{File: aw.file, Line: aw.line, Key: "spec.sloPeriod", Msg: msg})
	}
}
