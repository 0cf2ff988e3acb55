package archive

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
	"github.com/relia-dev/relia/internal/metrics/promtest"
)

// TestBucketArchiveWarm: over a bucket (file://, through gocloud.dev/blob)
// an archive keeps the settled beginning of the newest chunk and the
// scrape-interval probes beside the chunks, so a rebuild asks the store
// only for the unsettled hour and makes no probe.
func TestBucketArchiveWarm(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "history")
	fake := &promtest.Fake{Series: map[string]func(time.Time, time.Duration) (float64, bool){
		`requests_total{job="web"}`: promtest.Constant(100),
		`errors_total{job="web"}`:   promtest.Constant(1),
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	// 250 one-minute steps; 100 per chunk on the epoch's grid, so the
	// newest chunk is cut at the report time and not settled whole.
	from := time.Date(2026, 11, 1, 0, 37, 0, 0, time.UTC)
	q := metrics.Query{SLO: "web/availability", From: from, To: from.Add(250 * time.Minute), Step: time.Minute,
		Bad: `errors_total{job="web"}`, Total: `requests_total{job="web"}`}
	clock := q.To.Add(24 * time.Hour)
	build := func() *metrics.Series {
		t.Helper()
		bucket, err := Open(ctx, "file://"+filepath.ToSlash(dir))
		if err != nil {
			t.Fatal(err)
		}
		defer bucket.Close()
		p, err := metrics.NewPrometheus(metrics.PrometheusConfig{Name: "prod", URL: srv.URL, Timeout: 2 * time.Second,
			MaxPointsPerQuery: 100, Cache: metrics.NewArchive(bucket), Clock: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		s, err := p.Fetch(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cold := build()
	count := map[string]int{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		count[e.Name()[strings.IndexByte(e.Name(), '.'):]]++
	}
	// Per selector: 2 chunks settled whole, the newest's prefix, a probe.
	if count[".json.gz"] != 4 || count[".prefix.gz"] != 2 || count[".probe.json"] != 2 || len(count) != 3 {
		t.Fatalf("bucket holds %v, want 4 .json.gz, 2 .prefix.gz, 2 .probe.json", count)
	}

	fake.Reset()
	warm := build()
	// fmt prints NaN (a step without data) alike on both sides.
	if c, w := fmt.Sprint(cold.FirstEnd, cold.Good, cold.Total), fmt.Sprint(warm.FirstEnd, warm.Good, warm.Total); c != w {
		t.Fatalf("warm build differs from the cold one:\n%s\n%s", w, c)
	}
	// The hour not settled at the report time, 60 steps per selector: on
	// this grid it straddles two chunks, so each selector asks twice.
	settled := q.To.Add(-time.Hour)
	points := 0
	for _, r := range fake.Requests() {
		points += r.Points
		if r.Instant || !r.Start.After(settled) || r.End.After(q.To) {
			t.Errorf("warm request %s %s – %s (%d points), want a query_range after %s", r.Query[:20], r.Start, r.End, r.Points, settled)
		}
	}
	if points != 120 {
		t.Errorf("warm build asked for %d points, want 120 (60 per selector)", points)
	}
}
