package confine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	outside := t.TempDir()
	site := t.TempDir()
	mk := func(path string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
	}
	mk(filepath.Join(outside, "passwd"))
	mk(filepath.Join(outside, "theme", "base.html"))
	mk(filepath.Join(site, "notes", "w44.md"))
	link(filepath.Join(outside, "passwd"), filepath.Join(site, "content", "reviews", "2026-W44.md"))
	link("../../notes/w44.md", filepath.Join(site, "content", "reviews", "2026-W45.md"))
	link(filepath.Join(outside, "theme"), filepath.Join(site, "templates"))
	link("../..", filepath.Join(site, "content", "up"))
	link(filepath.Join(outside, "missing"), filepath.Join(site, "content", "dangling.md"))

	tests := []struct {
		path string
		bad  bool
	}{
		{"content/reviews/2026-W44.md", true},                      // a file linked outside
		{"content/reviews/2026-W45.md", false},                     // a link within the site
		{"templates/base.html", true},                              // a folder linked outside
		{"content/up/" + filepath.Base(outside) + "/passwd", true}, // a folder link that climbs out
		{"notes/w44.md", false},
		{"content/dangling.md", false}, // missing: its reader says so
		{"content/none.md", false},
	}
	checker := NewChecker(site)
	for _, tt := range tests {
		err := Check(site, filepath.Join(site, tt.path))
		if (err != nil) != tt.bad {
			t.Errorf("Check(%s) = %v, want error %v", tt.path, err, tt.bad)
		}
		if err != nil && !strings.Contains(err.Error(), "outside the site folder") {
			t.Errorf("Check(%s) = %v", tt.path, err)
		}
		// Twice: the second time from what the Checker resolved.
		for range 2 {
			if cerr := checker.Check(filepath.Join(site, tt.path)); fmt.Sprint(cerr) != fmt.Sprint(err) {
				t.Errorf("Checker.Check(%s) = %v, want %v", tt.path, cerr, err)
			}
		}
	}
	// A path written outside the site is the author's explicit choice.
	if err := Check(site, filepath.Join(outside, "passwd")); err != nil {
		t.Errorf("explicit outside path: %v", err)
	}
	if err := checker.Check(filepath.Join(outside, "passwd")); err != nil {
		t.Errorf("Checker: explicit outside path: %v", err)
	}
	// A relative root, as cfg.Dir often is.
	t.Chdir(site)
	if err := Check(".", "content/reviews/2026-W44.md"); err == nil {
		t.Error("relative root: no error")
	}
	if err := NewChecker(".").Check("content/reviews/2026-W44.md"); err == nil {
		t.Error("Checker: relative root: no error")
	}
}
