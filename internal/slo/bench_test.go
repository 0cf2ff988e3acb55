package slo

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
)

// BenchmarkCompute is one build's SLO stage at scale: 1,000 SLOs with 90
// days of history at 1-minute steps and a 28d rolling window, so each series
// holds 118 days = 169,920 steps. A pool of runtime.NumCPU() workers each
// generates an SLO's series into its own buffer, computes it and drops the
// report: memory stays bounded by the pool, not by the number of SLOs.
// One op is all 1,000 SLOs.
func BenchmarkCompute(b *testing.B) {
	const slos = 1000
	step := time.Minute
	spec := Spec{Objective: 99.9, Window: Window{Rolling: 28 * day}, Budgeting: Occurrences, AtRiskBelow: 25}
	opts := Options{Now: testNow, History: 90 * day, Location: time.UTC, Weeks: 13, Step: step}
	from := Range(spec, opts)
	n := int(opts.Now.Sub(from) / step)
	workers := runtime.NumCPU()

	var alerts, steps atomic.Int64
	b.ReportAllocs()
	for b.Loop() {
		var next atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				s := &metrics.Series{FirstEnd: from.Add(step), Step: step, Good: make([]float64, n), Total: make([]float64, n)}
				for {
					i := next.Add(1) - 1
					if i >= slos {
						return
					}
					sp := spec
					sp.ID = fmt.Sprintf("bench/%d", i)
					generate(s, uint64(i))
					r, err := Compute(sp, s, opts)
					if err != nil {
						errs <- err
						return
					}
					alerts.Add(int64(len(r.Alerts)))
					steps.Add(int64(n))
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(alerts.Load())/float64(b.N), "alerts/op")
	b.ReportMetric(float64(steps.Load())/b.Elapsed().Seconds(), "steps/s")
}

// generate fills s with deterministic traffic for SLO seed: 500–1011 events
// a minute, a bad event in one step of 64, one step in 4096 without data,
// and now and then an incident of 5–68 minutes failing 20 % of requests.
func generate(s *metrics.Series, seed uint64) {
	x := seed*0x9E3779B97F4A7C15 | 1
	incident := 0
	for i := range s.Total {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		if x>>36&4095 == 0 {
			s.Good[i], s.Total[i] = math.NaN(), math.NaN()
			continue
		}
		t := float64(500 + x&511)
		bad := 0.0
		switch {
		case incident > 0:
			incident--
			bad = math.Round(t * 0.2)
		case x>>20&0x7fff == 0:
			incident = 5 + int(x>>50&63)
		case x>>9&63 == 0:
			bad = 1
		}
		s.Good[i], s.Total[i] = t-bad, t
	}
}
