package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/deploy"
)

const deployHelp = `Usage: relia deploy [flags]

Uploads the built site (public/) to the bucket named by [deploy] target in
relia.toml: s3://, gs://, azblob:// or file://. Only files whose content
changed are uploaded; assets go first, then pages, index.html last; files
no longer in the site are deleted only after every upload succeeded.
Credentials come from the environment, as each cloud's SDK reads them.

Exit codes: 0 deployed, 1 the inputs are wrong or an upload failed (the old
site stays readable), 2 bad usage, 3 the target could not be reached.
`

// runDeploy is "relia deploy".
func runDeploy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("deploy", deployHelp, args, stdout, stderr)
	var (
		configPath = fs.String("config", "relia.toml", "the site's configuration `file`")
		dir        = fs.String("dir", "public", "the built site's `folder`")
		target     = fs.String("target", "", "bucket `URL`, overriding [deploy] target")
		dryRun     = fs.Bool("dry-run", false, "print the plan and change nothing")
		quiet      = fs.Bool("q", false, "print nothing but errors")
	)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	url := *target
	if url == "" {
		cfg, err := config.Load(*configPath)
		if err != nil {
			return err
		}
		if cfg.Deploy.Target == "" {
			return fmt.Errorf("deploy: %s has no [deploy] table; add one with target = \"s3://BUCKET?region=REGION\" (or gs://, azblob://, file://), or pass --target", *configPath)
		}
		url = cfg.Deploy.Target
		if !filepath.IsAbs(*dir) && *dir == "public" {
			*dir = filepath.Join(cfg.Dir, "public")
		}
	}
	log := stdout
	if *quiet {
		log = io.Discard
	}
	plan, err := deploy.Run(ctx, deploy.Options{Site: *dir, Target: url, DryRun: *dryRun, Log: log})
	if errors.Is(err, deploy.ErrUnreachable) {
		return &unreachableError{err}
	}
	if err != nil {
		return err
	}
	if *dryRun {
		for _, f := range plan.Upload {
			fmt.Fprintf(stdout, "upload %s (%d bytes, %s, %s)\n", f.Key, f.Size, f.ContentType, f.CacheControl)
		}
		for _, k := range plan.Delete {
			fmt.Fprintf(stdout, "delete %s\n", k)
		}
		fmt.Fprintf(stdout, "dry run: %d to upload, %d to delete, %d unchanged\n", len(plan.Upload), len(plan.Delete), plan.Unchanged)
		return nil
	}
	fmt.Fprintf(log, "deployed: %d uploaded, %d deleted, %d unchanged\n", len(plan.Upload), len(plan.Delete), plan.Unchanged)
	return nil
}

// unreachableError exits 3.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return e.err.Error() }
func (e *unreachableError) Unwrap() error { return e.err }
