package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relia-dev/relia/internal/api"
	"github.com/relia-dev/relia/internal/render"
	"github.com/relia-dev/relia/internal/site"
	"github.com/relia-dev/relia/internal/slo"
)

const statusHelp = `Usage: relia status [flags]

Prints every SLO at the report time: status, compliance (SLI) against the
objective, error budget remaining and the 1h, 6h and 3d burn rates. It
computes what relia build computes and writes nothing.

--format markdown prints a table to paste into a chat or a pull request;
--format json prints, for scripts, the document the site publishes as
api/v1/slos.json (docs/api.md): every figure of every SLO and chaos run,
fractions 0..1, null where undefined. Colour is used only when stdout is a terminal and
NO_COLOR is not set.
`

// runStatus is "relia status".
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("status", statusHelp, args, stdout, stderr)
	var (
		configPath = fs.String("config", "relia.toml", "the site's configuration `file`")
		nowText    = fs.String("now", "", "report `time` (RFC 3339), as for relia build")
		drafts     = fs.Bool("drafts", false, "count draft retrospectives as covering burn episodes")
		format     = fs.String("format", "text", "output `format`: text, markdown or json")
	)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "markdown" && *format != "json" {
		return &usageError{msg: fmt.Sprintf("--format: expected text, markdown or json, got %q", *format)}
	}
	now, err := parseNow(*nowText)
	if err != nil {
		return err
	}
	res, err := site.Compute(ctx, site.Options{ConfigPath: *configPath, Now: now, Drafts: *drafts, Log: stderr})
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		return statusJSON(stdout, res)
	case "markdown":
		statusMarkdown(stdout, res)
	default:
		statusTable(stdout, res, useColour(stdout))
	}
	return nil
}

var burnLabels = []string{"1h", "6h", "3d"}

// statusRow is one SLO as text: the same cells for the table and Markdown.
func statusRow(s site.SLOStatus) []string {
	r := s.Report
	row := []string{s.SLO.ID(), r.Status, render.Percent(r.SLI, 3), fmt.Sprintf("%g%%", s.SLO.Objective), s.SLO.Window.String(), render.Percent(r.Budget.Remaining, 1)}
	for _, l := range burnLabels {
		row = append(row, render.Burn(r.BurnRate(l)))
	}
	note := []string{}
	if n := len(s.NeedsRetro); n > 0 {
		note = append(note, plural(n, "episode")+" without a retrospective")
	}
	if s.LowTraffic != "" {
		note = append(note, "low traffic")
	}
	return append(row, strings.Join(note, "; "))
}

var statusHeader = []string{"SLO", "STATUS", "SLI", "OBJECTIVE", "WINDOW", "BUDGET LEFT", "BURN 1H", "BURN 6H", "BURN 3D", "NOTE"}

// statusColours are ANSI SGR codes per status.
var statusColours = map[string]string{
	slo.StatusHealthy: "32", slo.StatusAtRisk: "33", slo.StatusExhausted: "1;31", slo.StatusNoData: "2",
}

func statusTable(w io.Writer, res *site.Computed, colour bool) {
	rows := [][]string{statusHeader}
	for _, s := range res.SLOs {
		rows = append(rows, statusRow(s))
	}
	widths := make([]int, len(statusHeader))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for n, row := range rows {
		var b strings.Builder
		for i, c := range row {
			cell := c + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i == len(row)-1 {
				cell = c
			}
			switch {
			case colour && n == 0:
				cell = "\x1b[1m" + cell + "\x1b[0m"
			case colour && i == 1 && statusColours[c] != "":
				cell = "\x1b[" + statusColours[c] + "m" + cell + "\x1b[0m"
			}
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(cell)
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	fmt.Fprintf(w, "\nreport time %s\n", res.Now.Format(time.RFC3339))
}

func statusMarkdown(w io.Writer, res *site.Computed) {
	head := make([]string, len(statusHeader))
	for i, h := range statusHeader {
		head[i] = strings.ToUpper(h[:1]) + strings.ToLower(h[1:])
	}
	head[0], head[2] = "SLO", "SLI"
	fmt.Fprintf(w, "| %s |\n", strings.Join(head, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(head)))
	for _, s := range res.SLOs {
		row := statusRow(s)
		row[0] = "`" + row[0] + "`"
		if s.Report.Status != slo.StatusHealthy {
			row[1] = "**" + row[1] + "**"
		}
		for i, c := range row {
			row[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
	fmt.Fprintf(w, "\nReport time %s.\n", res.Now.Format(time.RFC3339))
}

// statusJSON prints what api/v1/slos.json holds for the same inputs: one
// document and one schema (docs/api.md).
func statusJSON(w io.Writer, res *site.Computed) error {
	data, err := api.Encode(res.API)
	if err != nil {
		return fmt.Errorf("encode status: %w", err)
	}
	_, err = w.Write(data)
	return err
}

// useColour: only for a person at a terminal who has not opted out.
func useColour(w io.Writer) bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminalWriter(w)
}
