package fetch

import (
	"context"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/metrics"
)

type countingSource struct{ fetches int }

func (c *countingSource) Fetch(_ context.Context, q metrics.Query) (*metrics.Series, error) {
	c.fetches++
	s := metrics.NewSeries(q)
	s.Good[0], s.Total[0] = 1, 1
	return s, nil
}

// The series cache answers a repeated query without the source, hands
// out copies, keeps snapshots out, and forgets what a build did not use.
func TestSeriesCache(t *testing.T) {
	cfg := &config.Config{Sources: map[string]config.Source{
		"prom": {Name: "prom", Type: "prometheus", URL: "http://127.0.0.1:9090", Line: 3},
		"snap": {Name: "snap", Type: "snapshot", Path: "s.json"},
	}}
	inner := &countingSource{}
	snap := &countingSource{}
	c := NewSeriesCache()
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	q := metrics.Query{SLO: "web/a", From: t0, To: t0.Add(time.Hour), Step: 5 * time.Minute, Good: "g", Total: "t"}
	ctx := context.Background()

	srcs := c.Wrap(cfg, map[string]metrics.Source{"prom": inner, "snap": snap})
	if srcs["snap"] != snap {
		t.Error("snapshot source wrapped")
	}
	s1, _ := srcs["prom"].Fetch(ctx, q)
	// A build may do what it likes with its copy.
	s1.Good[0] = 99
	// The table moved in relia.toml, but did not change.
	cfg.Sources["prom"] = config.Source{Name: "prom", Type: "prometheus", URL: "http://127.0.0.1:9090", Line: 7}
	srcs = c.Wrap(cfg, map[string]metrics.Source{"prom": inner, "snap": snap})
	s2, _ := srcs["prom"].Fetch(ctx, q)
	if inner.fetches != 1 || c.Hits() != 1 || s2.Good[0] != 1 {
		t.Errorf("fetches %d, hits %d, good %v", inner.fetches, c.Hits(), s2.Good[0])
	}
	q2 := q
	q2.To = q.To.Add(q.Step) // the report time moved one step
	srcs = c.Wrap(cfg, map[string]metrics.Source{"prom": inner})
	_, _ = srcs["prom"].Fetch(ctx, q2)
	c.Sweep()
	srcs = c.Wrap(cfg, map[string]metrics.Source{"prom": inner})
	_, _ = srcs["prom"].Fetch(ctx, q)
	if inner.fetches != 3 {
		t.Errorf("fetches %d, want 3: the swept query is asked again", inner.fetches)
	}
	var none *SeriesCache
	if got := none.Wrap(cfg, map[string]metrics.Source{"prom": inner}); got["prom"] != inner {
		t.Error("a nil cache wrapped the source")
	}
}
