package slo

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
)

var (
	nan     = math.NaN()
	testNow = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
)

// pair is one step's (good, total); {nan, nan} is no data.
type pair [2]float64

var noData = pair{nan, nan}

// seriesEnding returns a series of the given steps, oldest first, whose last
// step ends at now.
func seriesEnding(now time.Time, step time.Duration, steps ...pair) *metrics.Series {
	s := &metrics.Series{
		FirstEnd: now.Add(-time.Duration(len(steps)-1) * step),
		Step:     step,
		Good:     make([]float64, len(steps)),
		Total:    make([]float64, len(steps)),
	}
	for i, p := range steps {
		s.Good[i], s.Total[i] = p[0], p[1]
	}
	return s
}

// repeat returns n copies of p.
func repeat(n int, p pair) []pair {
	out := make([]pair, n)
	for i := range out {
		out[i] = p
	}
	return out
}

// seriesFor returns the series Range asks for, each step from f(its end).
func seriesFor(spec Spec, opts Options, f func(end time.Time) pair) *metrics.Series {
	from := Range(spec, opts)
	n := int(opts.Now.Sub(from) / opts.Step)
	s := &metrics.Series{FirstEnd: from.Add(opts.Step), Step: opts.Step, Good: make([]float64, n), Total: make([]float64, n)}
	for i := range n {
		p := f(s.End(i))
		s.Good[i], s.Total[i] = p[0], p[1]
	}
	return s
}

// near compares to 1e-9, absolute or relative; NaN equals NaN.
func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	d := math.Abs(a - b)
	return d <= 1e-9 || d <= 1e-9*math.Abs(b)
}

func checkFloat(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !near(got, want) {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

func mustCompute(t *testing.T, spec Spec, s *metrics.Series, opts Options) *Report {
	t.Helper()
	r, err := Compute(spec, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// summary is what most table tests assert about the window ending at Now.
type summary struct {
	good, total, bad, sli        float64
	allowed, consumed, remaining float64
	coverage                     float64
	status                       string
	burn                         []float64 // 5m 30m 1h 2h 6h 1d 3d; nil: not checked
}

func checkSummary(t *testing.T, r *Report, w summary) {
	t.Helper()
	checkFloat(t, "Good", r.Good, w.good)
	checkFloat(t, "Total", r.Total, w.total)
	checkFloat(t, "Bad", r.Bad, w.bad)
	checkFloat(t, "SLI", r.SLI, w.sli)
	checkFloat(t, "Budget.Allowed", r.Budget.Allowed, w.allowed)
	checkFloat(t, "Budget.Consumed", r.Budget.Consumed, w.consumed)
	checkFloat(t, "Budget.Remaining", r.Budget.Remaining, w.remaining)
	checkFloat(t, "Coverage", r.Coverage, w.coverage)
	if r.Status != w.status {
		t.Errorf("Status = %q, want %q", r.Status, w.status)
	}
	if w.burn != nil {
		if len(r.BurnRates) != len(w.burn) {
			t.Fatalf("%d burn rates, want %d", len(r.BurnRates), len(w.burn))
		}
		for i, b := range w.burn {
			checkFloat(t, "burn rate "+r.BurnRates[i].Label, r.BurnRates[i].Rate, b)
		}
	}
}

func all7(v float64) []float64 { return []float64{v, v, v, v, v, v, v} }

// Ten one-minute steps in a 10m rolling window; the series holds only those
// ten steps, so every lookback longer than 10m sees the same data.
func TestComputeBasics(t *testing.T) {
	step := time.Minute
	window := Window{Rolling: 10 * time.Minute}
	opts := Options{Now: testNow, History: 10 * time.Minute, Location: time.UTC, Step: step}

	alternate := make([]pair, 10) // data at even indexes (oldest = 0), none at odd
	for i := range alternate {
		alternate[i] = noData
		if i%2 == 0 {
			alternate[i] = pair{8, 10}
		}
	}
	fiveBad := repeat(10, pair{1e5, 1e5})
	fiveBad[7] = pair{1e5 - 5, 1e5}

	tests := []struct {
		name      string
		objective float64
		steps     []pair
		want      summary
	}{
		{
			// No events at all, but every step reported: full coverage, no
			// traffic, so nothing is defined and the status is no-data.
			name: "zero traffic", objective: 99.9,
			steps: repeat(10, pair{0, 0}),
			want: summary{good: 0, total: 0, bad: 0, sli: nan,
				allowed: nan, consumed: nan, remaining: nan,
				coverage: 1, status: StatusNoData, burn: all7(nan)},
		},
		{
			// 10 steps × 10 events, all bad. T = 100, B = 100, SLI = 0.
			// A = (1 − 0.99)·100 = 1; consumed = 100/1 = 100; remaining = −99.
			// Every burn rate: (B/T)/0.01 = 1/0.01 = 100.
			name: "all bad", objective: 99,
			steps: repeat(10, pair{0, 10}),
			want: summary{good: 0, total: 100, bad: 100, sli: 0,
				allowed: 1, consumed: 100, remaining: -99,
				coverage: 1, status: StatusExhausted, burn: all7(100)},
		},
		{
			// Data in the 4 oldest steps only (8 of 10 good each), none in the
			// 6 newest: T = 40, G = 32, B = 8, SLI = 0.8.
			// A = 0.5·40 = 20; consumed = 8/20 = 0.4; remaining 0.6.
			// Coverage 4/10 = 0.4 < 0.5 → no-data despite the traffic.
			// 5m burn: the last 5 steps hold no data → NaN; the others see
			// all 4 data steps: (8/40)/0.5 = 0.4.
			name: "gaps below half coverage", objective: 50,
			steps: append(repeat(4, pair{8, 10}), repeat(6, noData)...),
			want: summary{good: 32, total: 40, bad: 8, sli: 0.8,
				allowed: 20, consumed: 0.4, remaining: 0.6,
				coverage: 0.4, status: StatusNoData,
				burn: []float64{nan, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4}},
		},
		{
			// Data at indexes 0, 2, 4, 6, 8: T = 50, G = 40, B = 10, SLI 0.8.
			// A = 25; consumed 0.4; remaining 0.6 → 60 % ≥ 25 % → healthy.
			// Coverage 5/10 = 0.5 exactly: not below 50 %, so not no-data.
			// 5m burn: indexes 5..9 hold data at 6 and 8: (4/20)/0.5 = 0.4.
			name: "gaps at exactly half coverage", objective: 50,
			steps: alternate,
			want: summary{good: 40, total: 50, bad: 10, sli: 0.8,
				allowed: 25, consumed: 0.4, remaining: 0.6,
				coverage: 0.5, status: StatusHealthy, burn: all7(0.4)},
		},
		{
			// 10 steps × 1e5 events, 5 bad at index 7. T = 1e6, B = 5,
			// SLI = 0.999995. A = 1e-5·1e6 = 10; consumed 0.5; remaining 0.5.
			// 5m burn (indexes 5..9): (5/5e5)/1e-5 = 1; longer: (5/1e6)/1e-5 = 0.5.
			name: "objective 99.999", objective: 99.999,
			steps: fiveBad,
			want: summary{good: 999995, total: 1e6, bad: 5, sli: 0.999995,
				allowed: 10, consumed: 0.5, remaining: 0.5,
				coverage: 1, status: StatusHealthy,
				burn: []float64{1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := Spec{ID: "test/basics", Objective: tt.objective, Window: window, Budgeting: Occurrences, AtRiskBelow: 25}
			r := mustCompute(t, spec, seriesEnding(testNow, step, tt.steps...), opts)
			checkSummary(t, r, tt.want)
			if !r.WindowStart.Equal(testNow.Add(-10*time.Minute)) || !r.WindowEnd.Equal(testNow) {
				t.Errorf("window (%s, %s], want (Now−10m, Now]", r.WindowStart, r.WindowEnd)
			}
			if len(r.Notes) != 0 {
				t.Errorf("notes %q, want none", r.Notes)
			}
			// The timeline's last point is the window at Now.
			if n := len(r.Timeline.SLI); n != 10 {
				t.Fatalf("timeline of %d steps, want 10", n)
			}
			checkFloat(t, "last timeline SLI", r.Timeline.SLI[9], tt.want.sli)
			checkFloat(t, "last timeline budget remaining", r.Timeline.BudgetRemaining[9], tt.want.remaining)
		})
	}
}

// A 28d window over a series holding only its last 24 hours.
func TestComputeWindowLongerThanData(t *testing.T) {
	step := time.Hour
	spec := Spec{ID: "test/short", Objective: 99, Window: Window{Rolling: 28 * day}, Budgeting: Occurrences, AtRiskBelow: 25}
	opts := Options{Now: testNow, History: day, Location: time.UTC, Step: step}
	r := mustCompute(t, spec, seriesEnding(testNow, step, repeat(24, pair{99, 100})...), opts)
	// T = 24·100 = 2400, G = 2376, B = 24, SLI 0.99. A = 0.01·2400 = 24;
	// consumed 24/24 = 1; remaining 0. Coverage 24 of 672 steps = 1/28 →
	// no-data (coverage wins over exhausted). Every lookback (5m and 30m
	// raised to the 1h step) sees only data steps: (1/100)/0.01 = 1.
	checkSummary(t, r, summary{good: 2376, total: 2400, bad: 24, sli: 0.99,
		allowed: 24, consumed: 1, remaining: 0,
		coverage: 1.0 / 28, status: StatusNoData, burn: all7(1)})
	if want := testNow.Add(-28 * day); !r.WindowStart.Equal(want) {
		t.Errorf("WindowStart = %s, want %s", r.WindowStart, want)
	}
	// The timeline's first step (Now − 23h) has one data step in its window:
	// SLI 0.99, remaining 1 − 1/(0.01·100) = 0.
	checkFloat(t, "timeline SLI[0]", r.Timeline.SLI[0], 0.99)
	checkFloat(t, "timeline BudgetRemaining[0]", r.Timeline.BudgetRemaining[0], 0)
	wantNotes := []string{
		"burn-rate lookback 5m raised to the 1h step",
		"burn-rate lookback 30m raised to the 1h step",
		"alert rule page 1h/5m: short window 5m raised to the 1h step",
		"alert rule page 6h/30m: short window 30m raised to the 1h step",
	}
	checkNotes(t, r.Notes, wantNotes)
}

func checkNotes(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// The same five one-minute steps under the three budgeting methods. Against
// a 90 % objective, counting events meets it (95.75 %) while both time-slice
// methods miss it (66.7 % and 83 %): one busy slice at 50 % hides among many
// good events but is a third of the slices with traffic.
func TestComputeBudgetingMethods(t *testing.T) {
	step := time.Minute
	steps := []pair{
		{99, 100},    // 99 % good: exactly at the 99 % slice threshold → a good slice
		{0, 0},       // data, no traffic: not a slice with traffic
		{50, 100},    // 50 % good: a bad slice
		{1000, 1000}, // 100 % good
		noData,       // no data
	}
	opts := Options{Now: testNow, History: 5 * time.Minute, Location: time.UTC, Step: step}
	tests := []struct {
		budgeting string
		want      summary
	}{
		{
			// Events: T = 100+0+100+1000 = 1200, B = 1+0+50+0 = 51, G = 1149,
			// SLI 0.9575. A = 0.1·1200 = 120; consumed 51/120 = 0.425;
			// remaining 0.575 → healthy. 5m burn (all 5 steps) = (51/1200)/0.1.
			Occurrences, summary{good: 1149, total: 1200, bad: 51, sli: 0.9575,
				allowed: 120, consumed: 0.425, remaining: 0.575,
				coverage: 0.8, status: StatusHealthy, burn: all7(0.425)},
		},
		{
			// Slices with traffic: 3; good: 99/100 ≥ 0.99 ✓, 50/100 ✗,
			// 1000/1000 ✓ → G = 2, B = 1, SLI 2/3. A = 0.1·3 = 0.3;
			// consumed 1/0.3 = 3.333…; remaining −2.333… → exhausted.
			// Burn: (1/3)/0.1 = 3.333….
			Timeslices, summary{good: 2, total: 3, bad: 1, sli: 2.0 / 3,
				allowed: 0.3, consumed: 10.0 / 3, remaining: 1 - 10.0/3,
				coverage: 0.8, status: StatusExhausted, burn: all7(10.0 / 3)},
		},
		{
			// Slices with traffic: 3; G = 0.99 + 0.5 + 1 = 2.49, B = 0.51,
			// SLI = 2.49/3 = 0.83 (the mean of the slices' ratios). A = 0.3;
			// consumed 0.51/0.3 = 1.7; remaining −0.7. Burn (0.51/3)/0.1 = 1.7.
			RatioTimeslices, summary{good: 2.49, total: 3, bad: 0.51, sli: 0.83,
				allowed: 0.3, consumed: 1.7, remaining: -0.7,
				coverage: 0.8, status: StatusExhausted, burn: all7(1.7)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.budgeting, func(t *testing.T) {
			spec := Spec{ID: "test/methods", Objective: 90, Window: Window{Rolling: 5 * time.Minute},
				Budgeting: tt.budgeting, SliceThreshold: 99, AtRiskBelow: 25}
			r := mustCompute(t, spec, seriesEnding(testNow, step, steps...), opts)
			checkSummary(t, r, tt.want)
		})
	}
}

// One bad-event pattern on a 5m grid, placed so that each lookback ending
// at Now holds a different number of bad events. Every step has 100 events.
func TestComputeBurnRates(t *testing.T) {
	step := 5 * time.Minute
	spec := Spec{ID: "test/burn", Objective: 99.9, Window: Window{Rolling: 30 * day}, Budgeting: Occurrences, AtRiskBelow: 25}
	opts := Options{Now: testNow, History: time.Hour, Location: time.UTC, Step: step}
	// Bad events by age, in steps before Now (age 0 ends at Now). Cumulative
	// bad within each lookback: 5m (1 step): 1; 30m (6): 1+2 = 3; 1h (12): 4;
	// 2h (24): 6; 6h (72): 10; 1d (288): 20; 3d (864): 50.
	bad := map[int]float64{0: 1, 5: 2, 11: 1, 23: 2, 71: 4, 287: 10, 863: 30}
	s := seriesFor(spec, opts, func(end time.Time) pair {
		age := int(testNow.Sub(end) / step)
		return pair{100 - bad[age], 100}
	})
	r := mustCompute(t, spec, s, opts)
	// Rate = (B_L / (100·steps)) / 0.001.
	want := []struct {
		label    string
		lookback time.Duration
		rate     float64
	}{
		{"5m", 5 * time.Minute, 1.0 / 100 / 0.001},   // 10
		{"30m", 30 * time.Minute, 3.0 / 600 / 0.001}, // 5
		{"1h", time.Hour, 4.0 / 1200 / 0.001},        // 3.333…
		{"2h", 2 * time.Hour, 6.0 / 2400 / 0.001},    // 2.5
		{"6h", 6 * time.Hour, 10.0 / 7200 / 0.001},   // 1.3888…
		{"1d", day, 20.0 / 28800 / 0.001},            // 0.69444…
		{"3d", 3 * day, 50.0 / 86400 / 0.001},        // 0.5787…
	}
	for i, w := range want {
		b := r.BurnRates[i]
		if b.Label != w.label || b.Lookback != w.lookback {
			t.Errorf("burn rate %d is %s over %v, want %s over %v", i, b.Label, b.Lookback, w.label, w.lookback)
		}
		checkFloat(t, "burn rate "+w.label, b.Rate, w.rate)
	}
	// The 30d window holds 8640 full steps and the same 50 bad events:
	// consumed = 50/(0.001·864000) = 0.05787….
	checkFloat(t, "Budget.Consumed", r.Budget.Consumed, 50.0/864)
	// The burn series end with the rates at Now: 1h, 6h, 1d, 3d.
	for j, lb := range []int{2, 4, 5, 6} {
		bs := r.Timeline.Burn[j]
		if bs.Label != want[lb].label {
			t.Errorf("Timeline.Burn[%d] is %s, want %s", j, bs.Label, want[lb].label)
		}
		if len(bs.Values) != 12 {
			t.Fatalf("Timeline.Burn[%d] has %d values, want 12", j, len(bs.Values))
		}
		checkFloat(t, "last "+bs.Label+" burn", bs.Values[11], want[lb].rate)
	}
	// The first history step ends at age 11 (History 1h = 12 steps). Its 1h
	// lookback, ages 11..22, holds the single bad event at age 11:
	// (1/1200)/0.001 = 0.8333….
	if want := testNow.Add(-55 * time.Minute); !r.Timeline.FirstEnd.Equal(want) {
		t.Errorf("Timeline.FirstEnd = %s, want %s", r.Timeline.FirstEnd, want)
	}
	checkFloat(t, "first 1h burn", r.Timeline.Burn[0].Values[0], 1.0/1200/0.001)
	if len(r.Alerts) != 0 {
		// Thresholds for 30d are 14.4, 6, 3, 1; the rule's long-window rates
		// at Now are 3.33, 1.39, 0.69, 0.58 and lower before.
		t.Errorf("alerts %+v, want none", r.Alerts)
	}
}

func TestRuleThresholds(t *testing.T) {
	tests := []struct {
		window Window
		want   [4]float64
	}{
		// p · W / L: 0.02·720h/1h = 14.4; 0.05·720h/6h = 6; 0.1·720h/24h = 3;
		// 0.1·720h/72h = 1 — the SRE workbook's numbers.
		{Window{Rolling: 30 * day}, [4]float64{14.4, 6, 3, 1}},
		// 0.02·672 = 13.44; 0.05·112 = 5.6; 0.1·28 = 2.8; 0.1·28/3 = 0.9333….
		{Window{Rolling: 28 * day}, [4]float64{13.44, 5.6, 2.8, 2.8 / 3}},
		// A month counts as 30d; a week as 7d: 0.02·168 = 3.36, ….
		{Window{Calendar: CalendarMonth}, [4]float64{14.4, 6, 3, 1}},
		{Window{Calendar: CalendarWeek}, [4]float64{3.36, 1.4, 0.7, 0.7 / 3}},
	}
	for _, tt := range tests {
		spec := Spec{ID: "test/rules", Objective: 99.9, Window: tt.window, Budgeting: Occurrences}
		opts := Options{Now: testNow, Location: time.UTC, Step: 5 * time.Minute}
		r := mustCompute(t, spec, seriesEnding(testNow, 5*time.Minute, pair{1, 1}), opts)
		for i, rule := range r.Rules {
			checkFloat(t, tt.window.String()+" rule "+rule.LongLabel+"/"+rule.ShortLabel+" threshold", rule.Threshold, tt.want[i])
		}
	}
}

// Alert replay over one day of 5m steps (ages 287..0; age 0 ends at Now),
// 100 events per step, with whole steps of bad events at ages 288, 287, 100,
// 99, 97, 2, 1, 0. Objective 99, window 30d: thresholds 14.4, 6, 3, 1.
//
// A fully bad step has a 5m burn rate of (100/100)/0.01 = 100. A 1h lookback
// (12 steps) with k bad steps burns k·100/1200/0.01 = 8.33·k: it exceeds
// 14.4 from k = 2 on. So page 1h/5m fires at a bad step with another bad
// step in the 11 before it:
//
//	age 287: 287 and 288 bad → fires (288 is before the history span; the
//	         alert starts at the first history step); 286 is good → ends.
//	age 100: alone in its hour → no; 99: with 100 → fires; 98 → ends.
//	age 97: with 99, 100 → fires again; 96 → ends: a new interval.
//	age 2: alone → no; 1 and 0 fire → still firing at Now.
//
// The other rules need more: page 6h/30m more than 0.06·7200 = 432 bad in
// 6h (5 bad steps; at most 3 lie within 72 steps), ticket 1d/2h more than
// 0.03·28800 = 864 in 1d (9 bad steps) and ticket 3d/6h more than
// 0.01·86400 = 864 in 3d (9 bad steps; there are 8 in all): none fires.
func TestComputeAlertReplay(t *testing.T) {
	step := 5 * time.Minute
	spec := Spec{ID: "test/alerts", Objective: 99, Window: Window{Rolling: 30 * day}, Budgeting: Occurrences, AtRiskBelow: 25}
	opts := Options{Now: testNow, History: day, Location: time.UTC, Step: step}
	bad := map[int]bool{288: true, 287: true, 100: true, 99: true, 97: true, 2: true, 1: true, 0: true}
	s := seriesFor(spec, opts, func(end time.Time) pair {
		if bad[int(testNow.Sub(end)/step)] {
			return pair{0, 100}
		}
		return pair{100, 100}
	})
	r := mustCompute(t, spec, s, opts)
	at := func(age int) time.Time { return testNow.Add(-time.Duration(age) * step) }
	want := []struct {
		start, end time.Time
		active     bool
	}{
		{at(287), at(286), false},
		{at(99), at(98), false},
		{at(97), at(96), false},
		{at(1), testNow, true},
	}
	if len(r.Alerts) != len(want) {
		t.Fatalf("%d alerts, want %d: %+v", len(r.Alerts), len(want), r.Alerts)
	}
	for i, w := range want {
		a := r.Alerts[i]
		if a.Rule.Severity != "page" || a.Rule.LongLabel != "1h" || a.Rule.ShortLabel != "5m" {
			t.Errorf("alert %d from rule %s %s/%s, want page 1h/5m", i, a.Rule.Severity, a.Rule.LongLabel, a.Rule.ShortLabel)
		}
		if !a.Start.Equal(w.start) || !a.End.Equal(w.end) || a.Active != w.active {
			t.Errorf("alert %d: %s to %s active %v, want %s to %s active %v", i,
				a.Start.Format(time.RFC3339), a.End.Format(time.RFC3339), a.Active,
				w.start.Format(time.RFC3339), w.end.Format(time.RFC3339), w.active)
		}
	}
	if !r.Alerts[0].Start.Equal(r.Timeline.FirstEnd) {
		t.Errorf("first alert starts %s, want the first history step %s", r.Alerts[0].Start, r.Timeline.FirstEnd)
	}
	// 1h burn at age 100 (one bad step): 100/1200/0.01 = 8.33…; at age 99
	// (two): 16.66…. Timeline index = 287 − age.
	checkFloat(t, "1h burn at age 100", r.Timeline.Burn[0].Values[187], 100.0/1200/0.01)
	checkFloat(t, "1h burn at age 99", r.Timeline.Burn[0].Values[188], 200.0/1200/0.01)
}

// With a 10m step the 5m lookback and the page rule's 5m short window
// become one 10m step; the threshold keeps its 1h long window: 14.4.
func TestComputeShortWindowRaised(t *testing.T) {
	step := 10 * time.Minute
	spec := Spec{ID: "test/raised", Objective: 99, Window: Window{Rolling: 30 * day}, Budgeting: Occurrences, AtRiskBelow: 25}
	opts := Options{Now: testNow, History: day, Location: time.UTC, Step: step}
	// 100 events per step; the last two steps (ages 1, 0) are all bad.
	s := seriesFor(spec, opts, func(end time.Time) pair {
		if testNow.Sub(end) <= step {
			return pair{0, 100}
		}
		return pair{100, 100}
	})
	r := mustCompute(t, spec, s, opts)
	checkNotes(t, r.Notes, []string{
		"burn-rate lookback 5m raised to the 10m step",
		"alert rule page 1h/5m: short window 5m raised to the 10m step",
	})
	if b := r.BurnRates[0]; b.Label != "5m" || b.Lookback != step {
		t.Errorf("first burn rate %s over %v, want 5m over 10m", b.Label, b.Lookback)
	}
	// 10m (1 step): 100/100/0.01 = 100; 30m (3 steps): 200/300/0.01 = 66.67.
	checkFloat(t, "5m burn", r.BurnRates[0].Rate, 100)
	checkFloat(t, "30m burn", r.BurnRates[1].Rate, 200.0/300/0.01)
	rule := r.Rules[0]
	if rule.Short != step || rule.Long != time.Hour || rule.ShortLabel != "5m" {
		t.Errorf("page rule %v/%v (%s), want 1h/10m (5m)", rule.Long, rule.Short, rule.ShortLabel)
	}
	checkFloat(t, "page threshold", rule.Threshold, 14.4)
	// A 1h lookback is 6 steps now, so one bad step burns 100/600/0.01 =
	// 16.67 > 14.4: page fires at age 1 and 0. Page 6h/30m needs > 6:
	// 200/3600/0.01 = 5.56 does not; the tickets burn less still.
	if len(r.Alerts) != 1 {
		t.Fatalf("%d alerts, want 1: %+v", len(r.Alerts), r.Alerts)
	}
	a := r.Alerts[0]
	if a.Rule.Severity != "page" || !a.Start.Equal(testNow.Add(-step)) || !a.End.Equal(testNow) || !a.Active {
		t.Errorf("alert %+v, want page from Now−10m, active at Now", a)
	}
}

// A 7m step divides neither 5m nor the hours: every lookback is raised to
// whole steps, and each rule notes both of its windows.
func TestComputeOddStepNotes(t *testing.T) {
	step := 7 * time.Minute
	spec := Spec{ID: "test/odd", Objective: 99, Window: Window{Rolling: 7 * day}, Budgeting: Occurrences}
	opts := Options{Now: testNow, Location: time.UTC, Step: step}
	r := mustCompute(t, spec, seriesEnding(testNow, step, pair{1, 1}), opts)
	// ceil(30/7) = 5 steps = 35m; ceil(60/7) = 9 → 63m; ceil(120/7) = 18 →
	// 126m; ceil(360/7) = 52 → 364m; ceil(1440/7) = 206 → 1442m;
	// ceil(4320/7) = 618 → 4326m.
	checkNotes(t, r.Notes, []string{
		"burn-rate lookback 5m raised to the 7m step",
		"burn-rate lookback 30m raised to 35m, a whole number of 7m steps",
		"burn-rate lookback 1h raised to 1h3m, a whole number of 7m steps",
		"burn-rate lookback 2h raised to 2h6m, a whole number of 7m steps",
		"burn-rate lookback 6h raised to 6h4m, a whole number of 7m steps",
		"burn-rate lookback 1d raised to 1d2m, a whole number of 7m steps",
		"burn-rate lookback 3d raised to 3d6m, a whole number of 7m steps",
		"alert rule page 1h/5m: long window 1h raised to 1h3m, a whole number of 7m steps, short window 5m raised to the 7m step",
		"alert rule page 6h/30m: long window 6h raised to 6h4m, a whole number of 7m steps, short window 30m raised to 35m, a whole number of 7m steps",
		"alert rule ticket 1d/2h: long window 1d raised to 1d2m, a whole number of 7m steps, short window 2h raised to 2h6m, a whole number of 7m steps",
		"alert rule ticket 3d/6h: long window 3d raised to 3d6m, a whole number of 7m steps, short window 6h raised to 6h4m, a whole number of 7m steps",
	})
	// The threshold uses the effective long window: 0.02·(7·1440)/63.
	checkFloat(t, "page threshold", r.Rules[0].Threshold, 0.02*7*1440/63)
}

// Calendar windows in Europe/Berlin with a 1h step, one event per step, all
// good: Total counts the window's steps.
func TestComputeCalendarDST(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name  string
		cal   string
		now   string
		start string
		steps float64
	}{
		// Now = Monday 2026-03-30 00:00 CEST: the whole week from Monday
		// 2026-03-23 00:00 CET, which lost an hour on Sunday: 7·24 − 1 = 167.
		{"week losing an hour", CalendarWeek, "2026-03-29T22:00:00Z", "2026-03-22T23:00:00Z", 167},
		// One hour later a new week has one step.
		{"new week", CalendarWeek, "2026-03-29T23:00:00Z", "2026-03-29T22:00:00Z", 1},
		// Now = Monday 2026-10-26 00:00 CET: from Monday 2026-10-19 00:00
		// CEST, a week that gained an hour: 7·24 + 1 = 169.
		{"week gaining an hour", CalendarWeek, "2026-10-25T23:00:00Z", "2026-10-18T22:00:00Z", 169},
		// March 2026: 31·24 − 1 = 743 hours; October: 31·24 + 1 = 745.
		{"march", CalendarMonth, "2026-03-31T22:00:00Z", "2026-02-28T23:00:00Z", 743},
		{"october", CalendarMonth, "2026-10-31T23:00:00Z", "2026-09-30T22:00:00Z", 745},
		// Q1 2026: 90 days, minus the spring hour: 2159. Q4: 92 days plus
		// the autumn hour: 2209.
		{"q1", CalendarQuarter, "2026-03-31T22:00:00Z", "2025-12-31T23:00:00Z", 2159},
		{"q4", CalendarQuarter, "2026-12-31T23:00:00Z", "2026-09-30T22:00:00Z", 2209},
		// Mid-quarter: from 2026-03-31T22:00Z to 2026-05-15T10:00Z is 44d12h.
		{"mid q2", CalendarQuarter, "2026-05-15T10:00:00Z", "2026-03-31T22:00:00Z", 44*24 + 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := utc(tt.now)
			spec := Spec{ID: "test/calendar", Objective: 99, Window: Window{Calendar: tt.cal}, Budgeting: Occurrences, AtRiskBelow: 25}
			opts := Options{Now: now, History: 2 * time.Hour, Location: berlin, Step: time.Hour}
			r := mustCompute(t, spec, seriesFor(spec, opts, func(time.Time) pair { return pair{1, 1} }), opts)
			if want := utc(tt.start); !r.WindowStart.Equal(want) {
				t.Errorf("WindowStart = %s, want %s", r.WindowStart.UTC().Format(time.RFC3339), tt.start)
			}
			checkFloat(t, "Total (steps)", r.Total, tt.steps)
			checkFloat(t, "Coverage", r.Coverage, 1)
		})
	}
}

// The timeline of a week window crossing Monday 00:00 CEST (22:00Z on
// 2026-03-29) in Europe/Berlin, 1h steps, objective 50 (allowed 0.5). One
// event per step, all good except the steps ending 2026-03-25T12:00Z and
// 2026-03-29T23:00Z.
func TestComputeCalendarTimeline(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC) // Monday 02:00 CEST
	spec := Spec{ID: "test/timeline", Objective: 50, Window: Window{Calendar: CalendarWeek}, Budgeting: Occurrences, AtRiskBelow: 25}
	opts := Options{Now: now, History: 3 * time.Hour, Location: berlin, Step: time.Hour}
	badAt := map[time.Time]bool{
		time.Date(2026, 3, 25, 12, 0, 0, 0, time.UTC): true,
		time.Date(2026, 3, 29, 23, 0, 0, 0, time.UTC): true,
	}
	r := mustCompute(t, spec, seriesFor(spec, opts, func(end time.Time) pair {
		if badAt[end] {
			return pair{0, 1}
		}
		return pair{1, 1}
	}), opts)
	// 22:00Z: the whole previous week, 167 steps, 1 bad: SLI 166/167,
	//         remaining 1 − 1/(0.5·167) = 1 − 2/167.
	// 23:00Z: the new week's first step, bad: SLI 0, remaining 1 − 1/0.5 = −1.
	// 00:00Z: two steps, one bad: SLI 0.5, remaining 1 − 1/(0.5·2) = 0.
	wantSLI := []float64{166.0 / 167, 0, 0.5}
	wantRem := []float64{1 - 2.0/167, -1, 0}
	if len(r.Timeline.SLI) != 3 {
		t.Fatalf("timeline of %d steps, want 3", len(r.Timeline.SLI))
	}
	for i := range wantSLI {
		checkFloat(t, "timeline SLI", r.Timeline.SLI[i], wantSLI[i])
		checkFloat(t, "timeline BudgetRemaining", r.Timeline.BudgetRemaining[i], wantRem[i])
	}
	checkSummary(t, r, summary{good: 1, total: 2, bad: 1, sli: 0.5, allowed: 1, consumed: 1, remaining: 0,
		coverage: 1, status: StatusExhausted})
}

// Asia/Kathmandu is UTC+5:45, so its midnight falls inside an hour step.
// The step that straddles the week start belongs to the week it ends in.
func TestComputeCalendarUnalignedStart(t *testing.T) {
	kathmandu := mustLoad(t, "Asia/Kathmandu")
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) // Wednesday
	spec := Spec{ID: "test/npt", Objective: 99, Window: Window{Calendar: CalendarWeek}, Budgeting: Occurrences}
	opts := Options{Now: now, History: time.Hour, Location: kathmandu, Step: time.Hour}
	r := mustCompute(t, spec, seriesFor(spec, opts, func(time.Time) pair { return pair{1, 1} }), opts)
	// Monday 2026-11-23 00:00 NPT = 2026-11-22T18:15Z. Steps ending after it:
	// 19:00Z on the 22nd through 12:00Z on the 25th: 5 + 24 + 24 + 13 = 66.
	if want := time.Date(2026, 11, 22, 18, 15, 0, 0, time.UTC); !r.WindowStart.Equal(want) {
		t.Errorf("WindowStart = %s, want %s", r.WindowStart, want)
	}
	checkFloat(t, "Total (steps)", r.Total, 66)
	checkFloat(t, "Coverage", r.Coverage, 1)
}

// Three ISO weeks around New Year 2027 in UTC with 1h steps. 2026 starts on
// a Thursday, so it has a week 53: 2026-W52 (from Monday 2026-12-21),
// 2026-W53 (from 2026-12-28) and 2027-W01 (from 2027-01-04), the last
// containing Now = Wednesday 2027-01-06 12:00.
func TestComputeWeeks(t *testing.T) {
	now := time.Date(2027, 1, 6, 12, 0, 0, 0, time.UTC)
	spec := Spec{ID: "test/weeks", Objective: 99, Window: Window{Rolling: 7 * day}, Budgeting: Occurrences}
	opts := Options{Now: now, History: time.Hour, Location: time.UTC, Weeks: 3, Step: time.Hour}
	w53 := time.Date(2026, 12, 28, 0, 0, 0, 0, time.UTC)
	w01 := time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)
	jan6 := time.Date(2027, 1, 6, 0, 0, 0, 0, time.UTC)
	s := seriesFor(spec, opts, func(end time.Time) pair {
		switch {
		case end.After(w53) && !end.After(w01): // no data in all of W53
			return noData
		case end.After(jan6): // no data on Wednesday 6 January
			return noData
		}
		return pair{9, 10}
	})
	r := mustCompute(t, spec, s, opts)
	// W52: 168 steps × 10 events, 9 good: Total 1680, Good 1512, SLI 0.9.
	// W53: no data: Total 0, SLI NaN, coverage 0.
	// W01 up to Now: (Jan 4 00:00, Jan 6 12:00] = 60 steps, the last 12
	//      without data: coverage 48/60 = 0.8; Total 480, Good 432, SLI 0.9.
	want := []Week{
		{Year: 2026, Number: 52, Period: Period{Start: time.Date(2026, 12, 21, 0, 0, 0, 0, time.UTC), End: w53, Good: 1512, Total: 1680, SLI: 0.9, Coverage: 1}},
		{Year: 2026, Number: 53, Period: Period{Start: w53, End: w01, Good: 0, Total: 0, SLI: nan, Coverage: 0}},
		{Year: 2027, Number: 1, Period: Period{Start: w01, End: time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC), Good: 432, Total: 480, SLI: 0.9, Coverage: 0.8}},
	}
	if len(r.Weeks) != len(want) {
		t.Fatalf("%d weeks, want %d", len(r.Weeks), len(want))
	}
	for i, w := range want {
		g := r.Weeks[i]
		if g.Year != w.Year || g.Number != w.Number || !g.Start.Equal(w.Start) || !g.End.Equal(w.End) {
			t.Errorf("week %d is %d-W%02d (%s, %s], want %d-W%02d (%s, %s]", i, g.Year, g.Number, g.Start, g.End, w.Year, w.Number, w.Start, w.End)
		}
		checkFloat(t, "week Good", g.Good, w.Good)
		checkFloat(t, "week Total", g.Total, w.Total)
		checkFloat(t, "week SLI", g.SLI, w.SLI)
		checkFloat(t, "week Coverage", g.Coverage, w.Coverage)
	}
}

// Status at the edges: objective 50 (allowed = half the events), four
// steps of 25 events: T = 100, A = 50, at-risk below 25 %.
func TestComputeStatusEdges(t *testing.T) {
	tests := []struct {
		name      string
		steps     []pair
		remaining float64
		status    string
	}{
		{"no bad events", repeat(4, pair{25, 25}), 1, StatusHealthy},
		// B = 25 + 12.5 = 37.5: remaining 1 − 37.5/50 = 0.25, exactly 25 %:
		// not below the policy → healthy.
		{"exactly at risk", []pair{{0, 25}, {12.5, 25}, {25, 25}, {25, 25}}, 0.25, StatusHealthy},
		// B = 38: remaining 0.24 → at-risk.
		{"just below", []pair{{0, 25}, {12, 25}, {25, 25}, {25, 25}}, 0.24, StatusAtRisk},
		// B = 50: remaining exactly 0 → exhausted.
		{"exactly exhausted", []pair{{0, 25}, {0, 25}, {25, 25}, {25, 25}}, 0, StatusExhausted},
		// B = 60: remaining −0.2 → exhausted.
		{"overspent", []pair{{0, 25}, {0, 25}, {15, 25}, {25, 25}}, -0.2, StatusExhausted},
		{"no traffic", repeat(4, pair{0, 0}), nan, StatusNoData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := Spec{ID: "test/status", Objective: 50, Window: Window{Rolling: 4 * time.Minute}, Budgeting: Occurrences, AtRiskBelow: 25}
			opts := Options{Now: testNow, Location: time.UTC, Step: time.Minute}
			r := mustCompute(t, spec, seriesEnding(testNow, time.Minute, tt.steps...), opts)
			checkFloat(t, "Budget.Remaining", r.Budget.Remaining, tt.remaining)
			if r.Status != tt.status {
				t.Errorf("Status = %q, want %q", r.Status, tt.status)
			}
		})
	}
}

func TestComputeErrors(t *testing.T) {
	step := 5 * time.Minute
	good := Spec{ID: "checkout/availability", Objective: 99.9, Window: Window{Rolling: 28 * day}, Budgeting: Occurrences}
	opts := Options{Now: testNow, History: day, Location: time.UTC, Step: step}
	ok := seriesEnding(testNow, step, pair{1, 1}, pair{1, 1})
	with := func(f func(*Spec)) Spec { s := good; f(&s); return s }
	tests := []struct {
		name     string
		spec     Spec
		series   *metrics.Series
		opts     Options
		msg      string
		isSeries bool // errors.Is(err, ErrSeries)
	}{
		{"objective 100", with(func(s *Spec) { s.Objective = 100 }), ok, opts, "objective 100 is not between 0 and 100 percent", false},
		{"objective 0", with(func(s *Spec) { s.Objective = 0 }), ok, opts, "objective 0 is not between", false},
		{"unknown budgeting", with(func(s *Spec) { s.Budgeting = "events" }), ok, opts, `budgeting "events" is not`, false},
		{"timeslices without threshold", with(func(s *Spec) { s.Budgeting = Timeslices }), ok, opts, "slice threshold 0 is not between", false},
		{"no window", with(func(s *Spec) { s.Window = Window{} }), ok, opts, "window is not set", false},
		{"bad calendar", with(func(s *Spec) { s.Window = Window{Calendar: "year"} }), ok, opts, `window "year" is not week, month or quarter`, false},
		{"window below step", with(func(s *Spec) { s.Window = Window{Rolling: time.Minute} }), ok, opts, "window 1m is shorter than the 5m step", false},
		{"window off steps", with(func(s *Spec) { s.Window = Window{Rolling: 28*day + time.Minute} }), ok, opts, "window 28d1m is not a whole number of 5m steps", false},
		{"nil series", good, nil, opts, "no series", true},
		{"step mismatch", good, seriesEnding(testNow, time.Minute, pair{1, 1}), opts, "series step 1m differs from the configured step 5m", true},
		{"now off grid", good, seriesEnding(testNow.Add(time.Minute), step, pair{1, 1}, pair{1, 1}), opts, "now 2026-11-23T00:00:00Z is not on the series grid", true},
		{"series ends early", good, seriesEnding(testNow.Add(-step), step, pair{1, 1}), opts, "the series covers steps ending 2026-11-22T23:55:00Z to 2026-11-22T23:55:00Z, not now", true},
		{"series starts late", good, seriesEnding(testNow.Add(2*step), step, pair{1, 1}), opts, "not now 2026-11-23T00:00:00Z", true},
		{"empty series", good, &metrics.Series{FirstEnd: testNow, Step: step}, opts, "the series is empty", true},
		{"good missing", good, seriesEnding(testNow, step, pair{nan, 1}), opts, "step ending 2026-11-23T00:00:00Z: good NaN and total 1 are not both finite", false},
		{"infinite", good, seriesEnding(testNow, step, pair{1, math.Inf(1)}, pair{1, 1}), opts, "step ending 2026-11-22T23:55:00Z: good 1 and total +Inf", false},
		{"huge", good, seriesEnding(testNow, step, pair{1.7e308, 1.7e308}, pair{1, 1}), opts, "step ending 2026-11-22T23:55:00Z: good 1.7e+308 and total 1.7e+308: a count above 9007199254740992 (2^53)", false},
		{"negative history", good, ok, Options{Now: testNow, History: -day, Step: step}, "history -1d is negative", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compute(tt.spec, tt.series, tt.opts)
			if err == nil {
				t.Fatalf("no error, want %q", tt.msg)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "compute slo checkout/availability: ") || !strings.Contains(msg, tt.msg) {
				t.Errorf("error %q, want it to start with the slo and contain %q", msg, tt.msg)
			}
			if errors.Is(err, ErrSeries) != tt.isSeries {
				t.Errorf("errors.Is(%q, ErrSeries) = %v, want %v", msg, !tt.isSeries, tt.isSeries)
			}
		})
	}
}

func TestRange(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	wed := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		spec Spec
		opts Options
		want time.Time
	}{
		{
			// The window before the history span dominates: Now − 90d − 28d.
			"rolling", Spec{Window: Window{Rolling: 28 * day}},
			Options{Now: testNow, History: 90 * day, Weeks: 13, Step: 5 * time.Minute},
			testNow.Add(-118 * day),
		},
		{
			// A 1h window: the 3d lookback before the history start dominates.
			"lookback", Spec{Window: Window{Rolling: time.Hour}},
			Options{Now: testNow, History: day, Step: 10 * time.Minute},
			testNow.Add(-4 * day),
		},
		{
			// The first history step ends 2026-11-22T01:00Z; its month
			// started 2026-11-01 00:00 CET = 2026-10-31T23:00Z.
			"calendar", Spec{Window: Window{Calendar: CalendarMonth}},
			Options{Now: testNow, History: day, Location: berlin, Step: time.Hour},
			time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC),
		},
		{
			// Ten weeks, the last from Monday 2026-11-23: from 2026-09-21.
			"weeks", Spec{Window: Window{Rolling: day}},
			Options{Now: wed, History: day, Weeks: 10, Step: time.Hour},
			time.Date(2026, 9, 21, 0, 0, 0, 0, time.UTC),
		},
		{
			// History 100m at 7m steps is 14 whole steps (98m); then the 7d
			// window: Now − 98m − 10080m = Now − 10178m, 1454 steps.
			"odd step", Spec{Window: Window{Rolling: 7 * day}},
			Options{Now: testNow, History: 100 * time.Minute, Step: 7 * time.Minute},
			testNow.Add(-10178 * time.Minute),
		},
		{
			// On Friday the week start dominates (the 3d lookback reaches only
			// Tuesday). Kathmandu's Monday 00:00 (2026-11-22T18:15Z) is
			// between hour steps: aligned down to 18:00Z.
			"aligned", Spec{Window: Window{Calendar: CalendarWeek}},
			Options{Now: wed.Add(2 * day), History: time.Hour, Location: mustLoad(t, "Asia/Kathmandu"), Step: time.Hour},
			time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC),
		},
	}
	for _, tt := range tests {
		if got := Range(tt.spec, tt.opts); !got.Equal(tt.want) {
			t.Errorf("%s: Range = %s, want %s", tt.name, got.UTC().Format(time.RFC3339), tt.want.UTC().Format(time.RFC3339))
		}
	}
}

// The SLO's own rules replace the defaults. Same day as
// TestComputeAlertReplay (bad steps at ages 288, 287, 100, 99, 97, 2, 1, 0;
// 100 events per step; objective 99).
//
// Rule "fast" has the burn-rate factor 10 over 30m/5m: a 30m lookback (6
// steps) with k bad steps burns k·100/600/0.01 = 16.7·k, a bad step's 5m
// rate is 100, so it fires exactly at the bad steps of the history:
// 287 (→ 286), 100 and 99 (→ 98), 97 (→ 96), 2, 1, 0 (still firing).
//
// Rule "slow" lets 50 % of the budget burn in 4d, with 1d as short window:
// threshold 0.5·720h/96h = 3.75; the 4d rate is at most 8·100/115200/0.01
// = 0.69: it never fires. Its 4d window reaches past the 3d lookback, so
// Range must start 4d before the history (1d): Now − 5d.
func TestComputeCustomRules(t *testing.T) {
	step := 5 * time.Minute
	spec := Spec{ID: "test/custom", Objective: 99, Window: Window{Rolling: 30 * day}, Budgeting: Occurrences, AtRiskBelow: 25,
		Rules: []RuleSpec{
			{Severity: "page", Factor: 10, Long: 30 * time.Minute, Short: 5 * time.Minute, Name: "fast"},
			{Severity: "ticket", Share: 0.5, Long: 4 * day, Short: day, Name: "slow"},
		}}
	opts := Options{Now: testNow, History: day, Location: time.UTC, Step: step}
	bad := map[int]bool{288: true, 287: true, 100: true, 99: true, 97: true, 2: true, 1: true, 0: true}
	s := seriesFor(spec, opts, func(end time.Time) pair {
		if bad[int(testNow.Sub(end)/step)] {
			return pair{0, 100}
		}
		return pair{100, 100}
	})
	r := mustCompute(t, spec, s, opts)
	if len(r.Rules) != 2 {
		t.Fatalf("%d rules, want 2: %+v", len(r.Rules), r.Rules)
	}
	checkFloat(t, "fast threshold", r.Rules[0].Threshold, 10)
	// The factor as a share: 10·30m/720h.
	checkFloat(t, "fast share", r.Rules[0].Share, 10*0.5/720)
	checkFloat(t, "slow threshold", r.Rules[1].Threshold, 3.75)
	if r.Rules[0].Name != "fast" || !r.Rules[0].Factor || r.Rules[1].Factor || r.Rules[1].LongLabel != "4d" || r.Rules[1].ShortLabel != "1d" {
		t.Errorf("rules %+v", r.Rules)
	}
	at := func(age int) time.Time { return testNow.Add(-time.Duration(age) * step) }
	want := []struct {
		start, end time.Time
		active     bool
	}{
		{at(287), at(286), false},
		{at(100), at(98), false},
		{at(97), at(96), false},
		{at(2), testNow, true},
	}
	if len(r.Alerts) != len(want) {
		t.Fatalf("%d alerts, want %d: %+v", len(r.Alerts), len(want), r.Alerts)
	}
	for i, w := range want {
		a := r.Alerts[i]
		if a.Rule.Name != "fast" || !a.Start.Equal(w.start) || !a.End.Equal(w.end) || a.Active != w.active {
			t.Errorf("alert %d: %s %s to %s active %v, want fast %s to %s active %v", i, a.Rule.Name,
				a.Start.Format(time.RFC3339), a.End.Format(time.RFC3339), a.Active,
				w.start.Format(time.RFC3339), w.end.Format(time.RFC3339), w.active)
		}
	}
	short := spec
	short.Window = Window{Rolling: day}
	if got, want := Range(short, opts), testNow.Add(-5*day); !got.Equal(want) {
		t.Errorf("Range with a 4d rule = %s, want %s", got, want)
	}
	short.Rules = nil
	if got, want := Range(short, opts), testNow.Add(-4*day); !got.Equal(want) {
		t.Errorf("Range with the default rules = %s, want %s", got, want)
	}
}

// An SLO without alert rules replays nothing, however much it burns.
func TestComputeNoAlerts(t *testing.T) {
	step := 5 * time.Minute
	spec := Spec{ID: "test/quiet", Objective: 99, Window: Window{Rolling: 30 * day}, Budgeting: Occurrences, NoAlerts: true,
		Rules: []RuleSpec{{Severity: "page", Factor: 1, Long: time.Hour, Short: 5 * time.Minute}}}
	opts := Options{Now: testNow, History: day, Location: time.UTC, Step: step}
	r := mustCompute(t, spec, seriesFor(spec, opts, func(time.Time) pair { return pair{0, 100} }), opts)
	if len(r.Rules) != 0 || len(r.Alerts) != 0 {
		t.Errorf("rules %+v, alerts %+v; want none", r.Rules, r.Alerts)
	}
	if got := len(DefaultRules()); got != 4 {
		t.Errorf("%d default rules, want 4", got)
	}
}

// Three calendar months in Europe/Berlin with 1h steps, around the end of
// summer time (Sunday 25 October 2026, 03:00 CEST → 02:00 CET). Berlin's
// October runs from 30 September 22:00 UTC to 31 October 23:00 UTC: 745
// steps, an hour more than its 31 days. Bad steps sit at the month edges,
// where UTC would put them in the other month.
func TestComputeMonthsBerlinDST(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	utc := func(mo time.Month, d, h int) time.Time { return time.Date(2026, mo, d, h, 0, 0, 0, time.UTC) }
	now := utc(11, 1, 3) // 04:00 CET on 1 November
	spec := Spec{ID: "test/months", Objective: 99.9, Window: Window{Rolling: day}, Budgeting: Occurrences}
	opts := Options{Now: now, History: time.Hour, Location: berlin, Months: 3, Step: time.Hour}
	sepStart, octStart, novStart := utc(8, 31, 22), utc(9, 30, 22), utc(10, 31, 23)
	s := seriesFor(spec, opts, func(end time.Time) pair {
		switch {
		case !end.After(sepStart.Add(10 * day)): // 1–10 September (Berlin): no data
			return noData
		case end.Equal(utc(9, 30, 22)): // 23:00–24:00 CEST on 30 September
			return pair{0, 10}
		case end.Equal(utc(9, 30, 23)): // 00:00–01:00 CEST on 1 October
			return pair{6, 10}
		case end.Equal(utc(10, 31, 23)): // 23:00–24:00 CET on 31 October
			return pair{0, 10}
		case end.Equal(utc(11, 1, 0)): // 00:00–01:00 CET on 1 November
			return pair{5, 10}
		}
		return pair{10, 10}
	})
	r := mustCompute(t, spec, s, opts)
	// September: 720 steps, the first 240 without data: coverage 2/3,
	//   T = 480·10 = 4800, B = 10; allowed 0.001·4800 = 4.8, burned 10/4.8.
	// October: 745 steps, T = 7450, B = 4 + 10 = 14, burned 14/7.45.
	// November to Now: 4 steps, T = 40, B = 5, burned 5/0.04 = 125.
	want := []Month{
		{Year: 2026, Month: time.September, Period: Period{Start: sepStart, End: octStart, Good: 4790, Total: 4800, Bad: 10, SLI: 4790.0 / 4800, Coverage: 480.0 / 720, Burned: 10 / 4.8}},
		{Year: 2026, Month: time.October, Period: Period{Start: octStart, End: novStart, Good: 7436, Total: 7450, Bad: 14, SLI: 7436.0 / 7450, Coverage: 1, Burned: 14 / 7.45}},
		{Year: 2026, Month: time.November, Period: Period{Start: novStart, End: utc(11, 30, 23), Good: 35, Total: 40, Bad: 5, SLI: 0.875, Coverage: 1, Burned: 125}},
	}
	if len(r.Months) != len(want) {
		t.Fatalf("%d months, want %d", len(r.Months), len(want))
	}
	for i, m := range want {
		g := r.Months[i]
		if g.Year != m.Year || g.Month != m.Month || !g.Start.Equal(m.Start) || !g.End.Equal(m.End) {
			t.Errorf("month %d is %d-%02d (%s, %s], want %d-%02d (%s, %s]", i, g.Year, g.Month, g.Start, g.End, m.Year, m.Month, m.Start, m.End)
		}
		checkFloat(t, m.Month.String()+" Good", g.Good, m.Good)
		checkFloat(t, m.Month.String()+" Total", g.Total, m.Total)
		checkFloat(t, m.Month.String()+" Bad", g.Bad, m.Bad)
		checkFloat(t, m.Month.String()+" SLI", g.SLI, m.SLI)
		checkFloat(t, m.Month.String()+" Coverage", g.Coverage, m.Coverage)
		checkFloat(t, m.Month.String()+" Burned", g.Burned, m.Burned)
		if g.ExcludedSteps != 0 {
			t.Errorf("%s: %d excluded steps, want 0", m.Month, g.ExcludedSteps)
		}
	}
	// Range reaches back to the oldest month, though window and history
	// need only a day.
	if from := Range(spec, opts); from.After(sepStart) {
		t.Errorf("Range starts %s, after September's start %s", from, sepStart)
	}
}
