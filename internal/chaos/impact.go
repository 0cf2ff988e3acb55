package chaos

import (
	"time"

	"github.com/relia-dev/relia/internal/slo"
)

// AlertGrace is how long after a run an alert still counts as caused by
// it: an alert rule that fires within 30 minutes of the end detected it.
const AlertGrace = 30 * time.Minute

// GapBudget is the budget share above which a run is taken to have burned
// budget: half a percent of the window's error budget, about 3h20m of
// spending at burn rate 1 in a 28-day window. Below it, the ordinary
// background of errors during an hour or two of chaos is not a finding.
const GapBudget = 0.005

// Impact is what one run cost one SLO (see slo.Impact).
type Impact = slo.Impact

// Measure computes the impact of run on the SLO of report r, from the
// per-step data of steps (r.Timeline.Whole(), or the Spans kept of it,
// which must hold MeasuredSpan(run)); an alert up to AlertGrace after the
// run counts.
func Measure(run *Run, r *slo.Report, steps *slo.Spans) Impact {
	return slo.Measure(r, steps, run.Start, run.End, AlertGrace)
}

// MeasuredSpan is the span whose steps Measure reads for run on a grid of
// step.
func MeasuredSpan(run *Run, step time.Duration) slo.Interval {
	return slo.MeasuredSpan(run.Start, run.End, step)
}

// DetectionGap reports whether a run broke something and paged nobody:
// its hypothesis was not met, or it spent more than GapBudget of an SLO's
// budget, and no alert rule of any SLO of its services fired during it or
// within AlertGrace after. Without an impact that has data, nothing is
// known about alerts, and it is not a gap.
func DetectionGap(run *Run, impacts []Impact) bool {
	broke := run.Hypothesis() == HypothesisNotMet
	measured := false
	for _, im := range impacts {
		if im.NoData {
			continue
		}
		measured = true
		if im.Alerted {
			return false
		}
		if im.BudgetConsumed > GapBudget {
			broke = true
		}
	}
	return measured && broke
}
