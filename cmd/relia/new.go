package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"
	"time"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/content"
)

//go:embed newpages/*.md
var newPages embed.FS

const newHelp = `Usage: relia new retro|chaos|review "Title" [flags]

Creates a Markdown page with every front-matter field and the headings of
a good write-up, and prints its path:

  retro   content/retros/DATE-SLUG.md   an incident retrospective (draft)
  chaos   content/chaos/DATE-SLUG.md    a Chaos Day write-up (draft)
  review  content/reviews/YYYY-Www.md   notes for that ISO week's review

The slug comes from the title; dates and the week are in the site's time
zone. An existing file is never overwritten.
`

// runNew is "relia new".
func runNew(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("new", newHelp, args, stdout, stderr)
	var (
		configPath = flags.String("config", "relia.toml", "the site's configuration `file`; pages go into content/ beside it")
		dateText   = flags.String("date", "", "the incident's start or the Chaos Day, `YYYY-MM-DD` or RFC 3339; default now")
		week       = flags.String("week", "", "review only: the ISO `week`, such as 2026-W47; default the week of --date")
	)
	pos, err := parseInterleaved(flags, args)
	if err != nil {
		return err
	}
	kind, title, err := newKindTitle(pos, *week)
	if err != nil {
		return err
	}
	loc, sloExample, err := newSiteContext(*configPath, stderr)
	if err != nil {
		return err
	}
	at := time.Now().In(loc)
	if *dateText != "" {
		if at, err = parseDate(*dateText, loc); err != nil {
			return err
		}
	}
	at = at.Truncate(time.Minute)
	if kind == "review" && *week == "" {
		y, w := at.ISOWeek()
		*week = fmt.Sprintf("%d-W%02d", y, w)
	}

	file := newPagePath(filepath.Join(filepath.Dir(*configPath), "content"), kind, title, at, *week)
	data := struct {
		Title, Date, Day, Due, Clock, Timezone, Week, SLOExample string
	}{
		Title: tomlString(title), Date: at.Format(time.RFC3339), Day: at.Format("2006-01-02"),
		Due: at.AddDate(0, 0, 14).Format("2006-01-02"), Clock: at.Format("15:04"),
		Timezone: loc.String(), Week: *week, SLOExample: sloExample,
	}
	tmpl, err := template.ParseFS(newPages, "newpages/"+kind+".md")
	if err != nil {
		return err
	}
	var page bytes.Buffer
	if err := tmpl.Execute(&page, data); err != nil {
		return err
	}
	if err := createNew(file, page.Bytes()); err != nil {
		return err
	}
	fmt.Fprintln(stdout, file)
	if kind != "review" {
		fmt.Fprintln(stderr, `relia: created as a draft: preview with "relia serve --drafts", set draft = false to publish`)
	}
	return nil
}

// newKindTitle checks the positional arguments of relia new and --week.
func newKindTitle(pos []string, week string) (kind, title string, err error) {
	if len(pos) != 2 {
		return "", "", &usageError{msg: `new: expected a kind and a title, such as: relia new retro "Checkout 5xx after the 4.18 release"`}
	}
	kind, title = pos[0], strings.TrimSpace(pos[1])
	if kind != "retro" && kind != "chaos" && kind != "review" {
		return "", "", &usageError{msg: fmt.Sprintf("new: expected retro, chaos or review, got %q", kind)}
	}
	if title == "" {
		return "", "", &usageError{msg: "new: the title is empty"}
	}
	if week != "" && kind != "review" {
		return "", "", &usageError{msg: "new: --week is for reviews"}
	}
	if week != "" && !weekRe.MatchString(week) {
		return "", "", &usageError{msg: fmt.Sprintf("--week: expected an ISO week such as 2026-W47, got %q", week)}
	}
	return kind, title, nil
}

// newSiteContext returns the site's time zone and an SLO id to show in
// the page, when relia.toml reads; a broken one must not stop anybody from
// writing down an incident, so it only warns and falls back on UTC.
func newSiteContext(configPath string, stderr io.Writer) (*time.Location, string, error) {
	if _, err := os.Stat(configPath); err != nil {
		return nil, "", fmt.Errorf("new: %s not found; run relia in the folder that holds relia.toml, or pass --config FILE", configPath)
	}
	cfg, err := config.Load(configPath)
	if err != nil {
		fmt.Fprintf(stderr, "relia: %s has errors (see relia check); dates are in UTC\n", configPath)
		return time.UTC, `"service/name"`, nil
	}
	if len(cfg.SLOs) > 0 {
		return cfg.Location, fmt.Sprintf("%q", cfg.SLOs[0].ID()), nil
	}
	return cfg.Location, `"service/name"`, nil
}

// newPagePath is where a new page of kind goes under the content folder.
func newPagePath(dir, kind, title string, at time.Time, week string) string {
	switch kind {
	case "retro":
		return filepath.Join(dir, "retros", at.Format("2006-01-02")+"-"+content.ShortSlug(title)+".md")
	case "chaos":
		return filepath.Join(dir, "chaos", at.Format("2006-01-02")+"-"+content.ShortSlug(title)+".md")
	}
	return filepath.Join(dir, "reviews", week+".md")
}

// createNew writes a new page, and refuses to overwrite one: it may hold
// somebody's notes.
func createNew(file string, page []byte) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return fmt.Errorf("new: %w", err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("new: %s already exists; edit it, or choose another title", file)
	}
	if err != nil {
		return fmt.Errorf("new: %w", err)
	}
	if _, err := f.Write(page); err != nil {
		f.Close()
		return fmt.Errorf("new: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("new: %w", err)
	}
	return nil
}

var weekRe = regexp.MustCompile(`^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$`)

// parseInterleaved parses flags that may come before, between or after
// the positional arguments, and returns those.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{msg: err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseDate reads --date: a day (midnight in loc) or an RFC 3339 time.
func parseDate(text string, loc *time.Location) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", text, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, text); err == nil {
		return t.In(loc), nil
	}
	return time.Time{}, &usageError{msg: fmt.Sprintf("--date: expected a day such as 2026-11-10 or an RFC 3339 time such as 2026-11-10T13:05:00Z, got %q", text)}
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
