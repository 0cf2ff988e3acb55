package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/relia-dev/relia/internal/site"
)

const snapshotHelp = `Usage: relia snapshot --source NAME --out FILE.json.gz [flags]

Records the metric history every SLO of one source needs, in relia's
snapshot format (gzip-compressed when FILE ends in .gz), so a review can be
rebuilt offline or attached to a ticket: point a [sources.NAME] table with
type = "snapshot" at the file and build with the same --now.
`

// runSnapshot is "relia snapshot".
func runSnapshot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("snapshot", snapshotHelp, args, stdout, stderr)
	var (
		configPath = fs.String("config", "relia.toml", "the site's configuration `file`")
		source     = fs.String("source", "", "the `name` of the [sources.NAME] table to record (required)")
		out        = fs.String("out", "", "snapshot `file` to write, .json or .json.gz (required); replaced only once complete")
		nowText    = fs.String("now", "", "report `time` (RFC 3339, e.g. 2026-11-23T00:00:00Z), rounded down to the step;\nwritten as recorded_at (default: now)")
		quiet      = fs.Bool("q", false, "print nothing but errors")
		verbose    = fs.Bool("v", false, "log each metric query (selector, range, points, time, cache hit) to stderr")
		noCache    = fs.Bool("no-cache", false, "fetch all metric history from the store, ignoring .relia/cache/")
	)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *source == "":
		return &usageError{msg: `snapshot: --source NAME is required; see "relia help snapshot"`}
	case *out == "":
		return &usageError{msg: `snapshot: --out FILE.json.gz is required; see "relia help snapshot"`}
	case *quiet && *verbose:
		return &usageError{msg: "-q and -v cannot be used together"}
	}
	opts := site.RecordOptions{ConfigPath: *configPath, Source: *source, Out: *out, NoCache: *noCache}
	now, err := parseNow(*nowText)
	if err != nil {
		return err
	}
	opts.Now = now
	log := stderr
	if *quiet {
		log = io.Discard
	}
	opts.Log = log
	if *verbose {
		opts.Verbose = stderr
	}
	opts.Progress = !*quiet && isTerminalWriter(stderr)
	res, err := site.Record(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "recorded %d SLOs of source %q into %s (recorded_at %s)\n", res.SLOs, *source, res.Out, res.Now.Format(time.RFC3339))
	return nil
}
