package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics/promtest"
)

// TestSnapshotCommand records a (fake) Prometheus source with relia
// snapshot, then builds from the file offline: the same slos.json as the
// live build. It also checks -v's query log and the warm second build.
func TestSnapshotCommand(t *testing.T) {
	fake := &promtest.Fake{Series: map[string]func(time.Time, time.Duration) (float64, bool){
		"all_total": promtest.Constant(60),
		"err_total": func(τ time.Time, _ time.Duration) (float64, bool) { return float64(τ.Hour() % 2), true },
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	dir := t.TempDir()
	site := `title = "Rec"
step = "5m"
history = "2d"

[sources.prod]
type = "prometheus"
url  = %q

[[slos]]
service   = "api"
name      = "availability"
objective = 99
window    = "1d"
bad   = 'err_total'
total = 'all_total'
`
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("relia.toml", fmt.Sprintf(site, srv.URL))
	offline := strings.Replace(fmt.Sprintf(site, srv.URL), fmt.Sprintf("type = \"prometheus\"\nurl  = %q", srv.URL), "type = \"snapshot\"\npath = \"rec.json.gz\"", 1)
	write("offline.toml", offline)
	cfg := filepath.Join(dir, "relia.toml")
	now := "2026-11-02T00:00:00Z"

	relia := func(args ...string) (string, int) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		return stderr.String(), code
	}
	log, code := relia("build", "--config", cfg, "--out", filepath.Join(dir, "live"), "--now", now, "-v")
	if code != 0 {
		t.Fatalf("build exit %d:\n%s", code, log)
	}
	if !strings.Contains(log, "query prod api/availability bad err_total ") || !strings.Contains(log, "fetched ") {
		t.Errorf("-v log:\n%s", log)
	}
	log, code = relia("build", "--config", cfg, "--out", filepath.Join(dir, "live"), "--now", now, "-v")
	if code != 0 || !strings.Contains(log, "(cache hit)") {
		t.Errorf("warm build exit %d, no cache hits:\n%s", code, log)
	}

	out := filepath.Join(dir, "rec.json.gz")
	log, code = relia("snapshot", "--config", cfg, "--source", "prod", "--out", out, "--now", now)
	if code != 0 {
		t.Fatalf("snapshot exit %d:\n%s", code, log)
	}
	if want := `recorded 1 SLOs of source "prod" into ` + out + " (recorded_at 2026-11-02T00:00:00Z)"; !strings.Contains(log, want) {
		t.Errorf("log %q, want %q", log, want)
	}
	if b, _ := os.ReadFile(out); len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Error("rec.json.gz is not gzip")
	}
	log, code = relia("build", "--config", filepath.Join(dir, "offline.toml"), "--out", filepath.Join(dir, "offline"))
	if code != 0 {
		t.Fatalf("offline build exit %d:\n%s", code, log)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "live", "api", "v1", "slos.json"))
	b, _ := os.ReadFile(filepath.Join(dir, "offline", "api", "v1", "slos.json"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("slos.json from the snapshot differs from the live build")
	}
}
