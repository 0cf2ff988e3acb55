package metrics

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/prometheus/common/model"

	"github.com/relia-dev/relia/internal/bounded"
)

// A snapshot file records metric history so that a site builds offline and
// reproducibly (the demo site, tests, an air-gapped CI). It is JSON, plain or
// gzip-compressed. Version 2 is columnar:
//
//	{"version": 2, "step": "5m", "recorded_at": "2026-11-22T23:00:00Z",
//	 "slos": {"checkout/availability": {"start": 1762300800,
//	    "good":  [1234, 1180, null],
//	    "total": [1240, 1191, null]}}}
//
// Entry k of a column is the events in the step ending at start + k·step;
// null is no data. Version 1, still read, has (unix seconds, count) pairs:
//
//	{"version": 1, "step": "5m", "slos": {"checkout/availability": {
//	    "good":  [[1762300800, 1234], [1762301100, 1180]],
//	    "total": [[1762300800, 1240], [1762301100, 1191]]}}}
//
// An SLO carries exactly two of good, bad and total; the third is derived. A
// step that does not have data in both series is no data.

// SnapshotVersion is the snapshot format version this package writes; it
// reads it and version 1.
const SnapshotVersion = 2

// maxSnapshotErrors caps the validation errors collected from one file: past
// a few dozen the rest are almost always the same mistake repeated.
const maxSnapshotErrors = 20

// maxUnix is 9999-12-31T23:59:59Z, the last instant RFC 3339 can print.
const maxUnix = 253402300799

// ErrNoSeries marks a Fetch for an SLO that a snapshot holds no history for.
var ErrNoSeries = errors.New("no series")

// Snapshot is a Source backed by recorded history, read once into memory.
// It is immutable after reading, so it is safe for concurrent use.
type Snapshot struct {
	name       string
	step       time.Duration
	stepSec    int64
	recordedAt time.Time
	series     map[string]*storedSeries
	store      *seriesStore
}

// snapshotSeries holds the checked steps of one SLO that have data, in
// time order, until the store encodes them.
type snapshotSeries struct {
	ends  []int64 // step ends τ, unix seconds, strictly increasing
	good  []float64
	total []float64
}

var _ Source = (*Snapshot)(nil)

// OpenSnapshot reads the snapshot file at path, plain JSON or gzip. Errors
// name the path; see ReadSnapshot.
func OpenSnapshot(path string) (*Snapshot, error) {
	return OpenSnapshotWith(path, SnapshotOptions{})
}

// OpenSnapshotWith is OpenSnapshot with limits and a filter. Only regular
// files are read: a device such as /dev/zero or a FIFO never ends.
func OpenSnapshotWith(path string, opts SnapshotOptions) (*Snapshot, error) {
	// Checked before the open as well as after: opening a named pipe
	// waits for a writer.
	if err := bounded.CheckRegular(path); err != nil {
		return nil, fmt.Errorf("read snapshot %s: %w", path, errors.Unwrap(err))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read snapshot %s: not a regular file (%s)", path, fi.Mode().Type())
	}
	return ReadSnapshotWith(f, path, opts)
}

// ReadSnapshot reads a snapshot from r; name is the file name shown in
// errors. Gzip input is recognised by its magic bytes, whatever the name.
// Input errors are positioned (name:line:col) where the JSON itself is
// wrong, and otherwise name the SLO, series and timestamp; up to
// maxSnapshotErrors of them are returned joined with errors.Join.
func ReadSnapshot(r io.Reader, name string) (*Snapshot, error) {
	return ReadSnapshotWith(r, name, SnapshotOptions{})
}

// ReadSnapshotWith is ReadSnapshot with limits and a filter. The input is
// decoded as a stream: memory holds one SLO's history at a time, plus the
// compact encoding of what opts.Keep keeps.
func ReadSnapshotWith(r io.Reader, name string, opts SnapshotOptions) (*Snapshot, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	var src io.Reader = &opErrReader{br, "read"}
	magic, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read snapshot %s: %w", name, err)
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("read snapshot %s: gunzip: %w", name, err)
		}
		defer zr.Close()
		ra := readAhead(zr)
		defer ra.Close() // stops the goroutine when decoding ends early
		src = &opErrReader{ra, "gunzip"}
	}
	return readSnapshotStream(src, name, opts)
}

// readAhead decompresses in a goroutine of its own, so that gunzip and the
// JSON decoding of a large snapshot run on two cores: the next chunk is
// inflated while the decoder works through the last one.
func readAhead(r io.Reader) io.ReadCloser {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := io.CopyBuffer(pw, r, make([]byte, 256<<10))
		pw.CloseWithError(err)
	}()
	return &aheadReader{pr, done}
}

// aheadReader is readAhead's pipe. Its Close also waits for the goroutine
// to stop using the reader under it, so that the caller may close that
// (the gzip reader) next: when decoding stopped early, the goroutine
// could still be inflating while it was closed, a data race.
type aheadReader struct {
	*io.PipeReader
	done chan struct{}
}

func (a *aheadReader) Close() error {
	err := a.PipeReader.Close() // the goroutine's next write fails
	<-a.done
	return err
}

// opErrReader marks errors of the gzip layer, so that a damaged archive is
// not reported as bad JSON.
type opErrReader struct {
	r  io.Reader
	op string
}

func (o *opErrReader) Read(b []byte) (int, error) {
	n, err := o.r.Read(b)
	if err != nil && err != io.EOF {
		err = &layerError{o.op, err}
	}
	return n, err
}

// layerError is an error of the compression layer under the JSON.
type layerError struct {
	op  string
	err error
}

func (e *layerError) Error() string { return e.op + ": " + e.err.Error() }
func (e *layerError) Unwrap() error { return e.err }

// Fetch returns the recorded events of q.SLO on q's grid. Steps of the range
// that the snapshot does not cover, or covers without data, are NaN. The
// work is proportional to the steps in the range (plus a binary search).
func (s *Snapshot) Fetch(ctx context.Context, q Query) (*Series, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fetch %q from snapshot %s: %w", q.SLO, s.name, err)
	}
	ser, ok := s.series[q.SLO]
	if !ok {
		has := "none"
		if ids := s.SLOs(); len(ids) > 0 {
			has = strings.Join(ids, ", ")
		}
		return nil, fmt.Errorf("fetch %q from snapshot %s: %w (it has %s)", q.SLO, s.name, ErrNoSeries, has)
	}
	if q.Step != s.step {
		return nil, fmt.Errorf("fetch %q from snapshot %s: step %s differs from the snapshot's step %s", q.SLO, s.name, formatDuration(q.Step), formatDuration(s.step))
	}
	if q.To.Before(q.From) {
		return nil, fmt.Errorf("fetch %q from snapshot %s: range ends (%s) before it starts (%s)", q.SLO, s.name, q.To.UTC().Format(time.RFC3339), q.From.UTC().Format(time.RFC3339))
	}
	from := q.From.Unix()
	if q.From.Nanosecond() != 0 || from%s.stepSec != 0 {
		return nil, fmt.Errorf("fetch %q from snapshot %s: range start %s is not on the snapshot's %s step grid", q.SLO, s.name, q.From.UTC().Format(time.RFC3339Nano), formatDuration(s.step))
	}
	out := NewSeries(q)
	n := int64(out.Len())
	first := from + s.stepSec // τ of index 0
	err := s.store.each(ser, s.stepSec, func(τ int64, good, total float64) bool {
		k := (τ - first) / s.stepSec
		if k >= n {
			return false
		}
		if k >= 0 {
			out.Good[k], out.Total[k] = good, total
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("fetch %q from snapshot %s: %w", q.SLO, s.name, err)
	}
	return out, nil
}

// Step is the resolution the snapshot was recorded at.
func (s *Snapshot) Step() time.Duration { return s.step }

// RecordedAt is when the snapshot was taken, in UTC; zero when the file does
// not say. The CLI uses it as the default report time of a snapshot-only site.
func (s *Snapshot) RecordedAt() time.Time { return s.recordedAt }

// SLOs lists the SLO ids the snapshot holds history for, sorted.
func (s *Snapshot) SLOs() []string {
	ids := make([]string, 0, len(s.series))
	for id := range s.series {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// snapshotSLO is one SLO of a version 1 snapshot. nil slices tell a
// missing series from an empty one.
type snapshotSLO struct {
	Good  []snapshotPair `json:"good"`
	Bad   []snapshotPair `json:"bad"`
	Total []snapshotPair `json:"total"`
}

// snapshotPair is one [timestamp, count] pair. A malformed pair keeps its
// text in bad and is reported during validation, so that one malformed
// pair does not hide the errors after it.
type snapshotPair struct {
	ts, v float64
	bad   string
}

// snapshotErrors collects input errors up to maxSnapshotErrors.
type snapshotErrors struct {
	name string
	errs []error
	full bool
}

func (e *snapshotErrors) add(format string, args ...any) {
	if e.full {
		return
	}
	if len(e.errs) == maxSnapshotErrors {
		e.errs = append(e.errs, fmt.Errorf("read snapshot %s: too many errors, stopped after %d", e.name, maxSnapshotErrors))
		e.full = true
		return
	}
	e.errs = append(e.errs, fmt.Errorf("read snapshot %s: "+format, append([]any{e.name}, args...)...))
}

type stamped struct {
	ts int64
	v  float64
}

// readSLO validates one SLO's series and merges them into good and total on
// the steps both series have. It returns nil after reporting errors.
func (s *Snapshot) readSLO(e *snapshotErrors, id string, slo *snapshotSLO) *snapshotSeries {
	if !e.validID(id) {
		return nil
	}
	if slo == nil {
		e.add("%s: want an object with two of good, bad and total, got null", id)
		return nil
	}
	type named struct {
		name  string
		pairs []snapshotPair
	}
	var present []named
	var names []string
	for _, n := range []named{{"good", slo.Good}, {"bad", slo.Bad}, {"total", slo.Total}} {
		if n.pairs != nil {
			present = append(present, n)
			names = append(names, n.name)
		}
	}
	if !e.twoSeries(id, names) {
		return nil
	}

	before := len(e.errs)
	var series [2][]stamped
	for k, n := range present {
		series[k] = s.readPairs(e, id, n.name, n.pairs)
	}
	if len(e.errs) > before {
		return nil
	}

	// The series are sorted by time: merge on the steps both have.
	a, b := series[0], series[1]
	out := &snapshotSeries{}
	pair := present[0].name + "+" + present[1].name
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].ts < b[j].ts:
			i++
			continue
		case a[i].ts > b[j].ts:
			j++
			continue
		}
		ts, x, y := a[i].ts, a[i].v, b[j].v
		i++
		j++
		good, total, ok := e.counts(id, pair, ts, x, y)
		if !ok {
			continue
		}
		out.ends = append(out.ends, ts)
		out.good = append(out.good, good)
		out.total = append(out.total, total)
	}
	if len(e.errs) > before {
		return nil
	}
	return out
}

// readPairs checks one series and returns it sorted by time.
func (s *Snapshot) readPairs(e *snapshotErrors, id, series string, pairs []snapshotPair) []stamped {
	out := make([]stamped, 0, len(pairs))
	for i, p := range pairs {
		if p.bad != "" {
			e.add("%s: %s[%d]: want a [timestamp, count] pair of 2 numbers, got %s", id, series, i, p.bad)
			continue
		}
		if p.ts != math.Trunc(p.ts) || p.ts < 0 || p.ts > maxUnix {
			e.add("%s: %s[%d]: timestamp %s is not a whole number of unix seconds between 1970 and 9999", id, series, i, num(p.ts))
			continue
		}
		ts := int64(p.ts)
		switch {
		case ts%s.stepSec != 0:
			e.add("%s: %s at %s: timestamp not on the %s step grid", id, series, at(ts), formatDuration(s.step))
		case !e.validCount(id, series, ts, p.v):
		default:
			out = append(out, stamped{ts, p.v})
		}
	}
	slices.SortStableFunc(out, func(a, b stamped) int { return cmp.Compare(a.ts, b.ts) })
	for i := 1; i < len(out); i++ {
		if out[i].ts == out[i-1].ts {
			e.add("%s: %s at %s: duplicate timestamp", id, series, at(out[i].ts))
		}
	}
	return out
}

// at formats a step end for errors: RFC 3339 for people, unix for grep.
// validID checks an SLO id of a snapshot: "service/name".
func (e *snapshotErrors) validID(id string) bool {
	if svc, n, ok := strings.Cut(id, "/"); !ok || svc == "" || n == "" || strings.Contains(n, "/") {
		e.add("slo id %q: want \"service/name\"", id)
		return false
	}
	return true
}

// twoSeries checks that an SLO was recorded with exactly two of good, bad
// and total (names, in that order).
func (e *snapshotErrors) twoSeries(id string, names []string) bool {
	if len(names) == 2 {
		return true
	}
	has := "none"
	if len(names) > 0 {
		has = strings.Join(names, ", ")
	}
	e.add("%s: want exactly two of good, bad and total, has %s", id, has)
	return false
}

// validCount checks one count of series at ts: finite, not negative, and
// small enough for a float64 to count exactly.
func (e *snapshotErrors) validCount(id, series string, ts int64, v float64) bool {
	switch {
	case math.IsInf(v, 0) || math.IsNaN(v):
		e.add("%s: %s at %s: count is not finite", id, series, at(ts))
	case v < 0:
		e.add("%s: %s at %s: count %s is negative", id, series, at(ts), num(v))
	case v > MaxCount:
		e.add("%s: %s at %s: count %s is above %d (2^53), the largest a float64 counts exactly", id, series, at(ts), num(v), MaxCount)
	default:
		return true
	}
	return false
}

// counts turns one step of the two series an SLO was recorded with (pair
// is "good+total", "bad+total" or "good+bad") into good and total events,
// or records why it cannot.
func (e *snapshotErrors) counts(id, pair string, ts int64, x, y float64) (good, total float64, ok bool) {
	switch pair {
	case "good+total":
		if x > y {
			e.add("%s at %s: good %s > total %s", id, at(ts), num(x), num(y))
			return 0, 0, false
		}
		return x, y, true
	case "bad+total":
		if x > y {
			e.add("%s at %s: bad %s > total %s", id, at(ts), num(x), num(y))
			return 0, 0, false
		}
		return y - x, y, true
	}
	return x, x + y, true // good+bad
}

func at(ts int64) string {
	return fmt.Sprintf("%s (%d)", time.Unix(ts, 0).UTC().Format(time.RFC3339), ts)
}

// num prints a count or timestamp as written in the file; absurdly large
// values with an exponent rather than hundreds of digits.
func num(v float64) string {
	if math.Abs(v) >= 1e21 {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// SnapshotWriter writes a snapshot one SLO at a time, so that recording
// holds at most one SLO's history in memory. The output is deterministic:
// SLOs must be added in increasing id order, keys are in a fixed order and
// counts are printed without exponents. Wrap w in a gzip.Writer for a
// .json.gz file. When a method fails, the output is incomplete.
type SnapshotWriter struct {
	w       *bufio.Writer
	step    time.Duration
	stepSec int64
	last    string
	n       int
	buf     []byte
	closed  bool
}

// NewSnapshotWriter starts a snapshot with the given step (a positive whole
// number of seconds) and recording time (omitted when zero).
func NewSnapshotWriter(w io.Writer, step time.Duration, recordedAt time.Time) (*SnapshotWriter, error) {
	if step <= 0 || step%time.Second != 0 {
		return nil, fmt.Errorf("write snapshot: step %s: want a positive whole number of seconds", step)
	}
	sw := &SnapshotWriter{w: bufio.NewWriterSize(w, 64<<10), step: step, stepSec: int64(step / time.Second)}
	fmt.Fprintf(sw.w, "{\n  \"version\": %d,\n  \"step\": %q,\n", SnapshotVersion, formatDuration(step))
	if !recordedAt.IsZero() {
		fmt.Fprintf(sw.w, "  \"recorded_at\": %q,\n", recordedAt.UTC().Format(time.RFC3339Nano))
	}
	sw.w.WriteString("  \"slos\": {")
	return sw, nil
}

// Add writes the history of one SLO as good and total pairs. Steps with no
// data (NaN in either series) are left out. A good count slightly above
// total, as Prometheus's separate extrapolation of two counters can yield,
// is written as total: the file format does not allow good > total.
func (sw *SnapshotWriter) Add(id string, s *Series) error {
	switch {
	case sw.closed:
		return fmt.Errorf("write snapshot: add %q: writer is closed", id)
	case sw.n > 0 && id <= sw.last:
		return fmt.Errorf("write snapshot: add %q: ids must be added in increasing order; %q came before", id, sw.last)
	case s.Step != sw.step:
		return fmt.Errorf("write snapshot: add %q: series step %s differs from the snapshot step %s", id, formatDuration(s.Step), formatDuration(sw.step))
	case len(s.Good) != len(s.Total):
		return fmt.Errorf("write snapshot: add %q: %d good steps but %d total steps", id, len(s.Good), len(s.Total))
	case s.FirstEnd.Nanosecond() != 0 || s.FirstEnd.Unix()%sw.stepSec != 0:
		return fmt.Errorf("write snapshot: add %q: first step end %s is not on the %s step grid", id, s.FirstEnd.UTC().Format(time.RFC3339Nano), formatDuration(sw.step))
	}
	first := s.FirstEnd.Unix()
	for i := range s.Total {
		g, t := s.Good[i], s.Total[i]
		if math.IsNaN(g) || math.IsNaN(t) {
			continue
		}
		switch {
		case math.IsInf(g, 0) || math.IsInf(t, 0):
			return fmt.Errorf("write snapshot: add %q: at %s: count is not finite", id, at(first+int64(i)*sw.stepSec))
		case g < 0 || t < 0:
			return fmt.Errorf("write snapshot: add %q: at %s: negative count (good %s, total %s)", id, at(first+int64(i)*sw.stepSec), num(g), num(t))
		case g > MaxCount || t > MaxCount:
			// The reader would refuse the file.
			return fmt.Errorf("write snapshot: add %q: at %s: count above %d (2^53) (good %s, total %s)", id, at(first+int64(i)*sw.stepSec), int64(MaxCount), num(g), num(t))
		}
	}

	// Steps without data at either end are left out; inside, they are null.
	lo, hi := 0, len(s.Total)
	for lo < hi && (math.IsNaN(s.Good[lo]) || math.IsNaN(s.Total[lo])) {
		lo++
	}
	for hi > lo && (math.IsNaN(s.Good[hi-1]) || math.IsNaN(s.Total[hi-1])) {
		hi--
	}
	if sw.n > 0 {
		sw.w.WriteByte(',')
	}
	sw.w.WriteString("\n    ")
	sw.buf = strconv.AppendQuote(sw.buf[:0], id)
	sw.w.Write(sw.buf)
	sw.w.WriteString(": {\n      \"start\": ")
	sw.buf = strconv.AppendInt(sw.buf[:0], first+int64(lo)*sw.stepSec, 10)
	sw.w.Write(sw.buf)
	for k, name := range []string{"good", "total"} {
		fmt.Fprintf(sw.w, ",\n      %q: [", name)
		b := sw.buf[:0]
		for i := lo; i < hi; i++ {
			if i > lo {
				b = append(b, ',')
			}
			g, t := s.Good[i], s.Total[i]
			if math.IsNaN(g) || math.IsNaN(t) {
				b = append(b, "null"...)
				continue
			}
			v := min(g, t)
			if k == 1 {
				v = t
			}
			if v == 0 {
				v = 0 // no "-0"
			}
			b = strconv.AppendFloat(b, v, 'f', -1, 64)
			if len(b) > 32<<10 {
				sw.w.Write(b)
				b = b[:0]
			}
		}
		b = append(b, ']')
		sw.w.Write(b)
		sw.buf = b
	}
	sw.w.WriteString("\n    }")
	sw.last = id
	sw.n++
	return nil
}

// Close ends the snapshot and flushes it. It does not close the underlying
// writer (close the gzip.Writer and the file after it).
func (sw *SnapshotWriter) Close() error {
	if sw.closed {
		return nil
	}
	sw.closed = true
	if sw.n > 0 {
		sw.w.WriteString("\n  ")
	}
	sw.w.WriteString("}\n}\n")
	if err := sw.w.Flush(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

// WriteSnapshot writes series, keyed by SLO id, as one snapshot in id order.
// See SnapshotWriter.
func WriteSnapshot(w io.Writer, step time.Duration, recordedAt time.Time, series map[string]*Series) error {
	sw, err := NewSnapshotWriter(w, step, recordedAt)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(series))
	for id := range series {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := sw.Add(id, series[id]); err != nil {
			return err
		}
	}
	return sw.Close()
}

func parseDuration(s string) (time.Duration, error) {
	d, err := model.ParseDuration(s)
	return time.Duration(d), err
}

func formatDuration(d time.Duration) string { return model.Duration(d).String() }
