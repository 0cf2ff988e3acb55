package site_test

// Integration with real metric stores: a Prometheus (Debian package
// prometheus, with promtool) holding backfilled history, and
// VictoriaMetrics (Debian package victoria-metrics) holding the same
// history, both on 127.0.0.1. One test starts each store once and runs
// every check as a subtest. Without the binaries it skips with a message,
// unless RELIA_INTEGRATION=1, where it fails.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
	"github.com/relia-dev/relia/internal/metrics/promtest"
	"github.com/relia-dev/relia/internal/site"
)

// storeHistory: 31 days of 1-minute scrapes at +30 s (off the step grid,
// as real scrapes are) for two services; checkout has
// a 40-minute burst where a third of its requests fail, search never
// fails (its error counter does not exist).
var (
	storeNow     = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	storeHistory = promtest.History{
		Start:    storeNow.Add(-31 * 24 * time.Hour),
		End:      storeNow,
		Interval: time.Minute,
		Offset:   30 * time.Second,
		Services: []promtest.Service{
			{Name: "checkout", Requests: 120, ErrorsPerMille: 1,
				BurstStart: time.Date(2026, 10, 20, 14, 0, 0, 0, time.UTC), BurstEnd: time.Date(2026, 10, 20, 14, 40, 0, 0, time.UTC), BurstPerMille: 333},
			{Name: "search", Requests: 300},
		},
	}
)

// storeConfig builds the three SLOs below from the store at %s; the
// second %s is extra lines for the source table.
const storeConfig = `title   = "Stores"
step    = "5m"
history = "2d"

[sources.prod]
type = "prometheus"
url  = "%s"
%s
[[slos]]
service   = "checkout"
name      = "availability"
objective = 99.9
window    = "28d"
bad   = 'http_requests_total{service="checkout",code="500"}'
total = 'http_requests_total{service="checkout"}'

[[slos]]
service   = "checkout"
name      = "success"
objective = 99.5
window    = "7d"
good  = 'http_requests_total{service="checkout",code="200"}'
total = 'http_requests_total{service="checkout"}'

[[slos]]
service   = "search"
name      = "availability"
objective = 99.9
window    = "28d"
bad   = 'http_requests_total{service="search",code="500"}'
total = 'http_requests_total{service="search"}'
`

func TestMetricStores(t *testing.T) {
	bins := promtest.Need(t, "prometheus", "prometheus", "promtool")
	if testing.Short() && os.Getenv("RELIA_INTEGRATION") != "1" {
		t.Skip("metric store integration skipped in -short mode")
	}
	tmp := t.TempDir()
	began := time.Now()
	data := filepath.Join(tmp, "prom", "data")
	if err := promtest.Backfill(bins[1], storeHistory, data); err != nil {
		t.Fatal(err)
	}
	// A copy for the server the kill test ends: two servers cannot share a folder.
	spare := filepath.Join(tmp, "spare", "data")
	os.MkdirAll(filepath.Dir(spare), 0o755)
	if err := promtest.CopyDir(data, spare); err != nil {
		t.Fatal(err)
	}
	prom, err := promtest.StartPrometheus(bins[0], data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prom.Stop)
	t.Logf("history backfilled and Prometheus ready in %s", time.Since(began).Round(time.Millisecond))

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "relia.toml"), fmt.Sprintf(storeConfig, prom.URL, ""))
	live := filepath.Join(dir, "public")
	if _, err := site.Build(context.Background(), site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: live, Now: storeNow}); err != nil {
		t.Fatal(err)
	}
	_, slos := readAPI(t, live)

	t.Run("agrees with PromQL", func(t *testing.T) {
		for _, c := range []struct {
			id, service, window string
			objective           float64
		}{
			{"checkout/availability", "checkout", "28d", 99.9},
			{"checkout/success", "checkout", "7d", 99.5},
		} {
			s := slos[c.id]
			ratio := promInstant(t, prom.URL, fmt.Sprintf(`sum(increase(http_requests_total{service=%q,code="500"}[%s])) / sum(increase(http_requests_total{service=%q}[%s]))`,
				c.service, c.window, c.service, c.window), storeNow)
			if s.SLI == nil || s.Budget.Consumed == nil {
				t.Fatalf("%s: sli %v budget %v", c.id, s.SLI, s.Budget.Consumed)
			}
			wantSLI := 1 - ratio
			wantBudget := ratio / (1 - c.objective/100)
			t.Logf("%s: relia sli %.6f budget consumed %.4f, total %v bad %v; PromQL sli %.6f budget %.4f", c.id, *s.SLI, *s.Budget.Consumed, s.Total, s.Bad, wantSLI, wantBudget)
			if !near(*s.SLI, wantSLI, 1e-3) || !near(*s.Budget.Consumed, wantBudget, 1e-3) {
				t.Errorf("%s: relia sli %.6f budget consumed %.6f; PromQL gives %.6f and %.6f", c.id, *s.SLI, *s.Budget.Consumed, wantSLI, wantBudget)
			}
			// And the events counted by hand.
			w := 28 * 24 * time.Hour
			if c.window == "7d" {
				w = 7 * 24 * time.Hour
			}
			total, failed := storeHistory.Events(c.service, storeNow.Add(-w), storeNow)
			if s.Total != float64(total) || s.Bad != float64(failed) {
				t.Errorf("%s: relia total %v bad %v; the history has %d and %d", c.id, s.Total, s.Bad, total, failed)
			}
		}
		// search's error counter was never incremented: bad = 0, not no data.
		if s := slos["search/availability"]; s.SLI == nil || *s.SLI != 1 || s.Total == 0 {
			t.Errorf("search/availability: sli %v total %v, want 1 with traffic", s.SLI, s.Total)
		}
	})

	t.Run("snapshot builds the same site", func(t *testing.T) {
		snap := filepath.Join(dir, "rec.json.gz")
		if _, err := site.Record(context.Background(), site.RecordOptions{ConfigPath: filepath.Join(dir, "relia.toml"), Source: "prod", Out: snap, Now: storeNow}); err != nil {
			t.Fatal(err)
		}
		cfg := strings.Replace(fmt.Sprintf(storeConfig, "x", ""), "type = \"prometheus\"\nurl  = \"x\"", "type = \"snapshot\"\npath = \"rec.json.gz\"", 1)
		writeFile(t, filepath.Join(dir, "offline.toml"), cfg)
		out := filepath.Join(dir, "offline")
		if _, err := site.Build(context.Background(), site.Options{ConfigPath: filepath.Join(dir, "offline.toml"), Out: out, Now: storeNow}); err != nil {
			t.Fatal(err)
		}
		a, _ := readAPI(t, live)
		b, _ := readAPI(t, out)
		if !bytes.Equal(a, b) {
			t.Errorf("slos.json of the snapshot build differs from the live build")
		}
	})

	t.Run("VictoriaMetrics", func(t *testing.T) {
		vmBin := promtest.Need(t, "victoria-metrics", "victoria-metrics")
		vm, err := promtest.StartVictoriaMetrics(vmBin[0], filepath.Join(t.TempDir(), "vm"))
		if err != nil {
			t.Fatal(err)
		}
		defer vm.Stop()
		if err := vm.ImportVictoriaMetrics(storeHistory); err != nil {
			t.Fatal(err)
		}
		vdir := t.TempDir()
		writeFile(t, filepath.Join(vdir, "relia.toml"), fmt.Sprintf(storeConfig, vm.URL, ""))
		out := filepath.Join(vdir, "public")
		if _, err := site.Build(context.Background(), site.Options{ConfigPath: filepath.Join(vdir, "relia.toml"), Out: out, Now: storeNow}); err != nil {
			t.Fatal(err)
		}
		_, vslos := readAPI(t, out)
		for id, p := range slos {
			v := vslos[id]
			t.Logf("%s: VictoriaMetrics total %v bad %v, Prometheus %v %v", id, v.Total, v.Bad, p.Total, p.Bad)
			// Both count the counters' increments exactly: the same figures.
			if v.SLI == nil || p.SLI == nil || *v.SLI != *p.SLI || v.Total != p.Total || v.Bad != p.Bad {
				t.Errorf("%s: VictoriaMetrics good %v total %v, Prometheus %v %v", id, v.Good, v.Total, p.Good, p.Total)
			}
		}
	})

	t.Run("Prometheus killed mid-build", func(t *testing.T) {
		victim, err := promtest.StartPrometheus(bins[0], spare)
		if err != nil {
			t.Fatal(err)
		}
		defer victim.Kill()
		kdir := t.TempDir()
		writeFile(t, filepath.Join(kdir, "relia.toml"), fmt.Sprintf(storeConfig, victim.URL, "max_concurrency = 1\nmax_points_per_query = 1000\n"))
		out := filepath.Join(kdir, "public")
		opts := site.Options{ConfigPath: filepath.Join(kdir, "relia.toml"), Out: out, Now: storeNow, NoCache: true}
		if _, err := site.Build(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		before, _ := readAPI(t, out)
		// The first query answered ends the server; the rest find it gone.
		opts.Verbose = &killer{kill: victim.Kill}
		opts.Now = storeNow.Add(-time.Hour)
		_, err = site.Build(context.Background(), opts)
		if !errors.Is(err, metrics.ErrUnreachable) || !strings.Contains(err.Error(), `source "prod": `+victim.URL) {
			t.Fatalf("got %v, want the source unreachable, named with its URL", err)
		}
		after, _ := readAPI(t, out)
		if !bytes.Equal(before, after) {
			t.Error("the failed build changed public/")
		}
	})
}

// killer calls kill on its first write: the first -v line of a build.
type killer struct {
	once sync.Once
	kill func()
}

func (k *killer) Write(p []byte) (int, error) {
	k.once.Do(k.kill)
	return len(p), nil
}

var _ io.Writer = (*killer)(nil)

// promInstant runs an instant query and returns its single value.
func promInstant(t *testing.T, base, query string, at time.Time) float64 {
	t.Helper()
	resp, err := http.PostForm(base+"/api/v1/query", url.Values{"query": {query}, "time": {strconv.FormatInt(at.Unix(), 10)}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string
		Data   struct {
			Result []struct {
				Value [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Status != "success" || len(body.Data.Result) != 1 {
		t.Fatalf("query %s: %+v", query, body)
	}
	v, err := strconv.ParseFloat(body.Data.Result[0].Value[1].(string), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func near(got, want, rel float64) bool {
	if want == 0 {
		return math.Abs(got) < rel
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}
