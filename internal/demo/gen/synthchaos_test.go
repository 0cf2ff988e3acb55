package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/site"
)

// TestSynthChaos checks that -chaos makes every SLO of a synthetic site
// measured by a chaos run with data, and a retrospective of every service
// that relia accepts (content and chart blocks load without error).
func TestSynthChaos(t *testing.T) {
	dir := t.TempDir()
	end := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	// 12 SLOs: three services, the last with two SLOs only.
	s := synthSite{n: 12, step: time.Hour, days: synthChaosMinDays, end: end, chaos: true}
	if err := writeSynth(dir, s, io.Discard); err != nil {
		t.Fatal(err)
	}
	c, err := site.Compute(context.Background(), site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Now: end, Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.API.ChaosRuns) != 3 {
		t.Fatalf("%d chaos runs, want one per service (3)", len(c.API.ChaosRuns))
	}
	measured := map[string]bool{}
	for _, r := range c.API.ChaosRuns {
		for _, im := range r.Impact {
			if im.Bad == nil {
				t.Errorf("run %s: no data for %s", r.ID, im.SLO)
			}
			measured[im.SLO] = true
		}
	}
	for _, st := range c.SLOs {
		if !measured[st.SLO.ID()] {
			t.Errorf("%s: no chaos run measured it", st.SLO.ID())
		}
	}
}
