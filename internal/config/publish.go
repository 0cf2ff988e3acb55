package config

import (
	"net/url"
	"path/filepath"
	"slices"
	"strings"
)

// Deploy is the `[deploy]` table: the object store relia deploy uploads
// the built site to. Credentials are never part of it: each cloud's SDK
// reads them from the environment.
type Deploy struct {
	Target string // a gocloud.dev/blob URL: s3://, gs://, azblob://, file://
	Line   int    // line of the target key; 0 when there is no [deploy] table
}

// Archive is the `[archive]` table: a folder or a bucket, kept between CI
// runs, that holds every settled chunk of metric history fetched so far,
// so that a report can reach further back than the store's retention.
// Exactly one of Dir and URL is set when the table is present.
type Archive struct {
	Dir  string // resolved against the site root by the caller (Config.Dir)
	URL  string // a gocloud.dev/blob URL: s3://, gs://, azblob://, file://
	Line int    // line of the dir or url key
}

// Key is the name of the key that says where the archive is, for messages.
func (a Archive) Key() string {
	if a.URL != "" {
		return "archive.url"
	}
	return "archive.dir"
}

type rawDeploy struct {
	Target string `toml:"target"`
}

type rawArchive struct {
	Dir string `toml:"dir"`
	URL string `toml:"url"`
}

// blobSchemes are the gocloud.dev/blob drivers relia links in, for relia
// deploy and the archive alike.
var blobSchemes = []string{"s3", "gs", "azblob", "file"}

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
	v.bucketURL("deploy.target", r.Target)
	return d
}

// bucketURL checks a gocloud.dev/blob URL: a scheme relia links in, and no
// credential anywhere in it (relia.toml is committed; the SDKs read
// credentials from the environment).
func (v *validator) bucketURL(key, raw string) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		v.fail(key, key, "expected a URL with one of the schemes %s, got %q", strings.Join(blobSchemes, "://, ")+"://", raw)
		return
	}
	known := false
	for _, s := range blobSchemes {
		known = known || u.Scheme == s
	}
	if !known {
		v.fail(key, key, "unknown scheme %q; expected one of %s", u.Scheme, strings.Join(blobSchemes, "://, ")+"://")
	}
	if u.User != nil {
		v.fail(key, key, "credentials in the URL are not allowed; they come from the environment (AWS_ACCESS_KEY_ID, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_KEY, ...)")
	}
	names := make([]string, 0, len(u.Query()))
	for k := range u.Query() {
		names = append(names, k)
	}
	slices.Sort(names) // one error per parameter, in a stable order
	for _, k := range names {
		if lk := strings.ToLower(k); lk == "sig" || strings.Contains(lk, "secret") || strings.Contains(lk, "access_key") || strings.Contains(lk, "accesskey") || strings.Contains(lk, "token") || strings.Contains(lk, "password") {
			v.fail(key, key, "parameter %q looks like a credential; credentials come from the environment, never from relia.toml", k)
		}
	}
}

func (v *validator) archive(r *rawArchive) Archive {
	if r == nil {
		return Archive{}
	}
	switch {
	case r.Dir != "" && r.URL != "":
		v.fail("archive.url", "archive.url", "both dir and url are set; keep one (the archive is a folder or a bucket)")
		return Archive{}
	case r.URL != "":
		v.bucketURL("archive.url", r.URL)
		return Archive{URL: r.URL, Line: v.lines.line("archive.url")}
	}
	a := Archive{Dir: r.Dir, Line: v.lines.line("archive.dir")}
	if strings.TrimSpace(r.Dir) == "" {
		v.fail("archive.dir", "archive", `expected dir = "history" (a folder, relative to relia.toml) or url = "s3://bucket/prefix?region=..." (a bucket)`)
		return a
	}
	a.Dir = filepath.FromSlash(r.Dir)
	return a
}
