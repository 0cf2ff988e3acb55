package site

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Compute reports what the build publishes, without writing anything.
func TestComputeMatchesBuild(t *testing.T) {
	dir, now := handSite(t)
	out := filepath.Join(dir, "public")
	buildAt(t, dir, now, out)
	var api struct {
		SLOs []struct {
			ID     string  `json:"id"`
			SLI    float64 `json:"sli"`
			Status string  `json:"status"`
			Budget struct {
				Remaining float64 `json:"remaining"`
			} `json:"budget"`
		} `json:"slos"`
	}
	data, err := os.ReadFile(filepath.Join(out, "api/v1/slos.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &api); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	got, err := Compute(context.Background(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("Compute wrote the site")
	}
	if len(got.SLOs) != 1 || !got.Now.Equal(now) {
		t.Fatalf("computed %d SLOs at %v", len(got.SLOs), got.Now)
	}
	s, want := got.SLOs[0], api.SLOs[0]
	if s.SLO.ID() != want.ID || s.Report.SLI != want.SLI || s.Report.Status != want.Status || s.Report.Budget.Remaining != want.Budget.Remaining {
		t.Errorf("computed %s sli %v status %s remaining %v; built %+v", s.SLO.ID(), s.Report.SLI, s.Report.Status, s.Report.Budget.Remaining, want)
	}
	if len(s.NeedsRetro) != 1 {
		t.Errorf("needs-retrospective episodes: %d, want the burst", len(s.NeedsRetro))
	}
	if len(s.Report.Timeline.SLI) != 0 {
		t.Error("Compute kept the per-step timeline")
	}
}
