package policy

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/content"
	"github.com/relia-dev/relia/internal/slo"
)

// TestFor judges each burn episode against a 20 % incident share: covered
// by a retrospective's timeline, or by the 24 hours from the date of one
// without a timeline; needing one; shown; or minor (under 1 %). A NaN share
// (no traffic) is shown and never needs a retrospective.
func TestFor(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	retros := []*content.Page{
		{Meta: content.Meta{Title: "db outage", Timeline: content.Timeline{Started: h(10), Resolved: h(12)}}},
		{Meta: content.Meta{Title: "dated only", Date: h(30)}},
	}
	cfg := &config.Config{History: 30 * 24 * time.Hour, Policy: config.Policy{IncidentBudgetShare: 20, ExhaustedAction: "freeze releases"}}
	s := config.SLO{Service: "web", Name: "errors", Budgeting: slo.Occurrences}
	type verdict struct {
		needsRetro bool
		coveredBy  string
		shown      bool
	}
	episodes := []struct {
		ep   slo.Episode
		want verdict
	}{
		{slo.Episode{Start: h(11), End: h(13), BudgetShare: 0.30}, verdict{coveredBy: "db outage", shown: true}},
		{slo.Episode{Start: h(20), End: h(21), BudgetShare: 0.25}, verdict{needsRetro: true, shown: true}},
		{slo.Episode{Start: h(22), End: h(23), BudgetShare: 0.005}, verdict{}},
		{slo.Episode{Start: h(24), End: h(25), BudgetShare: 0.05}, verdict{shown: true}},
		{slo.Episode{Start: h(26), End: h(27), BudgetShare: math.NaN()}, verdict{shown: true}},
		{slo.Episode{Start: h(40), End: h(41), BudgetShare: 0.50}, verdict{coveredBy: "dated only", shown: true}},
	}
	r := &slo.Report{Status: slo.StatusExhausted, RecoveryAt: h(100)}
	r.Budget.Allowed = 1000
	for _, e := range episodes {
		r.Episodes = append(r.Episodes, e.ep)
	}
	p := For(cfg, h(48), s, r, retros)
	if len(p.Episodes) != len(episodes) {
		t.Fatalf("%d episodes, want %d", len(p.Episodes), len(episodes))
	}
	shown := 0
	for i, e := range episodes {
		got := p.Episodes[i]
		if got.NeedsRetro != e.want.needsRetro || got.CoveredBy != e.want.coveredBy {
			t.Errorf("episode %d: needs retro %v, covered by %q; want %v, %q", i, got.NeedsRetro, got.CoveredBy, e.want.needsRetro, e.want.coveredBy)
		}
		if e.want.shown {
			if shown >= len(p.Shown) || !p.Shown[shown].Start.Equal(e.ep.Start) {
				t.Errorf("episode %d not shown in order", i)
			}
			shown++
		}
	}
	if len(p.Shown) != shown || p.Minor != 1 || p.NeedsRetro != 1 {
		t.Errorf("shown %d (want %d), minor %d (want 1), needs retro %d (want 1)", len(p.Shown), shown, p.Minor, p.NeedsRetro)
	}
	if p.ExhaustedAction != "freeze releases" || !p.RecoveryAt.Equal(h(100)) {
		t.Errorf("exhausted: action %q, recovery %v", p.ExhaustedAction, p.RecoveryAt)
	}
	if p.LowTraffic != "" {
		t.Errorf("1000 allowed bad events: low-traffic warning %q", p.LowTraffic)
	}

	// One bad event of 50 allowed spends 2 % of the budget: over the 1 %
	// at which burn-rate alerts turn noisy. A healthy SLO has no action.
	r = &slo.Report{Status: slo.StatusHealthy, RecoveryAt: h(100)}
	r.Budget.Allowed = 50
	p = For(cfg, h(48), s, r, nil)
	if !strings.Contains(p.LowTraffic, "one bad event spends 2.0% of the") || !strings.Contains(p.LowTraffic, "(50 allowed)") {
		t.Errorf("low-traffic warning %q", p.LowTraffic)
	}
	if p.ExhaustedAction != "" || !p.RecoveryAt.IsZero() {
		t.Errorf("healthy: action %q, recovery %v", p.ExhaustedAction, p.RecoveryAt)
	}
}
