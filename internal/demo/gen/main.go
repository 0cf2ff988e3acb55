// Command gen writes the demo site's metric history,
// content/data/demo-metrics.json.gz: 120 days of five-minute event counts
// for the five SLOs of relia.toml, with two incidents, a slow burn and a
// scrape outage in it. The output is byte-identical on every run: the random
// numbers come from a fixed PCG seed and the gzip header carries no name or
// time. Run it from the repository root:
//
//	go run ./internal/demo/gen
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
	_ "time/tzdata" // Europe/Berlin must not depend on the machine's zoneinfo

	"github.com/relia-dev/relia/internal/metrics"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "content/data/demo-metrics.json.gz", "file to write (gzip-compressed JSON snapshot)")
	endFlag := fs.String("end", "2026-11-22T23:00:00Z", "end of the last step, RFC 3339 (Monday 2026-11-23 00:00 in Europe/Berlin)")
	days := fs.Int("days", 120, "days of history")
	nSLOs := fs.Int("slos", 0, "write a synthetic site of this many SLOs into -out (a folder) instead of the demo snapshot")
	stepFlag := fs.Duration("step", step, "step of the synthetic site (with -slos)")
	withChaos := fs.Bool("chaos", false, "with -slos: add a Chaos Day with a run on every service, and a retrospective of every service listing all its SLOs")
	promURL := fs.String("prometheus", "", "with -slos: also write prometheus.om (OpenMetrics for promtool) and relia-prometheus.toml reading from this URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	end, err := time.Parse(time.RFC3339, *endFlag)
	if err != nil {
		return fmt.Errorf("-end: %w", err)
	}
	end = end.UTC()
	if *withChaos && *nSLOs == 0 {
		return fmt.Errorf("-chaos: only with -slos")
	}
	if *nSLOs > 0 {
		switch {
		case *stepFlag < time.Second || *stepFlag%time.Second != 0 || end.Unix()%int64(*stepFlag/time.Second) != 0:
			return fmt.Errorf("-step %s: want whole seconds that divide -end", *stepFlag)
		case *days < 29:
			return fmt.Errorf("-days %d: a synthetic site needs at least 29 days for its 28-day windows", *days)
		case *withChaos && *days < synthChaosMinDays:
			return fmt.Errorf("-days %d: -chaos needs at least %d days, so that the incident ten days before the end lies in the history", *days, synthChaosMinDays)
		case *out == "content/data/demo-metrics.json.gz":
			return fmt.Errorf("-slos: -out must name a folder for the synthetic site")
		}
		site := synthSite{n: *nSLOs, step: *stepFlag, days: *days, end: end, chaos: *withChaos}
		if err := writeSynth(*out, site, stderr); err != nil {
			return err
		}
		if *promURL != "" {
			return writeSynthOpenMetrics(*out, site, *promURL)
		}
		return nil
	}
	if end.Unix()%int64(step/time.Second) != 0 {
		return fmt.Errorf("-end %s: want a time on the %s grid", *endFlag, step)
	}
	if *days < 1 {
		return fmt.Errorf("-days %d: want at least 1", *days)
	}

	series := generate(end, *days)
	var buf bytes.Buffer
	if err := write(&buf, end, series); err != nil {
		return err
	}
	if err := writeFile(*out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: %d days to %s, %d bytes\n", *out, *days, end.Format(time.RFC3339), buf.Len())
	summarize(stderr, end, series)

	// The check that matters: relia reads back what was written.
	snap, err := metrics.OpenSnapshot(*out)
	if err != nil {
		return fmt.Errorf("read back: %w", err)
	}
	for _, s := range slos {
		if _, err := snap.Fetch(context.Background(), metrics.Query{SLO: s.id, From: end.Add(-time.Hour), To: end, Step: step}); err != nil {
			return fmt.Errorf("read back: %w", err)
		}
	}
	return nil
}

// write writes the snapshot gzip-compressed. gzip.NewWriter leaves the
// header's name and modification time empty, so the bytes depend only on
// the series.
func write(w io.Writer, end time.Time, series map[string]*metrics.Series) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := metrics.WriteSnapshot(zw, step, end, series); err != nil {
		return err
	}
	return zw.Close()
}

// writeFile replaces path with data through a temporary file beside it, so
// an interrupted run leaves the previous snapshot intact.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gen-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
