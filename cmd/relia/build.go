package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/site"
)

const buildHelp = `Usage: relia build [flags]

Builds the site described by relia.toml into public/. The same inputs and
--now always give byte-identical output. A failed build leaves the previous
public/ untouched.

Warnings (a chaos log relia cannot read or place in time, a run id used
twice, a metric store's warning about a selector) are printed as
"warning: file:line: message" and the build goes on; with --strict they
fail it.

Exit codes: 0 built, 1 the inputs are wrong (or warnings with --strict),
2 bad usage, 3 a metric source could not be reached, 130/143 interrupted
(SIGINT/SIGTERM; the temporary folder is removed).
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
		strict     = fs.Bool("strict", false, "fail (exit 1, nothing written) on warnings too, such as a chaos log relia cannot read or place in time")
		printPDF   = fs.Bool("pdf", false, "also print the executive summary, each month page and the latest complete weekly review to PDF\n(with Chromium: $RELIA_CHROMIUM, the Debian package chromium, or chromium/google-chrome in PATH;\nwithout one, a warning and the site without PDFs)")
	)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *quiet && *verbose {
		return &usageError{msg: "-q and -v cannot be used together"}
	}
	if *baseURL != "" {
		if err := config.CheckBaseURL(*baseURL); err != nil {
			return &usageError{msg: "--base-url: " + err.Error()}
		}
	}
	opts := site.Options{ConfigPath: *configPath, Out: *outDir, BaseURL: *baseURL, Drafts: *drafts, NoCache: *noCache, Strict: *strict, PDF: *printPDF}
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
