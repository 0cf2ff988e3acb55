package metrics

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"golang.org/x/sync/errgroup"
)

// Prometheus is a Source backed by a server that speaks the Prometheus HTTP
// API: Prometheus itself, Thanos, Cortex, Grafana Mimir, VictoriaMetrics.
//
// For each selector of an SLO it runs EventsQuery as a query_range at
// STEP, so the point at τ is the events whose scrape landed in (τ−STEP, τ]:
// the per-step counts the SLO math wants, exact for any scrape interval up
// to the step and any scrape offset. Before trusting them it measures how
// often the selector's series are scraped (see Scrape) and refuses a step
// shorter than that. A long range is cut into chunks of at
// most MaxPointsPerQuery points, on a grid anchored at the Unix epoch (not
// at the start of the range) so that the same past chunk has the same key
// in every build and the cache can answer it. Chunks run concurrently, at
// most MaxConcurrency requests in flight per source, shared by every SLO.
//
// Failures split three ways. Timeouts, connection errors, 5xx and 429 are
// retried with exponential backoff and jitter; once the retries are spent
// Fetch returns an error wrapping ErrUnreachable. A 4xx or a PromQL error is
// not retried: it is a *QueryError naming the selector (or the source's
// settings) at fault. Anything else wrong with an answer (off-grid points,
// several series) is a plain error.
//
// Credentials live only in the HTTP headers this source adds to each
// request; they are never part of an error, a record, or a cache key.
type Prometheus struct {
	cfg     PrometheusConfig
	api     v1.API
	client  api.Client // the same client, for the answers relia reads itself
	display string     // the URL without credentials or query, for people
	keyURL  string     // the URL without credentials, for cache keys
	sem     chan struct{}
	secrets []string // values to scrub from any text that leaves the source
	warned  sync.Map // Warning → true: each passed to Warn once
	scrapes sync.Map // selector and step → *scrapeEntry: each measured once
}

var _ Source = (*Prometheus)(nil)

// PrometheusConfig configures a Prometheus source. Zero values take the
// defaults noted.
type PrometheusConfig struct {
	Name string // the source's name in relia.toml, for messages
	URL  string // base URL, e.g. http://127.0.0.1:9090 or https://mimir/prometheus

	Timeout           time.Duration // per request attempt; default 30s
	MaxConcurrency    int           // requests in flight; default 4
	MaxPointsPerQuery int           // points per series per request; default 10,000

	// Authentication: at most one of a bearer token and basic auth. The
	// caller reads the secrets from the environment variables that
	// relia.toml names.
	BearerToken       string
	BasicAuthUser     string
	BasicAuthPassword string
	Headers           map[string]string // extra request headers, e.g. X-Scope-OrgID

	RootCAs            *x509.CertPool // nil: the system pool
	InsecureSkipVerify bool

	// Cache holds settled past chunks; nil fetches everything. A chunk is
	// settled, and stored, when its last step ends Settle (default 1h)
	// before the earlier of the report time and the clock: samples can
	// arrive late, and the recent past may still change.
	Cache  *Cache
	Settle time.Duration
	// ProbeTTL is how long a cached scrape-interval probe is used before
	// it is measured again (default 24h); see Fetch for when it is
	// measured again sooner.
	ProbeTTL time.Duration

	Retry Retry

	// Observe, when set, receives a record of every query answered, from
	// the store or from the cache. It is called concurrently.
	Observe func(QueryRecord)
	// Warn, when set, receives the store's warnings and cache problems,
	// each distinct one once. It is called concurrently.
	Warn func(Warning)

	// Clock is the wall clock; nil means time.Now. Tests set it.
	Clock func() time.Time
	// Transport is the base HTTP transport; nil builds one from the TLS
	// settings above. Tests set it.
	Transport http.RoundTripper
	// MaxResponseBytes caps one answer body; zero means
	// DefaultMaxResponseBytes.
	MaxResponseBytes int64
}

// Retry bounds the retries of one query.
type Retry struct {
	Attempts int           // tries, the first included; default 5
	Base     time.Duration // backoff before the first retry, doubled each time; default 250ms
	Max      time.Duration // longest backoff; default 4s
	Budget   time.Duration // no retry starts later than this after the first try; default 2m
}

// Defaults of PrometheusConfig.
const (
	DefaultPrometheusTimeout = 30 * time.Second
	DefaultMaxConcurrency    = 4
	DefaultMaxPointsPerQuery = 10_000
	DefaultSettle            = time.Hour
	DefaultProbeTTL          = 24 * time.Hour
)

// QueryRecord describes one query_range chunk, for -v logs and progress.
type QueryRecord struct {
	Source   string
	SLO      string
	Series   string // "good", "bad" or "total"
	Selector string
	Query    string        // the PromQL sent
	First    time.Time     // first step end asked for
	Last     time.Time     // last step end asked for
	Points   int           // points in the answer
	Duration time.Duration // from the first request to the decoded answer, retries included
	Wait     time.Duration // of Duration, until the store's answers began to arrive: its own work
	Cached   bool          // answered from the cache, no request made
	// FromCache is how many steps of a chunk not settled whole came from
	// the cache's settled prefix: the request asked only for the rest,
	// from First on.
	FromCache int
	Attempts  int // requests made, retries included
	Infos     []string
	// Scrape is set on the record of the instant query that measured how
	// the selector is scraped (First and Last are its time); such a
	// record is not one of the chunks Requests counts.
	Scrape *Scrape
}

// QueryError is a query the store refused for a reason retrying cannot
// fix: an HTTP 4xx or a PromQL error. Series is the selector at fault
// ("good", "bad" or "total"), or "" when the source's settings are (an
// authentication failure, a wrong URL path).
type QueryError struct {
	Series string
	Err    error
}

func (e *QueryError) Error() string {
	if e.Series == "" {
		return e.Err.Error()
	}
	return e.Series + ": " + e.Err.Error()
}

func (e *QueryError) Unwrap() error { return e.Err }

// Warning is a store's warning about one selector's answer (a partial
// response, a limit hit, PromQL's "might not be a counter"), or a cache
// problem the fetch went on from. It comes as fields, not as a line of
// text, so that a build can report it at the selector's place in its
// configuration without reading the place back out of the message.
type Warning struct {
	Source string // the source's name in relia.toml
	SLO    string // the SLO's id; "" when the warning is about no one SLO (the cache)
	Series string // "good", "bad" or "total" with SLO; else ""
	Msg    string // the store's text, secrets scrubbed, or the cache's error
}

// String is the warning as one line for a log, naming the source and the
// selector.
func (w Warning) String() string {
	if w.SLO == "" {
		return w.Msg
	}
	return fmt.Sprintf("source %q: slos[%s].%s: %s", w.Source, w.SLO, w.Series, w.Msg)
}

// NewPrometheus returns a source for the server at cfg.URL. It makes no
// request: an unreachable server shows in Fetch.
func NewPrometheus(cfg PrometheusConfig) (*Prometheus, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("source %q: expected an http or https URL", cfg.Name)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultPrometheusTimeout
	}
	if cfg.MaxConcurrency <= 0 {
		cfg.MaxConcurrency = DefaultMaxConcurrency
	}
	if cfg.MaxPointsPerQuery <= 0 {
		cfg.MaxPointsPerQuery = DefaultMaxPointsPerQuery
	}
	if cfg.Settle <= 0 {
		cfg.Settle = DefaultSettle
	}
	if cfg.ProbeTTL <= 0 {
		cfg.ProbeTTL = DefaultProbeTTL
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	r := &cfg.Retry
	if r.Attempts <= 0 {
		r.Attempts = 5
	}
	if r.Base <= 0 {
		r.Base = 250 * time.Millisecond
	}
	if r.Max <= 0 {
		r.Max = 4 * time.Second
	}
	if r.Budget <= 0 {
		r.Budget = 2 * time.Minute
	}

	clean := *u
	clean.User = nil
	p := &Prometheus{cfg: cfg, keyURL: clean.String(), sem: make(chan struct{}, cfg.MaxConcurrency)}
	clean.RawQuery, clean.Fragment = "", ""
	p.display = clean.String()

	hdr := http.Header{}
	for k, v := range cfg.Headers {
		hdr.Set(k, v)
	}
	switch {
	case cfg.BearerToken != "":
		hdr.Set("Authorization", "Bearer "+cfg.BearerToken)
		p.secrets = append(p.secrets, cfg.BearerToken)
	case cfg.BasicAuthUser != "":
		req := &http.Request{Header: http.Header{}}
		req.SetBasicAuth(cfg.BasicAuthUser, cfg.BasicAuthPassword)
		hdr.Set("Authorization", req.Header.Get("Authorization"))
		if cfg.BasicAuthPassword != "" {
			p.secrets = append(p.secrets, cfg.BasicAuthPassword)
		}
	}
	if a := hdr.Get("Authorization"); a != "" {
		p.secrets = append(p.secrets, a)
	}
	// The longest first: a secret that contains another is scrubbed whole.
	slices.SortFunc(p.secrets, func(a, b string) int { return len(b) - len(a) })

	base := cfg.Transport
	if base == nil {
		base = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSClientConfig:       &tls.Config{RootCAs: cfg.RootCAs, InsecureSkipVerify: cfg.InsecureSkipVerify, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:   10 * time.Second,
			MaxIdleConns:          cfg.MaxConcurrency * 2,
			MaxIdleConnsPerHost:   cfg.MaxConcurrency,
			IdleConnTimeout:       90 * time.Second,
			ExpectContinueTimeout: time.Second,
			ForceAttemptHTTP2:     true,
		}
	}
	// The secrets now live in hdr only: nothing that prints p can show them.
	p.cfg.BearerToken, p.cfg.BasicAuthPassword = "", ""
	origin := originOf(u)
	httpClient := &http.Client{
		Transport: &transport{base: limitBodies(base, cfg.MaxResponseBytes), header: hdr, origin: origin},
		// Credentials and headers are for the configured store only: a
		// redirect elsewhere (a proxy's login page, a hostile or
		// misconfigured server) is refused rather than followed.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if originOf(req.URL) != origin {
				return &redirectError{from: plainURL(via[len(via)-1].URL), to: plainURL(req.URL), origin: p.display}
			}
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			return nil
		},
	}
	client, err := api.NewClient(api.Config{Address: p.keyURL, Client: httpClient})
	if err != nil {
		return nil, fmt.Errorf("source %q: %s", cfg.Name, p.scrub(err.Error()))
	}
	p.api, p.client = v1.NewAPI(client), client
	return p, nil
}

// URL is the server's address without credentials or query, as messages
// show it.
func (p *Prometheus) URL() string { return p.display }

// Requests is the number of query_range chunks a Fetch of q asks for,
// cached ones included: what progress counts.
func (p *Prometheus) Requests(q Query) int {
	if q.Step <= 0 || !q.To.After(q.From) {
		return 0
	}
	n := 0
	for _, s := range []string{q.Good, q.Bad, q.Total} {
		if s != "" {
			n++
		}
	}
	return n * len(p.chunks(q))
}

// chunk is one query_range request: the step ends first … last, inclusive.
type chunk struct{ first, last time.Time }

// chunks cuts the steps of q into requests of at most MaxPointsPerQuery
// points on a grid anchored at the epoch: chunk k holds the step ends in
// (k·span, (k+1)·span] with span = MaxPointsPerQuery·Step. The first chunk is
// asked for whole, even where it starts before q.From, so that it is the
// same request (and cache key) in every later build; the last ends at q.To.
func (p *Prometheus) chunks(q Query) []chunk {
	step := int64(q.Step)
	span := step * int64(p.cfg.MaxPointsPerQuery)
	of := func(τ int64) int64 { return floorDiv(τ-1, span) }
	first, last := q.From.UnixNano()+step, q.To.UnixNano()
	var out []chunk
	for k := of(first); k <= of(last); k++ {
		out = append(out, chunk{first: time.Unix(0, k*span+step).UTC(), last: time.Unix(0, min((k+1)*span, last)).UTC()})
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// chunkData is one selector's answer for one chunk: a value per step, NaN
// where the store returned no point.
type chunkData struct {
	c     chunk
	vals  []float64
	any   bool // at least one point
	fresh int  // vals[fresh:] came from the store in this build (a cached chunk has fresh = len(vals))
}

// Fetch runs the queries of q and combines good and total per step:
//
//   - A step where total has no point is no data (NaN), never zero.
//   - A step where total has a point but good (or bad) has none is no data,
//     except when that series has no point in the whole chunk: counters
//     that were never incremented (a service that never failed) are
//     commonly absent, and reading them as "no data" would blank every
//     SLO of a healthy service. Then the missing series counts as 0.
//   - good and total come from two queries, and a new series loses its
//     first scrape in one and not necessarily in the other, so good can
//     come out above total in a step: it is clamped to total (and bad to
//     total), not reported as an error.
//
// Each selector's scrape interval is measured first (once per build), at
// the report time or the clock if earlier; a series scraped less often
// than the step fails the fetch with a *SparseError. With a cache, a
// measurement an earlier build made less than ProbeTTL ago is used
// instead, unless the steps fetched from the store now show a gap (a step
// without a point between two with points, as a sparse selector's do):
// then the selector is measured again before the counts are trusted.
func (p *Prometheus) Fetch(ctx context.Context, q Query) (*Series, error) {
	if q.Step < time.Second || q.Step%time.Millisecond != 0 {
		return nil, fmt.Errorf("fetch %q from %s: step %s: want a whole number of milliseconds, at least 1s", q.SLO, p.display, q.Step)
	}
	if q.To.Before(q.From) {
		return nil, fmt.Errorf("fetch %q from %s: range ends (%s) before it starts (%s)", q.SLO, p.display, q.To.UTC().Format(time.RFC3339), q.From.UTC().Format(time.RFC3339))
	}
	if q.From.UnixNano()%int64(q.Step) != 0 || q.To.UnixNano()%int64(q.Step) != 0 {
		return nil, fmt.Errorf("fetch %q from %s: range %s – %s is not on the %s step grid", q.SLO, p.display, q.From.UTC().Format(time.RFC3339Nano), q.To.UTC().Format(time.RFC3339Nano), formatDuration(q.Step))
	}
	other, otherSel := "good", q.Good
	if q.Good == "" {
		other, otherSel = "bad", q.Bad
	}
	if q.Total == "" || otherSel == "" || (q.Good != "" && q.Bad != "") {
		return nil, fmt.Errorf("fetch %q from %s: want a total selector and one of good and bad", q.SLO, p.display)
	}
	out := NewSeries(q)
	if out.Len() == 0 {
		return out, nil
	}

	chunks := p.chunks(q)
	total := make([]chunkData, len(chunks))
	part := make([]chunkData, len(chunks))
	g, gctx := errgroup.WithContext(ctx)
	at := q.To
	if now := p.cfg.Clock(); now.Before(at) {
		at = now.Truncate(time.Second)
	}
	sels := [2][2]string{{"total", q.Total}, {other, otherSel}}
	var kept [2]bool // the probe came from the cache
	for k, sel := range sels {
		g.Go(func() error {
			s, cached, err := p.scrape(gctx, q.SLO, sel[0], sel[1], q.Step, at)
			if err != nil {
				return err
			}
			if sparse(s, q.Step) {
				return &SparseError{Series: sel[0], Selector: sel[1], Scrape: s, Step: q.Step}
			}
			kept[k] = cached
			return nil
		})
	}
	for i, c := range chunks {
		g.Go(func() (err error) {
			total[i], err = p.chunk(gctx, q, "total", q.Total, c)
			return err
		})
		g.Go(func() (err error) {
			part[i], err = p.chunk(gctx, q, other, otherSel, c)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// A cached probe stands until the steps fetched now show a gap.
	for k, data := range [2][]chunkData{total, part} {
		if !kept[k] || !slices.ContainsFunc(data, func(d chunkData) bool { return gapIn(d.vals[d.fresh:]) }) {
			continue
		}
		s, err := p.remeasure(ctx, q.SLO, sels[k][0], sels[k][1], q.Step, at)
		if err != nil {
			return nil, err
		}
		if sparse(s, q.Step) {
			return nil, &SparseError{Series: sels[k][0], Selector: sels[k][1], Scrape: s, Step: q.Step}
		}
	}

	step := int64(q.Step)
	first := out.FirstEnd.UnixNano()
	for k, c := range chunks {
		t, x := total[k], part[k]
		base := (c.first.UnixNano() - first) / step
		for j := range t.vals {
			i := base + int64(j)
			if i < 0 || i >= int64(out.Len()) {
				continue
			}
			tv, xv := t.vals[j], x.vals[j]
			if math.IsNaN(tv) {
				continue
			}
			if math.IsNaN(xv) {
				if x.any {
					continue
				}
				xv = 0 // absent in the whole chunk: never incremented
			}
			tv, xv = max(tv, 0), min(max(xv, 0), max(tv, 0)) // clamp: see above
			out.Total[i] = tv
			if other == "good" {
				out.Good[i] = xv
			} else {
				out.Good[i] = tv - xv
			}
		}
	}
	return out, nil
}

// chunk answers one selector for one chunk, from the cache when it can.
// A chunk settled whole is read whole from the cache; the newest chunk,
// not yet settled, is read from the cache up to its settled end (what an
// earlier build kept of it) and only the rest is asked for.
func (p *Prometheus) chunk(ctx context.Context, q Query, series, selector string, c chunk) (chunkData, error) {
	query := EventsQuery(selector, q.Step)
	rec := QueryRecord{Source: p.cfg.Name, SLO: q.SLO, Series: series, Selector: selector, Query: query, First: c.first, Last: c.last}
	n := int((c.last.Sub(c.first))/q.Step) + 1
	cutoff := q.To
	if now := p.cfg.Clock(); now.Before(cutoff) {
		cutoff = now
	}
	settled := cutoff.Add(-p.cfg.Settle)
	cacheable := p.cfg.Cache != nil && !c.last.After(settled)
	var key, pkey string
	var prefix []float64
	hadPrefix := false
	if p.cfg.Cache != nil {
		pkey = prefixKey(p.keyURL, p.cfg.Headers, query, q.Step, c.first)
	}
	if cacheable {
		key = cacheKey(p.keyURL, p.cfg.Headers, query, q.Step, c)
		began := time.Now()
		vals, ok, err := p.cfg.Cache.get(ctx, key, c, q.Step)
		if err := p.cacheTrouble(err); err != nil {
			return chunkData{}, err
		}
		if ok {
			d := chunkData{c: c, vals: vals, fresh: len(vals)}
			for _, v := range vals {
				if !math.IsNaN(v) {
					d.any = true
					rec.Points++
				}
			}
			rec.Cached, rec.Duration = true, time.Since(began)
			p.observe(rec)
			return d, nil
		}
	}
	if pkey != "" {
		// Not kept whole (yet): what an earlier build kept of its
		// beginning, when it was the newest chunk. A chunk spans at most
		// MaxPointsPerQuery steps; the prefix may be longer than c when
		// the report time moved back since it was kept.
		var err error
		prefix, err = p.cfg.Cache.getPrefix(ctx, pkey, c.first, q.Step, p.cfg.MaxPointsPerQuery)
		if err := p.cacheTrouble(err); err != nil {
			return chunkData{}, err
		}
		hadPrefix = prefix != nil
		prefix = prefix[:min(len(prefix), n)]
		rec.FromCache = len(prefix)
	}

	ask := chunk{first: c.first.Add(time.Duration(len(prefix)) * q.Step), last: c.last}
	d := chunkData{c: c, vals: make([]float64, 0, n), fresh: len(prefix)}
	d.vals = append(d.vals, prefix...)
	var warnings v1.Warnings
	if len(prefix) < n {
		select {
		case p.sem <- struct{}{}:
		case <-ctx.Done():
			return chunkData{}, ctx.Err()
		}
		began := time.Now()
		val, w, infos, attempts, wait, err := p.queryRange(ctx, series, query, v1.Range{Start: ask.first, End: ask.last, Step: q.Step})
		<-p.sem
		rec.First, rec.Duration, rec.Attempts, rec.Wait = ask.first, time.Since(began), attempts, wait
		if err != nil {
			return chunkData{}, err
		}
		warnings = w
		for _, w := range warnings {
			p.warn(Warning{Source: p.cfg.Name, SLO: q.SLO, Series: series, Msg: p.scrub(w)})
		}
		for _, i := range infos {
			rec.Infos = append(rec.Infos, p.scrub(i))
		}
		got, err := place(val, ask, q.Step, n-len(prefix))
		if err != nil {
			return chunkData{}, fmt.Errorf("fetch %q from %s: %s = %s: %w", q.SLO, p.display, series, selector, err)
		}
		d.vals = append(d.vals, got.vals...)
	} else {
		rec.Cached = true // the report time moved back into the prefix
	}
	for _, v := range d.vals {
		if !math.IsNaN(v) {
			d.any = true
			rec.Points++
		}
	}
	// An answer with warnings may be partial (a Thanos store down, a
	// limit hit): use it, but do not keep it.
	if p.cfg.Cache != nil && len(warnings) == 0 {
		var err error
		if cacheable {
			if err = p.cfg.Cache.put(ctx, key, c, q.Step, d.vals); err == nil && hadPrefix {
				if derr := p.cfg.Cache.dropPrefix(ctx, pkey); derr != nil {
					p.warn(Warning{Source: p.cfg.Name, Msg: derr.Error()}) // a prefix left behind is only unused
				}
			}
		} else if m := settledSteps(c, q.Step, settled); m > len(prefix) {
			err = p.cfg.Cache.putPrefix(ctx, pkey, c.first, q.Step, d.vals[:m])
		}
		if err := p.cacheTrouble(err); err != nil {
			return chunkData{}, err
		}
	}
	p.observe(rec)
	return d, nil
}

// cacheTrouble sorts a failure of the cache: an archive's stops the fetch
// (returned), a cache's is a warning (nil returned).
func (p *Prometheus) cacheTrouble(err error) error {
	if err == nil || p.cfg.Cache.strict {
		return err
	}
	p.warn(Warning{Source: p.cfg.Name, Msg: err.Error()})
	return nil
}

// settledSteps is how many steps of c, from its first, end by settled.
func settledSteps(c chunk, step time.Duration, settled time.Time) int {
	if settled.Before(c.first) {
		return 0
	}
	return min(int(settled.Sub(c.first)/step)+1, int(c.last.Sub(c.first)/step)+1)
}

// place puts a query_range answer on the chunk's grid. sum() without "by"
// gives at most one series; none means no data in the chunk.
func place(a *matrixAnswer, c chunk, step time.Duration, n int) (chunkData, error) {
	d := chunkData{c: c, vals: make([]float64, n)}
	for i := range d.vals {
		d.vals[i] = math.NaN()
	}
	if a.resultType != "matrix" && (a.resultType != "" || len(a.series) > 0) {
		return d, fmt.Errorf("query_range answered a %s, want a matrix", a.resultType)
	}
	if len(a.series) > 1 {
		return d, fmt.Errorf("query_range answered %d series; sum() gives one", len(a.series))
	}
	if len(a.series) == 0 {
		return d, nil
	}
	m := a.series[0]
	stepMs := step.Milliseconds()
	first, last := c.first.UnixMilli(), c.last.UnixMilli()
	for k, ts := range m.ts {
		at := func() string { return time.UnixMilli(ts).UTC().Format(time.RFC3339Nano) } // for errors only: hot loop
		switch {
		case ts%stepMs != 0:
			return d, fmt.Errorf("query_range answered a point at %s, off the %s step grid", at(), formatDuration(step))
		case ts < first || ts > last:
			return d, fmt.Errorf("query_range answered a point at %s, outside the range asked for (%s – %s)", at(), c.first.Format(time.RFC3339), c.last.Format(time.RFC3339))
		}
		v := m.vals[k]
		if math.IsInf(v, 0) || math.IsNaN(v) {
			continue // not a count: no data
		}
		i := (ts - first) / stepMs
		if !math.IsNaN(d.vals[i]) {
			return d, fmt.Errorf("query_range answered two points at %s", at())
		}
		d.vals[i] = v
		d.any = true
	}
	return d, nil
}

// queryRange runs one query_range with retries. It returns the number of
// requests made and the time spent waiting for the store's answers to
// begin. series names the selector in a *QueryError.
func (p *Prometheus) queryRange(ctx context.Context, series, query string, r v1.Range) (*matrixAnswer, v1.Warnings, v1.Infos, int, time.Duration, error) {
	return retry(p, ctx, series, func(actx context.Context) (*matrixAnswer, v1.Warnings, v1.Infos, error) {
		return p.queryRangeRaw(actx, query, r)
	})
}

// retry makes one request through do, retrying what classify says is
// worth it within the Retry limits.
func retry[T any](p *Prometheus, ctx context.Context, series string, do func(context.Context) (T, v1.Warnings, v1.Infos, error)) (_ T, _ v1.Warnings, _ v1.Infos, attempt int, wait time.Duration, _ error) {
	var zero T
	began := time.Now()
	var last error
	for {
		attempt++
		st := &status{}
		actx, cancel := context.WithTimeout(context.WithValue(ctx, statusKey{}, st), p.cfg.Timeout)
		val, warnings, infos, err := do(actx)
		timedOut := errors.Is(actx.Err(), context.DeadlineExceeded)
		cancel()
		wait += time.Duration(st.wait.Load())
		if err == nil {
			return val, warnings, infos, attempt, wait, nil
		}
		if ctx.Err() != nil {
			// Stopped from outside (another query failed, or Ctrl+C).
			return zero, nil, nil, attempt, wait, ctx.Err()
		}
		code := int(st.code.Load())
		retry, err := p.classify(err, series, code, timedOut)
		if !retry {
			return zero, nil, nil, attempt, wait, err
		}
		last = err
		if attempt >= p.cfg.Retry.Attempts {
			break
		}
		pause := p.backoff(attempt, time.Duration(st.retryAfter.Load()))
		if time.Since(began)+pause > p.cfg.Retry.Budget {
			break
		}
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return zero, nil, nil, attempt, wait, ctx.Err()
		}
	}
	return zero, nil, nil, attempt, wait, fmt.Errorf("%s: %w after %d attempts in %s; last error: %v",
		p.display, ErrUnreachable, attempt, time.Since(began).Round(time.Millisecond), last)
}

// classify says whether a failed request is worth retrying, and returns
// the error to report, scrubbed of secrets.
func (p *Prometheus) classify(err error, series string, code int, timedOut bool) (bool, error) {
	if timedOut {
		return true, fmt.Errorf("no answer within the timeout of %s", p.cfg.Timeout)
	}
	var re *redirectError
	if errors.As(err, &re) {
		// The answer will not change on a retry.
		return false, fmt.Errorf("%w: %s", ErrUnreachable, p.scrub(re.Error()))
	}
	clean := errors.New(p.scrub(err.Error()))
	var ae *v1.Error
	if !errors.As(err, &ae) {
		return true, clean // connection refused or reset, DNS, TLS handshake, …
	}
	clean = &v1.Error{Type: ae.Type, Msg: p.scrub(ae.Msg)}
	switch {
	case code == http.StatusTooManyRequests:
		return true, clean
	case ae.Type == v1.ErrBadData || ae.Type == v1.ErrExec:
		return false, &QueryError{Series: series, Err: clean}
	case code >= 400 && code < 500:
		if code == http.StatusBadRequest || code == http.StatusUnprocessableEntity {
			return false, &QueryError{Series: series, Err: clean}
		}
		// 401, 403, 404: the URL or the credentials, not the selector.
		return false, &QueryError{Err: fmt.Errorf("%w (HTTP %d from %s: check the url and the credentials)", clean, code, p.display)}
	}
	// 5xx, "timeout" and "canceled" errors, bad responses (truncated
	// JSON, a proxy's HTML page).
	return true, clean
}

// backoff is the pause before retry n (n ≥ 1): exponential with equal
// jitter (half fixed, half random, so retries from many chunks spread out
// but never hammer), or what Retry-After asks, within Retry.Max.
func (p *Prometheus) backoff(n int, retryAfter time.Duration) time.Duration {
	d := p.cfg.Retry.Base << min(n-1, 20)
	d = min(d, p.cfg.Retry.Max)
	d = d/2 + rand.N(d/2+1)
	if retryAfter > d {
		d = min(retryAfter, p.cfg.Retry.Max)
	}
	return d
}

func (p *Prometheus) warn(w Warning) {
	if p.cfg.Warn == nil {
		return
	}
	if _, seen := p.warned.LoadOrStore(w, true); !seen {
		p.cfg.Warn(w)
	}
}

func (p *Prometheus) observe(r QueryRecord) {
	if p.cfg.Observe != nil {
		p.cfg.Observe(r)
	}
}

// scrub replaces any secret in s. Errors of the HTTP stack do not carry
// headers, but a proxy or a misbehaving server could echo them back.
func (p *Prometheus) scrub(s string) string {
	for _, sec := range p.secrets {
		s = strings.ReplaceAll(s, sec, "[redacted]")
	}
	return s
}

// status carries what the HTTP layer saw of one attempt; the API client
// hides the response.
type status struct {
	code       atomic.Int64
	retryAfter atomic.Int64 // nanoseconds
	wait       atomic.Int64 // nanoseconds until the response headers
}

type statusKey struct{}

// transport adds the configured headers and credentials to each request
// to the configured origin, and records the status code for classify.
type transport struct {
	base   http.RoundTripper
	header http.Header
	origin string // scheme://host:port of the configured url
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if originOf(req.URL) == t.origin {
		for k, v := range t.header {
			req.Header[k] = v
		}
	}
	began := time.Now()
	resp, err := t.base.RoundTrip(req)
	st, ok := req.Context().Value(statusKey{}).(*status)
	if ok {
		// Prometheus evaluates the whole query before it answers: the
		// time to the headers is the store's work, the rest is transfer
		// and decoding.
		st.wait.Add(int64(time.Since(began)))
	}
	if ok && resp != nil {
		st.code.Store(int64(resp.StatusCode))
		if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s > 0 {
			st.retryAfter.Store(int64(time.Duration(s) * time.Second))
		}
	}
	return resp, err
}

// redirectError is a redirect away from the configured store's origin.
type redirectError struct{ from, to, origin string }

func (e *redirectError) Error() string {
	return fmt.Sprintf("redirect from %s to %s refused: relia sends credentials only to %s; if the store has moved, set url to its new address", e.from, e.to, e.origin)
}

// originOf is scheme://host:port, with the scheme's default port filled
// in: the unit credentials are scoped to.
func originOf(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// plainURL is u without user, query and fragment, for messages.
func plainURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.Fragment = nil, "", ""
	return c.String()
}
