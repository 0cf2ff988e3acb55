package site

import (
	"time"

	"github.com/relia-dev/relia/internal/chaos"
	"github.com/relia-dev/relia/internal/metrics"
	"github.com/relia-dev/relia/internal/policy"
	"github.com/relia-dev/relia/internal/render"
	"github.com/relia-dev/relia/internal/slo"
)

// keptSLO is what the build keeps of an SLO whose data outlives its page
// (b.charted): the summary report, the steps of its timeline that chaos
// runs, retrospectives and chart blocks read once every SLO is computed,
// and the events of its "events" chart blocks. Each SLO is fetched,
// computed, charted and written, then cut down to this, so that memory
// grows with what the measurements read, not with the SLOs times the
// history.
type keptSLO struct {
	report *slo.Report // the summary: its Timeline is emptied once the page is written
	steps  *slo.Spans
	events map[*render.ChartBlock]stepEvents
}

// stepEvents are an "events" chart block's good and total events, one per
// step of the timeline the block draws (Spans.Within of its span).
type stepEvents struct {
	good, total []float64
}

// collectSpans lists, for every SLO whose data outlives its page, the
// spans its later readers read, before any SLO is computed: each reader's
// span here is the one it reads (see keep). Runs and retrospectives
// outside the history add spans too; Keep drops what lies outside the
// timeline.
func (b *build) collectSpans() {
	b.spans = map[string][]slo.Interval{}
	b.eventBlocks = map[string][]*render.ChartBlock{}
	add := func(id string, iv slo.Interval) {
		if b.charted[id] {
			b.spans[id] = append(b.spans[id], iv)
		}
	}
	for _, blocks := range b.blocks {
		for _, cb := range blocks {
			add(cb.SLO, slo.Interval{Start: cb.From, End: cb.To}) // blockCharts
			if cb.Kind == "events" {
				b.eventBlocks[cb.SLO] = append(b.eventBlocks[cb.SLO], cb)
			}
		}
	}
	for _, r := range b.chaos.runs {
		if r.TimeUnknown {
			continue
		}
		for _, s := range b.sloOfRun(r) {
			add(s.ID(), chaos.MeasuredSpan(r, b.cfg.Step)) // measureChaos
			from, to := runChartSpan(r)
			add(s.ID(), slo.Interval{Start: from, End: to}) // writeChaosRun
		}
	}
	for _, p := range b.content.Retros {
		from, to := policy.IncidentSpan(p)
		for _, id := range p.Meta.SLOs {
			add(id, slo.MeasuredSpan(from, to, b.cfg.Step)) // retroFiguresOf
		}
	}
}

// runChartSpan is the span a chaos run's page draws around the run: at
// least an hour on either side, or the run's length, and the alert grace.
func runChartSpan(r *chaos.Run) (time.Time, time.Time) {
	pad := max(time.Hour, r.Duration())
	return r.Start.Add(-pad), r.End.Add(pad + chaos.AlertGrace)
}

// keep cuts a computed SLO down to what its later readers need, while its
// whole timeline and series are still at hand.
func (b *build) keep(id string, r *slo.Report, series *metrics.Series) keptSLO {
	k := keptSLO{report: r, steps: r.Timeline.Keep(b.spans[id])}
	whole := r.Timeline.Whole()
	for _, cb := range b.eventBlocks[id] {
		tl := whole.Within(cb.From, cb.To)
		if k.events == nil {
			k.events = map[*render.ChartBlock]stepEvents{}
		}
		// Copies of their own size: a slice of the series would keep all
		// of it.
		off, n := int(tl.FirstEnd.Sub(series.FirstEnd)/series.Step), len(tl.SLI)
		k.events[cb] = stepEvents{
			good:  append(make([]float64, 0, n), series.Good[off:off+n]...),
			total: append(make([]float64, 0, n), series.Total[off:off+n]...),
		}
	}
	return k
}

// within is the kept SLO's report with the steps ending in (from, to] as
// its timeline: what a chart of that span draws.
func (k keptSLO) within(from, to time.Time) *slo.Report {
	part := *k.report
	part.Timeline = k.steps.Within(from, to)
	return &part
}
