package calendar

import (
	"math"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/slo"
)

var nan = math.NaN()

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// State at its edges: objective 99 % of 1,000 events allows 10 bad ones
// (Burned = bad/10); the policy's at_risk_below is 25 %.
func TestState(t *testing.T) {
	pol := Policy{AtRiskBelow: 25}
	tests := []struct {
		name     string
		total    float64
		coverage float64
		burned   float64
		want     string
	}{
		{"no bad event", 1000, 1, 0, Met},
		{"75 % of the budget: 25 % left is not below 25", 1000, 1, 0.75, Met},
		{"76 %: 24 % left", 1000, 1, 0.76, Close},
		{"exactly the objective", 1000, 1, 1, Close},
		{"one bad event more", 1000, 1, 1.1, Missed},
		{"no traffic", 0, 1, nan, NoData},
		{"coverage exactly 50 % counts", 1000, 0.5, 0, Met},
		{"coverage just below 50 %", 1000, 0.4999, 0, NoData},
		{"low coverage hides a miss too", 1000, 0.2, 5, NoData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := slo.Period{Total: tt.total, Coverage: tt.coverage, Burned: tt.burned}
			if got := State(p, pol); got != tt.want {
				t.Errorf("State(total %v, coverage %v, burned %v) = %s, want %s", tt.total, tt.coverage, tt.burned, got, tt.want)
			}
		})
	}
	// Without a policy, a met period is never Close.
	if got := State(slo.Period{Total: 1, Coverage: 1, Burned: 1}, Policy{}); got != Met {
		t.Errorf("exactly at the objective with at_risk_below 0: %s, want %s", got, Met)
	}
}

func TestFloorPercent(t *testing.T) {
	tests := []struct {
		v        float64
		decimals int
		want     string
	}{
		{0.999, 2, "99.90"},    // 99.899999… in binary: not floored to 99.89
		{0.998999, 2, "99.89"}, // below 99.9 never shows as 99.90
		{0.99912, 3, "99.912"},
		{1, 2, "100.00"},
		{0.9999999, 2, "99.99"},     // a miss of 99.99999 % never rounds up to 100
		{7436.0 / 7450, 2, "99.81"}, // 99.8120805…
		{0.875, 2, "87.50"},
		{0, 2, "0.00"},
		{nan, 2, "—"},
		{math.Inf(1), 2, "—"},
	}
	for _, tt := range tests {
		if got := FloorPercent(tt.v, tt.decimals); got != tt.want {
			t.Errorf("FloorPercent(%v, %d) = %q, want %q", tt.v, tt.decimals, got, tt.want)
		}
	}
}

func TestDecimals(t *testing.T) {
	for obj, want := range map[float64]int{99: 2, 99.9: 2, 99.95: 3, 99.999: 4, 90: 2, 99.5: 2} {
		if got := Decimals(obj); got != want {
			t.Errorf("Decimals(%v) = %d, want %d", obj, got, want)
		}
	}
}

// MonthsCovered in Europe/Berlin: the month of a step is the one it ends
// in, so a history whose first step ends at 00:00 on the 1st (22:00 or
// 23:00 UTC the day before) starts in the month before.
func TestMonthsCovered(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC) // 00:00 CET on Monday 23 November
	tests := []struct {
		name    string
		now     time.Time
		history time.Duration
		step    time.Duration
		want    int
	}{
		{"90 days from 24 August", now, 90 * 24 * time.Hour, 5 * time.Minute, 4},
		{"one step", now, 5 * time.Minute, 5 * time.Minute, 1},
		{"history shorter than the step", now, 0, 5 * time.Minute, 1},
		// First step ends 1 Nov 00:00 CET (31 Oct 23:00 UTC): October's.
		{"first step ends at midnight on the 1st", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 2 * time.Hour, time.Hour, 2},
		// First step ends 1 Nov 01:00 CET: November only.
		{"first step ends an hour later", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Hour, time.Hour, 1},
		// Now exactly at 1 December 00:00 CET: the last month is November.
		{"now at a month's end", time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), 24 * time.Hour, time.Hour, 1},
		{"a year across New Year", time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), 365 * 24 * time.Hour, time.Hour, 13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MonthsCovered(tt.now, tt.history, tt.step, berlin); got != tt.want {
				t.Errorf("MonthsCovered = %d, want %d", got, tt.want)
			}
		})
	}
}

// NewRow pads a short history with Outside cells, named and dated as the
// computed ones would be, across the end of summer time in New York (1
// November 2026) and New Year.
func TestNewRowPads(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	now := time.Date(2026, 11, 4, 17, 0, 0, 0, time.UTC) // Wednesday 12:00 EST
	w45 := time.Date(2026, 11, 2, 0, 0, 0, 0, ny)        // Monday of 2026-W45
	w44 := time.Date(2026, 10, 26, 0, 0, 0, 0, ny)       // EDT: 04:00 UTC, not 05:00
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, ny)
	weeks := []slo.Week{
		{Year: 2026, Number: 44, Period: slo.Period{Start: w44, End: w45, Good: 990, Total: 1000, Bad: 10, SLI: 0.99, Coverage: 1, Burned: 10}},
		{Year: 2026, Number: 45, Period: slo.Period{Start: w45, End: w45.AddDate(0, 0, 7), Good: 500, Total: 500, SLI: 1, Coverage: 1, Burned: 0}},
	}
	months := []slo.Month{{Year: 2026, Month: time.November, Period: slo.Period{Start: nov, End: nov.AddDate(0, 1, 0), Total: 0, SLI: nan, Coverage: 0, Burned: nan}}}
	r := NewRow("web/availability", 99.9, weeks, months, Policy{AtRiskBelow: 25}, now, ny)
	if len(r.Weeks) != Weeks || len(r.Months) != Months {
		t.Fatalf("%d weeks and %d months, want %d and %d", len(r.Weeks), len(r.Months), Weeks, Months)
	}
	wantWeeks := map[int]struct {
		name, label, sub, state, text string
		start                         time.Time
		current                       bool
	}{
		0:  {"2026-W33", "W33", "10 Aug", Outside, "", time.Date(2026, 8, 10, 0, 0, 0, 0, ny), false},
		10: {"2026-W43", "W43", "19 Oct", Outside, "", time.Date(2026, 10, 19, 0, 0, 0, 0, ny), false},
		11: {"2026-W44", "W44", "26 Oct", Missed, "99.00", w44, false},
		12: {"2026-W45", "W45", "2 Nov", Met, "100.00", w45, true},
	}
	for i, w := range wantWeeks {
		c := r.Weeks[i]
		if c.Name != w.name || c.Label != w.label || c.Sub != w.sub || c.State != w.state || c.Text != w.text || !c.Start.Equal(w.start) || c.Current != w.current {
			t.Errorf("week %d: %s %s %s %s %q from %s current %v, want %s %s %s %s %q from %s current %v", i,
				c.Name, c.Label, c.Sub, c.State, c.Text, c.Start, c.Current, w.name, w.label, w.sub, w.state, w.text, w.start, w.current)
		}
	}
	if got, want := r.Weeks[10].End, w44; !got.Equal(want) {
		t.Errorf("the last padded week ends %s, want %s (the first computed week's start)", got, want)
	}
	wantMonths := map[int]struct{ name, label, sub, state string }{
		0:  {"2025-12", "Dec", "2025", Outside},
		10: {"2026-10", "Oct", "2026", Outside},
		11: {"2026-11", "Nov", "2026", NoData},
	}
	for i, m := range wantMonths {
		c := r.Months[i]
		if c.Name != m.name || c.Label != m.label || c.Sub != m.sub || c.State != m.state || c.Text != "" {
			t.Errorf("month %d: %s %s %s %s %q, want %s %s %s %s \"\"", i, c.Name, c.Label, c.Sub, c.State, c.Text, m.name, m.label, m.sub, m.state)
		}
	}
	if got, want := r.Months[10].Start, time.Date(2026, 10, 1, 4, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("October starts %s, want %s (00:00 EDT)", got, want)
	}

	// Without any computed period, the padding counts back from the
	// periods holding now.
	r = NewRow("x", 99, nil, nil, Policy{}, now, ny)
	if c := r.Weeks[Weeks-1]; c.Name != "2026-W45" || c.State != Outside {
		t.Errorf("last week of an empty row: %s %s, want 2026-W45 outside", c.Name, c.State)
	}
	if c := r.Months[Months-1]; c.Name != "2026-11" || c.State != Outside {
		t.Errorf("last month of an empty row: %s %s, want 2026-11 outside", c.Name, c.State)
	}

	// A longer history keeps only the last periods.
	many := make([]slo.Week, 20)
	for i := range many {
		start := w45.AddDate(0, 0, 7*(i-19))
		y, n := start.ISOWeek()
		many[i] = slo.Week{Year: y, Number: n, Period: slo.Period{Start: start, End: start.AddDate(0, 0, 7), Total: 1, Good: 1, SLI: 1, Coverage: 1}}
	}
	r = NewRow("x", 99, many, nil, Policy{}, now, ny)
	if r.Weeks[0].Name != "2026-W33" || r.Weeks[Weeks-1].Name != "2026-W45" {
		t.Errorf("weeks %s … %s, want 2026-W33 … 2026-W45", r.Weeks[0].Name, r.Weeks[Weeks-1].Name)
	}
}
