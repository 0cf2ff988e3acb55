package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/scaffold"
)

const initHelp = `Usage: relia init [DIR] [flags]

Creates a new site in DIR (default: the current folder), which must be
empty: relia.toml reading the Prometheus at --prometheus, a first review
note, an example retrospective (draft), a .gitignore, and CI recipes for a
weekly build (GitHub Actions, GitLab Pages, cron + nginx). --from brings
Sloth, OpenSLO or Pyrra specs along as slo_files. No file is ever
overwritten; --force adds the missing files to a non-empty folder.

Then: relia check (what is still missing), relia build, relia deploy.
`

// runInit is "relia init".
func runInit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("init", initHelp, args, stdout, stderr)
	var (
		prom     = fs.String("prometheus", "http://127.0.0.1:9090", "base `URL` of the Prometheus-API store (Prometheus, Thanos, Mimir, VictoriaMetrics)")
		from     = fs.String("from", "", "a `file or folder` of Sloth, OpenSLO or Pyrra SLO specs to use instead of the example SLO")
		title    = fs.String("title", "Reliability", "the site's `title`")
		timezone = fs.String("timezone", "UTC", "IANA `zone` of the site: weeks, the Monday 06:00 schedule, displayed times")
		force    = fs.Bool("force", false, "write into a non-empty folder (never overwriting a file)")
	)
	// DIR may come before or after the flags.
	dir := "."
	if err := fs.Parse(args); err != nil {
		return parseFlags(fs, args)
	}
	if rest := fs.Args(); len(rest) > 0 {
		dir = rest[0]
		if err := parseFlags(fs, rest[1:]); err != nil {
			return err
		}
	}
	res, err := scaffold.Init(scaffold.Options{
		Dir: dir, Title: *title, Timezone: *timezone, Prometheus: *prom, From: *from, Force: *force,
		Now: time.Now(), Module: modulePath(), Version: moduleVersion(),
	})
	if errors.Is(err, scaffold.ErrNotEmpty) {
		return &usageError{msg: err.Error()}
	}
	if err != nil {
		return err
	}
	for _, f := range res.Written {
		fmt.Fprintln(stdout, "created", filepath.Join(dir, filepath.FromSlash(f)))
	}
	for _, f := range res.Kept {
		fmt.Fprintln(stdout, "kept   ", filepath.Join(dir, filepath.FromSlash(f)), "(exists)")
	}
	// The specs brought along are checked now, not at the first build.
	cfg, err := config.Load(filepath.Join(dir, "relia.toml"))
	if err != nil {
		return fmt.Errorf("%w\nthe site was written; fix the lines above and run relia check", err)
	}
	fmt.Fprintf(stdout, "\nA site with %d SLOs reading %s. Next:\n", len(cfg.SLOs), cfg.Sources["prod"].URL)
	if dir != "." {
		fmt.Fprintf(stdout, "  cd %s\n", dir)
	}
	fmt.Fprint(stdout, "  relia check      # what is still missing, e.g. an SLO without data\n  relia build      # the site, into public/\n  relia serve      # preview it on http://127.0.0.1:1313/\n")
	return nil
}

func modulePath() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Path != "" {
		return info.Main.Path
	}
	return "github.com/relia-dev/relia"
}

func moduleVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		return info.Main.Version
	}
	return ""
}
