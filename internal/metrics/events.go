package metrics

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// How the answers become per-step counts. sum(increase(SEL[STEP])) — the
// obvious query — is wrong on real scrapes: over 60 s scrapes at an offset
// a one-step window holds one sample and increase() returns nothing, and
// over 15 s scrapes it sees three of the four intervals and extrapolates
// them by 4/3. EventsQuery instead differences each series against its
// own previous sample, on the server, so the events of a scrape are
// counted in the step its scrape landed in, whole:
//
//	cur  = last_over_time(SEL[STEP])             the series' last sample in the step
//	prev = last_over_time(SEL[GAP] offset STEP)  its last sample before the step
//
//	  (cur − prev) ≥ 0                           the usual case
//	or cur + max(0, max_over_time(SEL[STEP]) − prev)   and cur < prev
//	                                             a reset: the value after it is the
//	                                             increment (as increase() counts),
//	                                             plus what the series gained in the
//	                                             step before it restarted
//	or max_over_time(SEL[STEP]) − min_over_time(SEL[STEP])   unless prev
//	                                             a new series (a new pod): what it
//	                                             gained after its first scrape
//
// summed over the series. Summed over steps the differences telescope, so
// a window's total is exact but for two losses, both documented in the
// docs (prometheus.md): the first scrape of a new series (its counter's value then is
// what it counted before anyone looked), and a series silent for longer
// than GAP (its next sample has no partner, so the silence is lost as for
// a new series). Neither is counted twice.
//
// A step with no sample of any series is no data, as the design wants: the
// query has no point there.

// gapBridge is how long a series may go without a sample and still have
// its next sample differenced against its last: it bridges a Prometheus
// restart or a target down for a while without losing the events served
// meanwhile.
const gapBridge = time.Hour

// EventsQuery is the PromQL whose value at τ, at a query_range step of
// step, is the number of events the counters of selector counted in
// (τ−step, τ]. See the comment above for how.
func EventsQuery(selector string, step time.Duration) string {
	s, gap := formatDuration(step), formatDuration(max(gapBridge, step))
	cur := "last_over_time(" + selector + "[" + s + "])"
	prev := "last_over_time(" + selector + "[" + gap + "] offset " + s + ")"
	top := "max_over_time(" + selector + "[" + s + "])"
	bottom := "min_over_time(" + selector + "[" + s + "])"
	return "sum(" +
		"(" + cur + " - " + prev + ") >= 0" +
		" or (" + cur + " + clamp_min(" + top + " - " + prev + ", 0)) and " + cur + " < " + prev +
		" or (" + top + " - " + bottom + ") unless " + prev +
		")"
}

// Scrape is what the store shows of how a selector's series are scraped,
// measured once per build and selector.
type Scrape struct {
	Series   int           // series with a sample in the hour (or the probe window) before the probe
	Interval time.Duration // time between two scrapes of the densest series; 0 when unknown
	Offset   time.Duration // where in the interval the latest scrape landed; -1 when unknown
	At       time.Time     // when it was measured
}

// SparseError is a step shorter than the selector's scrape interval: some
// steps would hold no scrape, count nothing, and the next one twice. The
// build stops at the step setting rather than publish such counts.
type SparseError struct {
	Series   string // "good", "bad" or "total"
	Selector string
	Scrape   Scrape
	Step     time.Duration
}

func (e *SparseError) Error() string {
	return fmt.Sprintf("%s = %s is scraped every %s (measured at %s), longer than the step of %s: steps without a scrape would count nothing and the next step twice; the smallest step that works is %q",
		e.Series, e.Selector, formatDuration(e.Scrape.Interval), e.Scrape.At.UTC().Format(time.RFC3339), formatDuration(e.Step), formatDuration(SmallestStep(e.Scrape.Interval)))
}

// SmallestStep is the smallest of the usual steps that is at least the
// scrape interval.
func SmallestStep(interval time.Duration) time.Duration {
	for _, s := range []time.Duration{
		time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
	} {
		if s >= interval {
			return s
		}
	}
	return interval.Truncate(time.Hour) + time.Hour
}

// sparseTolerance lets a measured interval exceed the step a little: a
// missed scrape in the probe window lengthens it, and a step that is
// really missed now and then only moves a few events by one step.
const sparseTolerance = 1.05

// probeWindow is how far back a probe counts samples for the step: an
// hour, or a dozen steps when that is longer.
func probeWindow(step time.Duration) time.Duration { return max(time.Hour, 12*step) }

// scrapeQuery measures a selector at one instant in a single request: the
// series seen in the probe window W, the most samples any series had in
// one of the three windows W before (so that a pod replaced in the middle
// of one window does not look sparse), and the newest sample's time.
func scrapeQuery(selector string, step time.Duration) string {
	w := formatDuration(probeWindow(step))
	w3 := formatDuration(3 * probeWindow(step))
	tag := func(q, name string) string { return `label_replace(` + q + `, "relia", "` + name + `", "", "")` }
	return tag("count(last_over_time("+selector+"["+w+"]))", "series") +
		" or " + tag("max(max_over_time(count_over_time("+selector+"["+w+"])["+w3+":"+w+"]))", "samples") +
		" or " + tag("max(timestamp("+selector+"))", "last")
}

// scrape measures selector, once per build: later calls for the same
// selector and step share the first answer. With a cache, a probe an
// earlier build measured less than ProbeTTL ago is used instead of a
// request; cached says so, and Fetch measures again (remeasure) when the
// steps it fetched doubt it.
func (p *Prometheus) scrape(ctx context.Context, slo, series, selector string, step time.Duration, at time.Time) (s Scrape, cached bool, err error) {
	entry := p.scrapeEntry(selector, step)
	entry.once.Do(func() {
		s, ok, err := p.keptProbe(ctx, slo, series, selector, step)
		if ok || err != nil {
			entry.s, entry.cached, entry.err = s, ok, err
			return
		}
		entry.s, entry.err = p.measureAndKeep(ctx, slo, series, selector, step, at)
	})
	return entry.s, entry.cached, entry.err
}

// remeasure measures selector from the store, once per build, when the
// probe scrape took from the cache is in doubt.
func (p *Prometheus) remeasure(ctx context.Context, slo, series, selector string, step time.Duration, at time.Time) (Scrape, error) {
	entry := p.scrapeEntry(selector, step)
	entry.again.Do(func() {
		entry.s2, entry.err2 = p.measureAndKeep(ctx, slo, series, selector, step, at)
	})
	return entry.s2, entry.err2
}

func (p *Prometheus) scrapeEntry(selector string, step time.Duration) *scrapeEntry {
	e, _ := p.scrapes.LoadOrStore(selector+"\x00"+step.String(), &scrapeEntry{})
	return e.(*scrapeEntry)
}

type scrapeEntry struct {
	once   sync.Once
	s      Scrape
	cached bool
	err    error

	again sync.Once
	s2    Scrape
	err2  error
}

// keptProbe is the cached probe of selector when there is one younger
// than ProbeTTL by the clock. An archive's failure is an error, as for
// chunks; a cache's is a warning, and the selector is measured again.
func (p *Prometheus) keptProbe(ctx context.Context, slo, series, selector string, step time.Duration) (Scrape, bool, error) {
	if p.cfg.Cache == nil {
		return Scrape{}, false, nil
	}
	s, measured, ok, err := p.cfg.Cache.getProbe(ctx, probeKey(p.keyURL, p.cfg.Headers, selector, step))
	if err := p.cacheTrouble(err); err != nil {
		return Scrape{}, false, err
	}
	if age := p.cfg.Clock().Sub(measured); !ok || age < 0 || age >= p.cfg.ProbeTTL {
		return Scrape{}, false, nil
	}
	p.observe(QueryRecord{Source: p.cfg.Name, SLO: slo, Series: series, Selector: selector, Query: scrapeQuery(selector, step),
		First: s.At, Last: s.At, Cached: true, Scrape: &s})
	return s, true, nil
}

// measureAndKeep measures selector and caches the result when it lets the
// step through: a selector too sparse for the step is measured again by
// every build until it is fixed.
func (p *Prometheus) measureAndKeep(ctx context.Context, slo, series, selector string, step time.Duration, at time.Time) (Scrape, error) {
	s, warned, err := p.measure(ctx, slo, series, selector, step, at)
	// An answer with warnings may be partial: used, not kept.
	if err != nil || p.cfg.Cache == nil || sparse(s, step) || warned {
		return s, err
	}
	if err := p.cacheTrouble(p.cfg.Cache.putProbe(ctx, probeKey(p.keyURL, p.cfg.Headers, selector, step), s, p.cfg.Clock())); err != nil {
		return s, err
	}
	return s, nil
}

// sparse says whether s is scraped too seldom for step.
func sparse(s Scrape, step time.Duration) bool {
	return s.Interval > 0 && float64(s.Interval) > sparseTolerance*float64(step)
}

// gapIn says whether vals has a step without a point between two steps
// with points: what a selector scraped less often than the step looks
// like in the events query, and a reason to doubt a cached probe.
func gapIn(vals []float64) bool {
	seen, missing := false, false
	for _, v := range vals {
		switch {
		case !math.IsNaN(v) && missing:
			return true
		case !math.IsNaN(v):
			seen = true
		case seen:
			missing = true
		}
	}
	return false
}

func (p *Prometheus) measure(ctx context.Context, slo, series, selector string, step time.Duration, at time.Time) (_ Scrape, warned bool, _ error) {
	query := scrapeQuery(selector, step)
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return Scrape{}, false, ctx.Err()
	}
	began := time.Now()
	val, warnings, attempts, wait, err := p.query(ctx, series, query, at)
	<-p.sem
	if err != nil {
		return Scrape{}, false, err
	}
	for _, w := range warnings {
		p.warn(Warning{Source: p.cfg.Name, SLO: slo, Series: series, Msg: p.scrub(w)})
	}
	s := Scrape{Offset: -1, At: at}
	vec, ok := val.(model.Vector)
	if !ok && val != nil {
		return Scrape{}, false, fmt.Errorf("fetch %q from %s: measure %s = %s: query answered a %s, want a vector", slo, p.display, series, selector, val.Type())
	}
	var samples, last float64
	for _, sm := range vec {
		v := float64(sm.Value)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		switch sm.Metric["relia"] {
		case "series":
			s.Series = int(v)
		case "samples":
			samples = v
		case "last":
			last = v
		}
	}
	if samples >= 2 {
		s.Interval = time.Duration(float64(probeWindow(step)) / samples).Round(time.Second)
	}
	if s.Interval > 0 && last > 0 {
		ms := int64(math.Round(last * 1000))
		s.Offset = time.Duration(ms%s.Interval.Milliseconds()) * time.Millisecond
	}
	p.observe(QueryRecord{Source: p.cfg.Name, SLO: slo, Series: series, Selector: selector, Query: query, First: at, Last: at,
		Points: len(vec), Duration: time.Since(began), Wait: wait, Attempts: attempts, Scrape: &s})
	return s, len(warnings) > 0, nil
}

// query runs an instant query with the retries of queryRange.
func (p *Prometheus) query(ctx context.Context, series, query string, at time.Time) (model.Value, v1.Warnings, int, time.Duration, error) {
	val, warnings, _, attempts, wait, err := retry(p, ctx, series, func(actx context.Context) (model.Value, v1.Warnings, v1.Infos, error) {
		return p.api.Query(actx, query, at, v1.WithTimeout(p.cfg.Timeout))
	})
	return val, warnings, attempts, wait, err
}

// DescribeScrape says how a selector is scraped, for -v logs.
func DescribeScrape(s Scrape) string {
	if s.Series == 0 {
		return "no series in the probe window"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d series", s.Series)
	if s.Interval > 0 {
		fmt.Fprintf(&b, ", scraped every %s", formatDuration(s.Interval))
	}
	if s.Offset >= 0 {
		fmt.Fprintf(&b, " at +%s", formatDuration(s.Offset))
	}
	return b.String()
}

// CountSeries is the number of series of selector with a sample in
// (from, to]: what tells "no such series" from "no samples here" when an
// SLO has no data. It reads the whole span, so it is asked only then.
func (p *Prometheus) CountSeries(ctx context.Context, selector string, from, to time.Time) (int, error) {
	span := to.Sub(from).Truncate(time.Second)
	if span < time.Second {
		return 0, nil
	}
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	val, _, _, _, err := p.query(ctx, "total", "count(last_over_time("+selector+"["+formatDuration(span)+"]))", to)
	<-p.sem
	if err != nil {
		return 0, err
	}
	if vec, ok := val.(model.Vector); ok && len(vec) == 1 {
		return int(vec[0].Value), nil
	}
	return 0, nil
}
