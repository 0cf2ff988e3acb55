package metrics

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// snapshotCases lists every file in testdata/snapshot: good files with the
// SLOs they hold, bad files with substrings the joined error must contain.
var snapshotCases = map[string]struct {
	slos []string // *.good.json
	errs []string // *.bad.json
}{
	"minimal.good.json":      {slos: []string{"checkout/availability"}},
	"derived.good.json":      {slos: []string{"payments/availability", "search/availability"}},
	"gaps.good.json":         {slos: []string{"checkout/latency"}},
	"empty.good.json":        {slos: []string{}},
	"empty-series.good.json": {slos: []string{"a/b"}},
	"v2.good.json":           {slos: []string{"checkout/latency", "search/availability"}},
	"v2-columns.bad.json": {errs: []string{
		"a/length: good has 2 steps but total has 1",
		"a/nostart: start is missing",
		"a/offgrid: start 2025-11-05T00:00:01Z (1762300801): not on the 1m step grid",
		`a/entry: good[1]: want a count or null, got "x"`,
		"a/values: good at 2025-11-05T00:00:00Z (1762300800): count -1 is negative",
		"a/values at 2025-11-05T00:01:00Z (1762300860): good 5 > total 4",
		"a/one: want exactly two of good, bad and total, has good",
	}},
	"v2-order.bad.json": {errs: []string{`v2-order.bad.json:1:19: unknown field "start"`, `"version": 2 must come before slos`}},
	// Pretty-printed, CRLF line ends, an escaped id, numbers of every form.
	"v2-layout.good.json": {slos: []string{"checkout/latency"}},
	// Entries that are not counts are reported whole, whatever they hold.
	"v2-entries.bad.json": {errs: []string{
		`a/string: good[1]: want a count or null, got "x, ]"`,
		`a/nested: good[0]: want a count or null, got [1, 2]`,
		`a/object: good[1]: want a count or null, got {"n": [1, 2], "m": "a very long string t…`,
		"a/digits: good at 2025-11-05T00:00:00Z (1762300800): count 9007199254740994 is above 9007199254740992 (2^53)",
		"a/digits: good at 2025-11-05T00:01:00Z (1762300860): count is not finite",
		"a/digits: total at 2025-11-05T00:00:00Z (1762300800): count 9007199254740994 is above",
	}},

	"syntax.bad.json":         {errs: []string{"syntax.bad.json:3:34: invalid character '[' after array element"}},
	"truncated.bad.json":      {errs: []string{"truncated.bad.json:3:33: unexpected end of file"}},
	"trailing.bad.json":       {errs: []string{"trailing.bad.json:2:1: unexpected data after"}},
	"empty.bad.json":          {errs: []string{"empty.bad.json: empty file"}},
	"unknown-field.bad.json":  {errs: []string{`unknown-field.bad.json:1:16: unknown field "stpe"`}},
	"unknown-series.bad.json": {errs: []string{`unknown-series.bad.json:1:59: unknown field "totals"`}},
	"type.bad.json":           {errs: []string{"type.bad.json:6:15: slos.good: want an array, got object"}},
	"version-type.bad.json":   {errs: []string{"version-type.bad.json:1:13: version: want an integer, got string"}},
	"version.bad.json":        {errs: []string{"unsupported version 3"}},
	"missing.bad.json":        {errs: []string{"version is missing", "step is missing", "slos is missing"}},
	"step.bad.json":           {errs: []string{`step "5 minutes": unknown unit`}},
	"step-subsecond.bad.json": {errs: []string{`step "1s500ms": want a positive whole number of seconds`}},
	"recorded-at.bad.json":    {errs: []string{`recorded_at "2026-11-22 23:00": want an RFC 3339 time`}},
	"off-grid.bad.json": {errs: []string{
		"checkout/availability: good at 2025-11-05T00:01:00Z (1762300860): timestamp not on the 5m step grid",
		"checkout/availability: total at 2025-11-05T00:01:00Z (1762300860): timestamp not on the 5m step grid",
	}},
	"duplicate.bad.json":  {errs: []string{"checkout/availability: total at 2025-11-05T00:05:00Z (1762301100): duplicate timestamp"}},
	"negative.bad.json":   {errs: []string{"good at 2025-11-05T00:00:00Z (1762300800): count -1 is negative"}},
	"not-finite.bad.json": {errs: []string{"total at 2025-11-05T00:00:00Z (1762300800): count is not finite"}},
	"huge.bad.json": {errs: []string{
		"huge.bad.json: checkout/availability: good at 2025-11-05T00:00:00Z (1762300800): count 1.7e+308 is above 9007199254740992 (2^53), the largest a float64 counts exactly",
		"huge.bad.json: checkout/availability: total at 2025-11-05T00:00:00Z (1762300800): count 1.7e+308 is above",
	}},
	"recorded-far.bad.json":    {errs: []string{`recorded_at "9999-12-31T00:00:00Z": out of range; relia handles times from 1970-01-01T00:00:00Z to 2200-01-01T00:00:00Z`}},
	"recorded-early.bad.json":  {errs: []string{`recorded_at "0001-01-01T00:00:00Z": out of range; relia handles times from 1970-01-01T00:00:00Z to 2200-01-01T00:00:00Z`}},
	"good-over-total.bad.json": {errs: []string{"checkout/availability at 2025-11-05T00:00:00Z (1762300800): good 12 > total 10"}},
	"bad-over-total.bad.json":  {errs: []string{"search/availability at 2025-11-05T00:00:00Z (1762300800): bad 11 > total 10"}},
	"pairs.bad.json": {errs: []string{
		"good[0]: want a [timestamp, count] pair of 2 numbers, got [1762300800, 1, 2]",
		`good[1]: want a [timestamp, count] pair of 2 numbers, got [1762301100, "3"]`,
		"good[2]: want a [timestamp, count] pair of 2 numbers, got 5",
		"good[3]: want a [timestamp, count] pair of 2 numbers, got null",
		"good[4]: want a [timestamp, count] pair of 2 numbers, got []",
		`good[5]: want a [timestamp, count] pair of 2 numbers, got {"t": 1}`,
		"total[0]: timestamp 1762300800.5 is not a whole number of unix seconds",
		"total[1]: timestamp -300 is not",
		"total[2]: timestamp 1e+300 is not",
	}},
	"series-count.bad.json": {errs: []string{
		"a/none: want exactly two of good, bad and total, has none",
		"a/null: want an object with two of good, bad and total, got null",
		"a/one: want exactly two of good, bad and total, has good",
		"a/three: want exactly two of good, bad and total, has good, bad, total",
		`slo id "nameless": want "service/name"`,
	}},
	"many.bad.json": {errs: []string{
		"a/b: good at 2025-11-05T00:00:01Z (1762300801): timestamp not on the 5m step grid",
		"too many errors, stopped after 20",
	}},
}

func TestReadSnapshotFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/snapshot/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, ok := snapshotCases[filepath.Base(f)]; !ok {
			t.Errorf("%s has no entry in snapshotCases", f)
		}
	}
	for name, tc := range snapshotCases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "snapshot", name)
			s, err := OpenSnapshot(path)
			if strings.HasSuffix(name, ".good.json") {
				if err != nil {
					t.Fatalf("OpenSnapshot: %v", err)
				}
				if got := s.SLOs(); !slices.Equal(got, tc.slos) {
					t.Errorf("SLOs() = %q, want %q", got, tc.slos)
				}
				return
			}
			if err == nil {
				t.Fatalf("OpenSnapshot succeeded, want errors %q", tc.errs)
			}
			msg := err.Error()
			for _, want := range tc.errs {
				if !strings.Contains(msg, want) {
					t.Errorf("error does not contain %q:\n%s", want, msg)
				}
			}
			for _, line := range strings.Split(msg, "\n") {
				if !strings.Contains(line, path) {
					t.Errorf("error line does not name the file %s: %s", path, line)
				}
			}
		})
	}
}

func TestReadSnapshotCollectsErrors(t *testing.T) {
	_, err := OpenSnapshot("testdata/snapshot/many.bad.json")
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		t.Fatalf("error %v is not joined", err)
	}
	if n := len(joined.Unwrap()); n != maxSnapshotErrors+1 {
		t.Errorf("got %d errors, want %d and a note", n, maxSnapshotErrors)
	}
}

func TestOpenSnapshotMissing(t *testing.T) {
	_, err := OpenSnapshot("testdata/snapshot/nope.json")
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "read snapshot: open testdata/snapshot/nope.json") {
		t.Errorf("err = %v", err)
	}
}

func TestSnapshotMetadata(t *testing.T) {
	s := mustOpen(t, "testdata/snapshot/minimal.good.json")
	if s.Step() != 5*time.Minute {
		t.Errorf("Step() = %v", s.Step())
	}
	if want := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC); !s.RecordedAt().Equal(want) || s.RecordedAt().Location() != time.UTC {
		t.Errorf("RecordedAt() = %v, want %v", s.RecordedAt(), want)
	}
	s = mustOpen(t, "testdata/snapshot/gaps.good.json")
	if want := time.Date(2026, 11, 5, 0, 0, 0, 5e8, time.UTC); !s.RecordedAt().Equal(want) {
		t.Errorf("RecordedAt() = %v, want %v", s.RecordedAt(), want)
	}
	if s := mustOpen(t, "testdata/snapshot/derived.good.json"); !s.RecordedAt().IsZero() {
		t.Errorf("RecordedAt() = %v, want zero", s.RecordedAt())
	}
}

func TestSnapshotFetch(t *testing.T) {
	nan := math.NaN()
	unix := func(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
	tests := []struct {
		file, slo   string
		from, to    int64
		step        time.Duration
		good, total []float64
	}{
		// Pairs in only one series are no data; unsorted input is fine.
		{"gaps.good.json", "checkout/latency", 1762300740, 1762301100, time.Minute,
			[]float64{9, nan, 0, nan, nan, nan}, []float64{10, nan, 0, nan, nan, nan}},
		// A range reaching before and after the recorded history.
		{"minimal.good.json", "checkout/availability", 1762300200, 1762301700, 5 * time.Minute,
			[]float64{nan, 1234, 1180, nan, nan}, []float64{nan, 1240, 1191, nan, nan}},
		// A range inside it.
		{"minimal.good.json", "checkout/availability", 1762300800, 1762301100, 5 * time.Minute,
			[]float64{1180}, []float64{1191}},
		// An empty range.
		{"minimal.good.json", "checkout/availability", 1762300800, 1762300800, 5 * time.Minute,
			[]float64{}, []float64{}},
		// bad + total and good + bad are turned into good + total.
		{"derived.good.json", "search/availability", 1762300500, 1762301400, 5 * time.Minute,
			[]float64{2997, 2950, 3087.5}, []float64{3000, 2950, 3100}},
		{"derived.good.json", "payments/availability", 1762300500, 1762301100, 5 * time.Minute,
			[]float64{700, 0}, []float64{701, 0}},
		// Version 2: null is no data, so is a step only one column has.
		{"v2.good.json", "checkout/latency", 1762300740, 1762301040, time.Minute,
			[]float64{9, nan, 0, nan, nan}, []float64{10, nan, 0, nan, nan}},
		{"v2.good.json", "search/availability", 1762300800, 1762300920, time.Minute,
			[]float64{2997, 2950}, []float64{3000, 2950}},
		{"v2-layout.good.json", "checkout/latency", 1762300740, 1762301100, time.Minute,
			[]float64{9, nan, 0, 10, 1e15, 1 << 53}, []float64{10, nan, 0, 12, 1e15 + 1, 1 << 53}},
		{"empty-series.good.json", "a/b", 0, 90, 30 * time.Second,
			[]float64{nan, nan, nan}, []float64{nan, nan, nan}},
	}
	for _, tc := range tests {
		s := mustOpen(t, filepath.Join("testdata", "snapshot", tc.file))
		q := Query{SLO: tc.slo, From: unix(tc.from), To: unix(tc.to), Step: tc.step}
		got, err := s.Fetch(context.Background(), q)
		if err != nil {
			t.Errorf("%s %s: %v", tc.file, tc.slo, err)
			continue
		}
		if !got.FirstEnd.Equal(unix(tc.from).Add(tc.step)) || got.Step != tc.step {
			t.Errorf("%s %s: grid %v/%v", tc.file, tc.slo, got.FirstEnd, got.Step)
		}
		if !sameFloats(got.Good, tc.good) || !sameFloats(got.Total, tc.total) {
			t.Errorf("%s %s [%d, %d]:\ngood  %v, want %v\ntotal %v, want %v", tc.file, tc.slo, tc.from, tc.to, got.Good, tc.good, got.Total, tc.total)
		}
	}
}

func TestSnapshotFetchErrors(t *testing.T) {
	s := mustOpen(t, "testdata/snapshot/derived.good.json")
	from := time.Unix(1762300500, 0)
	q := Query{SLO: "search/availability", From: from, To: from.Add(time.Hour), Step: 5 * time.Minute}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		ctx  context.Context
		edit func(*Query)
		want string
	}{
		{context.Background(), func(q *Query) { q.SLO = "search/latency" },
			`fetch "search/latency" from snapshot testdata/snapshot/derived.good.json: no series (it has payments/availability, search/availability)`},
		{context.Background(), func(q *Query) { q.Step = time.Minute }, "step 1m differs from the snapshot's step 5m"},
		{context.Background(), func(q *Query) { q.From = q.From.Add(time.Minute) }, "range start 2025-11-04T23:56:00Z is not on the snapshot's 5m step grid"},
		{context.Background(), func(q *Query) { q.From = q.From.Add(time.Millisecond) }, "is not on the snapshot's 5m step grid"},
		{context.Background(), func(q *Query) { q.To = q.From.Add(-time.Hour) }, "range ends (2025-11-04T22:55:00Z) before it starts (2025-11-04T23:55:00Z)"},
		{cancelled, func(*Query) {}, context.Canceled.Error()},
	}
	for _, tc := range tests {
		q := q
		tc.edit(&q)
		_, err := s.Fetch(tc.ctx, q)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Fetch(%+v) error = %v, want %q", q, err, tc.want)
		}
	}
	_, err := s.Fetch(context.Background(), Query{SLO: "x/y", From: from, To: from, Step: 5 * time.Minute})
	if !errors.Is(err, ErrNoSeries) {
		t.Errorf("unknown SLO: error %v is not ErrNoSeries", err)
	}
	empty := mustOpen(t, "testdata/snapshot/empty.good.json")
	_, err = empty.Fetch(context.Background(), q)
	if err == nil || !strings.Contains(err.Error(), "(it has none)") {
		t.Errorf("empty snapshot: error = %v", err)
	}
}

func TestSnapshotConcurrentFetch(t *testing.T) {
	series := testSeries(time.Unix(1762300800, 0), 5*time.Minute, 2000)
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, 5*time.Minute, time.Time{}, map[string]*Series{"a/b": series, "c/d": series}); err != nil {
		t.Fatal(err)
	}
	s, err := ReadSnapshot(&buf, "mem")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			id := []string{"a/b", "c/d"}[i%2]
			q := Query{SLO: id, From: series.FirstEnd.Add(-5 * time.Minute), To: series.End(series.Len() - 1), Step: 5 * time.Minute}
			got, err := s.Fetch(context.Background(), q)
			if err != nil {
				t.Error(err)
				return
			}
			if want := noData(series); !sameFloats(got.Good, want.Good) || !sameFloats(got.Total, want.Total) {
				t.Errorf("%s: totals differ", id)
			}
		})
	}
	wg.Wait()
}

func TestSnapshotRoundTrip(t *testing.T) {
	step := 5 * time.Minute
	first := time.Date(2026, 11, 1, 0, 5, 0, 0, time.UTC)
	in := map[string]*Series{
		"checkout/availability": testSeries(first, step, 500),
		"search/latency":        testSeries(first.Add(-24*time.Hour), step, 300),
		"payments/availability": {FirstEnd: first, Step: step},
	}
	recorded := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	for _, compress := range []bool{false, true} {
		var buf bytes.Buffer
		var w interface {
			Write([]byte) (int, error)
		} = &buf
		var zw *gzip.Writer
		if compress {
			zw = gzip.NewWriter(&buf)
			w = zw
		}
		if err := WriteSnapshot(w, step, recorded, in); err != nil {
			t.Fatal(err)
		}
		if zw != nil {
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte{0x1f, 0x8b}) {
				t.Fatal("not gzip")
			}
		}
		// The name says plain JSON either way: detection is by content.
		s, err := ReadSnapshot(bytes.NewReader(buf.Bytes()), "recorded.json")
		if err != nil {
			t.Fatalf("compress=%v: %v", compress, err)
		}
		if !s.RecordedAt().Equal(recorded) || s.Step() != step {
			t.Errorf("metadata %v %v", s.RecordedAt(), s.Step())
		}
		if got, want := s.SLOs(), []string{"checkout/availability", "payments/availability", "search/latency"}; !slices.Equal(got, want) {
			t.Errorf("SLOs() = %q", got)
		}
		for id, ser := range in {
			q := Query{SLO: id, From: ser.FirstEnd.Add(-step), To: ser.End(ser.Len() - 1), Step: step}
			got, err := s.Fetch(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			if want := noData(ser); !sameFloats(got.Good, want.Good) || !sameFloats(got.Total, want.Total) {
				t.Errorf("compress=%v %s: round trip differs", compress, id)
			}
		}
	}
}

func TestReadSnapshotPlainNamedGz(t *testing.T) {
	data, err := os.ReadFile("testdata/snapshot/minimal.good.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSnapshot(bytes.NewReader(data), "minimal.json.gz"); err != nil {
		t.Error(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data[:len(data)/2])
	zw.Close()
	_, err = ReadSnapshot(bytes.NewReader(buf.Bytes()[:buf.Len()-4]), "cut.json.gz")
	if err == nil || !strings.HasPrefix(err.Error(), "read snapshot cut.json.gz: gunzip: ") {
		t.Errorf("truncated gzip: err = %v", err)
	}
}

func TestWriteSnapshotFormat(t *testing.T) {
	step := 5 * time.Minute
	first := time.Unix(1762300800, 0)
	nan := math.NaN()
	in := map[string]*Series{
		"b/x": {FirstEnd: first, Step: step, Good: []float64{nan, 1234, nan, 1e7, 0.5, 10.000001, nan}, Total: []float64{3, 1240, 5, 1e7, 1, 10, nan}},
		"a/y": {FirstEnd: first, Step: step},
	}
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, step, time.Date(2026, 11, 22, 23, 0, 0, 0, time.FixedZone("CET", 3600)), in); err != nil {
		t.Fatal(err)
	}
	// Sorted ids, no exponents, no-data steps trimmed at the ends and null
	// inside, good clamped to total.
	want := `{
  "version": 2,
  "step": "5m",
  "recorded_at": "2026-11-22T22:00:00Z",
  "slos": {
    "a/y": {
      "start": 1762300800,
      "good": [],
      "total": []
    },
    "b/x": {
      "start": 1762301100,
      "good": [1234,null,10000000,0.5,10],
      "total": [1240,null,10000000,1,10]
    }
  }
}
`
	if got := buf.String(); got != want {
		t.Errorf("WriteSnapshot wrote\n%s\nwant\n%s", got, want)
	}
	var again bytes.Buffer
	WriteSnapshot(&again, step, time.Date(2026, 11, 22, 23, 0, 0, 0, time.FixedZone("CET", 3600)), in)
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("WriteSnapshot is not deterministic")
	}
	if _, err := ReadSnapshot(&buf, "format.json"); err != nil {
		t.Error(err)
	}

	var empty bytes.Buffer
	if err := WriteSnapshot(&empty, time.Hour, time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := empty.String(), "{\n  \"version\": 2,\n  \"step\": \"1h\",\n  \"slos\": {}\n}\n"; got != want {
		t.Errorf("empty snapshot %q, want %q", got, want)
	}
}

func TestSnapshotWriterErrors(t *testing.T) {
	step := 5 * time.Minute
	first := time.Unix(1762300800, 0)
	ok := &Series{FirstEnd: first, Step: step, Good: []float64{1}, Total: []float64{1}}
	if _, err := NewSnapshotWriter(&bytes.Buffer{}, 1500*time.Millisecond, time.Time{}); err == nil {
		t.Error("sub-second step accepted")
	}
	tests := []struct {
		id   string
		s    *Series
		want string
	}{
		{"a/a", ok, "ids must be added in increasing order"},
		{"c/c", &Series{FirstEnd: first, Step: time.Minute}, "series step 1m differs from the snapshot step 5m"},
		{"c/c", &Series{FirstEnd: first.Add(time.Second), Step: step}, "is not on the 5m step grid"},
		{"c/c", &Series{FirstEnd: first, Step: step, Good: []float64{1}}, "1 good steps but 0 total steps"},
		{"c/c", &Series{FirstEnd: first, Step: step, Good: []float64{-1}, Total: []float64{1}}, "negative count (good -1, total 1)"},
		{"c/c", &Series{FirstEnd: first, Step: step, Good: []float64{1}, Total: []float64{math.Inf(1)}}, "count is not finite"},
		{"c/c", &Series{FirstEnd: first, Step: step, Good: []float64{1}, Total: []float64{1.7e308}}, "count above 9007199254740992 (2^53) (good 1, total 1.7e+308)"},
	}
	for _, tc := range tests {
		sw, _ := NewSnapshotWriter(&bytes.Buffer{}, step, time.Time{})
		if err := sw.Add("b/b", ok); err != nil {
			t.Fatal(err)
		}
		err := sw.Add(tc.id, tc.s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Add(%s) error = %v, want %q", tc.id, err, tc.want)
		}
	}
	sw, _ := NewSnapshotWriter(&bytes.Buffer{}, step, time.Time{})
	sw.Close()
	if err := sw.Add("a/a", ok); err == nil || !strings.Contains(err.Error(), "writer is closed") {
		t.Errorf("Add after Close: %v", err)
	}
}

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		out  string
	}{
		{"0", 0, "0s"}, {"5m", 5 * time.Minute, "5m"}, {"1h30m", 90 * time.Minute, "1h30m"},
		{"28d", 28 * 24 * time.Hour, "4w"}, {"90d", 90 * 24 * time.Hour, "90d"}, {"1y", 365 * 24 * time.Hour, "1y"},
		{"1s500ms", 1500 * time.Millisecond, "1s500ms"},
	} {
		got, err := parseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if s := formatDuration(got); s != tc.out {
			t.Errorf("formatDuration(%v) = %q, want %q", got, s, tc.out)
		}
	}
	for _, bad := range []string{"", "5", "m", "5x", "1m1h", "5m5m", "-5m", "1.5h", "99999999999999999999y", "300000y"} {
		if d, err := parseDuration(bad); err == nil {
			t.Errorf("parseDuration(%q) = %v, want an error", bad, d)
		}
	}
}

func mustOpen(t *testing.T, path string) *Snapshot {
	t.Helper()
	s, err := OpenSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testSeries makes n steps of plausible counts with a few no-data steps,
// one of them NaN in only one series.
func testSeries(firstEnd time.Time, step time.Duration, n int) *Series {
	s := &Series{FirstEnd: firstEnd, Step: step, Good: make([]float64, n), Total: make([]float64, n)}
	for i := range n {
		t := float64(1000 + (i*7919)%900)
		s.Total[i], s.Good[i] = t, t-float64(i%5)
		switch i % 97 {
		case 13:
			s.Good[i], s.Total[i] = math.NaN(), math.NaN()
		case 50:
			s.Good[i] = math.NaN()
		case 60:
			s.Good[i], s.Total[i] = 0, 0
		}
	}
	return s
}

// noData returns s as it reads back from a snapshot: a step with NaN in
// either series is no data in both.
func noData(s *Series) *Series {
	out := &Series{FirstEnd: s.FirstEnd, Step: s.Step, Good: slices.Clone(s.Good), Total: slices.Clone(s.Total)}
	for i := range out.Good {
		if math.IsNaN(out.Good[i]) || math.IsNaN(out.Total[i]) {
			out.Good[i], out.Total[i] = math.NaN(), math.NaN()
		}
	}
	return out
}

// sameFloats compares bit for bit where NaN equals NaN.
func sameFloats(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) })
}

// TestSnapshotLimits checks that inputs that would never end, or would
// fill memory, stop with an error that names the limit.
func TestSnapshotLimits(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err := OpenSnapshot("/dev/zero")
		if err == nil || !strings.Contains(err.Error(), "/dev/zero: not a regular file") {
			t.Errorf("OpenSnapshot(/dev/zero) = %v, want a not-a-regular-file error", err)
		}
	}
	// Gzip bombs: small files that expand to one huge array. Of long
	// numbers, it stops at the size of its JSON; of zeros, at the memory
	// its numbers would take once read (8 bytes for each "0,").
	for _, c := range []struct{ entry, want string }{
		{"12345678,", "bomb.json.gz: a value at byte 45 is larger than the limit of 1048576 bytes (raise it with max_snapshot_value_bytes in [limits])"},
		{"0,", "bomb.json.gz: a/b: its series would take more than twice the limit of 1048576 bytes once read, at 8 bytes a step (raise it with max_snapshot_value_bytes in [limits])"},
	} {
		var bomb bytes.Buffer
		zw := gzip.NewWriter(&bomb)
		zw.Write([]byte(`{"version": 2, "step": "1m", "slos": {"a/b": {"start": 60, "good": [`))
		entries := bytes.Repeat([]byte(c.entry), 1<<20)
		for range 8 {
			zw.Write(entries)
		}
		zw.Write([]byte(`0], "total": [0]}}}`))
		zw.Close()
		_, err := ReadSnapshotWith(&bomb, "bomb.json.gz", SnapshotOptions{MaxValueBytes: 1 << 20})
		if err == nil || !errors.Is(err, ErrSnapshotLimit) || !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("gzip bomb of %q: err = %v, want %s", c.entry, err, c.want)
		}
	}
}

// TestSnapshotSpillAndKeep checks that history spilled to the temporary
// file reads back the same, and that Keep leaves other SLOs out.
func TestSnapshotSpillAndKeep(t *testing.T) {
	nan := math.NaN()
	first := time.Unix(1762300800, 0)
	in := map[string]*Series{}
	for i, id := range []string{"a/one", "a/two", "b/floats"} {
		s := &Series{FirstEnd: first, Step: time.Minute}
		for k := range 500 {
			g, tot := float64(k*i), float64(k*i+k%3)
			if k%50 == 7 {
				g, tot = nan, nan
			}
			if id == "b/floats" {
				g, tot = g+0.25, tot+0.5
			}
			s.Good, s.Total = append(s.Good, g), append(s.Total, tot)
		}
		in[id] = s
	}
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, time.Minute, time.Time{}, in); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		spill int64
		keep  func(string) bool
		want  []string
	}{
		{-1, nil, []string{"a/one", "a/two", "b/floats"}},
		{1, nil, []string{"a/one", "a/two", "b/floats"}}, // all but nothing in memory
		{1, func(id string) bool { return id != "a/two" }, []string{"a/one", "b/floats"}},
	} {
		s, err := ReadSnapshotWith(bytes.NewReader(buf.Bytes()), "spill.json", SnapshotOptions{SpillAfter: tc.spill, Keep: tc.keep})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.SLOs(); !slices.Equal(got, tc.want) {
			t.Errorf("spill %d: SLOs() = %q, want %q", tc.spill, got, tc.want)
		}
		if tc.spill > 0 && s.store.file == nil {
			t.Errorf("spill %d: nothing spilled", tc.spill)
		}
		for _, id := range tc.want {
			want := in[id]
			got, err := s.Fetch(context.Background(), Query{SLO: id, From: first.Add(-time.Minute), To: want.End(want.Len() - 1), Step: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if !sameFloats(got.Good, want.Good) || !sameFloats(got.Total, want.Total) {
				t.Errorf("spill %d: %s differs after the round trip", tc.spill, id)
			}
		}
	}
}
