// Package site is the pipeline of relia build, check, status and snapshot:
// it loads the inputs, computes every SLO, assembles the pages and hands
// them to a publish.Publisher, which swaps the finished folder into place.
// The parts live in packages of their own (fetch, policy, api, check,
// render, publish); this package wires them and depends on them, never
// the reverse. It writes no file itself: a site goes through a
// publish.Publisher (Build; Check into a scratch folder it removes), a
// snapshot through a publish.File (Record).
package site

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yuin/goldmark"
	"golang.org/x/sync/errgroup"

	"github.com/relia-dev/relia/internal/check"
	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/confine"
	"github.com/relia-dev/relia/internal/content"
	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/fetch"
	"github.com/relia-dev/relia/internal/metrics"
	"github.com/relia-dev/relia/internal/policy"
	"github.com/relia-dev/relia/internal/publish"
	"github.com/relia-dev/relia/internal/render"
	"github.com/relia-dev/relia/internal/slo"
)

// WeeksShown is the number of ISO weeks in each SLO page's weekly table;
// the weekly reviews cover every week of the history.
const WeeksShown = 13

// Options configure one build.
type Options struct {
	ConfigPath string    // relia.toml
	Out        string    // output folder, replaced whole on success
	Now        time.Time // report time; zero: see Build
	BaseURL    string    // overrides base_url when set
	Drafts     bool      // include draft pages
	Log        io.Writer // warnings and the closing summary; nil for none
	Progress   bool      // show a progress line on Log (a terminal)
	NoCache    bool      // ask metric stores for all history: no .relia/cache
	Strict     bool      // fail on warnings (a chaos log relia cannot read or place) as on errors
	Verbose    io.Writer // a line per metric query (-v); nil for none
	// Warnings, when set, receives the problems the build goes on from,
	// as they are found (they are also printed on Log): relia check reads
	// them from here, whatever stage the build stops at.
	Warnings *diag.List
	// Series, when set, keeps fetched metric history in memory between
	// builds of one process (relia serve): see fetch.SeriesCache.
	Series *fetch.SeriesCache
	// PDF prints the executive summary, every month page and the latest
	// complete weekly review to PDF files beside them (--pdf).
	PDF bool

	// What Build and Check ask of load beyond the inputs: render the
	// retrospectives as they are read (parsedRetro), and keep their
	// Markdown trees, whose links relia check follows.
	renderAhead, keepDocs bool
}

// Result describes a finished build.
type Result struct {
	Out   string
	Now   time.Time
	Pages int
	SLOs  int
}

// InputError marks errors in the reader's inputs (config, content,
// snapshots): the CLI exits 1 for them and names the place.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}

// Build runs the pipeline load → compute → assemble → render → publish.
//
// Without Options.Now the report time is the latest recorded_at of the
// snapshots when every source is a snapshot (a recording describes the
// moment it was taken, so a demo or an archived review keeps its meaning),
// else the current time; either is rounded down to the step.
func Build(ctx context.Context, opts Options) (*Result, error) {
	opts.renderAhead = true
	in, err := load(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer in.close()
	pub, err := publish.NewPublisher(opts.Out)
	if err != nil {
		return nil, err
	}
	res, err := in.run(ctx, pub)
	if err == nil && opts.Strict && in.warnings.Len() > 0 {
		err = strictErr(in.warnings.All())
	}
	if err != nil {
		pub.Abort()
		return nil, err
	}
	if err := pub.Commit(); err != nil {
		return nil, err
	}
	res.Out = opts.Out
	return res, nil
}

// strictErr fails a --strict build on its warnings, each at its place, in
// relia check's order: the stores' warnings arrive in whatever order the
// queries finish.
func strictErr(warnings []*diag.Error) error {
	rep := check.Report{}
	rep.Add(warnings...)
	rep.Sort()
	errs := make([]error, 0, len(rep.Problems)+1)
	for i := range rep.Problems {
		errs = append(errs, &rep.Problems[i])
	}
	errs = append(errs, fmt.Errorf("--strict: %d warning(s) fail the build", len(rep.Problems)))
	return inputErr(errors.Join(errs...))
}

// warn records a warning in the sink and prints it for people, as
// "warning: file:line: message", on a line of its own even while the
// progress line is drawn.
func (b *build) warn(e *diag.Error) {
	e.Warning = true
	b.warnings.Add(e)
	b.fetch.Print("warning: " + e.Error())
}

// build is one build in progress: what the load stage gathered.
type build struct {
	opts    Options
	cfg     *config.Config
	sources map[string]metrics.Source
	content *content.Site
	theme   *render.Theme
	md      goldmark.Markdown
	now     time.Time
	log     io.Writer
	fetch   *fetch.Log                     // queries of Prometheus sources: -v, warnings, progress
	prom    map[string]*metrics.Prometheus // the Prometheus sources, by name

	cache      *metrics.Cache // settled history: .relia/cache or the [archive]
	closeCache func() error

	// Chart blocks per Markdown page. charted are the SLOs that chart
	// blocks, chaos runs and retrospectives read once every SLO is
	// computed; spans are the spans of each that they read, and kept what
	// computeSLO keeps of them (see keptSLO).
	blocks      map[*content.Page][]*render.ChartBlock
	charted     map[string]bool
	spans       map[string][]slo.Interval
	eventBlocks map[string][]*render.ChartBlock // the "events" chart blocks of each SLO
	keptMu      sync.Mutex
	kept        map[string]keptSLO
	noData      map[string]string // SLO id → why it has no data, for check

	chaos *chaosSet // chaos runs, their impact once the SLOs are computed

	incidentsOnce sync.Once
	incidents     map[string][]render.Mark // SLO id → its retrospectives' incidents

	idsOnce sync.Once
	ids     map[string]int // see sloByID

	// warnings are the problems the build goes on from (Options.Warnings,
	// or a list of its own): Check reports them, --strict fails on them.
	warnings *diag.List

	results []sloResult // every SLO once run has computed them; Check reads them

	pageBufs chan *bytes.Buffer // see renderPage

	// The retrospectives rendered as they were read (parsedRetro), and then
	// in order with their errors (renderRetros).
	earlyMu sync.Mutex
	early   map[*content.Page]*earlyRetro
	retros  map[*content.Page]renderedRetro

	printMu    sync.Mutex
	printQueue []printJob // pages --pdf prints once the site is written
}

// close releases what load opened: the archive's bucket.
func (b *build) close() {
	if b.closeCache != nil {
		b.closeCache()
	}
}

// load reads every input of the site. It does not look at ctx itself (the
// readers of configuration, snapshots and chaos logs take none), so it
// runs aside and a cancelled ctx returns at once: a SIGTERM while a large
// snapshot is decoded must not wait for the decoding, which takes half a
// minute at 1,000 SLOs. What the abandoned load opened is closed when it
// ends; it has written nothing.
func load(ctx context.Context, opts Options) (*build, error) {
	return loadAside(ctx, func() (*build, error) { return loadInputs(opts) })
}

// loadAside runs read in a goroutine of its own and returns its result,
// or the cause of ctx's end if that comes first; read's build, when it
// arrives after all, is closed.
func loadAside(ctx context.Context, read func() (*build, error)) (*build, error) {
	type loaded struct {
		b   *build
		err error
	}
	done := make(chan loaded, 1)
	go func() {
		b, err := read()
		done <- loaded{b, err}
	}()
	select {
	case l := <-done:
		return l.b, l.err
	case <-ctx.Done():
		go func() {
			if l := <-done; l.b != nil {
				l.b.close()
			}
		}()
		return nil, context.Cause(ctx)
	}
}

func loadInputs(opts Options) (*build, error) {
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	cfg, err := config.Load(opts.ConfigPath)
	if err != nil {
		return nil, inputErr(err)
	}
	if opts.BaseURL != "" {
		cfg.BaseURL = opts.BaseURL
		if cfg.BaseURL[len(cfg.BaseURL)-1] != '/' {
			cfg.BaseURL += "/"
		}
	}
	warnings := opts.Warnings
	if warnings == nil {
		warnings = &diag.List{}
	}
	b := &build{opts: opts, cfg: cfg, log: log, warnings: warnings, sources: map[string]metrics.Source{},
		fetch: fetch.NewLog(opts.Log, opts.Verbose, opts.Progress, len(cfg.SLOs)), prom: map[string]*metrics.Prometheus{},
		// As many buffers as pages are rendered at once: the workers of
		// the retrospectives and of the other writers.
		pageBufs: make(chan *bytes.Buffer, 2*runtime.NumCPU())}
	b.fetch.KeepWarnings(b.storeWarning)
	for _, w := range cfg.Warnings {
		// What the SLO specs say and relia does not apply: never silent.
		b.warn(w)
	}
	var recorded time.Time
	allSnapshots := true
	names := make([]string, 0, len(cfg.Sources))
	for name := range cfg.Sources {
		names = append(names, name)
	}
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		src := cfg.Sources[name]
		switch src.Type {
		case "snapshot":
			path := src.Path
			if !filepath.IsAbs(path) {
				path = filepath.Join(cfg.Dir, path)
			}
			if err := confine.Check(cfg.Dir, path); err != nil {
				errs = append(errs, &diag.Error{File: cfg.Path, Line: src.KeyLine("path"), Key: "sources." + name + ".path", Msg: fmt.Sprintf("%s: %v", src.Path, err)})
				continue
			}
			keep := map[string]bool{}
			for _, s := range cfg.SLOs {
				if s.Source == name {
					keep[s.ID()] = true
				}
			}
			snap, err := metrics.OpenSnapshotWith(path, metrics.SnapshotOptions{
				MaxValueBytes: cfg.Limits.MaxSnapshotValueBytes,
				Keep:          func(id string) bool { return keep[id] },
			})
			if err != nil {
				// The snapshot's own errors name their place in it
				// inside the message: the source's line says which.
				errs = append(errs, &diag.Error{File: cfg.Path, Line: src.KeyLine("path"), Key: "sources." + name + ".path", Msg: err.Error()})
				continue
			}
			b.sources[name] = snap
			if snap.RecordedAt().IsZero() {
				allSnapshots = false
			} else if snap.RecordedAt().After(recorded) {
				recorded = snap.RecordedAt()
			}
		case "prometheus":
			allSnapshots = false
			if !opts.NoCache && b.cache == nil {
				// Opened for the first Prometheus source, shared by all: a
				// snapshot-only site never reaches for the archive.
				if b.cache, b.closeCache, err = fetch.OpenCache(cfg); err != nil {
					return nil, inputErr(err) // unreachable: exit 3
				}
			}
			p, err := fetch.OpenPrometheus(cfg, name, src, b.fetch, b.cache)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			b.sources[name], b.prom[name] = p, p
		default:
			allSnapshots = false
		}
	}
	if len(errs) > 0 {
		return nil, inputErr(errors.Join(errs...))
	}
	b.sources = opts.Series.Wrap(cfg, b.sources)
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
		if allSnapshots && !recorded.IsZero() {
			now = recorded
		}
	}
	b.now = alignDown(now, cfg.Step)

	b.md = render.NewMarkdown(cfg.UnsafeHTML)
	known := map[string]bool{}
	for _, s := range cfg.SLOs {
		known[s.ID()] = true
	}
	if err := b.loadChaos(); err != nil {
		return nil, inputErr(err)
	}
	copts := content.Options{Drafts: opts.Drafts, KnownSLOs: known, KnownRuns: b.chaos.knownRuns()}
	if opts.renderAhead {
		b.early = map[*content.Page]*earlyRetro{}
		copts.Parsed = b.parsedRetro(known)
	}
	site, err := content.Load(cfg.Dir, filepath.Join(cfg.Dir, "content"), b.md, copts)
	if err != nil {
		return nil, inputErr(err)
	}
	b.content = site
	if err := b.extractChartBlocks(known); err != nil {
		return nil, inputErr(err)
	}
	if err := b.checkWriteUps(); err != nil {
		return nil, inputErr(err)
	}
	b.keepChaosSLOs()
	b.keepRetroSLOs()
	b.collectSpans()
	b.theme, err = render.LoadTheme(filepath.Join(cfg.Dir, "templates"), cfg.Location)
	if err != nil {
		return nil, inputErr(err)
	}
	return b, nil
}

// alignDown rounds t down to the step grid anchored at the Unix epoch, the
// grid Prometheus and snapshots use.
func alignDown(t time.Time, step time.Duration) time.Time {
	ns := t.UnixNano()
	s := int64(step)
	return time.Unix(0, ns-((ns%s)+s)%s).UTC()
}

// sloResult is what the index and the API keep of a computed SLO once its
// page is written: the report without its per-step timeline.
type sloResult struct {
	cfg    config.SLO
	report *slo.Report
	policy policy.Policy
}

func (b *build) specOf(s config.SLO) slo.Spec {
	return slo.Spec{
		ID: s.ID(), Objective: s.Objective, Window: s.Window, Budgeting: s.Budgeting,
		SliceThreshold: s.SliceThreshold, AtRiskBelow: b.cfg.Policy.AtRiskBelow,
		Rules: s.Alerting.Rules, NoAlerts: s.Alerting.Off,
	}
}

// policyFor applies the site's error-budget policy to SLO s.
func (b *build) policyFor(s config.SLO, r *slo.Report) policy.Policy {
	return policy.For(b.cfg, b.now, s, r, b.retrosFor(s.ID()))
}

func (b *build) sloOptions() slo.Options {
	return slo.Options{Now: b.now, History: b.cfg.History, Location: b.cfg.Location, Weeks: b.weeks(), Months: b.months(), Step: b.cfg.Step, QuarterToDate: true}
}

func (b *build) run(ctx context.Context, pub *publish.Publisher) (*Result, error) {
	if err := b.renderRetros(); err != nil {
		return nil, err
	}
	results := make([]sloResult, len(b.cfg.SLOs))
	var pages atomic.Int32
	b.planFetch(nil)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.NumCPU())
	errs := make(sloErrors, len(b.cfg.SLOs))
	for i, s := range b.cfg.SLOs {
		g.Go(func() error {
			r, err := b.computeSLO(gctx, s)
			if err != nil {
				return errs.keep(i, err)
			}
			pol := b.policyFor(s, r)
			if err := b.writeSLOPage(pub, s, r, pol); err != nil {
				return err
			}
			pages.Add(1)
			// Streaming: the per-step series are drawn; only the
			// summary is kept for the index and the API.
			r.Timeline = slo.Timeline{}
			results[i] = sloResult{cfg: s, report: r, policy: pol}
			b.fetch.ComputedSLO()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := errs.join(); err != nil {
		return nil, err
	}
	b.results = results
	b.fetch.Finish()
	b.measureChaos()
	n, err := b.writeSitePages(pub, results)
	if err != nil {
		return nil, err
	}
	if err := b.printPDFs(ctx, pub); err != nil {
		return nil, err
	}
	return &Result{Now: b.now, Pages: int(pages.Load()) + n, SLOs: len(results)}, nil
}

// sloErrors holds the input error of each SLO, in the order of the
// configuration. An SLO whose selectors or data are wrong must not stop the
// others: the first error to arrive would cancel them, so that one run
// reported one SLO and the next another. Every SLO runs to its end, and all
// their problems are reported, always in the same order.
type sloErrors []error

// keep records an input error of SLO i and lets the others go on; any other
// error (a source that cannot be reached, a cancelled build) is returned to
// stop the build.
func (e sloErrors) keep(i int, err error) error {
	var ie *InputError
	if errors.As(err, &ie) {
		e[i] = err
		return nil
	}
	return err
}

// join is every kept error, in configuration order, or nil.
func (e sloErrors) join() error {
	var all []error
	for _, err := range e {
		if err != nil {
			all = append(all, err)
		}
	}
	if len(all) == 0 {
		return nil
	}
	return inputErr(errors.Join(all...))
}

// extractChartBlocks finds the chart blocks of every page and checks that
// each draws a span the report holds.
func (b *build) extractChartBlocks(known map[string]bool) error {
	b.blocks = map[*content.Page][]*render.ChartBlock{}
	b.charted = map[string]bool{}
	b.kept = map[string]keptSLO{}
	b.noData = map[string]string{}
	pages := slices.Clone(b.content.Retros)
	pages = append(pages, b.content.Chaos...)
	if b.content.Home != nil {
		pages = append(pages, b.content.Home)
	}
	histStart := b.now.Add(-b.cfg.History)
	var errs []error
	for _, p := range pages {
		var blocks []*render.ChartBlock
		var err error
		if e := b.early[p]; e != nil {
			blocks, err = e.blocks, e.blocksErr
		} else {
			blocks, err = render.ExtractChartBlocks(p.File, p.Source, p.Doc, known)
		}
		if err != nil {
			errs = append(errs, err)
		}
		for _, cb := range blocks {
			if !cb.To.After(histStart) || !cb.From.Before(b.now) {
				errs = append(errs, &diag.Error{File: p.File, Line: cb.Line, Key: "chart", Msg: fmt.Sprintf(
					"%s – %s is outside the report's history (%s – %s)", cb.From.Format(time.RFC3339), cb.To.Format(time.RFC3339),
					histStart.Format(time.RFC3339), b.now.Format(time.RFC3339))})
				continue
			}
			b.charted[cb.SLO] = true
		}
		b.blocks[p] = blocks
	}
	return errors.Join(errs...)
}

func (b *build) computeSLO(ctx context.Context, s config.SLO) (*slo.Report, error) {
	spec := b.specOf(s)
	opts := b.sloOptions()
	// Per-step detail only for SLOs whose data outlives their page: chart
	// blocks, chaos runs and retrospectives measure spans of it.
	opts.StepDetail = b.charted[s.ID()]
	q := b.queryOf(s)
	spec.Excluded = b.cfg.Excluded(s.ID(), q.From, b.now)
	series, err := b.sources[s.Source].Fetch(ctx, q)
	if err != nil {
		return nil, b.fetchError(s, err)
	}
	r, err := slo.Compute(spec, series, opts)
	if err != nil {
		return nil, fmt.Errorf("compute %s: %w", s.ID(), err)
	}
	if r.Status == "no-data" {
		var store check.SeriesCounter
		if p, ok := b.prom[s.Source]; ok {
			store = p
		}
		why := check.WhyNoData(ctx, store, s, series, r.WindowStart, b.now, b.cfg.Location)
		b.keptMu.Lock()
		b.noData[s.ID()] = why
		b.keptMu.Unlock()
	}
	if b.charted[s.ID()] {
		k := b.keep(s.ID(), r, series)
		b.keptMu.Lock()
		b.kept[s.ID()] = k
		b.keptMu.Unlock()
	}
	return r, nil
}

// writeAssets copies the embedded static files under assets/.
func writeAssets(pub *publish.Publisher) error {
	assets, err := render.Assets()
	if err != nil {
		return err
	}
	return fs.WalkDir(assets, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(assets, path)
		if err != nil {
			return err
		}
		return pub.WriteFile("assets/"+path, data)
	})
}

// renderPage executes a page template into a reused buffer and writes the
// page at path, straight from the buffer: growing a new buffer for each
// page by doubling was a fifth of what a build of many pages allocated,
// and a copy of each page for the writer another tenth. The buffers are
// the build's own, not a sync.Pool's, which the collector empties several
// times in a large build.
func (b *build) renderPage(pub *publish.Publisher, path, name string, data pageData) error {
	var buf *bytes.Buffer
	select {
	case buf = <-b.pageBufs:
		buf.Reset()
	default:
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() > keptPageBuf {
			return // the few large lists: kept, they would stay held to the end
		}
		select {
		case b.pageBufs <- buf:
		default: // as many as pages are written at once are kept
		}
	}()
	if err := b.theme.Execute(buf, name, data); err != nil {
		return err
	}
	return pub.WriteFile(path, buf.Bytes())
}

// keptPageBuf is the largest page buffer renderPage keeps for the next
// page: pages are tens of KB, the lists of a large site megabytes.
const keptPageBuf = 256 << 10

func nanDiff(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return a - b
}
