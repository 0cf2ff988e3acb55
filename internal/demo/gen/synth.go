package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
)

// synthSLOsPerService is how many SLOs each synthetic service carries, so
// that a large site has many services to group its index by.
const synthSLOsPerService = 5

// synthSite describes a synthetic site for scale benchmarks: n SLOs over
// days of history at step, ending at end.
type synthSite struct {
	n    int
	step time.Duration
	days int
	end  time.Time
	// chaos adds a Chaos Day with a run on every service and a
	// retrospective of every service (writeSynthChaos).
	chaos bool
}

// writeSynth writes a complete site into dir: relia.toml, the snapshot
// (content/data/metrics.json.gz) and one retrospective. The snapshot is
// written one SLO at a time, so the generator itself stays small in memory
// whatever n is.
func writeSynth(dir string, s synthSite, stderr io.Writer) error {
	if err := os.MkdirAll(filepath.Join(dir, "content", "data"), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "content", "retros"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "relia.toml"), []byte(synthConfig(s)), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "content", "retros", "synthetic-outage.md"), []byte(synthRetro(s)), 0o644); err != nil {
		return err
	}
	if s.chaos {
		if err := writeSynthChaos(dir, s); err != nil {
			return err
		}
	}
	path := filepath.Join(dir, "content", "data", "metrics.json.gz")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw, err := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	if err != nil {
		f.Close()
		return err
	}
	sw, err := metrics.NewSnapshotWriter(zw, s.step, s.end)
	if err != nil {
		f.Close()
		return err
	}
	n := s.days * int(24*time.Hour/s.step)
	first := s.end.Add(-time.Duration(n-1) * s.step)
	ser := &metrics.Series{FirstEnd: first, Step: s.step, Good: make([]float64, n), Total: make([]float64, n)}
	for i := range s.n {
		synthSeries(ser, uint64(i))
		if err := sw.Add(synthID(i), ser); err != nil {
			f.Close()
			return err
		}
	}
	for _, c := range []io.Closer{sw, zw} {
		if err := c.Close(); err != nil {
			f.Close()
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: %d SLOs, %d steps of %s each\n", dir, s.n, n, s.step)
	return nil
}

// synthID names SLO i; ids sort in the order they are generated, as the
// snapshot writer requires.
func synthID(i int) string {
	kinds := [synthSLOsPerService]string{"availability", "errors", "freshness", "latency", "throughput"} // sorted
	return fmt.Sprintf("svc-%04d/%s", i/synthSLOsPerService, kinds[i%synthSLOsPerService])
}

// synthSeries fills ser with SLO i's events: a daily curve, Poisson noise, a
// small bad share and, for every seventh SLO, one two-hour incident ten days
// before the end. Each SLO draws from its own PCG stream.
func synthSeries(ser *metrics.Series, i uint64) {
	r := rand.New(rand.NewPCG(seed, 1000+i))
	perMin := 20 + float64(r.IntN(400))
	badShare := 0.0002 + 0.002*r.Float64()
	steps := float64(ser.Step) / float64(time.Minute)
	incStart := ser.FirstEnd.Add(time.Duration(len(ser.Total)-1)*ser.Step - 10*24*time.Hour)
	incEnd := incStart.Add(2 * time.Hour)
	for k := range ser.Total {
		τ := ser.FirstEnd.Add(time.Duration(k) * ser.Step)
		h := float64(τ.Hour()) + float64(τ.Minute())/60
		rate := perMin * steps * (0.4 + 0.6*(0.5-0.5*math.Cos(2*math.Pi*(h-3.5)/24)))
		t := poisson(r, rate)
		p := badShare
		if i%7 == 0 && τ.After(incStart) && !τ.After(incEnd) {
			p = 0.05
		}
		b := min(t, poisson(r, t*p))
		ser.Good[k], ser.Total[k] = t-b, t
	}
}

func synthConfig(s synthSite) string {
	out := fmt.Sprintf(`# A synthetic site of %d SLOs for scale benchmarks (go run ./internal/demo/gen -slos %d).
title    = "Synthetic reliability"
timezone = "UTC"
step     = %q
history  = "%dd"

[sources.synth]
type = "snapshot"
path = "content/data/metrics.json.gz"
`, s.n, s.n, model(s.step), min(s.days-28, 90))
	if s.chaos {
		out += `
[[chaos]]
type = "generic"
path = "content/chaos/runs/*.csv"
`
	}
	for i := range s.n {
		id := synthID(i)
		svc, name := id[:8], id[9:]
		out += fmt.Sprintf(`
[[slos]]
service   = %q
name      = %q
objective = 99.5
window    = "28d"
good  = 'requests_total{service=%q,slo=%q,code!~"5.."}'
total = 'requests_total{service=%q,slo=%q}'
`, svc, name, svc, name, svc, name)
	}
	return out
}

func synthRetro(s synthSite) string {
	start := s.end.Add(-10 * 24 * time.Hour).UTC() // the incident synthSeries draws
	return fmt.Sprintf(`+++
title    = "Synthetic outage of every seventh SLO"
date     = %s
severity = "SEV2"
services = ["svc-0000"]
slos     = ["svc-0000/availability"]

[timeline]
started  = %s
resolved = %s
+++

Every seventh SLO of the synthetic site served 5 %% errors for two hours.
`, start.Format(time.RFC3339), start.Format(time.RFC3339), start.Add(2*time.Hour).Format(time.RFC3339))
}

func model(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

// writeSynthOpenMetrics writes the synthetic site's history as the counters
// its selectors select, in the OpenMetrics text format for promtool, and a
// relia-prometheus.toml that reads them from url. Samples are taken every
// step at half a step past the grid, as a real scrape lands off the step
// grid: the counter at τ + step/2 holds every event up to the step ending
// at τ.
func writeSynthOpenMetrics(dir string, s synthSite, url string) error {
	cfg := synthConfig(s)
	cfg = strings.Replace(cfg, "type = \"snapshot\"\npath = \"content/data/metrics.json.gz\"", fmt.Sprintf("type = \"prometheus\"\nurl  = %q", url), 1)
	if err := os.WriteFile(filepath.Join(dir, "relia-prometheus.toml"), []byte(cfg), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "prometheus.om"))
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "# TYPE requests counter")
	n := s.days * int(24*time.Hour/s.step)
	first := s.end.Add(-time.Duration(n-1) * s.step)
	ser := &metrics.Series{FirstEnd: first, Step: s.step, Good: make([]float64, n), Total: make([]float64, n)}
	var b []byte
	for i := range s.n {
		synthSeries(ser, uint64(i))
		id := synthID(i)
		svc, name := id[:8], id[9:]
		for _, code := range []string{"200", "500"} {
			cum := 0.0
			for k := range ser.Total {
				v := ser.Good[k]
				if code == "500" {
					v = ser.Total[k] - ser.Good[k]
				}
				cum += v
				b = fmt.Appendf(b[:0], "requests_total{service=%q,slo=%q,code=%q} %d %d\n", svc, name, code, int64(cum), ser.End(k).Add(s.step/2).Unix())
				w.Write(b)
			}
		}
	}
	fmt.Fprintln(w, "# EOF")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
