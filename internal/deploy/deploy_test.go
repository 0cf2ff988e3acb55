package deploy

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gocloud.dev/blob"
)

func writeSite(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func keys(fs []File) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Key)
	}
	return out
}

var site1 = map[string]string{
	"index.html":                       "<h1>home</h1>",
	"assets/relia.css":                 "body{}",
	"assets/relia.js":                  "1",
	"slos/web/availability/index.html": "<p>slo</p>",
	"retros/old/index.html":            "<p>old</p>",
	"api/v1/slos.json":                 "{}",
	".relia-site":                      "",
}

// exercise runs the deploy cycle against target: first everything, then
// one changed page, then a removed page.
func exercise(t *testing.T, target string) {
	ctx := context.Background()
	dir := t.TempDir()
	writeSite(t, dir, site1)

	dry, err := Run(ctx, Options{Site: dir, Target: target, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"assets/relia.css", "assets/relia.js", "api/v1/slos.json", "slos/web/availability/index.html", "retros/old/index.html", "index.html"}
	if got := keys(dry.Upload); !slices.Equal(got, want) {
		t.Fatalf("first plan uploads %q, want %q (assets first, deeper pages first, index last)", got, want)
	}
	if p, err := Run(ctx, Options{Site: dir, Target: target}); err != nil || len(p.Upload) != 6 || p.Unchanged != 0 {
		t.Fatalf("first deploy: %v, %+v", err, p)
	}

	b, err := blob.OpenBucket(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for key, want := range map[string][2]string{
		"index.html":       {"text/html; charset=utf-8", CachePages},
		"assets/relia.css": {"text/css; charset=utf-8", CacheAssets},
		"api/v1/slos.json": {"application/json", CachePages},
	} {
		a, err := b.Attributes(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if a.ContentType != want[0] || a.CacheControl != want[1] {
			t.Errorf("%s: Content-Type %q, Cache-Control %q; want %q, %q", key, a.ContentType, a.CacheControl, want[0], want[1])
		}
	}
	if ok, _ := b.Exists(ctx, ".relia-site"); ok {
		t.Error("the build marker was deployed")
	}

	// One changed page uploads one page.
	writeSite(t, dir, map[string]string{"slos/web/availability/index.html": "<p>slo, a week later</p>"})
	p, err := Run(ctx, Options{Site: dir, Target: target})
	if err != nil || !slices.Equal(keys(p.Upload), []string{"slos/web/availability/index.html"}) || len(p.Delete) != 0 || p.Unchanged != 5 {
		t.Fatalf("second deploy: %v, uploads %q, deletes %q, unchanged %d", err, keys(p.Upload), p.Delete, p.Unchanged)
	}
	if got, _ := b.ReadAll(ctx, "slos/web/availability/index.html"); string(got) != "<p>slo, a week later</p>" {
		t.Errorf("changed page reads %q", got)
	}

	// A removed page is deleted.
	os.RemoveAll(filepath.Join(dir, "retros", "old"))
	p, err = Run(ctx, Options{Site: dir, Target: target})
	if err != nil || len(p.Upload) != 0 || !slices.Equal(p.Delete, []string{"retros/old/index.html"}) {
		t.Fatalf("third deploy: %v, uploads %q, deletes %q", err, keys(p.Upload), p.Delete)
	}
	if ok, _ := b.Exists(ctx, "retros/old/index.html"); ok {
		t.Error("the removed page is still in the bucket")
	}
}

func TestDeployFile(t *testing.T) {
	exercise(t, "file://"+filepath.ToSlash(t.TempDir()))
}

func TestScanRefusesUnbuilt(t *testing.T) {
	_, err := Scan(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "run relia build first") {
		t.Fatalf("got %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, site1)
	_, err := Run(context.Background(), Options{Site: dir, Target: "nope://x"})
	if err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("got %v", err)
	}
}
