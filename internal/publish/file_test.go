package publish

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFile: a committed file replaces the old one whole, readable by all;
// an aborted one leaves the old file and no temporary behind.
func TestFile(t *testing.T) {
	for _, tt := range []struct {
		name   string
		commit bool
		want   string
	}{
		{"commit", true, "new"},
		{"abort", false, "old"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "snap.json")
			write(t, path, "old")
			f, err := NewFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString("new"); err != nil {
				t.Fatal(err)
			}
			if data, _ := os.ReadFile(path); string(data) != "old" {
				t.Errorf("before Commit the file reads %q, want old", data)
			}
			if tt.commit {
				if err := f.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			f.Abort()
			data, err := os.ReadFile(path)
			if err != nil || string(data) != tt.want {
				t.Errorf("file %q (%v), want %q", data, err, tt.want)
			}
			if st, err := os.Stat(path); err != nil {
				t.Fatal(err)
			} else if tt.commit && st.Mode().Perm() != 0o644 {
				t.Errorf("mode %v, want 0644", st.Mode().Perm())
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("files left: %d, want only snap.json", len(entries))
			}
		})
	}
}
