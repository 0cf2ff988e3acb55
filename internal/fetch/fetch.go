// Package fetch connects a site's metric sources for a build: it opens the
// Prometheus sources of relia.toml (secrets from the environment, the
// chunk cache or the [archive]), keeps fetched history in memory between the builds
// of one process (SeriesCache), and reports the queries as they run (Log:
// -v lines, the stores' warnings, the progress line). It writes no files
// itself; the chunk cache it enables is metrics.Cache, which writes under
// the site's .relia/cache folder or in its [archive] (a folder or a bucket).
package fetch

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/relia-dev/relia/internal/archive"
	"github.com/relia-dev/relia/internal/bounded"
	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/metrics"
)

// CacheDir is where a site keeps settled metric history, beside relia.toml.
const CacheDir = ".relia/cache"

// OpenCache opens where the site's Prometheus sources keep settled
// history: the [archive] (a folder or a bucket, kept between CI runs,
// whose failures stop the build; see metrics.Cache) or else .relia/cache/
// (a convenience). A bucket is opened and listed here, so that an archive
// out of reach stops the build before any history is fetched, with an
// error at its key that is metrics.ErrUnreachable. close releases it.
func OpenCache(cfg *config.Config) (c *metrics.Cache, close func() error, err error) {
	a := cfg.Archive
	switch {
	case a.URL != "":
		// The drivers retry on their own; this bounds a store that never
		// answers.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		bucket, err := archive.Open(ctx, a.URL)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %s: %w", cfg.Path, a.Line, a.Key(), err)
		}
		return metrics.NewArchive(bucket), bucket.Close, nil
	case a.Dir != "":
		dir := a.Dir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(cfg.Dir, dir)
		}
		return metrics.NewArchive(metrics.Folder(dir)), func() error { return nil }, nil
	}
	return metrics.NewCache(filepath.Join(cfg.Dir, filepath.FromSlash(CacheDir))), func() error { return nil }, nil
}

// maxCAFile bounds a ca_file: the bundle of every public CA is 220 KB.
const maxCAFile = 4 << 20

// OpenPrometheus makes the source of the `type = "prometheus"` table name
// of cfg, reporting its queries to log and keeping settled chunks in
// cache (nil: none, fetch everything). The secrets come from the environment variables the table names;
// a missing one is an error at the key's line, and its value is never
// shown.
func OpenPrometheus(cfg *config.Config, name string, src config.Source, log *Log, cache *metrics.Cache) (*metrics.Prometheus, error) {
	at := func(key, format string, args ...any) error {
		return &diag.Error{File: cfg.Path, Line: src.KeyLine(key), Key: "sources." + name + "." + key, Msg: fmt.Sprintf(format, args...)}
	}
	secret := func(key, env, what string) (string, error) {
		v, ok := os.LookupEnv(env)
		if !ok || v == "" {
			return "", at(key, "environment variable %s is not set; it must hold the %s", env, what)
		}
		return v, nil
	}
	pc := metrics.PrometheusConfig{
		Name: name, URL: src.URL, Timeout: src.Timeout,
		MaxConcurrency: src.MaxConcurrency, MaxPointsPerQuery: src.MaxPointsPerQuery,
		BasicAuthUser: src.BasicAuthUser, Headers: src.Headers, InsecureSkipVerify: src.InsecureSkipVerify,
		Observe: log.observe, Warn: log.warn, MaxResponseBytes: cfg.Limits.MaxResponseBytes,
	}
	var errs []error
	var err error
	if src.BearerTokenEnv != "" {
		if pc.BearerToken, err = secret("bearer_token_env", src.BearerTokenEnv, "bearer token"); err != nil {
			errs = append(errs, err)
		}
	}
	if src.BasicAuthPasswordEnv != "" {
		if pc.BasicAuthPassword, err = secret("basic_auth_password_env", src.BasicAuthPasswordEnv, "password of "+src.BasicAuthUser); err != nil {
			errs = append(errs, err)
		}
	}
	if src.CAFile != "" {
		path := src.CAFile
		if !filepath.IsAbs(path) {
			path = filepath.Join(cfg.Dir, path)
		}
		pem, err := bounded.ReadFile(path, maxCAFile)
		pool := x509.NewCertPool()
		switch {
		case errors.Is(err, bounded.ErrTooLarge):
			errs = append(errs, at("ca_file", "%s is larger than the limit of %s for a certificate bundle (a fixed bound)", path, bounded.Size(maxCAFile)))
		case err != nil:
			errs = append(errs, at("ca_file", "%v", err))
		case !pool.AppendCertsFromPEM(pem):
			errs = append(errs, at("ca_file", "no PEM certificate in %s", path))
		default:
			pc.RootCAs = pool
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	pc.Cache = cache
	p, err := metrics.NewPrometheus(pc)
	if err != nil {
		return nil, at("url", "%v", err)
	}
	return p, nil
}

// Log reports the queries of a build's Prometheus sources: a line per
// query with -v, the stores' warnings, and the figures of the progress
// line, which it draws together with the count of computed SLOs. A Log is
// safe for concurrent use.
type Log struct {
	log      io.Writer             // warnings; io.Discard with -q
	verbose  io.Writer             // nil without -v
	progress bool                  // draw a progress line on log (a terminal)
	keep     func(metrics.Warning) // see KeepWarnings; nil: warnings are printed

	mu       sync.Mutex
	slos     int    // SLOs to compute
	stage    string // what is done per SLO, for the progress line
	began    time.Time
	planned  int
	done     int
	cached   int
	points   int
	computed int
	drawn    time.Time
	open     bool           // the progress line is the log's last, unended line
	spans    [][2]time.Time // when the build waited for a store's answer
}

// NewLog reports on log (nil: nowhere) and, a line per query, on verbose
// (nil: not at all); progress draws a progress line on log, for slos SLOs
// to compute.
func NewLog(log, verbose io.Writer, progress bool, slos int) *Log {
	if log == nil {
		log = io.Discard
	}
	// -v prints a line per query: a progress line would garble them.
	return &Log{log: log, verbose: verbose, progress: progress && verbose == nil, slos: slos, stage: "computing SLOs", began: time.Now()}
}

// Stage renames what is done per SLO on the progress line, for n SLOs.
func (f *Log) Stage(n int, stage string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slos, f.stage = n, stage
}

// Plan starts the clock of the progress line for n planned queries.
func (f *Log) Plan(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.planned, f.began = n, time.Now()
}

// KeepWarnings hands the stores' warnings about an SLO's selector to keep
// instead of printing them: the build records them at the selector's
// place in its inputs, where relia check lists them and --strict fails on
// them, and prints them itself (Print), once. Call it before the sources
// are opened; keep is called concurrently.
func (f *Log) KeepWarnings(keep func(metrics.Warning)) {
	f.keep = keep
}

func (f *Log) warn(w metrics.Warning) {
	// A cache's hiccup (a damaged file discarded, a write that failed)
	// costs only time, since the chunks are asked for again, and no
	// setting of the site is at fault, so it has no place to be reported
	// at: it stays a line of the log, which neither relia check lists nor
	// --strict fails on. An [archive]'s failures are errors of their own.
	if w.SLO != "" && f.keep != nil {
		f.keep(w)
		return
	}
	f.Print("relia: warning: " + w.String())
}

// Print writes line on the log, first ending a progress line drawn there
// so that the two do not share a line; the next draw starts a new one.
func (f *Log) Print(line string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.open {
		fmt.Fprintln(f.log)
		f.open = false
	}
	fmt.Fprintln(f.log, line)
}

func (f *Log) observe(r metrics.QueryRecord) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Scrape != nil {
		// A probe, not one of the planned chunks: only -v shows it.
		if f.verbose != nil {
			how := r.Duration.Round(100 * time.Microsecond).String()
			if r.Cached {
				how = "cache hit"
			}
			fmt.Fprintf(f.verbose, "probe %s %s %s %s at %s: %s (%s)\n", r.Source, r.SLO, r.Series, r.Selector,
				r.First.Format(time.RFC3339), metrics.DescribeScrape(*r.Scrape), how)
		}
		return
	}
	f.done++
	f.points += r.Points
	if r.Cached {
		f.cached++
	} else {
		start := time.Now().Add(-r.Duration)
		f.spans = append(f.spans, [2]time.Time{start, start.Add(r.Wait)})
	}
	if f.verbose != nil {
		how := fmt.Sprintf("%s, store %s", r.Duration.Round(100*time.Microsecond), r.Wait.Round(100*time.Microsecond))
		switch {
		case r.Cached:
			how = "cache hit"
		case r.Attempts > 1:
			how += fmt.Sprintf(", %d attempts", r.Attempts)
		}
		if r.FromCache > 0 && !r.Cached {
			how += fmt.Sprintf(", %d earlier steps from the cache", r.FromCache)
		}
		fmt.Fprintf(f.verbose, "query %s %s %s %s %s – %s: %d points (%s)\n", r.Source, r.SLO, r.Series, r.Selector,
			r.First.Format(time.RFC3339), r.Last.Format(time.RFC3339), r.Points, how)
		for _, info := range r.Infos {
			fmt.Fprintf(f.verbose, "  info: %s\n", info)
		}
	}
	f.draw(false)
}

// ComputedSLO counts one more SLO computed and redraws the progress line.
func (f *Log) ComputedSLO() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.computed++
	f.draw(f.computed == f.slos)
}

// draw writes the progress line, at most ten times a second unless final.
// The caller holds mu.
func (f *Log) draw(final bool) {
	if !f.progress || (!final && time.Since(f.drawn) < 100*time.Millisecond) {
		return
	}
	f.drawn, f.open = time.Now(), true
	if f.planned > 0 {
		fmt.Fprintf(f.log, "\rfetching: %d/%d queries, %s points, %s · ", f.done, f.planned, count(f.points), time.Since(f.began).Round(100*time.Millisecond))
	} else {
		fmt.Fprint(f.log, "\r")
	}
	fmt.Fprintf(f.log, "%s: %d/%d", f.stage, f.computed, f.slos)
}

// Finish ends the progress line and, with -v, sums up the fetching.
func (f *Log) Finish() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.open {
		fmt.Fprintln(f.log)
		f.open = false
	}
	if f.verbose == nil || f.done == 0 {
		return
	}
	elapsed := time.Since(f.began)
	waiting := union(f.spans)
	fmt.Fprintf(f.verbose, "fetched %d queries (%d from the store, %d from the cache), %s points; of %s fetching and computing, %s (%.0f %%) waiting for the stores to answer, the rest in relia (reading answers, computing)\n",
		f.done, f.done-f.cached, f.cached, count(f.points), elapsed.Round(time.Millisecond),
		waiting.Round(time.Millisecond), 100*waiting.Seconds()/max(elapsed.Seconds(), 1e-9))
}

// union is the time covered by at least one span.
func union(spans [][2]time.Time) time.Duration {
	slices.SortFunc(spans, func(a, b [2]time.Time) int { return a[0].Compare(b[0]) })
	var total time.Duration
	var cur [2]time.Time
	for i, s := range spans {
		switch {
		case i == 0:
			cur = s
		case !s[0].After(cur[1]):
			if s[1].After(cur[1]) {
				cur[1] = s[1]
			}
		default:
			total += cur[1].Sub(cur[0])
			cur = s
		}
	}
	if len(spans) > 0 {
		total += cur[1].Sub(cur[0])
	}
	return total
}

// count prints a number of points compactly: 950, 12.3k, 4.5M.
func count(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	case n >= 1_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
