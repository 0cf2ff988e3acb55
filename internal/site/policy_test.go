package site

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
)

// policySite writes a site of one SLO (99.9 % over 7 days, 100 events per
// 5 minutes: 201,600 events, 201.6 allowed bad) whose steps ending in
// (badFrom, badTo] have the given bad events each, plus extra config.
func policySite(t *testing.T, badFrom, badTo time.Time, bad float64, extra string) (string, time.Time) {
	t.Helper()
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // a Monday
	step := 5 * time.Minute
	q := metrics.Query{From: now.Add(-30 * 24 * time.Hour), To: now, Step: step}
	s := metrics.NewSeries(q)
	for i := range s.Len() {
		end := s.End(i)
		s.Good[i], s.Total[i] = 100, 100
		if end.After(badFrom) && !end.After(badTo) {
			s.Good[i] = 100 - bad
		}
	}
	var buf bytes.Buffer
	if err := metrics.WriteSnapshot(&buf, step, now, map[string]*metrics.Series{"web/availability": s}); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "snap.json"), buf.String())
	write(t, filepath.Join(dir, "relia.toml"), `step = "5m"
history = "7d"
[sources.rec]
type = "snapshot"
path = "snap.json"
[[slos]]
service   = "web"
name      = "availability"
objective = 99.9
window    = "7d"
good  = "ok"
total = "all"
`+extra)
	return dir, now
}

type policyAPI struct {
	SLOs []struct {
		Status        string  `json:"status"`
		Bad           float64 `json:"bad"`
		ExcludedSteps int     `json:"excluded_steps"`
		Budget        struct {
			Remaining float64 `json:"remaining"`
		} `json:"budget"`
		Adjustments []struct {
			Name, Start, End string
		} `json:"adjustments"`
		BurnEpisodes []struct {
			BudgetConsumed     float64 `json:"budget_consumed"`
			NeedsRetrospective bool    `json:"needs_retrospective"`
		} `json:"burn_episodes"`
	} `json:"slos"`
}

func buildPolicy(t *testing.T, dir string, now time.Time) (policyAPI, string, string) {
	t.Helper()
	out := filepath.Join(dir, "public")
	buildAt(t, dir, now, out)
	b, err := os.ReadFile(filepath.Join(out, "api/v1/slos.json"))
	if err != nil {
		t.Fatal(err)
	}
	var api policyAPI
	if err := json.Unmarshal(b, &api); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(out, "slos/web/availability/index.html"))
	index, _ := os.ReadFile(filepath.Join(out, "index.html"))
	return api, string(page), string(index)
}

const sundayMaintenance = `
[[adjustments]]
name     = "Sunday maintenance"
slos     = ["*"]
rrule    = "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2"
duration = "4h"
`

// A total outage inside the weekly maintenance window spends no budget; the
// same outage a day earlier exhausts it.
func TestMaintenanceWindow(t *testing.T) {
	sunday := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	t.Run("inside", func(t *testing.T) {
		dir, now := policySite(t, sunday, sunday.Add(2*time.Hour), 100, sundayMaintenance)
		api, page, _ := buildPolicy(t, dir, now)
		s := api.SLOs[0]
		// The 7-day window holds one Sunday, 02:00–06:00: 48 excluded steps,
		// and the 24 outage steps are among them.
		if s.Bad != 0 || s.Budget.Remaining != 1 || s.Status != "healthy" || s.ExcludedSteps != 48 {
			t.Errorf("bad %v remaining %v status %s excluded %d", s.Bad, s.Budget.Remaining, s.Status, s.ExcludedSteps)
		}
		if len(s.Adjustments) != 1 || s.Adjustments[0].Start != "2026-11-22T02:00:00Z" || s.Adjustments[0].End != "2026-11-22T06:00:00Z" {
			t.Errorf("adjustments %+v", s.Adjustments)
		}
		// Drawn as a grey area on the charts, and listed.
		if !strings.Contains(page, `"name":"Sunday maintenance"`) || !strings.Contains(page, "rgba(128,128,128,0.22)") {
			t.Error("the SLO charts do not shade the maintenance window")
		}
		if !strings.Contains(page, "Excluded: 4h 00m of budget adjustments") {
			t.Error("the SLO page does not report the excluded time")
		}
	})
	t.Run("outside", func(t *testing.T) {
		saturday := sunday.Add(-24 * time.Hour)
		dir, now := policySite(t, saturday, saturday.Add(2*time.Hour), 100, sundayMaintenance)
		api, _, _ := buildPolicy(t, dir, now)
		s := api.SLOs[0]
		// The window counts 2,016 − 48 steps (the Sunday is still excluded):
		// 196,800 events, 196.8 allowed, and all 2,400 outage events are bad.
		if s.Bad != 2400 || s.Status != "exhausted" || !near(s.Budget.Remaining, 1-2400/196.8) {
			t.Errorf("bad %v remaining %v status %s", s.Bad, s.Budget.Remaining, s.Status)
		}
	})
}

// An unexplained burn episode that spends 30 % of the budget is flagged
// until a retrospective covering it exists.
func TestNeedsRetrospective(t *testing.T) {
	burst := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	// Three steps of 20.16 bad events: 60.48 = 30 % of the 201.6 allowed.
	dir, now := policySite(t, burst, burst.Add(15*time.Minute), 20.16, "")
	api, page, index := buildPolicy(t, dir, now)
	e := api.SLOs[0].BurnEpisodes
	if len(e) != 1 || !near(e[0].BudgetConsumed, 0.3) || !e[0].NeedsRetrospective {
		t.Fatalf("episodes %+v", e)
	}
	if !strings.Contains(page, "needs a retrospective") || !strings.Contains(index, "needs a retrospective") {
		t.Error("the flag is missing from the SLO page or the index")
	}

	write(t, filepath.Join(dir, "content/retros/burst.md"), `+++
title = "Ten o'clock errors"
date = 2026-11-20T10:00:00Z
slos = ["web/availability"]
[timeline]
started  = 2026-11-20T09:58:00Z
resolved = 2026-11-20T10:20:00Z
+++
Explained.
`)
	api, page, index = buildPolicy(t, dir, now)
	e = api.SLOs[0].BurnEpisodes
	if len(e) != 1 || e[0].NeedsRetrospective {
		t.Fatalf("still flagged: %+v", e)
	}
	if strings.Contains(index, "needs a retrospective") || !strings.Contains(page, "Ten o&#39;clock errors") {
		t.Error("the index still flags it, or the SLO page does not name the retrospective")
	}
}

func near(a, b float64) bool { d := a - b; return d < 1e-9 && d > -1e-9 }
