package metrics

import (
	"context"
	"errors"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics/promtest"
)

// TestPrometheusCacheTail: the newest chunk, not settled whole, is kept up
// to its settled end, so a rebuild asks only for the steps after it, and
// the series is the one a fetch without a cache gets.
func TestPrometheusCacheTail(t *testing.T) {
	for _, kind := range []string{"cache", "archive"} {
		t.Run(kind, func(t *testing.T) { testCacheTail(t, kind) })
	}
}

// testCacheTail runs TestPrometheusCacheTail on a folder cache or a folder
// archive: prefix and probe files go through the ChunkStore of either.
func testCacheTail(t *testing.T, kind string) {
	fake := healthyFake()
	dir := t.TempDir()
	// 250 one-minute steps from 23:37 to 03:47, 100 per chunk on the
	// epoch's grid: the newest chunk is 02:21 – 04:00, cut at 03:47.
	q := promQuery(250)
	clock := q.To.Add(24 * time.Hour)
	p := newTestProm(t, fake, func(c *PrometheusConfig) {
		c.Cache = NewCache(dir)
		if kind == "archive" {
			c.Cache = NewArchive(Folder(dir))
		}
		c.Clock = func() time.Time { return clock }
	})
	plain := newTestProm(t, healthyFake(), nil)
	want, err := plain.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Fetch(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	prefixes, _ := filepath.Glob(filepath.Join(dir, "*.prefix.gz"))
	if len(prefixes) != 2 {
		t.Fatalf("%d prefix files, want 2 (the newest chunk of each selector)", len(prefixes))
	}
	if probes, _ := filepath.Glob(filepath.Join(dir, "*.probe.json")); len(probes) != 2 {
		t.Fatalf("%d probe files, want 2 (one per selector)", len(probes))
	}

	fake.Reset()
	got, err := p.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	sameSeries(t, got, want)
	reqs := rangeRequests(fake)
	// Settled: steps ending by 02:47; asked: 02:48 … 03:47.
	settled := q.To.Add(-time.Hour)
	if len(reqs) != 2 {
		t.Fatalf("warm fetch made %d range requests, want 2", len(reqs))
	}
	for _, r := range reqs {
		if !r.Start.Equal(settled.Add(time.Minute)) || !r.End.Equal(q.To) || r.Points != 60 {
			t.Errorf("asked for %s – %s (%d points), want %s – %s (60)", r.Start, r.End, r.Points, settled.Add(time.Minute), q.To)
		}
	}

	// A report time moved back inside the kept prefix asks nothing of the
	// newest chunk (the chunk before it is no longer settled then).
	back := q
	back.To = settled.Add(-10 * time.Minute)
	fake.Reset()
	if got, err = p.Fetch(context.Background(), back); err != nil {
		t.Fatal(err)
	}
	if want, err = plain.Fetch(context.Background(), back); err != nil {
		t.Fatal(err)
	}
	sameSeries(t, got, want)
	newest := p.chunks(back)[len(p.chunks(back))-1]
	for _, r := range rangeRequests(fake) {
		if !r.Start.Before(newest.first) {
			t.Errorf("asked for %s – %s, which the prefix holds", r.Start, r.End)
		}
	}

	// Two hours later the chunk has settled whole: only its steps after
	// the prefix are asked for, it is kept whole and its prefix dropped.
	q.To = q.To.Add(2 * time.Hour)
	want, err = plain.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	fake.Reset()
	if got, err = p.Fetch(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	sameSeries(t, got, want)
	for _, r := range rangeRequests(fake) {
		if r.Start.Before(settled.Add(time.Minute)) {
			t.Errorf("asked again for %s – %s, before the settled end %s", r.Start, r.End, settled)
		}
	}
	for _, f := range prefixes {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("prefix %s kept after its chunk settled whole", filepath.Base(f))
		}
	}
}

// TestPrometheusCachedProbe: a rebuild uses the probe an earlier build
// measured, until ProbeTTL has passed or the steps it fetches show a gap;
// then it measures again, and a selector now too sparse for the step
// fails as without the cache.
func TestPrometheusCachedProbe(t *testing.T) {
	fake := healthyFake()
	dir := t.TempDir()
	q := promQuery(250)
	clock := q.To.Add(24 * time.Hour)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	// A new source per build, as each build makes: the probes a build
	// measured stay in it, and only the cache carries them to the next.
	p := func() *Prometheus {
		p, err := NewPrometheus(PrometheusConfig{Name: "prod", URL: srv.URL, Retry: fastRetry, MaxPointsPerQuery: 100,
			Cache: NewCache(dir), Clock: func() time.Time { return clock }, ProbeTTL: 3 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	probes := func() int {
		n := 0
		for _, r := range fake.Requests() {
			if r.Instant {
				n++
			}
		}
		return n
	}
	fetch := func() error {
		fake.Reset()
		_, err := p().Fetch(context.Background(), q)
		return err
	}
	if err := fetch(); err != nil {
		t.Fatal(err)
	}
	if n := probes(); n != 2 {
		t.Fatalf("cold build: %d probes, want 2", n)
	}
	if err := fetch(); err != nil {
		t.Fatal(err)
	}
	if n := probes(); n != 0 {
		t.Errorf("rebuild within the TTL: %d probes, want 0", n)
	}

	// The total selector is now scraped every two minutes: its fresh
	// steps have gaps, the cached probe is doubted, measured again, and
	// the build fails at the step.
	fake.Intervals = map[string]time.Duration{`requests_total{job="web"}`: 2 * time.Minute}
	fake.Series[`requests_total{job="web"}`] = func(τ time.Time, _ time.Duration) (float64, bool) { return 200, τ.Minute()%2 == 0 }
	err := fetch()
	var se *SparseError
	if !errors.As(err, &se) || se.Series != "total" {
		t.Fatalf("sparse after a cached probe: error %v, want a *SparseError for total", err)
	}
	if n := probes(); n != 1 {
		t.Errorf("%d probes, want 1 (total measured again)", n)
	}

	// Back to every minute; the probe kept from the first build still
	// stands (a sparse result is never kept) until the TTL runs out.
	fake.Intervals = nil
	fake.Series[`requests_total{job="web"}`] = promtest.Constant(100)
	if err := fetch(); err != nil {
		t.Fatal(err)
	}
	if n := probes(); n != 0 {
		t.Errorf("%d probes within the TTL, want 0", n)
	}
	clock = clock.Add(3 * time.Hour)
	if err := fetch(); err != nil {
		t.Fatal(err)
	}
	if n := probes(); n != 2 {
		t.Errorf("after the TTL: %d probes, want 2", n)
	}
}

func TestGapIn(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		vals []float64
		want bool
	}{
		{nil, false},
		{[]float64{nan, nan}, false},
		{[]float64{1, 2, 3}, false},
		{[]float64{nan, 1, 2}, false}, // series begins
		{[]float64{1, 2, nan}, false}, // series ends
		{[]float64{1, nan, 2}, true},
		{[]float64{nan, 0, nan, nan, 0, nan}, true},
	} {
		if got := gapIn(c.vals); got != c.want {
			t.Errorf("gapIn(%v) = %v, want %v", c.vals, got, c.want)
		}
	}
}

func TestProbeFileRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "cache")
	c := NewCache(dir)
	key := probeKey("http://127.0.0.1:9090", nil, `up{job="x"}`, time.Minute)
	if _, _, ok, err := c.getProbe(ctx, key); ok || err != nil {
		t.Fatalf("empty cache: ok %v err %v", ok, err)
	}
	measured := promT0.Add(time.Hour)
	for _, in := range []Scrape{
		{Series: 3, Interval: 15 * time.Second, Offset: 7 * time.Second, At: promT0},
		{Series: 0, Interval: 0, Offset: -1, At: promT0},
	} {
		if err := c.putProbe(ctx, key, in, measured); err != nil {
			t.Fatal(err)
		}
		out, m, ok, err := c.getProbe(ctx, key)
		if !ok || err != nil || out != in || !m.Equal(measured) {
			t.Errorf("got %+v at %s (%v, %v), want %+v at %s", out, m, ok, err, in, measured)
		}
	}
	// A file under another key's name is not trusted.
	other := probeKey("http://127.0.0.1:9090", nil, `up{job="y"}`, time.Minute)
	data, _ := os.ReadFile(filepath.Join(dir, probeName(key)))
	os.WriteFile(filepath.Join(dir, probeName(other)), data, 0o644)
	if _, _, ok, err := c.getProbe(ctx, other); ok || err == nil || !strings.Contains(err.Error(), "is damaged") {
		t.Errorf("misplaced file: ok %v err %v", ok, err)
	}
}

func TestPrefixRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "cache")
	c := NewCache(dir)
	first := promT0.Add(time.Minute)
	key := prefixKey("http://127.0.0.1:9090", nil, "q", time.Minute, first)
	if vals, err := c.getPrefix(ctx, key, first, time.Minute, 10); vals != nil || err != nil {
		t.Fatalf("empty cache: %v %v", vals, err)
	}
	in := []float64{1, math.NaN(), 3}
	if err := c.putPrefix(ctx, key, first, time.Minute, in); err != nil {
		t.Fatal(err)
	}
	out, err := c.getPrefix(ctx, key, first, time.Minute, 10)
	if err != nil || len(out) != 3 || out[0] != 1 || !math.IsNaN(out[1]) || out[2] != 3 {
		t.Fatalf("got %v %v", out, err)
	}
	// Asked for with another first step or step: damaged, discarded.
	if vals, err := c.getPrefix(ctx, key, first.Add(time.Minute), time.Minute, 10); vals != nil || err == nil {
		t.Errorf("another first step: %v %v", vals, err)
	}
	if _, err := os.Stat(filepath.Join(dir, prefixFile(key))); err == nil {
		t.Error("damaged prefix kept")
	}
}

// TestPrometheusDamagedTail: a damaged prefix or probe file is a warning
// for a cache, which discards it and fetches or measures again, and stops
// the fetch of an archive with an *ArchiveError, as a damaged chunk does.
func TestPrometheusDamagedTail(t *testing.T) {
	for _, tt := range []struct{ glob, want string }{
		{"*.prefix.gz", ".prefix.gz: damaged: gzip: invalid header"},
		{"*.probe.json", ".probe.json: damaged: invalid character"},
	} {
		for _, kind := range []string{"cache", "archive"} {
			t.Run(tt.glob+"/"+kind, func(t *testing.T) {
				dir := t.TempDir()
				q := promQuery(250)
				clock := q.To.Add(time.Hour)
				var mu sync.Mutex // Warn is called from the fetch's goroutines
				var warnings []string
				srv := httptest.NewServer(healthyFake())
				t.Cleanup(srv.Close)
				// A new Prometheus per build, on the same URL (part of the
				// keys): one measures each selector once for its lifetime.
				build := func() *Prometheus {
					cfg := PrometheusConfig{Name: "prod", URL: srv.URL, Timeout: 2 * time.Second, Retry: fastRetry, MaxPointsPerQuery: 100,
						Cache: NewCache(dir), Clock: func() time.Time { return clock }, Warn: func(w Warning) { mu.Lock(); warnings = append(warnings, w.String()); mu.Unlock() }}
					if kind == "archive" {
						cfg.Cache = NewArchive(Folder(dir))
					}
					p, err := NewPrometheus(cfg)
					if err != nil {
						t.Fatal(err)
					}
					return p
				}
				want, err := build().Fetch(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				files, _ := filepath.Glob(filepath.Join(dir, tt.glob))
				if len(files) != 2 {
					t.Fatalf("%d files %s, want 2", len(files), tt.glob)
				}
				for _, f := range files {
					os.WriteFile(f, []byte("not a relia file"), 0o644)
				}
				got, err := build().Fetch(context.Background(), q)
				var ae *ArchiveError
				if kind == "archive" {
					if !errors.As(err, &ae) || !strings.Contains(err.Error(), tt.want) {
						t.Fatalf("archive: err %v, want an *ArchiveError with %q", err, tt.want)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				sameSeries(t, got, want)
				if len(warnings) != 2 || !strings.Contains(warnings[0], "is damaged") {
					t.Errorf("warnings %q, want 2 about the damaged files", warnings)
				}
				for _, f := range files {
					if data, _ := os.ReadFile(f); string(data) == "not a relia file" {
						t.Errorf("%s: damaged file kept", filepath.Base(f))
					}
				}
			})
		}
	}
}
