package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// relia.toml is read within MaxConfigBytes, and only from a regular file:
// --config /dev/zero once filled the memory until the kernel killed relia.
func TestLoadBounded(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.toml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxConfigBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fifo := filepath.Join(dir, "pipe.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		big:         big + ": larger than the limit of 16 MiB for a configuration (a fixed bound; move SLOs into slo_files)",
		fifo:        fifo + ": read config: not a regular file (a named pipe)",
		dir:         dir + ": read config: not a regular file (a folder)",
		"/dev/zero": "/dev/zero: read config: not a regular file (a device)",
	} {
		for name, load := range map[string]func(string) error{
			"Load":   func(p string) error { _, err := Load(p); return err },
			"Inputs": func(p string) error { _, err := Inputs(p); return err },
		} {
			if err := load(path); err == nil || err.Error() != want {
				t.Errorf("%s(%s) = %v, want %s", name, path, err, want)
			}
		}
	}
}

// TOML nested past bounded.MaxTOMLDepth is refused at its line before the
// TOML library sees it: 8,000 inline tables inside each other took it 85 s.
func TestParseDeep(t *testing.T) {
	for name, src := range map[string]string{
		"inline tables": "title = \"x\"\nx = " + strings.Repeat("{a=", 100000),
		"arrays":        "title = \"x\"\nx = " + strings.Repeat("[", 100000),
		"dotted key":    "title = \"x\"\n" + strings.Repeat("a.", 100000) + "a = 1",
	} {
		_, err := Parse("relia.toml", []byte(src))
		want := "relia.toml:2: values nested more than 32 deep (arrays, inline tables, dotted keys), the limit (a fixed bound)"
		if err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %s", name, err, want)
		}
	}
}

// Unknown keys are placed at their lines through one index: each scanned
// every key before, which took 31 s for 10,000 unknown keys.
func TestUnknownKeysMany(t *testing.T) {
	var b strings.Builder
	b.WriteString("[sources.a]\ntype = \"snapshot\"\npath = \"a.json\"\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "[[slos]]\nservice = \"s%d\"\nname = \"n\"\nobjective = 99\ngood = \"g\"\ntotal = \"t\"\nbogus = 1\n", i)
	}
	_, err := Parse("relia.toml", []byte(b.String()))
	lines := strings.Split(fmt.Sprint(err), "\n")
	if len(lines) != maxErrors+1 || lines[0] != "relia.toml:10: slos[s0/n].bogus: unknown key" ||
		lines[1] != "relia.toml:17: slos[s1/n].bogus: unknown key" || lines[maxErrors] != "relia.toml: and 2950 more errors" {
		t.Errorf("got %d lines: %s ... %s", len(lines), lines[0], lines[len(lines)-1])
	}
}

// The spec files of one slo_files entry hold at most maxSpecBytes
// together (the files past the limit are not read), and a pipe is
// refused rather than waited on.
func TestImportBounded(t *testing.T) {
	dir := t.TempDir()
	spec, err := os.ReadFile("testdata/import/specs/sloth.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.yml"), spec, 0o644); err != nil {
		t.Fatal(err)
	}
	// b.yml alone is within the limit, but not with a.yml.
	if err := os.WriteFile(filepath.Join(dir, "b.yml"), append(spec, strings.Repeat("#", maxSpecBytes-len(spec))...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "p.yml"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := "slo_files = [\"p.yml\", \"*.yml\"]\n[sources.a]\ntype = \"snapshot\"\npath = \"a.json\"\n"
	if err := os.WriteFile(filepath.Join(dir, "relia.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(filepath.Join(dir, "relia.toml"))
	r := filepath.Join(dir, "relia.toml")
	want := []string{
		r + `:1: slo_files: read ` + filepath.Join(dir, "p.yml") + `: not a regular file (a named pipe)`,
		r + `:1: slo_files: "p.yml" holds no SLO`,
		r + `:1: slo_files: "*.yml": the files it matches hold more than 16 MiB of YAML together, the limit (a fixed bound; split them over several slo_files entries)`,
	}
	if got := fmt.Sprint(err); got != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}
