package config

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"
	"github.com/teambition/rrule-go"

	"github.com/relia-dev/relia/internal/slo"
)

// Adjustment is one `[[adjustments]]` entry: planned maintenance whose steps
// count as neither good nor bad. It is one-off (Start, End) or recurring
// (an iCal RRULE with a Duration per occurrence).
type Adjustment struct {
	Name       string
	SLOs       []string // SLO ids, or "*" for every SLO
	Start, End time.Time
	RRule      string
	Duration   time.Duration
	Line       int

	rule  *rrule.RRule
	limit int // most occurrences expanded at once: Limits.MaxAdjustmentOccurrences
	memo  *intervalMemo
}

// intervalMemo keeps the last expansion of a recurring adjustment: every
// SLO of a build asks for the same span, and walking an RRULE from its
// anchor costs more than the rest of an SLO's computation.
type intervalMemo struct {
	mu       sync.Mutex
	from, to time.Time
	out      []slo.Interval
}

// AnchorDefault is where a recurring adjustment without `start` begins to
// count: rules such as FREQ=DAILY;INTERVAL=2 need a first day, and the
// wall clock must never decide it.
var AnchorDefault = time.Date(2000, 1, 3, 0, 0, 0, 0, time.UTC) // a Monday

type rawAdjustment struct {
	Name     string   `toml:"name"`
	SLOs     []string `toml:"slos"`
	Start    tomlTime `toml:"start"`
	End      tomlTime `toml:"end"`
	RRule    string   `toml:"rrule"`
	Duration string   `toml:"duration"`
}

// Applies reports whether the adjustment covers the SLO id.
func (a Adjustment) Applies(id string) bool {
	return slices.Contains(a.SLOs, "*") || slices.Contains(a.SLOs, id)
}

// Intervals expands the adjustment into the spans that overlap (from, to].
func (a Adjustment) Intervals(from, to time.Time) []slo.Interval {
	if a.rule == nil {
		if a.End.After(from) && a.Start.Before(to) {
			return []slo.Interval{{Start: a.Start, End: a.End}}
		}
		return nil
	}
	if a.memo != nil {
		a.memo.mu.Lock()
		defer a.memo.mu.Unlock()
		if a.memo.from.Equal(from) && a.memo.to.Equal(to) && a.memo.out != nil {
			return slices.Clone(a.memo.out)
		}
	}
	out := []slo.Interval{}
	// An occurrence that began up to Duration before from still overlaps.
	// The validation bounded how many fall in a history; the limit here
	// guards a span longer than that.
	next := ruleNear(a.rule, from.Add(-a.Duration)).Iterator()
	for start, ok := next(); ok && start.Before(to); start, ok = next() {
		end := start.Add(a.Duration)
		if !end.After(from) {
			continue
		}
		if a.limit > 0 && len(out) >= a.limit {
			break
		}
		out = append(out, slo.Interval{Start: start, End: end})
	}
	if a.memo != nil {
		a.memo.from, a.memo.to, a.memo.out = from, to, out
		return slices.Clone(out)
	}
	return out
}

// ruleNear returns a rule with the same occurrences as r from t on, but
// anchored less than a period and a day before t, where that keeps them
// the same: walking from the anchor (by default in 2000) to a report in
// 2026 cost 7 s for a rule such as FREQ=SECONDLY;BYMINUTE=0;BYSECOND=0,
// whose occurrences are few but whose candidates are every second.
//
// rrule-go counts in the anchor's wall-clock fields, so moving the anchor
// by whole days that are also whole periods (INTERVAL × FREQ) keeps every
// later occurrence: the filters (BYHOUR, BYDAY, ...) and the defaults
// taken from the anchor (its time of day, its weekday for WEEKLY) stay
// the same, and BYSETPOS picks within one period. COUNT counts from the
// first occurrence, and MONTHLY and YEARLY rules walk few candidates, so
// those keep their anchor.
func ruleNear(r *rrule.RRule, t time.Time) *rrule.RRule {
	opt := r.OrigOptions
	interval := max(opt.Interval, 1)
	var days int // the days of a whole number of periods
	switch opt.Freq {
	case rrule.WEEKLY:
		days = 7 * interval
	case rrule.DAILY:
		days = interval
	case rrule.HOURLY:
		days = lcm(interval, 24) / 24
	case rrule.MINUTELY:
		days = lcm(interval, 24*60) / (24 * 60)
	case rrule.SECONDLY:
		days = lcm(interval, 24*60*60) / (24 * 60 * 60)
	default:
		return r
	}
	anchor := opt.Dtstart
	if opt.Count != 0 || days <= 0 {
		return r
	}
	loc := anchor.Location()
	// Whole days between the anchor's date and the day before t's, both
	// in the anchor's zone, counted on the calendar (as rrule-go does).
	ty, tm, td := t.In(loc).Date()
	ay, am, ad := anchor.Date()
	gap := int(time.Date(ty, tm, td-1, 0, 0, 0, 0, time.UTC).Sub(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
	h, mi, sec := anchor.Clock()
	for k := gap / days; k > 0; k-- {
		start := time.Date(ay, am, ad+k*days, h, mi, sec, anchor.Nanosecond(), loc)
		if sh, smi, ss := start.Clock(); sh != h || smi != mi || ss != sec {
			continue // the anchor's time does not exist that day (a DST gap)
		}
		opt.Dtstart = start
		near, err := rrule.NewRRule(opt)
		if err != nil {
			return r
		}
		return near
	}
	return r
}

func lcm(a, b int) int {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return a / x * b
}

// Excluded returns, for the SLO id, every adjustment interval overlapping
// (from, to], sorted by start.
func (c *Config) Excluded(id string, from, to time.Time) []slo.Interval {
	var out []slo.Interval
	for _, a := range c.Adjustments {
		if a.Applies(id) {
			out = append(out, a.Intervals(from, to)...)
		}
	}
	slices.SortFunc(out, func(x, y slo.Interval) int { return x.Start.Compare(y.Start) })
	return out
}

// tomlTime keeps a TOML date-time as written. Decoding into a time.Time
// directly would put one written without an offset in the machine's zone;
// relia reads it in the site's zone instead (see inZone).
type tomlTime struct{ time.Time }

func (t *tomlTime) UnmarshalTOML(v any) error {
	tt, ok := v.(time.Time)
	if !ok {
		return fmt.Errorf("expected a date-time such as 2026-11-15T02:00:00, got %v", v)
	}
	t.Time = tt
	return nil
}

// inZone reads a TOML local date-time (written without an offset) as a time
// in the site's zone; one with an offset stays as written.
func inZone(t time.Time, loc *time.Location) time.Time {
	switch t.Location().String() {
	case "datetime-local", "date-local":
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
	}
	return t
}

func (v *validator) adjustment(cfg *Config, i int, ra rawAdjustment, ids map[string]bool) (Adjustment, bool) {
	at := fmt.Sprintf("adjustments[%d]", i)
	name := at
	if ra.Name != "" {
		name = fmt.Sprintf("adjustments[%s]", ra.Name)
	}
	before := len(v.errs)
	a := Adjustment{Name: ra.Name, SLOs: ra.SLOs, RRule: ra.RRule, Line: v.lines.line(at)}
	if ra.Name == "" {
		v.fail(at, name+".name", `missing; expected a name such as "Sunday maintenance"`)
	}
	if len(ra.SLOs) == 0 {
		v.fail(at, name+".slos", `missing; expected SLO ids such as ["checkout/availability"], or ["*"] for all`)
	}
	for _, id := range ra.SLOs {
		if id != "*" && !ids[id] {
			v.fail(at+".slos", name+".slos", "unknown SLO %q", id)
		}
	}
	if !ra.Start.IsZero() {
		a.Start = inZone(ra.Start.Time, cfg.Location)
	}
	if !ra.End.IsZero() {
		a.End = inZone(ra.End.Time, cfg.Location)
	}
	switch {
	case ra.RRule != "":
		if !ra.End.IsZero() {
			v.fail(at+".end", name+".end", "a recurring adjustment takes rrule and duration, not end")
		}
		if ra.Duration == "" {
			v.fail(at, name+".duration", `missing; a recurring adjustment needs the length of each occurrence, such as "4h"`)
		} else if d, ok := v.duration(at+".duration", name+".duration", ra.Duration); ok {
			a.Duration = d
		}
		anchor := a.Start
		if anchor.IsZero() {
			anchor = time.Date(AnchorDefault.Year(), AnchorDefault.Month(), AnchorDefault.Day(), 0, 0, 0, 0, cfg.Location)
		}
		opt, err := rrule.StrToROptionInLocation(strings.TrimPrefix(ra.RRule, "RRULE:"), cfg.Location)
		if err != nil {
			v.fail(at+".rrule", name+".rrule", "not an iCal RRULE such as \"FREQ=WEEKLY;BYDAY=SU;BYHOUR=2\": %v", err)
			break
		}
		if !opt.Dtstart.IsZero() {
			v.fail(at+".rrule", name+".rrule", "DTSTART is not allowed in rrule; set start instead")
			break
		}
		opt.Dtstart = anchor
		rule, err := rrule.NewRRule(*opt)
		if err != nil {
			v.fail(at+".rrule", name+".rrule", "%v", err)
			break
		}
		a.rule, a.limit, a.memo = rule, cfg.Limits.MaxAdjustmentOccurrences, &intervalMemo{}
		// A rule that recurs every second or minute would exclude in
		// millions of pieces: bound the occurrences in a history's span
		// (plus a quarter, the longest window).
		span := cfg.History + 92*24*time.Hour
		n, next := 0, rule.Iterator()
		for t, ok := next(); ok && t.Before(anchor.Add(span)); t, ok = next() {
			if n++; n > cfg.Limits.MaxAdjustmentOccurrences {
				v.fail(at+".rrule", name+".rrule", "recurs more than %d times in %s (the history and the longest window), the limit (raise it with max_adjustment_occurrences in [limits])",
					cfg.Limits.MaxAdjustmentOccurrences, model.Duration(span))
				break
			}
		}
		// Occurrences longer than the gap between them would overlap.
		if a.Duration > 0 && n <= cfg.Limits.MaxAdjustmentOccurrences {
			var occ []time.Time
			next := rule.Iterator()
			for t, ok := next(); ok && len(occ) < 1000 && t.Before(anchor.AddDate(2, 0, 0)); t, ok = next() {
				occ = append(occ, t)
			}
			for j := 1; j < len(occ); j++ {
				if gap := occ[j].Sub(occ[j-1]); gap < a.Duration {
					v.fail(at+".duration", name+".duration", "occurrences overlap: %s is longer than the %s between %s and %s",
						model.Duration(a.Duration), model.Duration(gap), occ[j-1].Format(time.RFC3339), occ[j].Format(time.RFC3339))
					break
				}
			}
		}
	case ra.Start.IsZero() && ra.End.IsZero():
		v.fail(at, name+".start", "missing; expected start and end (one-off) or rrule and duration (recurring)")
	case ra.Start.IsZero():
		v.fail(at, name+".start", "missing; a one-off adjustment needs start and end")
	case ra.End.IsZero():
		v.fail(at, name+".end", "missing; a one-off adjustment needs start and end")
	case !a.End.After(a.Start):
		v.fail(at+".end", name+".end", "%s is not after start %s", a.End.Format(time.RFC3339), a.Start.Format(time.RFC3339))
	default:
		if ra.Duration != "" {
			v.fail(at+".duration", name+".duration", "a one-off adjustment takes start and end, not duration")
		}
	}
	return a, len(v.errs) == before
}

// overlaps rejects one-off adjustments of a common SLO whose spans overlap:
// two names for the same maintenance make the report ambiguous. Recurring
// ones are checked in their first two years and wherever a one-off lies.
func (v *validator) overlaps(adjs []Adjustment) {
	type span struct {
		a    int
		s, e time.Time
	}
	var spans []span
	for i, a := range adjs {
		if a.rule == nil {
			spans = append(spans, span{i, a.Start, a.End})
			continue
		}
		if a.limit == 0 {
			continue // rejected above: too many occurrences
		}
		// Its first two years, and wherever a one-off adjustment lies.
		ranges := [][2]time.Time{{a.rule.GetDTStart(), a.rule.GetDTStart().AddDate(2, 0, 0)}}
		for _, o := range adjs {
			if o.rule == nil {
				ranges = append(ranges, [2]time.Time{o.Start, o.End})
			}
		}
		for _, r := range ranges {
			for _, in := range a.Intervals(r[0], r[1]) {
				spans = append(spans, span{i, in.Start, in.End})
			}
		}
	}
	slices.SortStableFunc(spans, func(x, y span) int { return x.s.Compare(y.s) })
	reported := map[[2]int]bool{}
	for i := range spans {
		for j := i + 1; j < len(spans) && spans[j].s.Before(spans[i].e); j++ {
			x, y := adjs[spans[i].a], adjs[spans[j].a]
			pair := [2]int{min(spans[i].a, spans[j].a), max(spans[i].a, spans[j].a)}
			if spans[i].a == spans[j].a || reported[pair] || !shareSLO(x, y) {
				continue
			}
			reported[pair] = true
			later := adjs[pair[1]]
			v.errs = append(v.errs, &Error{File: v.file, Line: later.Line, Key: fmt.Sprintf("adjustments[%s]", later.Name),
				Msg: fmt.Sprintf("overlaps adjustment %q (line %d) at %s", adjs[pair[0]].Name, adjs[pair[0]].Line, spans[j].s.Format(time.RFC3339))})
		}
	}
}

func shareSLO(x, y Adjustment) bool {
	if slices.Contains(x.SLOs, "*") || slices.Contains(y.SLOs, "*") {
		return true
	}
	for _, id := range x.SLOs {
		if slices.Contains(y.SLOs, id) {
			return true
		}
	}
	return false
}
