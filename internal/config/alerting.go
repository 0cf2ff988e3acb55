package config

import (
	"fmt"
	"math"
	"time"

	"github.com/prometheus/common/model"

	"github.com/relia-dev/relia/internal/slo"
)

// Alerting says which alert rules an SLO really has: relia replays them,
// and pages, reviews and detection gaps speak of them and of no other.
type Alerting struct {
	// Rules are the SLO's own rules; nil means slo.DefaultRules.
	Rules []slo.RuleSpec
	// Off: the SLO has no rule at all and pages nobody.
	Off bool
	// Origin says where the rules were set, for the pages: "" for the
	// defaults, else such as "relia.toml", "alerts = false in relia.toml"
	// or "Sloth AlertWindows (7d) in slos/windows.yaml".
	Origin string
}

// Effective are the rules relia replays for the SLO.
func (a Alerting) Effective() []slo.RuleSpec {
	return slo.Spec{Rules: a.Rules, NoAlerts: a.Off}.EffectiveRules()
}

// rawAlertRule is one [[slos.alert_rules]] table.
type rawAlertRule struct {
	Severity    string   `toml:"severity"`
	BudgetShare *float64 `toml:"budget_share"`
	BurnRate    *float64 `toml:"burn_rate"`
	Long        string   `toml:"long"`
	Short       string   `toml:"short"`
	Name        string   `toml:"name"`
}

// maxAlertRules bounds the rules of one SLO: each costs replay time at
// every step of the history, and real policies have two to six.
const maxAlertRules = 16

// alerting validates `alerts` and `[[slos.alert_rules]]` of one entry.
func (v *validator) alerting(at, name string, rs rawSLO, w slo.Window) Alerting {
	var a Alerting
	off := rs.Alerts != nil && !*rs.Alerts
	switch {
	case off && len(rs.AlertRules) > 0:
		v.fail(at+".alerts", name+".alerts", "alerts = false turns every alert rule off, but the entry has alert_rules; keep one")
		return a
	case off:
		return Alerting{Off: true, Origin: "alerts = false in " + v.file}
	case len(rs.AlertRules) == 0:
		return a
	case len(rs.AlertRules) > maxAlertRules:
		v.fail(at+".alert_rules[0]", name+".alert_rules", "%d rules; at most %d per SLO", len(rs.AlertRules), maxAlertRules)
		return a
	}
	a.Origin = v.file
	for i, r := range rs.AlertRules {
		rat := fmt.Sprintf("%s.alert_rules[%d]", at, i)
		rname := fmt.Sprintf("%s.alert_rules[%d]", name, i)
		rule := slo.RuleSpec{Severity: r.Severity, Name: r.Name}
		ok := true
		switch r.Severity {
		case "page", "ticket":
		case "":
			v.fail(rat, rname+".severity", `missing; expected "page" or "ticket"`)
			ok = false
		default:
			v.fail(rat+".severity", rname+".severity", `expected "page" or "ticket", got %q`, r.Severity)
			ok = false
		}
		switch {
		case r.BudgetShare != nil && r.BurnRate != nil:
			v.fail(rat+".burn_rate", rname+".burn_rate", "both budget_share and burn_rate are set; keep one (the threshold is either)")
			ok = false
		case r.BudgetShare != nil:
			p := *r.BudgetShare
			if !(p > 0 && p <= 100) {
				v.fail(rat+".budget_share", rname+".budget_share", "expected a percentage of the window's budget in (0, 100], such as 2, got %v", p)
				ok = false
			}
			rule.Share = p / 100
		case r.BurnRate != nil:
			f := *r.BurnRate
			if !(f > 0) || math.IsInf(f, 0) {
				v.fail(rat+".burn_rate", rname+".burn_rate", "expected a positive burn-rate factor such as 14.4, got %v", f)
				ok = false
			}
			rule.Factor = f
		default:
			v.fail(rat, rname+".budget_share", "missing; expected budget_share (percent of the window's budget, such as 2) or burn_rate (a factor such as 14.4)")
			ok = false
		}
		long, okL := v.ruleWindow(rat, rname, "long", r.Long)
		short, okS := v.ruleWindow(rat, rname, "short", r.Short)
		if okL && okS {
			switch nominal := w.Nominal(); {
			case short >= long:
				v.fail(rat+".short", rname+".short", "expected a short window shorter than the long one (%s), got %s", r.Long, r.Short)
				ok = false
			case nominal > 0 && long > nominal:
				v.fail(rat+".long", rname+".long", "expected a long window no longer than the SLO's window (%s), got %s", model.Duration(nominal), r.Long)
				ok = false
			}
		}
		if !ok || !okL || !okS {
			continue
		}
		rule.Long, rule.Short = long, short
		a.Rules = append(a.Rules, rule)
	}
	return a
}

func (v *validator) ruleWindow(at, name, key, text string) (time.Duration, bool) {
	if text == "" {
		v.fail(at, name+"."+key, "missing; expected a duration such as \"1h\"")
		return 0, false
	}
	return v.duration(at+"."+key, name+"."+key, text)
}
