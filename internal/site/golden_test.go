package site

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden pins the pages of the hand-computed site (with handRetro) byte for byte, so a
// template or number change shows up as a reviewable diff.
func TestGolden(t *testing.T) {
	dir, now := handSite(t)
	write(t, filepath.Join(dir, "content/retros/burst.md"), handRetro)
	out := filepath.Join(dir, "public")
	buildAt(t, dir, now, out)
	checkGolden(t, out, "", "TestGolden", "index.html", "slos/web/availability/index.html", "api/v1/slos.json", "404.html", "reviews/2026-W45/index.html", "summary/index.html", "retros/burst/index.html")
}

// checkGolden compares each page of the site built into out with its golden
// file under testdata/golden/sub, or rewrites the golden files with -update.
// test names the test to run with -update.
func checkGolden(t *testing.T, out, sub, test string, pages ...string) {
	t.Helper()
	for _, page := range pages {
		got, err := os.ReadFile(filepath.Join(out, page))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "golden", sub, filepath.FromSlash(page))
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run: go test ./internal/site -run %s -update)", err, test)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s; if the change is intended, run: go test ./internal/site -run %s -update\n%s",
				page, golden, test, goldenDiff(golden, want, page, got))
		}
	}
}

// goldenDiff is a unified diff from the golden text to what the test got,
// so a failure in CI shows the change rather than two whole files.
func goldenDiff(goldenName string, golden []byte, gotName string, got []byte) string {
	return string(diff.Diff(goldenName, golden, gotName, got))
}
