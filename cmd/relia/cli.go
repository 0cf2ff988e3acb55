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

// Exit codes, documented in `relia help` and the README.
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
  build     build the site into public/ (run in the folder holding relia.toml)
  version   print the version
  help      show this help, or "relia help build" for a command's flags

Exit codes:
  0  the site was built
  1  the inputs are wrong (relia.toml, content, snapshots): the message names file and line
  2  bad usage: unknown command or flag
  3  a metric source could not be reached

Start with the demo: "relia build", then open public/index.html.
`

// usageError is a mistake in the command line; it exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "build":
		err = runBuild(ctx, rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "relia", version())
		return exitOK
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 && rest[0] == "build" {
			_ = runBuild(ctx, []string{"-h"}, stdout, stderr)
			return exitOK
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		err = &usageError{msg: fmt.Sprintf("unknown command %q; run \"relia help\" for the list", cmd)}
	}
	return report(err, stderr)
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
	case errors.Is(err, metrics.ErrUnreachable):
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

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	// Help asked for goes to stdout; a flag mistake goes to stderr with it.
	fs.SetOutput(stderr)
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" || a == "--h" {
			fs.SetOutput(stdout)
		}
	}
	var (
		configPath = fs.String("config", "relia.toml", "the site's configuration `file`; content/ and templates/ are read beside it")
		outDir     = fs.String("out", "public", "output `folder`; replaced whole, and only once the build has succeeded")
		nowText    = fs.String("now", "", "report `time` (RFC 3339, e.g. 2026-11-23T00:00:00Z), rounded down to the step;\ndefault: the snapshots' recording time when every source is a snapshot, else now")
		baseURL    = fs.String("base-url", "", "override base_url from the configuration, e.g. https://intra.example/sre/")
		drafts     = fs.Bool("drafts", false, "include pages marked draft = true")
		quiet      = fs.Bool("q", false, "print nothing but errors")
	)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: relia build [flags]

Builds the site described by relia.toml into public/. The same inputs and
--now always give byte-identical output. A failed build leaves the previous
public/ untouched.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("build takes no arguments, got %q; see \"relia help build\"", fs.Args())}
	}
	opts := site.Options{ConfigPath: *configPath, Out: *outDir, BaseURL: *baseURL, Drafts: *drafts}
	if *nowText != "" {
		t, err := time.Parse(time.RFC3339, *nowText)
		if err != nil {
			return &usageError{msg: fmt.Sprintf("--now: expected an RFC 3339 time such as 2026-11-23T00:00:00Z, got %q", *nowText)}
		}
		opts.Now = t
	}
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

func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
