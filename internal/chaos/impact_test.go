package chaos

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
	"github.com/relia-dev/relia/internal/slo"
)

// burstReport computes web/availability (99 %, 1d rolling window, 1d of
// history, 5-minute steps) over five days of 1,000 events per step, all
// good but for a burst of 100 bad events in each of the six steps ending
// 10:05 … 10:30 on 12 November. The report time is 13 November 00:00.
func burstReport(t *testing.T) *slo.Report {
	t.Helper()
	const step = 5 * time.Minute
	now := time.Date(2026, 11, 13, 0, 0, 0, 0, time.UTC)
	n := 5 * 288
	s := &metrics.Series{FirstEnd: now.Add(-time.Duration(n-1) * step), Step: step, Good: make([]float64, n), Total: make([]float64, n)}
	burstFrom, burstTo := time.Date(2026, 11, 12, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 12, 10, 30, 0, 0, time.UTC)
	for i := range n {
		s.Total[i], s.Good[i] = 1000, 1000
		if τ := s.End(i); τ.After(burstFrom) && !τ.After(burstTo) {
			s.Good[i] = 900
		}
	}
	spec := slo.Spec{ID: "web/availability", Objective: 99, Window: slo.Window{Rolling: 24 * time.Hour}, Budgeting: slo.Occurrences}
	r, err := slo.Compute(spec, s, slo.Options{Now: now, History: 24 * time.Hour, Step: step, StepDetail: true})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func at(h, m int) time.Time { return time.Date(2026, 11, 12, h, m, 0, 0, time.UTC) }

// TestMeasure checks Measure against figures computed by hand for
// burstReport.
//
// The burst: 6 steps × 100 bad = 600 bad of 6,000 events. The 1d window at
// 10:30 holds 288 steps × 1,000 = 288,000 events, so 2,880 allowed bad
// events and a budget share of 600 / 2,880. The 5m burn rate of a burst
// step is (100 / 1,000) / 0.01 = 10.
//
// Alerts (W = 1d; thresholds p·W/L), each until its short window is clear
// of the burst: page 1h/5m (0.48) from 10:05 (1h burn 100 / 12,000 / 0.01
// = 0.83) to 10:35; page 6h/30m (0.2) from 10:10 (6h burn 200 / 72,000 /
// 0.01 = 0.28) to 11:00; tickets 1d/2h (0.1) and 3d/6h (0.0333…) from 10:15
// (1d burn 300 / 288,000 / 0.01 = 0.104, 3d burn 300 / 864,000 / 0.01 =
// 0.035) to 12:30 and 16:30.
func TestMeasure(t *testing.T) {
	r := burstReport(t)
	var replay []string
	for _, a := range r.Alerts {
		replay = append(replay, a.Rule.LongLabel+"/"+a.Rule.ShortLabel+" "+a.Start.Format("15:04")+"–"+a.End.Format("15:04"))
	}
	if want := "1h/5m 10:05–10:35, 6h/30m 10:10–11:00, 1d/2h 10:15–12:30, 3d/6h 10:15–16:30"; strings.Join(replay, ", ") != want {
		t.Fatalf("replay %q differs from the hand computation %q", strings.Join(replay, ", "), want)
	}
	tests := []struct {
		name                string
		start, end          time.Time
		noData, partial     bool
		steps               int
		bad, total          float64
		budget, peak        float64
		alerted             bool
		firstAlert, fromStr string
	}{
		{name: "the burst", start: at(10, 0), end: at(10, 30),
			steps: 6, bad: 600, total: 6000, budget: 600.0 / 2880, peak: 10, alerted: true, firstAlert: "10:05"},
		// A run that covers part of a step counts the step whole.
		{name: "inside one step", start: at(10, 6), end: at(10, 7),
			steps: 1, bad: 100, total: 1000, budget: 100.0 / 2880, peak: 10, alerted: true, firstAlert: "10:05"},
		// Nothing bad, and every alert over by 16:30.
		{name: "calm evening", start: at(18, 0), end: at(19, 0),
			steps: 12, bad: 0, total: 12000, budget: 0, peak: 0, alerted: false},
		// The 3d/6h ticket still fires until 16:30.
		{name: "during the ticket", start: at(16, 0), end: at(16, 20),
			steps: 4, bad: 0, total: 4000, budget: 0, peak: 0, alerted: true, firstAlert: "10:15"},
		// Ending at 9:40, the run is followed by the page at 10:05 within
		// the 30 minutes of grace.
		{name: "alert within the grace", start: at(9, 0), end: at(9, 40),
			steps: 8, bad: 0, total: 8000, budget: 0, peak: 0, alerted: true, firstAlert: "10:05"},
		{name: "before the history", start: at(10, 0).Add(-48 * time.Hour), end: at(11, 0).Add(-48 * time.Hour), noData: true},
		{name: "after the report time", start: at(10, 0).Add(24 * time.Hour), end: at(11, 0).Add(24 * time.Hour), noData: true},
		{name: "past the report time", start: at(23, 30), end: at(23, 30).Add(time.Hour), partial: true,
			steps: 6, bad: 0, total: 6000, budget: 0, peak: 0},
	}
	// Each case is measured on the whole timeline, and on what a build
	// keeps of it for the run alone: the figures must be the same.
	for _, tt := range tests {
		run := &Run{ID: "x", Start: tt.start, End: tt.end}
		kept := r.Timeline.Keep([]slo.Interval{MeasuredSpan(run, r.Timeline.Step)})
		if kept.Kept() > tt.steps+1 {
			t.Errorf("%s: %d steps kept to measure %d", tt.name, kept.Kept(), tt.steps)
		}
		for _, steps := range []*slo.Spans{r.Timeline.Whole(), kept} {
			name := tt.name + "/whole"
			if steps == kept {
				name = tt.name + "/kept"
			}
			t.Run(name, func(t *testing.T) {
				im := Measure(run, r, steps)
				if im.SLO != "web/availability" || im.NoData != tt.noData || im.Partial != tt.partial {
					t.Fatalf("slo %s, no data %v, partial %v", im.SLO, im.NoData, im.Partial)
				}
				if tt.noData {
					if !math.IsNaN(im.BudgetConsumed) || !math.IsNaN(im.PeakBurnRate) || im.Alerted {
						t.Errorf("no data, yet budget %v peak %v alerted %v", im.BudgetConsumed, im.PeakBurnRate, im.Alerted)
					}
					return
				}
				if im.Steps != tt.steps || im.Bad != tt.bad || im.Total != tt.total {
					t.Errorf("steps %d bad %v total %v, want %d %v %v", im.Steps, im.Bad, im.Total, tt.steps, tt.bad, tt.total)
				}
				if math.Abs(im.BudgetConsumed-tt.budget) > 1e-12 || math.Abs(im.PeakBurnRate-tt.peak) > 1e-12 {
					t.Errorf("budget %v peak %v, want %v %v", im.BudgetConsumed, im.PeakBurnRate, tt.budget, tt.peak)
				}
				if im.PeakLookback != 5*time.Minute {
					t.Errorf("peak lookback %v", im.PeakLookback)
				}
				if im.Alerted != tt.alerted {
					t.Errorf("alerted %v, want %v", im.Alerted, tt.alerted)
				}
				if tt.alerted && im.Alerts[0].Start.Format("15:04") != tt.firstAlert {
					t.Errorf("first alert %v, want %s", im.Alerts[0].Start, tt.firstAlert)
				}
			})
		}
	}
}

func TestDetectionGap(t *testing.T) {
	r := burstReport(t)
	burst := &Run{Start: at(10, 0), End: at(10, 30), After: HypothesisNotMet}
	calm := &Run{Start: at(18, 0), End: at(19, 0), After: HypothesisNotMet}
	calmMet := &Run{Start: at(18, 0), End: at(19, 0), After: HypothesisMet}
	old := &Run{Start: at(10, 0).Add(-48 * time.Hour), End: at(11, 0).Add(-48 * time.Hour), After: HypothesisNotMet}
	for _, tt := range []struct {
		name    string
		run     *Run
		impacts []Impact
		want    bool
	}{
		{"broke and paged", burst, []Impact{Measure(burst, r, r.Timeline.Whole())}, false},
		{"broke and paged nobody", calm, []Impact{Measure(calm, r, r.Timeline.Whole())}, true},
		{"held, spent nothing", calmMet, []Impact{Measure(calmMet, r, r.Timeline.Whole())}, false},
		{"held but burned budget, no alert", calmMet, []Impact{{BudgetConsumed: 0.03}}, true},
		{"held, trivial budget", calmMet, []Impact{{BudgetConsumed: 0.004}}, false},
		{"one SLO of the run alerted", calm, []Impact{Measure(calm, r, r.Timeline.Whole()), {Alerted: true}}, false},
		{"no data", old, []Impact{Measure(old, r, r.Timeline.Whole())}, false},
		{"no SLO", calm, nil, false},
	} {
		if got := DetectionGap(tt.run, tt.impacts); got != tt.want {
			t.Errorf("%s: gap %v, want %v", tt.name, got, tt.want)
		}
	}
}
