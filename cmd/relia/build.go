package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/relia-dev/relia/internal/site"
)

const buildHelp = `Usage: relia build [flags]

Builds the site described by relia.toml into public/. The same inputs and
--now always give byte-identical output. A failed build leaves the previous
public/ untouched.
`

// runBuild is "relia build".
func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("build", buildHelp, args, stdout, stderr)
	var (
		configPath = fs.String("config", "relia.toml", "the site's configuration `file`; content/ and templates/ are read beside it")
		outDir     = fs.String("out", "public", "output `folder`; replaced whole, and only once the build has succeeded")
		nowText    = fs.String("now", "", "report `time` (RFC 3339, e.g. 2026-11-23T00:00:00Z), rounded down to the step;\ndefault: the snapshots' recording time when every source is a snapshot, else now")
		baseURL    = fs.String("base-url", "", "override base_url from the configuration, e.g. https://intra.example/sre/")
		drafts     = fs.Bool("drafts", false, "include pages marked draft = true")
		quiet      = fs.Bool("q", false, "print nothing but errors")
		verbose    = fs.Bool("v", false, "log each metric query (selector, range, points, time, cache hit) to stderr")
		noCache    = fs.Bool("no-cache", false, "fetch all metric history from the stores, ignoring .relia/cache/")
	)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *quiet && *verbose {
		return &usageError{msg: "-q and -v cannot be used together"}
	}
	opts := site.Options{ConfigPath: *configPath, Out: *outDir, BaseURL: *baseURL, Drafts: *drafts, NoCache: *noCache}
	if *verbose {
		opts.Verbose = stderr
	}
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
	opts.Progress = !*quiet && isTerminalWriter(stderr)
	res, err := site.Build(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "built %d pages for %d SLOs into %s (report time %s)\n", res.Pages, res.SLOs, res.Out, res.Now.Format(time.RFC3339))
	return nil
}
