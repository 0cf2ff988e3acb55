package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// Limits of the snapshot reader. A snapshot is outside input: a gzip bomb
// or a runaway export must stop with an error, not exhaust memory.
const (
	// DefaultMaxSnapshotValueBytes caps one JSON value of a snapshot, in
	// practice one SLO's object: the reader holds an SLO's columns in
	// memory (8 bytes a count, for two or more bytes of text) until it has
	// checked them. Two years at one-minute steps in version 2 are about
	// 15 MB.
	DefaultMaxSnapshotValueBytes = 64 << 20
	// defaultSpillAfter is how many bytes of encoded history a snapshot
	// keeps in memory before it moves the rest to a temporary file.
	defaultSpillAfter = 16 << 20
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

// snapshotParser reads a snapshot token by token: only one SLO's history is
// decoded at a time, and what a build needs of it is encoded compactly.
type snapshotParser struct {
	name    string
	sc      *snapScanner
	e       *snapshotErrors
	s       *Snapshot
	opts    SnapshotOptions
	version int
	seen    map[string]bool
	pending []pendingSLO // SLOs read before the step was known
	// pendingBytes is the size of their JSON, bounded like one value.
	pendingBytes int64
	// id is the SLO being read, and decoded the bytes its series take
	// once read: bounded by twice MaxValueBytes as well as its JSON is by
	// MaxValueBytes, since a step written in 2 bytes ("0,") takes 8 as a
	// number; real counts take 4 to 6 bytes.
	id      string
	decoded int64
	steps   int // entries in the last series read, to size the next

	// Buffers for one version 2 SLO at a time, reused: its columns
	// (good, bad, total) and its checked steps.
	cols   [3][]float64
	series snapshotSeries
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
	p := &snapshotParser{
		name: name, sc: newSnapScanner(r, opts.MaxValueBytes), opts: opts,
		e:    &snapshotErrors{name: name},
		s:    &Snapshot{name: name, series: map[string]*storedSeries{}, store: &seriesStore{spillAfter: opts.SpillAfter}},
		seen: map[string]bool{},
	}
	if err := p.parse(); err != nil {
		p.s.store.close()
		return nil, p.fail(err)
	}
	if len(p.e.errs) > 0 {
		p.s.store.close()
		return nil, errors.Join(p.e.errs...)
	}
	return p.s, nil
}

// fail words an error of the scanner for the user: positioned when the
// JSON is wrong, naming the limit when a value is too large.
func (p *snapshotParser) fail(err error) error {
	var se *syntaxError
	var le *layerError
	switch {
	case errors.Is(err, errValueLimit):
		return &limitError{fmt.Sprintf("read snapshot %s: a value at byte %d is larger than the limit of %d bytes (raise it with max_snapshot_value_bytes in [limits])",
			p.name, p.sc.mark, p.opts.MaxValueBytes)}
	case errors.As(err, &se):
		return fmt.Errorf("%s: %s", p.at(se.at), se.msg)
	case errors.As(err, &le):
		return fmt.Errorf("read snapshot %s: %w", p.name, le)
	}
	return err
}

// limitError is a snapshot past one of its limits: errors.Is finds
// ErrSnapshotLimit, and the text says which limit and how to raise it.
type limitError struct{ msg string }

func (e *limitError) Error() string        { return e.msg }
func (e *limitError) Is(target error) bool { return target == ErrSnapshotLimit }

// decodedLimit is an SLO whose series, read into numbers, would take
// more than twice MaxValueBytes.
func (p *snapshotParser) decodedLimit() error {
	return &limitError{fmt.Sprintf("read snapshot %s: %s: its series would take more than twice the limit of %d bytes once read, at 8 bytes a step (raise it with max_snapshot_value_bytes in [limits])",
		p.name, p.id, p.opts.MaxValueBytes)}
}

// decodedRoom is how many entries of size bytes the SLO being read may
// still take.
func (p *snapshotParser) decodedRoom(size int64) int {
	return int(max(2*p.opts.MaxValueBytes-p.decoded, 0) / size)
}

// maxSnapshotSLOs bounds the SLOs of one snapshot: the reader remembers
// every id to refuse a second one, and 12 million tiny entries (a 31 MB
// gzip) took 1.7 GB and a minute before. A site of 1,000 SLOs records
// 1,000.
const maxSnapshotSLOs = 100_000

// at formats a position as name:line:col.
func (p *snapshotParser) at(at scanPos) string {
	return fmt.Sprintf("%s:%d:%d", p.name, at.line, at.col)
}

// fieldError is a well-formed value that does not fit the snapshot's
// shape: a value of the wrong kind, an unknown key.
type fieldError struct{ msg string }

func (e *fieldError) Error() string { return e.msg }

// typeErr is a value of the wrong kind, worded as encoding/json's errors
// were: want is what field takes, got the kind found.
func (p *snapshotParser) typeErr(at scanPos, field, want, got string) error {
	return &fieldError{fmt.Sprintf("%s: %s: want %s, got %s", p.at(at), field, want, got)}
}

// wrongKind reads a value that is not of the kind field takes, checking
// its grammar (a syntax error inside it comes first), and returns the
// type error.
func (p *snapshotParser) wrongKind(c byte, field, want string) error {
	at := p.sc.pos()
	kind := kindOf(c)
	if kind == "" {
		return p.sc.errAt(c, "looking for beginning of value")
	}
	if _, err := p.sc.skip(false); err != nil {
		return err
	}
	return p.typeErr(at, field, want, kind)
}

// notObject is the error for a value starting with c where what must be
// an object: the kind of value found, once a number, string or literal
// has been read and found well formed.
func (p *snapshotParser) notObject(c byte, what string) error {
	at := p.sc.pos()
	kind := kindOf(c)
	switch kind {
	case "":
		return p.sc.errAt(c, "looking for beginning of value")
	case "number", "string", "bool", "null":
		if _, err := p.sc.skip(false); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s: %s: want an object, got %s", p.at(at), what, kind)
}

func (p *snapshotParser) parse() error {
	sc := p.sc
	c, err := sc.next()
	if err != nil {
		if sc.rerr == io.EOF && sc.base+int64(sc.n) == 0 {
			return fmt.Errorf("read snapshot %s: empty file", p.name)
		}
		return err
	}
	if c != '{' {
		return p.notObject(c, "snapshot")
	}
	sc.i++
	var version, seenStep, seenSLOs bool
	for first := true; ; first = false {
		sc.setMark()
		key, keyAt, ok, err := sc.member(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := p.startValue(); err != nil {
			return err
		}
		switch key {
		case "version":
			v, err := p.intValue("version")
			if err != nil {
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
			v, err := p.stringValue("step")
			if err != nil {
				return err
			}
			p.readStep(v)
		case "recorded_at":
			v, err := p.stringValue("recorded_at")
			if err != nil {
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
			enc, _ := json.Marshal(key)
			return fmt.Errorf("%s: unknown field %s; the snapshot format has version, step, recorded_at and slos, and each SLO good, bad and total (and start in version 2)",
				p.at(keyAt), enc)
		}
		if err := sc.endValue(); err != nil {
			return err
		}
	}
	sc.setMark()
	if _, err := sc.next(); err == nil {
		return fmt.Errorf("%s: unexpected data after the snapshot's closing brace", p.at(sc.pos()))
	} else if sc.rerr != io.EOF {
		return err
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

// startValue moves to the next value and starts its size limit there.
func (p *snapshotParser) startValue() error {
	if _, err := p.sc.next(); err != nil {
		return err
	}
	p.sc.setMark()
	return nil
}

// intValue reads an integer or null.
func (p *snapshotParser) intValue(field string) (*int, error) {
	sc := p.sc
	c, err := sc.next()
	if err != nil {
		return nil, err
	}
	at := sc.pos()
	switch kindOf(c) {
	case "null":
		return nil, sc.literal()
	case "number":
		raw, err := sc.number()
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseInt(string(raw), 10, 0)
		if err != nil {
			return nil, p.typeErr(at, field, "an integer", "number "+string(raw))
		}
		v := int(n)
		return &v, nil
	}
	return nil, p.wrongKind(c, field, "an integer")
}

// stringValue reads a string or null.
func (p *snapshotParser) stringValue(field string) (*string, error) {
	sc := p.sc
	c, err := sc.next()
	if err != nil {
		return nil, err
	}
	switch kindOf(c) {
	case "null":
		return nil, sc.literal()
	case "string":
		v, err := sc.str()
		if err != nil {
			return nil, err
		}
		return &v, nil
	}
	return nil, p.wrongKind(c, field, "a string")
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
	sc := p.sc
	c, err := sc.next()
	if err != nil {
		return err
	}
	if c == 'n' {
		if err := sc.literal(); err != nil {
			return err
		}
		p.e.add("slos is missing; want an object of SLO ids, such as \"slos\": {\"checkout/availability\": {...}}")
		return nil
	}
	if c != '{' {
		return p.notObject(c, "slos")
	}
	sc.i++
	for first := true; ; first = false {
		sc.setMark()
		id, _, ok, err := sc.member(first)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if p.seen[id] {
			p.e.add("%s: duplicate SLO id", id)
		}
		p.seen[id] = true
		p.id, p.decoded = id, 0
		if len(p.seen) > maxSnapshotSLOs {
			return &limitError{fmt.Sprintf("read snapshot %s: more than %d SLOs, the limit (a fixed bound; a snapshot needs only the site's SLOs, which relia snapshot records)", p.name, maxSnapshotSLOs)}
		}
		if err := p.startValue(); err != nil {
			return err
		}
		if p.version == SnapshotVersion {
			v, err := p.sloV2()
			if err != nil {
				return err
			}
			if p.s.stepSec != 0 {
				p.keep(id, p.s.readSLOv2(p.e, id, v, &p.series))
			} else {
				p.e.add("%s: step must come before slos in version %d", id, SnapshotVersion)
			}
		} else {
			v, err := p.sloV1()
			if err != nil {
				return err
			}
			if p.s.stepSec == 0 {
				// A hand-written file may name the step last: check these
				// once it is known, holding no more of them than one value
				// may take.
				if p.pendingBytes += sc.base + int64(sc.i) - sc.mark; p.pendingBytes > p.opts.MaxValueBytes {
					return &limitError{fmt.Sprintf("read snapshot %s: the SLOs before \"step\" take more than the limit of %d bytes (write \"step\" before \"slos\", or raise max_snapshot_value_bytes in [limits])", p.name, p.opts.MaxValueBytes)}
				}
				p.pending = append(p.pending, pendingSLO{id, v})
			} else {
				p.keep(id, p.s.readSLO(p.e, id, v))
			}
		}
		if err := sc.endValue(); err != nil {
			return err
		}
	}
}

// sloObject reads one SLO's object, null (nil, no error) or a value of
// another kind (an error), calling member for each key. Like
// encoding/json, it reads the whole value before it reports the first
// error of a member, so that bad grammar further on comes first.
func (p *snapshotParser) sloObject(member func(key string, at scanPos) error) (bool, error) {
	sc := p.sc
	c, err := sc.next()
	if err != nil {
		return false, err
	}
	if c == 'n' {
		return false, sc.literal()
	}
	if c != '{' {
		return false, p.wrongKind(c, "slos", "an object")
	}
	sc.i++
	var first error
	for f := true; ; f = false {
		key, at, ok, err := sc.member(f)
		if err != nil {
			return false, err
		}
		if !ok {
			return true, first
		}
		if err := member(key, at); err != nil {
			var fe *fieldError
			if !errors.As(err, &fe) {
				return false, err
			}
			if first == nil {
				first = err
			}
		}
	}
}

// unknownSLOField skips the value of a key an SLO does not have and
// returns the error for the key.
func (p *snapshotParser) unknownSLOField(key string, at scanPos) error {
	if _, err := p.sc.skip(false); err != nil {
		return err
	}
	msg := fmt.Sprintf("%s: unknown field %q; the snapshot format has version, step, recorded_at and slos, and each SLO good, bad and total", p.at(at), key)
	if key == "start" && p.version != SnapshotVersion {
		msg += fmt.Sprintf("; start belongs to version %d, and \"version\": %d must come before slos", SnapshotVersion, SnapshotVersion)
	}
	return &fieldError{msg}
}

// sloV2 reads one SLO of a version 2 snapshot. Keys match without regard
// to case, as encoding/json matched them.
func (p *snapshotParser) sloV2() (*snapshotSLOv2, error) {
	v := &snapshotSLOv2{Good: countColumn{bad: -1}, Bad: countColumn{bad: -1}, Total: countColumn{bad: -1}}
	ok, err := p.sloObject(func(key string, at scanPos) error {
		var col *countColumn
		var k int
		switch {
		case strings.EqualFold(key, "start"):
			return p.startField(v)
		case strings.EqualFold(key, "good"):
			col, k = &v.Good, 0
		case strings.EqualFold(key, "bad"):
			col, k = &v.Bad, 1
		case strings.EqualFold(key, "total"):
			col, k = &v.Total, 2
		default:
			return p.unknownSLOField(key, at)
		}
		return p.column(col, k)
	})
	if err != nil || !ok {
		return nil, err
	}
	return v, nil
}

// startField reads the start of a version 2 SLO: a number or null.
func (p *snapshotParser) startField(v *snapshotSLOv2) error {
	sc := p.sc
	c, err := sc.next()
	if err != nil {
		return err
	}
	at := sc.pos()
	switch kindOf(c) {
	case "null":
		v.Start = nil
		return sc.literal()
	case "number":
		raw, err := sc.number()
		if err != nil {
			return err
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return p.typeErr(at, "slos.start", "a number", "number "+string(raw))
		}
		v.Start = &f
		return nil
	}
	return p.wrongKind(c, "slos.start", "a number")
}

// column reads column k (good, bad, total) of a version 2 SLO: counts and
// nulls, or null for none. An entry that is neither is kept as the
// column's first bad entry, to be reported with the SLO's other errors.
// The column lives in a buffer that the next SLO reuses.
func (p *snapshotParser) column(col *countColumn, k int) error {
	sc := p.sc
	*col = countColumn{bad: -1}
	c, err := sc.next()
	if err != nil {
		return err
	}
	if c == 'n' {
		return sc.literal()
	}
	col.present = true
	if c != '[' {
		return p.badEntry(col, 0)
	}
	sc.i++
	if c, err = sc.next(); err != nil {
		return err
	}
	v := p.cols[k][:0]
	room := p.decodedRoom(8)
	defer func() { p.decoded += 8 * int64(len(v)) }()
	if want := min(p.columnSize(), room+1); cap(v) < want {
		// Sized once: grown by appending, the first columns of a
		// snapshot cost more in page faults and copies than in parsing.
		v = make([]float64, 0, want)
	}
	defer func() { p.cols[k] = v[:0] }()
	if c == ']' {
		sc.i++
		col.v = v
		return nil
	}
	for {
		// The fast path: a whole number of up to 15 digits (exact in a
		// float64) and the comma or bracket after it, all in the buffer.
		// Anything else, white space included, takes the general path
		// for one entry.
		buf, i := sc.buf[:sc.n], sc.i
		var n uint64
		j := i
		for ; j < len(buf) && j-i < 16; j++ {
			d := buf[j] - '0'
			if d > 9 {
				break
			}
			n = n*10 + uint64(d)
		}
		if len(v) >= room {
			return p.decodedLimit()
		}
		if j > i && j < len(buf) && j-i < 16 && (buf[i] != '0' || j == i+1) {
			switch buf[j] {
			case ',':
				v = append(v, float64(n))
				sc.i = j + 1
				continue
			case ']':
				v = append(v, float64(n))
				sc.i = j + 1
				col.v = v
				p.steps = len(v)
				return nil
			}
		}
		if c, err = sc.next(); err != nil {
			return err
		}
		switch kindOf(c) {
		case "null":
			if err := sc.literal(); err != nil {
				return err
			}
			v = append(v, math.NaN())
		case "number":
			raw, err := sc.number()
			if err != nil {
				return err
			}
			v = append(v, parseCount(raw))
		default:
			if err := p.badEntry(col, len(v)); err != nil {
				return err
			}
			v = append(v, math.NaN())
		}
		if c, err = sc.next(); err != nil {
			return err
		}
		switch c {
		case ',':
			sc.i++
		case ']':
			sc.i++
			col.v = v
			p.steps = len(v)
			return nil
		default:
			return sc.errAt(c, "after array element")
		}
	}
}

// columnSize guesses the entries of the column at the scanner: as many
// as the column before it, or, for the first, its commas in the buffer.
func (p *snapshotParser) columnSize() int {
	if p.steps > 0 {
		return p.steps
	}
	sc := p.sc
	rest := sc.buf[sc.i:sc.n]
	if end := bytes.IndexByte(rest, ']'); end >= 0 {
		rest = rest[:end]
	}
	return bytes.Count(rest, []byte{','}) + 1
}

// badEntry reads entry i, a value that is not a count, keeping its text
// for the error if it is the column's first.
func (p *snapshotParser) badEntry(col *countColumn, i int) error {
	c, err := p.sc.next()
	if err != nil {
		return err
	}
	if kindOf(c) == "" {
		return p.sc.errAt(c, "looking for beginning of value")
	}
	text, err := p.sc.skip(true)
	if err != nil {
		return err
	}
	if col.bad < 0 {
		col.bad, col.badText = i, shorten(string(text))
	}
	return nil
}

// parseCount reads a number the scanner checked. A number too large for
// float64 reads as ±Inf and is rejected later as not finite.
func parseCount(raw []byte) float64 {
	v, _ := strconv.ParseFloat(string(raw), 64)
	return v
}

// sloV1 reads one SLO of a version 1 snapshot.
func (p *snapshotParser) sloV1() (*snapshotSLO, error) {
	// Size each series by the other one of its SLO only: an SLO whose
	// step is not known yet stays in memory until the end.
	p.steps = 0
	v := &snapshotSLO{}
	ok, err := p.sloObject(func(key string, at scanPos) error {
		var pairs *[]snapshotPair
		var field string
		switch {
		case strings.EqualFold(key, "good"):
			pairs, field = &v.Good, "slos.good"
		case strings.EqualFold(key, "bad"):
			pairs, field = &v.Bad, "slos.bad"
		case strings.EqualFold(key, "total"):
			pairs, field = &v.Total, "slos.total"
		default:
			return p.unknownSLOField(key, at)
		}
		return p.pairs(pairs, field)
	})
	if err != nil || !ok {
		return nil, err
	}
	return v, nil
}

// pairs reads a series of a version 1 SLO: [timestamp, count] pairs, or
// null for none. A malformed pair keeps its text and is reported during
// validation, so that it does not hide the errors after it.
func (p *snapshotParser) pairs(into *[]snapshotPair, field string) error {
	sc := p.sc
	*into = nil
	c, err := sc.next()
	if err != nil {
		return err
	}
	if c == 'n' {
		return sc.literal()
	}
	if c != '[' {
		return p.wrongKind(c, field, "an array")
	}
	sc.i++
	const pairBytes = int64(unsafe.Sizeof(snapshotPair{}))
	room := p.decodedRoom(pairBytes)
	out := make([]snapshotPair, 0, min(p.steps, room))
	defer func() { p.decoded += pairBytes * int64(len(out)) }()
	for first := true; ; first = false {
		if c, err = sc.next(); err != nil {
			return err
		}
		if c == ']' && first {
			sc.i++
			break
		}
		if !first {
			if c == ']' {
				sc.i++
				break
			}
			if c != ',' {
				return sc.errAt(c, "after array element")
			}
			sc.i++
			if c, err = sc.next(); err != nil {
				return err
			}
		}
		pair, err := p.pair(c)
		if err != nil {
			return err
		}
		if len(out) >= room {
			return p.decodedLimit()
		}
		out = append(out, pair)
	}
	*into = out
	p.steps = len(out)
	return nil
}

// pair reads one entry of a version 1 series, starting with c.
func (p *snapshotParser) pair(c byte) (snapshotPair, error) {
	sc := p.sc
	if kindOf(c) == "" {
		return snapshotPair{}, sc.errAt(c, "looking for beginning of value")
	}
	if c == '[' {
		// Most entries: two numbers. Hold the entry so that its text is
		// still there if it turns out to be something else.
		start, took := sc.hold()
		defer sc.release(took)
		line, lineOff := sc.line, sc.lineOff
		sc.i++
		var nums [2]float64
		k := 0
		for ; k < 2; k++ {
			c, err := sc.next()
			if err != nil {
				return snapshotPair{}, err
			}
			if kindOf(c) != "number" {
				break
			}
			raw, err := sc.number()
			if err != nil {
				return snapshotPair{}, err
			}
			nums[k] = parseCount(raw)
			if c, err = sc.next(); err != nil {
				return snapshotPair{}, err
			}
			if c == ']' && k == 1 {
				sc.i++
				return snapshotPair{ts: nums[0], v: nums[1]}, nil
			}
			if c != ',' {
				break
			}
			sc.i++
		}
		// Not a pair: read it again from its start for the error.
		sc.i, sc.line, sc.lineOff = int(start-sc.base), line, lineOff
	}
	text, err := sc.skip(true)
	if err != nil {
		return snapshotPair{}, err
	}
	return snapshotPair{bad: shorten(string(text))}, nil
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

// snapshotSLOv2 is one SLO of a version 2 snapshot: columns of counts from
// the step ending at start, null where a step has no data.
type snapshotSLOv2 struct {
	Start *float64    `json:"start"`
	Good  countColumn `json:"good"`
	Bad   countColumn `json:"bad"`
	Total countColumn `json:"total"`
}

// countColumn is one series of a version 2 snapshot. present tells an
// absent key (or null) from an empty array.
type countColumn struct {
	present bool
	v       []float64 // NaN: null, no data
	bad     int       // index of the first entry that is not a number or null, or -1
	badText string
}

func shorten(s string) string {
	const maxShown = 40
	if len(s) > maxShown {
		s = s[:maxShown] + "…"
	}
	return s
}

// readSLOv2 checks one SLO of a version 2 snapshot and returns the steps
// both of its series have data for, in out, or nil after reporting errors.
func (s *Snapshot) readSLOv2(e *snapshotErrors, id string, slo *snapshotSLOv2, out *snapshotSeries) *snapshotSeries {
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
	if cap(out.ends) < len(a) {
		*out = snapshotSeries{ends: make([]int64, 0, len(a)), good: make([]float64, 0, len(a)), total: make([]float64, 0, len(a))}
	}
	out.ends, out.good, out.total = out.ends[:0], out.good[:0], out.total[:0]
	pair := names[0] + "+" + names[1]
	for i := range a {
		x, y := a[i], b[i]
		ts := first + int64(i)*s.stepSec
		// Nearly every step holds two plain counts, which these
		// comparisons pass (NaN fails them); the rest are checked one by
		// one.
		if !(x >= 0 && x <= MaxCount && y >= 0 && y <= MaxCount) {
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
		}
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
