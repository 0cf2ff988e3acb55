package site

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/metrics"
	"github.com/relia-dev/relia/internal/publish"
)

// RecordOptions configure Record.
type RecordOptions struct {
	ConfigPath string    // relia.toml
	Source     string    // the [sources.NAME] whose SLOs are recorded
	Out        string    // snapshot file; gzip-compressed when it ends in .gz
	Now        time.Time // report time; zero: now
	NoCache    bool
	Log        io.Writer // warnings; nil for none
	Verbose    io.Writer // a line per metric query; nil for none
	Progress   bool      // show a progress line on Log (a terminal)
}

// RecordResult describes a written snapshot.
type RecordResult struct {
	Out  string
	Now  time.Time // the report time, written as recorded_at
	SLOs int
}

// Record writes, as a snapshot, the history every SLO of one source needs
// for a build at the report time: the same queries a build makes, so a
// build from the snapshot with the same --now gives the same numbers. The
// file is written beside Out and renamed into place once complete: a
// failed recording leaves no half file (publish.File).
func Record(ctx context.Context, opts RecordOptions) (*RecordResult, error) {
	b, err := load(ctx, Options{ConfigPath: opts.ConfigPath, Now: opts.Now, NoCache: opts.NoCache, Log: opts.Log, Verbose: opts.Verbose, Progress: opts.Progress})
	if err != nil {
		return nil, err
	}
	defer b.close()
	if _, ok := b.cfg.Sources[opts.Source]; !ok {
		names := make([]string, 0, len(b.cfg.Sources))
		for n := range b.cfg.Sources {
			names = append(names, fmt.Sprintf("%q", n))
		}
		slices.Sort(names)
		return nil, inputErr(&diag.Error{File: b.cfg.Path, Key: "sources", Msg: fmt.Sprintf("no source named %q; expected one of %s", opts.Source, strings.Join(names, ", "))})
	}
	var slos []config.SLO
	for _, s := range b.cfg.SLOs {
		if s.Source == opts.Source {
			slos = append(slos, s)
		}
	}
	if len(slos) == 0 {
		return nil, inputErr(&diag.Error{File: b.cfg.Path, Key: "sources." + opts.Source, Msg: "no SLO uses the source: nothing to record"})
	}
	slices.SortFunc(slos, func(a, c config.SLO) int { return strings.Compare(a.ID(), c.ID()) })
	b.fetch.Stage(len(slos), "recorded SLOs")
	b.planFetch(func(s config.SLO) bool { return s.Source == opts.Source })

	tmp, err := publish.NewFile(opts.Out)
	if err != nil {
		return nil, fmt.Errorf("write snapshot: %w", err)
	}
	defer tmp.Abort()
	var w io.Writer = tmp
	var zw *gzip.Writer
	if strings.HasSuffix(opts.Out, ".gz") {
		zw = gzip.NewWriter(tmp)
		w = zw
	}
	sw, err := metrics.NewSnapshotWriter(w, b.cfg.Step, b.now)
	if err != nil {
		return nil, err
	}
	// One SLO at a time, in id order as the writer wants: each Fetch runs
	// its chunks concurrently, and only one SLO's history is in memory.
	for _, s := range slos {
		series, err := b.sources[s.Source].Fetch(ctx, b.queryOf(s))
		if err != nil {
			return nil, b.fetchError(s, err)
		}
		if err := sw.Add(s.ID(), series); err != nil {
			return nil, err
		}
		b.fetch.ComputedSLO()
	}
	b.fetch.Finish()
	if err := sw.Close(); err != nil {
		return nil, err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("write snapshot: %w", err)
		}
	}
	if err := tmp.Commit(); err != nil {
		return nil, fmt.Errorf("write snapshot: %w", err)
	}
	return &RecordResult{Out: opts.Out, Now: b.now, SLOs: len(slos)}, nil
}
