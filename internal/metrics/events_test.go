package metrics

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSmallestStep(t *testing.T) {
	for _, c := range []struct{ interval, want time.Duration }{
		{15 * time.Second, 15 * time.Second},
		{20 * time.Second, 30 * time.Second},
		{time.Minute, time.Minute},
		{61 * time.Second, 2 * time.Minute},
		{2 * time.Minute, 2 * time.Minute},
		{3 * time.Minute, 5 * time.Minute},
		{25 * time.Hour, 26 * time.Hour},
	} {
		if got := SmallestStep(c.interval); got != c.want {
			t.Errorf("SmallestStep(%s) = %s, want %s", c.interval, got, c.want)
		}
	}
}

// TestSparseSelector: a selector scraped less often than the step fails
// the fetch with a *SparseError naming it; one scraped exactly at the step
// (or a little slower, a missed scrape) passes.
func TestSparseSelector(t *testing.T) {
	for _, c := range []struct {
		interval time.Duration
		sparse   bool
	}{
		{time.Minute, false},
		{62 * time.Second, false}, // within the tolerance
		{70 * time.Second, true},
		{2 * time.Minute, true},
	} {
		t.Run(c.interval.String(), func(t *testing.T) {
			fake := healthyFake()
			fake.Intervals = map[string]time.Duration{`requests_total{job="web"}`: c.interval}
			p := newTestProm(t, fake, nil)
			_, err := p.Fetch(context.Background(), promQuery(50))
			var se *SparseError
			if got := errors.As(err, &se); got != c.sparse {
				t.Fatalf("interval %s: error %v, want sparse %v", c.interval, err, c.sparse)
			}
			if c.sparse && (se.Series != "total" || !strings.Contains(err.Error(), `total = requests_total{job="web"} is scraped every`) || !strings.Contains(err.Error(), "the smallest step that works is")) {
				t.Errorf("error %q", err)
			}
		})
	}
}

// TestEventsQueryShape pins the query: a change to it changes every cache
// key, and the real stores of the integration tests are the judge of it.
func TestEventsQueryShape(t *testing.T) {
	got := EventsQuery(`x{a="b"}`, 5*time.Minute)
	want := `sum((last_over_time(x{a="b"}[5m]) - last_over_time(x{a="b"}[1h] offset 5m)) >= 0` +
		` or (last_over_time(x{a="b"}[5m]) + clamp_min(max_over_time(x{a="b"}[5m]) - last_over_time(x{a="b"}[1h] offset 5m), 0)) and last_over_time(x{a="b"}[5m]) < last_over_time(x{a="b"}[1h] offset 5m)` +
		` or (max_over_time(x{a="b"}[5m]) - min_over_time(x{a="b"}[5m])) unless last_over_time(x{a="b"}[1h] offset 5m))`
	if got != want {
		t.Errorf("EventsQuery:\n got %s\nwant %s", got, want)
	}
	if q := EventsQuery("x", 2*time.Hour); !strings.Contains(q, "last_over_time(x[2h] offset 2h)") {
		t.Errorf("a step longer than the gap bridge must widen it: %s", q)
	}
}
