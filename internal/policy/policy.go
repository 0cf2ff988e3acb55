// Package policy applies a site's error-budget policy to one computed SLO:
// which budget adjustments cover it, which burn episodes need a
// retrospective (docs/numbers.md, "Burn episodes and the retrospective
// policy"), what an exhausted budget means and whether traffic is too low
// for burn-rate alerts to be trusted. It reads the configuration and the
// retrospectives it is given; it writes nothing.
package policy

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/content"
	"github.com/relia-dev/relia/internal/slo"
)

// Policy is what the error-budget policy says about one SLO: adjustments
// in the report, burn episodes (flagged when they need a retrospective),
// the consequence of an exhausted budget and a low-traffic warning.
type Policy struct {
	Adjustments     []Adjustment
	Episodes        []Episode // all, for the API
	Shown           []Episode // the ones worth a row on the page
	Minor           int       // episodes left off the page: each under minorEpisodeShare
	NeedsRetro      int       // episodes flagged as needing a retrospective
	ExhaustedAction string    // set when the budget is exhausted
	RecoveryAt      time.Time
	LowTraffic      string // the warning, or ""
}

// Adjustment is one interval of a budget adjustment within the history.
type Adjustment struct {
	Name       string
	Start, End time.Time
}

// Episode is a burn episode with the policy's verdict on it.
type Episode struct {
	slo.Episode
	NeedsRetro bool
	CoveredBy  string // the title of the retrospective covering it
}

// lowTrafficShare: when one bad event (or slice) spends more than this
// share of the window's budget, burn-rate alerts are noisy (SRE Workbook,
// "Low-traffic services and error budget alerting").
const lowTrafficShare = 0.01

// minorEpisodeShare: burn episodes that spent less of the budget than this
// are counted on the SLO page rather than listed (a noisy low-traffic SLO
// has hundreds).
const minorEpisodeShare = 0.01

// For applies the policy of cfg to the report r of SLO s at the report
// time now; retros are the retrospectives that list s.
func For(cfg *config.Config, now time.Time, s config.SLO, r *slo.Report, retros []*content.Page) Policy {
	var p Policy
	histStart := now.Add(-cfg.History)
	for _, a := range cfg.Adjustments {
		if !a.Applies(s.ID()) {
			continue
		}
		for _, in := range a.Intervals(histStart, now) {
			p.Adjustments = append(p.Adjustments, Adjustment{Name: a.Name, Start: in.Start, End: in.End})
		}
	}
	slices.SortStableFunc(p.Adjustments, func(x, y Adjustment) int { return x.Start.Compare(y.Start) })

	for _, e := range r.Episodes {
		v := Episode{Episode: e}
		if over := e.BudgetShare*100 > cfg.Policy.IncidentBudgetShare; over {
			if retro := covering(retros, e.Start, e.End); retro != nil {
				v.CoveredBy = retro.Meta.Title
			} else {
				v.NeedsRetro = true
				p.NeedsRetro++
			}
		}
		p.Episodes = append(p.Episodes, v)
		if v.NeedsRetro || v.CoveredBy != "" || !(e.BudgetShare < minorEpisodeShare) {
			p.Shown = append(p.Shown, v)
		} else {
			p.Minor++
		}
	}
	if r.Status == slo.StatusExhausted {
		p.ExhaustedAction = cfg.Policy.ExhaustedAction
		p.RecoveryAt = r.RecoveryAt
	}
	if a := r.Budget.Allowed; a > 0 && 1/a > lowTrafficShare {
		unit := "bad event"
		if s.Budgeting != slo.Occurrences {
			unit = "bad slice"
		}
		p.LowTraffic = fmt.Sprintf("Low traffic: one %s spends %.1f%% of the %s budget (%.0f allowed), so burn-rate alerts will be noisy; consider a longer window, synthetic traffic or grouping with other SLOs.",
			unit, 100/a, s.Window.String(), math.Floor(a))
	}
	return p
}

// covering returns the retrospective whose incident (IncidentSpan)
// overlaps [start, end].
func covering(retros []*content.Page, start, end time.Time) *content.Page {
	for _, p := range retros {
		from, to := IncidentSpan(p)
		if from.Before(end) && to.After(start) {
			return p
		}
	}
	return nil
}

// IncidentSpan is the incident of a retrospective: its timeline from
// started to resolved (or mitigated), or, without a timeline, the 24 hours
// from its date.
func IncidentSpan(p *content.Page) (time.Time, time.Time) {
	tl := p.Meta.Timeline
	from := tl.Started
	if from.IsZero() {
		from = p.Meta.Date
	}
	to := tl.Resolved
	if to.IsZero() {
		to = tl.Mitigated
	}
	if to.IsZero() || !to.After(from) {
		to = from.Add(24 * time.Hour)
	}
	return from, to
}
