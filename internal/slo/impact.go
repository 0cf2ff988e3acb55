package slo

import (
	"math"
	"time"
)

// Impact is what a span of time (a chaos run, an incident) cost one SLO.
type Impact struct {
	SLO string

	// NoData is true when no step of the run lies inside the report's
	// history (it ran before it, or after the report time): nothing below
	// is known. Partial is true when only some of its steps do.
	NoData, Partial bool

	// The steps counted: those ending in (Start, End'], End' being the
	// run's end rounded up to the step grid, so that a step the run covers
	// only in part counts whole.
	From, To time.Time
	Steps    int

	Bad, Total float64 // bad and all units in those steps (events, or slices)

	// BudgetConsumed is Bad as a share of the window's allowed bad units
	// at the run's last step; NaN without traffic in that window.
	BudgetConsumed float64

	// PeakBurnRate is the highest burn rate over the shortest lookback
	// (5m, or the step if longer) at any of the steps; NaN without
	// traffic. PeakLookback is that lookback.
	PeakBurnRate float64
	PeakLookback time.Duration

	// Alerts are the replayed alert intervals that overlap [start, end +
	// grace]; Alerted is true when there is one.
	Alerts  []Alert
	Alerted bool
}

// Measure computes what the span [start, end] cost the SLO of report r,
// from the per-step data of steps: r's whole timeline (r.Timeline.Whole())
// or the Spans kept of it, which must hold MeasuredSpan(start, end). Alerts
// come from r and count when they overlap [start, end + grace].
func Measure(r *Report, steps *Spans, start, end time.Time, grace time.Duration) Impact {
	im := Impact{SLO: r.Spec.ID, BudgetConsumed: math.NaN(), PeakBurnRate: math.NaN()}
	if len(r.BurnRates) > 0 {
		im.PeakLookback = r.BurnRates[0].Lookback
	}
	n := steps.Len
	if n == 0 || steps.Step <= 0 || !steps.detail {
		im.NoData = true
		return im
	}
	// Index i holds the step ending at FirstEnd + i·step. The run covers
	// the steps ending after start and before end + step.
	first := ceilDiv(start.Sub(steps.FirstEnd), steps.Step)
	if !steps.FirstEnd.Add(time.Duration(first) * steps.Step).After(start) {
		first++
	}
	last := ceilDiv(end.Sub(steps.FirstEnd), steps.Step) // first step ending at or after end
	if last < first {
		last = first // a run of no duration still sits in one step
	}
	lo, hi := max(first, 0), min(last, n-1)
	im.Partial = lo != first || hi != last
	if lo > hi {
		im.NoData, im.Partial = true, false
		return im
	}
	tl := steps.steps(lo, hi+1)
	im.From = tl.FirstEnd.Add(-tl.Step)
	im.To = tl.FirstEnd.Add(time.Duration(hi-lo) * tl.Step)
	im.Steps = hi - lo + 1
	for i := range im.Steps {
		im.Bad += tl.Bad[i]
		im.Total += tl.Total[i]
		if v := tl.Short.Values[i]; !math.IsNaN(v) && !(v <= im.PeakBurnRate) {
			im.PeakBurnRate = v
		}
	}
	if a := tl.Allowed[im.Steps-1]; a > 0 {
		im.BudgetConsumed = im.Bad / a
	}
	until := end.Add(grace)
	for _, a := range r.Alerts {
		if !a.Start.After(until) && (a.End.After(start) || a.Active) {
			im.Alerts = append(im.Alerts, a)
		}
	}
	im.Alerted = len(im.Alerts) > 0
	return im
}
