package config

import (
	"net/url"
	"path/filepath"
	"strings"
)

// Deploy is the `[deploy]` table: the object store relia deploy uploads
// the built site to. Credentials are never part of it: each cloud's SDK
// reads them from the environment.
type Deploy struct {
	Target string // a gocloud.dev/blob URL: s3://, gs://, azblob://, file://
	Line   int    // line of the target key; 0 when there is no [deploy] table
}

// Archive is the `[archive]` table: a folder, kept between CI runs, that
// holds every settled chunk of metric history fetched so far, so that a
// report can reach further back than the store's retention.
type Archive struct {
	Dir  string // resolved against the site root by the caller (Config.Dir)
	Line int    // line of the dir key
}

type rawDeploy struct {
	Target string `toml:"target"`
}

type rawArchive struct {
	Dir string `toml:"dir"`
}

// deploySchemes are the blob drivers relia deploy links in.
var deploySchemes = []string{"s3", "gs", "azblob", "file"}

func (v *validator) deploy(r *rawDeploy) Deploy {
	if r == nil {
		return Deploy{}
	}
	d := Deploy{Target: r.Target, Line: v.lines.line("deploy.target")}
	if d.Line == 0 {
		d.Line = v.lines.line("deploy")
	}
	if r.Target == "" {
		v.fail("deploy", "deploy.target", `expected the URL of a bucket, e.g. "s3://my-bucket/sre?region=eu-central-1" or "file:///srv/www/sre"`)
		return d
	}
	u, err := url.Parse(r.Target)
	if err != nil || u.Scheme == "" {
		v.fail("deploy.target", "deploy.target", "expected a URL with one of the schemes %s, got %q", strings.Join(deploySchemes, "://, ")+"://", r.Target)
		return d
	}
	known := false
	for _, s := range deploySchemes {
		known = known || u.Scheme == s
	}
	if !known {
		v.fail("deploy.target", "deploy.target", "unknown scheme %q; expected one of %s", u.Scheme, strings.Join(deploySchemes, "://, ")+"://")
	}
	if u.User != nil {
		v.fail("deploy.target", "deploy.target", "credentials in the URL are not allowed; they come from the environment (AWS_ACCESS_KEY_ID, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_KEY, ...)")
	}
	for k := range u.Query() {
		if lk := strings.ToLower(k); lk == "sig" || strings.Contains(lk, "secret") || strings.Contains(lk, "access_key") || strings.Contains(lk, "accesskey") || strings.Contains(lk, "token") || strings.Contains(lk, "password") {
			v.fail("deploy.target", "deploy.target", "parameter %q looks like a credential; credentials come from the environment, never from relia.toml", k)
		}
	}
	return d
}

func (v *validator) archive(r *rawArchive) Archive {
	if r == nil {
		return Archive{}
	}
	a := Archive{Dir: r.Dir, Line: v.lines.line("archive.dir")}
	if strings.TrimSpace(r.Dir) == "" {
		v.fail("archive", "archive.dir", `expected a folder, relative to relia.toml, e.g. "history"`)
		return a
	}
	a.Dir = filepath.FromSlash(r.Dir)
	return a
}
