package fetch

import (
	"context"
	"fmt"
	"sync"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/metrics"
)

// SeriesCache keeps the metric history fetched by one build for the next
// build of the same process, so that `relia serve` rebuilding after a
// Markdown edit does not query Prometheus again. A query is answered from
// the cache only when the source's settings and the query (SLO, range,
// step, selectors) are the same; with a moving report time the range moves
// once per step, and that step is fetched again. Snapshot sources are never
// cached: reading the file is cheap, and an edit to it must show.
//
// Entries not used by the latest build are dropped by Sweep, so the cache
// holds at most one build's history. A SeriesCache is safe for concurrent
// use.
type SeriesCache struct {
	mu      sync.Mutex
	gen     int
	entries map[string]*seriesEntry
	hits    int
}

type seriesEntry struct {
	series *metrics.Series
	gen    int // the last build that used it
}

// NewSeriesCache returns an empty cache.
func NewSeriesCache() *SeriesCache { return &SeriesCache{entries: map[string]*seriesEntry{}} }

// Wrap starts a build: every source but snapshots answers from the cache
// first. A nil cache leaves the sources as they are.
func (c *SeriesCache) Wrap(cfg *config.Config, sources map[string]metrics.Source) map[string]metrics.Source {
	if c == nil {
		return sources
	}
	c.mu.Lock()
	c.gen++
	c.mu.Unlock()
	out := make(map[string]metrics.Source, len(sources))
	for name, src := range sources {
		sc := cfg.Sources[name]
		if sc.Type == "snapshot" {
			out[name] = src
			continue
		}
		// The source's settings, without where they are written.
		sc.Line, sc.KeyLines = 0, nil
		out[name] = &cachedSource{cache: c, inner: src, prefix: fmt.Sprintf("%s\x00%+v", name, sc)}
	}
	return out
}

// Sweep drops the entries the latest build did not use.
func (c *SeriesCache) Sweep() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.gen < c.gen {
			delete(c.entries, k)
		}
	}
}

// Hits counts the queries answered from the cache so far.
func (c *SeriesCache) Hits() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits
}

type cachedSource struct {
	cache  *SeriesCache
	inner  metrics.Source
	prefix string
}

func (s *cachedSource) Fetch(ctx context.Context, q metrics.Query) (*metrics.Series, error) {
	key := fmt.Sprintf("%s\x00%s\x00%d\x00%d\x00%d\x00%s\x00%s\x00%s", s.prefix, q.SLO, q.From.UnixNano(), q.To.UnixNano(), q.Step, q.Good, q.Bad, q.Total)
	c := s.cache
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		e.gen = c.gen
		c.hits++
		c.mu.Unlock()
		return copySeries(e.series), nil
	}
	c.mu.Unlock()
	series, err := s.inner.Fetch(ctx, q)
	if err != nil {
		return nil, err // errors are not kept: the next build asks again
	}
	c.mu.Lock()
	c.entries[key] = &seriesEntry{series: copySeries(series), gen: c.gen}
	c.mu.Unlock()
	return series, nil
}

// copySeries keeps the cached series apart from what a build does with
// the one it gets.
func copySeries(s *metrics.Series) *metrics.Series {
	out := *s
	out.Good = append([]float64(nil), s.Good...)
	out.Total = append([]float64(nil), s.Total...)
	return &out
}
