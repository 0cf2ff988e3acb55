package site

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/yuin/goldmark/util"
	"golang.org/x/sync/errgroup"

	"github.com/relia-dev/relia/internal/api"
	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/content"
	"github.com/relia-dev/relia/internal/policy"
	"github.com/relia-dev/relia/internal/publish"
	"github.com/relia-dev/relia/internal/render"
	"github.com/relia-dev/relia/internal/slo"
)

// pageData is what every template receives.
type pageData struct {
	Site    siteInfo
	Root    string // relative path from the page to the site root: "", "../", …
	Title   string
	Section string // "home", "slos", "retros": highlights the navigation
	Charts  []render.Chart
	Page    any
	PDF     string // the page's PDF, relative to it, when --pdf prints it
}

type siteInfo struct {
	Title    string
	Now      string // report time in the site time zone
	Timezone string
	Chaos    bool // the site has chaos pages: the navigation links them
}

func (b *build) siteInfo() siteInfo {
	return siteInfo{Title: b.cfg.Title, Now: b.now.In(b.cfg.Location).Format("2006-01-02 15:04 MST"), Timezone: b.cfg.Timezone, Chaos: b.hasChaos()}
}

func sloPath(s config.SLO) string { return "slos/" + s.Service + "/" + s.Name + "/" }

func retroPath(p *content.Page) string { return "retros/" + p.Slug + "/" }

// rootOf is the relative path back to the site root from a page folder.
func rootOf(dir string) string {
	var b bytes.Buffer
	for _, c := range dir {
		if c == '/' {
			b.WriteString("../")
		}
	}
	return b.String()
}

type sloPage struct {
	config.SLO
	ID                string
	Path              string
	Window            string
	History           string
	ObjectiveFraction float64
	Units, UnitsTitle string
	Report            *slo.Report
	Policy            policy.Policy
	IncidentShare     float64
	Alerts            []slo.Alert // newest first
	Weeks             []slo.Week  // newest first
	Retros            []retroLink
	Chaos             []sloRunRow // chaos runs that touched the SLO, newest first
}

type retroLink struct {
	Title    string
	Path     string
	Date     time.Time
	Severity string
	Services []string
}

func (b *build) retrosFor(id string) []*content.Page {
	var out []*content.Page
	for _, p := range b.content.Retros {
		if slices.Contains(p.Meta.SLOs, id) {
			out = append(out, p)
		}
	}
	return out
}

// marksFor are the shaded spans on an SLO's charts: its incidents and its
// budget adjustments.
func (b *build) marksFor(id string, p policy.Policy) []render.Mark {
	marks := b.incidentMarks(id)
	for _, a := range p.Adjustments {
		marks = append(marks, render.Mark{Name: a.Name, Start: a.Start, End: a.End, Kind: render.MarkAdjustment})
	}
	return marks
}

// incidentMarks shades each retrospective's incident on the SLO's charts,
// once: two retrospectives of the same incident (same title and span)
// would only darken it. They are gathered once for every SLO: each chart
// block and chaos run chart asks, and asking the retrospectives each time
// made a site of many retrospectives quadratic.
func (b *build) incidentMarks(id string) []render.Mark {
	b.incidentsOnce.Do(func() {
		b.incidents = map[string][]render.Mark{}
		seen := map[string]map[render.Mark]bool{}
		for _, p := range b.content.Retros {
			start, end := policy.IncidentSpan(p)
			m := render.Mark{Name: p.Meta.Title, Start: start, End: end, Kind: render.MarkIncident}
			for _, id := range p.Meta.SLOs {
				if seen[id] == nil {
					seen[id] = map[render.Mark]bool{}
				}
				if !seen[id][m] {
					seen[id][m] = true
					b.incidents[id] = append(b.incidents[id], m)
				}
			}
		}
	})
	return slices.Clip(b.incidents[id]) // callers append their own marks
}

func link(p *content.Page) retroLink {
	return retroLink{Title: p.Meta.Title, Path: retroPath(p), Date: p.Meta.Date, Severity: p.Meta.Severity, Services: p.Meta.Services}
}

func (b *build) writeSLOPage(pub *publish.Publisher, s config.SLO, r *slo.Report, pol policy.Policy) error {
	path := sloPath(s)
	retros := b.retrosFor(s.ID())
	marks := append(b.marksFor(s.ID(), pol), b.chaosMarks(s)...)
	page := sloPage{
		SLO: s, ID: s.ID(), Path: path, Window: s.Window.String(),
		History:           render.Duration(b.cfg.History),
		ObjectiveFraction: s.Objective / 100,
		Units:             "events", UnitsTitle: "Events",
		Report: r,
		Policy: pol, IncidentShare: b.cfg.Policy.IncidentBudgetShare,
		Alerts: slices.Clone(r.Alerts),
		Weeks:  slices.Clone(r.Weeks[max(len(r.Weeks)-WeeksShown, 0):]),
	}
	if s.Budgeting != slo.Occurrences {
		page.Units, page.UnitsTitle = "slices", "Slices"
	}
	slices.Reverse(page.Alerts)
	slices.Reverse(page.Weeks)
	for _, p := range retros {
		page.Retros = append(page.Retros, link(p))
	}
	page.Chaos = b.chaosRowsFor(s, r)
	data := pageData{
		Site: b.siteInfo(), Root: rootOf(path), Title: s.ID(), Section: "slos", Page: page,
		Charts: []render.Chart{
			render.SLIChart("chart-sli", r, marks),
			render.BudgetChart("chart-budget", r, marks),
			render.BurnChart("chart-burn", r, marks),
		},
	}
	return b.renderPage(pub, path+"index.html", "slo.html", data)
}

type indexRow struct {
	sloResult
	ID, Name, Path, Description, Window string
	Objective                           float64
	Report                              *slo.Report
	Policy                              policy.Policy
	Burn1h, Burn6h, Burn3d              float64
	ThisWeek, WeekDelta                 float64
}

type statusCount struct {
	Status string
	N      int
}

// actionItem is an action item of a retrospective as the lists show it.
// It carries the content.Action's fields itself, not embedded: templates
// look every field up by name, and a promoted field costs reflect's slow
// search each time, over lists of thousands of items on a large site.
type actionItem struct {
	Title, Owner, Status, Link string
	Due, Closed                time.Time
	Overdue                    bool
	RetroTitle                 string
	RetroPath                  string
}

func newActionItem(a content.Action, p *content.Page) actionItem {
	return actionItem{Title: a.Title, Owner: a.Owner, Status: a.Status, Link: a.Link, Due: a.Due, Closed: a.Closed,
		RetroTitle: p.Meta.Title, RetroPath: retroPath(p)}
}

// groupedAbove is the number of SLOs past which the home page groups them
// by service, with a filter and sort, in compact rows: a thousand rows of
// the full table weigh half a megabyte.
const groupedAbove = 50

// serviceGroup is one service's SLOs on a grouped home page.
type serviceGroup struct {
	Service string
	Worst   string // the worst status of its SLOs
	SLOs    []indexRow
}

type indexPage struct {
	Grouped       []serviceGroup // set on large sites instead of SLOs
	Total         int
	Intro         template.HTML
	NeedsRetro    []indexRow // SLOs with a burn episode that needs a retrospective
	IncidentShare float64
	Counts        []statusCount
	SLOs          []indexRow
	Retros        []retroLink
	Actions       []actionItem
	Chaos         chaosHome
}

// writeSitePages writes every page but the SLOs' own (written as each SLO
// is computed) and the files machines read, and returns how many pages it
// wrote.
func (b *build) writeSitePages(pub *publish.Publisher, results []sloResult) (int, error) {
	pages := 0
	home, err := b.indexPage(results)
	if err != nil {
		return 0, err
	}
	writers := []func() (int, error){
		func() (int, error) { return b.writeRetros(pub) },
		func() (int, error) { return b.writePage(pub, "index.html", "index.html", home) },
		func() (int, error) { return b.writeChaosPages(pub) },
		func() (int, error) {
			n, reviewDocs, err := b.writeReviews(pub, results)
			if err != nil {
				return n, err
			}
			m, err := b.writeExtras(pub, results, reviewDocs)
			return n + m, err
		},
		func() (int, error) { return 1, b.writeSummary(pub, results) },
		func() (int, error) { return b.writeCalendar(pub, results) },
		// 404: served at any depth, so its links are absolute under base_url.
		func() (int, error) {
			return b.writePage(pub, "404.html", "404.html", pageData{Site: b.siteInfo(), Root: b.cfg.BaseURL, Title: "Not found"})
		},
	}
	// The writers run side by side, on every core: the pages of a
	// thousand retrospectives took one while the lists of all their
	// actions and incidents waited. Each keeps its count and error, and the
	// build stops at the first error in this order, whichever failed first.
	counts := make([]int, len(writers))
	errs := make([]error, len(writers))
	g := new(errgroup.Group)
	g.SetLimit(runtime.NumCPU())
	for i, write := range writers {
		g.Go(func() error {
			counts[i], errs[i] = write()
			return nil
		})
	}
	_ = g.Wait() // the errors are in errs
	for i := range writers {
		if errs[i] != nil {
			return 0, errs[i]
		}
		pages += counts[i]
	}
	// Last: the sitemap lists every page written.
	return pages, b.writeMachineFiles(pub, results)
}

// writePage renders one page with the theme's template tmpl and counts it.
func (b *build) writePage(pub *publish.Publisher, path, tmpl string, data pageData) (int, error) {
	return 1, b.renderPage(pub, path, tmpl, data)
}

// indexPage gathers the home page: the intro, every SLO's row (grouped by
// service on large sites), the latest retrospectives, open action items
// with the overdue first, and the chaos summary.
func (b *build) indexPage(results []sloResult) (pageData, error) {
	idx := indexPage{IncidentShare: b.cfg.Policy.IncidentBudgetShare}
	var homeCharts []render.Chart
	if b.content.Home != nil {
		var err error
		if homeCharts, err = b.blockCharts(b.content.Home); err != nil {
			return pageData{}, err
		}
		body, err := b.markdown(b.content.Home)
		if err != nil {
			return pageData{}, err
		}
		idx.Intro = body
	}
	counts := map[string]int{}
	for _, res := range results {
		r := res.report
		row := indexRow{
			sloResult: res, ID: res.cfg.ID(), Name: res.cfg.Name, Path: sloPath(res.cfg), Description: res.cfg.Description,
			Window: res.cfg.Window.String(), Objective: res.cfg.Objective, Report: r, Policy: res.policy,
			Burn1h: r.BurnRate("1h"), Burn6h: r.BurnRate("6h"), Burn3d: r.BurnRate("3d"),
			ThisWeek: math.NaN(), WeekDelta: math.NaN(),
		}
		if n := len(r.Weeks); n >= 1 {
			row.ThisWeek = r.Weeks[n-1].SLI
			if n >= 2 {
				row.WeekDelta = nanDiff(r.Weeks[n-1].SLI, r.Weeks[n-2].SLI)
			}
		}
		counts[r.Status]++
		idx.SLOs = append(idx.SLOs, row)
		if res.policy.NeedsRetro > 0 {
			idx.NeedsRetro = append(idx.NeedsRetro, row)
		}
	}
	for _, st := range []string{slo.StatusExhausted, slo.StatusAtRisk, slo.StatusNoData, slo.StatusHealthy} {
		if counts[st] > 0 {
			idx.Counts = append(idx.Counts, statusCount{Status: st, N: counts[st]})
		}
	}
	idx.Total = len(idx.SLOs)
	if len(idx.SLOs) > groupedAbove {
		idx.Grouped = groupByService(idx.SLOs)
		idx.SLOs = nil
	}
	for i, p := range b.content.Retros {
		if i < 10 {
			idx.Retros = append(idx.Retros, link(p))
		}
		for _, a := range p.Meta.Actions {
			if a.Status == "open" || a.Status == "" {
				item := newActionItem(a, p)
				item.Overdue = !a.Due.IsZero() && a.Due.Before(b.now)
				idx.Actions = append(idx.Actions, item)
			}
		}
	}
	slices.SortStableFunc(idx.Actions, func(x, y actionItem) int {
		if x.Overdue != y.Overdue {
			if x.Overdue {
				return -1
			}
			return 1
		}
		return x.Due.Compare(y.Due)
	})
	idx.Chaos = b.chaosHome()
	return pageData{Site: b.siteInfo(), Section: "home", Page: idx, Charts: homeCharts}, nil
}

// writeRetros writes every retrospective, on every core (a site with a
// thousand of them spends its time rendering their Markdown and charts),
// and then their list.
func (b *build) writeRetros(pub *publish.Publisher) (int, error) {
	list := struct{ Retros []retroLink }{}
	g := new(errgroup.Group)
	g.SetLimit(runtime.NumCPU())
	for _, p := range b.content.Retros {
		list.Retros = append(list.Retros, link(p))
		g.Go(func() error { return b.writeRetro(pub, p) })
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	n, err := b.writePage(pub, "retros/index.html", "retros.html", pageData{Site: b.siteInfo(), Root: "../", Title: "Retrospectives", Section: "retros", Page: list})
	return len(b.content.Retros) + n, err
}

// writeMachineFiles writes what tools read: the API document, the assets
// and the sitemap of every page written before it.
func (b *build) writeMachineFiles(pub *publish.Publisher, results []sloResult) error {
	api, err := api.Encode(b.apiDoc(results))
	if err != nil {
		return fmt.Errorf("encode api: %w", err)
	}
	if err := pub.WriteFile("api/v1/slos.json", api); err != nil {
		return err
	}
	if err := writeAssets(pub); err != nil {
		return err
	}
	sitemap, err := b.sitemap(pub.Pages())
	if err != nil {
		return err
	}
	return pub.WriteFile("sitemap.xml", sitemap)
}

func (b *build) markdown(p *content.Page) (template.HTML, error) {
	// A page's HTML is rarely longer than its Markdown and a half: one
	// allocation, and none to turn it into a string.
	var buf htmlBuilder
	buf.Grow(len(p.Source) * 3 / 2)
	if err := b.md.Renderer().Render(&buf, p.Source, p.Doc); err != nil {
		return "", fmt.Errorf("render %s: %w", p.File, err)
	}
	// goldmark's renderer escapes text and, unless the site opted in with
	// unsafe_html, raw HTML too: its output is trusted as HTML.
	return template.HTML(buf.String()), nil
}

// htmlBuilder is a strings.Builder that goldmark's renderer writes to
// directly (a util.BufWriter): for any other writer it puts a bufio.Writer
// of its own in between, 4 KB and a copy more for every page.
type htmlBuilder struct{ strings.Builder }

// Available implements util.BufWriter: the room left before it grows.
func (b *htmlBuilder) Available() int { return b.Cap() - b.Len() }

// Buffered implements util.BufWriter: nothing waits to be written.
func (b *htmlBuilder) Buffered() int { return 0 }

// Flush implements util.BufWriter.
func (b *htmlBuilder) Flush() error { return nil }

var _ util.BufWriter = (*htmlBuilder)(nil)

// blockCharts draws the chart blocks of a Markdown page, and gives each
// block the key of the spans its chart shades: call it before rendering
// the page's Markdown, which prints the keys.
func (b *build) blockCharts(p *content.Page) ([]render.Chart, error) {
	var charts []render.Chart
	for _, cb := range b.blocks[p] {
		k := b.kept[cb.SLO]
		ev := k.events[cb] // "events" blocks only
		marks := append(b.incidentMarks(cb.SLO), b.chaosMarksOf(cb.SLO)...)
		c := render.BlockChart(cb, k.within(cb.From, cb.To), ev.good, ev.total, marks)
		key, err := b.theme.ChartKey(c.Marks)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", p.File, cb.Line, err)
		}
		cb.Key = key
		charts = append(charts, c)
	}
	return charts, nil
}

type timelineRow struct {
	Name  string
	At    time.Time
	Since string
}

type retroPage struct {
	Meta     content.Meta
	SLOs     []struct{ ID, Path string }
	Timeline []timelineRow
	Figures  retroFigures
	Body     template.HTML
}

func (b *build) writeRetro(pub *publish.Publisher, p *content.Page) error {
	charts, err := b.blockCharts(p)
	if err != nil {
		return err
	}
	// Rendered by renderRetros, trusted as markdown's output is.
	body := template.HTML(render.InsertKeys(b.retros[p].html, b.blocks[p]))
	page := retroPage{Meta: p.Meta, Body: body, Figures: b.retroFiguresOf(p)}
	for _, id := range p.Meta.SLOs {
		if s, ok := b.sloByID(id); ok {
			page.SLOs = append(page.SLOs, struct{ ID, Path string }{id, sloPath(s)})
		}
	}
	tl := p.Meta.Timeline
	for _, ev := range []struct {
		name string
		at   time.Time
	}{{"Started", tl.Started}, {"Detected", tl.Detected}, {"Acknowledged", tl.Acknowledged}, {"Mitigated", tl.Mitigated}, {"Resolved", tl.Resolved}} {
		if ev.at.IsZero() {
			continue
		}
		since := ""
		if !tl.Started.IsZero() {
			since = render.Duration(ev.at.Sub(tl.Started))
		}
		page.Timeline = append(page.Timeline, timelineRow{Name: ev.name, At: ev.at, Since: since})
	}
	path := retroPath(p)
	return b.renderPage(pub, path+"index.html", "retro.html", pageData{Site: b.siteInfo(), Root: rootOf(path), Title: p.Meta.Title, Section: "retros", Page: page, Charts: charts})
}

// statusRank orders statuses worst first.
var statusRank = map[string]int{slo.StatusExhausted: 0, slo.StatusAtRisk: 1, slo.StatusNoData: 2, slo.StatusHealthy: 3}

// groupByService groups rows by service, services by name, keeping each
// service's SLOs in configuration order.
func groupByService(rows []indexRow) []serviceGroup {
	at := map[string]int{}
	var groups []serviceGroup
	for _, r := range rows {
		i, ok := at[r.cfg.Service]
		if !ok {
			i = len(groups)
			at[r.cfg.Service] = i
			groups = append(groups, serviceGroup{Service: r.cfg.Service, Worst: slo.StatusHealthy})
		}
		g := &groups[i]
		g.SLOs = append(g.SLOs, r)
		if statusRank[r.Report.Status] < statusRank[g.Worst] {
			g.Worst = r.Report.Status
		}
	}
	slices.SortStableFunc(groups, func(a, b serviceGroup) int { return strings.Compare(a.Service, b.Service) })
	return groups
}

// apiDoc is api/v1/slos.json, which relia status --format json prints as
// well: the SLOs in the order of the configuration, then the chaos runs
// (measured by measureChaos).
func (b *build) apiDoc(results []sloResult) api.Doc {
	doc := api.Doc{GeneratedAt: api.RFC3339(b.now), SLOs: []api.SLO{}, ChaosRuns: b.apiChaosRuns()}
	for _, res := range results {
		doc.SLOs = append(doc.SLOs, api.FromReport(res.report, res.cfg.Service, res.cfg.Name, res.policy))
	}
	return doc
}
