package site

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/relia-dev/relia/internal/api"
	"github.com/relia-dev/relia/internal/bounded"
	"github.com/relia-dev/relia/internal/chaos"
	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/confine"
	"github.com/relia-dev/relia/internal/content"
	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/publish"
	"github.com/relia-dev/relia/internal/render"
	"github.com/relia-dev/relia/internal/slo"
)

// chaosSet is the chaos runs of a build: read in the load stage, measured
// against the SLOs of their services once those are computed.
type chaosSet struct {
	runs    []*chaos.Run // by start, then id
	byID    map[string]*chaos.Run
	impacts map[string][]chaos.Impact // by run id: one per SLO of its services, in config order
	gap     map[string]bool           // by run id: a detection gap
}

// chaosRecent is how many runs the home page lists.
const chaosRecent = 8

// maxChaosLog bounds the size of one chaos log: kubectl exports of a busy
// cluster run to megabytes, not gigabytes.
const maxChaosLog = 64 << 20

// loadChaos reads every [[chaos]] entry's logs. A glob that matches no
// file is a configuration error; a log relia cannot read, a run it cannot
// place in time and a run id used twice are warnings: evidence never sinks
// a report. Logs are read in config order, files sorted by name, so the
// run kept of two with one id is the same in every build.
func (b *build) loadChaos() error {
	cs := &chaosSet{byID: map[string]*chaos.Run{}, impacts: map[string][]chaos.Impact{}, gap: map[string]bool{}}
	b.chaos = cs
	services := map[string]bool{}
	var known []string
	for _, s := range b.cfg.SLOs {
		if !services[s.Service] {
			services[s.Service] = true
			known = append(known, s.Service)
		}
	}
	var errs []error
	var runs []*chaos.Run
	maxRuns := b.cfg.Limits.MaxChaosRuns
	if maxRuns <= 0 {
		maxRuns = config.DefaultMaxChaosRuns
	}
	logs := 0 // files matched so far, by every entry: bounded by maxRuns as well
	for i, c := range b.cfg.Chaos {
		pattern := c.Path
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(b.cfg.Dir, pattern)
		}
		files, err := filepath.Glob(pattern)
		if err == nil && len(files) == 0 {
			err = errors.New("matches no file")
		}
		if err != nil {
			errs = append(errs, &diag.Error{File: b.cfg.Path, Line: c.Line, Key: fmt.Sprintf("chaos[%d].path", i), Msg: fmt.Sprintf("%q %v", c.Path, err)})
			continue
		}
		slices.Sort(files)
		opts := chaos.Options{Services: known, Map: c.Services}
		tooMany := func(what string) error {
			return &diag.Error{File: b.cfg.Path, Line: c.Line, Key: fmt.Sprintf("chaos[%d].path", i),
				Msg: fmt.Sprintf("%q: more than %d %s, the limit (raise it with max_chaos_runs in [limits])", c.Path, maxRuns, what)}
		}
		if logs += len(files); logs > maxRuns {
			return tooMany("chaos log files")
		}
		for _, f := range files {
			shown := f
			if rel, err := filepath.Rel(b.cfg.Dir, f); err == nil && !strings.HasPrefix(rel, "..") {
				shown = filepath.ToSlash(rel)
			}
			// Not a log relia cannot read (a warning) but a file from
			// outside the site slipped in: an error, and it is not read.
			if err := confine.Check(b.cfg.Dir, f); err != nil {
				errs = append(errs, &diag.Error{File: shown, Msg: fmt.Sprintf("read chaos log: %v", err)})
				continue
			}
			data, err := readLimited(f, maxChaosLog)
			if err != nil {
				b.warn(&diag.Error{File: shown, Msg: fmt.Sprintf("read chaos log: %v", err)})
				continue
			}
			got, err := chaos.Parse(c.Type, shown, data, opts)
			for _, p := range chaos.Problems(err) {
				if p.File == "" {
					p.File = shown
				}
				b.warn(p)
			}
			for _, r := range got {
				for _, p := range r.Problems {
					b.warn(p)
				}
			}
			if runs = append(runs, got...); len(runs) > maxRuns {
				return tooMany("chaos runs")
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	runs, dups := chaos.Dedupe(runs)
	for _, p := range dups {
		b.warn(p)
	}
	cs.runs = runs
	chaos.Sort(cs.runs)
	for _, r := range cs.runs {
		cs.byID[r.ID] = r
		for _, s := range r.Services {
			if !services[s] {
				b.warn(&diag.Error{File: r.File, Line: r.Line, Msg: fmt.Sprintf("run %s: no SLO has the service %q, so nothing measures it", r.ID, s)})
			}
		}
	}
	return nil
}

// readLimited reads a regular file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	data, err := bounded.ReadFile(path, limit)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		err = pe.Err // the caller names the file
	}
	if errors.Is(err, bounded.ErrTooLarge) {
		return nil, fmt.Errorf("larger than the limit of %s (a fixed bound; split the export: one kubectl get per namespace or kind)", bounded.Size(limit))
	}
	return data, err
}

// knownRuns is the set of run ids, for the write-ups' runs = [...].
func (cs *chaosSet) knownRuns() map[string]bool {
	known := make(map[string]bool, len(cs.runs))
	for _, r := range cs.runs {
		known[r.ID] = true
	}
	return known
}

// keepChaosSLOs keeps the per-step data of every SLO of a service that a
// run inside the history touched: its impact and charts need them.
func (b *build) keepChaosSLOs() {
	histStart := b.now.Add(-b.cfg.History)
	for _, r := range b.chaos.runs {
		if r.TimeUnknown || !r.End.Add(chaos.AlertGrace).After(histStart) || r.Start.After(b.now) {
			continue
		}
		for _, s := range b.sloOfRun(r) {
			b.charted[s.ID()] = true
		}
	}
}

// sloOfRun lists the SLOs of the run's services, in config order.
func (b *build) sloOfRun(r *chaos.Run) []config.SLO {
	var out []config.SLO
	for _, s := range b.cfg.SLOs {
		if slices.Contains(r.Services, s.Service) {
			out = append(out, s)
		}
	}
	return out
}

// measureChaos computes every run's impact from the kept SLO reports.
func (b *build) measureChaos() {
	for _, r := range b.chaos.runs {
		if r.TimeUnknown {
			continue // nothing to measure: no impact, never a detection gap
		}
		var impacts []chaos.Impact
		for _, s := range b.sloOfRun(r) {
			k, ok := b.kept[s.ID()]
			if !ok {
				// Not kept: the run lies outside the history.
				impacts = append(impacts, chaos.Impact{SLO: s.ID(), NoData: true, BudgetConsumed: math.NaN(), PeakBurnRate: math.NaN()})
				continue
			}
			impacts = append(impacts, chaos.Measure(r, k.report, k.steps))
		}
		b.chaos.impacts[r.ID] = impacts
		b.chaos.gap[r.ID] = chaos.DetectionGap(r, impacts)
	}
}

// checkWriteUps checks what the runs decide about Chaos Day write-ups: a
// day on which no run started is a mistake.
func (b *build) checkWriteUps() error {
	var errs []error
	for _, p := range b.content.Chaos {
		if !p.Meta.Day.IsZero() && len(b.runsOfDay(p.Meta.Day)) == 0 {
			errs = append(errs, &content.Error{File: p.File, Line: p.KeyLine("day"), Msg: fmt.Sprintf(
				"day: no chaos run started on %s (%s)", p.Meta.Day.Format("2006-01-02"), b.cfg.Timezone)})
		}
	}
	return errors.Join(errs...)
}

// runsOfDay lists the runs that started on the calendar day of d in the
// site's time zone.
func (b *build) runsOfDay(d time.Time) []*chaos.Run {
	y, m, day := d.Date()
	from := time.Date(y, m, day, 0, 0, 0, 0, b.cfg.Location)
	to := time.Date(y, m, day+1, 0, 0, 0, 0, b.cfg.Location)
	var out []*chaos.Run
	for _, r := range b.chaos.runs {
		if !r.TimeUnknown && !r.Start.Before(from) && r.Start.Before(to) {
			out = append(out, r)
		}
	}
	return out
}

// runsOfWriteUp lists a write-up's runs: those it names, then those of its
// day, by start.
func (b *build) runsOfWriteUp(p *content.Page) []*chaos.Run {
	var out []*chaos.Run
	// A set, not slices.Contains: a Chaos Day may hold thousands of runs.
	seen := map[*chaos.Run]bool{}
	for _, id := range p.Meta.Runs {
		if r := b.chaos.byID[id]; r != nil && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	if !p.Meta.Day.IsZero() {
		for _, r := range b.runsOfDay(p.Meta.Day) {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	chaos.Sort(out)
	return out
}

func runPath(r *chaos.Run) string { return "chaos/runs/" + r.ID + "/" }

func writeUpPath(p *content.Page) string { return "chaos/" + p.Slug + "/" }

// runMark shades a run on a chart.
func runMark(r *chaos.Run, gap bool) render.Mark {
	kind := render.MarkChaos
	if gap {
		kind = render.MarkChaosGap
	}
	return render.Mark{Name: "chaos: " + r.Title, Start: r.Start, End: r.End, Kind: kind}
}

// chaosMarks shades the runs that touched the SLO's service. SLO pages are
// written before every run is measured, so they do not tell gaps apart.
func (b *build) chaosMarks(s config.SLO) []render.Mark {
	var marks []render.Mark
	for _, r := range b.chaos.runs {
		if !r.TimeUnknown && slices.Contains(r.Services, s.Service) {
			marks = append(marks, runMark(r, false))
		}
	}
	return marks
}

// chaosMarksOf shades, for the Markdown chart blocks drawn once every run
// is measured, the runs that touched the SLO's service, gaps in red.
func (b *build) chaosMarksOf(id string) []render.Mark {
	var marks []render.Mark
	for _, s := range b.cfg.SLOs {
		if s.ID() != id {
			continue
		}
		for _, r := range b.chaos.runs {
			if !r.TimeUnknown && slices.Contains(r.Services, s.Service) {
				marks = append(marks, runMark(r, b.chaos.gap[r.ID]))
			}
		}
	}
	return marks
}

// runRow is a run as lists show it.
type runRow struct {
	Run        *chaos.Run
	Path       string
	Gap        bool
	Hypothesis string
	HypClass   string  // "met", "not-met" or "unknown": a CSS class
	NoData     bool    // no SLO of the run has data for it
	Budget     float64 // the largest budget share it spent of any SLO; NaN when unknown
	BudgetSLO  string
	Peak       float64 // the highest peak burn rate; NaN when unknown
	Alerted    string  // "yes", "no" or "—"
}

func (b *build) runRow(r *chaos.Run) runRow {
	row := runRow{Run: r, Path: runPath(r), Gap: b.chaos.gap[r.ID], Hypothesis: r.Hypothesis().String(), HypClass: hypClass(r.Hypothesis()),
		NoData: true, Budget: math.NaN(), Peak: math.NaN(), Alerted: "—"}
	for _, im := range b.chaos.impacts[r.ID] {
		if im.NoData {
			continue
		}
		row.NoData = false
		if row.Alerted != "yes" {
			row.Alerted = "no"
			if im.Alerted {
				row.Alerted = "yes"
			}
		}
		if !(im.BudgetConsumed <= row.Budget) && !math.IsNaN(im.BudgetConsumed) {
			row.Budget, row.BudgetSLO = im.BudgetConsumed, im.SLO
		}
		if !(im.PeakBurnRate <= row.Peak) && !math.IsNaN(im.PeakBurnRate) {
			row.Peak = im.PeakBurnRate
		}
	}
	return row
}

// hypClass names a hypothesis for CSS.
func hypClass(h chaos.Hypothesis) string { return strings.ReplaceAll(h.String(), " ", "-") }

// newestFirst lists the runs newest first, runs of unknown time (which
// Sort puts last) still last.
func (b *build) newestFirst() []*chaos.Run {
	order := slices.Clone(b.chaos.runs)
	placed := slices.IndexFunc(order, func(r *chaos.Run) bool { return r.TimeUnknown })
	if placed < 0 {
		placed = len(order)
	}
	slices.Reverse(order[:placed])
	return order
}

// recentRuns lists the runs for the home page: detection gaps first, then
// the newest.
func (b *build) recentRuns() []runRow {
	var rows []runRow
	for _, r := range b.newestFirst() {
		rows = append(rows, b.runRow(r))
	}
	slices.SortStableFunc(rows, func(x, y runRow) int {
		switch {
		case x.Gap == y.Gap:
			return 0
		case x.Gap:
			return -1
		}
		return 1
	})
	return rows[:min(len(rows), chaosRecent)]
}

// chaosHome is the home page's chaos section.
type chaosHome struct {
	Configured bool
	Runs       []runRow
	Gaps       int
	Total      int
}

func (b *build) chaosHome() chaosHome {
	h := chaosHome{Configured: len(b.cfg.Chaos) > 0, Runs: b.recentRuns(), Total: len(b.chaos.runs)}
	for _, r := range b.chaos.runs {
		if b.chaos.gap[r.ID] {
			h.Gaps++
		}
	}
	return h
}

// impactRow is one SLO's row in a run's impact table.
type impactRow struct {
	chaos.Impact
	Path       string
	Units      string
	NoRules    bool // the SLO has no alert rule: it could not have alerted
	FirstAlert *struct {
		Severity, Windows string
		At                time.Time
		After             string // since the run's start, or "before" it
	}
}

type activityRow struct {
	chaos.Activity
	Offset string // since the run's start: "+2m 05s"
	Failed bool
}

type writeUpLink struct {
	Title string
	Path  string
	Date  time.Time
}

type chaosRunPage struct {
	Run        *chaos.Run
	Gap        bool
	Hypothesis string
	Duration   string
	Impacts    []impactRow
	Unmeasured []string // services without SLOs
	Activities []activityRow
	WriteUps   []writeUpLink
	Grace      string
	GapBudget  float64
}

func (b *build) writeChaosRun(pub *publish.Publisher, r *chaos.Run, writeUps []writeUpLink) error {
	path := runPath(r)
	gap := b.chaos.gap[r.ID]
	page := chaosRunPage{
		Run: r, Gap: gap, Hypothesis: r.Hypothesis().String(), Duration: offset(r.Duration()),
		Grace: render.Duration(chaos.AlertGrace), GapBudget: chaos.GapBudget,
	}
	page.Duration = strings.TrimPrefix(page.Duration, "+")
	var charts []render.Chart
	slos := b.sloOfRun(r)
	for i, im := range b.chaos.impacts[r.ID] {
		row := impactRow{Impact: im, Path: sloPath(slos[i]), Units: "events", NoRules: len(slos[i].Alerting.Effective()) == 0}
		if slos[i].Budgeting != "occurrences" {
			row.Units = "slices"
		}
		if len(im.Alerts) > 0 {
			a := im.Alerts[0]
			after := "before it"
			if !a.Start.Before(r.Start) {
				after = render.Duration(a.Start.Sub(r.Start)) + " after the start"
			}
			row.FirstAlert = &struct {
				Severity, Windows string
				At                time.Time
				After             string
			}{a.Rule.Severity, a.Rule.LongLabel + "/" + a.Rule.ShortLabel, a.Start, after}
		}
		page.Impacts = append(page.Impacts, row)
		if k, ok := b.kept[im.SLO]; ok && !im.NoData {
			from, to := runChartSpan(r)
			marks := append(b.incidentMarks(im.SLO), runMark(r, gap))
			charts = append(charts, render.RunChart(fmt.Sprintf("chart-run-%d", len(charts)+1), k.within(from, to), from, to, marks))
		}
	}
	for _, s := range r.Services {
		if !slices.ContainsFunc(slos, func(c config.SLO) bool { return c.Service == s }) {
			page.Unmeasured = append(page.Unmeasured, s)
		}
	}
	for _, a := range r.Activities {
		row := activityRow{Activity: a, Failed: a.Failed()}
		if !a.Start.IsZero() {
			row.Offset = offset(a.Start.Sub(r.Start))
		}
		page.Activities = append(page.Activities, row)
	}
	page.WriteUps = writeUps
	return b.renderPage(pub, path+"index.html", "chaos-run.html", pageData{Site: b.siteInfo(), Root: rootOf(path), Title: r.Title, Section: "chaos", Page: page, Charts: charts})
}

// offset formats a span since a run's start: "+0s", "+2m 05s", "+1h 02m".
func offset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "−", -d
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%s%ds", sign, int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%s%dm %02ds", sign, int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%s%dh %02dm", sign, int(d.Hours()), int(d.Minutes())%60)
}

// sloTotal sums what a write-up's runs spent of one SLO's budget.
type sloTotal struct {
	ID, Path string
	Runs     int
	Bad      float64
	Budget   float64
	Units    string
}

type writeUpPage struct {
	Meta   content.Meta
	Runs   []runRow
	Gaps   int
	Totals []sloTotal
	Body   template.HTML
}

func (b *build) writeWriteUp(pub *publish.Publisher, p *content.Page) error {
	charts, err := b.blockCharts(p)
	if err != nil {
		return err
	}
	body, err := b.markdown(p)
	if err != nil {
		return err
	}
	page := writeUpPage{Meta: p.Meta, Body: body}
	totals := map[string]*sloTotal{}
	for _, r := range b.runsOfWriteUp(p) {
		row := b.runRow(r)
		page.Runs = append(page.Runs, row)
		if row.Gap {
			page.Gaps++
		}
		for _, im := range b.chaos.impacts[r.ID] {
			if im.NoData {
				continue
			}
			t := totals[im.SLO]
			if t == nil {
				t = &sloTotal{ID: im.SLO}
				totals[im.SLO] = t
			}
			t.Runs++
			t.Bad += im.Bad
			if !math.IsNaN(im.BudgetConsumed) {
				t.Budget += im.BudgetConsumed
			}
		}
	}
	for _, s := range b.cfg.SLOs {
		if t := totals[s.ID()]; t != nil {
			t.Path, t.Units = sloPath(s), "events"
			if s.Budgeting != "occurrences" {
				t.Units = "slices"
			}
			page.Totals = append(page.Totals, *t)
		}
	}
	path := writeUpPath(p)
	return b.renderPage(pub, path+"index.html", "chaos.html", pageData{Site: b.siteInfo(), Root: rootOf(path), Title: p.Meta.Title, Section: "chaos", Page: page, Charts: charts})
}

type chaosIndexPage struct {
	WriteUps    []writeUpLink
	Runs        []runRow // newest first, runs of unknown time last
	Gaps        int
	TimeUnknown int // runs of unknown time
	Grace       string
}

// writeChaosPages writes a page per run, per write-up, and the chaos
// index. It writes nothing on a site without chaos logs or write-ups.
func (b *build) writeChaosPages(pub *publish.Publisher) (int, error) {
	if !b.hasChaos() {
		return 0, nil
	}
	// Each write-up's runs once, rather than once per run page: a Chaos
	// Day of thousands of runs made this quadratic.
	writeUps := map[*chaos.Run][]writeUpLink{}
	for _, p := range b.content.Chaos {
		for _, r := range b.runsOfWriteUp(p) {
			writeUps[r] = append(writeUps[r], writeUpLink{Title: p.Meta.Title, Path: writeUpPath(p), Date: p.Meta.Date})
		}
	}
	g := new(errgroup.Group)
	g.SetLimit(runtime.NumCPU())
	for _, r := range b.chaos.runs {
		g.Go(func() error { return b.writeChaosRun(pub, r, writeUps[r]) })
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	n := len(b.chaos.runs)
	idx := chaosIndexPage{Grace: render.Duration(chaos.AlertGrace)}
	for _, r := range b.newestFirst() {
		row := b.runRow(r)
		if row.Gap {
			idx.Gaps++
		}
		if r.TimeUnknown {
			idx.TimeUnknown++
		}
		idx.Runs = append(idx.Runs, row)
	}
	for _, p := range b.content.Chaos {
		if err := b.writeWriteUp(pub, p); err != nil {
			return 0, err
		}
		n++
		idx.WriteUps = append(idx.WriteUps, writeUpLink{Title: p.Meta.Title, Path: writeUpPath(p), Date: p.Meta.Date})
	}
	return n + 1, b.renderPage(pub, "chaos/index.html", "chaos-index.html", pageData{Site: b.siteInfo(), Root: "../", Title: "Chaos experiments", Section: "chaos", Page: idx})
}

func (b *build) hasChaos() bool {
	return len(b.cfg.Chaos) > 0 || len(b.content.Chaos) > 0
}

// apiChaosRuns is chaos_runs of api/v1/slos.json, by start.
func (b *build) apiChaosRuns() []api.Chaos {
	out := []api.Chaos{}
	for _, r := range b.chaos.runs {
		a := api.Chaos{
			ID: r.ID, Title: r.Title, Source: r.Source, Status: r.Status,
			HypothesisMet: r.Hypothesis().Bool(),
			Services:      append([]string{}, r.Services...),
		}
		if r.TimeUnknown {
			// Times and impact are null: relia cannot say when it ran.
			a.TimeUnknown = true
			out = append(out, a)
			continue
		}
		start, end := api.RFC3339(r.Start), api.RFC3339(r.End)
		a.Start, a.End, a.Impact = &start, &end, []api.Impact{}
		for _, im := range b.chaos.impacts[r.ID] {
			ai := api.Impact{SLO: im.SLO}
			if !im.NoData {
				bad, alerted := im.Bad, im.Alerted
				ai.Bad, ai.Alerted = &bad, &alerted
				ai.BudgetConsumed, ai.PeakBurnRate = api.Nullable(im.BudgetConsumed), api.Nullable(im.PeakBurnRate)
			}
			a.Impact = append(a.Impact, ai)
		}
		out = append(out, a)
	}
	return out
}

// chaosSearchDocs are the runs and write-ups for the search index.
func (b *build) chaosSearchDocs() []searchDoc {
	var docs []searchDoc
	for _, r := range b.chaos.runs {
		text := r.Description + " " + strings.Join(r.Services, " ") + " " + strings.Join(r.Tags, " ") + " " + r.Status
		if b.chaos.gap[r.ID] {
			text += " detection gap"
		}
		docs = append(docs, searchDoc{Title: r.Title, Path: runPath(r) + "index.html", Kind: "Chaos run", Text: text})
	}
	for _, p := range b.content.Chaos {
		docs = append(docs, searchDoc{Title: p.Meta.Title, Path: writeUpPath(p) + "index.html", Kind: "Chaos Day", Text: plainText(p)})
	}
	return docs
}

// chaosFeedEntries are the write-ups for the Atom feed.
func (b *build) chaosFeedEntries() []feedEntry {
	var entries []feedEntry
	for _, p := range b.content.Chaos {
		entries = append(entries, feedEntry{Title: p.Meta.Title, Path: writeUpPath(p), Summary: summaryOf(p), Date: p.Meta.Date})
	}
	return entries
}

// sloRunRow is a run on the page of one SLO it touched.
type sloRunRow struct {
	Run    *chaos.Run
	Path   string
	Impact chaos.Impact
}

// chaosRowsFor lists, newest first, the runs that touched the SLO, with
// their impact on it (r still holds its full timeline).
func (b *build) chaosRowsFor(s config.SLO, r *slo.Report) []sloRunRow {
	var rows []sloRunRow
	for i := len(b.chaos.runs) - 1; i >= 0; i-- {
		run := b.chaos.runs[i]
		if !run.TimeUnknown && slices.Contains(run.Services, s.Service) {
			rows = append(rows, sloRunRow{Run: run, Path: runPath(run), Impact: chaos.Measure(run, r, r.Timeline.Whole())})
		}
	}
	return rows
}
