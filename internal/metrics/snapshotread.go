package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// Limits of the snapshot reader. A snapshot is outside input: a gzip bomb
// or a runaway export must stop with an error, not exhaust memory.
const (
	// DefaultMaxSnapshotValueBytes caps one JSON value of a snapshot, in
	// practice one SLO's object: the decoder holds a whole value in memory
	// before it parses it. Two years at one-minute steps in version 2 are
	// about 15 MB.
	DefaultMaxSnapshotValueBytes = 64 << 20
	// defaultSpillAfter is how many bytes of encoded history a snapshot
	// keeps in memory before it moves the rest to a temporary file.
	defaultSpillAfter = 16 << 20
	// keptForPositions is how much of the file the reader keeps to turn a
	// byte offset into line:col in errors; past it errors give the offset.
	keptForPositions = 8 << 20
)

// SnapshotOptions tune ReadSnapshotWith and OpenSnapshotWith.
type SnapshotOptions struct {
	// MaxValueBytes caps one JSON value (one SLO's history); zero means
	// DefaultMaxSnapshotValueBytes.
	MaxValueBytes int64
	// Keep, when set, names the SLOs whose history is kept for Fetch; the
	// others are still checked. A build keeps only its configured SLOs.
	Keep func(id string) bool
	// SpillAfter is how many bytes of encoded history stay in memory; the
	// rest goes to an unlinked temporary file. Zero means 16 MiB, a
	// negative value never spills.
	SpillAfter int64
}

// ErrSnapshotLimit marks a snapshot that exceeds a limit of
// SnapshotOptions.
var ErrSnapshotLimit = errors.New("snapshot limit exceeded")

// posReader counts the bytes the decoder reads, keeps the start of the file
// for error positions, and stops a value that grows past the limit.
type posReader struct {
	r        io.Reader
	off      int64
	kept     []byte
	mark     int64 // offset where the value being decoded started
	maxValue int64
	tooLarge bool
}

func (p *posReader) Read(b []byte) (int, error) {
	if p.off-p.mark > p.maxValue {
		p.tooLarge = true
		return 0, ErrSnapshotLimit
	}
	n, err := p.r.Read(b)
	if room := keptForPositions - len(p.kept); room > 0 {
		p.kept = append(p.kept, b[:min(n, room)]...)
	}
	p.off += int64(n)
	return n, err
}

// snapshotParser reads a snapshot token by token: only one SLO's history is
// decoded at a time, and what a build needs of it is encoded compactly.
type snapshotParser struct {
	name    string
	pr      *posReader
	dec     *json.Decoder
	e       *snapshotErrors
	s       *Snapshot
	opts    SnapshotOptions
	version int
	seen    map[string]bool
	pending []pendingSLO // SLOs read before the step was known
}

type pendingSLO struct {
	id  string
	slo *snapshotSLO
}

func readSnapshotStream(r io.Reader, name string, opts SnapshotOptions) (*Snapshot, error) {
	if opts.MaxValueBytes <= 0 {
		opts.MaxValueBytes = DefaultMaxSnapshotValueBytes
	}
	if opts.SpillAfter == 0 {
		opts.SpillAfter = defaultSpillAfter
	}
	pr := &posReader{r: r, maxValue: opts.MaxValueBytes}
	p := &snapshotParser{
		name: name, pr: pr, dec: json.NewDecoder(pr), opts: opts,
		e:    &snapshotErrors{name: name},
		s:    &Snapshot{name: name, series: map[string]*storedSeries{}, store: &seriesStore{spillAfter: opts.SpillAfter}},
		seen: map[string]bool{},
	}
	p.dec.DisallowUnknownFields()
	if err := p.parse(); err != nil {
		p.s.store.close()
		return nil, err
	}
	if len(p.e.errs) > 0 {
		p.s.store.close()
		return nil, errors.Join(p.e.errs...)
	}
	return p.s, nil
}

// limitErr names the limit a value ran into and how to raise it.
func (p *snapshotParser) limitErr() error {
	return fmt.Errorf("read snapshot %s: a value at byte %d is larger than the limit of %d bytes (max_snapshot_value_bytes in [limits]): %w",
		p.name, p.pr.mark, p.opts.MaxValueBytes, ErrSnapshotLimit)
}

// jsonErr positions a decoder error.
func (p *snapshotParser) jsonErr(err error) error {
	if p.pr.tooLarge || errors.Is(err, ErrSnapshotLimit) {
		return p.limitErr()
	}
	var le *layerError
	if errors.As(err, &le) {
		return fmt.Errorf("read snapshot %s: %w", p.name, le)
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	if (errors.As(err, &se) && se.Offset > int64(len(p.pr.kept))) || (errors.As(err, &te) && te.Offset > int64(len(p.pr.kept))) {
		return fmt.Errorf("read snapshot %s: at byte %d: %s", p.name, p.dec.InputOffset(), strings.TrimPrefix(err.Error(), "json: "))
	}
	if errors.Is(err, io.EOF) && p.pr.off > 0 {
		err = io.ErrUnexpectedEOF
	}
	return jsonError(p.pr.kept, p.name, err)
}

func (p *snapshotParser) token() (json.Token, error) {
	p.pr.mark = p.pr.off
	t, err := p.dec.Token()
	if err != nil {
		return nil, p.jsonErr(err)
	}
	return t, nil
}

func (p *snapshotParser) decode(v any, field string) error {
	p.pr.mark = p.pr.off
	// The decoder counts the offsets of a Decode error from just past the
	// colon or comma before the value: find that base.
	base := p.dec.InputOffset()
	for k := p.pr.kept; base < int64(len(k)); base++ {
		if c := k[base]; c == ':' || c == ',' {
			base++
			break
		} else if !isSpace(c) {
			break
		}
	}
	err := p.dec.Decode(v)
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		te.Offset += base
		if te.Field == "" {
			te.Field = field
		} else if field != "" && !strings.HasPrefix(te.Field, field) {
			te.Field = field + "." + te.Field
		}
	case errors.As(err, &se):
		// A Decoder's scanner counts on across values: find the place
		// again with a fresh decoder over the value's bytes.
		se.Offset = int64(len(p.pr.kept)) + 1
		if base < int64(len(p.pr.kept)) {
			var raw json.RawMessage
			var se2 *json.SyntaxError
			if err2 := json.NewDecoder(bytes.NewReader(p.pr.kept[base:])).Decode(&raw); errors.As(err2, &se2) {
				se.Offset = se2.Offset + base
			}
		}
	}
	if err != nil {
		return p.jsonErr(err)
	}
	return nil
}

// at returns name:line:col for an offset the reader kept, else the offset.
func (p *snapshotParser) at(off int64) string {
	if off <= int64(len(p.pr.kept)) {
		line, col := lineCol(p.pr.kept, off)
		return fmt.Sprintf("%s:%d:%d", p.name, line, col)
	}
	return fmt.Sprintf("read snapshot %s: at byte %d", p.name, off)
}

func (p *snapshotParser) parse() error {
	t, err := p.token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("%s: snapshot: want an object, got %s", p.at(valueStart(p.pr.kept, p.dec.InputOffset())), tokenKind(t))
	}
	var version, seenStep, seenSLOs bool
	for p.dec.More() {
		t, err := p.token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		switch key {
		case "version":
			var v *int
			if err := p.decode(&v, "version"); err != nil {
				return err
			}
			version = v != nil
			switch {
			case v == nil:
			case *v == 1 || *v == SnapshotVersion:
				if seenSLOs && *v != 1 {
					return fmt.Errorf("read snapshot %s: version %d must come before slos", p.name, *v)
				}
				p.version = *v
			default:
				p.e.add("unsupported version %d; this relia reads versions 1 and %d", *v, SnapshotVersion)
				return nil
			}
		case "step":
			seenStep = true
			var v *string
			if err := p.decode(&v, "step"); err != nil {
				return err
			}
			p.readStep(v)
		case "recorded_at":
			var v *string
			if err := p.decode(&v, "recorded_at"); err != nil {
				return err
			}
			if v != nil {
				t, err := time.Parse(time.RFC3339, *v)
				if err != nil {
					p.e.add("recorded_at %q: want an RFC 3339 time such as \"2026-11-22T23:00:00Z\"", *v)
				} else if err := CheckTime(t); err != nil {
					p.e.add("recorded_at %q: %v", *v, err)
				}
				p.s.recordedAt = t.UTC()
			}
		case "slos":
			seenSLOs = true
			if err := p.readSLOs(); err != nil {
				return err
			}
		default:
			off := p.dec.InputOffset()
			enc, _ := json.Marshal(key)
			return fmt.Errorf("%s: unknown field %s; the snapshot format has version, step, recorded_at and slos, and each SLO good, bad and total (and start in version 2)",
				p.at(off-int64(len(enc))), enc)
		}
	}
	if _, err := p.token(); err != nil { // the closing brace
		return err
	}
	p.pr.mark = p.pr.off
	if _, err := p.dec.Token(); err != io.EOF {
		if p.pr.tooLarge {
			return p.limitErr()
		}
		off := p.dec.InputOffset()
		if err == nil {
			off = valueStart(p.pr.kept, off)
		}
		return fmt.Errorf("%s: unexpected data after the snapshot's closing brace", p.at(off))
	}
	if !version {
		p.e.add("version is missing; want \"version\": %d", SnapshotVersion)
	}
	if !seenStep {
		p.readStep(nil)
	}
	if !seenSLOs {
		p.e.add("slos is missing; want an object of SLO ids, such as \"slos\": {\"checkout/availability\": {...}}")
	}
	if p.s.stepSec == 0 {
		return nil
	}
	slices.SortFunc(p.pending, func(a, b pendingSLO) int { return strings.Compare(a.id, b.id) })
	for _, ps := range p.pending {
		p.keep(ps.id, p.s.readSLO(p.e, ps.id, ps.slo))
	}
	return nil
}

func (p *snapshotParser) readStep(v *string) {
	if v == nil {
		p.e.add("step is missing; want a duration such as \"step\": \"5m\"")
		return
	}
	d, err := parseDuration(*v)
	switch {
	case err != nil:
		p.e.add("step %q: %v", *v, err)
	case d <= 0 || d%time.Second != 0:
		p.e.add("step %q: want a positive whole number of seconds, such as \"5m\"", *v)
	default:
		p.s.step, p.s.stepSec = d, int64(d/time.Second)
	}
}

func (p *snapshotParser) readSLOs() error {
	t, err := p.token()
	if err != nil {
		return err
	}
	if t == nil {
		p.e.add("slos is missing; want an object of SLO ids, such as \"slos\": {\"checkout/availability\": {...}}")
		return nil
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("%s: slos: want an object, got %s", p.at(valueStart(p.pr.kept, p.dec.InputOffset())), tokenKind(t))
	}
	for p.dec.More() {
		t, err := p.token()
		if err != nil {
			return err
		}
		id, _ := t.(string)
		if p.seen[id] {
			p.e.add("%s: duplicate SLO id", id)
		}
		p.seen[id] = true
		if p.version == SnapshotVersion {
			var v *snapshotSLOv2
			if err := p.decode(&v, "slos"); err != nil {
				return err
			}
			if p.s.stepSec != 0 {
				p.keep(id, p.s.readSLOv2(p.e, id, v))
			} else {
				p.e.add("%s: step must come before slos in version %d", id, SnapshotVersion)
			}
			continue
		}
		var v *snapshotSLO
		if err := p.decode(&v, "slos"); err != nil {
			if strings.Contains(err.Error(), `unknown field "start"`) {
				err = fmt.Errorf("%w; start belongs to version %d, and \"version\": %d must come before slos", err, SnapshotVersion, SnapshotVersion)
			}
			return err
		}
		if p.s.stepSec == 0 {
			// A hand-written file may name the step last: check these once
			// it is known.
			p.pending = append(p.pending, pendingSLO{id, v})
			continue
		}
		p.keep(id, p.s.readSLO(p.e, id, v))
	}
	_, err = p.token()
	return err
}

func (p *snapshotParser) keep(id string, ser *snapshotSeries) {
	if ser == nil || len(p.e.errs) > 0 || (p.opts.Keep != nil && !p.opts.Keep(id)) {
		return
	}
	st, err := p.s.store.put(ser, p.s.stepSec)
	if err != nil {
		p.e.add("%s: keep history: %v", id, err)
		return
	}
	p.s.series[id] = st
}

func tokenKind(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '[' {
			return "array"
		}
		return "object"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "bool"
	}
	return "null"
}

// snapshotSLOv2 is one SLO of a version 2 snapshot: columns of counts from
// the step ending at start, null where a step has no data.
type snapshotSLOv2 struct {
	Start *float64    `json:"start"`
	Good  countColumn `json:"good"`
	Bad   countColumn `json:"bad"`
	Total countColumn `json:"total"`
}

// countColumn is one series of a version 2 snapshot. Its UnmarshalJSON
// parses the array by hand, as snapshotPair does: reflection costs more
// than the rest of a build at a million steps. present tells an absent key
// from an empty array.
type countColumn struct {
	present bool
	v       []float64 // NaN: null, no data
	bad     int       // index of the first entry that is not a number or null, or -1
	badText string
}

func (c *countColumn) UnmarshalJSON(b []byte) error {
	*c = countColumn{bad: -1}
	rest := skipSpace(b)
	if len(rest) >= 4 && string(rest[:4]) == "null" {
		return nil
	}
	c.present = true
	if len(rest) == 0 || rest[0] != '[' {
		c.bad, c.badText = 0, shorten(string(b))
		return nil
	}
	rest = skipSpace(rest[1:])
	if len(rest) > 0 && rest[0] == ']' {
		c.v = []float64{}
		return nil
	}
	// One entry per comma and one more: sized once, not grown.
	c.v = make([]float64, 0, bytes.Count(rest, []byte{','})+1)
	for {
		rest = skipSpace(rest)
		if len(rest) >= 4 && string(rest[:4]) == "null" {
			c.v = append(c.v, math.NaN())
			rest = rest[4:]
		} else {
			v, r, ok := jsonNumber(rest)
			if !ok {
				end := 0
				for end < len(rest) && rest[end] != ',' && rest[end] != ']' {
					end++
				}
				if c.bad < 0 {
					c.bad, c.badText = len(c.v), shorten(string(rest[:end]))
				}
				r = rest[end:]
				v = math.NaN()
			}
			c.v = append(c.v, v)
			rest = r
		}
		rest = skipSpace(rest)
		if len(rest) == 0 || rest[0] == ']' {
			return nil
		}
		rest = rest[1:] // ','
	}
}

func shorten(s string) string {
	const maxShown = 40
	if len(s) > maxShown {
		s = s[:maxShown] + "…"
	}
	return s
}

// readSLOv2 checks one SLO of a version 2 snapshot and returns the steps
// both of its series have data for, or nil after reporting errors.
func (s *Snapshot) readSLOv2(e *snapshotErrors, id string, slo *snapshotSLOv2) *snapshotSeries {
	if !e.validID(id) {
		return nil
	}
	if slo == nil {
		e.add("%s: want an object with start and two of good, bad and total, got null", id)
		return nil
	}
	type named struct {
		name string
		col  *countColumn
	}
	var present []named
	var names []string
	for _, n := range []named{{"good", &slo.Good}, {"bad", &slo.Bad}, {"total", &slo.Total}} {
		if n.col.present {
			present = append(present, n)
			names = append(names, n.name)
		}
	}
	if !e.twoSeries(id, names) {
		return nil
	}
	if slo.Start == nil {
		e.add("%s: start is missing; want the unix seconds at the end of the first step", id)
		return nil
	}
	start := *slo.Start
	if start != math.Trunc(start) || start < 0 || start > maxUnix {
		e.add("%s: start %s is not a whole number of unix seconds between 1970 and 9999", id, num(start))
		return nil
	}
	first := int64(start)
	if first%s.stepSec != 0 {
		e.add("%s: start %s: not on the %s step grid", id, at(first), formatDuration(s.step))
		return nil
	}
	a, b := present[0].col.v, present[1].col.v
	if len(a) != len(b) {
		e.add("%s: %s has %d steps but %s has %d; both columns start at start and need one entry per step", id, names[0], len(a), names[1], len(b))
		return nil
	}
	if last := first + int64(len(a)-1)*s.stepSec; len(a) > 0 && (last > maxUnix || last < first) {
		e.add("%s: %d steps from %s run past the year 9999", id, len(a), at(first))
		return nil
	}
	before := len(e.errs)
	for _, n := range present {
		if n.col.bad >= 0 {
			e.add("%s: %s[%d]: want a count or null, got %s", id, n.name, n.col.bad, n.col.badText)
		}
	}
	if len(e.errs) > before {
		return nil
	}
	out := &snapshotSeries{ends: make([]int64, 0, len(a)), good: make([]float64, 0, len(a)), total: make([]float64, 0, len(a))}
	for i := range a {
		x, y := a[i], b[i]
		ts := first + int64(i)*s.stepSec
		bad := false
		for k, v := range [2]float64{x, y} {
			// NaN is a step without data (null), not a bad count.
			if !math.IsNaN(v) && !e.validCount(id, names[k], ts, v) {
				bad = true
			}
		}
		if bad || math.IsNaN(x) || math.IsNaN(y) {
			continue
		}
		good, total, ok := e.counts(id, names[0]+"+"+names[1], ts, x, y)
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
