// Package calendar lays out compliance by calendar period: the cells of the
// calendar view (every SLO × the last ISO weeks and calendar months), each
// classed against the objective, and the months a report covers. The
// figures come from slo.Report's Weeks and Months, computed from the SLO's
// prefix sums; this package sums nothing itself and knows nothing of pages,
// paths or templates.
package calendar

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/relia-dev/relia/internal/slo"
)

// How many periods the calendar shows, the last holding the report time.
const (
	Weeks  = 13
	Months = 12
)

// Cell states, from the period's figures. A cell is NoData under the rule
// of docs/numbers.md ("Status"): no traffic, or data coverage below
// slo.MinCoverage. Outside is a period before the report's history, for
// which nothing was computed.
const (
	Met     = "met"     // compliance at or above the objective
	Close   = "close"   // met, with less of the period's own budget left than the policy's at_risk_below
	Missed  = "missed"  // compliance below the objective: more than the period's budget spent
	NoData  = "no-data" // no traffic, or coverage below slo.MinCoverage
	Outside = "outside" // before the history: not computed
)

// Cell is one SLO's compliance over one period.
type Cell struct {
	Name    string // "2026-W47" or "2026-11": the review's or month page's name
	Label   string // column heading: "W47", "Nov"
	Sub     string // under it: the week's Monday ("16 Nov") or the month's year ("2026")
	Start   time.Time
	End     time.Time
	Current bool // the period holds the report time: counted up to it
	State   string
	Text    string // compliance as shown, in percent without the sign; "" unless Met, Close or Missed
	Period  slo.Period
}

// Row is one SLO across the calendar's columns, oldest first.
type Row struct {
	ID        string
	Objective float64 // percent
	Weeks     []Cell  // Weeks cells
	Months    []Cell  // Months cells
}

// Policy is what colours a cell beyond met and missed.
type Policy struct {
	// AtRiskBelow is the percentage of a period's own budget left below
	// which a met period is Close: the site's at_risk_below.
	AtRiskBelow float64
}

// NewRow lays out one SLO: the last Weeks of weeks and the last Months of
// months (oldest first, as slo.Compute returns them), each padded at the
// front with Outside cells when the report's history holds fewer. now is
// the report time, loc the site's zone.
func NewRow(id string, objective float64, weeks []slo.Week, months []slo.Month, pol Policy, now time.Time, loc *time.Location) Row {
	r := Row{ID: id, Objective: objective, Weeks: make([]Cell, Weeks), Months: make([]Cell, Months)}

	weeks = weeks[max(len(weeks)-Weeks, 0):]
	pad := Weeks - len(weeks)
	for i, w := range weeks {
		r.Weeks[pad+i] = WeekCell(w, objective, pol, now)
	}
	// Outside weeks: back from the oldest computed week, or, without any,
	// from the one after now's, so that the last is now's.
	start := weekStart(now, loc)
	start = time.Date(start.Year(), start.Month(), start.Day()+7, 0, 0, 0, 0, loc)
	if len(weeks) > 0 {
		start = weeks[0].Start.In(loc)
	}
	for i := pad - 1; i >= 0; i-- {
		start = time.Date(start.Year(), start.Month(), start.Day()-7, 0, 0, 0, 0, loc)
		year, n := start.ISOWeek()
		r.Weeks[i] = outside(fmt.Sprintf("%d-W%02d", year, n), weekLabel(n), weekSub(start), start, start.AddDate(0, 0, 7))
	}

	months = months[max(len(months)-Months, 0):]
	pad = Months - len(months)
	for i, m := range months {
		r.Months[pad+i] = MonthCell(m, objective, pol, now)
	}
	start = monthStart(now, loc)
	start = time.Date(start.Year(), start.Month()+1, 1, 0, 0, 0, 0, loc)
	if len(months) > 0 {
		start = months[0].Start.In(loc)
	}
	for i := pad - 1; i >= 0; i-- {
		start = time.Date(start.Year(), start.Month()-1, 1, 0, 0, 0, 0, loc)
		r.Months[i] = outside(MonthName(start.Year(), start.Month()), monthLabel(start.Month()), strconv.Itoa(start.Year()), start, start.AddDate(0, 1, 0))
	}
	return r
}

// WeekCell is the cell of one computed ISO week; now is the report time.
func WeekCell(w slo.Week, objective float64, pol Policy, now time.Time) Cell {
	return cell(WeekName(w), weekLabel(w.Number), weekSub(w.Start), w.Period, objective, pol, now)
}

// MonthCell is the cell of one computed month; now is the report time.
func MonthCell(m slo.Month, objective float64, pol Policy, now time.Time) Cell {
	return cell(MonthName(m.Year, m.Month), monthLabel(m.Month), strconv.Itoa(m.Year), m.Period, objective, pol, now)
}

func cell(name, label, sub string, p slo.Period, objective float64, pol Policy, now time.Time) Cell {
	c := Cell{Name: name, Label: label, Sub: sub, Start: p.Start, End: p.End, Current: p.End.After(now), Period: p, State: State(p, pol)}
	if c.State != NoData {
		c.Text = FloorPercent(p.SLI, Decimals(objective))
	}
	return c
}

func outside(name, label, sub string, start, end time.Time) Cell {
	nan := math.NaN()
	return Cell{Name: name, Label: label, Sub: sub, Start: start, End: end, State: Outside,
		Period: slo.Period{Start: start, End: end, SLI: nan, Burned: nan}}
}

// State classes a period's figures. Met and Missed compare the period's
// bad units with its own allowed bad units ((1 − objective) × its total),
// so a period exactly at the objective is met.
func State(p slo.Period, pol Policy) string {
	switch {
	case p.Total == 0 || p.Coverage < slo.MinCoverage:
		return NoData
	case p.Burned > 1:
		return Missed
	case (1-p.Burned)*100 < pol.AtRiskBelow:
		return Close
	}
	return Met
}

// WeekName is the ISO week's name, as the weekly reviews use it: "2026-W47".
func WeekName(w slo.Week) string { return fmt.Sprintf("%d-W%02d", w.Year, w.Number) }

// MonthName is a month's name in paths: "2026-11".
func MonthName(year int, month time.Month) string { return fmt.Sprintf("%d-%02d", year, int(month)) }

// MonthTitle is a month's name in headings: "November 2026".
func MonthTitle(year int, month time.Month) string { return fmt.Sprintf("%s %d", month, year) }

func weekLabel(n int) string { return fmt.Sprintf("W%02d", n) }

// weekSub is the week's Monday, as the period starts in the site's zone.
func weekSub(start time.Time) string { return start.Format("2 Jan") }

func monthLabel(month time.Month) string { return month.String()[:3] }

// weekStart is Monday 00:00 in loc of the ISO week holding t, in the
// (start, end] sense of the SLO math: at exactly Monday 00:00 it is the
// week before.
func weekStart(t time.Time, loc *time.Location) time.Time {
	l := t.Add(-time.Nanosecond).In(loc)
	back := (int(l.Weekday()) + 6) % 7
	return time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc)
}

// monthStart is the 1st 00:00 in loc of the month holding t, in the
// (start, end] sense.
func monthStart(t time.Time, loc *time.Location) time.Time {
	l := t.Add(-time.Nanosecond).In(loc)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
}

// MonthsCovered is how many calendar months in loc hold a step of the
// history: steps of length step ending in (now − history, now]. The last
// is the month holding now.
func MonthsCovered(now time.Time, history, step time.Duration, loc *time.Location) int {
	if history < step {
		return 1
	}
	first := monthStart(now.Add(-history).Add(step), loc)
	last := monthStart(now, loc)
	return (last.Year()-first.Year())*12 + int(last.Month()-first.Month()) + 1
}

// Decimals is how many decimals a compliance figure needs beside the
// objective: one more than the objective has, at least two (99.9 → 2,
// 99.95 → 3).
func Decimals(objective float64) int {
	s := strconv.FormatFloat(objective, 'f', -1, 64)
	d := 0
	for i := len(s) - 1; i >= 0 && s[i] != '.'; i-- {
		d++
	}
	if d == len(s) { // no decimal point
		d = 0
	}
	return max(2, d+1)
}

// FloorPercent formats a fraction in percent with the given decimals,
// rounded down: a compliance below the objective must never print as the
// objective itself (0.998999 with an objective of 99.9 is "99.89", not
// "99.90"). "—" when undefined.
func FloorPercent(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	scale := math.Pow(10, float64(decimals))
	x := v * 100 * scale
	// 0.999·100·100 is 9989.999999999998 in binary: a product within a
	// rounding error of a whole number is that number.
	if r := math.Round(x); math.Abs(x-r) < 1e-6 {
		x = r
	}
	return strconv.FormatFloat(math.Floor(x)/scale, 'f', decimals, 64)
}
