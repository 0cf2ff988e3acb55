package site

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/relia-dev/relia/internal/calendar"
	"github.com/relia-dev/relia/internal/policy"
	"github.com/relia-dev/relia/internal/publish"
	"github.com/relia-dev/relia/internal/render"
	"github.com/relia-dev/relia/internal/slo"
)

// months is the number of calendar months (in the site's zone) that hold a
// step of the history: each SLO computes them, and each gets a month page.
func (b *build) months() int {
	return calendar.MonthsCovered(b.now, b.cfg.History, b.cfg.Step, b.cfg.Location)
}

func monthPath(name string) string { return "months/" + name + "/" }

// calendarPage is every SLO × the last ISO weeks and calendar months: on
// a large site (over groupedAbove SLOs) /calendar/ holds one row per
// service instead, each linking to that service's own calendar page.
type calendarPage struct {
	Service       string         // a large site's page for one service
	Weeks, Months []calendarCell // the column headers: periods are the same for every SLO
	// WeeksNow and MonthsNow: the last column holds the report time, so
	// its cells are counted up to it (the CSS marks the column).
	WeeksNow, MonthsNow bool
	Rows                []calendarRow // SLO rows
	Services            []calendarRow // service rows, instead, on a large site's /calendar/
	HistoryStart        time.Time
	History             string
	AtRiskBelow         float64
}

// calendarRow is an SLO, or on a large site's /calendar/ a service, across
// the columns.
type calendarRow struct {
	ID, Path      string // Path is root-relative: the SLO's or the service calendar's page
	Objective     float64
	SLOs          int // a service row: how many SLOs it sums up
	Weeks, Months []calendarCell
}

// calendarCell is a cell, or a column header with the root-relative link
// to the week's review or the month's page (none before the history).
// Cells carry no link: every cell of a column would link to the same page,
// which the header links once.
type calendarCell struct {
	calendar.Cell
	Href    string
	Kind    string // "week" or "month"
	Compact bool   // many rows: no tooltip, to keep the page light
	Worst   string // a service cell: its worst SLO's name
}

func calendarCells(cells []calendar.Cell, dir func(string) string, kind string, compact bool) []calendarCell {
	out := make([]calendarCell, len(cells))
	for i, c := range cells {
		out[i] = calendarCell{Cell: c, Kind: kind, Compact: compact}
		if c.State != calendar.Outside {
			out[i].Href = dir(c.Name) + "index.html"
		}
	}
	return out
}

func calendarServicePath(service string) string { return "calendar/" + service + "/" }

// cellRank orders cell states worst first, as statusRank orders statuses.
var cellRank = map[string]int{calendar.Missed: 0, calendar.Close: 1, calendar.NoData: 2, calendar.Met: 3, calendar.Outside: 4}

// worse reports whether a is a worse cell than b: a worse state, or the
// same state with more of the period's budget spent (objectives differ
// between a service's SLOs, compliance does not compare).
func worse(a, b calendar.Cell) bool {
	if ra, rb := cellRank[a.State], cellRank[b.State]; ra != rb {
		return ra < rb
	}
	return a.Period.Burned > b.Period.Burned || (a.Period.Burned == a.Period.Burned && b.Period.Burned != b.Period.Burned)
}

// serviceCells is, per column, the worst cell of a service's SLO rows,
// naming its SLO; the first SLO's on ties.
func serviceCells(rows []calendarRow, names []string, col func(calendarRow) []calendarCell) []calendarCell {
	out := slices.Clone(col(rows[0]))
	for j := range out {
		out[j].Href, out[j].Compact, out[j].Worst = "", true, names[0]
		for i, r := range rows[1:] {
			if c := col(r)[j]; worse(c.Cell, out[j].Cell) {
				out[j].Cell, out[j].Worst = c.Cell, names[i+1]
			}
		}
		if out[j].State == calendar.Outside {
			out[j].Worst = ""
		}
	}
	return out
}

// calendarTable is one of the page's two tables: weeks or months.
type calendarTable struct {
	Heading string
	Cols    []calendarCell
	Now     bool // the last column holds the report time
	Rows    []calendarLine
}

type calendarLine struct {
	ID, Path  string
	Objective float64
	SLOs      int
	Cells     []calendarCell
}

// Tables lays the rows out as the template shows them: the weeks' table,
// then the months'.
func (c calendarPage) Tables() []calendarTable {
	rows := c.Rows
	if c.Services != nil {
		rows = c.Services
	}
	weeks := calendarTable{Heading: fmt.Sprintf("Last %d weeks", len(c.Weeks)), Cols: c.Weeks, Now: c.WeeksNow}
	months := calendarTable{Heading: fmt.Sprintf("Last %d months", len(c.Months)), Cols: c.Months, Now: c.MonthsNow}
	for _, r := range rows {
		weeks.Rows = append(weeks.Rows, calendarLine{ID: r.ID, Path: r.Path, Objective: r.Objective, SLOs: r.SLOs, Cells: r.Weeks})
		months.Rows = append(months.Rows, calendarLine{ID: r.ID, Path: r.Path, Objective: r.Objective, SLOs: r.SLOs, Cells: r.Months})
	}
	return []calendarTable{weeks, months}
}

func (c *calendarPage) setColumns(rows []calendarRow) {
	if len(rows) == 0 {
		return
	}
	c.Weeks, c.Months = rows[0].Weeks, rows[0].Months
	c.WeeksNow = c.Weeks[len(c.Weeks)-1].Current
	c.MonthsNow = c.Months[len(c.Months)-1].Current
}

// monthPage is the monthly error-budget report: per SLO the month's
// compliance and the share of the month's own budget it spent, with the
// alerts, burn episodes, incidents and chaos runs of the month.
type monthPage struct {
	Name, Title string // "2026-11", "November 2026"
	Path        string
	Start, End  time.Time
	Current     bool // the month holds the report time: counted up to it
	// ReplayFrom is set when the month began before the history: alerts
	// and burn episodes are replayed from there only.
	ReplayFrom time.Time
	Prev, Next string
	SLOs       []monthSLO
	Met        int // SLOs met (or close), missed, without data
	Missed     int
	NoData     int
	Pages      int // page alerts that started in the month
	Tickets    int
	// Episodes are the month's costliest burn episodes (the share of the
	// window's budget they spent), and every one that needs a
	// retrospective; Minor counts the others, EpisodeCount all.
	Episodes     []monthEpisode
	Minor        int
	EpisodeCount int
	Incidents    []retroLink
	Chaos        []runRow // chaos runs that started in the month
	Gaps         int
	Compact      bool
}

type monthSLO struct {
	ID, Path  string
	Objective float64
	Units     string
	Cell      calendar.Cell
	Alerts    int // that started in the month
	Episodes  int
	NoRules   bool
}

type monthEpisode struct {
	SLO, Path, Units string
	policy.Episode
}

// writeCalendar writes the calendar and one page per month of the history.
func (b *build) writeCalendar(pub *publish.Publisher, results []sloResult) (int, error) {
	pol := calendar.Policy{AtRiskBelow: b.cfg.Policy.AtRiskBelow}
	histStart := b.now.Add(-b.cfg.History)
	cal := calendarPage{HistoryStart: histStart, History: render.Duration(b.cfg.History), AtRiskBelow: pol.AtRiskBelow}
	slos := make([]calendarRow, len(results))
	for i, res := range results {
		row := calendar.NewRow(res.cfg.ID(), res.cfg.Objective, res.report.Weeks, res.report.Months, pol, b.now, b.cfg.Location)
		slos[i] = calendarRow{ID: row.ID, Path: sloPath(res.cfg), Objective: row.Objective,
			Weeks: calendarCells(row.Weeks, reviewPath, "week", false), Months: calendarCells(row.Months, monthPath, "month", false)}
	}
	cal.setColumns(slos)
	write := func(path, title string, page calendarPage) error {
		_, err := b.writePage(pub, path+"index.html", "calendar.html", pageData{Site: b.siteInfo(), Root: rootOf(path), Title: title, Section: "calendar", Page: page})
		return err
	}
	if len(results) <= groupedAbove {
		cal.Rows = slos
		if err := write("calendar/", "Calendar", cal); err != nil {
			return 0, err
		}
		return b.writeMonths(pub, results, pol, histStart, 1)
	}

	// A large site: a page per service with its SLO rows, and /calendar/
	// with a row per service, each cell the worst of its SLOs'.
	bySvc := map[string][]int{}
	for i, res := range results {
		bySvc[res.cfg.Service] = append(bySvc[res.cfg.Service], i)
	}
	services := slices.Sorted(maps.Keys(bySvc))
	pages := 0
	var serviceRows []calendarRow
	for _, svc := range services {
		var rows []calendarRow
		var names []string
		for _, i := range bySvc[svc] {
			rows = append(rows, slos[i])
			names = append(names, results[i].cfg.Name)
		}
		page := cal
		page.Service, page.Rows = svc, rows
		if len(rows) > groupedAbove {
			for _, r := range rows {
				for _, cells := range [][]calendarCell{r.Weeks, r.Months} {
					for j := range cells {
						cells[j].Compact = true
					}
				}
			}
		}
		if err := write(calendarServicePath(svc), "Calendar: "+svc, page); err != nil {
			return 0, err
		}
		pages++
		serviceRows = append(serviceRows, calendarRow{ID: svc, Path: calendarServicePath(svc), SLOs: len(rows),
			Weeks:  serviceCells(rows, names, func(r calendarRow) []calendarCell { return r.Weeks }),
			Months: serviceCells(rows, names, func(r calendarRow) []calendarCell { return r.Months })})
	}
	cal.Services = serviceRows
	if err := write("calendar/", "Calendar", cal); err != nil {
		return 0, err
	}
	return b.writeMonths(pub, results, pol, histStart, pages+1)
}

// writeMonths writes a page per month of the history and returns pages
// plus their number.
func (b *build) writeMonths(pub *publish.Publisher, results []sloResult, pol calendar.Policy, histStart time.Time, pages int) (int, error) {
	months := b.monthPages(results, pol, histStart)
	for _, m := range months {
		data := pageData{Site: b.siteInfo(), Root: rootOf(m.Path), Title: m.Title, Section: "calendar", Page: m}
		if err := b.writePrintable(pub, m.Path, "month.html", data, "month.pdf"); err != nil {
			return 0, err
		}
		pages++
	}
	return pages, nil
}

// monthPages assembles the month pages, oldest first, from each SLO's
// Months (all SLOs have the same ones).
func (b *build) monthPages(results []sloResult, pol calendar.Policy, histStart time.Time) []*monthPage {
	if len(results) == 0 {
		return nil
	}
	n := len(results[0].report.Months)
	out := make([]*monthPage, n)
	for j := range n {
		m0 := results[0].report.Months[j]
		mp := &monthPage{Name: calendar.MonthName(m0.Year, m0.Month), Title: calendar.MonthTitle(m0.Year, m0.Month),
			Start: m0.Start, End: m0.End, Current: m0.End.After(b.now), Compact: len(results) > groupedAbove}
		mp.Path = monthPath(mp.Name)
		if m0.Start.Before(histStart) {
			mp.ReplayFrom = histStart
		}
		var episodes []monthEpisode
		for _, res := range results {
			m := res.report.Months[j]
			units := "events"
			if res.cfg.Budgeting != slo.Occurrences {
				units = "slices"
			}
			row := monthSLO{ID: res.cfg.ID(), Path: sloPath(res.cfg), Objective: res.cfg.Objective, Units: units,
				Cell:    calendar.MonthCell(m, res.cfg.Objective, pol, b.now),
				NoRules: len(res.report.Rules) == 0}
			switch row.Cell.State {
			case calendar.Met, calendar.Close:
				mp.Met++
			case calendar.Missed:
				mp.Missed++
			default:
				mp.NoData++
			}
			alerts, pages, tickets := alertsIn(res.report.Alerts, m.Start, m.End)
			row.Alerts += len(alerts)
			mp.Pages += pages
			mp.Tickets += tickets
			for _, e := range res.policy.Episodes {
				if e.Start.Before(m.End) && e.End.After(m.Start) {
					row.Episodes++
					episodes = append(episodes, monthEpisode{SLO: row.ID, Path: row.Path, Units: units, Episode: e})
				}
			}
			mp.SLOs = append(mp.SLOs, row)
		}
		mp.EpisodeCount = len(episodes)
		mp.Episodes = costliest(episodes)
		mp.Minor = len(episodes) - len(mp.Episodes)
		for _, p := range b.content.Retros {
			if started, _ := policy.IncidentSpan(p); inWeek(started, mp.Start, mp.End) {
				mp.Incidents = append(mp.Incidents, link(p))
			}
		}
		for _, r := range b.chaos.runs {
			if inWeek(r.Start, mp.Start, mp.End) {
				row := b.runRow(r)
				mp.Chaos = append(mp.Chaos, row)
				if row.Gap {
					mp.Gaps++
				}
			}
		}
		out[j] = mp
	}
	for j, mp := range out {
		if j > 0 {
			mp.Prev = out[j-1].Name
		}
		if j+1 < n {
			mp.Next = out[j+1].Name
		}
	}
	return out
}

// monthEpisodes is how many burn episodes a month page lists, besides
// those that need a retrospective: a slow, low-traffic SLO has dozens a
// month, and the page must print on two sheets.
const monthEpisodes = 5

// costliest keeps the monthEpisodes episodes that spent the largest share
// of their window's budget, and every one that needs a retrospective, in
// the order given (SLOs in configuration order, each oldest first).
func costliest(eps []monthEpisode) []monthEpisode {
	if len(eps) <= monthEpisodes {
		return eps
	}
	order := make([]int, len(eps))
	for i := range order {
		order[i] = i
	}
	// Largest share first; NaN (no traffic) last; ties keep their order.
	slices.SortStableFunc(order, func(x, y int) int {
		a, b := eps[x].BudgetShare, eps[y].BudgetShare
		switch {
		case a > b || (b != b && a == a):
			return -1
		case a < b || (a != a && b == b):
			return 1
		}
		return 0
	})
	keep := make([]bool, len(eps))
	for _, i := range order[:monthEpisodes] {
		keep[i] = true
	}
	var out []monthEpisode
	for i, e := range eps {
		if keep[i] || e.NeedsRetro {
			out = append(out, e)
		}
	}
	return out
}
