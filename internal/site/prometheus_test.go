package site_test

// Builds against Prometheus-API stores: an in-memory fake here (fast, for
// the build's wiring and its failure behaviour), a real Prometheus and
// VictoriaMetrics in prometheus_integration_test.go.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/metrics"
	"github.com/relia-dev/relia/internal/metrics/promtest"
	"github.com/relia-dev/relia/internal/site"
)

// liveNow is the report time of the fake-store builds.
var liveNow = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

const liveSecret = "tok-9f8e7d6c5b4a"

// liveConfig is a one-SLO site on a Prometheus source; %s is the URL.
// The good selector is on line 16.
const liveConfig = `title   = "Live"
step    = "1m"
history = "1d"

[sources.prod]
type             = "prometheus"
url              = "%s"
timeout          = "2s"
bearer_token_env = "RELIA_TEST_PROM_TOKEN"

[[slos]]
service   = "web"
name      = "availability"
objective = 99
window    = "1d"
good      = '%s'
total     = 'all_total'
`

// liveFake answers 100 events a step, 99 of them good; with failing set,
// every request gets a 503.
type liveFake struct {
	fake    *promtest.Fake
	failing atomic.Bool
	count   atomic.Int32
}

func (f *liveFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.count.Add(1)
	if f.failing.Load() {
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
		return
	}
	f.fake.ServeHTTP(w, r)
}

func liveSite(t *testing.T, good string) (dir string, f *liveFake, url string) {
	t.Helper()
	t.Setenv("RELIA_TEST_PROM_TOKEN", liveSecret)
	f = &liveFake{fake: &promtest.Fake{Series: map[string]func(time.Time, time.Duration) (float64, bool){
		"all_total": promtest.Constant(100),
		"ok_total":  promtest.Constant(99),
	}}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	dir = t.TempDir()
	writeFile(t, filepath.Join(dir, "relia.toml"), fmt.Sprintf(liveConfig, srv.URL, good))
	return dir, f, srv.URL
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

type liveSLO struct {
	ID     string `json:"id"`
	Good   float64
	Total  float64
	Bad    float64
	SLI    *float64
	Budget struct{ Consumed *float64 }
	Alerts []liveAlert
}

type liveAlert struct {
	Severity, Long, Short string
	Threshold             float64
	Start, End            string
	Active                bool
}

func readAPI(t *testing.T, out string) (raw []byte, slos map[string]liveSLO) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(out, "api", "v1", "slos.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ SLOs []liveSLO }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	slos = map[string]liveSLO{}
	for _, s := range doc.SLOs {
		slos[s.ID] = s
	}
	return raw, slos
}

func TestPrometheusSourceBuild(t *testing.T) {
	dir, f, _ := liveSite(t, "ok_total")
	out := filepath.Join(dir, "public")
	var verbose bytes.Buffer
	opts := site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: out, Now: liveNow, Verbose: &verbose}
	if _, err := site.Build(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	_, slos := readAPI(t, out)
	s := slos["web/availability"]
	if s.Total != 144000 || s.Good != 142560 {
		t.Errorf("window: good %v total %v, want 142560/144000", s.Good, s.Total)
	}
	cold := f.count.Load()
	if !strings.Contains(verbose.String(), "query prod web/availability good ok_total ") {
		t.Errorf("-v log:\n%s", verbose.String())
	}
	files, _ := filepath.Glob(filepath.Join(dir, ".relia", "cache", "*.json.gz"))
	if len(files) == 0 {
		t.Fatal("no cache files beside relia.toml")
	}
	for _, file := range files {
		data, _ := os.ReadFile(file)
		if bytes.Contains(data, []byte(liveSecret)) {
			t.Fatalf("%s holds the token", file)
		}
	}

	// Again, as within the hour: only the unsettled tail is asked for.
	f.fake.Reset()
	verbose.Reset()
	if _, err := site.Build(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	// The scrape-interval probes come from the cache (no instant
	// queries); of the chunks, only the tail.
	var reqs []promtest.Request
	for _, r := range f.fake.Requests() {
		if r.Instant {
			t.Errorf("warm build probed again: %s", r.Query)
			continue
		}
		reqs = append(reqs, r)
	}
	if len(reqs) == 0 || len(reqs) > 2 {
		t.Errorf("warm build: %d requests (cold %d), want the tail chunk of each selector", len(reqs), cold)
	}
	for _, r := range reqs {
		if !r.End.After(liveNow.Add(-time.Hour)) {
			t.Errorf("warm build asked for the settled chunk %s – %s", r.Start, r.End)
		}
	}
	hits := 0
	for _, l := range strings.Split(verbose.String(), "\n") {
		if strings.HasPrefix(l, "query ") && strings.HasSuffix(l, "(cache hit)") {
			hits++
		}
	}
	if hits != len(files) {
		t.Errorf("%d cache hits in the -v log, want %d", hits, len(files))
	}

	// --no-cache asks for everything.
	f.count.Store(0)
	opts.NoCache = true
	if _, err := site.Build(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if got := f.count.Load(); got != cold {
		t.Errorf("--no-cache build made %d requests, want %d as cold", got, cold)
	}
}

func TestPrometheusSourceUnreachableKeepsSite(t *testing.T) {
	dir, f, url := liveSite(t, "ok_total")
	out := filepath.Join(dir, "public")
	opts := site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: out, Now: liveNow, NoCache: true}
	if _, err := site.Build(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	before, _ := readAPI(t, out)
	index, _ := os.ReadFile(filepath.Join(out, "index.html"))

	f.failing.Store(true)
	var log bytes.Buffer
	opts.Log = &log
	opts.Now = liveNow.Add(time.Hour)
	_, err := site.Build(context.Background(), opts)
	if !errors.Is(err, metrics.ErrUnreachable) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
	msg := err.Error()
	for _, want := range []string{`source "prod"`, url, "after 5 attempts", "server error: 503"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %q", msg, want)
		}
	}
	if strings.Contains(msg+log.String(), liveSecret) {
		t.Errorf("the token was printed: %s %s", msg, log.String())
	}
	after, _ := readAPI(t, out)
	index2, _ := os.ReadFile(filepath.Join(out, "index.html"))
	if !bytes.Equal(before, after) || !bytes.Equal(index, index2) {
		t.Error("a failed build changed public/")
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".public.tmp-*")); len(tmp) > 0 {
		t.Errorf("left behind %v", tmp)
	}
}

func TestPrometheusSourceBadSelector(t *testing.T) {
	dir, _, _ := liveSite(t, "ok_total{{")
	_, err := site.Build(context.Background(), site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: filepath.Join(dir, "public"), Now: liveNow})
	var ie *site.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want an input error", err)
	}
	want := filepath.Join(dir, "relia.toml") + `:16: slos[web/availability].good: bad_data: invalid parameter "query": 1:14: parse error: unexpected "{" in label matching`
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "public")); err == nil {
		t.Error("public/ written by a failed build")
	}
}

func TestPrometheusSourceMissingSecret(t *testing.T) {
	dir, _, _ := liveSite(t, "ok_total")
	os.Unsetenv("RELIA_TEST_PROM_TOKEN") // t.Setenv restores it
	_, err := site.Build(context.Background(), site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: filepath.Join(dir, "public"), Now: liveNow})
	want := filepath.Join(dir, "relia.toml") + ":9: sources.prod.bearer_token_env: environment variable RELIA_TEST_PROM_TOKEN is not set; it must hold the bearer token"
	var ie *site.InputError
	if !errors.As(err, &ie) || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

// A store's warnings are build warnings at the selectors' lines: printed
// once each, in the sink relia check reads, and fatal under --strict.
func TestPrometheusSourceWarnings(t *testing.T) {
	dir, f, _ := liveSite(t, "ok_total")
	f.fake.Warnings = []string{"results may be incomplete"}
	cfg := filepath.Join(dir, "relia.toml")
	var log bytes.Buffer
	sink := &diag.List{}
	if _, err := site.Build(context.Background(), site.Options{ConfigPath: cfg, Out: filepath.Join(dir, "public"), Now: liveNow, Log: &log, Warnings: sink}); err != nil {
		t.Fatal(err)
	}
	want := []diag.Error{
		{File: cfg, Line: 16, Key: "slos[web/availability].good", Msg: `source "prod": results may be incomplete`, Warning: true},
		{File: cfg, Line: 17, Key: "slos[web/availability].total", Msg: `source "prod": results may be incomplete`, Warning: true},
	}
	got := sink.All()
	slices.SortFunc(got, func(a, b *diag.Error) int { return a.Line - b.Line })
	if len(got) != len(want) {
		t.Fatalf("warnings %v, want %v", got, want)
	}
	for i, w := range want {
		if *got[i] != w {
			t.Errorf("warning %+v, want %+v", *got[i], w)
		}
		if line := "warning: " + w.Error(); strings.Count(log.String(), line) != 1 {
			t.Errorf("log:\n%s\nwant once: %s", log.String(), line)
		}
	}
	if strings.Contains(log.String(), "relia: warning") {
		t.Errorf("log:\n%s\nwant each warning once, at its place only", log.String())
	}

	_, err := site.Build(context.Background(), site.Options{ConfigPath: cfg, Out: filepath.Join(dir, "strict"), Now: liveNow, Strict: true})
	var ie *site.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), want[0].Error()) || !strings.Contains(err.Error(), "--strict: 2 warning(s) fail the build") {
		t.Errorf("--strict: got %v, want an input error naming the warnings", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "strict")); err == nil {
		t.Error("--strict wrote the site")
	}
}

// TestRecordThenBuildOffline records the live source to a snapshot and
// builds from it: the same slos.json.
func TestRecordThenBuildOffline(t *testing.T) {
	dir, _, _ := liveSite(t, "ok_total")
	live := filepath.Join(dir, "live")
	if _, err := site.Build(context.Background(), site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: live, Now: liveNow}); err != nil {
		t.Fatal(err)
	}
	snap := filepath.Join(dir, "rec.json.gz")
	res, err := site.Record(context.Background(), site.RecordOptions{ConfigPath: filepath.Join(dir, "relia.toml"), Source: "prod", Out: snap, Now: liveNow})
	if err != nil {
		t.Fatal(err)
	}
	if res.SLOs != 1 || !res.Now.Equal(liveNow) {
		t.Errorf("result %+v", res)
	}
	offline := strings.Replace(strings.Replace(fmt.Sprintf(liveConfig, "x", "ok_total"),
		`type             = "prometheus"`, `type = "snapshot"`+"\npath = \"rec.json.gz\"", 1),
		"url              = \"x\"\ntimeout          = \"2s\"\nbearer_token_env = \"RELIA_TEST_PROM_TOKEN\"\n", "", 1)
	writeFile(t, filepath.Join(dir, "offline.toml"), offline)
	out := filepath.Join(dir, "offline")
	// No --now: a snapshot-only site reports at the recording time.
	if _, err := site.Build(context.Background(), site.Options{ConfigPath: filepath.Join(dir, "offline.toml"), Out: out}); err != nil {
		t.Fatal(err)
	}
	a, _ := readAPI(t, live)
	b, _ := readAPI(t, out)
	if !bytes.Equal(a, b) {
		t.Errorf("slos.json from the snapshot differs from the live build:\n%s\n---\n%s", a, b)
	}

	_, err = site.Record(context.Background(), site.RecordOptions{ConfigPath: filepath.Join(dir, "relia.toml"), Source: "nope", Out: snap})
	if err == nil || !strings.Contains(err.Error(), `no source named "nope"; expected one of "prod"`) {
		t.Errorf("unknown source: %v", err)
	}
}
