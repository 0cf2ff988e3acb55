package site

import (
	"errors"
	"fmt"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/metrics"
	"github.com/relia-dev/relia/internal/slo"
)

// queryOf is what the build asks the SLO's source for: the history, the
// longest window and the lookbacks before it, up to the report time.
func (b *build) queryOf(s config.SLO) metrics.Query {
	return metrics.Query{SLO: s.ID(), From: slo.Range(b.specOf(s), b.sloOptions()), To: b.now, Step: b.cfg.Step, Good: s.Good, Bad: s.Bad, Total: s.Total}
}

// fetchError sorts a Fetch failure: an archive that failed (unreachable:
// exit 3; a damaged object: an input error at the archive's key), a source that cannot be reached (exit
// 3, naming the source), a step shorter than a selector's scrape interval
// (an input error at the step setting), a selector the store refused (an
// input error at the selector's line), a refusal about the source itself
// (at its url), and anything else (at the SLO).
func (b *build) fetchError(s config.SLO, err error) error {
	var qe *metrics.QueryError
	var se *metrics.SparseError
	var ae *metrics.ArchiveError
	switch {
	case errors.As(err, &ae):
		at := fmt.Sprintf("%s:%d: %s", b.cfg.Path, b.cfg.Archive.Line, b.cfg.Archive.Key())
		if ae.Unreachable {
			return fmt.Errorf("%s: %w", at, err) // exit 3, as for a store
		}
		return inputErr(fmt.Errorf("%s: %w", at, err))
	case errors.As(err, &se):
		line := b.cfg.StepLine
		if line == 0 {
			line = 1 // the default step: there is no line to point at
		}
		return inputErr(&diag.Error{File: b.cfg.Path, Line: line, Key: "step", Msg: fmt.Sprintf("slos[%s].%s", s.ID(), se.Error())})
	case errors.Is(err, metrics.ErrUnreachable):
		return fmt.Errorf("source %q: %w", s.Source, err)
	case errors.As(err, &qe) && qe.Series != "":
		return inputErr(&diag.Error{File: sloFile(b.cfg, s), Line: s.KeyLine(qe.Series), Key: fmt.Sprintf("slos[%s].%s", s.ID(), qe.Series), Msg: qe.Err.Error()})
	case errors.As(err, &qe):
		src := b.cfg.Sources[s.Source]
		return inputErr(&diag.Error{File: b.cfg.Path, Line: src.KeyLine("url"), Key: "sources." + s.Source, Msg: qe.Err.Error()})
	}
	return inputErr(&diag.Error{File: sloFile(b.cfg, s), Line: s.Line, Key: fmt.Sprintf("slos[%s]", s.ID()), Msg: err.Error()})
}

// storeWarning records a store's warning about an SLO's selector (a
// partial answer, PromQL's "might not be a counter") at the selector's
// line, where fetchError reports a selector the store refused: relia check
// lists it and --strict fails on it.
func (b *build) storeWarning(w metrics.Warning) {
	s, ok := b.sloByID(w.SLO)
	if !ok {
		// Every query is one of the site's SLOs; should one not be, the
		// warning is still not lost.
		b.warn(&diag.Error{File: b.cfg.Path, Key: fmt.Sprintf("slos[%s].%s", w.SLO, w.Series), Msg: fmt.Sprintf("source %q: %s", w.Source, w.Msg)})
		return
	}
	b.warn(&diag.Error{File: sloFile(b.cfg, s), Line: s.KeyLine(w.Series), Key: fmt.Sprintf("slos[%s].%s", s.ID(), w.Series), Msg: fmt.Sprintf("source %q: %s", w.Source, w.Msg)})
}

// sloByID is the configured SLO of an id, through an index made at the
// first lookup: a store that warns on every query of 12,000 SLOs, or a
// thousand retrospectives naming SLOs, must not search the list for each.
func (b *build) sloByID(id string) (config.SLO, bool) {
	b.idsOnce.Do(func() {
		b.ids = make(map[string]int, len(b.cfg.SLOs))
		for i, s := range b.cfg.SLOs {
			b.ids[s.ID()] = i
		}
	})
	i, ok := b.ids[id]
	if !ok {
		return config.SLO{}, false
	}
	return b.cfg.SLOs[i], true
}

// sloFile is where the SLO is defined: relia.toml, or the Sloth or OpenSLO
// file it was imported from (its lines are that file's).
func sloFile(cfg *config.Config, s config.SLO) string {
	if s.File != "" {
		return s.File
	}
	return cfg.Path
}

// planFetch counts the queries the SLOs will make, for the progress line.
// want selects the SLOs (nil: all).
func (b *build) planFetch(want func(config.SLO) bool) {
	n := 0
	for _, s := range b.cfg.SLOs {
		if want != nil && !want(s) {
			continue
		}
		if p, ok := b.prom[s.Source]; ok {
			n += p.Requests(b.queryOf(s))
		}
	}
	b.fetch.Plan(n)
}
