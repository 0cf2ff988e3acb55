package site

import (
	"math"
	"slices"
	"time"

	"github.com/relia-dev/relia/internal/content"
	"github.com/relia-dev/relia/internal/policy"
	"github.com/relia-dev/relia/internal/render"
	"github.com/relia-dev/relia/internal/slo"
)

// retroFigures are the numbers relia adds to a retrospective: the times to
// detect, acknowledge, mitigate and resolve, and what the incident cost
// each SLO it lists.
type retroFigures struct {
	Durations []retroDuration
	SLOs      []retroSLO
}

type retroDuration struct {
	Name  string // "Time to detect"
	Value string
}

type retroSLO struct {
	ID, Path string
	Impact   slo.Impact
	// Paged is whether a page rule of the replay fired during the incident
	// (from started to resolved); PagedAfter is how long after started it
	// first fired (0 when a page was already firing).
	Paged      bool
	PagedAfter time.Duration
	// NoPageRule: the SLO has no page rule (alerts off, or only tickets),
	// so "no" is not a missed page but a page nobody set up.
	NoPageRule bool
}

// keepRetroSLOs keeps the per-step data of the SLOs that retrospectives
// inside the history list: their figures need it.
func (b *build) keepRetroSLOs() {
	histStart := b.now.Add(-b.cfg.History)
	for _, p := range b.content.Retros {
		from, to := policy.IncidentSpan(p)
		if !to.After(histStart) || from.After(b.now) {
			continue
		}
		for _, id := range p.Meta.SLOs {
			b.charted[id] = true
		}
	}
}

// retroFiguresOf derives a retrospective's figures from its timeline and
// the kept SLO data. An SLO without data for the incident shows none.
func (b *build) retroFiguresOf(p *content.Page) retroFigures {
	var f retroFigures
	tl := p.Meta.Timeline
	if !tl.Started.IsZero() {
		for _, d := range []struct {
			name string
			at   time.Time
		}{{"Time to detect", tl.Detected}, {"Time to acknowledge", tl.Acknowledged}, {"Time to mitigate", tl.Mitigated}, {"Time to resolve", tl.Resolved}} {
			if !d.at.IsZero() {
				f.Durations = append(f.Durations, retroDuration{Name: d.name, Value: render.Duration(d.at.Sub(tl.Started))})
			}
		}
	}
	from, to := policy.IncidentSpan(p)
	for _, id := range p.Meta.SLOs {
		row := retroSLO{ID: id, Impact: slo.Impact{SLO: id, NoData: true, BudgetConsumed: math.NaN(), PeakBurnRate: math.NaN()}}
		if s, ok := b.sloByID(id); ok {
			row.Path = sloPath(s)
			row.NoPageRule = !slices.ContainsFunc(s.Alerting.Effective(), func(r slo.RuleSpec) bool { return r.Severity == "page" })
		}
		if k, ok := b.kept[id]; ok {
			// Alerts count from the start to the resolution: a page after
			// the incident was over detected nothing.
			row.Impact = slo.Measure(k.report, k.steps, from, to, 0)
			for _, a := range row.Impact.Alerts {
				if a.Rule.Severity != "page" {
					continue
				}
				if after := max(a.Start.Sub(from), 0); !row.Paged || after < row.PagedAfter {
					row.Paged, row.PagedAfter = true, after
				}
			}
		}
		f.SLOs = append(f.SLOs, row)
	}
	return f
}

// renderedRetro is a retrospective's Markdown rendered ahead of its page,
// with what the search index and the feed take from its text.
type renderedRetro struct {
	html          string // chart keys left out: see render.ChartBlock.KeyLater
	text, summary string
}

// earlyRetro is what parsedRetro takes from a retrospective as it is
// read: its chart blocks and its rendered Markdown.
type earlyRetro struct {
	blocks    []*render.ChartBlock
	blocksErr error
	rendered  renderedRetro
	renderErr error
}

// parsedRetro is content.Options.Parsed for a build: it finds a
// retrospective's chart blocks, renders its Markdown with their keys left
// for later, takes its text for the search index and the feed, and lets
// go of its Markdown tree (unless keepDocs), on the worker that read it.
// The trees of a thousand retrospectives held at once were half the
// memory of a build: the heap grew to twice their size, and every
// collection scanned them again. The keys under chart blocks need the
// computed site: each block remembers where its key goes, and writeRetro
// puts it there.
func (b *build) parsedRetro(known map[string]bool) func(*content.Page) {
	return func(p *content.Page) {
		if p.Section != "retros" || (p.Meta.Draft && !b.opts.Drafts) {
			return
		}
		e := &earlyRetro{}
		e.blocks, e.blocksErr = render.ExtractChartBlocks(p.File, p.Source, p.Doc, known)
		e.rendered, e.renderErr = b.renderRetro(p, e.blocks)
		if e.renderErr == nil && !b.opts.keepDocs {
			p.Doc = nil
		}
		b.earlyMu.Lock()
		b.early[p] = e
		b.earlyMu.Unlock()
	}
}

func (b *build) renderRetro(p *content.Page, blocks []*render.ChartBlock) (renderedRetro, error) {
	for _, cb := range blocks {
		cb.KeyLater = true
	}
	html, err := b.markdown(p)
	if err != nil {
		return renderedRetro{}, err
	}
	return renderedRetro{html: string(html), text: plainText(p), summary: summaryOf(p)}, nil
}

// renderRetros gathers the rendered retrospectives, in their order with
// the first error, and renders those load did not (a build not made by
// Build or Check).
func (b *build) renderRetros() error {
	b.retros = make(map[*content.Page]renderedRetro, len(b.content.Retros))
	for _, p := range b.content.Retros {
		e := b.early[p]
		if e == nil {
			r, err := b.renderRetro(p, b.blocks[p])
			e = &earlyRetro{rendered: r, renderErr: err}
		}
		if e.renderErr != nil {
			return e.renderErr
		}
		b.retros[p] = e.rendered
	}
	return nil
}
