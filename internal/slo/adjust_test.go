package slo

import (
	"testing"
	"time"
)

// Budget adjustments: 24 one-hour steps of 100 events; an outage makes the
// steps ending 10:00–13:00 all bad.
func TestExcluded(t *testing.T) {
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	spec := Spec{ID: "a/b", Objective: 99, Window: Window{Rolling: 24 * time.Hour}, Budgeting: Occurrences, AtRiskBelow: 25}
	opts := Options{Now: testNow, History: 24 * time.Hour, Step: time.Hour}
	outage := func(end time.Time) pair {
		if h := end.Sub(day); end.After(day) && h >= 10*time.Hour && h <= 13*time.Hour {
			return pair{0, 100}
		}
		return pair{100, 100}
	}
	at := func(h float64) time.Time { return day.Add(time.Duration(h * float64(time.Hour))) }
	tests := []struct {
		name       string
		excluded   []Interval
		wantT      float64
		wantB      float64
		wantRem    float64
		wantExcl   int
		wantStatus string
	}{
		// Window: steps ending 01:00 … 24:00. T = 2400, B = 400, A = 24.
		{"none", nil, 2400, 400, 1 - 400.0/24, 0, StatusExhausted},
		// (09:00, 13:00] holds the steps ending 10, 11, 12, 13: all excluded.
		{"covers the outage", []Interval{{at(9), at(13)}}, 2000, 0, 1, 4, StatusHealthy},
		// (09:30, 12:30] holds the steps ending 10, 11, 12; 13:00 still counts.
		// T = 2100, B = 100, A = 21.
		{"off the grid", []Interval{{at(9.5), at(12.5)}}, 2100, 100, 1 - 100.0/21, 3, StatusExhausted},
		// Overlapping adjustments count each step once.
		{"overlapping", []Interval{{at(9), at(11)}, {at(10), at(13)}}, 2000, 0, 1, 4, StatusHealthy},
		// An adjustment elsewhere changes nothing but the excluded count:
		// steps ending 02:00, 03:00. T = 2200, B = 400, A = 22.
		{"elsewhere", []Interval{{at(1), at(3)}}, 2200, 400, 1 - 400.0/22, 2, StatusExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := spec
			sp.Excluded = tt.excluded
			r := mustCompute(t, sp, seriesFor(sp, opts, outage), opts)
			checkFloat(t, "T", r.Total, tt.wantT)
			checkFloat(t, "B", r.Bad, tt.wantB)
			checkFloat(t, "remaining", r.Budget.Remaining, tt.wantRem)
			checkFloat(t, "coverage", r.Coverage, 1)
			if r.ExcludedSteps != tt.wantExcl || r.Status != tt.wantStatus {
				t.Errorf("excluded %d status %s, want %d %s", r.ExcludedSteps, r.Status, tt.wantExcl, tt.wantStatus)
			}
		})
	}
}

// Excluded time-slice steps leave the slice counts too.
func TestExcludedTimeslices(t *testing.T) {
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	spec := Spec{ID: "a/b", Objective: 90, Window: Window{Rolling: 24 * time.Hour}, Budgeting: Timeslices, SliceThreshold: 99,
		Excluded: []Interval{{day.Add(9 * time.Hour), day.Add(13 * time.Hour)}}}
	opts := Options{Now: testNow, History: 24 * time.Hour, Step: time.Hour}
	r := mustCompute(t, spec, seriesFor(spec, opts, func(end time.Time) pair {
		if h := end.Sub(day); h >= 10*time.Hour && h <= 14*time.Hour {
			return pair{50, 100} // bad slices 10–14; 10–13 excluded
		}
		return pair{100, 100}
	}), opts)
	// 20 counted slices, one bad (14:00): SLI 19/20, allowed 2, consumed 1/2.
	checkFloat(t, "slices", r.Total, 20)
	checkFloat(t, "bad slices", r.Bad, 1)
	checkFloat(t, "consumed", r.Budget.Consumed, 0.5)
}

// A 30-minute burst of 10 % errors on 100 events per 5 minutes.
func TestEpisodes(t *testing.T) {
	burstStart := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	spec := Spec{ID: "a/b", Objective: 99, Window: Window{Rolling: 24 * time.Hour}, Budgeting: Occurrences}
	opts := Options{Now: testNow, History: 24 * time.Hour, Step: 5 * time.Minute}
	r := mustCompute(t, spec, seriesFor(spec, opts, func(end time.Time) pair {
		if end.After(burstStart) && !end.After(burstStart.Add(30*time.Minute)) {
			return pair{90, 100} // steps ending 12:05 … 12:30
		}
		return pair{100, 100}
	}), opts)
	// The 1h burn is (B_1h/1200)/0.01 > 1 when B_1h > 12, i.e. with at least
	// two burst steps in the last 12: from the step ending 12:10 through the
	// one ending 13:20 (whose hour still holds 12:25 and 12:30). The episode
	// counts every step that fed those windows, (11:10, 13:20]: 60 bad.
	// The 1d window at 13:20 has 288·100 events: allowed 288, share 60/288.
	if len(r.Episodes) != 1 {
		t.Fatalf("episodes: %+v", r.Episodes)
	}
	e := r.Episodes[0]
	if !e.Start.Equal(time.Date(2026, 11, 22, 11, 10, 0, 0, time.UTC)) || !e.End.Equal(time.Date(2026, 11, 22, 13, 20, 0, 0, time.UTC)) || e.Active {
		t.Errorf("episode %v – %v active %v", e.Start, e.End, e.Active)
	}
	checkFloat(t, "bad", e.Bad, 60)
	checkFloat(t, "share", e.BudgetShare, 60.0/288)
}

// Recovery of an exhausted budget: a 4h window of 10 events an hour,
// objective 90 % (allowed 10 %).
func TestRecovery(t *testing.T) {
	opts := Options{Now: testNow, History: 24 * time.Hour, Step: time.Hour}
	spec := Spec{ID: "a/b", Objective: 90, Window: Window{Rolling: 4 * time.Hour}, Budgeting: Occurrences}
	// bad gives the steps ending 3, 2, 1 and 0 hours before now these bad
	// events; every other step is good.
	bad := func(perStep map[int]float64) func(time.Time) pair {
		return func(end time.Time) pair {
			return pair{10 - perStep[int(testNow.Sub(end)/time.Hour)], 10}
		}
	}
	tests := []struct {
		name string
		f    func(time.Time) pair
		want time.Time
	}{
		// Window bad [2, 2, 2, 0] (oldest first): B = 6, A = 4 → exhausted.
		// 1d burn: (6/240)/0.1 = 0.25. After k hours the window keeps
		// 6 − 2k old bad and gains 0.25·0.1·10·k = 0.25k new:
		// k = 1: 4.25 ≥ 4; k = 2: 2.5 < 4 → now + 2h.
		{"rolling", bad(map[int]float64{3: 2, 2: 2, 1: 2, 0: 0}), testNow.Add(2 * time.Hour)},
		// Every step of the day 2 bad: burn (48/240)/0.1 = 2; the window
		// stays at 8 − 2k + 2k = 8 ≥ 4: no recovery within a window.
		{"never", func(time.Time) pair { return pair{8, 10} }, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustCompute(t, spec, seriesFor(spec, opts, tt.f), opts)
			if r.Status != StatusExhausted {
				t.Fatalf("status %s, remaining %v", r.Status, r.Budget.Remaining)
			}
			if !r.RecoveryAt.Equal(tt.want) {
				t.Errorf("recovery at %v, want %v", r.RecoveryAt, tt.want)
			}
		})
	}
	// A calendar month recovers when the next month starts, at 00:00 in
	// the site's zone.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	mspec := Spec{ID: "a/b", Objective: 90, Window: Window{Calendar: CalendarMonth}, Budgeting: Occurrences}
	mopts := Options{Now: testNow, History: 24 * time.Hour, Step: time.Hour, Location: berlin}
	r := mustCompute(t, mspec, seriesFor(mspec, mopts, func(time.Time) pair { return pair{5, 10} }), mopts)
	if want := time.Date(2026, 12, 1, 0, 0, 0, 0, berlin); !r.RecoveryAt.Equal(want) {
		t.Errorf("month: recovery at %v, want %v", r.RecoveryAt, want)
	}
}

// The three budgeting methods exhaust the same budget on different days.
// A 14-day window of one-day slices, objective 90 % (10 % allowed), slice
// threshold 95 %, eight days of data ending now (good, total):
//
//	day      1          2        3       4          5        6          7          8
//	        (1000,1000) (100,100) (9,10) (1000,1000) (50,100) (1000,1000) (850,1000) (0,500)
//	ratio    1          1        0.9     1          0.5      1          0.85       0
//
// occurrences:      B/T after day 7 = 201/4210, A = 421 → 52 % left; day 8:
//
//	B = 701, A = 471 → exhausted on day 8.
//
// timeslices:       day 3 is the first bad slice: 1 bad of 3, A = 0.3 → day 3.
// ratio_timeslices: bad units Σ(1 − r): day 3 0.1 (A = 0.3, 67 % left),
//
//	day 5 0.6 of A = 0.5 → exhausted on day 5.
func TestMethodsExhaustOnDifferentDays(t *testing.T) {
	days := []pair{{1000, 1000}, {100, 100}, {9, 10}, {1000, 1000}, {50, 100}, {1000, 1000}, {850, 1000}, {0, 500}}
	day := 24 * time.Hour
	opts := Options{Now: testNow, History: 14 * day, Step: day}
	for _, tt := range []struct {
		method  string
		exhaust int // day number
		remain3 float64
	}{
		{Occurrences, 8, 1 - 1.0/111},
		{Timeslices, 3, 1 - 1/0.3},
		{RatioTimeslices, 5, 1 - 0.1/0.3},
	} {
		t.Run(tt.method, func(t *testing.T) {
			spec := Spec{ID: "a/b", Objective: 90, Window: Window{Rolling: 14 * day}, Budgeting: tt.method, SliceThreshold: 95}
			r := mustCompute(t, spec, seriesFor(spec, opts, func(end time.Time) pair {
				i := 7 - int(testNow.Sub(end)/day) // day 8 ends now
				if i < 0 {
					return noData
				}
				return days[i]
			}), opts)
			rem := r.Timeline.BudgetRemaining
			first := 0 // 1-based day of data on which the budget is first ≤ 0
			for i, v := range rem {
				if d := i - (len(rem) - 8) + 1; d >= 1 && v <= 0 && first == 0 {
					first = d
				}
			}
			if first != tt.exhaust {
				t.Errorf("exhausted on day %d, want day %d (remaining per day %v)", first, tt.exhaust, rem[len(rem)-8:])
			}
			checkFloat(t, "remaining after day 3", rem[len(rem)-6], tt.remain3)
		})
	}
}

// Budget burned per ISO week, in Europe/Berlin across the end of summer
// time (2026-10-25): week 43 has 169 hours, the 7-day window 168.
func TestWeekBudgetBurned(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, berlin) // Monday: end of week 44
	w43 := time.Date(2026, 10, 19, 0, 0, 0, 0, berlin)
	w44 := time.Date(2026, 10, 26, 0, 0, 0, 0, berlin)
	spec := Spec{ID: "a/b", Objective: 90, Window: Window{Rolling: 7 * 24 * time.Hour}, Budgeting: Occurrences}
	opts := Options{Now: now, History: 14 * 24 * time.Hour, Step: time.Hour, Location: berlin, Weeks: 2}
	r := mustCompute(t, spec, seriesFor(spec, opts, func(end time.Time) pair {
		if end.After(w43) && !end.After(w44) {
			return pair{9, 10} // one bad event an hour in week 43
		}
		return pair{10, 10}
	}), opts)
	if len(r.Weeks) != 2 || r.Weeks[0].Number != 43 || r.Weeks[1].Number != 44 {
		t.Fatalf("weeks %+v", r.Weeks)
	}
	// Week 43: 169 bad of 1,690 events; the 7-day window ending with it
	// holds its last 168 steps: 1,680 events, 168 allowed → 169/168.
	checkFloat(t, "W43 total", r.Weeks[0].Total, 1690)
	checkFloat(t, "W43 burned", r.Weeks[0].BudgetBurned, 169.0/168)
	// Week 44: no bad events; its window holds 168 clean steps.
	checkFloat(t, "W44 burned", r.Weeks[1].BudgetBurned, 0)
	checkFloat(t, "W44 total", r.Weeks[1].Total, 1680)
}

// Quarter to date in Europe/Berlin: the fourth quarter starts 1 October
// 00:00 CEST (30 September 22:00 UTC).
func TestQuarterToDate(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	q4 := time.Date(2026, 10, 1, 0, 0, 0, 0, berlin)
	spec := Spec{ID: "a/b", Objective: 99, Window: Window{Rolling: 24 * time.Hour}, Budgeting: Occurrences}
	opts := Options{Now: testNow, History: 24 * time.Hour, Step: time.Hour, Location: berlin, QuarterToDate: true}
	if from := Range(spec, opts); from.After(q4) {
		t.Fatalf("Range starts %v, after the quarter", from)
	}
	r := mustCompute(t, spec, seriesFor(spec, opts, func(end time.Time) pair {
		if !end.After(q4) {
			return pair{0, 10} // all bad before the quarter: must not count
		}
		return pair{9, 10}
	}), opts)
	// 30 September 22:00 UTC to 23 November 00:00 UTC: 53 days and 2 hours
	// = 1,274 hours of 10 events, one bad in each.
	if !r.Quarter.Start.Equal(q4) {
		t.Errorf("quarter start %v", r.Quarter.Start)
	}
	checkFloat(t, "total", r.Quarter.Total, 12740)
	checkFloat(t, "good", r.Quarter.Good, 11466)
	checkFloat(t, "sli", r.Quarter.SLI, 0.9)
}
