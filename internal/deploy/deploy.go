// Package deploy publishes a built site to object storage through
// gocloud.dev/blob: S3 and S3-compatible stores, GCS, Azure Blob and a
// local folder. It uploads only what changed (by MD5, which every driver
// lists), assets before the pages that reference them and the home page
// last, and deletes what the site no longer has only after every upload
// succeeded, so a failure midway leaves the old site readable. It reads
// the built folder and never writes it; credentials are the drivers'
// business (each cloud's SDK reads its own environment).
package deploy

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob" // azblob://
	_ "gocloud.dev/blob/fileblob"  // file://
	_ "gocloud.dev/blob/gcsblob"   // gs://
	_ "gocloud.dev/blob/s3blob"    // s3://
	"gocloud.dev/gcerrors"
)

// ErrUnreachable marks a target that could not be opened or listed: the
// CLI exits 3 on it, as for a metric store.
var ErrUnreachable = errors.New("deploy target unreachable")

// Limits on what a site may hold: a deploy reads each file whole to hash it.
const (
	MaxFiles    = 200_000
	MaxFileSize = 256 << 20
)

// Cache-Control per kind: assets change only with relia's version and may
// be kept a day; pages change with every build.
const (
	CacheAssets = "public, max-age=86400"
	CachePages  = "public, max-age=300, must-revalidate"
)

// File is one file of the built site.
type File struct {
	Key          string // slash-separated, relative to the site root
	Size         int64
	MD5          []byte
	ContentType  string
	CacheControl string
}

// Plan is what a deploy does, in order: Upload (assets, then pages, the
// home page last), then Delete.
type Plan struct {
	Upload    []File
	Delete    []string
	Unchanged int
}

// Options of one deploy.
type Options struct {
	Site   string // the built site's folder
	Target string // a gocloud.dev/blob URL
	DryRun bool   // only compute the plan
	Log    io.Writer
}

// Run deploys opts.Site to opts.Target and returns the plan it carried out
// (or, with DryRun, would carry out).
func Run(ctx context.Context, opts Options) (*Plan, error) {
	local, err := Scan(opts.Site)
	if err != nil {
		return nil, err
	}
	b, err := blob.OpenBucket(ctx, opts.Target)
	if err != nil {
		return nil, fmt.Errorf("%w: open %s: %v", ErrUnreachable, redact(opts.Target), err)
	}
	defer b.Close()
	remote, err := list(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("%w: list %s: %v", ErrUnreachable, redact(opts.Target), err)
	}
	plan := Diff(local, remote)
	if opts.DryRun {
		return plan, nil
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	for _, f := range plan.Upload {
		if err := upload(ctx, b, opts.Site, f); err != nil {
			return plan, fmt.Errorf("upload %s: %w; the objects already in %s are unchanged or complete, nothing was deleted", f.Key, err, redact(opts.Target))
		}
		fmt.Fprintf(log, "uploaded %s\n", f.Key)
	}
	for _, k := range plan.Delete {
		if err := b.Delete(ctx, k); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return plan, fmt.Errorf("delete %s: %w", k, err)
		}
		fmt.Fprintf(log, "deleted %s\n", k)
	}
	return plan, nil
}

// Scan lists the files of a built site with their hashes and headers.
// relia's own marker file is not part of the site.
func Scan(dir string) ([]File, error) {
	if st, err := os.Stat(filepath.Join(dir, "index.html")); err != nil || st.IsDir() {
		return nil, fmt.Errorf("scan %s: no index.html: not a built site; run relia build first", dir)
	}
	var files []File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", p)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if key == ".relia-site" {
			return nil
		}
		if len(files) >= MaxFiles {
			return fmt.Errorf("more than %d files: split the site", MaxFiles)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > MaxFileSize {
			return fmt.Errorf("%s is %d bytes, over the limit of %d", key, info.Size(), MaxFileSize)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := md5.Sum(data)
		files = append(files, File{Key: key, Size: info.Size(), MD5: sum[:], ContentType: contentType(key), CacheControl: cacheControl(key)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", dir, err)
	}
	return files, nil
}

func contentType(key string) string {
	ext := path.Ext(key)
	switch ext {
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".json":
		return "application/json"
	case ".xml":
		return "application/xml"
	case ".txt", "":
		return "text/plain; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

func isAsset(key string) bool { return strings.HasPrefix(key, "assets/") }

func cacheControl(key string) string {
	if isAsset(key) {
		return CacheAssets
	}
	return CachePages
}

// remoteObject is what a listing tells about an object.
type remoteObject struct {
	MD5 []byte
}

func list(ctx context.Context, b *blob.Bucket) (map[string]remoteObject, error) {
	out := map[string]remoteObject{}
	it := b.List(nil)
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if obj.IsDir {
			continue
		}
		if len(out) >= MaxFiles*2 {
			return nil, fmt.Errorf("more than %d objects in the target: is it the site's own bucket or prefix?", MaxFiles*2)
		}
		out[obj.Key] = remoteObject{MD5: obj.MD5}
	}
}

// Diff plans a deploy: upload what is new or changed (an object without a
// listed MD5, e.g. a multipart upload, counts as changed), delete what the
// site no longer has. Uploads go assets first, then pages by depth, deepest
// first, and index.html last, so that no uploaded page references a file
// not yet there and the home page switches over only when the rest has.
func Diff(local []File, remote map[string]remoteObject) *Plan {
	p := &Plan{}
	have := map[string]bool{}
	for _, f := range local {
		have[f.Key] = true
		if r, ok := remote[f.Key]; ok && r.MD5 != nil && bytes.Equal(r.MD5, f.MD5) {
			p.Unchanged++
			continue
		}
		p.Upload = append(p.Upload, f)
	}
	for k := range remote {
		if !have[k] {
			p.Delete = append(p.Delete, k)
		}
	}
	slices.Sort(p.Delete)
	rank := func(key string) int {
		switch {
		case isAsset(key):
			return 0
		case key == "index.html":
			return 3
		case !strings.HasSuffix(key, ".html"):
			return 1 // api, feed, sitemap
		default:
			return 2
		}
	}
	slices.SortFunc(p.Upload, func(a, b File) int {
		if ra, rb := rank(a.Key), rank(b.Key); ra != rb {
			return ra - rb
		}
		if da, db := strings.Count(a.Key, "/"), strings.Count(b.Key, "/"); da != db {
			return db - da
		}
		return strings.Compare(a.Key, b.Key)
	})
	return p
}

func upload(ctx context.Context, b *blob.Bucket, dir string, f File) error {
	file, err := os.Open(filepath.Join(dir, filepath.FromSlash(f.Key)))
	if err != nil {
		return err
	}
	defer file.Close()
	return b.Upload(ctx, f.Key, file, &blob.WriterOptions{ContentType: f.ContentType, CacheControl: f.CacheControl, ContentMD5: f.MD5})
}

// redact drops the query of a target URL from messages: it may carry
// endpoint settings only, but nothing in it needs repeating.
func redact(target string) string {
	if i := strings.IndexByte(target, '?'); i >= 0 {
		return target[:i]
	}
	return target
}
