package main

import (
	"net/http/httptest"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/relia-dev/relia/internal/metrics/promtest"
)

// cmdWarnProm is "warnprom NAME WARNING...": $NAME = the URL of a fake
// Prometheus on 127.0.0.1 whose every answer, query_range and probe,
// carries the WARNINGs in its "warnings" array, as a Thanos with a store
// down or a Prometheus with a PromQL info annotation answers. It knows
// the selectors all_total (1,000 events a step) and err_total (1 a step).
// The script's end stops it.
func cmdWarnProm(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: warnprom NAME WARNING...")
	}
	fake := &promtest.Fake{Series: map[string]func(time.Time, time.Duration) (float64, bool){
		"all_total": promtest.Constant(1000),
		"err_total": promtest.Constant(1),
	}, Warnings: args[1:]}
	srv := httptest.NewServer(fake) // listens on 127.0.0.1
	ts.Defer(srv.Close)
	ts.Setenv(args[0], srv.URL)
}
