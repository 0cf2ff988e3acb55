package site

import (
	"math"
	"slices"
	"time"

	"github.com/relia-dev/relia/internal/content"
	"github.com/relia-dev/relia/internal/policy"
	"github.com/relia-dev/relia/internal/render"
	"github.com/relia-dev/relia/internal/slo"
)

// retroFigures are the numbers relia adds to a retrospective: the times to
// detect, acknowledge, mitigate and resolve, and what the incident cost
// each SLO it lists.
type retroFigures struct {
	Durations []retroDuration
	SLOs      []retroSLO
}

type retroDuration struct {
	Name  string // "Time to detect"
	Value string
}

type retroSLO struct {
	ID, Path string
	Impact   slo.Impact
	// Paged is whether a page rule of the replay fired during the incident
	// (from started to resolved); PagedAfter is how long after started it
	// first fired (0 when a page was already firing).
	Paged      bool
	PagedAfter time.Duration
	// NoPageRule: the SLO has no page rule (alerts off, or only tickets),
	// so "no" is not a missed page but a page nobody set up.
	NoPageRule bool
}

// keepRetroSLOs keeps the per-step data of the SLOs that retrospectives
// inside the history list: their figures need it.
func (b *build) keepRetroSLOs() {
	histStart := b.now.Add(-b.cfg.History)
	for _, p := range b.content.Retros {
		from, to := policy.IncidentSpan(p)
		if !to.After(histStart) || from.After(b.now) {
			continue
		}
		for _, id := range p.Meta.SLOs {
			b.charted[id] = true
		}
	}
}

// retroFiguresOf derives a retrospective's figures from its timeline and
// the kept SLO data. An SLO without data for the incident shows none.
func (b *build) retroFiguresOf(p *content.Page) retroFigures {
	var f retroFigures
	tl := p.Meta.Timeline
	if !tl.Started.IsZero() {
		for _, d := range []struct {
			name string
			at   time.Time
		}{{"Time to detect", tl.Detected}, {"Time to acknowledge", tl.Acknowledged}, {"Time to mitigate", tl.Mitigated}, {"Time to resolve", tl.Resolved}} {
			if !d.at.IsZero() {
				f.Durations = append(f.Durations, retroDuration{Name: d.name, Value: render.Duration(d.at.Sub(tl.Started))})
			}
		}
	}
	from, to := policy.IncidentSpan(p)
	for _, id := range p.Meta.SLOs {
		row := retroSLO{ID: id, Impact: slo.Impact{SLO: id, NoData: true, BudgetConsumed: math.NaN(), PeakBurnRate: math.NaN()}}
		for _, s := range b.cfg.SLOs {
			if s.ID() == id {
				row.Path = sloPath(s)
				row.NoPageRule = !slices.ContainsFunc(s.Alerting.Effective(), func(r slo.RuleSpec) bool { return r.Severity == "page" })
			}
		}
		if k, ok := b.kept[id]; ok {
			// Alerts count from the start to the resolution: a page after
			// the incident was over detected nothing.
			row.Impact = slo.Measure(k.report, k.steps, from, to, 0)
			for _, a := range row.Impact.Alerts {
				if a.Rule.Severity != "page" {
					continue
				}
				if after := max(a.Start.Sub(from), 0); !row.Paged || after < row.PagedAfter {
					row.Paged, row.PagedAfter = true, after
				}
			}
		}
		f.SLOs = append(f.SLOs, row)
	}
	return f
}
