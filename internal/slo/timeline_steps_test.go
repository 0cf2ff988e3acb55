package slo

import (
	"testing"
	"time"
)

// TestTimelineSteps checks the per-step series chaos impact reads: each
// step's own bad and total units, the window's allowed bad units, and the
// burn rate over the shortest lookback — here 5m on a 1m grid, five steps —
// with a budget adjustment zeroing its steps.
func TestTimelineSteps(t *testing.T) {
	const step = time.Minute
	spec := Spec{ID: "a/b", Objective: 99, Window: Window{Rolling: 10 * time.Minute}, Budgeting: Occurrences}
	opts := Options{Now: testNow, History: 20 * time.Minute, Step: step, StepDetail: true}
	// Step k minutes before now has 100 events, k of them bad for k < 10.
	s := seriesFor(spec, opts, func(end time.Time) pair {
		k := float64(testNow.Sub(end) / step)
		if k < 10 {
			return pair{100 - k, 100}
		}
		return pair{100, 100}
	})
	spec.Excluded = []Interval{{Start: testNow.Add(-15 * time.Minute), End: testNow.Add(-13 * time.Minute)}} // steps 14 and 13 before now
	r := mustCompute(t, spec, s, opts)
	tl := r.Timeline
	if len(tl.Bad) != 20 || len(tl.Total) != 20 || len(tl.Allowed) != 20 || len(tl.Short.Values) != 20 || tl.Short.Label != "5m" {
		t.Fatalf("lengths %d %d %d %d, label %q", len(tl.Bad), len(tl.Total), len(tl.Allowed), len(tl.Short.Values), tl.Short.Label)
	}
	for i := range 20 {
		k := 19 - i // minutes before now
		bad, total := 0.0, 100.0
		if k < 10 {
			bad = float64(k)
		}
		if k == 13 || k == 14 {
			bad, total = 0, 0
		}
		checkFloat(t, "Bad", tl.Bad[i], bad)
		checkFloat(t, "Total", tl.Total[i], total)
		// The 10-step window ending k minutes ago: excluded steps hold
		// no events.
		var T, short, shortT float64
		for j := k; j < k+10; j++ {
			if j != 13 && j != 14 {
				T += 100
			}
		}
		for j := k; j < k+5; j++ {
			if j == 13 || j == 14 {
				continue
			}
			shortT += 100
			if j < 10 {
				short += float64(j)
			}
		}
		checkFloat(t, "Allowed", tl.Allowed[i], 0.01*T)
		checkFloat(t, "Short", tl.Short.Values[i], short/shortT/0.01)
	}
}
