package site

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkBuildDemo builds the repository's demo site, the one `relia
// build` makes in a fresh checkout. One op is one whole build, writing
// included. Profile it with -cpuprofile; scripts/bench-scale.sh measures the
// real binary's CPU time.
func BenchmarkBuildDemo(b *testing.B) {
	benchBuild(b, benchDemo(b, 0))
}

// BenchmarkBuildRetros is the demo site with 1,000 copies of a
// retrospective: the per-page cost of Markdown pages, set against Hugo by
// scripts/bench-scale.sh.
func BenchmarkBuildRetros(b *testing.B) {
	benchBuild(b, benchDemo(b, 1000))
}

// benchDemo copies the demo site into a temporary folder with copies
// extra copies of one retrospective.
func benchDemo(b *testing.B, copies int) string {
	b.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	cfg, err := os.ReadFile(filepath.Join(root, "relia.toml"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "relia.toml"), cfg, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dir, "content"), os.DirFS(filepath.Join(root, "content"))); err != nil {
		b.Fatal(err)
	}
	retro, err := os.ReadFile(filepath.Join(root, "content/retros/2026-11-10-checkout-5xx.md"))
	if err != nil {
		b.Fatal(err)
	}
	for i := range copies {
		if err := os.WriteFile(filepath.Join(dir, "content/retros", fmt.Sprintf("2026-11-10-copy-%04d.md", i)), retro, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

func benchBuild(b *testing.B, dir string) {
	b.Helper()
	out := filepath.Join(dir, "public")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(context.Background(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: out}); err != nil {
			b.Fatal(err)
		}
	}
}
