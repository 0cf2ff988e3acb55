package bounded

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.md")
	if err := os.WriteFile(small, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadFile(small, 10); err != nil || string(data) != "0123456789" {
		t.Errorf("a file of exactly the limit: %q, %v", data, err)
	}
	_, err := ReadFile(small, 9)
	var tl *TooLargeError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &tl) || tl.Limit != 9 {
		t.Errorf("one byte over: err = %v, want a TooLargeError of limit 9", err)
	}
	if want := "read " + small + ": larger than the limit of 9 bytes"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 10); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}

	fifo := filepath.Join(dir, "pipe.md")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for path, kind := range map[string]string{dir: "a folder", fifo: "a named pipe", "/dev/zero": "a device"} {
		if _, err := os.Stat(path); err != nil {
			continue
		}
		// A pipe would block the open for ever: ReadFile must return.
		_, err := ReadFile(path, 1<<20)
		if !errors.Is(err, ErrNotRegular) || !strings.HasSuffix(err.Error(), "not a regular file ("+kind+")") {
			t.Errorf("%s: err = %v, want not a regular file (%s)", path, err, kind)
		}
		if err := CheckRegular(path); !errors.Is(err, ErrNotRegular) {
			t.Errorf("CheckRegular(%s) = %v", path, err)
		}
	}
	if err := CheckRegular(small); err != nil {
		t.Errorf("CheckRegular(regular file) = %v", err)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{64 << 20: "64 MiB", 1 << 10: "1 KiB", 1000: "1000 bytes", 1<<20 + 1: "1048577 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestTOMLDepth(t *testing.T) {
	deep := func(open string, n int) string { return strings.Repeat(open, n) }
	for _, c := range []struct {
		name, src string
		want      int
	}{
		{"flat", "a = 1\nb = [1, 2, {c = 3}]\n[t]\nx = 1.5\n", 0},
		{"headers", "[[slos]]\n[[slos.alert_rules]]\n[sources.a.headers]\n", 0},
		{"at the limit", "x = " + deep("[", 4), 0},
		{"arrays", "a = 1\nx = " + deep("[", 5), 2},
		{"inline tables", "x = " + deep("{a=", 5), 1},
		{"dotted key", deep("a.", 5) + "a = 1", 1},
		{"dotted key in a table", "x = {" + deep("a.", 3) + "a = 1}", 0},
		{"dotted key in a table, deeper", "x = {" + deep("a.", 4) + "a = 1}", 1},
		{"dotted key of a value", "x = {a.b = [{c = [1]}]}", 1},
		{"under a header", "[a.b]\nc = {d = [1]}", 0},
		{"under a header, deeper", "[a.b]\nc = {d = [[1]]}", 2},
		{"under an array of tables", "[[a.b]]\nc = [1]\n[x]\ny = [[[1]]]", 0},
		{"under an array of tables, deeper", "[[a.b]]\nc = [[1]]\n", 2},
		{"a later header resets", "[a.b.c]\n[x]\ny = [[[1]]]", 0},
		{"header", "\n\n[" + deep("a.", 4) + "b]", 3},
		{"in a comment", "# " + deep("[", 10) + "\nx = 1", 0},
		{"in strings", `a = "[[[[[" ` + "\nb = '{{{{{.....'\nc = \"\"\"\n[[[[[\n\"\"\"\nd = '''[[[[[\n.....'''\n", 0},
		{"after strings", "a = \"\\\"[[[\"\nb = '''x''''\nc = \"\"\"x\"\"\"\"\"\nx = " + deep("[", 5), 4},
		{"escaped newline", "a = \"\"\"x\\\n[[[[[\"\"\"\nx = " + deep("[", 5), 3},
		{"unclosed string", "a = \"[[[[[\nx = 1", 0},
		{"value dots", "x = [1.5, 2.5, 1979-05-27T07:32:00.999999Z]\n", 0},
	} {
		if got := TOMLDepth([]byte(c.src), 4); got != c.want {
			t.Errorf("%s: TOMLDepth = %d, want %d\n%s", c.name, got, c.want, c.src)
		}
	}
}

// FuzzTOMLDepth checks that what the decoder reads as nested deeper than
// the limit is never passed: the depth of the decoded value is at most
// what TOMLDepth lets through.
func FuzzTOMLDepth(f *testing.F) {
	for _, s := range []string{"a = [[1]]", "a.b.c = 1", "[a.b]\nc = {d = [1]}", `a = "[[["`, "a = '''\n[[\n'''", "x = {a.b = [{c = 1}]}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		const max = 3
		if TOMLDepth([]byte(src), max) != 0 {
			return
		}
		var v map[string]any
		if _, err := toml.Decode(src, &v); err != nil {
			return
		}
		if d := valueDepth(v); d > max+1 {
			t.Errorf("decoded depth %d passed a limit of %d:\n%s", d, max, src)
		}
	})
}

// valueDepth is the nesting of a decoded TOML value; the document itself
// is depth 1, as a top-level key's table.
func valueDepth(v any) int {
	switch v := v.(type) {
	case map[string]any:
		d := 0
		for _, e := range v {
			d = max(d, valueDepth(e))
		}
		return d + 1
	case []map[string]any:
		d := 0
		for _, e := range v {
			d = max(d, valueDepth(e))
		}
		return d + 1
	case []any:
		d := 0
		for _, e := range v {
			d = max(d, valueDepth(e))
		}
		return d + 1
	}
	return 0
}
