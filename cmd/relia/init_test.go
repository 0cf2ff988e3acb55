package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/relia-dev/relia/internal/metrics/promtest"
)

// TestInitScripts runs testdata/init/*.txtar against a real Prometheus
// holding a week of backfilled history, its URL in $PROM. Without
// prometheus and promtool it skips, unless RELIA_INTEGRATION=1.
func TestInitScripts(t *testing.T) {
	bins := promtest.Need(t, "prometheus", "prometheus", "promtool")
	now := time.Now().UTC().Truncate(time.Hour)
	h := promtest.History{Start: now.Add(-7 * 24 * time.Hour), End: now, Interval: time.Minute, Offset: 30 * time.Second,
		Services: []promtest.Service{{Name: "checkout", Requests: 120, ErrorsPerMille: 1}}}
	data := filepath.Join(t.TempDir(), "data")
	if err := promtest.Backfill(bins[1], h, data); err != nil {
		t.Fatal(err)
	}
	prom, err := promtest.StartPrometheus(bins[0], data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prom.Stop)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/init",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PROM", prom.URL)
			env.Setenv("NOW", now.Format(time.RFC3339))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"exitcode": cmdExitCode},
	})
}
