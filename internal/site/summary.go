package site

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/relia-dev/relia/internal/chaos"
	"github.com/relia-dev/relia/internal/policy"
	"github.com/relia-dev/relia/internal/publish"
	"github.com/relia-dev/relia/internal/render"
	"github.com/relia-dev/relia/internal/slo"
)

// summaryWeeks is how many weeks the summary's trend charts show.
const summaryWeeks = 13

// summaryPage is the one-page executive summary.
type summaryPage struct {
	QuarterStart time.Time
	Services     []summaryService
	Incidents    []summaryIncident // most budget first
	Chaos        summaryChaos
	Actions      summaryActions
	Healthy      int // SLOs
	Total        int
}

type summaryService struct {
	Name  string
	Light string // green, amber, red or grey: the worst of its SLOs
	Why   string
	SLOs  []summarySLO
	// On a large site only SLOs that are not healthy are listed, up to
	// summaryListed in all; Hidden counts the others of the service.
	Hidden int
	Rows   int // table rows: the SLOs listed, and one for Hidden
}

// summaryListed caps the SLOs a large site's summary lists one by one, so
// that it stays a page a director reads (and under 300 KB).
const summaryListed = 100

type summarySLO struct {
	ID, Path     string
	Objective    float64
	Status       string
	QuarterSLI   float64
	MeetsQuarter bool
	Remaining    float64
	ChartID      string
	NeedsRetro   bool
}

type summaryIncident struct {
	Title, Path string
	Date        time.Time
	SLO         string
	Budget      float64 // share of the window's budget the incident spent
}

type summaryChaos struct {
	Runs, HypothesisHeld, HypothesisBroken, Gaps int
	Configured                                   bool
}

type summaryActions struct {
	Open, Overdue, DoneThisQuarter int
}

var lightOf = map[string]string{
	slo.StatusHealthy:   "green",
	slo.StatusAtRisk:    "amber",
	slo.StatusExhausted: "red",
	slo.StatusNoData:    "grey",
}

var lightRank = map[string]int{"green": 0, "grey": 1, "amber": 2, "red": 3}

// summary assembles the executive summary from the computed SLOs.
func (b *build) summary(results []sloResult) (summaryPage, []render.Chart) {
	page := summaryPage{Total: len(results)}
	var charts []render.Chart
	byService := map[string]*summaryService{}
	var order []string
	compact, listed := len(results) > groupedAbove, 0
	for i, res := range results {
		r := res.report
		page.QuarterStart = r.Quarter.Start
		s := byService[res.cfg.Service]
		if s == nil {
			s = &summaryService{Name: res.cfg.Service, Light: "green"}
			byService[res.cfg.Service] = s
			order = append(order, res.cfg.Service)
		}
		row := summarySLO{ID: res.cfg.ID(), Path: sloPath(res.cfg), Objective: res.cfg.Objective, Status: r.Status,
			QuarterSLI: r.Quarter.SLI, MeetsQuarter: !(r.Quarter.SLI*100 < res.cfg.Objective), Remaining: r.Budget.Remaining,
			ChartID: fmt.Sprintf("spark-%d", i+1), NeedsRetro: res.policy.NeedsRetro > 0}
		if r.Status == slo.StatusHealthy {
			page.Healthy++
		}
		if l := lightOf[r.Status]; lightRank[l] > lightRank[s.Light] {
			s.Light = l
			s.Why = fmt.Sprintf("%s is %s", res.cfg.ID(), r.Status)
		}
		if compact && (r.Status == slo.StatusHealthy || listed == summaryListed) {
			s.Hidden++
			continue
		}
		listed++
		s.SLOs = append(s.SLOs, row)
		weeks := r.Weeks[max(len(r.Weeks)-summaryWeeks, 0):]
		charts = append(charts, render.WeeklySparkline(row.ChartID, weeks, res.cfg.Objective))
	}
	for _, name := range order {
		s := byService[name]
		s.Rows = len(s.SLOs)
		if s.Hidden > 0 {
			s.Rows++
		}
		page.Services = append(page.Services, *s)
	}
	// Worst first: the director reads the top of the page.
	slices.SortStableFunc(page.Services, func(x, y summaryService) int { return lightRank[y.Light] - lightRank[x.Light] })

	page.Incidents = b.costliestIncidents(results)
	page.Chaos = b.chaosSummary(page.QuarterStart)

	// An action done without a closed date counts from its retrospective's
	// date: it cannot have been done before it was written down.
	for _, p := range b.content.Retros {
		for _, a := range p.Meta.Actions {
			closed := a.Closed
			if closed.IsZero() {
				closed = p.Meta.Date
			}
			switch {
			case a.Status == "open" || a.Status == "":
				page.Actions.Open++
				if !a.Due.IsZero() && a.Due.Before(b.now) {
					page.Actions.Overdue++
				}
			case a.Status == "done" && !closed.Before(page.QuarterStart):
				page.Actions.DoneThisQuarter++
			}
		}
	}
	return page, charts
}

// costliestIncidents ranks the retrospectives of the quarter by the budget
// their incident spent, from the SLOs' burn episodes that the incident
// covers (the largest share per retrospective).
func (b *build) costliestIncidents(results []sloResult) []summaryIncident {
	var out []summaryIncident
	for _, p := range b.content.Retros {
		best := summaryIncident{Title: p.Meta.Title, Path: retroPath(p), Date: p.Meta.Date, Budget: math.NaN()}
		from, to := policy.IncidentSpan(p)
		for _, res := range results {
			if !slices.Contains(p.Meta.SLOs, res.cfg.ID()) {
				continue
			}
			for _, e := range res.policy.Episodes {
				if e.Start.Before(to) && e.End.After(from) && !(e.BudgetShare <= best.Budget) {
					best.Budget, best.SLO = e.BudgetShare, res.cfg.ID()
				}
			}
		}
		if !math.IsNaN(best.Budget) {
			out = append(out, best)
		}
	}
	slices.SortStableFunc(out, func(x, y summaryIncident) int {
		switch {
		case x.Budget > y.Budget:
			return -1
		case x.Budget < y.Budget:
			return 1
		}
		return 0
	})
	return out[:min(len(out), 5)]
}

func (b *build) writeSummary(pub *publish.Publisher, results []sloResult) error {
	page, charts := b.summary(results)
	data := pageData{Site: b.siteInfo(), Root: "../", Title: "Executive summary", Section: "summary", Page: page, Charts: charts}
	return b.writePrintable(pub, "summary/", "summary.html", data, "summary.pdf")
}

// chaosSummary counts the chaos programme's runs of the quarter to date.
func (b *build) chaosSummary(quarter time.Time) summaryChaos {
	cs := summaryChaos{Configured: len(b.cfg.Chaos) > 0}
	for _, r := range b.chaos.runs {
		if r.Start.Before(quarter) || r.Start.After(b.now) {
			continue
		}
		cs.Runs++
		switch r.Hypothesis() {
		case chaos.HypothesisMet:
			cs.HypothesisHeld++
		case chaos.HypothesisNotMet:
			cs.HypothesisBroken++
		}
		if b.chaos.gap[r.ID] {
			cs.Gaps++
		}
	}
	return cs
}
