// Package archive keeps a site's history archive in a bucket: S3 and
// S3-compatible stores, GCS, Azure Blob or a local folder, through
// gocloud.dev/blob. It stores the chunk files of a metrics.Cache and knows
// nothing of their content; metrics.NewArchive decides what a failure
// means. Credentials are the drivers' business: each cloud's SDK reads its
// own environment, and relia.toml never holds them.
package archive

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob" // azblob://
	_ "gocloud.dev/blob/fileblob"  // file://
	_ "gocloud.dev/blob/gcsblob"   // gs://
	_ "gocloud.dev/blob/s3blob"    // s3://
	"gocloud.dev/gcerrors"

	"github.com/relia-dev/relia/internal/metrics"
)

// Bucket is an archive in a bucket: a metrics.ChunkStore.
type Bucket struct {
	b    *blob.Bucket
	name string // the URL as configured, for messages
}

var _ metrics.ChunkStore = (*Bucket)(nil)

// Open opens the archive at rawURL and checks that it can be listed, so
// that an archive out of reach stops the build before any history is
// fetched: the error is a *metrics.ArchiveError that is
// metrics.ErrUnreachable.
func Open(ctx context.Context, rawURL string) (*Bucket, error) {
	u, err := driverURL(rawURL)
	if err != nil {
		return nil, &metrics.ArchiveError{Where: rawURL, Object: "open", Unreachable: true, Err: err}
	}
	b, err := blob.OpenBucket(ctx, u)
	if err != nil {
		return nil, &metrics.ArchiveError{Where: rawURL, Object: "open", Unreachable: true, Err: err}
	}
	if _, _, err := b.ListPage(ctx, blob.FirstPageToken, 1, nil); err != nil {
		b.Close()
		return nil, &metrics.ArchiveError{Where: rawURL, Object: "list", Unreachable: true, Err: err}
	}
	return &Bucket{b: b, name: rawURL}, nil
}

// driverURL turns the URL people write into the one gocloud.dev/blob
// reads. A path after the bucket becomes the prefix (the drivers would
// ignore it and write at the bucket's root); a local folder is created on
// first use, as [archive] dir is, and gets no metadata files beside the
// chunks.
func driverURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	q := u.Query()
	switch u.Scheme {
	case "file":
		if !q.Has("create_dir") {
			q.Set("create_dir", "true")
		}
		if !q.Has("metadata") {
			q.Set("metadata", "skip")
		}
	default:
		if p := strings.Trim(u.Path, "/"); p != "" {
			if q.Has("prefix") {
				return "", fmt.Errorf("both a path (%s) and a prefix parameter; keep one", u.Path)
			}
			q.Set("prefix", p+"/")
			u.Path = ""
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// String implements metrics.ChunkStore.
func (a *Bucket) String() string { return a.name }

// Read implements metrics.ChunkStore.
func (a *Bucket) Read(ctx context.Context, name string, limit int64) ([]byte, error) {
	r, err := a.b.NewReader(ctx, name, nil)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
		}
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, limit+1))
}

// Write implements metrics.ChunkStore: the object appears whole when the
// upload completes, or not at all.
func (a *Bucket) Write(ctx context.Context, name string, data []byte) error {
	// No Content-Encoding: a client that honoured "gzip" would hand back
	// the inflated bytes, which no longer match the file's layout.
	return a.b.WriteAll(ctx, name, data, &blob.WriterOptions{ContentType: "application/octet-stream"})
}

// Remove implements metrics.ChunkStore.
func (a *Bucket) Remove(ctx context.Context, name string) error { return a.b.Delete(ctx, name) }

// Close releases the bucket.
func (a *Bucket) Close() error { return a.b.Close() }
