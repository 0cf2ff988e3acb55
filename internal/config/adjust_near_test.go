package config

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teambition/rrule-go"
)

// ruleNear moves a rule's anchor close to the span asked for without
// changing one occurrence in it: checked against walking the rule from its
// anchor, for rules of every frequency it moves, in zones with summer time
// (Lord Howe's moves by 30 minutes), with anchors on and off DST changes.
func TestRuleNear(t *testing.T) {
	rules := []string{
		"FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", "FREQ=WEEKLY;INTERVAL=3", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;BYSETPOS=-1",
		"FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=SU,SA", "FREQ=DAILY;INTERVAL=5", "FREQ=DAILY;BYMONTH=3,10;BYHOUR=1,2,3",
		"FREQ=DAILY;INTERVAL=2;BYSETPOS=1;BYHOUR=4,5", "FREQ=HOURLY;INTERVAL=5", "FREQ=HOURLY;INTERVAL=7;BYDAY=SU",
		"FREQ=HOURLY;BYHOUR=2;BYMINUTE=30", "FREQ=MINUTELY;INTERVAL=97", "FREQ=MINUTELY;INTERVAL=90;BYHOUR=1,2,3",
		"FREQ=SECONDLY;BYMINUTE=0;BYSECOND=0", "FREQ=SECONDLY;INTERVAL=7919;BYMONTHDAY=1,15",
		"FREQ=SECONDLY;INTERVAL=86401;BYHOUR=2", "FREQ=DAILY;UNTIL=20261001T000000Z", "FREQ=MONTHLY;BYDAY=1SU",
		"FREQ=DAILY;COUNT=4000",
	}
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, zone := range zones {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		anchors := []time.Time{
			time.Date(2000, 1, 3, 0, 0, 0, 0, loc),
			time.Date(2020, 3, 29, 2, 30, 0, 0, loc),  // a DST gap in Berlin
			time.Date(2020, 10, 25, 2, 30, 0, 0, loc), // the fold after it
			time.Date(2020, 11, 5, 2, 15, 7, 0, loc),
		}
		for _, text := range rules {
			for i, anchor := range anchors {
				if i == 0 && (strings.Contains(text, "SECONDLY") || strings.Contains(text, "MINUTELY")) {
					continue // walking from 2000 every second takes the test seconds
				}
				opt, err := rrule.StrToROptionInLocation(text, loc)
				if err != nil {
					t.Fatal(err)
				}
				opt.Dtstart = anchor
				r, err := rrule.NewRRule(*opt)
				if err != nil {
					t.Fatal(err)
				}
				for range 3 {
					from := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(200 * 24 * time.Hour))))
					to := from.Add(time.Duration(rng.Int64N(int64(60 * 24 * time.Hour))))
					if got, want := occurrences(ruleNear(r, from), from, to), occurrences(r, from, to); !slices.EqualFunc(got, want, time.Time.Equal) {
						t.Errorf("%s %s from %s, (%s, %s]: got %d occurrences, want %d\n got %s\nwant %s", zone, text, anchor, from, to, len(got), len(want), head(got), head(want))
					}
				}
			}
		}
	}
}

func occurrences(r *rrule.RRule, from, to time.Time) []time.Time {
	var out []time.Time
	next := r.Iterator()
	for t, ok := next(); ok && !t.After(to); t, ok = next() {
		if t.After(from) {
			out = append(out, t)
		}
	}
	return out
}

func head(ts []time.Time) string {
	var b strings.Builder
	for _, t := range ts[:min(len(ts), 4)] {
		fmt.Fprintf(&b, "%s ", t.Format(time.RFC3339))
	}
	return b.String()
}
