package site_test

// Counts from real scrapes: history shaped as production scrapes it (off
// the step grid, 15 s intervals, counter resets, pods replaced), in a real
// Prometheus and a real VictoriaMetrics, read back step by step and
// compared with the generator's exact increments.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/metrics"
	"github.com/relia-dev/relia/internal/metrics/promtest"
	"github.com/relia-dev/relia/internal/site"
)

// scrapeNow is the report time; every history ends there.
var scrapeNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// scrapeCase is one shape of scrapes, as one service's counters.
type scrapeCase struct {
	name string
	h    promtest.History
	step time.Duration
	// churn: the first scrape of each new series is lost, as the README says.
	churn bool
}

func scrapeCases() []scrapeCase {
	days := func(n int) time.Time { return scrapeNow.Add(-time.Duration(n) * 24 * time.Hour) }
	incident := scrapeNow.Add(-30 * time.Hour)
	svc := func(name string, resets ...time.Time) []promtest.Service {
		return []promtest.Service{{Name: name, Requests: 600, ErrorsPerMille: 2, Resets: resets,
			BurstStart: incident, BurstEnd: incident.Add(50 * time.Minute), BurstPerMille: 150}}
	}
	return []scrapeCase{
		{name: "60s at +30s, step 1m", step: time.Minute,
			h: promtest.History{Start: days(31), End: scrapeNow, Interval: time.Minute, Offset: 30 * time.Second, Services: svc("offset60")}},
		{name: "15s at +7s, step 1m", step: time.Minute,
			h: promtest.History{Start: days(3), End: scrapeNow, Interval: 15 * time.Second, Offset: 7 * time.Second, Services: svc("offset15")}},
		{name: "60s on the grid, step 5m", step: 5 * time.Minute,
			h: promtest.History{Start: days(3), End: scrapeNow, Interval: time.Minute, Services: svc("grid60")}},
		{name: "reset during the incident, 15s at +7s", step: time.Minute,
			h: promtest.History{Start: days(3), End: scrapeNow, Interval: 15 * time.Second, Offset: 7 * time.Second,
				Services: svc("resets", incident.Add(20*time.Minute+20*time.Second), incident.Add(3*time.Hour+50*time.Second))}},
		{name: "pod replaced every 6h, 60s at +30s", step: time.Minute, churn: true,
			h: promtest.History{Start: days(3), End: scrapeNow, Interval: time.Minute, Offset: 30 * time.Second, Churn: 6 * time.Hour, Services: svc("churn")}},
	}
}

// sparseHistory is scraped every 2 minutes: too sparse for a 1-minute step.
var sparseHistory = promtest.History{Start: scrapeNow.Add(-24 * time.Hour), End: scrapeNow, Interval: 2 * time.Minute, Offset: 30 * time.Second,
	Services: []promtest.Service{{Name: "sparse", Requests: 100, ErrorsPerMille: 1}}}

func TestScrapedCounts(t *testing.T) {
	bins := promtest.Need(t, "prometheus", "prometheus", "promtool")
	vmBin := promtest.Need(t, "victoria-metrics", "victoria-metrics")
	if testing.Short() && os.Getenv("RELIA_INTEGRATION") != "1" {
		t.Skip("metric store integration skipped in -short mode")
	}
	cases := scrapeCases()
	hs := []promtest.History{sparseHistory}
	for _, c := range cases {
		hs = append(hs, c.h)
	}
	tmp := t.TempDir()
	data := filepath.Join(tmp, "prom", "data")
	if err := promtest.BackfillAll(bins[1], data, hs...); err != nil {
		t.Fatal(err)
	}
	prom, err := promtest.StartPrometheus(bins[0], data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prom.Stop)
	vm, err := promtest.StartVictoriaMetrics(vmBin[0], filepath.Join(tmp, "vm"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(vm.Stop)
	if err := vm.ImportVictoriaMetrics(hs...); err != nil {
		t.Fatal(err)
	}

	for _, store := range []*promtest.Server{prom, vm} {
		t.Run(store.Name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { checkSteps(t, store, c) })
			}
			t.Run("2m scrapes, step 1m", func(t *testing.T) { checkSparse(t, store) })
		})
	}
	t.Run("30-day SLI and alerts, 60s at +30s", func(t *testing.T) { checkThirtyDays(t, prom, cases[0].h) })
	t.Run("check says why data is missing", func(t *testing.T) { checkWhyNoData(t, prom) })
}

// checkWhyNoData runs relia check on a site whose SLOs have no data for
// two different reasons: no such series, and history that stopped.
func checkWhyNoData(t *testing.T, prom *promtest.Server) {
	dir := t.TempDir()
	writeScrapeSite(t, dir, prom.URL, "1d",
		scrapeSLO{service: "typo", counters: "chekout", objective: 99, window: "1d"},
		scrapeSLO{service: "stopped", counters: "offset15", objective: 99, window: "1d"})
	// offset15's history ends at scrapeNow: two days later it has stopped.
	rep, err := site.Check(context.Background(), site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Now: scrapeNow.Add(36 * time.Hour), NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, p := range rep.Problems {
		msgs = append(msgs, p.Key+": "+p.Msg)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		`slos[typo/availability]: no data: 0% of the window's steps have data: no series match total = http_requests_total{service="chekout"} in the store`,
		`slos[stopped/availability]: no data: 0% of the window's steps have data: the latest samples are from 2026-11-01 00:00 UTC and the store holds none since`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("check problems:\n%s\nwant one saying %q", all, want)
		}
	}
}

// scrapeSLO is an availability SLO of a test site over the generated
// counters of one service.
type scrapeSLO struct {
	service, counters string // the SLO's service, and the service label its selectors pick
	objective         float64
	window            string
}

// writeScrapeSite writes dir/relia.toml: a 1-minute step (on line 3, where
// a too-sparse selector's error points), the store at url, and the SLOs.
func writeScrapeSite(t *testing.T, dir, url, history string, slos ...scrapeSLO) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "title   = \"Scrapes\"\nhistory = %q\nstep    = \"1m\"\n\n[sources.prod]\ntype = \"prometheus\"\nurl  = %q\n", history, url)
	for _, s := range slos {
		fmt.Fprintf(&b, "\n[[slos]]\nservice   = %q\nname      = \"availability\"\nobjective = %v\nwindow    = %q\n", s.service, s.objective, s.window)
		fmt.Fprintf(&b, "bad   = 'http_requests_total{service=%q,code=\"500\"}'\ntotal = 'http_requests_total{service=%q}'\n", s.counters, s.counters)
	}
	writeFile(t, filepath.Join(dir, "relia.toml"), b.String())
}

// checkSteps fetches the last two days of a case and compares every step
// with the generator's increments.
func checkSteps(t *testing.T, store *promtest.Server, c scrapeCase) {
	src, err := metrics.NewPrometheus(metrics.PrometheusConfig{Name: "store", URL: store.URL, Clock: func() time.Time { return scrapeNow }})
	if err != nil {
		t.Fatal(err)
	}
	service := c.h.Services[0].Name
	q := metrics.Query{SLO: service + "/availability", From: scrapeNow.Add(-48 * time.Hour), To: scrapeNow, Step: c.step,
		Bad: fmt.Sprintf(`http_requests_total{service=%q,code="500"}`, service), Total: fmt.Sprintf(`http_requests_total{service=%q}`, service)}
	s, err := src.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var sumTotal, sumBad, wantTotal, wantBad float64
	wrong := 0
	for i := range s.Len() {
		τ := s.End(i)
		total, failed := c.h.Events(service, τ.Add(-c.step), τ)
		if c.churn {
			lt, lf := c.h.FirstScrapes(service, τ.Add(-c.step), τ)
			total, failed = total-lt, failed-lf
		}
		bad := s.Total[i] - s.Good[i]
		if math.IsNaN(s.Total[i]) || s.Total[i] != float64(total) || bad != float64(failed) {
			if wrong < 5 {
				t.Errorf("step %s: total %v bad %v, the counters say %d and %d", τ.Format(time.RFC3339), s.Total[i], bad, total, failed)
			}
			wrong++
		}
		sumTotal += s.Total[i]
		sumBad += bad
		wantTotal += float64(total)
		wantBad += float64(failed)
	}
	if wrong > 0 {
		t.Errorf("%d of %d steps wrong", wrong, s.Len())
	}
	all, allBad := c.h.Events(service, q.From, q.To)
	t.Logf("%d steps: total %.0f bad %.0f; the counters %d and %d; read exactly but for the documented loss %.0f and %.0f", s.Len(), sumTotal, sumBad, all, allBad, float64(all)-wantTotal, float64(allBad)-wantBad)
}

func checkSparse(t *testing.T, store *promtest.Server) {
	dir := t.TempDir()
	writeScrapeSite(t, dir, store.URL, "1d", scrapeSLO{service: "sparse", counters: "sparse", objective: 99, window: "1h"})
	_, err := site.Build(context.Background(), site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: filepath.Join(dir, "public"), Now: scrapeNow, NoCache: true})
	var de *diag.Error
	if !errors.As(err, &de) || de.Line != 3 || de.Key != "step" {
		t.Fatalf("got %v, want an input error at relia.toml:3, key step", err)
	}
	// Either selector may be measured first; both are scraped every 2m.
	if !strings.Contains(err.Error(), `total = http_requests_total{service="sparse"} is`) && !strings.Contains(err.Error(), `bad = http_requests_total{service="sparse",code="500"} is`) {
		t.Errorf("error %q does not name the selector", err)
	}
	for _, want := range []string{"scraped every 2m", "step of 1m", `smallest step that works is "2m"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	var ie *site.InputError
	if !errors.As(err, &ie) {
		t.Errorf("error %v is not an input error (exit 1)", err)
	}
}

// checkThirtyDays builds a site over 31 days of 60 s scrapes at +30 s and
// compares the 30-day SLI with the exact ratio, and the alert intervals
// with Prometheus evaluating the same multiwindow conditions.
func checkThirtyDays(t *testing.T, prom *promtest.Server, h promtest.History) {
	const objective = 99.9
	dir := t.TempDir()
	writeScrapeSite(t, dir, prom.URL, "2d", scrapeSLO{service: "offset60", counters: "offset60", objective: objective, window: "30d"})
	out := filepath.Join(dir, "public")
	if _, err := site.Build(context.Background(), site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: out, Now: scrapeNow}); err != nil {
		t.Fatal(err)
	}
	_, slos := readAPI(t, out)
	s := slos["offset60/availability"]
	total, failed := h.Events("offset60", scrapeNow.Add(-30*24*time.Hour), scrapeNow)
	want := float64(total-failed) / float64(total)
	if s.SLI == nil || math.Abs(*s.SLI-want) > 1e-9 || s.Total != float64(total) || s.Bad != float64(failed) {
		t.Fatalf("sli %v of %v/%v, want %.12f of %d/%d", s.SLI, s.Bad, s.Total, want, failed, total)
	}
	t.Logf("30-day SLI %.12f = %d good of %d, exact", *s.SLI, total-failed, total)

	// The multiwindow conditions in PromQL: the events of a lookback are
	// the difference of each counter across it (exact here: no resets),
	// evaluated on the minute grid over the day of the incident.
	from, to := scrapeNow.Add(-36*time.Hour), scrapeNow.Add(-12*time.Hour)
	events := func(sel, lookback string) string {
		return fmt.Sprintf("sum(last_over_time(%s[1m]) - last_over_time(%s[1h] offset %s))", sel, sel, lookback)
	}
	bad, all := `http_requests_total{service="offset60",code="500"}`, `http_requests_total{service="offset60"}`
	firing := map[string]map[time.Time]bool{}
	for _, rule := range []struct {
		severity, long, short string
		threshold             float64
	}{{"page", "1h", "5m", 14.4}, {"page", "6h", "30m", 6}, {"ticket", "1d", "2h", 3}, {"ticket", "3d", "6h", 1}} {
		limit := rule.threshold * (1 - objective/100)
		q := fmt.Sprintf("(%s / %s > bool %v) * (%s / %s > bool %v)",
			events(bad, rule.long), events(all, rule.long), limit, events(bad, rule.short), events(all, rule.short), limit)
		key := rule.long + "/" + rule.short
		firing[key] = map[time.Time]bool{}
		for τ, v := range promRange(t, prom.URL, q, from, to, time.Minute) {
			if v == 1 {
				firing[key][τ] = true
			}
		}
	}
	relia := map[string]map[time.Time]bool{}
	for _, a := range s.Alerts {
		key := a.Long + "/" + a.Short
		if relia[key] == nil {
			relia[key] = map[time.Time]bool{}
		}
		start, _ := time.Parse(time.RFC3339, a.Start)
		end, _ := time.Parse(time.RFC3339, a.End)
		for τ := start; τ.Before(end); τ = τ.Add(time.Minute) {
			if !τ.Before(from) && !τ.After(to) {
				relia[key][τ] = true
			}
		}
	}
	for key, want := range firing {
		got := relia[key]
		for τ := range want {
			if !got[τ] {
				t.Errorf("%s: Prometheus fires at %s, relia does not", key, τ.Format(time.RFC3339))
			}
		}
		for τ := range got {
			if !want[τ] {
				t.Errorf("%s: relia fires at %s, Prometheus does not", key, τ.Format(time.RFC3339))
			}
		}
		t.Logf("%s: %d firing minutes in both", key, len(want))
	}
	if len(firing["1h/5m"]) == 0 {
		t.Error("the incident fired no page: the comparison proves nothing")
	}
}

// promRange runs a query_range and returns its single series by time.
func promRange(t *testing.T, base, query string, from, to time.Time, step time.Duration) map[time.Time]float64 {
	t.Helper()
	resp, err := http.PostForm(base+"/api/v1/query_range", url.Values{"query": {query},
		"start": {strconv.FormatInt(from.Unix(), 10)}, "end": {strconv.FormatInt(to.Unix(), 10)}, "step": {strconv.Itoa(int(step.Seconds()))}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status, Error string
		Data          struct {
			Result []struct{ Values [][2]any }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Status != "success" || len(body.Data.Result) > 1 {
		t.Fatalf("query %s: %s, %d series", query, body.Error, len(body.Data.Result))
	}
	out := map[time.Time]float64{}
	for _, r := range body.Data.Result {
		for _, v := range r.Values {
			ts, _ := v[0].(float64)
			f, err := strconv.ParseFloat(fmt.Sprint(v[1]), 64)
			if err != nil {
				t.Fatal(err)
			}
			out[time.Unix(int64(ts), 0).UTC()] = f
		}
	}
	return out
}
