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
				got.WriteString(p.String() + "\n")
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
				t.Errorf("problems:\n%s\nwant:\n%s(if the change is intended, run: go test ./internal/site -run TestCheck -update)", got.String(), want)
			}
		})
	}
}
