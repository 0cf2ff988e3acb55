package slo

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Spans is what a build keeps of a report's timeline once the SLO's page
// is written: only the steps that chaos runs, retrospectives and chart
// blocks read later, as pieces that know their place in the whole
// timeline. A timeline of 90 days at one minute is 130,000 steps; the
// spans those readers need are a few hours each. Every reader asks
// through Within (Measure does too), so a reader sees the same steps and
// indexes from Spans as from the whole timeline.
//
// Every per-step value of a Timeline is complete at its step (the window
// SLI, budget remaining, burn rates over their lookbacks and the allowed
// bad units are computed from prefix sums when the timeline is made), so a
// span needs no steps before it: no look-back of a reader reaches outside
// the steps it reads.
type Spans struct {
	FirstEnd time.Time     // end of the whole timeline's first step
	Step     time.Duration // grid spacing
	Len      int           // steps of the whole timeline

	detail bool        // the timeline has the per-step detail Measure reads (Options.StepDetail)
	shape  Timeline    // the series' labels without values, for spans with no step
	pieces []spanPiece // in order, neither overlapping nor touching
}

// spanPiece is a run of consecutive steps of the whole timeline.
type spanPiece struct {
	off int      // index of its first step in the whole timeline
	tl  Timeline // its steps; tl.FirstEnd is the end of step off
}

// Whole is the whole timeline as Spans, sharing its values.
func (tl Timeline) Whole() *Spans {
	s := tl.spans()
	if s.Len > 0 {
		s.pieces = []spanPiece{{off: 0, tl: tl}}
	}
	return s
}

// Keep copies the steps ending in (Start, End] of each interval, clamped to
// the timeline, and nothing else: the result holds no reference to tl's
// values, which the caller can then drop. Intervals may overlap; those
// that overlap or touch are kept as one piece, so that a reader whose span
// lies inside the union of kept intervals finds it in one piece.
func (tl Timeline) Keep(spans []Interval) *Spans {
	s := tl.spans()
	type rng struct{ lo, hi int }
	var rs []rng
	for _, iv := range spans {
		if lo, hi := s.stepRange(iv.Start, iv.End); lo < hi {
			rs = append(rs, rng{lo, hi})
		}
	}
	slices.SortFunc(rs, func(a, b rng) int { return a.lo - b.lo })
	var merged []rng
	for _, r := range rs {
		if n := len(merged); n > 0 && r.lo <= merged[n-1].hi {
			merged[n-1].hi = max(merged[n-1].hi, r.hi)
			continue
		}
		merged = append(merged, r)
	}
	for _, r := range merged {
		s.pieces = append(s.pieces, spanPiece{off: r.lo, tl: tl.slice(r.lo, r.hi, true)})
	}
	return s
}

// spans is tl's Spans without any piece.
func (tl Timeline) spans() *Spans {
	n := len(tl.SLI)
	// The shape's series are empty where tl's exist and nil where they do
	// not, as a slice of tl with no step would be.
	none := func(v []float64) []float64 {
		if v == nil {
			return nil
		}
		return []float64{}
	}
	shape := Timeline{Step: tl.Step, SLI: none(tl.SLI), BudgetRemaining: none(tl.BudgetRemaining),
		Bad: none(tl.Bad), Total: none(tl.Total), Allowed: none(tl.Allowed),
		Short: BurnSeries{Label: tl.Short.Label, Values: none(tl.Short.Values)}}
	if tl.Burn != nil {
		shape.Burn = make([]BurnSeries, len(tl.Burn))
		for j, b := range tl.Burn {
			shape.Burn[j] = BurnSeries{Label: b.Label, Values: none(b.Values)}
		}
	}
	return &Spans{
		FirstEnd: tl.FirstEnd, Step: tl.Step, Len: n, shape: shape,
		detail: n > 0 && len(tl.Bad) == n && len(tl.Total) == n && len(tl.Allowed) == n && len(tl.Short.Values) == n,
	}
}

// Kept is the number of steps the spans hold.
func (s *Spans) Kept() int {
	n := 0
	for _, p := range s.pieces {
		n += len(p.tl.SLI)
	}
	return n
}

// Within returns the steps ending in (from, to], clamped to the whole
// timeline, as a Timeline whose FirstEnd is the end of the first of them
// (or where it would be, when there is none). It panics when those steps
// were not kept: a reader reads only the spans its build declared to Keep.
func (s *Spans) Within(from, to time.Time) Timeline {
	lo, hi := s.stepRange(from, to)
	return s.steps(lo, hi)
}

// stepRange returns the indexes [lo, hi) of the steps ending in (from, to],
// clamped to the whole timeline.
func (s *Spans) stepRange(from, to time.Time) (int, int) {
	if s.Step <= 0 {
		return 0, 0
	}
	// last is the index of the last step ending at or before t.
	last := func(t time.Time) int { return floorDiv(t.Sub(s.FirstEnd), s.Step) }
	lo := min(max(last(from)+1, 0), s.Len)
	hi := min(max(last(to)+1, lo), s.Len)
	return lo, hi
}

// steps returns the steps [lo, hi) of the whole timeline, 0 ≤ lo ≤ hi ≤ Len.
func (s *Spans) steps(lo, hi int) Timeline {
	// The first piece that ends after lo is the only one that can hold it.
	i := sort.Search(len(s.pieces), func(i int) bool {
		p := s.pieces[i]
		return p.off+len(p.tl.SLI) > lo
	})
	if i < len(s.pieces) {
		if p := s.pieces[i]; p.off <= lo && hi <= p.off+len(p.tl.SLI) {
			return p.tl.slice(lo-p.off, hi-p.off, false)
		}
	}
	if lo == hi {
		out := s.shape.slice(0, 0, true)
		out.FirstEnd = s.FirstEnd.Add(time.Duration(lo) * s.Step)
		return out
	}
	panic(fmt.Sprintf("slo: steps ending %s to %s were not kept",
		s.FirstEnd.Add(time.Duration(lo)*s.Step).UTC().Format(time.RFC3339), s.FirstEnd.Add(time.Duration(hi-1)*s.Step).UTC().Format(time.RFC3339)))
}

// slice returns the steps [lo, hi) of tl, copied when clone is set (a kept
// piece must not hold on to the whole timeline's arrays).
func (tl Timeline) slice(lo, hi int, clone bool) Timeline {
	cut := func(v []float64) []float64 {
		if v == nil {
			return nil
		}
		if clone {
			return append(make([]float64, 0, hi-lo), v[lo:hi]...)
		}
		return v[lo:hi:hi]
	}
	out := Timeline{
		FirstEnd: tl.FirstEnd.Add(time.Duration(lo) * tl.Step), Step: tl.Step,
		SLI: cut(tl.SLI), BudgetRemaining: cut(tl.BudgetRemaining),
		Bad: cut(tl.Bad), Total: cut(tl.Total), Allowed: cut(tl.Allowed),
		Short: BurnSeries{Label: tl.Short.Label, Values: cut(tl.Short.Values)},
	}
	if tl.Burn != nil {
		out.Burn = make([]BurnSeries, len(tl.Burn))
		for j, b := range tl.Burn {
			out.Burn[j] = BurnSeries{Label: b.Label, Values: cut(b.Values)}
		}
	}
	return out
}

// MeasuredSpan is the span whose steps Measure reads for [start, end] on a
// grid of step: the steps ending after start, up to the first one ending
// at or after end (at least one). Keep it for a Measure after the
// timeline is dropped.
func MeasuredSpan(start, end time.Time, step time.Duration) Interval {
	return Interval{Start: start, End: maxTime(start, end).Add(step)}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
