package check

import (
	"math"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
)

func TestLongestGap(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	nan := math.NaN()
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }
	for _, c := range []struct {
		name       string
		totals     []float64
		from       time.Time
		start, end time.Time
	}{
		{"none", []float64{1, 2, 3}, t0, time.Time{}, time.Time{}},
		{"middle", []float64{1, nan, nan, 4, nan, 6}, t0, at(1), at(3)},
		{"longest wins", []float64{nan, 1, nan, nan, nan, 1}, t0, at(2), at(5)},
		{"at the end", []float64{1, 1, nan, nan}, t0, at(2), at(4)},
		{"before from is ignored", []float64{nan, nan, nan, 1, nan}, at(3), at(4), at(5)},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Step i ends at t0 + (i+1) minutes.
			s := &metrics.Series{FirstEnd: t0.Add(time.Minute), Step: time.Minute, Total: c.totals, Good: c.totals}
			start, end := longestGap(s, c.from)
			if !start.Equal(c.start) || !end.Equal(c.end) {
				t.Errorf("gap %s – %s, want %s – %s", start, end, c.start, c.end)
			}
		})
	}
}
