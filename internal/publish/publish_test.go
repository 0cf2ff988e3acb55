package publish

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// publishOnce writes a one-page site with body into out and commits it.
func publishOnce(t *testing.T, out, body string) {
	t.Helper()
	p, err := NewPublisher(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteFile("index.html", []byte(body)); err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestPublishAtomicForReaders: a reader polling out/index.html while sites
// are swapped in finds a whole site every time, never no file.
func TestPublishAtomicForReaders(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	publishOnce(t, out, "v0")
	var missing, reads atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			data, err := os.ReadFile(filepath.Join(out, "index.html"))
			reads.Add(1)
			if err != nil || !strings.HasPrefix(string(data), "v") {
				missing.Add(1)
			}
		}
	}()
	for i := range 300 {
		publishOnce(t, out, "v"+strings.Repeat("x", i))
	}
	close(stop)
	wg.Wait()
	if n := missing.Load(); n > 0 {
		t.Errorf("index.html missing %d times in %d reads during 300 swaps", n, reads.Load())
	}
	if got, _ := os.ReadFile(filepath.Join(out, "index.html")); string(got) != "v"+strings.Repeat("x", 299) {
		t.Errorf("final site %q", got)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".public.tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary folders left: %q", leftovers)
	}
}

// TestPublishRemovesStale: the temporary folders of killed builds (no
// process holds their lock) go at the next build; those of a build still
// running stay.
func TestPublishRemovesStale(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "public")
	for _, stale := range []string{".public.tmp-123", ".public.tmp-456.old", ".public.tmp-789/half/deleted"} {
		if err := os.MkdirAll(filepath.Join(dir, stale), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(dir, ".public.tmp-123", "index.html"), "stale")
	// Not ours: another output's temporaries and an unrelated folder.
	for _, keep := range []string{".other.tmp-1", "public.tmp-2", ".publicity.tmp-3"} {
		if err := os.MkdirAll(filepath.Join(dir, keep), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	running, err := NewPublisher(out)
	if err != nil {
		t.Fatal(err)
	}
	publishOnce(t, out, "v1")
	got, _ := filepath.Glob(filepath.Join(dir, ".*"))
	for i := range got {
		got[i] = filepath.Base(got[i])
	}
	want := []string{".other.tmp-1", ".publicity.tmp-3", filepath.Base(running.tmp)}
	slices.Sort(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("hidden folders after the build: %q, want %q", got, want)
	}
	if err := running.WriteFile("index.html", []byte("v2")); err != nil {
		t.Fatal(err)
	}
	if err := running.Commit(); err != nil {
		t.Fatalf("the build that ran alongside: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(out, "index.html")); string(data) != "v2" {
		t.Errorf("index.html %q", data)
	}
}

// TestPublishThroughSymlink: a symlinked output is published into its
// target and stays a link; a dangling one is an error naming both.
func TestPublishThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "releases", "current")
	if err := os.MkdirAll(target, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "public")
	if err := os.Symlink(filepath.Join("releases", "current"), link); err != nil {
		t.Fatal(err)
	}
	publishOnce(t, link, "v1")
	publishOnce(t, link, "v2")
	st, err := os.Lstat(link)
	if err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("public is no longer a symlink: %v %v", st.Mode(), err)
	}
	if data, _ := os.ReadFile(filepath.Join(target, "index.html")); string(data) != "v2" {
		t.Errorf("target index.html %q, want v2", data)
	}

	dangling := filepath.Join(dir, "gone")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	_, err = NewPublisher(dangling)
	if err == nil || !strings.Contains(err.Error(), dangling+" is a symlink to "+filepath.Join(dir, "nowhere")+", which does not exist") {
		t.Errorf("dangling link: %v", err)
	}
}

// TestPublishFolders: pages in nested folders, written side by side and
// sharing parents, all land; a page under a path that is a file is an
// error, not a page lost.
func TestPublishFolders(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	p, err := NewPublisher(out)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for i := range 40 {
		paths = append(paths, filepath.ToSlash(filepath.Join("retros", string(rune('a'+i%7)), "deep", strings.Repeat("x", i+1), "index.html")))
	}
	paths = append(paths, "retros/index.html", "a.html")
	var wg sync.WaitGroup
	errs := make([]error, len(paths))
	for i, rel := range paths {
		wg.Go(func() { errs[i] = p.WriteFile(rel, []byte(rel)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("%s: %v", paths[i], err)
		}
	}
	if err := p.WriteFile("a.html/index.html", []byte("x")); err == nil {
		t.Error("a page under the file a.html: no error")
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, rel := range paths {
		if data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rel))); err != nil || string(data) != rel {
			t.Errorf("%s: %q, %v", rel, data, err)
		}
	}
}
