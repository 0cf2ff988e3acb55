package slo

import (
	"math"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin and Asia/Kathmandu without relying on the host
)

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in      string
		want    Window
		str     string
		nominal time.Duration
	}{
		{"week", Window{Calendar: CalendarWeek}, "week", 7 * day},
		{"month", Window{Calendar: CalendarMonth}, "month", 30 * day},
		{"quarter", Window{Calendar: CalendarQuarter}, "quarter", 90 * day},
		{"28d", Window{Rolling: 28 * day}, "28d", 28 * day},
		{"30d", Window{Rolling: 30 * day}, "30d", 30 * day},
		{"7d", Window{Rolling: 7 * day}, "7d", 7 * day},
		{"1w", Window{Rolling: 7 * day}, "7d", 7 * day},       // weeks are not folded back in
		{"4w2d", Window{Rolling: 30 * day}, "30d", 30 * day},  // 28d + 2d
		{"1y", Window{Rolling: 365 * day}, "365d", 365 * day}, // a Prometheus year is 365d
		{"1d12h", Window{Rolling: 36 * time.Hour}, "1d12h", 36 * time.Hour},
		{"90m", Window{Rolling: 90 * time.Minute}, "1h30m", 90 * time.Minute},
	}
	for _, tt := range tests {
		got, err := ParseWindow(tt.in)
		if err != nil {
			t.Errorf("ParseWindow(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseWindow(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if s := got.String(); s != tt.str {
			t.Errorf("ParseWindow(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
		if n := got.Nominal(); n != tt.nominal {
			t.Errorf("ParseWindow(%q).Nominal() = %v, want %v", tt.in, n, tt.nominal)
		}
	}
}

func TestParseWindowErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", `parse window "": empty duration string`},
		{"0", `parse window "0": window must be longer than zero`},
		{"0d", `parse window "0d": window must be longer than zero`},
		{"28x", `unknown unit "x"`},
		{"1.5d", `unknown unit "."`},
		{"d", "not a valid duration string"},
		{"-1d", "not a valid duration string"},
		{"30m1h", "not a valid duration string"}, // units out of order
		{"1h1h", "not a valid duration string"},  // a unit twice
		{"weekly", "not a valid duration string"},
		{"Week", "not a valid duration string"},
		{"99999999999y", "duration out of range"},
	}
	for _, tt := range tests {
		_, err := ParseWindow(tt.in)
		if err == nil {
			t.Errorf("ParseWindow(%q): no error, want one containing %q", tt.in, tt.msg)
			continue
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseWindow(%q) = %q, want it to contain %q", tt.in, err, tt.msg)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{5 * time.Minute, "5m"},
		{10 * time.Minute, "10m"},
		{63 * time.Minute, "1h3m"},
		{day + 2*time.Minute, "1d2m"},
		{90*day + 90*time.Second, "90d1m30s"},
		{1500 * time.Millisecond, "1s500ms"},
		{-5 * time.Minute, "-5m"},
		{math.MinInt64, "-106751d23h47m16s854ms"}, // no positive counterpart
	}
	for _, tt := range tests {
		if got := formatDuration(tt.d); got != tt.want {
			t.Errorf("formatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"week", "28d", "1w", "4w2d", "1y2w3d4h5m6s7ms", "30m1h", "", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWindow(s)
		if err != nil {
			return
		}
		if w.validate() != nil {
			t.Fatalf("ParseWindow(%q) = %+v, which does not validate", s, w)
		}
		if w.Rolling > 0 {
			back, err := ParseWindow(w.String())
			if err != nil || back != w {
				t.Fatalf("ParseWindow(%q).String() = %q does not parse back: %+v, %v", s, w.String(), back, err)
			}
		}
	})
}

// The calendar periods in Europe/Berlin around the 2026 DST changes:
// CET (UTC+1) until Sunday 2026-03-29 02:00, CEST (UTC+2) until Sunday
// 2026-10-25 03:00.
func TestPeriodStart(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		cal       string
		at, start string
	}{
		// Mid-week: Monday 2026-03-23 00:00 CET = 2026-03-22T23:00Z.
		{CalendarWeek, "2026-03-25T12:00:00Z", "2026-03-22T23:00:00Z"},
		// Exactly Monday 2026-03-30 00:00 CEST = 2026-03-29T22:00Z: still the
		// week before, (start, end] includes its end.
		{CalendarWeek, "2026-03-29T22:00:00Z", "2026-03-22T23:00:00Z"},
		// One nanosecond later the new week has begun.
		{CalendarWeek, "2026-03-29T22:00:00.000000001Z", "2026-03-29T22:00:00Z"},
		// Autumn: Monday 2026-10-19 00:00 CEST = 2026-10-18T22:00Z.
		{CalendarWeek, "2026-10-25T23:00:00Z", "2026-10-18T22:00:00Z"},
		// Month: 2026-03-01 00:00 CET and 2026-10-01 00:00 CEST.
		{CalendarMonth, "2026-03-31T22:00:00Z", "2026-02-28T23:00:00Z"},
		{CalendarMonth, "2026-10-31T23:00:00Z", "2026-09-30T22:00:00Z"},
		{CalendarMonth, "2026-11-01T00:00:00Z", "2026-10-31T23:00:00Z"},
		// Quarter: 2026-01-01 00:00 CET, 2026-04-01 00:00 CEST, 2026-10-01 00:00 CEST.
		{CalendarQuarter, "2026-03-31T22:00:00Z", "2025-12-31T23:00:00Z"},
		{CalendarQuarter, "2026-05-15T10:00:00Z", "2026-03-31T22:00:00Z"},
		{CalendarQuarter, "2026-12-31T23:00:00Z", "2026-09-30T22:00:00Z"},
	}
	for _, tt := range tests {
		got := periodStart(tt.cal, utc(tt.at), berlin)
		if want := utc(tt.start); !got.Equal(want) {
			t.Errorf("periodStart(%s, %s) = %s, want %s", tt.cal, tt.at, got.UTC().Format(time.RFC3339), tt.start)
		}
	}
}

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestBadFraction(t *testing.T) {
	for _, c := range []struct {
		objective float64
		total     float64
		allowed   float64
	}{
		{99.9, 100000, 100},
		{99.9, 18143125, 18143.125},
		{99.95, 2000, 1},
		{99.999, 1e6, 10},
		{99, 12000, 120},
		{50, 3, 1.5},
	} {
		if got := badFraction(c.objective) * c.total; got != c.allowed {
			t.Errorf("objective %v of %v: allowed %v, want exactly %v", c.objective, c.total, got, c.allowed)
		}
	}
}
