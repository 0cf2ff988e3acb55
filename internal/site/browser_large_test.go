package site_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
	"github.com/relia-dev/relia/internal/site"
)

// TestBrowserLargeIndex opens the grouped home page of a 60-SLO site from
// file:// and uses its filter and sort: svc-03/b has spent its budget.
func TestBrowserLargeIndex(t *testing.T) {
	exe := browserFindChromium(t)
	if testing.Short() && os.Getenv("RELIA_INTEGRATION") != "1" {
		t.Skip("headless browser test skipped in -short mode")
	}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	series := map[string]*metrics.Series{}
	cfg := "step = \"1h\"\nhistory = \"14d\"\n[sources.rec]\ntype = \"snapshot\"\npath = \"snap.json\"\n"
	for i := range 60 {
		svc, name := fmt.Sprintf("svc-%02d", i/5), string(rune('a'+i%5))
		s := metrics.NewSeries(metrics.Query{From: now.Add(-30 * 24 * time.Hour), To: now, Step: time.Hour})
		for k := range s.Len() {
			// i % 7 bad events in a thousand; svc-03/b fifty, past its budget.
			s.Good[k], s.Total[k] = 1000-float64(i%7), 1000
			if svc == "svc-03" && name == "b" {
				s.Good[k] = 950
			}
		}
		series[svc+"/"+name] = s
		cfg += fmt.Sprintf("[[slos]]\nservice = %q\nname = %q\nobjective = 99\nwindow = \"7d\"\ngood = \"ok\"\ntotal = \"all\"\n", svc, name)
	}
	var buf bytes.Buffer
	if err := metrics.WriteSnapshot(&buf, time.Hour, now, series); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"snap.json": buf.String(), "relia.toml": cfg} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "public")
	if _, err := site.Build(t.Context(), site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: out, Now: now}); err != nil {
		t.Fatal(err)
	}

	tab := browserOpenTab(t, browserStart(t, exe))
	prefix := "file://" + out + "/"
	tab.visit(t, prefix+"index.html", prefix)
	state := func() string {
		return strings.Trim(string(tab.eval(t, `document.getElementById("slo-count").textContent + " | " +
			Array.from(document.querySelectorAll("#slo-groups tbody")).filter(function (g) { return !g.hidden; })
				.map(function (g) { return g.dataset.service + ":" + Array.from(g.querySelectorAll("tr.slo")).filter(function (r) { return !r.hidden; })
					.map(function (r) { return r.cells[0].textContent; }).join(""); }).slice(0, 3).join(" ")`)), `"`)
	}
	set := func(id, value, event string) {
		tab.eval(t, fmt.Sprintf(`(function () { var e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event(%q)); return true; })()`, id, value, event))
	}
	if got, want := state(), "60 SLOs in 12 services | svc-00:abcde svc-01:abcde svc-02:abcde"; got != want {
		t.Errorf("before filtering: %q, want %q", got, want)
	}
	set("slo-filter", "exhausted", "input")
	if got, want := state(), "1 of 60 SLOs | svc-03:b"; got != want {
		t.Errorf("filter exhausted: %q, want %q", got, want)
	}
	set("slo-filter", "svc-01", "input")
	if got, want := state(), "5 of 60 SLOs | svc-01:abcde"; got != want {
		t.Errorf("filter svc-01: %q, want %q", got, want)
	}
	// Least budget left first: svc-03, whose b spent it all, leads with b.
	set("slo-filter", "", "input")
	set("slo-sort", "budget", "change")
	if got := state(); !strings.HasPrefix(got, "60 of 60 SLOs | svc-03:b") {
		t.Errorf("sort by budget: %q, want svc-03 with b first", got)
	}
	tab.check(t)
}
