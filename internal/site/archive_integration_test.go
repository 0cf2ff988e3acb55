package site_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"gocloud.dev/blob"

	"github.com/relia-dev/relia/internal/deploy/mototest"
	"github.com/relia-dev/relia/internal/metrics/promtest"
	"github.com/relia-dev/relia/internal/site"
)

// archiveConfig: a 90-day report with 28-day windows, whose history chunks
// (1,000 points, three and a half days at 5m) are archived where the first
// argument says; the second is the store's URL.
const archiveConfig = `title   = "Archive"
step    = "5m"
history = "90d"

[archive]
%s

[sources.prod]
type = "prometheus"
url  = "%s"
max_points_per_query = 1000

[[slos]]
service   = "checkout"
name      = "availability"
objective = 99.9
window    = "28d"
bad   = 'http_requests_total{service="checkout",code="500"}'
total = 'http_requests_total{service="checkout"}'

[[slos]]
service   = "search"
name      = "availability"
objective = 99.9
window    = "28d"
bad   = 'http_requests_total{service="search",code="500"}'
total = 'http_requests_total{service="search"}'
`

// TestHistoryArchive: a store that keeps only the last 15 days, plus the
// archive an earlier weekly build left, gives the same slos.json as a
// store holding the whole quarter, with the archive in a folder, in a
// file:// bucket and in S3 (moto_server). The store sits behind one fixed
// URL (a proxy), as a production store does while its old blocks expire.
func TestHistoryArchive(t *testing.T) {
	bins := promtest.Need(t, "prometheus", "prometheus", "promtool")
	if testing.Short() && os.Getenv("RELIA_INTEGRATION") != "1" {
		t.Skip("metric store integration skipped in -short mode")
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	services := []promtest.Service{
		{Name: "checkout", Requests: 120, ErrorsPerMille: 1,
			// An incident 60 days back: only the archive remembers it.
			BurstStart: now.Add(-60 * 24 * time.Hour), BurstEnd: now.Add(-60*24*time.Hour + 40*time.Minute), BurstPerMille: 333},
		{Name: "search", Requests: 300, ErrorsPerMille: 2},
	}
	full := promtest.History{Start: now.Add(-125 * 24 * time.Hour), End: now, Interval: time.Minute, Offset: 30 * time.Second, Services: services}

	// The 15-day store holds the same samples as the full one, cut where
	// retention cut it (a History started later would count differently).
	var om bytes.Buffer
	if err := full.WriteOpenMetrics(&om); err != nil {
		t.Fatal(err)
	}
	cutoff := now.Add(-15 * 24 * time.Hour).Unix()
	var recent bytes.Buffer
	for line := range bytes.Lines(om.Bytes()) {
		if f := bytes.Fields(line); len(f) == 3 && line[0] != '#' {
			if ts, err := strconv.ParseInt(string(f[2]), 10, 64); err == nil && ts < cutoff {
				continue
			}
		}
		recent.Write(line)
	}
	tmp := t.TempDir()
	var stores []*promtest.Server
	for i, text := range [][]byte{om.Bytes(), recent.Bytes()} {
		data := filepath.Join(tmp, fmt.Sprint("store", i), "data")
		omFile := filepath.Join(tmp, fmt.Sprint("store", i), "history.om")
		if err := os.MkdirAll(data, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(omFile, text, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bins[1], "tsdb", "create-blocks-from", "--max-block-duration=744h", "openmetrics", omFile, data).CombinedOutput(); err != nil {
			t.Fatalf("promtool: %v\n%s", err, out)
		}
		s, err := promtest.StartPrometheus(bins[0], data)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Stop)
		stores = append(stores, s)
	}

	// One URL for both stores: the archive's chunks are keyed by it.
	var target atomic.Pointer[url.URL]
	setStore := func(s *promtest.Server) {
		u, _ := url.Parse(s.URL)
		target.Store(u)
	}
	setStore(stores[0])
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target.Load()) }}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: proxy}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "relia.toml")
	storeURL := "http://" + l.Addr().String()
	build := func(out string, at time.Time, noCache bool) []byte {
		t.Helper()
		if _, err := site.Build(context.Background(), site.Options{ConfigPath: cfgPath, Out: filepath.Join(dir, out), Now: at, NoCache: noCache}); err != nil {
			t.Fatal(err)
		}
		raw, _ := readAPI(t, filepath.Join(dir, out))
		return raw
	}

	// The whole quarter from the full store, archive unused.
	writeFile(t, cfgPath, fmt.Sprintf(archiveConfig, `dir = "history"`, storeURL))
	want := build("want", now, true)
	setStore(stores[1])
	if short := build("short", now, true); bytes.Equal(short, want) {
		t.Fatal("a 15-day store gave the quarter's slos.json without the archive: the test cannot tell")
	}

	moto := mototest.Start(t, "relia-history")
	fileArchive := filepath.Join(tmp, "bucket", "acme")
	for _, tt := range []struct {
		name, archive string
		files         func() int // chunks the archive holds
	}{
		{"dir", `dir = "history"`, func() int {
			files, _ := filepath.Glob(filepath.Join(dir, "history", "*.json.gz"))
			return len(files)
		}},
		{"file", fmt.Sprintf("url = %q", "file://"+filepath.ToSlash(fileArchive)), func() int {
			files, _ := filepath.Glob(filepath.Join(fileArchive, "*.json.gz"))
			return len(files)
		}},
		{"s3", fmt.Sprintf("url = %q", mototest.URL(moto, "relia-history/acme/quarter")), func() int {
			b, err := blob.OpenBucket(context.Background(), mototest.URL(moto, "relia-history")+"&prefix=acme/quarter/")
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			n := 0
			for it := b.List(nil); ; n++ {
				if _, err := it.Next(context.Background()); err == io.EOF {
					return n
				} else if err != nil {
					t.Fatal(err)
				}
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			writeFile(t, cfgPath, fmt.Sprintf(archiveConfig, tt.archive, storeURL))
			// Last week's scheduled build, while the store still held everything.
			setStore(stores[0])
			build("lastweek", now.Add(-7*24*time.Hour), false)
			n := tt.files()
			if n == 0 {
				t.Fatal("the build archived no chunk")
			}
			t.Logf("archive after last week's build: %d chunk files", n)

			// The store forgets all but 15 days.
			setStore(stores[1])
			got := build("got", now, false)
			if !bytes.Equal(got, want) {
				gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
				for i := 0; i < len(gl) && i < len(wl); i++ {
					if !bytes.Equal(gl[i], wl[i]) {
						t.Fatalf("15-day store + archive: slos.json differs from the full store's at line %d:\n got: %s\nwant: %s", i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("15-day store + archive: slos.json has %d lines, the full store's %d", len(gl), len(wl))
			}
			// The build wrote back the chunks it fetched that had settled since.
			if m := tt.files(); m <= n {
				t.Errorf("archive holds %d chunk files after this week's build, %d before: nothing written back", m, n)
			}
		})
	}
}
