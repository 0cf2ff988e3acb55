package site

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/calendar"
	"github.com/relia-dev/relia/internal/pdf"
	"github.com/relia-dev/relia/internal/publish"
)

// calendarSite is a site in America/New_York, where summer time ends on
// Sunday 1 November 2026 at 02:00 EDT (06:00 UTC), with hourly steps from
// 1 September, and the report at 00:00 EST on Monday 16 November
// (05:00 UTC). In New York, October runs from 1 October 04:00 UTC to
// 1 November 04:00 UTC (744 steps) and November from there (721 steps in
// the whole month, 361 to the report time).
//
//   - web/availability, objective 99.9 %, 100 events a step. An outage
//     straddles midnight of 31 October: the step ending 04:00 UTC (the
//     last hour of October in New York, but 1 November in UTC) and the
//     next have no good event, the two after (01:00–02:00 EDT, then
//     01:00–02:00 EST) half. One more bad half hour on 15 September.
//   - api/availability, objective 99.5 %, monthly window, 10 events a step,
//     data only from the step ending 20 October 05:00 UTC, and 15 bad
//     events on 10 November.
//
// A retrospective starts at 23:30 EDT on 31 October (03:30 UTC on
// 1 November): October's incident in New York. A chaos run on api in
// November.
func calendarSite(t *testing.T) (dir string, now time.Time) {
	t.Helper()
	dir = t.TempDir()
	first := time.Date(2026, 9, 1, 5, 0, 0, 0, time.UTC) // end of the first step
	now = time.Date(2026, 11, 16, 5, 0, 0, 0, time.UTC)
	n := int(now.Sub(first)/time.Hour) + 1
	utc := func(mo time.Month, d, h int) time.Time { return time.Date(2026, mo, d, h, 0, 0, 0, time.UTC) }
	webBad := map[time.Time]int{
		utc(9, 15, 16): 50,
		utc(11, 1, 4):  100, // 23:00–24:00 EDT on 31 October
		utc(11, 1, 5):  100, // 00:00–01:00 EDT on 1 November
		utc(11, 1, 6):  50,  // 01:00–02:00 EDT
		utc(11, 1, 7):  50,  // 01:00–02:00 EST
	}
	apiFrom := utc(10, 20, 5)
	apiBad := map[time.Time]int{utc(11, 10, 12): 10, utc(11, 10, 13): 5}
	var webGood, webTotal, apiGood, apiTotal []string
	for i := range n {
		end := first.Add(time.Duration(i) * time.Hour)
		webGood = append(webGood, strconv.Itoa(100-webBad[end]))
		webTotal = append(webTotal, "100")
		if end.Before(apiFrom) {
			apiGood, apiTotal = append(apiGood, "null"), append(apiTotal, "null")
			continue
		}
		apiGood = append(apiGood, strconv.Itoa(10-apiBad[end]))
		apiTotal = append(apiTotal, "10")
	}
	snap := fmt.Sprintf(`{"version": 2, "step": "1h", "slos": {
"web/availability": {"start": %d, "good": [%s], "total": [%s]},
"api/availability": {"start": %d, "good": [%s], "total": [%s]}}}`,
		first.Unix(), strings.Join(webGood, ","), strings.Join(webTotal, ","),
		first.Unix(), strings.Join(apiGood, ","), strings.Join(apiTotal, ","))
	write(t, filepath.Join(dir, "snap.json"), snap)
	write(t, filepath.Join(dir, "relia.toml"), `title = "Calendar"
timezone = "America/New_York"
step = "1h"
history = "49d"

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

[[slos]]
service   = "api"
name      = "availability"
objective = 99.5
window    = "month"
good  = "ok"
total = "all"

[[chaos]]
type = "generic"
path = "chaos.csv"
`)
	write(t, filepath.Join(dir, "chaos.csv"), `id,title,start,end,status,hypothesis_met,services
api-latency-2026-11-10,Inject latency into api,2026-11-10T12:00:00Z,2026-11-10T13:00:00Z,completed,false,api
`)
	write(t, filepath.Join(dir, "content/retros/midnight.md"), `+++
title = "Web down at midnight"
date = 2026-11-01T03:30:00Z
slos = ["web/availability"]
[timeline]
started  = 2026-11-01T03:30:00Z
resolved = 2026-11-01T07:00:00Z
+++
The release went out at 23:30.
`)
	return dir, now
}

// TestCalendarCells checks every computed cell of calendarSite against
// hand-computed figures, then the month pages' incidents and chaos runs.
func TestCalendarCells(t *testing.T) {
	dir, now := calendarSite(t)
	b, err := load(context.Background(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := publish.NewPublisher(filepath.Join(dir, "public"))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Abort()
	if _, err := b.run(context.Background(), pub); err != nil {
		t.Fatal(err)
	}
	ny := b.cfg.Location
	pol := calendar.Policy{AtRiskBelow: b.cfg.Policy.AtRiskBelow}
	rows := map[string]calendar.Row{}
	for _, res := range b.results {
		rows[res.cfg.ID()] = calendar.NewRow(res.cfg.ID(), res.cfg.Objective, res.report.Weeks, res.report.Months, pol, now, ny)
	}
	type want struct {
		name        string
		state       string
		text        string
		good, total float64
		coverage    float64
		burned      float64
	}
	nan := math.NaN()
	check := func(t *testing.T, c calendar.Cell, w want) {
		t.Helper()
		if c.Name != w.name || c.State != w.state || c.Text != w.text {
			t.Errorf("cell %s %s %q, want %s %s %q", c.Name, c.State, c.Text, w.name, w.state, w.text)
		}
		if c.State == calendar.Outside {
			return
		}
		p := c.Period
		same := func(a, b float64) bool { return a == b || (a != a && b != b) || math.Abs(a-b) < 1e-12 }
		if p.Good != w.good || p.Total != w.total || !same(p.Coverage, w.coverage) || !same(p.Burned, w.burned) {
			t.Errorf("%s: good %v total %v coverage %v burned %v, want %v %v %v %v", c.Name, p.Good, p.Total, p.Coverage, p.Burned, w.good, w.total, w.coverage, w.burned)
		}
	}

	// Months, in New York: the history (49 days from 28 September)
	// covers September to November; the nine months before are outside.
	// web: September 720 steps, 50 bad of 72,000: allowed 72, burned
	//   50/72. October 744 steps, the last hour's 100 bad of 74,400:
	//   burned 100/74.4 — missed, though in UTC that hour is November's.
	//   November to now, 361 steps: 100 + 50 + 50 bad of 36,100.
	// api: September no data; October 288 steps of data (20 October
	//   05:00 UTC to 1 November 04:00 UTC) out of 744: coverage 0.387,
	//   under 50 %: no data though it had traffic;
	//   November 361 steps, 15 bad of 3,610: allowed 18.05, burned 0.831,
	//   with 16.9 % of the budget left, under at_risk_below's 25 %: close.
	months := map[string][]want{
		"web/availability": {
			{"2026-09", calendar.Met, "99.93", 71950, 72000, 1, 50.0 / 72},
			{"2026-10", calendar.Missed, "99.86", 74300, 74400, 1, 100 / 74.4},
			{"2026-11", calendar.Missed, "99.44", 35900, 36100, 1, 200 / 36.1},
		},
		"api/availability": {
			{"2026-09", calendar.NoData, "", 0, 0, 0, nan},
			{"2026-10", calendar.NoData, "", 2880, 2880, 288.0 / 744, 0},
			{"2026-11", calendar.Close, "99.58", 3595, 3610, 1, 15 / 18.05},
		},
	}
	for id, ws := range months {
		r := rows[id]
		for i := range calendar.Months - len(ws) {
			if c := r.Months[i]; c.State != calendar.Outside {
				t.Errorf("%s month %s is %s, want outside", id, c.Name, c.State)
			}
		}
		for i, w := range ws {
			check(t, r.Months[calendar.Months-len(ws)+i], w)
		}
	}

	// Weeks: the history covers 2026-W40 (from Monday 28 September) to
	// W46 (9–16 November, complete at the report time); W34–W39 are
	// outside. W44 (26 October 04:00 UTC to 2 November 05:00 UTC, 169
	// steps with the extra hour) holds the whole outage: 300 bad of
	// 16,900, allowed 16.9. api's W43 (19–26 October) has data from the
	// 20th 05:00 UTC: 144 of 168 steps.
	weeks := map[string]map[int]want{
		"web/availability": {
			5:  {"2026-W39", calendar.Outside, "", 0, 0, 0, 0},
			6:  {"2026-W40", calendar.Met, "100.00", 16800, 16800, 1, 0},
			10: {"2026-W44", calendar.Missed, "98.22", 16600, 16900, 1, 300 / 16.9},
			12: {"2026-W46", calendar.Met, "100.00", 16800, 16800, 1, 0},
		},
		"api/availability": {
			8:  {"2026-W42", calendar.NoData, "", 0, 0, 0, nan},
			9:  {"2026-W43", calendar.Met, "100.00", 1440, 1440, 144.0 / 168, 0},
			12: {"2026-W46", calendar.Missed, "99.10", 1665, 1680, 1, 15 / 8.4},
		},
	}
	for id, ws := range weeks {
		for i, w := range ws {
			check(t, rows[id].Weeks[i], w)
		}
	}

	// The month pages: the retrospective started at 23:30 EDT on
	// 31 October, so it is October's incident; the chaos run November's.
	mps := b.monthPages(b.results, pol, now.Add(-b.cfg.History))
	if len(mps) != 3 {
		t.Fatalf("%d month pages, want 3", len(mps))
	}
	oct, nov := mps[1], mps[2]
	if len(oct.Incidents) != 1 || oct.Incidents[0].Title != "Web down at midnight" || len(nov.Incidents) != 0 {
		t.Errorf("incidents: October %v, November %v; want the retrospective in October only", oct.Incidents, nov.Incidents)
	}
	if len(nov.Chaos) != 1 || nov.Chaos[0].Run.ID != "api-latency-2026-11-10" || len(oct.Chaos) != 0 {
		t.Errorf("chaos runs: October %d, November %d; want the run in November", len(oct.Chaos), len(nov.Chaos))
	}
	if oct.Met != 0 || oct.Missed != 1 || oct.NoData != 1 || nov.Met != 1 || nov.Missed != 1 {
		t.Errorf("October met/missed/no data %d/%d/%d, November %d/%d/%d; want 0/1/1 and 1/1/0",
			oct.Met, oct.Missed, oct.NoData, nov.Met, nov.Missed, nov.NoData)
	}
	if !mps[0].ReplayFrom.Equal(now.Add(-b.cfg.History)) || !oct.ReplayFrom.IsZero() {
		t.Errorf("ReplayFrom: September %s, October %s; want the history start and none", mps[0].ReplayFrom, oct.ReplayFrom)
	}
	if mps[0].Prev != "" || oct.Prev != "2026-09" || oct.Next != "2026-11" || nov.Next != "" {
		t.Errorf("month links: %q %q %q %q", mps[0].Prev, oct.Prev, oct.Next, nov.Next)
	}
}

// TestGoldenCalendar pins the calendar and two month pages of
// calendarSite byte for byte.
func TestGoldenCalendar(t *testing.T) {
	dir, now := calendarSite(t)
	out := filepath.Join(dir, "public")
	buildAt(t, dir, now, out)
	checkGolden(t, out, "calendar-site", "TestGoldenCalendar", "calendar/index.html", "months/2026-10/index.html", "months/2026-11/index.html")
}

// TestPDFWithoutChromium: --pdf on a machine without the browser warns,
// builds the rest, and links no PDF.
func TestPDFWithoutChromium(t *testing.T) {
	dir, now := calendarSite(t)
	t.Setenv(pdf.EnvChromium, filepath.Join(dir, "no-such-browser"))
	out := filepath.Join(dir, "public")
	var log bytes.Buffer
	if _, err := Build(context.Background(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: out, Now: now, PDF: true, Log: &log}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "warning: --pdf: RELIA_CHROMIUM=") || !strings.Contains(log.String(), "the site is built without PDFs") {
		t.Errorf("log has no warning about the browser:\n%s", log.String())
	}
	for _, page := range []string{"summary/index.html", "months/2026-11/index.html", "reviews/2026-W46/index.html"} {
		if html := mustRead(t, filepath.Join(out, page)); strings.Contains(html, "PDF for printing") {
			t.Errorf("%s links a PDF that was not made", page)
		}
	}
	pdfs, _ := filepath.Glob(filepath.Join(out, "*", "*", "*.pdf"))
	if len(pdfs) > 0 {
		t.Errorf("PDFs written without a browser: %v", pdfs)
	}
}

// TestPDFs builds calendarSite with --pdf twice: each PDF is linked from
// its page, has the pages and text a reader expects (pdfinfo, pdftotext
// from poppler-utils), and both builds print the same bytes.
func TestPDFs(t *testing.T) {
	exe, err := pdf.Find()
	integration := os.Getenv("RELIA_INTEGRATION") == "1"
	if testing.Short() && !integration {
		t.Skip("printing with a headless browser skipped in -short mode")
	}
	if err != nil {
		if integration {
			t.Fatalf("%v (RELIA_INTEGRATION=1 requires it)", err)
		}
		t.Skip(err)
	}
	var tools []string
	for _, name := range []string{"pdfinfo", "pdftotext"} {
		p, err := exec.LookPath(name)
		if err != nil {
			if integration {
				t.Fatalf("%s not found: install poppler-utils (RELIA_INTEGRATION=1 requires it)", name)
			}
			t.Skipf("%s not found: install the Debian package poppler-utils", name)
		}
		tools = append(tools, p)
	}
	pdfinfo, pdftotext := tools[0], tools[1]
	t.Logf("printing with %s", exe)

	dir, now := calendarSite(t)
	build := func(out string) {
		t.Helper()
		var log bytes.Buffer
		if _, err := Build(context.Background(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: out, Now: now, PDF: true, Log: &log}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(log.String(), "warning") {
			t.Fatalf("warnings:\n%s", log.String())
		}
		t.Log(strings.TrimSpace(log.String()))
	}
	// The second build writes to a folder named relative to the working
	// one, as `relia build --pdf` run in a site does.
	t.Chdir(dir)
	out1, out2 := filepath.Join(dir, "public1"), "public2"
	build(out1)
	build(out2)

	pagesRe := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`)
	tests := []struct {
		pdf      string
		maxPages int
		text     []string
	}{
		// The summary is one sheet; so is each month with two SLOs; the
		// review of the last complete week (W46) fits on two.
		{"summary/summary.pdf", 1, []string{"executive summary", "web/availability", "api/availability", "99.5%"}},
		{"months/2026-09/month.pdf", 2, []string{"Reliability report September 2026", "web/availability", "99.93%"}},
		{"months/2026-10/month.pdf", 2, []string{"Reliability report October 2026", "web/availability", "99.86%", "134.4%", "Web down at midnight"}},
		{"months/2026-11/month.pdf", 2, []string{"Reliability report November 2026", "api/availability", "99.58%", "83.1%", "99.44%", "Inject latency into api"}},
		{"reviews/2026-W46/review.pdf", 2, []string{"Reliability review 2026-W46", "web/availability", "api/availability"}},
	}
	for _, tt := range tests {
		t.Run(tt.pdf, func(t *testing.T) {
			file := filepath.Join(out1, filepath.FromSlash(tt.pdf))
			info := runTool(t, pdfinfo, file)
			m := pagesRe.FindStringSubmatch(info)
			if m == nil {
				t.Fatalf("pdfinfo names no page count:\n%s", info)
			}
			if n, _ := strconv.Atoi(m[1]); n < 1 || n > tt.maxPages {
				t.Errorf("%d pages, want 1 to %d", n, tt.maxPages)
			}
			if !strings.Contains(info, "(A4)") {
				t.Errorf("not A4:\n%s", info)
			}
			text := runTool(t, pdftotext, "-layout", file, "-")
			for _, want := range tt.text {
				if !strings.Contains(text, want) {
					t.Errorf("the text has no %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "PDF for printing") || strings.Contains(text, "Retrospectives") {
				t.Errorf("the navigation or the PDF link is printed:\n%s", text)
			}
			html := mustRead(t, filepath.Join(filepath.Dir(file), "index.html"))
			if !strings.Contains(html, `<a href="`+filepath.Base(file)+`" type="application/pdf">PDF for printing</a>`) {
				t.Errorf("%s does not link its PDF", filepath.Dir(tt.pdf)+"/index.html")
			}
			a, b := mustRead(t, file), mustRead(t, filepath.Join(out2, filepath.FromSlash(tt.pdf)))
			if a != b {
				t.Errorf("two builds printed different bytes (%d and %d)", len(a), len(b))
			}
		})
	}
	// Only those: the current week's review, a week of a few hours at the
	// next report, is not printed.
	all, _ := filepath.Glob(filepath.Join(out1, "*", "*", "*.pdf"))
	summary, _ := filepath.Glob(filepath.Join(out1, "*", "*.pdf"))
	if n := len(all) + len(summary); n != len(tests) {
		t.Errorf("%d PDFs, want %d: %v %v", n, len(tests), summary, all)
	}
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
