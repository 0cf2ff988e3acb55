package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/relia-dev/relia/internal/metrics/promtest"
)

// promT0 is on the 100-minute chunk grid of MaxPointsPerQuery = 100 at a
// 1m step (and on the hour). Most query ranges below start 37 minutes
// later, off the grid, so that the first chunk reaches before the range.
var promT0 = time.Date(2026, 11, 1, 23, 0, 0, 0, time.UTC)

const promSecret = "s3cr3t-token-value"

// fastRetry keeps fault tests quick: three tries a few milliseconds apart.
var fastRetry = Retry{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond, Budget: 10 * time.Second}

func newTestProm(t *testing.T, h http.Handler, edit func(*PrometheusConfig)) *Prometheus {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := PrometheusConfig{Name: "prod", URL: srv.URL, Timeout: 2 * time.Second, Retry: fastRetry, MaxPointsPerQuery: 100}
	if edit != nil {
		edit(&cfg)
	}
	p, err := NewPrometheus(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// badEvery gives 1 bad event in steps whose minute is a multiple of n.
func badEvery(n int) func(time.Time, time.Duration) (float64, bool) {
	return func(τ time.Time, _ time.Duration) (float64, bool) {
		if τ.Minute()%n == 0 {
			return 1, true
		}
		return 0, true
	}
}

func promQuery(steps int) Query {
	from := promT0.Add(37 * time.Minute)
	return Query{SLO: "web/availability", From: from, To: from.Add(time.Duration(steps) * time.Minute), Step: time.Minute,
		Bad: `errors_total{job="web"}`, Total: `requests_total{job="web"}`}
}

func TestPrometheusFetchChunks(t *testing.T) {
	fake := &promtest.Fake{Series: map[string]func(time.Time, time.Duration) (float64, bool){
		`requests_total{job="web"}`: promtest.Constant(100),
		`errors_total{job="web"}`:   badEvery(10),
	}}
	p := newTestProm(t, fake, nil)
	q := promQuery(1000)
	s, err := p.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 1000 || !s.FirstEnd.Equal(q.From.Add(time.Minute)) {
		t.Fatalf("series: %d steps from %s", s.Len(), s.FirstEnd)
	}
	for i := range s.Len() {
		τ := s.End(i)
		want := 100.0
		if τ.Minute()%10 == 0 {
			want = 99
		}
		if s.Total[i] != 100 || s.Good[i] != want {
			t.Fatalf("step %d (%s): good %v total %v, want %v/100", i, τ.Format(time.RFC3339), s.Good[i], s.Total[i], want)
		}
	}
	reqs := rangeRequests(fake)
	if probes := len(fake.Requests()) - len(reqs); probes != 2 {
		t.Errorf("%d scrape probes, want one per selector", probes)
	}
	if len(reqs) != p.Requests(q) {
		t.Errorf("%d requests, Requests(q) = %d", len(reqs), p.Requests(q))
	}
	// 1,000 steps from 00:38 are 11 chunks of the 100-minute grid, per selector.
	if len(reqs) != 22 {
		t.Errorf("%d requests, want 22", len(reqs))
	}
	span := 100 * time.Minute
	for _, r := range reqs {
		if r.Points > 100 {
			t.Errorf("request %s – %s asks for %d points", r.Start, r.End, r.Points)
		}
		if r.Start.Add(-time.Minute).UnixNano()%int64(span) != 0 {
			t.Errorf("request starts at %s, off the epoch-anchored chunk grid", r.Start)
		}
		if r.Query != EventsQuery(`requests_total{job="web"}`, time.Minute) && r.Query != EventsQuery(`errors_total{job="web"}`, time.Minute) {
			t.Errorf("query %q", r.Query)
		}
	}
}

// TestChunksCoverRange checks the chunk plan for many ranges and sizes:
// every step end of the range in exactly one chunk, none over the limit.
func TestChunksCoverRange(t *testing.T) {
	for _, maxPts := range []int{1, 7, 100, 10_000} {
		p := &Prometheus{cfg: PrometheusConfig{MaxPointsPerQuery: maxPts}}
		for _, steps := range []int{1, 2, 99, 100, 101, 1234} {
			for _, off := range []int{0, 1, 63} {
				from := promT0.Add(time.Duration(off) * time.Minute)
				q := Query{From: from, To: from.Add(time.Duration(steps) * time.Minute), Step: time.Minute}
				seen := map[int64]int{}
				var prev time.Time
				for _, c := range p.chunks(q) {
					n := int(c.last.Sub(c.first)/time.Minute) + 1
					if n > maxPts || n < 1 {
						t.Fatalf("max %d, %d steps from +%d: chunk of %d points", maxPts, steps, off, n)
					}
					if !prev.IsZero() && !c.first.Equal(prev.Add(time.Minute)) {
						t.Fatalf("max %d, %d steps from +%d: gap or overlap at %s", maxPts, steps, off, c.first)
					}
					prev = c.last
					for τ := c.first; !τ.After(c.last); τ = τ.Add(time.Minute) {
						seen[τ.Unix()]++
					}
				}
				for τ := q.From.Add(time.Minute); !τ.After(q.To); τ = τ.Add(time.Minute) {
					if seen[τ.Unix()] != 1 {
						t.Fatalf("max %d, %d steps from +%d: step %s in %d chunks", maxPts, steps, off, τ, seen[τ.Unix()])
					}
				}
				if !prev.Equal(q.To) {
					t.Fatalf("last chunk ends at %s, want %s", prev, q.To)
				}
			}
		}
	}
}

func TestPrometheusAbsentSeries(t *testing.T) {
	gapFrom, gapTo := promT0.Add(150*time.Minute), promT0.Add(160*time.Minute)
	fake := &promtest.Fake{Series: map[string]func(time.Time, time.Duration) (float64, bool){
		// A scrape outage: no total at all in steps T0+151m … T0+160m.
		"total": func(τ time.Time, _ time.Duration) (float64, bool) {
			return 100, !(τ.After(gapFrom) && !τ.After(gapTo))
		},
		// Bad events only after T0+5h: the chunks before have no bad
		// series. In the chunk T0+301m … T0+400m it is missing at T0+330m alone.
		"bad": func(τ time.Time, _ time.Duration) (float64, bool) {
			if !τ.After(promT0.Add(5*time.Hour)) || τ.Equal(promT0.Add(330*time.Minute)) {
				return 0, false
			}
			return 2, true
		},
	}}
	p := newTestProm(t, fake, nil)
	q := Query{SLO: "a/b", From: promT0, To: promT0.Add(8 * time.Hour), Step: time.Minute, Bad: "bad", Total: "total"}
	s, err := p.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	for i := range s.Len() {
		τ := s.End(i)
		g, tot := s.Good[i], s.Total[i]
		switch {
		case τ.After(gapFrom) && !τ.After(gapTo):
			if !math.IsNaN(g) || !math.IsNaN(tot) {
				t.Fatalf("%s: total absent: want no data, got %v/%v", τ, g, tot)
			}
		case τ.Equal(promT0.Add(330 * time.Minute)):
			if !math.IsNaN(g) || !math.IsNaN(tot) {
				t.Fatalf("%s: bad absent in a chunk that has it elsewhere: want no data, got %v/%v", τ, g, tot)
			}
		case τ.After(promT0.Add(5 * time.Hour)):
			if g != 98 || tot != 100 {
				t.Fatalf("%s: got %v/%v, want 98/100", τ, g, tot)
			}
		case τ.After(promT0.Add(300 * time.Minute)):
			t.Fatalf("unreachable")
		default:
			if g != 100 || tot != 100 {
				t.Fatalf("%s: bad absent in the whole chunk: want bad = 0, got %v/%v", τ, g, tot)
			}
		}
	}
}

func TestPrometheusGoodAbsentAndClamp(t *testing.T) {
	fake := &promtest.Fake{Series: map[string]func(time.Time, time.Duration) (float64, bool){
		"total": promtest.Constant(100),
		// Extrapolation can put good a hair above total.
		"good": func(τ time.Time, _ time.Duration) (float64, bool) {
			if !τ.After(promT0.Add(100 * time.Minute)) {
				return 0, false // never incremented in the first chunk
			}
			return 100.4, true
		},
		"over": promtest.Constant(120),
	}}
	p := newTestProm(t, fake, nil)
	q := Query{SLO: "a/b", From: promT0, To: promT0.Add(200 * time.Minute), Step: time.Minute, Good: "good", Total: "total"}
	s, err := p.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if s.Good[0] != 0 || s.Total[0] != 100 {
		t.Errorf("good absent in the whole chunk: got %v/%v, want 0/100", s.Good[0], s.Total[0])
	}
	if s.Good[150] != 100 || s.Total[150] != 100 {
		t.Errorf("good above total: got %v/%v, want clamped to 100/100", s.Good[150], s.Total[150])
	}
	q.Good, q.Bad = "", "over"
	s, err = p.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if s.Good[0] != 0 || s.Total[0] != 100 {
		t.Errorf("bad above total: got %v/%v, want 0/100", s.Good[0], s.Total[0])
	}
}

// answer writes a query_range success with the given [ts, "v"] values.
func answer(w http.ResponseWriter, values string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[%s]}]}}`, values)
}

func TestPrometheusOffGrid(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		start := r.Form.Get("start")
		answer(w, `[`+start+`.5,"1"]`)
	})
	p := newTestProm(t, h, nil)
	_, err := p.Fetch(context.Background(), promQuery(10))
	if err == nil || !strings.Contains(err.Error(), "off the 1m step grid") {
		t.Fatalf("got %v, want an off-grid error", err)
	}
	if errors.Is(err, ErrUnreachable) {
		t.Errorf("off-grid answer reported as unreachable: %v", err)
	}
}

// faulty serves fail for the first n requests (all when n < 0), then fake.
func faulty(n int, fail http.HandlerFunc, fake http.Handler) (http.Handler, *atomic.Int32) {
	var count atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := count.Add(1); n < 0 || int(c) <= n {
			fail(w, r)
			return
		}
		fake.ServeHTTP(w, r)
	}), &count
}

func httpStatus(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Error(w, http.StatusText(code), code) }
}

func healthyFake() *promtest.Fake {
	return &promtest.Fake{Series: map[string]func(time.Time, time.Duration) (float64, bool){
		`requests_total{job="web"}`: promtest.Constant(100),
		`errors_total{job="web"}`:   badEvery(10),
	}}
}

// rangeRequests are the query_range requests the fake answered: the
// chunks, without the scrape probes.
func rangeRequests(f *promtest.Fake) []promtest.Request {
	var out []promtest.Request
	for _, r := range f.Requests() {
		if !r.Instant {
			out = append(out, r)
		}
	}
	return out
}

func TestPrometheusRetriesThenSucceeds(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail http.HandlerFunc
	}{
		{"500", httpStatus(500)},
		{"429", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "0")
			httpStatus(429)(w, r)
		}},
		{"truncated JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"val`))
		}},
		{"connection closed", func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, count := faulty(2, tc.fail, healthyFake())
			var attempts atomic.Int32
			p := newTestProm(t, h, func(c *PrometheusConfig) {
				c.MaxConcurrency = 1
				c.Observe = func(r QueryRecord) { attempts.Add(int32(r.Attempts)) }
			})
			q := promQuery(50) // one chunk per selector
			s, err := p.Fetch(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			if s.Total[0] != 100 {
				t.Errorf("total %v", s.Total[0])
			}
			if got := count.Load(); got != 6 {
				t.Errorf("%d requests, want 6 (2 failed, 2 probes and 2 chunks answered)", got)
			}
			if got := attempts.Load(); got != 6 {
				t.Errorf("records count %d attempts, want 6", got)
			}
		})
	}
}

func TestPrometheusUnreachable(t *testing.T) {
	stall := func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm() // the server notices a client gone only once the body is read
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	for _, tc := range []struct {
		name string
		fail http.HandlerFunc
		want string
	}{
		{"503 forever", httpStatus(503), "server_error: server error: 503"},
		{"stall past the timeout", stall, "no answer within the timeout of 100ms"},
		{"truncated JSON forever", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"status":"succ`))
		}, "bad_response"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, count := faulty(-1, tc.fail, nil)
			p := newTestProm(t, h, func(c *PrometheusConfig) {
				c.Timeout = 100 * time.Millisecond
				c.BearerToken = promSecret
				c.MaxConcurrency = 1
				c.MaxPointsPerQuery = 10_000
			})
			began := time.Now()
			_, err := p.Fetch(context.Background(), promQuery(50))
			if !errors.Is(err, ErrUnreachable) {
				t.Fatalf("got %v, want ErrUnreachable", err)
			}
			msg := err.Error()
			for _, want := range []string{p.URL(), "after 3 attempts", tc.want} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, promSecret) {
				t.Errorf("error shows the token: %q", msg)
			}
			// The first selector to give up cancels the other: at most
			// 3 attempts each.
			if got := count.Load(); got > 6 {
				t.Errorf("%d requests, want at most 6", got)
			}
			if d := time.Since(began); d > 3*time.Second {
				t.Errorf("gave up after %s", d)
			}
		})
	}
}

func TestPrometheusRefusedQueries(t *testing.T) {
	t.Run("bad_data", func(t *testing.T) {
		fake := healthyFake()
		p := newTestProm(t, fake, nil)
		q := promQuery(50)
		q.Bad = `errors_total{{job="web"}`
		_, err := p.Fetch(context.Background(), q)
		var qe *QueryError
		if !errors.As(err, &qe) || qe.Series != "bad" {
			t.Fatalf("got %v, want a *QueryError for bad", err)
		}
		if !strings.HasPrefix(qe.Err.Error(), "bad_data: invalid parameter \"query\"") {
			t.Errorf("message %q", qe.Err)
		}
		if errors.Is(err, ErrUnreachable) {
			t.Error("bad_data reported as unreachable")
		}
		// The probe and the chunk run concurrently: whichever is refused
		// first stops the other, and neither is retried.
		bad := map[bool]int{}
		for _, r := range fake.Requests() {
			if strings.Contains(r.Query, "{{") {
				bad[r.Instant]++
			}
		}
		if bad[true] > 1 || bad[false] > 1 || bad[true]+bad[false] == 0 {
			t.Errorf("bad query sent %d times as a probe and %d as a chunk, want at most once each (no retry)", bad[true], bad[false])
		}
	})
	t.Run("401", func(t *testing.T) {
		h, count := faulty(-1, httpStatus(401), nil)
		p := newTestProm(t, h, func(c *PrometheusConfig) { c.MaxConcurrency = 1 })
		_, err := p.Fetch(context.Background(), promQuery(50))
		var qe *QueryError
		if !errors.As(err, &qe) || qe.Series != "" || !strings.Contains(err.Error(), "check the url and the credentials") {
			t.Fatalf("got %v, want a *QueryError about the source", err)
		}
		if count.Load() > 2 {
			t.Errorf("%d requests: a 401 must not be retried", count.Load())
		}
	})
}

func TestPrometheusWarnings(t *testing.T) {
	fake := healthyFake()
	fake.Warnings = []string{"partial response: store gateway down"}
	var mu sync.Mutex
	var warnings []Warning
	dir := t.TempDir()
	p := newTestProm(t, fake, func(c *PrometheusConfig) {
		c.Warn = func(w Warning) { mu.Lock(); warnings = append(warnings, w); mu.Unlock() }
		c.Cache = NewCache(dir)
		c.Clock = func() time.Time { return promT0.Add(1000 * time.Hour) }
	})
	if _, err := p.Fetch(context.Background(), promQuery(500)); err != nil {
		t.Fatal(err)
	}
	// The probes' answers carry the same warning as the chunks': one
	// each per selector still.
	slices.SortFunc(warnings, func(a, b Warning) int { return strings.Compare(a.Series, b.Series) })
	want := []Warning{
		{Source: "prod", SLO: "web/availability", Series: "bad", Msg: "partial response: store gateway down"},
		{Source: "prod", SLO: "web/availability", Series: "total", Msg: "partial response: store gateway down"},
	}
	if !slices.Equal(warnings, want) {
		t.Errorf("warnings %+v, want each selector's once: %+v", warnings, want)
	}
	if got, want := warnings[0].String(), `source "prod": slos[web/availability].bad: partial response: store gateway down`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) > 0 {
		t.Errorf("answers with warnings were cached: %v", files)
	}
}

func TestPrometheusCredentialsAndHeaders(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*PrometheusConfig)
		want string
	}{
		{"bearer", func(c *PrometheusConfig) { c.BearerToken = promSecret }, "Bearer " + promSecret},
		{"basic", func(c *PrometheusConfig) { c.BasicAuthUser, c.BasicAuthPassword = "relia", promSecret }, "Basic cmVsaWE6czNjcjN0LXRva2VuLXZhbHVl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := healthyFake()
			p := newTestProm(t, fake, func(c *PrometheusConfig) {
				tc.edit(c)
				c.Headers = map[string]string{"X-Scope-Orgid": "team-a"}
			})
			if _, err := p.Fetch(context.Background(), promQuery(10)); err != nil {
				t.Fatal(err)
			}
			for _, r := range fake.Requests() {
				if got := r.Header.Get("Authorization"); got != tc.want {
					t.Errorf("Authorization %q, want %q", got, tc.want)
				}
				if got := r.Header.Get("X-Scope-OrgID"); got != "team-a" {
					t.Errorf("X-Scope-OrgID %q", got)
				}
			}
		})
	}
}

func TestPrometheusConcurrencyLimit(t *testing.T) {
	fake := healthyFake()
	var inFlight, peak atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		fake.ServeHTTP(w, r)
		inFlight.Add(-1)
	})
	p := newTestProm(t, h, func(c *PrometheusConfig) { c.MaxConcurrency = 2; c.MaxPointsPerQuery = 20 })
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if _, err := p.Fetch(context.Background(), promQuery(400)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := peak.Load(); got > 2 || got < 1 {
		t.Errorf("peak of %d requests in flight, want at most max_concurrency = 2", got)
	}
}

func TestPrometheusCache(t *testing.T) {
	fake := healthyFake()
	dir := filepath.Join(t.TempDir(), ".relia", "cache")
	var mu sync.Mutex
	var warnings []string
	var records []QueryRecord
	clock := promT0.Add(2000 * time.Minute)
	p := newTestProm(t, fake, func(c *PrometheusConfig) {
		c.Cache = NewCache(dir)
		c.Clock = func() time.Time { return clock }
		c.BearerToken = promSecret
		c.Warn = func(w Warning) { mu.Lock(); warnings = append(warnings, w.String()); mu.Unlock() }
		c.Observe = func(r QueryRecord) { mu.Lock(); records = append(records, r); mu.Unlock() }
	})
	// Report time 00:37 + 1,500m = 25:37; settled chunks end by 24:37.
	q := promQuery(1500)
	cold, err := p.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	coldReqs := len(rangeRequests(fake))
	if coldReqs != 32 {
		t.Fatalf("cold fetch made %d requests, want 32 (16 chunks × 2)", coldReqs)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	// Chunks ending by 24:37: those ending at 01:40, 03:20, … 23:20 (14 × 2).
	if len(files) != 28 {
		t.Fatalf("%d cache files, want 28", len(files))
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if strings.Contains(string(data), promSecret) || strings.Contains(filepath.Base(f), promSecret) {
			t.Fatalf("cache file %s holds the token", f)
		}
	}

	// A rebuild within the hour asks only for the tail.
	fake.Reset()
	records = nil
	warm, err := p.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rangeRequests(fake)); got != 4 {
		t.Errorf("warm fetch made %d requests, want 4 (the 2 unsettled chunks × 2)", got)
	}
	cached := 0
	for _, r := range records {
		if r.Cached {
			cached++
		}
	}
	if cached != 28 {
		t.Errorf("%d records from the cache, want 28", cached)
	}
	sameSeries(t, warm, cold)

	// A damaged file is discarded with a warning and fetched again.
	fake.Reset()
	os.WriteFile(files[0], []byte("\x1f\x8b garbage"), 0o644)
	os.WriteFile(files[1], nil, 0o644)
	again, err := p.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	sameSeries(t, again, cold)
	if got := len(rangeRequests(fake)); got != 6 {
		t.Errorf("%d requests after damaging 2 files, want 6", got)
	}
	damaged := 0
	for _, w := range warnings {
		if strings.Contains(w, "is damaged") && strings.Contains(w, "discarded, fetching again") {
			damaged++
		}
	}
	if damaged != 2 {
		t.Errorf("warnings %q: want 2 about damaged files", warnings)
	}
	if st, err := os.Stat(files[1]); err != nil || st.Size() == 0 {
		t.Errorf("damaged file not rewritten: %v", err)
	}
}

// TestPrometheusCacheWeekLater rebuilds a two-week range a week later: only
// the chunks that were not settled at the first build are asked for.
func TestPrometheusCacheWeekLater(t *testing.T) {
	fake := healthyFake()
	dir := t.TempDir()
	clock := promT0.Add(15 * 24 * time.Hour)
	p := newTestProm(t, fake, func(c *PrometheusConfig) {
		c.Cache = NewCache(dir)
		c.Clock = func() time.Time { return clock }
		c.MaxPointsPerQuery = 1000
	})
	q := promQuery(14 * 24 * 60)
	if _, err := p.Fetch(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	settled := q.To.Add(-time.Hour)

	fake.Reset()
	week := 7 * 24 * time.Hour
	clock = clock.Add(week)
	q.From, q.To = q.From.Add(week), q.To.Add(week)
	s, err := p.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, c := range p.chunks(q) {
		if c.last.After(settled) {
			want += 2
		}
	}
	reqs := fake.Requests()
	if len(reqs) != want || want/2 >= len(p.chunks(q)) {
		t.Errorf("a week later: %d requests, want %d (the new tail only, of %d chunks)", len(reqs), want, len(p.chunks(q)))
	}
	for _, r := range reqs {
		if !r.End.After(settled) {
			t.Errorf("asked again for the settled chunk %s – %s", r.Start, r.End)
		}
	}
	for i := range s.Len() {
		if math.IsNaN(s.Total[i]) {
			t.Fatalf("step %d: no data", i)
		}
	}
}

func sameSeries(t *testing.T, a, b *Series) {
	t.Helper()
	if a.Len() != b.Len() || !a.FirstEnd.Equal(b.FirstEnd) {
		t.Fatalf("series differ in shape: %d from %s vs %d from %s", a.Len(), a.FirstEnd, b.Len(), b.FirstEnd)
	}
	for i := range a.Len() {
		if a.Good[i] != b.Good[i] || a.Total[i] != b.Total[i] {
			t.Fatalf("step %d: %v/%v vs %v/%v", i, a.Good[i], a.Total[i], b.Good[i], b.Total[i])
		}
	}
}

func TestCacheKeyHasNoSecrets(t *testing.T) {
	c := chunk{first: promT0.Add(time.Minute), last: promT0.Add(100 * time.Minute)}
	a := cacheKey("http://127.0.0.1:9090", nil, "sum(increase(x[1m]))", time.Minute, c)
	if len(a) != 64 {
		t.Errorf("key %q", a)
	}
	for _, other := range []string{
		cacheKey("http://127.0.0.1:9091", nil, "sum(increase(x[1m]))", time.Minute, c),
		cacheKey("http://127.0.0.1:9090", map[string]string{"X-Scope-Orgid": "b"}, "sum(increase(x[1m]))", time.Minute, c),
		cacheKey("http://127.0.0.1:9090", nil, "sum(increase(y[1m]))", time.Minute, c),
		cacheKey("http://127.0.0.1:9090", nil, "sum(increase(x[1m]))", time.Minute, chunk{first: c.first, last: c.last.Add(time.Minute)}),
	} {
		if other == a {
			t.Error("different queries share a key")
		}
	}
}

// TestPrometheusRedirects: credentials go only to the configured origin. A
// redirect to another host, port or scheme is refused, naming both URLs
// and no secret, without retries and without a request to the other host;
// a redirect within the origin is followed with the credentials.
func TestPrometheusRedirects(t *testing.T) {
	auths := []func(*PrometheusConfig){
		func(c *PrometheusConfig) { c.BearerToken = promSecret },
		func(c *PrometheusConfig) { c.BasicAuthUser, c.BasicAuthPassword = "relia", promSecret },
	}
	for i, auth := range auths {
		t.Run(fmt.Sprintf("other origin %d", i), func(t *testing.T) {
			var leaked atomic.Int32
			var mu sync.Mutex
			asked := map[string]int{}
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") != "" || r.Header.Get("X-Scope-OrgID") != "" {
					leaked.Add(1)
				}
				healthyFake().ServeHTTP(w, r)
			}))
			defer other.Close()
			redirect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm()
				mu.Lock()
				asked[r.URL.Path+"?"+r.Form.Encode()]++
				mu.Unlock()
				http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			})
			p := newTestProm(t, redirect, func(c *PrometheusConfig) {
				auth(c)
				c.Headers = map[string]string{"X-Scope-OrgID": "team-a"}
			})
			_, err := p.Fetch(context.Background(), promQuery(10))
			if leaked.Load() > 0 {
				t.Fatalf("%d requests with credentials reached the other host", leaked.Load())
			}
			if !errors.Is(err, ErrUnreachable) {
				t.Fatalf("got %v, want ErrUnreachable", err)
			}
			msg := err.Error()
			for _, want := range []string{"redirect from " + p.URL() + "/api/v1/", "to " + other.URL + "/api/v1/", "refused: relia sends credentials only to " + p.URL()} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, promSecret) {
				t.Errorf("error shows the secret: %q", msg)
			}
			// Not worth retrying: no request is asked twice.
			mu.Lock()
			defer mu.Unlock()
			if len(asked) == 0 {
				t.Error("no request reached the configured store")
			}
			for req, n := range asked {
				if n > 1 {
					t.Errorf("asked %d times: %s", n, req)
				}
			}
		})
	}
	t.Run("same origin", func(t *testing.T) {
		fake := healthyFake()
		mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if inner, ok := strings.CutPrefix(r.URL.Path, "/moved"); ok {
				r.URL.Path = inner
				fake.ServeHTTP(w, r)
				return
			}
			http.Redirect(w, r, "/moved"+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		})
		p := newTestProm(t, mux, func(c *PrometheusConfig) { c.BearerToken = promSecret })
		if _, err := p.Fetch(context.Background(), promQuery(10)); err != nil {
			t.Fatal(err)
		}
		reqs := fake.Requests()
		if len(reqs) == 0 {
			t.Fatal("no request reached the store")
		}
		for _, r := range reqs {
			if got := r.Header.Get("Authorization"); got != "Bearer "+promSecret {
				t.Errorf("Authorization %q after a redirect within the origin", got)
			}
		}
	})
}

// A query cancelled while it waits to retry reports only the time the
// store spent on its attempts, never the backoff: -v and the summary
// would otherwise blame the store for relia's own pause.
func TestRetryCancelledDuringBackoffReportsStoreTimeOnly(t *testing.T) {
	p := newTestProm(t, healthyFake(), func(c *PrometheusConfig) {
		// A backoff far longer than the test: only the cancel can end it.
		c.Retry = Retry{Attempts: 5, Base: time.Hour, Max: time.Hour, Budget: 10 * time.Hour}
	})
	const storeTime = 7 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	failed := make(chan struct{})
	calls := 0
	go func() {
		<-failed
		cancel()
	}()
	_, _, _, attempts, wait, err := retry(p, ctx, "total", func(actx context.Context) (int, v1.Warnings, v1.Infos, error) {
		calls++
		st, ok := actx.Value(statusKey{}).(*status)
		if !ok {
			t.Fatal("attempt context carries no status")
		}
		st.wait.Store(int64(storeTime))
		if calls == 1 {
			close(failed)
		}
		return 0, nil, nil, errors.New("connection refused")
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if attempts != 1 || calls != 1 {
		t.Errorf("attempts %d, calls %d; want 1 and 1 (cancelled before the retry)", attempts, calls)
	}
	if wait != storeTime {
		t.Errorf("store time %v, want %v: the backoff must not count as the store's work", wait, storeTime)
	}
}
