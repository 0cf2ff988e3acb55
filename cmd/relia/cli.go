package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
	"github.com/relia-dev/relia/internal/site"
)

// Exit codes, documented in `relia help` and docs/commands.md.
const (
	exitOK          = 0
	exitInput       = 1 // the inputs are wrong; the message says where
	exitUsage       = 2
	exitUnreachable = 3 // a metric source could not be reached
)

const usage = `relia builds a static reliability-report site from SLO definitions,
metric history and Markdown retrospectives.

Usage:
  relia <command> [flags]

Commands:
%s
Exit codes:
  0  done: the site was built, or relia check found no errors
  1  the inputs are wrong (relia.toml, content, snapshots): the message names file and line
  2  bad usage: unknown command or flag
  3  a metric source could not be reached
  130, 143  interrupted by Ctrl+C (SIGINT) or SIGTERM; temporary folders are removed

Start with the demo: "relia build", then open public/index.html.
`

// usageError is a mistake in the command line; it exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// command is one sub-command. run gets the arguments after the command
// name; "-h" among them prints the command's help to stdout.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists every sub-command; each lives in its own file.
var commands = []command{
	{"build", "build the site into public/ (run in the folder holding relia.toml)", runBuild},
	{"serve", "preview the site on http://127.0.0.1:1313/, rebuilt and reloaded on every change", runServe},
	{"check", "check relia.toml, content, links and action items without writing the site", runCheck},
	{"status", "print every SLO's status, compliance, budget and burn rates", runStatus},
	{"new", `create a page: relia new retro|chaos|review "Title"`, runNew},
	{"snapshot", "record the metric history of one source to a snapshot file", runSnapshot},
	{"init", "create a new site in an empty folder: relia init [DIR] --prometheus URL", runInit},
	{"deploy", "upload the built site to a bucket (S3, GCS, Azure, folder): only what changed", runDeploy},
	{"version", "print the version, commit and build time", runVersion},
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText())
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			if c, ok := lookup(rest[0]); ok {
				return report(c.run(ctx, []string{"-h"}, stdout, stderr), stderr)
			}
		}
		fmt.Fprint(stdout, usageText())
		return exitOK
	case "--version":
		cmd = "version"
	}
	c, ok := lookup(cmd)
	if !ok {
		return report(&usageError{msg: fmt.Sprintf("unknown command %q; run \"relia help\" for the list", cmd)}, stderr)
	}
	err := c.run(ctx, rest, stdout, stderr)
	// Stopped by a signal: whatever the command was doing when its context
	// ended (often reading a file named in relia.toml) is not the problem.
	var in *interrupted
	if err != nil && errors.As(context.Cause(ctx), &in) {
		fmt.Fprintln(stderr, "relia: interrupted")
		return in.exitCode()
	}
	return report(err, stderr)
}

func usageText() string {
	var b strings.Builder
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(&b, "  %-9s %s\n", "help", `show this help, or "relia help COMMAND" for a command's flags`)
	return fmt.Sprintf(usage, b.String())
}

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "Usage: relia version\n\nPrints the version of relia.\n", args, stdout, stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "relia", versionLine())
	return nil
}

// versionLine is the module version, the commit and its time, from the
// build info Go stamps into every binary (go install, go build and go run
// alike; a module fetched by go install has a version but no VCS stamp).
func versionLine() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown: built without module information)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	line := v
	if rev != "" {
		line += fmt.Sprintf(" (commit %s%s, %s)", rev, dirty, at)
	}
	return line + " " + info.GoVersion
}

// newFlagSet makes a command's flag set. Help that was asked for (-h) goes
// to stdout; a flag mistake goes to stderr with the usage.
func newFlagSet(name, help string, args []string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" || a == "--h" {
			fs.SetOutput(stdout)
		}
	}
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), help)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprint(fs.Output(), "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args and turns flag mistakes into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("%s takes no arguments, got %q; see \"relia help %s\"", fs.Name(), fs.Args(), fs.Name())}
	}
	return nil
}

// report prints err and picks the exit code for it.
func report(err error, stderr io.Writer) int {
	var ue *usageError
	var ie *site.InputError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "relia:", ue.msg)
		return exitUsage
	case errors.Is(err, metrics.ErrUnreachable), errors.As(err, new(*unreachableError)):
		fmt.Fprintln(stderr, "relia:", err)
		return exitUnreachable
	case errors.As(err, &ie):
		fmt.Fprintln(stderr, strings.TrimRight(ie.Error(), "\n"))
		fmt.Fprintln(stderr, "relia: nothing was written")
		return exitInput
	default:
		fmt.Fprintln(stderr, "relia:", err)
		return exitInput
	}
}

// isTerminalWriter reports whether w is a terminal: progress lines are for
// people watching, not for CI logs.
func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// parseNow reads a --now flag: empty, or an RFC 3339 time.
func parseNow(text string) (time.Time, error) {
	if text == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		return time.Time{}, &usageError{msg: fmt.Sprintf("--now: expected an RFC 3339 time such as 2026-11-23T00:00:00Z, got %q", text)}
	}
	if err := metrics.CheckTime(t); err != nil {
		return time.Time{}, &usageError{msg: fmt.Sprintf("--now %s: %v", text, err)}
	}
	return t, nil
}
