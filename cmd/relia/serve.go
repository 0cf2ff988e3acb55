package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"

	"github.com/relia-dev/relia/internal/serve"
	"github.com/relia-dev/relia/internal/site"
)

const serveHelp = `Usage: relia serve [flags]

Builds the site and serves it for preview, by default on
http://127.0.0.1:1313/ (this machine only). It watches relia.toml,
content/, templates/, the snapshots, imported SLO specs and chaos logs,
rebuilds on every change and reloads the open pages. A failed rebuild
keeps the last good site online and shows the error on every page.

Metric history fetched from Prometheus is kept between rebuilds: editing
Markdown does not query the store again. The pages are built into a
temporary folder, removed on exit; public/ is left alone.
`

// runServe is "relia serve".
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", serveHelp, args, stdout, stderr)
	var (
		configPath = fs.String("config", "relia.toml", "the site's configuration `file`")
		bind       = fs.String("bind", "127.0.0.1", "`address` to listen on; 0.0.0.0 shares the preview with your network")
		port       = fs.Int("port", 1313, "`port` to listen on; 0 picks a free one")
		nowText    = fs.String("now", "", "report `time` (RFC 3339), as for relia build; default: as for relia build, at each rebuild")
		drafts     = fs.Bool("drafts", false, "include pages marked draft = true")
	)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *port < 0 || *port > 65535 {
		return &usageError{msg: fmt.Sprintf("--port: expected 0 to 65535, got %d", *port)}
	}
	now, err := parseNow(*nowText)
	if err != nil {
		return err
	}
	srv, err := serve.New(serve.Options{
		Addr:  net.JoinHostPort(*bind, strconv.Itoa(*port)),
		Build: site.Options{ConfigPath: *configPath, Now: now, Drafts: *drafts},
		Log:   stderr,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Serving %s at %s\nPress Ctrl+C to stop\n", *configPath, srv.URL())
	if err := srv.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "stopped")
	return nil
}
