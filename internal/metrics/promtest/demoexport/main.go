// Command demoexport writes the demo site's recorded history as counters in
// the OpenMetrics text format, for backfilling into a local Prometheus with
// promtool: the README's recipe for trying relia against a real store.
//
//	go run ./internal/metrics/promtest/demoexport > demo.om
//	promtool tsdb create-blocks-from --max-block-duration=744h openmetrics demo.om DATA
//
// Each SLO of the demo snapshot becomes the counters its selectors in
// relia.toml select, scraped every minute at -offset past the minute (30 s
// by default: real Prometheus scrapes off the step grid). The events of a
// step are spread evenly over its minutes' scrapes, so each step's count
// comes back exactly. Steps without data have no samples.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
)

// family is one OpenMetrics metric family: its series, each the cumulative
// count of one of an SLO's series.
type family struct {
	name, typ string
	series    []series
}

type series struct {
	labels string // OpenMetrics label set, "" for none
	name   string // sample name (the family name plus _total, _bucket, …)
	slo    string
	kind   string // "good", "bad" or "total"
}

// demoFamilies maps the demo's SLOs onto the series relia.toml selects.
var demoFamilies = []family{
	{"http_requests", "counter", []series{
		{`{service="checkout",code="200"}`, "http_requests_total", "checkout/availability", "good"},
		{`{service="checkout",code="500"}`, "http_requests_total", "checkout/availability", "bad"},
	}},
	{"http_request_duration_seconds_bucket", "unknown", []series{
		{`{service="checkout",le="0.3"}`, "http_request_duration_seconds_bucket", "checkout/latency", "good"},
	}},
	{"http_request_duration_seconds_count", "unknown", []series{
		{`{service="checkout"}`, "http_request_duration_seconds_count", "checkout/latency", "total"},
	}},
	{"search_queries_failed", "counter", []series{{"", "search_queries_failed_total", "search/availability", "bad"}}},
	{"search_queries", "counter", []series{{"", "search_queries_total", "search/availability", "total"}}},
	{"search_query_duration_seconds_bucket", "unknown", []series{{`{le="0.5"}`, "search_query_duration_seconds_bucket", "search/latency", "good"}}},
	{"search_query_duration_seconds_count", "unknown", []series{{"", "search_query_duration_seconds_count", "search/latency", "total"}}},
	{"payments_authorisations", "counter", []series{
		{`{result="ok"}`, "payments_authorisations_total", "payments/availability", "good"},
		{`{result="error"}`, "payments_authorisations_total", "payments/availability", "bad"},
	}},
}

func main() {
	path := flag.String("snapshot", "content/data/demo-metrics.json.gz", "the demo snapshot")
	days := flag.Int("days", 125, "days of history before the snapshot's recorded_at")
	offset := flag.Duration("offset", 30*time.Second, "scrape time past each minute, 0s to 59s")
	flag.Parse()
	if *offset < 0 || *offset >= time.Minute {
		fmt.Fprintln(os.Stderr, "demoexport: -offset must be from 0s to 59s")
		os.Exit(2)
	}
	if err := run(*path, *days, *offset); err != nil {
		fmt.Fprintln(os.Stderr, "demoexport:", err)
		os.Exit(1)
	}
}

func run(path string, days int, offset time.Duration) error {
	snap, err := metrics.OpenSnapshot(path)
	if err != nil {
		return err
	}
	step, to := snap.Step(), snap.RecordedAt()
	if to.IsZero() || step < time.Minute || step%time.Minute != 0 {
		return fmt.Errorf("%s: want a recorded_at and a step of whole minutes", path)
	}
	from := to.Add(-time.Duration(days) * 24 * time.Hour).Truncate(step)
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	perStep := int(step / time.Minute)
	for _, f := range demoFamilies {
		fmt.Fprintf(w, "# TYPE %s %s\n", f.name, f.typ)
		for _, s := range f.series {
			ser, err := snap.Fetch(context.Background(), metrics.Query{SLO: s.slo, From: from, To: to, Step: step})
			if err != nil {
				return err
			}
			cum, gap := 0.0, true
			for i := range ser.Len() {
				g, t := ser.Good[i], ser.Total[i]
				if math.IsNaN(t) {
					gap = true
					continue
				}
				n := map[string]float64{"good": g, "bad": t - g, "total": t}[s.kind]
				end := ser.End(i)
				// After a gap, a sample at the step's start carries the
				// count so far, so that the step is measured whole too.
				k0 := 1
				if gap {
					k0 = 0
				}
				gap = false
				// A scrape at offset past the minute lands in the step
				// that minute ends, one minute early, unless on the grid.
				early := time.Duration(0)
				if offset > 0 {
					early = time.Minute - offset
				}
				for k := k0; k <= perStep; k++ {
					at := end.Add(-time.Duration(perStep-k)*time.Minute - early)
					fmt.Fprintf(w, "%s%s %s %d\n", s.name, s.labels, num(cum+n*float64(k)/float64(perStep)), at.Unix())
				}
				cum += n
			}
		}
	}
	fmt.Fprintln(w, "# EOF")
	return w.Flush()
}

// num prints a count with up to three decimals, without trailing zeros.
func num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 3, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
