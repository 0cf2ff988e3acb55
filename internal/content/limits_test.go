package content

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A page is read within MaxPageBytes, from a regular file: a named pipe
// among the retrospectives once stopped the build for ever.
func TestReadPageBounded(t *testing.T) {
	root := t.TempDir()
	big := filepath.Join(root, "big.md")
	if err := os.WriteFile(big, []byte("# Big\n"+strings.Repeat("x", MaxPageBytes)), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(root, "pipe.md")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		big:  "big.md: larger than the limit of 1 MiB for a Markdown page (a fixed bound; split the page)",
		fifo: "pipe.md: read page: not a regular file (a named pipe)",
	} {
		if _, err := ReadPage(root, path, newMD()); err == nil || err.Error() != want {
			t.Errorf("ReadPage(%s) = %v, want %s", filepath.Base(path), err, want)
		}
	}
}

// TOML front matter nested past the limit is an error at its line.
func TestFrontMatterDeep(t *testing.T) {
	for name, src := range map[string]string{
		"closed":   "+++\ntitle = \"x\"\nx = " + strings.Repeat("[", 50000) + "\n+++\nbody\n",
		"unclosed": "+++\ntitle = \"x\"\n" + strings.Repeat("a.", 50000) + "b = 1\n",
	} {
		_, err := ParsePage("r.md", []byte(src), newMD())
		want := "r.md:3: front matter: values nested more than 32 deep (arrays, inline tables, dotted keys), the limit (a fixed bound)"
		if err == nil || err.Error() != want {
			t.Errorf("%s: err = %v, want %s", name, err, want)
		}
	}
	// Brackets in the page after the front matter are Markdown, not TOML.
	src := "+++\ntitle = \"x\"\n+++\n" + strings.Repeat("[", 100) + "\n"
	if _, err := ParsePage("r.md", []byte(src), newMD()); err != nil {
		t.Errorf("brackets in the body: %v", err)
	}
}

// YAML front matter: an alias bomb is refused by yaml.v3 ("excessive
// aliasing"), and nesting by its depth of 10,000, in milliseconds.
func TestFrontMatterYAMLHostile(t *testing.T) {
	var bomb strings.Builder
	bomb.WriteString("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		bomb.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := range 9 {
			if j > 0 {
				bomb.WriteString(", ")
			}
			bomb.WriteString("*a" + string(rune('0'+i-1)))
		}
		bomb.WriteString("]\n")
	}
	for _, fm := range []string{bomb.String() + "services: *a9\n", strings.Repeat("- ", 20000) + "x\n"} {
		if _, err := ParsePage("r.md", []byte("---\n"+fm+"---\nbody\n"), newMD()); err == nil {
			t.Errorf("no error for %.60q", fm)
		}
	}
}
