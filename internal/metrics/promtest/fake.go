// Package promtest holds test doubles and helpers for relia's Prometheus
// source: Fake, an in-memory query_range endpoint for unit and fault tests,
// and helpers that generate counter history and run a real Prometheus or
// VictoriaMetrics on 127.0.0.1 for integration tests. Only tests use it.
package promtest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxPoints is Prometheus's own limit of points per series in a
// query_range; Fake refuses more, as Prometheus does.
const MaxPoints = 11_000

// Fake answers /api/v1/query_range for relia's events query
// (metrics.EventsQuery) from per-step functions, and /api/v1/query for its
// scrape-interval probe, and records every request. A selector it does
// not know matches no series (an empty result); a selector containing
// "{{" is a PromQL parse error. It reads the selector from the query's
// first last_over_time(SELECTOR[STEP]) and trusts the rest of the query to
// be the events query: the real stores of the integration tests check
// the PromQL itself.
type Fake struct {
	// Series gives, per selector, the events in the step of length step
	// ending at τ; ok false means no point there.
	Series map[string]func(τ time.Time, step time.Duration) (v float64, ok bool)
	// Intervals gives, per selector, the scrape interval the probe
	// measures; a selector of Series not listed here is scraped every
	// second, so any step passes.
	Intervals map[string]time.Duration
	// Warnings are added to every successful answer, probes' included.
	Warnings []string

	mu       sync.Mutex
	requests []Request
}

// Request is one query_range the fake answered or refused.
type Request struct {
	Query       string
	Start, End  time.Time
	Step        time.Duration
	Points      int
	Header      http.Header
	Method      string
	ServedError bool
	Instant     bool // a /api/v1/query (the scrape probe), not a query_range
}

// Requests returns the requests so far.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// Reset forgets the recorded requests.
func (f *Fake) Reset() {
	f.mu.Lock()
	f.requests = nil
	f.mu.Unlock()
}

var (
	queryRe = regexp.MustCompile(`^sum\(\(last_over_time\((.*?)\[([0-9a-z]+)\]\) - `)
	probeRe = regexp.MustCompile(`^label_replace\(count\(last_over_time\((.*?)\[([0-9a-z]+)\]\)\), "relia", "series"`)
)

// ServeHTTP implements the query_range and query endpoints.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/v1/query_range" && r.URL.Path != "/api/v1/query" {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "bad_data", err.Error())
		return
	}
	rec := Request{Query: r.Form.Get("query"), Header: r.Header.Clone(), Method: r.Method, Instant: r.URL.Path == "/api/v1/query"}
	defer func() {
		f.mu.Lock()
		f.requests = append(f.requests, rec)
		f.mu.Unlock()
	}()
	if rec.Instant {
		f.probe(w, &rec)
		return
	}
	start, err1 := parseTime(r.Form.Get("start"))
	end, err2 := parseTime(r.Form.Get("end"))
	step, err3 := strconv.ParseFloat(r.Form.Get("step"), 64)
	if err1 != nil || err2 != nil || err3 != nil || step <= 0 {
		rec.ServedError = true
		writeError(w, http.StatusBadRequest, "bad_data", "invalid start, end or step")
		return
	}
	rec.Start, rec.End, rec.Step = start, end, time.Duration(step*float64(time.Second))
	rec.Points = int(end.Sub(start)/rec.Step) + 1
	if rec.Points > MaxPoints {
		rec.ServedError = true
		writeError(w, http.StatusBadRequest, "bad_data", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
		return
	}
	m := queryRe.FindStringSubmatch(rec.Query)
	if m == nil || strings.Contains(rec.Query, "{{") {
		rec.ServedError = true
		writeError(w, http.StatusBadRequest, "bad_data", `invalid parameter "query": 1:14: parse error: unexpected "{" in label matching`)
		return
	}
	var values [][2]any
	if fn := f.Series[m[1]]; fn != nil {
		for τ := start; !τ.After(end); τ = τ.Add(rec.Step) {
			if v, ok := fn(τ, rec.Step); ok {
				values = append(values, [2]any{json.Number(strconv.FormatFloat(float64(τ.UnixMilli())/1000, 'f', -1, 64)), strconv.FormatFloat(v, 'f', -1, 64)})
			}
		}
	}
	result := []any{}
	if len(values) > 0 {
		result = append(result, map[string]any{"metric": map[string]string{}, "values": values})
	}
	body := map[string]any{"status": "success", "data": map[string]any{"resultType": "matrix", "result": result}}
	if len(f.Warnings) > 0 {
		body["warnings"] = f.Warnings
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(body)
}

// probe answers the scrape probe: every known selector has one series,
// scraped at its Intervals entry.
func (f *Fake) probe(w http.ResponseWriter, rec *Request) {
	m := probeRe.FindStringSubmatch(rec.Query)
	if m == nil || strings.Contains(rec.Query, "{{") {
		rec.ServedError = true
		writeError(w, http.StatusBadRequest, "bad_data", `invalid parameter "query": 1:14: parse error: unexpected "{" in label matching`)
		return
	}
	result := []any{}
	if f.Series[m[1]] != nil {
		window, err := time.ParseDuration(strings.Replace(m[2], "d", "h", 1))
		if strings.HasSuffix(m[2], "d") {
			window *= 24
		}
		interval := f.Intervals[m[1]]
		if interval <= 0 {
			interval = time.Second
		}
		if err == nil {
			sample := func(name string, v float64) map[string]any {
				return map[string]any{"metric": map[string]string{"relia": name}, "value": []any{0, strconv.FormatFloat(v, 'f', -1, 64)}}
			}
			result = append(result, sample("series", 1), sample("samples", float64(window/interval)))
		}
	}
	body := map[string]any{"status": "success", "data": map[string]any{"resultType": "vector", "result": result}}
	if len(f.Warnings) > 0 {
		body["warnings"] = f.Warnings
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(body)
}

func parseTime(s string) (time.Time, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, err
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), nil
}

func writeError(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"status":"error","errorType":%q,"error":%q}`, typ, msg)
}

// Constant returns a series with v events in every step.
func Constant(v float64) func(time.Time, time.Duration) (float64, bool) {
	return func(time.Time, time.Duration) (float64, bool) { return v, true }
}
