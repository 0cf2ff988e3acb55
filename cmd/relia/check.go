package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/site"
)

const checkHelp = `Usage: relia check [flags]

Checks the site without writing it. Everything a build checks: relia.toml
and the SLO specs it imports, content, chart blocks, chaos logs, templates
and metric history; then what a build lets pass: links between pages that
lead nowhere, overdue action items, retrospectives without actions, SLOs
without data or with so little traffic that their alerts are noise, and
burn episodes that no retrospective covers.

Prints one "file:line: key: message" per problem on stdout; warnings read
"file:line: warning: key: message". --format json prints each problem
with its file, line (0: the whole file), key ("" when none), severity
and message, the values the readers reported.

Exit codes: 0 no errors (warnings are allowed unless --strict), 1 errors
found, 2 bad usage, 3 a metric source could not be reached.
`

// runCheck is "relia check".
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", checkHelp, args, stdout, stderr)
	var (
		configPath = fs.String("config", "relia.toml", "the site's configuration `file`")
		nowText    = fs.String("now", "", "report `time` (RFC 3339), as for relia build")
		drafts     = fs.Bool("drafts", false, "also check pages marked draft = true")
		format     = fs.String("format", "text", "output `format`: text or json")
		strict     = fs.Bool("strict", false, "exit 1 on warnings too")
	)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return &usageError{msg: fmt.Sprintf("--format: expected text or json, got %q", *format)}
	}
	now, err := parseNow(*nowText)
	if err != nil {
		return err
	}
	rep, err := site.Check(ctx, site.Options{ConfigPath: *configPath, Now: now, Drafts: *drafts})
	if err != nil {
		return err
	}
	errs, warns := rep.Errors(), rep.Warnings()
	switch *format {
	case "json":
		doc := struct {
			Problems []diag.Error `json:"problems"`
			Errors   int          `json:"errors"`
			Warnings int          `json:"warnings"`
			SLOs     int          `json:"slos"`
			Pages    int          `json:"pages"`
		}{Problems: rep.Problems, Errors: errs, Warnings: warns, SLOs: rep.SLOs, Pages: rep.Pages}
		if doc.Problems == nil {
			doc.Problems = []diag.Error{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return err
		}
	default:
		for _, p := range rep.Problems {
			fmt.Fprintln(stdout, p.Text())
		}
	}
	summary := fmt.Sprintf("%s, %s", plural(errs, "error"), plural(warns, "warning"))
	switch {
	case errs > 0:
		return errors.New("check: " + summary)
	case warns > 0 && *strict:
		return errors.New("check: " + summary + " (--strict)")
	case warns > 0:
		fmt.Fprintf(stderr, "relia check: %s\n", summary)
	default:
		fmt.Fprintf(stderr, "relia check: no problems in %s and %s\n", plural(rep.SLOs, "SLO"), plural(rep.Pages, "page"))
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
