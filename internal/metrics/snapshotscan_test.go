package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// lineColAt is the 1-based line and byte column of off in data.
func lineColAt(data []byte, off int) (line, col int) {
	before := data[:off]
	return 1 + bytes.Count(before, []byte{'\n'}), off - bytes.LastIndexByte(before, '\n')
}

// TestSnapshotSyntaxLikeEncodingJSON checks that a syntax error reads as
// encoding/json words it, at the byte encoding/json blames: the reader
// replaced encoding/json, and its errors must not get worse.
func TestSnapshotSyntaxLikeEncodingJSON(t *testing.T) {
	const head = `{"version": 2, "step": "1m", "slos": {"a/b": {"start": 60, `
	for _, in := range []string{
		`x`,
		`{"version" 2}`,
		`{"version": 2 "step": "1m"}`,
		`{"version": 2,}`,
		`{,}`,
		`{"version": -}`,
		`{"version": 1.}`,
		`{"version": 1e}`,
		`{"version": 1e+}`,
		`{"version": tru}`,
		`{"version": nul}`,
		`{"step": "5m` + "\n" + `"}`,
		`{"step": "\x"}`,
		`{"step": "\u12G4"}`,
		"{\n  \"step\": \"5m\",\n  \"slos\": {\"a/b\":\n    {\"good\": [[1, 2] [3, 4]]}}}",
		head + `"good": [1, 2 3], "total": [1, 2, 3]}}}`,
		head + `"good": [1, 2,], "total": [1, 2, 3]}}}`,
		head + `"good": [01], "total": [1]}}}`,
		head + `"good": [1, -x], "total": [1, 2]}}}`,
		head + `"good": [1, nulL], "total": [1, 2]}}}`,
		head + `"good": [1, {"a" 1}], "total": [1, 2]}}}`,
		head + `"good": [1, {"a": [1 2]}], "total": [1, 2]}}}`,
		head + `"good": [1, {"a": 1 "b"}], "total": [1, 2]}}}`,
		head + `"good": [1, {1: 2}], "total": [1, 2]}}}`,
		head + "\n\n\t" + `"good": [1, 2], "total": [1, 2]}}} x`,
	} {
		var v any
		err := json.Unmarshal([]byte(in), &v)
		var se *json.SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("%q: encoding/json says %v, want a syntax error", in, err)
		}
		line, col := lineColAt([]byte(in), int(se.Offset)-1)
		want := fmt.Sprintf("x.json:%d:%d: %s", line, col, se.Error())
		if strings.HasSuffix(in, " x") {
			want = fmt.Sprintf("x.json:%d:%d: unexpected data after the snapshot's closing brace", line, col)
		}
		_, err = ReadSnapshot(strings.NewReader(in), "x.json")
		if err == nil || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", in, err, want)
		}
	}
}

// TestSnapshotTruncated checks that a snapshot cut short anywhere is an
// error at its end, and an empty file says so.
func TestSnapshotTruncated(t *testing.T) {
	data, err := os.ReadFile("testdata/snapshot/v2-layout.good.json")
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.TrimRight(data, "\r\n")
	for n := 1; n < len(data); n++ {
		line, col := lineColAt(data, n)
		want := fmt.Sprintf("x.json:%d:%d: unexpected end of file", line, col)
		if _, err := ReadSnapshot(bytes.NewReader(data[:n]), "x.json"); err == nil || err.Error() != want {
			t.Fatalf("cut at %d: got %v, want %s", n, err, want)
		}
	}
	if _, err := ReadSnapshot(strings.NewReader(""), "x.json"); err == nil || err.Error() != "read snapshot x.json: empty file" {
		t.Errorf("empty input: %v", err)
	}
}

// TestSnapshotReadInPieces checks that how the input arrives, a byte at
// a time or all at once, changes nothing: tokens cut at any point of the
// reader's buffer read the same, positions included.
func TestSnapshotReadInPieces(t *testing.T) {
	files, err := filepath.Glob("testdata/snapshot/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		whole := describeSnapshot(t, bytes.NewReader(data))
		for name, r := range map[string]io.Reader{
			"one byte":        iotest.OneByteReader(bytes.NewReader(data)),
			"half":            iotest.HalfReader(bytes.NewReader(data)),
			"EOF with data":   iotest.DataErrReader(bytes.NewReader(data)),
			"one byte, DataE": iotest.DataErrReader(iotest.OneByteReader(bytes.NewReader(data))),
		} {
			if got := describeSnapshot(t, r); got != whole {
				t.Errorf("%s read %s:\n%s\nread whole:\n%s", file, name, got, whole)
			}
		}
	}
}

// describeSnapshot reads a snapshot and prints the error or every step it
// holds.
func describeSnapshot(t *testing.T, r io.Reader) string {
	t.Helper()
	s, err := ReadSnapshot(r, "x.json")
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "step %s recorded %s\n", s.Step(), s.RecordedAt())
	for _, id := range s.SLOs() {
		ser := s.series[id]
		fmt.Fprintf(&b, "%s:", id)
		if err := s.store.each(ser, s.stepSec, func(τ int64, good, total float64) bool {
			fmt.Fprintf(&b, " %d=%v/%v", τ, good, total)
			return true
		}); err != nil {
			t.Fatal(err)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestSnapshotPositionsFarIn checks that errors deep in a large snapshot
// are still placed by line and column (the reader used to give a byte
// offset past its first 8 MiB), across many refills of its buffer.
func TestSnapshotPositionsFarIn(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("{\"version\": 2, \"step\": \"1m\", \"slos\": {\n")
	for i := range 400 {
		fmt.Fprintf(&b, "  \"a/%d\": {\"start\": 60,\n    \"good\": [%s1],\n    \"total\": [%s1]},\n",
			i, strings.Repeat("12345,", 2000), strings.Repeat("12345,", 2000))
	}
	off := b.Len() + len(`  "b/c": {"start": 60, "good": [1, 2 `)
	b.WriteString(`  "b/c": {"start": 60, "good": [1, 2 3], "total": [1, 2, 3]}}}`)
	if off < 9<<20 {
		t.Fatalf("the error is at byte %d, want it past 9 MiB", off)
	}
	line, col := lineColAt(b.Bytes(), off)
	want := fmt.Sprintf("x.json:%d:%d: invalid character '3' after array element", line, col)
	if _, err := ReadSnapshot(bytes.NewReader(b.Bytes()), "x.json"); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestSnapshotValueLimitExact checks that an SLO of exactly
// MaxValueBytes reads and one byte more does not, however the input
// arrives.
func TestSnapshotValueLimitExact(t *testing.T) {
	const slo = `{"start":60,"good":[1,2,3],"total":[4,5,6]}`
	in := `{"version":2,"step":"1m","slos":{"a/b":` + slo + `}}`
	for _, r := range []func() io.Reader{
		func() io.Reader { return strings.NewReader(in) },
		func() io.Reader { return iotest.OneByteReader(strings.NewReader(in)) },
	} {
		if _, err := ReadSnapshotWith(r(), "x.json", SnapshotOptions{MaxValueBytes: int64(len(slo))}); err != nil {
			t.Errorf("at the limit: %v", err)
		}
		_, err := ReadSnapshotWith(r(), "x.json", SnapshotOptions{MaxValueBytes: int64(len(slo)) - 1})
		want := fmt.Sprintf("read snapshot x.json: a value at byte %d is larger than the limit of %d bytes (raise it with max_snapshot_value_bytes in [limits])",
			strings.Index(in, slo), len(slo)-1)
		if !errors.Is(err, ErrSnapshotLimit) || !strings.Contains(err.Error(), want) {
			t.Errorf("past the limit: got %v, want %s", err, want)
		}
	}
}

// TestSnapshotKeysAsBefore checks what encoding/json accepted and the
// reader still does: SLO keys in any case, escaped ids, and the last of
// a repeated key.
func TestSnapshotKeysAsBefore(t *testing.T) {
	in := `{"version": 2, "step": "1m", "slos": {"a\/b": {"Start": 60, "GOOD": [9, 9], "good": [1, 2], "Total": [3, 4]}}}`
	s, err := ReadSnapshot(strings.NewReader(in), "x.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Fetch(context.Background(), Query{SLO: "a/b", From: time.Unix(0, 0), To: time.Unix(120, 0), Step: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !sameFloats(got.Good, []float64{1, 2}) || !sameFloats(got.Total, []float64{3, 4}) {
		t.Errorf("good %v total %v, want [1 2] and [3 4]", got.Good, got.Total)
	}
}
