package slo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/prometheus/common/model"
)

const day = 24 * time.Hour

// ParseWindow parses a window as configured: "week", "month" or "quarter"
// for a calendar window, or a Prometheus duration ("28d", "30d", "1w",
// "4w2d") for a rolling one. A rolling window must be positive.
func ParseWindow(s string) (Window, error) {
	switch s {
	case CalendarWeek, CalendarMonth, CalendarQuarter:
		return Window{Calendar: s}, nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return Window{}, fmt.Errorf("parse window %q: %w (want week, month, quarter or a duration such as 28d)", s, err)
	}
	if d <= 0 {
		return Window{}, fmt.Errorf("parse window %q: window must be longer than zero", s)
	}
	return Window{Rolling: d}, nil
}

// String returns the calendar name, or the rolling duration in Prometheus
// notation counted in days ("28d", "90d", "1d12h"). Weeks and years are
// never folded in ("4w" would not match the configured "28d" in the JSON
// contract), so a window parsed from "1w" prints as "7d".
func (w Window) String() string {
	if w.Rolling == 0 {
		return w.Calendar
	}
	return formatDuration(w.Rolling)
}

// Nominal is the window's length for alert thresholds: the rolling duration,
// or 7d, 30d and 90d for week, month and quarter. Alerting rules use one
// fixed threshold whatever the length of the current calendar period, and
// the SRE workbook counts a month as 30d. Nominal is 0 for an invalid window.
func (w Window) Nominal() time.Duration {
	if w.Rolling != 0 {
		return w.Rolling
	}
	switch w.Calendar {
	case CalendarWeek:
		return 7 * day
	case CalendarMonth:
		return 30 * day
	case CalendarQuarter:
		return 90 * day
	}
	return 0
}

// validate reports whether w is a usable window.
func (w Window) validate() error {
	switch {
	case w.Rolling < 0:
		return fmt.Errorf("window %s is negative", formatDuration(w.Rolling))
	case w.Rolling > 0 && w.Calendar != "":
		return fmt.Errorf("window has both a rolling duration %s and a calendar period %q", formatDuration(w.Rolling), w.Calendar)
	case w.Rolling > 0:
		return nil
	}
	switch w.Calendar {
	case CalendarWeek, CalendarMonth, CalendarQuarter:
		return nil
	case "":
		return errors.New("window is not set")
	}
	return fmt.Errorf("window %q is not week, month or quarter", w.Calendar)
}

// parseDuration parses a Prometheus duration (model.ParseDuration): "0", or
// <integer><unit> pairs with units y, w, d, h, m, s, ms from largest to
// smallest.
func parseDuration(s string) (time.Duration, error) {
	d, err := model.ParseDuration(s)
	return time.Duration(d), err
}

// formatDuration writes d in Prometheus notation counted in days: "28d",
// "90d", "1d12h", "5m", "0s". It is model.Duration.String without the
// folding into years and weeks, which would print 28d as "4w".
func formatDuration(d time.Duration) string {
	switch {
	case d == math.MinInt64: // has no positive counterpart
		return model.Duration(d).String()
	case d < 0:
		return "-" + formatDuration(-d)
	}
	days, rest := d/day, d%day
	if days == 0 {
		return model.Duration(d).String()
	}
	s := strconv.FormatInt(int64(days), 10) + "d"
	if rest.Truncate(time.Millisecond) != 0 {
		s += model.Duration(rest).String()
	}
	return s
}

// The calendar: a period p covers the instants (p.start, p.end], so the step
// ending exactly at Monday 00:00 belongs to the week before, and a calendar
// window evaluated at exactly Monday 00:00 is the whole previous week. All
// period starts are computed with time.Date in the report's location, so a
// day of 23 or 25 hours (DST) is as long as the wall clock says.

// periodStart returns the start of the calendar period p with
// p.start < t ≤ p.end.
func periodStart(cal string, t time.Time, loc *time.Location) time.Time {
	start := periodFloor(cal, t, loc)
	if !start.Before(t) {
		start = periodShift(cal, start, -1, loc)
	}
	return start
}

// periodFloor returns the start of the calendar period containing t in the
// usual half-open sense [start, end).
func periodFloor(cal string, t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	switch cal {
	case CalendarWeek:
		wd := (int(t.In(loc).Weekday()) + 6) % 7 // Monday = 0
		return time.Date(y, m, d-wd, 0, 0, 0, 0, loc)
	case CalendarMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	default: // Quarter
		return time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, loc)
	}
}

// periodShift moves a period start by n periods.
func periodShift(cal string, start time.Time, n int, loc *time.Location) time.Time {
	y, m, d := start.In(loc).Date()
	switch cal {
	case CalendarWeek:
		return time.Date(y, m, d+7*n, 0, 0, 0, 0, loc)
	case CalendarMonth:
		return time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, loc)
	default: // Quarter
		return time.Date(y, m+time.Month(3*n), 1, 0, 0, 0, 0, loc)
	}
}
