// Package slo holds the SLO math of docs/numbers.md: windows, compliance, error
// budget, burn rates and alert replay. It is pure computation over a
// metrics.Series; it performs no I/O and knows nothing about pages.
package slo

import (
	"math"
	"time"
)

// Budgeting methods.
const (
	Occurrences     = "occurrences"
	Timeslices      = "timeslices"
	RatioTimeslices = "ratio_timeslices"
)

// MinCoverage is the data coverage below which a window or period has no
// figures worth showing: its status is no-data.
const MinCoverage = 0.5

// Statuses, in order of severity.
const (
	StatusHealthy   = "healthy"
	StatusAtRisk    = "at-risk"
	StatusExhausted = "exhausted"
	StatusNoData    = "no-data"
)

// Calendar window names.
const (
	CalendarWeek    = "week"
	CalendarMonth   = "month"
	CalendarQuarter = "quarter"
)

// Window is either a rolling duration or a calendar period.
type Window struct {
	Rolling  time.Duration // > 0 for a rolling window
	Calendar string        // CalendarWeek, CalendarMonth or CalendarQuarter when Rolling == 0
}

// Spec is one SLO as the math needs it.
type Spec struct {
	ID             string
	Objective      float64 // percent, 0 < Objective < 100
	Window         Window
	Budgeting      string  // Occurrences, Timeslices or RatioTimeslices
	SliceThreshold float64 // percent; a slice is good when its g/t ≥ this (Timeslices only)
	AtRiskBelow    float64 // percent of budget remaining below which the status is at-risk

	// Excluded are budget adjustments (planned maintenance), sorted by
	// Start: steps ending inside count as neither good nor bad.
	Excluded []Interval

	// Rules are the SLO's own alert rules. Nil means DefaultRules, unless
	// NoAlerts is set: then the SLO has no rule and pages nobody. A site
	// that says nothing about alerting keeps the SRE Workbook's rules.
	Rules    []RuleSpec
	NoAlerts bool
}

// RuleSpec is one multiwindow, multi-burn-rate alert rule as configured:
// it fires when the burn rates over both Long and Short are above its
// threshold. The threshold is Factor when Factor is set, else
// Share · Nominal(W) / Long (the share of the window's budget the rule lets
// burn within Long).
type RuleSpec struct {
	Severity    string  // "page" or "ticket"
	Share       float64 // budget share, a fraction (0.02); or
	Factor      float64 // burn-rate factor (14.4)
	Long, Short time.Duration
	Name        string // the alert's name in the tool it came from, shown with the rule; may be ""
}

// DefaultRules are the rules of docs/numbers.md (SRE Workbook, chapter 5): page
// (2 %, 1h, 5m), page (5 %, 6h, 30m), ticket (10 %, 1d, 2h), ticket
// (10 %, 3d, 6h).
func DefaultRules() []RuleSpec {
	out := make([]RuleSpec, len(alertRules))
	for i, ar := range alertRules {
		out[i] = RuleSpec{Severity: ar.severity, Share: ar.share, Long: lookbacks[ar.long].d, Short: lookbacks[ar.short].d}
	}
	return out
}

// EffectiveRules are the rules the SLO really has: its own, the defaults,
// or none.
func (s Spec) EffectiveRules() []RuleSpec {
	switch {
	case s.NoAlerts:
		return nil
	case s.Rules != nil:
		return s.Rules
	}
	return DefaultRules()
}

// Interval is a span of time (Start, End].
type Interval struct {
	Start, End time.Time
}

// Episode is a burn episode: steps whose 1h burn rate is above 1, merged
// across pauses of up to an hour, with the bad units of every step that fed
// those windows.
type Episode struct {
	Start, End  time.Time // Start is one hour before the first burning step's end
	Bad         float64   // bad units in (Start, End]
	BudgetShare float64   // Bad / the window's allowed bad units at End; NaN without traffic
	Active      bool      // still burning at Now
}

// Options are the report-wide settings.
type Options struct {
	Now      time.Time      // report time τ; on the series' step grid
	History  time.Duration  // span of chart series and alert replay, ending at Now
	Location *time.Location // calendar windows and ISO weeks start at 00:00 here; nil means UTC
	Weeks    int            // ISO weeks in the weekly table, the last one containing Now
	Months   int            // calendar months in Report.Months, the last one containing Now
	// QuarterToDate asks for Report.Quarter; Range then reaches back to the
	// quarter's start, which may be longer than history and windows need.
	QuarterToDate bool
	// StepDetail asks for the Timeline's per-step Bad, Total, Allowed and
	// Short series, which Measure reads (chaos runs, retrospectives). Most
	// SLOs need only the charts' series: leaving these out saves half the
	// Timeline's memory.
	StepDetail bool

	// Step is the grid spacing of the series. Range needs it to round the
	// burn-rate lookbacks and to align its result; Compute takes the step
	// from the series and, when Step is set, checks that they agree.
	Step time.Duration
}

// Budget is the error budget of the window ending at Now. Fractions; NaN
// when undefined (no traffic).
type Budget struct {
	Allowed   float64 // allowed bad events (or slices): (1 − objective) · T
	Consumed  float64 // B / A
	Remaining float64 // 1 − B / A; negative when overspent
}

// BurnRate is the burn rate over one lookback ending at Now.
type BurnRate struct {
	Label    string        // the configured lookback: "5m", "30m", "1h", "2h", "6h", "1d", "3d"
	Lookback time.Duration // effective lookback: raised to a whole number of steps
	Rate     float64       // NaN when the lookback holds no traffic
}

// Rule is one multiwindow, multi-burn-rate alert rule.
type Rule struct {
	Severity   string        // "page" or "ticket"
	Share      float64       // budget share p, as a fraction (0.02)
	Long       time.Duration // effective long window
	Short      time.Duration // effective short window
	LongLabel  string        // as configured, "1h"
	ShortLabel string        // as configured, "5m"
	Threshold  float64       // p · Nominal(W) / Long, or the factor: both burn rates must be above it
	Factor     bool          // the threshold is a configured burn-rate factor, not derived from Share
	Name       string        // the alert's name in the tool it came from, or ""
}

// Alert is one merged interval in which a rule fired.
type Alert struct {
	Rule   Rule
	Start  time.Time // τ of the first firing step
	End    time.Time // τ of the first step after it that does not fire; Now when still firing
	Active bool      // still firing at Now
}

// Period is the compliance of one calendar period in Options.Location: the
// steps ending in (Start, End], cut at Now for the period that holds it.
type Period struct {
	Start, End    time.Time
	Good, Total   float64 // units, as in Report
	Bad           float64 // Total − Good, summed apart (as in Report) so that no rounding shows
	SLI           float64 // NaN when no traffic
	Coverage      float64 // steps with data / steps in the period (up to Now for the current one), less excluded steps
	ExcludedSteps int     // steps inside budget adjustments
	// Burned is the period's bad units as a share of its own allowed bad
	// units, (1 − objective)·Total: above 1 the period missed the
	// objective. NaN without traffic.
	Burned float64
}

// Week is the compliance of one ISO week, Monday 00:00 to Monday 00:00 in
// Options.Location.
type Week struct {
	Year, Number int // ISO year and week
	Period
	// BudgetBurned is the week's bad units as a share of the allowed bad
	// units of the SLO's window ending with the week (or at Now); NaN when
	// that window has no traffic.
	BudgetBurned float64
}

// Month is the compliance of one calendar month, the 1st 00:00 to the next
// 1st 00:00 in Options.Location; a month with a change of daylight saving
// time is an hour shorter or longer than its days.
type Month struct {
	Year  int
	Month time.Month
	Period
}

// Quarter is compliance over the calendar quarter holding Now, from its
// first day 00:00 in Options.Location up to Now.
type Quarter struct {
	Start       time.Time
	Good, Total float64 // units, as in Report
	SLI         float64 // NaN when no traffic
}

// Timeline holds per-step series over (Now − History, Now] for the charts,
// at full resolution; callers downsample for drawing.
type Timeline struct {
	FirstEnd        time.Time
	Step            time.Duration
	SLI             []float64 // window SLI at each step; NaN when no traffic
	BudgetRemaining []float64 // window budget remaining; NaN when no traffic
	Burn            []BurnSeries

	// Bad and Total are each step's own units (events, or slices for the
	// time-slice methods): 0 without data or inside a budget adjustment.
	// Allowed is the allowed bad units of the window ending at each step,
	// (1 − objective)·T; 0 without traffic. Short is the burn rate over the
	// shortest lookback (5m, raised to whole steps) at each step. Chaos run
	// impact reads them.
	Bad, Total, Allowed []float64
	Short               BurnSeries
}

// BurnSeries is the burn rate over one lookback at every step.
type BurnSeries struct {
	Label  string
	Values []float64 // NaN when no traffic
}

// Report is everything relia computes for one SLO.
type Report struct {
	Spec                   Spec
	WindowStart, WindowEnd time.Time
	Good, Total, Bad       float64 // events, or slices for the time-slice methods
	SLI                    float64 // NaN when Total == 0
	Budget                 Budget
	BurnRates              []BurnRate
	Coverage               float64   // steps with data / (steps in the window − excluded steps)
	ExcludedSteps          int       // steps of the window inside budget adjustments
	Episodes               []Episode // burn episodes over the history span, oldest first
	RecoveryAt             time.Time // exhausted only: projected recovery at the current 1d burn; zero if not within a window
	Status                 string
	Rules                  []Rule
	Alerts                 []Alert // oldest first, over the history span
	Weeks                  []Week  // oldest first
	Months                 []Month // oldest first
	Quarter                Quarter // the calendar quarter to date (Options.QuarterToDate), for the executive summary
	Timeline               Timeline
	Notes                  []string // e.g. a short window raised to the step
}

// BurnRate is the burn rate over the lookback labelled label ("1h", "3d"),
// or NaN when the report has no such lookback or it holds no traffic.
func (r *Report) BurnRate(label string) float64 {
	for _, b := range r.BurnRates {
		if b.Label == label {
			return b.Rate
		}
	}
	return math.NaN()
}
