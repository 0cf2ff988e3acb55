package site

import (
	"fmt"
	"html/template"
	"math"
	"time"

	"github.com/relia-dev/relia/internal/content"
	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/policy"
	"github.com/relia-dev/relia/internal/publish"
	"github.com/relia-dev/relia/internal/slo"
)

// weeks is the number of ISO weeks (in the site's zone) that overlap the
// history span (Now − History, Now]; the last is the one holding Now.
func (b *build) weeks() int {
	loc := b.cfg.Location
	first := startOfISOWeek(b.now.Add(-b.cfg.History).Add(b.cfg.Step), loc)
	last := startOfISOWeek(b.now.Add(-time.Nanosecond), loc)
	n := 1
	for w := first; w.Before(last); w = time.Date(w.Year(), w.Month(), w.Day()+7, 0, 0, 0, 0, loc) {
		n++
	}
	return n
}

// startOfISOWeek is Monday 00:00 of t's ISO week in loc.
func startOfISOWeek(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	return time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, loc)
}

func weekName(w slo.Week) string { return fmt.Sprintf("%d-W%02d", w.Year, w.Number) }

func reviewPath(name string) string { return "reviews/" + name + "/" }

// reviewWeek is one weekly review page.
type reviewWeek struct {
	Name        string // "2026-W47"
	Path        string
	Start, End  time.Time
	Current     bool // the week holding the report time: counted up to it
	NoData      bool
	SLOs        []reviewSLO
	BelowTarget int
	Pages       int // page alerts that started in the week
	Tickets     int
	Incidents   []retroLink
	Chaos       []runRow     // chaos runs that started in the week
	Gaps        int          // of which detection gaps
	Opened      []actionItem // actions of retrospectives dated in the week
	Closed      []actionItem // actions closed in the week
	Notes       template.HTML
	NotesFile   string
	Prev, Next  string // names of the neighbouring weeks, "" at the ends
	Compact     bool   // a large site: rows without per-cell markup
}

type reviewSLO struct {
	ID, Path     string
	Objective    float64
	Week         slo.Week
	Delta        float64 // SLI change from the week before, NaN when either is undefined
	BelowTarget  bool
	BudgetBurned float64
	Alerts       []slo.Alert // started in the week
	NoRules      bool        // the SLO has no alert rule: "none" would suggest quiet, not deaf
}

// reviewWeeks assembles every weekly review, oldest first.
func (b *build) reviewWeeks(results []sloResult) ([]*reviewWeek, error) {
	if len(results) == 0 {
		return nil, nil
	}
	n := len(results[0].report.Weeks)
	weeks := make([]*reviewWeek, n)
	for j := range n {
		w0 := results[0].report.Weeks[j]
		rw := &reviewWeek{Name: weekName(w0), Start: w0.Start, End: w0.End, Current: w0.End.After(b.now), NoData: true}
		rw.Path = reviewPath(rw.Name)
		for _, res := range results {
			wk := res.report.Weeks[j]
			row := reviewSLO{ID: res.cfg.ID(), Path: sloPath(res.cfg), Objective: res.cfg.Objective, Week: wk,
				Delta: math.NaN(), BudgetBurned: wk.BudgetBurned, NoRules: len(res.report.Rules) == 0}
			if j > 0 {
				row.Delta = nanDiff(wk.SLI, res.report.Weeks[j-1].SLI)
			}
			if wk.Total > 0 {
				rw.NoData = false
				row.BelowTarget = wk.SLI*100 < res.cfg.Objective
			}
			if row.BelowTarget {
				rw.BelowTarget++
			}
			alerts, pages, tickets := alertsIn(res.report.Alerts, wk.Start, wk.End)
			row.Alerts = append(row.Alerts, alerts...)
			rw.Pages += pages
			rw.Tickets += tickets
			rw.SLOs = append(rw.SLOs, row)
		}
		rw.Compact = len(rw.SLOs) > groupedAbove
		for _, p := range b.content.Retros {
			started, _ := policy.IncidentSpan(p)
			if inWeek(started, rw.Start, rw.End) {
				rw.Incidents = append(rw.Incidents, link(p))
			}
			for _, a := range p.Meta.Actions {
				item := newActionItem(a, p)
				if inWeek(p.Meta.Date, rw.Start, rw.End) {
					rw.Opened = append(rw.Opened, item)
				}
				if !a.Closed.IsZero() && inWeek(a.Closed, rw.Start, rw.End) {
					rw.Closed = append(rw.Closed, item)
				}
			}
		}
		for _, r := range b.chaos.runs {
			if inWeek(r.Start, rw.Start, rw.End) {
				row := b.runRow(r)
				rw.Chaos = append(rw.Chaos, row)
				if row.Gap {
					rw.Gaps++
				}
			}
		}
		if notes := b.content.Reviews[rw.Name]; notes != nil {
			html, err := b.markdown(notes)
			if err != nil {
				return nil, err
			}
			rw.Notes, rw.NotesFile = html, notes.File
		}
		weeks[j] = rw
	}
	for j, rw := range weeks {
		if j > 0 {
			rw.Prev = weeks[j-1].Name
		}
		if j+1 < n {
			rw.Next = weeks[j+1].Name
		}
	}
	return weeks, nil
}

// inWeek reports whether t lies in the week [start, end).
func inWeek(t, start, end time.Time) bool { return !t.Before(start) && t.Before(end) }

// unknownReviewNotes lists notes files whose week has no review page.
func unknownReviewNotes(notes map[string]*content.Page, weeks []*reviewWeek) []*content.Page {
	have := map[string]bool{}
	for _, w := range weeks {
		have[w.Name] = true
	}
	var out []*content.Page
	for name, p := range notes {
		if !have[name] {
			out = append(out, p)
		}
	}
	return out
}

// writeReviews writes the weekly reviews and their index, and returns the
// search entries of the weeks that have notes.
func (b *build) writeReviews(pub *publish.Publisher, results []sloResult) (int, []searchDoc, error) {
	weeks, err := b.reviewWeeks(results)
	if err != nil {
		return 0, nil, err
	}
	if stray := unknownReviewNotes(b.content.Reviews, weeks); len(stray) > 0 {
		b.warn(&diag.Error{File: stray[0].File, Msg: "no weekly review for that week in the report's history; the notes are not shown"})
	}
	pages := 0
	var docs []searchDoc
	printed := latestComplete(weeks)
	for _, w := range weeks {
		data := pageData{Site: b.siteInfo(), Root: rootOf(w.Path), Title: "Week " + w.Name, Section: "reviews", Page: w}
		pdfName := ""
		if w == printed {
			pdfName = "review.pdf"
		}
		if err := b.writePrintable(pub, w.Path, "review.html", data, pdfName); err != nil {
			return 0, nil, err
		}
		pages++
		if notes := b.content.Reviews[w.Name]; notes != nil {
			docs = append(docs, searchDoc{Title: "Weekly review " + w.Name, Path: w.Path + "index.html", Kind: "Review", Text: plainText(notes)})
		}
	}
	newest := make([]*reviewWeek, len(weeks))
	for i, w := range weeks {
		newest[len(weeks)-1-i] = w
	}
	return pages + 1, docs, b.renderPage(pub, "reviews/index.html", "reviews.html", pageData{Site: b.siteInfo(), Root: "../", Title: "Weekly reviews", Section: "reviews", Page: newest})
}

// alertsIn returns the alerts that started in the period (start, end], and
// how many of them page and how many open tickets.
func alertsIn(alerts []slo.Alert, start, end time.Time) (in []slo.Alert, pages, tickets int) {
	for _, a := range alerts {
		if a.Start.After(start) && !a.Start.After(end) {
			in = append(in, a)
			if a.Rule.Severity == "page" {
				pages++
			} else {
				tickets++
			}
		}
	}
	return in, pages, tickets
}
