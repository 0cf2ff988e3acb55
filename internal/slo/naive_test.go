package slo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
)

// TestComputeMatchesNaive checks Compute, and that Range covers what it
// reads, against a slow reference that re-sums every window straight from
// the definitions of docs/numbers.md, walking back from each τ in time.
//
// The reference reads a series that starts 40 days before Range; Compute
// gets only the steps Range asks for. If Range were too short, Compute would
// miss data the reference sees; if Compute read outside its range, it would
// fail or differ. The data are integers, so both sum exactly.
func TestComputeMatchesNaive(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	kathmandu := mustLoad(t, "Asia/Kathmandu")
	tests := []struct {
		spec Spec
		opts Options
	}{
		{Spec{Objective: 99, Window: Window{Rolling: 7 * day}, Budgeting: Occurrences},
			Options{Now: testNow, History: 3 * day, Location: time.UTC, Weeks: 3, Months: 3, Step: time.Hour}},
		{Spec{Objective: 90, Window: Window{Rolling: day}, Budgeting: Timeslices, SliceThreshold: 95},
			Options{Now: testNow, History: day, Location: berlin, Weeks: 2, Step: 5 * time.Minute}},
		{Spec{Objective: 95, Window: Window{Calendar: CalendarWeek}, Budgeting: RatioTimeslices},
			Options{Now: time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC), History: 10 * day, Location: berlin, Weeks: 3, Months: 2, Step: time.Hour}},
		{Spec{Objective: 99.5, Window: Window{Calendar: CalendarMonth}, Budgeting: Occurrences},
			Options{Now: time.Date(2026, 11, 1, 5, 0, 0, 0, time.UTC), History: day, Location: berlin, Weeks: 1, Months: 2, Step: 5 * time.Minute}},
		{Spec{Objective: 99, Window: Window{Calendar: CalendarQuarter}, Budgeting: Occurrences},
			Options{Now: time.Date(2026, 10, 2, 3, 0, 0, 0, time.UTC), History: 5 * day, Location: berlin, Step: time.Hour}},
		{Spec{Objective: 99, Window: Window{Rolling: 7 * day}, Budgeting: Occurrences},
			Options{Now: testNow, History: day + 100*time.Minute, Location: kathmandu, Weeks: 2, Months: 2, Step: 7 * time.Minute}},
		{Spec{Objective: 99.9, Window: Window{Rolling: time.Hour}, Budgeting: Occurrences},
			Options{Now: testNow, History: 2 * day, Location: time.UTC, Step: 10 * time.Minute}},
		{Spec{Objective: 99, Window: Window{Calendar: CalendarWeek}, Budgeting: Timeslices, SliceThreshold: 90},
			Options{Now: time.Date(2026, 10, 26, 7, 0, 0, 0, time.UTC), Location: kathmandu, Weeks: 5, Step: 15 * time.Minute}},
	}
	for i, tt := range tests {
		tt.spec.ID = fmt.Sprintf("naive/%d", i)
		tt.spec.AtRiskBelow = 25
		t.Run(fmt.Sprintf("%d_%s_%s_%s", i, tt.spec.Budgeting, tt.spec.Window, formatDuration(tt.opts.Step)), func(t *testing.T) {
			step := tt.opts.Step
			from := Range(tt.spec, tt.opts)
			n := int(tt.opts.Now.Sub(from) / step)
			extra := int(40 * day / step)
			full := randomSeries(from.Add(step-time.Duration(extra)*step), step, n+extra, uint64(i))
			fetched := &metrics.Series{FirstEnd: from.Add(step), Step: step, Good: full.Good[extra:], Total: full.Total[extra:]}

			got := mustCompute(t, tt.spec, fetched, tt.opts)
			want := naive(tt.spec, full, tt.opts)
			compareReports(t, got, want)
			if len(want.Alerts) == 0 {
				t.Log("no alerts in this case")
			}
		})
	}
}

// randomSeries makes integer traffic with 5 % of steps without data, 2 %
// without traffic, and incidents in which about half the events fail.
func randomSeries(firstEnd time.Time, step time.Duration, n int, seed uint64) *metrics.Series {
	rng := rand.New(rand.NewPCG(seed, 42))
	s := &metrics.Series{FirstEnd: firstEnd, Step: step, Good: make([]float64, n), Total: make([]float64, n)}
	incident := 0
	for i := range n {
		if incident == 0 && rng.IntN(300) == 0 {
			incident = 3 + rng.IntN(40)
		}
		switch r := rng.IntN(100); {
		case r < 5:
			s.Good[i], s.Total[i] = math.NaN(), math.NaN()
		case r < 7:
			s.Good[i], s.Total[i] = 0, 0
		default:
			t := float64(1 + rng.IntN(20))
			bad := 0.0
			if incident > 0 {
				bad = float64(rng.IntN(int(t) + 1))
			} else if rng.IntN(50) == 0 {
				bad = 1
			}
			s.Good[i], s.Total[i] = t-bad, t
		}
		if incident > 0 {
			incident--
		}
	}
	return s
}

// naive computes the report by definition: every window is re-summed by
// walking its steps back from τ in time, reading the series by instant.
func naive(spec Spec, s *metrics.Series, opts Options) *Report {
	step := s.Step
	now := opts.Now
	loc := opts.Location
	allowed := 1 - spec.Objective/100

	// at returns the budgeting units of the step ending at τ, and whether it
	// has data; steps outside the series have none.
	at := func(τ time.Time) (gu, tu float64, data bool) {
		d := τ.Sub(s.FirstEnd)
		if d < 0 || d%step != 0 || int(d/step) >= s.Len() {
			return 0, 0, false
		}
		i := int(d / step)
		g, t := s.Good[i], s.Total[i]
		if math.IsNaN(t) {
			return 0, 0, false
		}
		switch spec.Budgeting {
		case Timeslices:
			if t > 0 {
				if g/t >= spec.SliceThreshold/100 {
					return 1, 1, true
				}
				return 0, 1, true
			}
			return 0, 0, true
		case RatioTimeslices:
			if t > 0 {
				return g / t, 1, true
			}
			return 0, 0, true
		}
		return g, t, true
	}
	// sum re-sums the steps ending in (start, τ].
	sum := func(start, τ time.Time) (G, T, data, steps float64) {
		for e := τ; e.After(start); e = e.Add(-step) {
			gu, tu, ok := at(e)
			G += gu
			T += tu
			steps++
			if ok {
				data++
			}
		}
		return
	}
	windowStart := func(τ time.Time) time.Time {
		if spec.Window.Rolling > 0 {
			return τ.Add(-spec.Window.Rolling)
		}
		return naivePeriodStart(spec.Window.Calendar, τ, loc)
	}
	lookback := func(d time.Duration) time.Duration {
		n := d / step
		if n*step < d {
			n++
		}
		return n * step
	}
	burnAt := func(τ time.Time, d time.Duration) float64 {
		G, T, _, _ := sum(τ.Add(-lookback(d)), τ)
		if T == 0 {
			return math.NaN()
		}
		return ((T - G) / T) / allowed
	}

	r := &Report{Spec: spec, WindowEnd: now, WindowStart: windowStart(now)}
	G, T, data, steps := sum(r.WindowStart, now)
	r.Good, r.Total, r.Bad = G, T, T-G
	r.SLI, r.Budget = math.NaN(), Budget{math.NaN(), math.NaN(), math.NaN()}
	if T != 0 {
		r.SLI = G / T
		a := allowed * T
		r.Budget = Budget{a, (T - G) / a, 1 - (T-G)/a}
	}
	r.Coverage = data / steps
	switch {
	case T == 0 || r.Coverage < 0.5:
		r.Status = StatusNoData
	case r.Budget.Remaining <= 0:
		r.Status = StatusExhausted
	case r.Budget.Remaining*100 < spec.AtRiskBelow:
		r.Status = StatusAtRisk
	default:
		r.Status = StatusHealthy
	}
	for _, lb := range lookbacks {
		r.BurnRates = append(r.BurnRates, BurnRate{Label: lb.label, Lookback: lookback(lb.d), Rate: burnAt(now, lb.d)})
	}
	for _, ar := range alertRules {
		long, short := lookbacks[ar.long], lookbacks[ar.short]
		r.Rules = append(r.Rules, Rule{Severity: ar.severity, Share: ar.share,
			Long: lookback(long.d), Short: lookback(short.d), LongLabel: long.label, ShortLabel: short.label,
			Threshold: ar.share * float64(spec.Window.Nominal()) / float64(lookback(long.d))})
	}

	// History: the steps ending in (Now − History, Now].
	var hist []time.Time
	for τ := now; τ.After(now.Add(-opts.History)); τ = τ.Add(-step) {
		hist = append([]time.Time{τ}, hist...)
	}
	r.Timeline = Timeline{Step: step, Burn: []BurnSeries{{Label: "1h"}, {Label: "6h"}, {Label: "1d"}, {Label: "3d"}}}
	if len(hist) > 0 {
		r.Timeline.FirstEnd = hist[0]
	}
	open := make([]int, len(r.Rules)) // index+1 of the rule's open alert; 0: none
	for _, τ := range hist {
		G, T, _, _ := sum(windowStart(τ), τ)
		sli, rem := math.NaN(), math.NaN()
		if T != 0 {
			sli, rem = G/T, 1-(T-G)/(allowed*T)
		}
		r.Timeline.SLI = append(r.Timeline.SLI, sli)
		r.Timeline.BudgetRemaining = append(r.Timeline.BudgetRemaining, rem)
		for j, d := range []time.Duration{time.Hour, 6 * time.Hour, day, 3 * day} {
			r.Timeline.Burn[j].Values = append(r.Timeline.Burn[j].Values, burnAt(τ, d))
		}
		for j, ar := range alertRules {
			rule := r.Rules[j]
			fire := burnAt(τ, lookbacks[ar.long].d) > rule.Threshold && burnAt(τ, lookbacks[ar.short].d) > rule.Threshold
			switch {
			case fire && open[j] == 0:
				r.Alerts = append(r.Alerts, Alert{Rule: rule, Start: τ})
				open[j] = len(r.Alerts)
			case !fire && open[j] != 0:
				r.Alerts[open[j]-1].End = τ
				open[j] = 0
			}
		}
	}
	for _, a := range open {
		if a != 0 {
			r.Alerts[a-1].End, r.Alerts[a-1].Active = now, true
		}
	}

	// period re-sums the steps ending in (start, end], cut at Now.
	period := func(start, end time.Time) Period {
		upTo := end
		if upTo.After(now) {
			upTo = now
		}
		// The instants are not on the grid when midnight is not: start
		// from the last step ending at or before upTo.
		τ := now.Add(-now.Sub(upTo) / step * step)
		if now.Sub(upTo)%step != 0 {
			τ = τ.Add(-step)
		}
		G, T, data, steps := sum(start, τ)
		p := Period{Start: start, End: end, Good: G, Total: T, Bad: T - G, SLI: math.NaN(), Burned: math.NaN()}
		if T != 0 {
			p.SLI = G / T
			p.Burned = (T - G) / (allowed * T)
		}
		if steps > 0 {
			p.Coverage = data / steps
		}
		return p
	}
	if opts.Weeks > 0 {
		last := naivePeriodStart(CalendarWeek, now, loc)
		for j := opts.Weeks - 1; j >= 0; j-- {
			start := last.AddDate(0, 0, -7*j)
			w := Week{Period: period(start, start.AddDate(0, 0, 7))}
			w.Year, w.Number = start.ISOWeek()
			r.Weeks = append(r.Weeks, w)
		}
	}
	if opts.Months > 0 {
		last := naivePeriodStart(CalendarMonth, now, loc)
		for j := opts.Months - 1; j >= 0; j-- {
			start := last.AddDate(0, -j, 0)
			r.Months = append(r.Months, Month{Year: start.Year(), Month: start.Month(), Period: period(start, start.AddDate(0, 1, 0))})
		}
	}
	return r
}

// naivePeriodStart walks back one day at a time from τ to the latest
// 00:00 in loc strictly before τ that starts a week, month or quarter.
func naivePeriodStart(cal string, τ time.Time, loc *time.Location) time.Time {
	l := τ.In(loc)
	for i := 0; ; i++ {
		c := time.Date(l.Year(), l.Month(), l.Day()-i, 0, 0, 0, 0, loc)
		if !c.Before(τ) {
			continue
		}
		switch {
		case cal == CalendarWeek && c.Weekday() == time.Monday,
			cal == CalendarMonth && c.Day() == 1,
			cal == CalendarQuarter && c.Day() == 1 && (c.Month()-1)%3 == 0:
			return c
		}
	}
}

func compareReports(t *testing.T, got, want *Report) {
	t.Helper()
	if !got.WindowStart.Equal(want.WindowStart) || !got.WindowEnd.Equal(want.WindowEnd) {
		t.Errorf("window (%s, %s], want (%s, %s]", got.WindowStart, got.WindowEnd, want.WindowStart, want.WindowEnd)
	}
	checkSummary(t, got, summary{good: want.Good, total: want.Total, bad: want.Bad, sli: want.SLI,
		allowed: want.Budget.Allowed, consumed: want.Budget.Consumed, remaining: want.Budget.Remaining,
		coverage: want.Coverage, status: want.Status})
	for i, b := range want.BurnRates {
		g := got.BurnRates[i]
		if g.Label != b.Label || g.Lookback != b.Lookback {
			t.Errorf("burn rate %d: %s over %v, want %s over %v", i, g.Label, g.Lookback, b.Label, b.Lookback)
		}
		checkFloat(t, "burn rate "+b.Label, g.Rate, b.Rate)
	}
	for i, rule := range want.Rules {
		g := got.Rules[i]
		if g.Severity != rule.Severity || g.Long != rule.Long || g.Short != rule.Short || g.LongLabel != rule.LongLabel || g.ShortLabel != rule.ShortLabel {
			t.Errorf("rule %d: %+v, want %+v", i, g, rule)
		}
		checkFloat(t, "threshold", g.Threshold, rule.Threshold)
	}

	tl, wtl := got.Timeline, want.Timeline
	if len(tl.SLI) != len(wtl.SLI) || len(tl.BudgetRemaining) != len(wtl.SLI) {
		t.Fatalf("timeline of %d/%d steps, want %d", len(tl.SLI), len(tl.BudgetRemaining), len(wtl.SLI))
	}
	if len(wtl.SLI) > 0 && !tl.FirstEnd.Equal(wtl.FirstEnd) {
		t.Errorf("Timeline.FirstEnd = %s, want %s", tl.FirstEnd, wtl.FirstEnd)
	}
	bad := 0
	for i := range wtl.SLI {
		if !near(tl.SLI[i], wtl.SLI[i]) || !near(tl.BudgetRemaining[i], wtl.BudgetRemaining[i]) {
			bad++
			if bad <= 5 {
				t.Errorf("timeline step %d (%s): SLI %v remaining %v, want %v %v", i,
					wtl.FirstEnd.Add(time.Duration(i)*tl.Step).UTC().Format(time.RFC3339),
					tl.SLI[i], tl.BudgetRemaining[i], wtl.SLI[i], wtl.BudgetRemaining[i])
			}
		}
		for j := range wtl.Burn {
			if tl.Burn[j].Label != wtl.Burn[j].Label {
				t.Fatalf("Timeline.Burn[%d] is %s, want %s", j, tl.Burn[j].Label, wtl.Burn[j].Label)
			}
			if !near(tl.Burn[j].Values[i], wtl.Burn[j].Values[i]) {
				bad++
				if bad <= 5 {
					t.Errorf("timeline step %d: %s burn %v, want %v", i, wtl.Burn[j].Label, tl.Burn[j].Values[i], wtl.Burn[j].Values[i])
				}
			}
		}
	}

	if len(got.Alerts) != len(want.Alerts) {
		t.Errorf("%d alerts, want %d", len(got.Alerts), len(want.Alerts))
	}
	for i := range min(len(got.Alerts), len(want.Alerts)) {
		g, w := got.Alerts[i], want.Alerts[i]
		if g.Rule.Severity != w.Rule.Severity || g.Rule.LongLabel != w.Rule.LongLabel ||
			!g.Start.Equal(w.Start) || !g.End.Equal(w.End) || g.Active != w.Active {
			t.Errorf("alert %d: %s %s/%s %s to %s active %v, want %s %s/%s %s to %s active %v", i,
				g.Rule.Severity, g.Rule.LongLabel, g.Rule.ShortLabel, g.Start, g.End, g.Active,
				w.Rule.Severity, w.Rule.LongLabel, w.Rule.ShortLabel, w.Start, w.End, w.Active)
		}
	}

	if len(got.Weeks) != len(want.Weeks) {
		t.Fatalf("%d weeks, want %d", len(got.Weeks), len(want.Weeks))
	}
	for i, w := range want.Weeks {
		g := got.Weeks[i]
		if g.Year != w.Year || g.Number != w.Number || !g.Start.Equal(w.Start) || !g.End.Equal(w.End) {
			t.Errorf("week %d: %d-W%02d (%s, %s], want %d-W%02d (%s, %s]", i, g.Year, g.Number, g.Start, g.End, w.Year, w.Number, w.Start, w.End)
		}
		checkFloat(t, "week Good", g.Good, w.Good)
		checkFloat(t, "week Total", g.Total, w.Total)
		checkFloat(t, "week SLI", g.SLI, w.SLI)
		checkFloat(t, "week Coverage", g.Coverage, w.Coverage)
		checkFloat(t, "week Burned", g.Burned, w.Burned)
	}
	if len(got.Months) != len(want.Months) {
		t.Fatalf("%d months, want %d", len(got.Months), len(want.Months))
	}
	for i, m := range want.Months {
		g := got.Months[i]
		if g.Year != m.Year || g.Month != m.Month || !g.Start.Equal(m.Start) || !g.End.Equal(m.End) {
			t.Errorf("month %d: %d-%02d (%s, %s], want %d-%02d (%s, %s]", i, g.Year, g.Month, g.Start, g.End, m.Year, m.Month, m.Start, m.End)
		}
		checkFloat(t, "month Good", g.Good, m.Good)
		checkFloat(t, "month Total", g.Total, m.Total)
		checkFloat(t, "month Bad", g.Bad, m.Bad)
		checkFloat(t, "month SLI", g.SLI, m.SLI)
		checkFloat(t, "month Coverage", g.Coverage, m.Coverage)
		checkFloat(t, "month Burned", g.Burned, m.Burned)
	}
}
