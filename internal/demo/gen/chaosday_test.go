package main

import (
	"math"
	"testing"
	"time"
)

// The Chaos Day adds bad events inside its runs' steps and changes nothing
// else: the incidents and the slow burn keep every number they had.
func TestChaosDay(t *testing.T) {
	end := time.Date(2026, 11, 13, 0, 0, 0, 0, time.UTC)
	with := generate(end, 2)
	saved := chaosEffects
	chaosEffects = nil
	without := generate(end, 2)
	chaosEffects = saved

	for _, s := range slos {
		a, b := with[s.id], without[s.id]
		var extra, total, expected float64
		for i := range a.Len() {
			τ := a.End(i)
			if a.Total[i] != b.Total[i] && !(math.IsNaN(a.Total[i]) && math.IsNaN(b.Total[i])) {
				t.Fatalf("%s: total changed at %v", s.id, τ)
			}
			if chaosShare(s.id, τ) == 0 {
				if a.Good[i] != b.Good[i] && !(math.IsNaN(a.Good[i]) && math.IsNaN(b.Good[i])) {
					t.Fatalf("%s: step %v outside the Chaos Day's runs changed", s.id, τ)
				}
				continue
			}
			extra += b.Good[i] - a.Good[i]
			total += a.Total[i]
			expected += chaosShare(s.id, τ) * a.Total[i]
		}
		if total > 0 {
			if got, want := extra/total, expected/total; math.Abs(got-want) > want/4 {
				t.Errorf("%s: the runs added a bad share of %.4f, want about %.4f", s.id, got, want)
			}
		} else if extra != 0 {
			t.Errorf("%s: %v bad events added without a run", s.id, extra)
		}
	}
}
