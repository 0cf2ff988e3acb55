package archive

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relia-dev/relia/internal/metrics"
)

func TestDriverURL(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{in: "s3://relia-history/acme/quarter?region=eu-central-1", want: "s3://relia-history?prefix=acme%2Fquarter%2F&region=eu-central-1"},
		{in: "s3://relia-history?region=eu-central-1&prefix=acme/", want: "s3://relia-history?prefix=acme%2F&region=eu-central-1"},
		{in: "gs://relia-history/acme/", want: "gs://relia-history?prefix=acme%2F"},
		{in: "azblob://history", want: "azblob://history"},
		{in: "file:///var/lib/relia/history", want: "file:///var/lib/relia/history?create_dir=true&metadata=skip"},
		{in: "s3://relia-history/acme?prefix=other/", err: "both a path (/acme) and a prefix parameter; keep one"},
	}
	for _, tt := range tests {
		got, err := driverURL(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: %q, %v; want the error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestFileArchive: a file:// archive holds what it was given, created on
// first use; a missing object is fs.ErrNotExist; a read stops one byte
// past the limit.
func TestFileArchive(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "history", "acme")
	a, err := Open(ctx, "file://"+filepath.ToSlash(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Read(ctx, "x.json.gz", 100); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing object: %v, want fs.ErrNotExist", err)
	}
	data := []byte(strings.Repeat("0123456789", 10))
	if err := a.Write(ctx, "x.json.gz", data); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		limit int64
		n     int
	}{{100, 100}, {200, 100}, {99, 100}, {10, 11}} {
		got, err := a.Read(ctx, "x.json.gz", tt.limit)
		if err != nil || len(got) != tt.n || string(got) != string(data[:tt.n]) {
			t.Errorf("limit %d: %d bytes, %v; want the first %d", tt.limit, len(got), err, tt.n)
		}
	}
	// The chunk is a plain file in the folder, with no metadata beside it.
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || entries[0].Name() != "x.json.gz" {
		t.Errorf("folder holds %v (%v), want only x.json.gz", entries, err)
	}
	if err := a.Remove(ctx, "x.json.gz"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Read(ctx, "x.json.gz", 100); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("removed object: %v, want fs.ErrNotExist", err)
	}
}

// An archive that cannot be opened is unreachable (exit 3), naming it.
func TestOpenUnreachable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"file://" + filepath.ToSlash(file), "s3://b/acme?prefix=x/"} {
		_, err := Open(context.Background(), u)
		var ae *metrics.ArchiveError
		if !errors.As(err, &ae) || !errors.Is(err, metrics.ErrUnreachable) || !strings.Contains(err.Error(), "archive "+u+": open: ") {
			t.Errorf("%s: %v; want an unreachable archive error naming it", u, err)
		}
	}
}
