package fetch

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/config"
)

// A ca_file is read within maxCAFile, from a regular file, and the error
// is at the key's line.
func TestCAFileBounded(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.pem")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxCAFile + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cfg := &config.Config{Path: "relia.toml", Dir: dir}
	for file, want := range map[string]string{
		"big.pem":   "relia.toml:7: sources.prod.ca_file: " + big + " is larger than the limit of 4 MiB for a certificate bundle (a fixed bound)",
		"/dev/zero": "relia.toml:7: sources.prod.ca_file: open /dev/zero: not a regular file (a device)",
	} {
		src := config.Source{Name: "prod", Type: "prometheus", URL: "https://127.0.0.1:1", Timeout: time.Second, CAFile: file, Line: 5, KeyLines: map[string]int{"ca_file": 7}}
		_, err := OpenPrometheus(cfg, "prod", src, NewLog(io.Discard, nil, false, 1), nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %s", file, err, want)
		}
	}
}
