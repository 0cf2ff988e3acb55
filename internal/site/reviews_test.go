package site

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
)

// Weekly reviews in Europe/Berlin across the end of summer time: week 43
// (19–26 October 2026) has 169 hours, one bad event in ten each hour; week
// 44 is clean. The report ends Monday 2 November 00:00 CET.
func TestWeeklyReviews(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, berlin)
	w43 := time.Date(2026, 10, 19, 0, 0, 0, 0, berlin)
	w44 := time.Date(2026, 10, 26, 0, 0, 0, 0, berlin)
	dir := t.TempDir()
	s := metrics.NewSeries(metrics.Query{From: now.Add(-40 * 24 * time.Hour), To: now, Step: time.Hour})
	for i := range s.Len() {
		s.Good[i], s.Total[i] = 10, 10
		if end := s.End(i); end.After(w43) && !end.After(w44) {
			s.Good[i] = 9
		}
	}
	var buf bytes.Buffer
	if err := metrics.WriteSnapshot(&buf, time.Hour, now, map[string]*metrics.Series{"web/availability": s}); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "snap.json"), buf.String())
	write(t, filepath.Join(dir, "relia.toml"), `timezone = "Europe/Berlin"
step = "1h"
history = "14d"
[sources.rec]
type = "snapshot"
path = "snap.json"
[[slos]]
service   = "web"
name      = "availability"
objective = 95
window    = "7d"
good  = "ok"
total = "all"
`)
	write(t, filepath.Join(dir, "content/reviews/2026-W44.md"), "+++\ntitle = \"Notes\"\n+++\nA *quiet* week.\n")
	out := filepath.Join(dir, "public")
	buildAt(t, dir, now, out)
	// The history (18 Oct 23:00 UTC, 1 Nov 23:00 UTC] touches weeks 43 and
	// 44 only.
	entries, _ := os.ReadDir(filepath.Join(out, "reviews"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "2026-W43 2026-W44 index.html" {
		t.Fatalf("reviews: %s", got)
	}
	page := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, "reviews", name, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	w43page, w44page := page("2026-W43"), page("2026-W44")
	// Week 43: 169 bad of 1,690 (the 25-hour Sunday counted): 90 % against
	// a 95 % objective; budget burned 169 of the 7-day window's 0.05·1,680 = 84.
	for _, want := range []string{"2026-10-19 – 2026-10-25", `<td class="num bad">90.000%</td>`, "169 / 1,690", "201.2%"} {
		if !strings.Contains(w43page, want) {
			t.Errorf("week 43 page lacks %q", want)
		}
	}
	// Week 44: 100 %, up 10 percentage points; no budget burned; notes shown.
	for _, want := range []string{"100.000%", "▲ +10.000 pp", "0.0%", "A <em>quiet</em> week.", "0 / 1,680"} {
		if !strings.Contains(w44page, want) {
			t.Errorf("week 44 page lacks %q", want)
		}
	}
	index, _ := os.ReadFile(filepath.Join(out, "reviews/index.html"))
	if i43, i44 := bytes.Index(index, []byte("2026-W43/")), bytes.Index(index, []byte("2026-W44/")); i44 < 0 || i43 < i44 {
		t.Error("the reviews index is not newest first")
	}
}
