package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// TestGoInstall proves the README's install line: this tree, published in
// a module proxy on disk (the layout proxy.golang.org serves: @v/list,
// .info, .mod, .zip), installs with `go install
// github.com/relia-dev/relia/cmd/relia@VERSION` into an empty GOBIN, and
// the binary reports that version. The dependencies come from the
// machine's module download cache (itself a proxy layout, verified when
// it was filled) or, failing that, its configured GOPROXY. The checksum
// database is off: it cannot know this version, and go install of a
// module@version asks it about dependencies too, which would tie the test
// to the network even when the module cache holds them all.
//
// The machine's own GOMODCACHE is used, so the dependencies sit at the
// paths the rest of the suite compiled them from and the build cache
// serves them: only relia's packages compile (a fresh module cache costs
// a cold compile of every dependency, six minutes of CPU). The version is
// new on every run, so a stale copy is never reused, and the test removes
// its copy from the module cache afterwards.
func TestGoInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("go install from a module proxy compiles relia and its dependencies; skipped under -short")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not found in PATH")
	}
	const mod = "github.com/relia-dev/relia"
	version := fmt.Sprintf("v0.9.0-installtest.%d", time.Now().UnixNano())
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	at := filepath.Join(tmp, "proxy", mod, "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	if err := zip.CreateFromDir(&z, module.Version{Path: mod, Version: version}, root); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"list":            []byte(version + "\n"),
		version + ".info": []byte(`{"Version":"` + version + `","Time":"2026-12-01T00:00:00Z"}`),
		version + ".mod":  goMod,
		version + ".zip":  z.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	goEnv := func(name string) string {
		out, err := exec.Command(goCmd, "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}
	modCache := goEnv("GOMODCACHE")
	proxies := []string{"file://" + filepath.ToSlash(filepath.Join(tmp, "proxy")), "file://" + filepath.ToSlash(filepath.Join(modCache, "cache", "download"))}
	if p := goEnv("GOPROXY"); p != "" && p != "off" {
		proxies = append(proxies, p)
	}
	restore := modCacheState(t, modCache, mod)
	t.Cleanup(func() {
		removeFromModCache(t, modCache, mod, version)
		restore()
	})
	gobin := filepath.Join(tmp, "bin")
	cmd := exec.Command(goCmd, "install", mod+"/cmd/relia@"+version)
	cmd.Dir = tmp // outside any module, as a new user's shell
	cmd.Env = append(os.Environ(),
		"GOPROXY="+strings.Join(proxies, ","),
		"GOSUMDB=off", "GONOPROXY=", "GOPRIVATE=", "GOWORK=off", "GOTOOLCHAIN=local",
		// -modcacherw: the cleanup can remove this version's files.
		"GOFLAGS=-modcacherw -buildvcs=false",
		"GOBIN="+gobin,
	)
	began := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install %s/cmd/relia@%s: %v\n%s", mod, version, err, out)
	}
	t.Logf("go install took %s (module zip %d bytes)", time.Since(began).Round(100*time.Millisecond), z.Len())

	out, err := exec.Command(filepath.Join(gobin, "relia"), "version").CombinedOutput()
	if err != nil {
		t.Fatalf("relia version: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "relia "+version+" go") {
		t.Errorf("relia version printed %q, want \"relia %s go...\"", out, version)
	}
}

// modCacheState records what the module cache holds of mod before the
// test, so that its cleanup can put the cache back: go install appends the
// test's version to @v/list (and creates the module's folders when the cache
// had none), which would make every later `go list -m -versions` or
// @latest lookup on this machine see a version no proxy serves.
func modCacheState(t *testing.T, modCache, mod string) (restore func()) {
	escaped, err := module.EscapePath(mod)
	if err != nil {
		t.Fatal(err)
	}
	download := filepath.Join(modCache, "cache", "download")
	at := filepath.Join(download, filepath.FromSlash(escaped), "@v")
	list := filepath.Join(at, "list")
	before, listErr := os.ReadFile(list)
	var created []string // folders the test makes, deepest first
	for _, base := range []string{download, modCache} {
		dir := filepath.Join(base, filepath.FromSlash(escaped))
		if base == download {
			dir = at
		}
		for ; dir != base && dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
			if _, err := os.Stat(dir); err == nil {
				break
			}
			created = append(created, dir)
		}
	}
	return func() {
		if listErr == nil {
			if err := os.WriteFile(list, before, 0o644); err != nil {
				t.Errorf("restore %s: %v", list, err)
			}
		} else if err := os.Remove(list); err != nil && !os.IsNotExist(err) {
			t.Errorf("clean the module cache: %v", err)
		}
		if listErr != nil {
			// Go's lock beside the list; only when the list was the test's.
			os.Remove(list + ".lock")
		}
		for _, dir := range created {
			// Remove, not RemoveAll: a folder that something else
			// filled meanwhile stays.
			os.Remove(dir)
		}
		if data, err := os.ReadFile(list); err == nil && strings.Contains(string(data), "installtest") && !strings.Contains(string(before), "installtest") {
			t.Errorf("%s still lists the test's version:\n%s", list, data)
		}
	}
}

// removeFromModCache deletes what go install put in the module cache for
// this test's version: the extracted tree and the downloaded files.
func removeFromModCache(t *testing.T, modCache, mod, version string) {
	escaped, err := module.EscapePath(mod)
	if err != nil {
		t.Error(err)
		return
	}
	paths := []string{filepath.Join(modCache, filepath.FromSlash(escaped)+"@"+version)}
	downloads, _ := filepath.Glob(filepath.Join(modCache, "cache", "download", filepath.FromSlash(escaped), "@v", version+".*"))
	for _, p := range append(paths, downloads...) {
		if err := os.RemoveAll(p); err != nil {
			t.Errorf("clean the module cache: %v", err)
		}
	}
}
