package slo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// spansReport computes a 1d-window SLO over 3 days of history at 5 minutes
// with incidents, gaps and the per-step detail.
func spansReport(t *testing.T) *Report {
	t.Helper()
	const step = 5 * time.Minute
	spec := Spec{ID: "a/b", Objective: 99.5, Window: Window{Rolling: 24 * time.Hour}, Budgeting: Occurrences}
	opts := Options{Now: testNow, History: 3 * 24 * time.Hour, Step: step, StepDetail: true}
	s := seriesFor(spec, opts, func(time.Time) pair { return pair{} })
	generate(s, 7)
	return mustCompute(t, spec, s, opts)
}

// sameTimeline compares two timelines value by value, NaN equal to NaN,
// and nil apart from empty.
func sameTimeline(a, b Timeline) bool {
	eq := func(x, y []float64) bool {
		if (x == nil) != (y == nil) || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] && !(math.IsNaN(x[i]) && math.IsNaN(y[i])) {
				return false
			}
		}
		return true
	}
	if !a.FirstEnd.Equal(b.FirstEnd) || a.Step != b.Step || len(a.Burn) != len(b.Burn) || a.Short.Label != b.Short.Label {
		return false
	}
	for j := range a.Burn {
		if a.Burn[j].Label != b.Burn[j].Label || !eq(a.Burn[j].Values, b.Burn[j].Values) {
			return false
		}
	}
	return eq(a.SLI, b.SLI) && eq(a.BudgetRemaining, b.BudgetRemaining) && eq(a.Bad, b.Bad) &&
		eq(a.Total, b.Total) && eq(a.Allowed, b.Allowed) && eq(a.Short.Values, b.Short.Values)
}

// TestSpansWithin checks that what Keep holds reads the same as the whole
// timeline, for random spans on and off the grid, partly or wholly outside
// the history, and for spans inside others or touching them.
func TestSpansWithin(t *testing.T) {
	r := spansReport(t)
	tl := r.Timeline
	whole := tl.Whole()
	rng := rand.New(rand.NewPCG(1, 2))
	histStart := tl.FirstEnd.Add(-tl.Step)
	span := time.Duration(len(tl.SLI)) * tl.Step
	randTime := func() time.Time {
		// From a day before the history to a day after the report time.
		return histStart.Add(-24*time.Hour + time.Duration(rng.Int64N(int64(span+48*time.Hour))))
	}
	for range 200 {
		var need []Interval
		for range 1 + rng.IntN(4) {
			from := randTime()
			need = append(need, Interval{Start: from, End: from.Add(time.Duration(rng.Int64N(int64(6 * time.Hour))))})
		}
		// A span inside the first, and one that starts where it ends.
		in := need[0]
		need = append(need, Interval{Start: in.Start.Add(in.End.Sub(in.Start) / 3), End: in.End.Add(-in.End.Sub(in.Start) / 3)})
		need = append(need, Interval{Start: in.End, End: in.End.Add(17 * time.Minute)})
		kept := tl.Keep(need)
		for _, iv := range need {
			if got, want := kept.Within(iv.Start, iv.End), whole.Within(iv.Start, iv.End); !sameTimeline(got, want) {
				t.Fatalf("Within(%s, %s) of kept %v differs from the whole timeline's:\n%+v\n%+v", iv.Start, iv.End, need, got, want)
			}
		}
		if limit := int(4*(6*time.Hour/tl.Step+2) + 17*time.Minute/tl.Step + 2); kept.Kept() > limit {
			t.Fatalf("kept %d steps for %v", kept.Kept(), need)
		}
	}
}

// TestSpansKeepCopies checks that kept steps are copies: the whole
// timeline can be dropped (or changed) without touching them.
func TestSpansKeepCopies(t *testing.T) {
	r := spansReport(t)
	tl := r.Timeline
	from := tl.FirstEnd.Add(10 * tl.Step)
	kept := tl.Keep([]Interval{{Start: from, End: from.Add(time.Hour)}})
	if kept.Kept() != 12 {
		t.Fatalf("kept %d steps, want 12", kept.Kept())
	}
	before := kept.Within(from, from.Add(time.Hour))
	want := append([]float64(nil), before.SLI...)
	for i := range tl.SLI {
		tl.SLI[i], tl.Bad[i], tl.Burn[0].Values[i] = -1, -1, -1
	}
	after := kept.Within(from, from.Add(time.Hour))
	if !reflect.DeepEqual(after.SLI, want) || after.Bad[0] == -1 || after.Burn[0].Values[0] == -1 {
		t.Fatalf("kept steps changed with the timeline: %v", after.SLI)
	}
}

// TestSpansNotKept checks that reading a step that was not kept panics
// rather than read other data, and that a span without any step of the
// history reads as empty, with its place and the series' labels.
func TestSpansNotKept(t *testing.T) {
	r := spansReport(t)
	tl := r.Timeline
	from := tl.FirstEnd.Add(100 * tl.Step)
	kept := tl.Keep([]Interval{{Start: from, End: from.Add(time.Hour)}})

	before := tl.FirstEnd.Add(-48 * time.Hour)
	empty := kept.Within(before, before.Add(time.Hour))
	if len(empty.SLI) != 0 || empty.SLI == nil || !empty.FirstEnd.Equal(tl.FirstEnd) || len(empty.Burn) != 4 || empty.Burn[3].Label != "3d" || empty.Short.Label != "5m" {
		t.Fatalf("span before the history: %+v", empty)
	}
	if got := kept.Within(before, before.Add(time.Hour)); !sameTimeline(got, tl.Whole().Within(before, before.Add(time.Hour))) {
		t.Fatalf("span before the history differs from the whole timeline's: %+v", got)
	}

	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "were not kept") {
			t.Fatalf("reading a step not kept: recovered %q, want a panic", msg)
		}
	}()
	kept.Within(from, from.Add(2*time.Hour)) // an hour beyond what was kept
}

// TestSpansMeasure checks that Measure reads from the kept MeasuredSpan
// what it reads from the whole timeline, for random spans: on and off the
// grid, of no duration, ending before they start, outside the history.
func TestSpansMeasure(t *testing.T) {
	r := spansReport(t)
	tl := r.Timeline
	whole := tl.Whole()
	rng := rand.New(rand.NewPCG(3, 4))
	histStart := tl.FirstEnd.Add(-tl.Step)
	span := time.Duration(len(tl.SLI)) * tl.Step
	measured := 0
	for i := range 500 {
		start := histStart.Add(-6*time.Hour + time.Duration(rng.Int64N(int64(span+12*time.Hour))))
		end := start.Add(time.Duration(rng.Int64N(int64(4*time.Hour))) - 30*time.Minute)
		if i%10 == 0 {
			end = start
		}
		kept := tl.Keep([]Interval{MeasuredSpan(start, end, tl.Step)})
		got, want := Measure(r, kept, start, end, 30*time.Minute), Measure(r, whole, start, end, 30*time.Minute)
		if fmtImpact(got) != fmtImpact(want) {
			t.Fatalf("Measure(%s, %s): kept %s, whole %s", start, end, fmtImpact(got), fmtImpact(want))
		}
		if !want.NoData {
			measured++
		}
	}
	if measured < 400 {
		t.Fatalf("only %d of 500 spans had data", measured)
	}
	// Without the per-step detail nothing can be measured.
	noDetail := Timeline{FirstEnd: tl.FirstEnd, Step: tl.Step, SLI: tl.SLI, BudgetRemaining: tl.BudgetRemaining, Burn: tl.Burn}
	if im := Measure(r, noDetail.Keep([]Interval{{Start: histStart, End: testNow}}), histStart, testNow, 0); !im.NoData {
		t.Fatalf("measured without the detail: %+v", im)
	}
}

// fmtImpact prints every field of an impact, NaN as NaN, so that two
// impacts compare as text.
func fmtImpact(im Impact) string { return fmt.Sprintf("%+v", im) }
