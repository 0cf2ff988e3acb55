package config

import (
	"strings"
	"testing"
	"time"
)

const adjBase = `timezone = "Europe/Berlin"
[sources.a]
type = "snapshot"
path = "a.json"
[[slos]]
service = "web"
name = "availability"
objective = 99
good = "g"
total = "t"
`

func TestAdjustments(t *testing.T) {
	cfg, err := Parse("relia.toml", []byte(adjBase+`
[[adjustments]]
name     = "Sunday maintenance"
slos     = ["*"]
rrule    = "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2"
duration = "4h"

[[adjustments]]
name  = "Datacentre move"
slos  = ["web/availability"]
start = 2026-11-11T22:00:00
end   = 2026-11-12T01:00:00
`))
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if len(cfg.Adjustments) != 2 || cfg.Policy.IncidentBudgetShare != 20 || !strings.HasPrefix(cfg.Policy.ExhaustedAction, "Freeze feature releases") {
		t.Fatalf("%+v %+v", cfg.Adjustments, cfg.Policy)
	}
	// Local date-times are read in the site zone: 22:00 CET is 21:00 UTC.
	if got := cfg.Adjustments[1].Start; !got.Equal(time.Date(2026, 11, 11, 21, 0, 0, 0, time.UTC)) {
		t.Errorf("one-off start %v", got)
	}
	// Sundays 02:00–06:00 Berlin time, across the change to summer time
	// on 2026-03-29: 02:00 CET is 01:00 UTC in March, 02:00 CEST 00:00 UTC
	// after; on the change day itself 02:00 does not exist and the library
	// moves it to 03:00 CEST.
	from := time.Date(2026, 3, 20, 0, 0, 0, 0, berlin)
	to := time.Date(2026, 4, 6, 0, 0, 0, 0, berlin)
	got := cfg.Excluded("web/availability", from, to)
	var starts []string
	for _, in := range got {
		starts = append(starts, in.Start.UTC().Format(time.RFC3339)+"+"+in.End.Sub(in.Start).String())
	}
	want := []string{"2026-03-22T01:00:00Z+4h0m0s", "2026-03-29T01:00:00Z+4h0m0s", "2026-04-05T00:00:00Z+4h0m0s"}
	if strings.Join(starts, " ") != strings.Join(want, " ") {
		t.Errorf("occurrences:\n got %v\nwant %v", starts, want)
	}
	// The one-off and a Sunday occurrence, sorted by start.
	got = cfg.Excluded("web/availability", time.Date(2026, 11, 8, 0, 0, 0, 0, berlin), time.Date(2026, 11, 16, 0, 0, 0, 0, berlin))
	if len(got) != 3 || !got[0].Start.Before(got[1].Start) || !got[1].Start.Before(got[2].Start) {
		t.Errorf("sorted intervals: %+v", got)
	}
}

func TestAdjustmentErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"bad rrule", `
[[adjustments]]
name = "x"
slos = ["*"]
rrule = "FREQ=SOMETIMES"
duration = "1h"
`, `relia.toml:15: adjustments[x].rrule: not an iCal RRULE such as "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2": `},
		{"reversed", `
[[adjustments]]
name = "x"
slos = ["web/availability"]
start = 2026-11-12T01:00:00Z
end = 2026-11-11T22:00:00Z
`, `relia.toml:16: adjustments[x].end: 2026-11-11T22:00:00Z is not after start 2026-11-12T01:00:00Z`},
		{"overlapping", `
[[adjustments]]
name = "a"
slos = ["*"]
start = 2026-11-11T22:00:00Z
end = 2026-11-12T01:00:00Z

[[adjustments]]
name = "b"
slos = ["web/availability"]
start = 2026-11-12T00:00:00Z
end = 2026-11-12T03:00:00Z
`, `relia.toml:18: adjustments[b]: overlaps adjustment "a" (line 12) at 2026-11-12T00:00:00Z`},
		{"recurring over one-off", `
[[adjustments]]
name = "weekly"
slos = ["*"]
rrule = "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2"
duration = "4h"

[[adjustments]]
name = "move"
slos = ["web/availability"]
start = 2026-11-15T00:00:00Z
end = 2026-11-15T02:00:00Z
`, `relia.toml:18: adjustments[move]: overlaps adjustment "weekly" (line 12)`},
		{"self-overlapping", `
[[adjustments]]
name = "x"
slos = ["*"]
rrule = "FREQ=DAILY"
duration = "25h"
`, `relia.toml:16: adjustments[x].duration: occurrences overlap: 1d1h is longer than the 1d`},
		{"unknown slo", `
[[adjustments]]
name = "x"
slos = ["web/latency"]
start = 2026-11-11T22:00:00Z
end = 2026-11-12T01:00:00Z
`, `relia.toml:14: adjustments[x].slos: unknown SLO "web/latency"`},
		{"neither", `
[[adjustments]]
name = "x"
slos = ["*"]
`, `relia.toml:12: adjustments[x].start: missing; expected start and end (one-off) or rrule and duration (recurring)`},
		{"secondly", `
[[adjustments]]
name = "x"
slos = ["*"]
rrule = "FREQ=SECONDLY"
duration = "1s"
`, `relia.toml:15: adjustments[x].rrule: recurs more than 100000 times in 26w (the history and the longest window), the limit (raise it with max_adjustment_occurrences in [limits])`},
		{"minutely over a raised limit", `
[[adjustments]]
name = "x"
slos = ["*"]
rrule = "FREQ=MINUTELY"
duration = "30s"

[limits]
max_adjustment_occurrences = 1000
`, `relia.toml:15: adjustments[x].rrule: recurs more than 1000 times in 26w`},
		{"share", `
[policy]
incident_budget_share = 0
`, `relia.toml:13: policy.incident_budget_share: expected a percentage of budget in (0, 100], got 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("relia.toml", []byte(adjBase+tt.src))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got  %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestHistoryLimit checks that a history of millions of steps stops at the
// history line, and that [limits] raises the bound.
func TestHistoryLimit(t *testing.T) {
	_, err := Parse("relia.toml", []byte("history = \"10000d\"\n"+adjBase))
	want := "relia.toml:1: history: 10000d is 2880000 steps of 5m, more than the limit of 1100000 (raise it with max_steps in [limits])"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	if _, err := Parse("relia.toml", []byte("history = \"10000d\"\n"+adjBase+"[limits]\nmax_steps = 3000000\n")); err != nil {
		t.Errorf("raised limit: %v", err)
	}
}
