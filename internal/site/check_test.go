package site

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
)

// TestCheck runs Check over each site of testdata/check/*.txtar: base.txtar
// with the case's files on top. The "want" file of a case lists every
// problem, one "file:line: message" per line, in order; rewrite them with
//
//	go test ./internal/site -run TestCheck -update
func TestCheck(t *testing.T) {
	base, err := txtar.ParseFile("testdata/check/base.txtar")
	if err != nil {
		t.Fatal(err)
	}
	cases, err := filepath.Glob("testdata/check/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	for _, file := range cases {
		file, _ := filepath.Abs(file)
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		if name == "base" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			want := ""
			for _, f := range append(base.Files, ar.Files...) {
				if f.Name == "want" {
					want = string(f.Data)
					continue
				}
				write(t, filepath.Join(dir, f.Name), string(f.Data))
			}
			t.Chdir(dir)
			rep, err := Check(context.Background(), Options{ConfigPath: "relia.toml", Now: now})
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, p := range rep.Problems {
				got.WriteString(p.Text() + "\n")
			}
			if *update {
				for i, f := range ar.Files {
					if f.Name == "want" {
						ar.Files[i].Data = []byte(got.String())
					}
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got.String() != want {
				t.Errorf("problems differ from %s (if the change is intended, run: go test ./internal/site -run TestCheck -update):\n%s",
					file, goldenDiff("want", []byte(want), "got", []byte(got.String())))
			}
		})
	}
}

// Check reports every SLO without data, in the same order, on every run:
// the SLOs are computed concurrently, and the first error to arrive must
// not decide what the author sees.
func TestCheckStable(t *testing.T) {
	base, err := txtar.ParseFile("testdata/check/base.txtar")
	if err != nil {
		t.Fatal(err)
	}
	ar, err := txtar.ParseFile("testdata/check/import-nodata.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range append(base.Files, ar.Files...) {
		if f.Name != "want" {
			write(t, filepath.Join(dir, f.Name), string(f.Data))
		}
	}
	t.Chdir(dir)
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	var first string
	for i := range 20 {
		rep, err := Check(context.Background(), Options{ConfigPath: "relia.toml", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for _, p := range rep.Problems {
			got.WriteString(p.Text() + "\n")
		}
		if i == 0 {
			first = got.String()
			// One error per SLO the snapshot lacks: all three.
			for _, id := range []string{"web/errors", "web/latency", "monitoring/api-errors"} {
				if !strings.Contains(first, `fetch "`+id+`"`) {
					t.Errorf("no problem about %s in:\n%s", id, first)
				}
			}
			continue
		}
		if got.String() != first {
			t.Fatalf("run %d reported:\n%s\nrun 0 reported:\n%s", i, got.String(), first)
		}
	}
}

// TestCheckRemovesStale: a check killed before its cleanup leaves a
// relia-check-* folder; the next check removes it, and leaves none itself.
func TestCheckRemovesStale(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if err := os.MkdirAll(filepath.Join(tmp, "relia-check-killed", "site"), 0o755); err != nil {
		t.Fatal(err)
	}
	base, err := txtar.ParseFile("testdata/check/base.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range base.Files {
		write(t, filepath.Join(dir, f.Name), string(f.Data))
	}
	if _, err := Check(context.Background(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Now: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "relia-check-*")); len(left) > 0 {
		t.Errorf("left in TMPDIR: %q", left)
	}
}
