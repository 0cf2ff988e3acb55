package slo

import (
	"testing"
	"time"
)

// The tests in this file pin comparisons at their exact edge, where a
// mutant that turns > into ≥ (or swaps a lookback) survives every test
// with comfortable margins. Each case is computed by hand in binary-exact
// numbers (objective 50 % makes allowed = 0.5) so that equality is real
// equality, not a rounding accident; guards check that the edge is hit.

// An alert fires only when both burn rates are strictly above the
// threshold. A 50h window makes the page rule's threshold 0.02·50h/1h = 1;
// objective 50 % makes a burn rate B/(T·0.5). Steps are 5m of 100 events;
// only Now is replayed (History = one step). The 1h lookback is 12 steps
// (T = 1200), the 5m one the last step (T = 100).
func TestAlertAtThresholdDoesNotFire(t *testing.T) {
	step := 5 * time.Minute
	spec := Spec{ID: "test/edge", Objective: 50, Window: Window{Rolling: 50 * time.Hour}, Budgeting: Occurrences}
	opts := Options{Now: testNow, History: step, Location: time.UTC, Step: step}
	// perStep gives the bad events of the step of each age (0 = ends at
	// Now); steps not listed are good.
	series := func(perStep map[int]float64) func(time.Time) pair {
		return func(end time.Time) pair {
			return pair{100 - perStep[int(testNow.Sub(end)/step)], 100}
		}
	}
	// spike gives the last step (age 0) last bad events and ages 1 … n
	// 100 each, plus extra at age n+1.
	spike := func(last float64, n int, extra float64) map[int]float64 {
		m := map[int]float64{0: last, n + 1: extra}
		for age := 1; age <= n; age++ {
			m[age] = 100
		}
		return m
	}
	tests := []struct {
		name         string
		bad          map[int]float64
		long, short  float64
		wantFiring   bool
		wantAlertLen int
	}{
		// 1h: 100 + 5·100 = 600 bad of 1200 → 600/600 = 1, exactly the
		// threshold; 5m: 100 bad → 2. The long rate is not above: no alert.
		{"long exactly at threshold", spike(100, 5, 0), 1, 2, false, 0},
		// 1h: 50 + 500 + 50 = 600 → 1; 5m: 50 bad → 50/50 = 1: both
		// exactly at the threshold.
		{"both exactly at threshold", spike(50, 5, 50), 1, 1, false, 0},
		// 1h: 50 + 11·100 = 1150 → 1150/600; 5m: 50 bad → exactly 1.
		{"short exactly at threshold", spike(50, 11, 0), 1150.0 / 600, 1, false, 0},
		// One more bad event in the last step: 5m 51/50, 1h 1151/600.
		{"both just above", spike(51, 11, 0), 1151.0 / 600, 51.0 / 50, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustCompute(t, spec, seriesFor(spec, opts, series(tt.bad)), opts)
			page := r.Rules[0]
			if page.LongLabel != "1h" || page.ShortLabel != "5m" || page.Threshold != 1 {
				t.Fatalf("rule 0 is %s/%s threshold %.17g, want 1h/5m threshold exactly 1", page.LongLabel, page.ShortLabel, page.Threshold)
			}
			if got := r.BurnRates[lb1h].Rate; got != tt.long {
				t.Fatalf("1h burn %.17g, want exactly %.17g", got, tt.long)
			}
			if got := r.BurnRates[lb5m].Rate; got != tt.short {
				t.Fatalf("5m burn %.17g, want exactly %.17g", got, tt.short)
			}
			var pages []Alert
			for _, a := range r.Alerts {
				if a.Rule.LongLabel == "1h" {
					pages = append(pages, a)
				}
			}
			if len(pages) != tt.wantAlertLen {
				t.Fatalf("%d page 1h/5m alerts, want %d: %+v", len(pages), tt.wantAlertLen, pages)
			}
			if tt.wantFiring && (!pages[0].Active || !pages[0].Start.Equal(testNow)) {
				t.Errorf("alert %+v, want active from Now", pages[0])
			}
		})
	}
}

// Burning steps an hour apart are one episode; an hour and a step apart,
// two. Objective 99, 5m steps of 100 events: the 1h burn is B_1h/12, above
// 1 with 13 bad events in the hour. One step of 13 bad at age a keeps the
// 1h rate above 1 at ages a … a−11 (while it is among the last 12 steps).
// The first spike is at age 100 (burning ages 100 … 89); the second one at
// age 77 resumes burning 12 steps (exactly one hour) after age 89, at age
// 76 one step later.
func TestEpisodeMergeGapExactlyOneHour(t *testing.T) {
	step := 5 * time.Minute
	spec := Spec{ID: "test/episodes", Objective: 99, Window: Window{Rolling: day}, Budgeting: Occurrences}
	opts := Options{Now: testNow, History: day, Location: time.UTC, Step: step}
	at := func(age int) time.Time { return testNow.Add(-time.Duration(age) * step) }
	tests := []struct {
		name   string
		second int // age of the second spike
		want   []Episode
	}{
		// One episode from an hour before the first burning step (age 112)
		// to the last burning step (age 77 − 11 = 66): both spikes, 26 bad.
		{"gap of exactly one hour merges", 77, []Episode{{Start: at(112), End: at(66), Bad: 26}}},
		// Gap of 13 steps: the first episode ends at age 89; the second
		// starts an hour before age 76 (age 88) and ends at age 65.
		{"gap of one hour and a step splits", 76, []Episode{
			{Start: at(112), End: at(89), Bad: 13},
			{Start: at(88), End: at(65), Bad: 13},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustCompute(t, spec, seriesFor(spec, opts, func(end time.Time) pair {
				if age := int(testNow.Sub(end) / step); age == 100 || age == tt.second {
					return pair{87, 100}
				}
				return pair{100, 100}
			}), opts)
			if len(r.Episodes) != len(tt.want) {
				t.Fatalf("%d episodes, want %d: %+v", len(r.Episodes), len(tt.want), r.Episodes)
			}
			for i, w := range tt.want {
				e := r.Episodes[i]
				if !e.Start.Equal(w.Start) || !e.End.Equal(w.End) || e.Active {
					t.Errorf("episode %d: (%s, %s] active %v, want (%s, %s] inactive", i,
						e.Start.Format(time.RFC3339), e.End.Format(time.RFC3339), e.Active,
						w.Start.Format(time.RFC3339), w.End.Format(time.RFC3339))
				}
				checkFloat(t, "episode bad", e.Bad, w.Bad)
				// The 1d window holds 288 steps of 100 events: allowed 288.
				checkFloat(t, "episode share", e.BudgetShare, w.Bad/288)
			}
		})
	}
}

// Recovery of an exhausted rolling budget, at a tie and where the 1d and
// 3d burn rates differ. Window 4h of 1h steps, 10 events a step, objective
// 50 % (allowed 0.5): A = 20. The window's bad events, oldest first, are
// [5, 10, 5, 0]: B = 20, remaining exactly 0, exhausted. The other 20 steps
// of the last day have 5 bad each: 120 bad of 240 in the day, a 1d burn of
// 120/(240·0.5) = 1, so a future hour adds 1·0.5·10 = 5 bad.
//
// After k hours the window keeps the bad of its newest 4 − k old steps and
// gains 5k: k = 1: 15 + 5 = 20, not below 20 (the tie); k = 2: 5 + 10 = 15
// < 20 → Now + 2h. Recovering at the tie (≤) would give Now + 1h.
//
// The steps older than a day set the 3d rate only. At 0 bad the 3d rate is
// 120/(720·0.5) = 1/3, which would give k = 1: 15 + 5/3 < 20 → Now + 1h;
// at 10 bad it is (120 + 480)/360 = 5/3, which would never recover within
// the window (k = 2: 5 + 16.7; k = 3: 0 + 25). Moving 10 bad from ages
// 4 and 5 to ages 6 and 7 keeps the day's 120 but makes the 6h rate
// (0 + 5 + 10 + 5)/30 = 2/3, which would give 15 + 10/3 < 20 → Now + 1h.
// The shorter lookbacks (raised to the 1h step) end in the step of 0 bad.
// Only the 1d rate gives 2h in every case.
func TestRecoveryTieAndOneDayRate(t *testing.T) {
	step := time.Hour
	spec := Spec{ID: "test/recovery", Objective: 50, Window: Window{Rolling: 4 * time.Hour}, Budgeting: Occurrences}
	opts := Options{Now: testNow, History: day, Location: time.UTC, Step: step}
	window := map[int]float64{3: 5, 2: 10, 1: 5, 0: 0}
	tests := []struct {
		name     string
		older    float64         // bad events a step before the last day
		moved    map[int]float64 // bad events of other steps of the day than 5
		burn3d   float64
		burn6h   float64
		recovery time.Time
	}{
		{"tie, 3d = 1d", 5, nil, 1, 1, testNow.Add(2 * time.Hour)},
		{"3d below 1d", 0, nil, 1.0 / 3, 1, testNow.Add(2 * time.Hour)},
		{"3d above 1d", 10, nil, 5.0 / 3, 1, testNow.Add(2 * time.Hour)},
		{"6h below 1d", 5, map[int]float64{4: 0, 5: 0, 6: 10, 7: 10}, 1, 2.0 / 3, testNow.Add(2 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustCompute(t, spec, seriesFor(spec, opts, func(end time.Time) pair {
				age := int(testNow.Sub(end) / step)
				if b, ok := window[age]; ok {
					return pair{10 - b, 10}
				}
				if b, ok := tt.moved[age]; ok {
					return pair{10 - b, 10}
				}
				if age < 24 {
					return pair{5, 10}
				}
				return pair{10 - tt.older, 10}
			}), opts)
			if r.Status != StatusExhausted || r.Budget.Remaining != 0 {
				t.Fatalf("status %s, remaining %.17g; want exhausted at exactly 0", r.Status, r.Budget.Remaining)
			}
			if got := r.BurnRates[lb1d].Rate; got != 1 {
				t.Fatalf("1d burn %.17g, want exactly 1", got)
			}
			checkFloat(t, "3d burn", r.BurnRates[lb3d].Rate, tt.burn3d)
			checkFloat(t, "6h burn", r.BurnRates[lb6h].Rate, tt.burn6h)
			if !r.RecoveryAt.Equal(tt.recovery) {
				t.Errorf("recovery at %s, want %s", r.RecoveryAt.Format(time.RFC3339), tt.recovery.Format(time.RFC3339))
			}
		})
	}
}

// A week's coverage is the share of its steps with data among those not
// excluded by a budget adjustment. Hourly steps; the week of Now (Monday
// 4 January 2027 00:00 to Wednesday 6 January 12:00) holds 60 steps: 6
// excluded (maintenance (10:00, 16:00] on Monday, all bad), 12 without data
// (Wednesday morning), 42 with 9 of 10 good. Coverage 42/(60 − 6) = 7/9,
// not 42/60; Total 420, Good 378.
func TestWeekCoverageExcludesAdjustedSteps(t *testing.T) {
	now := time.Date(2027, 1, 6, 12, 0, 0, 0, time.UTC)
	monday := time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)
	wednesday := time.Date(2027, 1, 6, 0, 0, 0, 0, time.UTC)
	maint := Interval{Start: monday.Add(10 * time.Hour), End: monday.Add(16 * time.Hour)}
	spec := Spec{ID: "test/weeks", Objective: 99, Window: Window{Rolling: 7 * day}, Budgeting: Occurrences, Excluded: []Interval{maint}}
	opts := Options{Now: now, History: time.Hour, Location: time.UTC, Weeks: 1, Step: time.Hour}
	r := mustCompute(t, spec, seriesFor(spec, opts, func(end time.Time) pair {
		switch {
		case end.After(maint.Start) && !end.After(maint.End):
			return pair{0, 10}
		case end.After(wednesday):
			return noData
		}
		return pair{9, 10}
	}), opts)
	if len(r.Weeks) != 1 {
		t.Fatalf("%d weeks, want 1", len(r.Weeks))
	}
	w := r.Weeks[0]
	if !w.Start.Equal(monday) || w.ExcludedSteps != 6 {
		t.Errorf("week from %s with %d excluded steps, want from %s with 6", w.Start, w.ExcludedSteps, monday)
	}
	checkFloat(t, "week Coverage", w.Coverage, 42.0/54)
	checkFloat(t, "week Total", w.Total, 420)
	checkFloat(t, "week Good", w.Good, 378)
	checkFloat(t, "week SLI", w.SLI, 0.9)
}
