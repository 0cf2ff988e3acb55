package main

import (
	"context"
	"io"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/metrics"
)

// TestSynthSite checks that a synthetic site is valid input: its config
// loads, its snapshot holds every configured SLO on the step grid, and the
// incident of every seventh SLO shows.
func TestSynthSite(t *testing.T) {
	dir := t.TempDir()
	end := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	site := synthSite{n: 8, step: time.Hour, days: 30, end: end}
	if err := writeSynth(dir, site, io.Discard); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "relia.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.SLOs) != 8 || cfg.Step != time.Hour || cfg.History != 2*24*time.Hour {
		t.Fatalf("config: %d SLOs, step %s, history %s", len(cfg.SLOs), cfg.Step, cfg.History)
	}
	snap, err := metrics.OpenSnapshot(filepath.Join(dir, "content", "data", "metrics.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range cfg.SLOs {
		ids = append(ids, s.ID())
	}
	if got := snap.SLOs(); !slices.Equal(got, ids) {
		t.Fatalf("snapshot SLOs %q, want %q", got, ids)
	}
	// svc-0000/availability (i = 0) has the incident: 5 % bad for two hours
	// ten days before the end; svc-0000/errors (i = 1) has none.
	inc := end.Add(-10 * 24 * time.Hour)
	q := metrics.Query{From: inc, To: inc.Add(2 * time.Hour), Step: time.Hour}
	for i, want := range map[int]bool{0: true, 1: false} {
		q.SLO = ids[i]
		s, err := snap.Fetch(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		bad, total := 0.0, 0.0
		for k := range s.Len() {
			bad, total = bad+s.Total[k]-s.Good[k], total+s.Total[k]
		}
		if got := bad/total > 0.03; got != want {
			t.Errorf("%s: bad share %.4f during the incident span", ids[i], bad/total)
		}
	}
}
