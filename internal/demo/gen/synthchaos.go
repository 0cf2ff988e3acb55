package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// synthChaosRunLen is how long each synthetic chaos run lasts.
const synthChaosRunLen = 20 * time.Minute

// synthChaosMinDays is the shortest history -chaos writes a site for: the
// history (days − 28) must hold the incident ten days before the end, its
// chart block's six hours before, and the Chaos Day.
const synthChaosMinDays = 40

// synthChaosDay is the day of the synthetic site's Chaos Day: three days
// before the end.
func synthChaosDay(s synthSite) time.Time {
	d := s.end.Add(-3 * 24 * time.Hour).UTC()
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// synthServices is the number of services of the synthetic site.
func synthServices(s synthSite) int {
	return (s.n + synthSLOsPerService - 1) / synthSLOsPerService
}

// writeSynthChaos writes what measures spans of every SLO of the site
// (-chaos): a Chaos Day with one run on each service (a generic CSV log)
// and its write-up, and a retrospective for each service that lists all
// its SLOs and draws one of them in a chart block. A Chaos Day that
// touches every service is common; it is what makes a build keep per-step
// data of every SLO for the measurements that follow.
func writeSynthChaos(dir string, s synthSite) error {
	if err := os.MkdirAll(filepath.Join(dir, "content", "chaos", "runs"), 0o755); err != nil {
		return err
	}
	day := synthChaosDay(s)
	var csv strings.Builder
	csv.WriteString("id,title,start,end,status,hypothesis_met,services\n")
	// Runs start every five minutes from 01:00: 200 services fill the
	// day to about 17:40, each run overlapping the next three.
	for k := range synthServices(s) {
		start := day.Add(time.Hour + time.Duration(k)*5*time.Minute)
		svc := fmt.Sprintf("svc-%04d", k)
		fmt.Fprintf(&csv, "chaos-%s,Restart a pod of %s,%s,%s,completed,%t,%s\n", svc, svc,
			start.Format(time.RFC3339), start.Add(synthChaosRunLen).Format(time.RFC3339), k%3 != 0, svc)
		if err := os.WriteFile(filepath.Join(dir, "content", "retros", svc+"-outage.md"), []byte(synthServiceRetro(s, k)), 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "content", "chaos", "runs", "chaos-day.csv"), []byte(csv.String()), 0o644); err != nil {
		return err
	}
	writeUp := fmt.Sprintf(`+++
title   = "Synthetic Chaos Day: a pod of every service restarted"
day     = %s
summary = "One run on each of the %d services."
+++

Every service lost a pod, five minutes apart.

`+"```chart"+`
slo  = "svc-0000/availability"
kind = "events"
from = %s
to   = %s
`+"```"+`
`, day.Format("2006-01-02"), synthServices(s), day.Add(30*time.Minute).Format(time.RFC3339), day.Add(3*time.Hour).Format(time.RFC3339))
	return os.WriteFile(filepath.Join(dir, "content", "chaos", "chaos-day.md"), []byte(writeUp), 0o644)
}

// synthServiceRetro is the retrospective of service k: the two hours of
// synthSeries' incident (which only every seventh SLO had), listing every
// SLO of the service, with a burn-down chart block of its first SLO.
func synthServiceRetro(s synthSite, k int) string {
	start := s.end.Add(-10 * 24 * time.Hour).UTC()
	var ids []string
	for i := k * synthSLOsPerService; i < min((k+1)*synthSLOsPerService, s.n); i++ {
		ids = append(ids, fmt.Sprintf("%q", synthID(i)))
	}
	svc := fmt.Sprintf("svc-%04d", k)
	return fmt.Sprintf(`+++
title    = "Errors on %s"
date     = %s
severity = "SEV3"
services = [%q]
slos     = [%s]

[timeline]
started  = %s
detected = %s
resolved = %s
+++

Every SLO of %s, and what the two hours cost each.

`+"```chart"+`
slo  = %s
kind = "burn-down"
from = %s
to   = %s
`+"```"+`
`, svc, start.Format(time.RFC3339), svc, strings.Join(ids, ", "),
		start.Format(time.RFC3339), start.Add(10*time.Minute).Format(time.RFC3339), start.Add(2*time.Hour).Format(time.RFC3339),
		svc, ids[0], start.Add(-6*time.Hour).Format(time.RFC3339), start.Add(8*time.Hour).Format(time.RFC3339))
}
