package metrics

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A snapshot of more than maxSnapshotSLOs SLOs stops there, with the
// limit in the error, rather than remembering millions of ids.
func TestSnapshotSLOCount(t *testing.T) {
	snapshot := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"version": 2, "step": "1m", "slos": {`)
		for i := range n {
			fmt.Fprintf(&b, `"s%d/x": {"start": 60, "good": [1], "total": [1]},`, i)
		}
		b.WriteString(`"web/x": {"start": 60, "good": [1], "total": [1]}}}`)
		return b.String()
	}
	keep := func(id string) bool { return id == "web/x" }
	if _, err := ReadSnapshotWith(strings.NewReader(snapshot(maxSnapshotSLOs-1)), "ok.json", SnapshotOptions{Keep: keep}); err != nil {
		t.Errorf("%d SLOs: %v", maxSnapshotSLOs, err)
	}
	_, err := ReadSnapshotWith(strings.NewReader(snapshot(maxSnapshotSLOs)), "many.json", SnapshotOptions{Keep: keep})
	want := "read snapshot many.json: more than 100000 SLOs, the limit (a fixed bound; a snapshot needs only the site's SLOs, which relia snapshot records)"
	if !errors.Is(err, ErrSnapshotLimit) || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// Version 1 SLOs read before the step are held until it comes, within the
// value limit: a file with the step last would otherwise keep every SLO's
// history in memory, the site's or not.
func TestSnapshotPendingBounded(t *testing.T) {
	slo := `{"good": [[60, 1]], "total": [[60, 1]]}`
	in := `{"version": 1, "slos": {"a/x": ` + slo + `, "b/x": ` + slo + `}, "step": "1m"}`
	if _, err := ReadSnapshotWith(strings.NewReader(in), "ok.json", SnapshotOptions{MaxValueBytes: int64(2 * len(slo))}); err != nil {
		t.Errorf("within the limit: %v", err)
	}
	_, err := ReadSnapshotWith(strings.NewReader(in), "late.json", SnapshotOptions{MaxValueBytes: int64(2*len(slo)) - 1})
	want := fmt.Sprintf(`read snapshot late.json: the SLOs before "step" take more than the limit of %d bytes (write "step" before "slos", or raise max_snapshot_value_bytes in [limits])`, 2*len(slo)-1)
	if !errors.Is(err, ErrSnapshotLimit) || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// A named pipe is refused before it is opened: the open would wait for a
// writer for ever.
func TestSnapshotPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "snap.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := OpenSnapshot(fifo)
	if want := "read snapshot " + fifo + ": not a regular file (a named pipe)"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
