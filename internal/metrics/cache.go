package metrics

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	inflate "github.com/klauspost/compress/gzip"
)

// Cache keeps the answers of settled past query_range chunks (in a
// site's .relia/cache/, or in its [archive]), so that a rebuild asks the
// store only for what is new. Each chunk is one gzip-compressed file named
// by a SHA-256 of the source URL (without credentials), the extra headers,
// the query, the step and the range: no credential and no query text is
// stored, and gzip's CRC catches a damaged file. A file that does not read
// back exactly as written is never trusted. Writes replace a file whole
// (a temporary file renamed into place, or one object upload), so
// concurrent builds and a killed build leave either the old file or the
// new one.
//
// Beside the chunks it keeps, for the newest chunk of a range (not settled
// whole), its settled beginning as a prefix file, and each selector's
// scrape-interval probe as a small JSON file: both go through the same
// ChunkStore, so a folder cache, a folder archive and a bucket archive
// keep them alike.
//
// A cache (NewCache) is a convenience: a file it cannot read or finds
// damaged is discarded with a warning and fetched again. An archive
// (NewArchive) is a record of history the store may no longer hold: any
// failure to read or write it is an *ArchiveError that stops the fetch,
// because fetching the chunk again from a store with short retention would
// report partial history as complete.
//
// The layout is binary, not JSON: a warm build reads millions of values
// from the cache, and decoding them as JSON took most of its time.
//
//	magic "relia-cache\n", layout uint32, key [32]byte,
//	first, last, step int64 (Unix milliseconds), n uint32,
//	then one value per step of the chunk:
//	  layout 2: n × float64 (NaN where no point), compressed
//	  layout 3: n × uvarint (0 where no point, c+1 for a count c),
//	            gzip's stored blocks, not compressed
//
// all little-endian. A chunk whose values are all whole counts (as event
// counts are) is written in layout 3: inflating compressed floats was a
// fifth of a warm build's CPU, and stored varints read five times
// faster for a fifth more bytes. Other chunks (a counter of fractions)
// keep layout 2, and files of layout 2 written before stay readable:
// an archive may hold history no store has any more.
type Cache struct {
	store  ChunkStore
	strict bool // an archive: failures are errors, not warnings
}

// ChunkStore holds the files of a Cache: a folder (Folder), or a bucket
// (package archive). It is used concurrently.
type ChunkStore interface {
	// Read returns the file's bytes, at most limit+1 of them (so that the
	// caller can tell a file over the limit), or an error wrapping
	// fs.ErrNotExist when there is no such file.
	Read(ctx context.Context, name string, limit int64) ([]byte, error)
	// Write stores data as the file's whole content: a reader sees the
	// old content or the new, never part of it.
	Write(ctx context.Context, name string, data []byte) error
	// Remove deletes the file.
	Remove(ctx context.Context, name string) error
	// String names the store for people: a path, or a URL without
	// credentials.
	String() string
}

// NewCache returns a cache in the folder dir, created on the first write.
func NewCache(dir string) *Cache { return &Cache{store: Folder(dir)} }

// NewArchive returns an archive in store: a cache whose failures are
// errors (see Cache).
func NewArchive(store ChunkStore) *Cache { return &Cache{store: store, strict: true} }

// ArchiveError is a failure of an archive. Unreachable says the archive
// could not be read or written (errors.Is(err, ErrUnreachable) holds, as
// for a store that cannot be reached); otherwise one of its files is
// damaged or over its size limit.
type ArchiveError struct {
	Where       string // the archive (ChunkStore.String)
	Object      string // the file at fault
	Unreachable bool
	Err         error
}

func (e *ArchiveError) Error() string {
	if e.Unreachable {
		return fmt.Sprintf("archive %s: %s: %v; relia stops rather than report only the history the store still holds (--no-cache builds from the store alone)", e.Where, e.Object, e.Err)
	}
	return fmt.Sprintf("archive %s: object %s: %v; relia stops rather than fetch the chunk from the store, which may no longer hold it: delete the object to do that", e.Where, e.Object, e.Err)
}

func (e *ArchiveError) Unwrap() error { return e.Err }

// Is makes an unreachable archive an ErrUnreachable: the CLI exits 3 on it.
func (e *ArchiveError) Is(target error) bool { return e.Unreachable && target == ErrUnreachable }

// keyVersion is part of every key and every probe: changing it orphans
// every kept chunk, archives included, so it changes only when what a key
// stands for does. Layouts are versioned in the files themselves.
const keyVersion = 2

const (
	layoutFloats = 2
	layoutCounts = 3
)

// maxExactCount is the largest count a float64 holds exactly: above it, a
// count could not be written and read back as the same value.
const maxExactCount = 1 << 53

const cacheMagic = "relia-cache\n"

// cacheKey hashes what determines the answer of a chunk. Credentials are
// not part of it: they decide whether the store answers, not what.
func cacheKey(url string, headers map[string]string, query string, step time.Duration, c chunk) string {
	return keyOf("query_range", url, headers, fmt.Sprintf("%s\x00%d\x00%d\x00%d", query, step.Milliseconds(), c.first.UnixMilli(), c.last.UnixMilli()))
}

// prefixKey names the settled beginning of the newest chunk of a range,
// the one not settled whole: the same source, query and step, and the
// chunk's first step. A step's value does not depend on how a range is cut
// into requests, so the prefix is valid however far it reaches.
func prefixKey(url string, headers map[string]string, query string, step time.Duration, first time.Time) string {
	return keyOf("query_range prefix", url, headers, fmt.Sprintf("%s\x00%d\x00%d", query, step.Milliseconds(), first.UnixMilli()))
}

// probeKey names a scrape-interval probe of one selector at one step.
func probeKey(url string, headers map[string]string, selector string, step time.Duration) string {
	return keyOf("probe", url, headers, fmt.Sprintf("%s\x00%d", selector, step.Milliseconds()))
}

func keyOf(kind, url string, headers map[string]string, rest string) string {
	h := sha256.New()
	fmt.Fprintf(h, "relia %s cache v%d\x00%s\x00", kind, keyVersion, url)
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		fmt.Fprintf(h, "%s: %s\x00", k, headers[k])
	}
	h.Write([]byte(rest))
	return hex.EncodeToString(h.Sum(nil))
}

func cacheFile(key string) string  { return key + ".json.gz" }
func prefixFile(key string) string { return key + ".prefix.gz" }
func probeName(key string) string  { return key + ".probe.json" }

// cacheHead is the size of a cache file's header, before the values.
const cacheHead = len(cacheMagic) + 4 + sha256.Size + 3*8 + 4

// maxCacheFile bounds the size of the file of a chunk of n steps, which a
// read never exceeds: its raw size, plus what gzip adds to data it cannot
// compress (5 bytes per 64 KiB block, 18 of header and trailer), with room.
func maxCacheFile(n int64) int64 {
	raw := int64(cacheHead) + 8*n
	return raw + raw/1024 + 1024
}

// read reads the file name of at most limit bytes (the limit for of): ok false with a nil
// error when there is none. A cache's failure to read is a warning for
// the caller; an archive's is an *ArchiveError.
func (c *Cache) read(ctx context.Context, name string, limit int64, of, again string) (data []byte, ok bool, err error) {
	data, err = c.store.Read(ctx, name, limit)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		if c.strict {
			return nil, false, &ArchiveError{Where: c.store.String(), Object: "read " + name, Unreachable: true, Err: err}
		}
		return nil, false, fmt.Errorf("cache: read %s in %s: %v; %s", name, c.store, err, again)
	}
	if int64(len(data)) > limit {
		return nil, false, c.damaged(ctx, name, fmt.Errorf("over the limit of %d bytes for %s", limit, of), again)
	}
	return data, true, nil
}

// damaged reports the file name, which did not decode: a cache removes it
// (the caller warns and fetches again), an archive stops.
func (c *Cache) damaged(ctx context.Context, name string, err error, again string) error {
	if c.strict {
		return &ArchiveError{Where: c.store.String(), Object: name, Err: fmt.Errorf("damaged: %w", err)}
	}
	c.store.Remove(ctx, name)
	return fmt.Errorf("cache: %s in %s is damaged (%v); discarded, %s", name, c.store, err, again)
}

// write stores data as the file name.
func (c *Cache) write(ctx context.Context, name string, data []byte) error {
	if err := c.store.Write(ctx, name, data); err != nil {
		if c.strict {
			return &ArchiveError{Where: c.store.String(), Object: "write " + name, Unreachable: true, Err: err}
		}
		return fmt.Errorf("cache: write %s in %s: %v; continuing without it", name, c.store, err)
	}
	return nil
}

// get returns the values of chunk ch (NaN where no point) when the cache
// holds it. A cache's damaged file is removed and reported in err, with ok
// false: the caller warns and fetches again. An archive reports every
// failure as an *ArchiveError, and the caller stops.
func (c *Cache) get(ctx context.Context, key string, ch chunk, step time.Duration) (vals []float64, ok bool, err error) {
	name := cacheFile(key)
	n := int64(ch.last.Sub(ch.first)/step) + 1
	data, ok, err := c.read(ctx, name, maxCacheFile(n), fmt.Sprintf("a chunk of %d steps", n), "fetching again")
	if !ok {
		return nil, false, err
	}
	if vals, err = decodeCacheFile(data, key, ch, step); err != nil {
		return nil, false, c.damaged(ctx, name, err, "fetching again")
	}
	return vals, true, nil
}

// getPrefix returns the settled values kept of the chunk of at most n
// steps whose first step ends at first: steps first, first+step, …; none
// when the cache holds none. Failures are those of get.
func (c *Cache) getPrefix(ctx context.Context, key string, first time.Time, step time.Duration, n int) ([]float64, error) {
	name := prefixFile(key)
	data, ok, err := c.read(ctx, name, maxCacheFile(int64(n)), fmt.Sprintf("a prefix of at most %d steps", n), "fetching again")
	if !ok {
		return nil, err
	}
	f, _, stepMs, vals, err := decodeCacheData(data, key, int64(n))
	if err == nil && (f != first.UnixMilli() || stepMs != step.Milliseconds()) {
		err = errors.New("range does not match the key")
	}
	if err != nil {
		return nil, c.damaged(ctx, name, err, "fetching again")
	}
	return vals, nil
}

// putPrefix keeps the settled values of the newest chunk, from its first
// step on.
func (c *Cache) putPrefix(ctx context.Context, key string, first time.Time, step time.Duration, vals []float64) error {
	last := first.Add(time.Duration(len(vals)-1) * step)
	data, err := encodeCacheFile(key, chunk{first: first, last: last}, step, vals)
	if err != nil {
		return err
	}
	return c.write(ctx, prefixFile(key), data)
}

// dropPrefix removes the prefix of a chunk once the chunk is kept whole.
// A prefix left behind is harmless (the whole chunk is read first), so a
// failure is only a warning, for an archive too.
func (c *Cache) dropPrefix(ctx context.Context, key string) error {
	name := prefixFile(key)
	if err := c.store.Remove(ctx, name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cache: remove %s in %s: %v", name, c.store, err)
	}
	return nil
}

func decodeCacheFile(data []byte, key string, ch chunk, step time.Duration) ([]float64, error) {
	n := int64(ch.last.Sub(ch.first)/step) + 1
	first, last, stepMs, vals, err := decodeCacheData(data, key, n)
	if err != nil {
		return nil, err
	}
	if first != ch.first.UnixMilli() || last != ch.last.UnixMilli() || stepMs != step.Milliseconds() {
		return nil, errors.New("range does not match the key")
	}
	return vals, nil
}

// decodeCacheData reads a cache file of at most maxN values whose range is
// not known beforehand: the header's range, checked against the number of
// values, and the values.
func decodeCacheData(data []byte, key string, maxN int64) (first, last, stepMs int64, vals []float64, err error) {
	zr, _ := inflaters.Get().(*inflate.Reader)
	if zr == nil {
		zr, err = inflate.NewReader(bytes.NewReader(data))
	} else {
		err = zr.Reset(bytes.NewReader(data))
	}
	if err != nil {
		return 0, 0, 0, nil, err
	}
	defer inflaters.Put(zr)
	// Read one byte more than the file may hold: a small file that
	// inflates to gigabytes must not be read whole. The buffer is the
	// limit's size from the start, and reused: growing it by doubling, as
	// io.ReadAll does, for each of the thousands of chunks of a warm
	// build was a tenth of its CPU.
	limit := int(int64(cacheHead) + 8*maxN + 1)
	bufp, _ := inflated.Get().(*[]byte)
	if bufp == nil || cap(*bufp) < limit {
		b := make([]byte, limit)
		bufp = &b
	}
	defer inflated.Put(bufp)
	buf, read := (*bufp)[:limit], 0
	for read < limit { // at the limit, the checks below refuse the length
		n, err := zr.Read(buf[read:])
		read += n
		if err == io.EOF { // only once the CRC at the end is verified
			break
		}
		if err != nil {
			return 0, 0, 0, nil, err
		}
	}
	raw := buf[:read]
	if len(raw) < cacheHead || string(raw[:len(cacheMagic)]) != cacheMagic {
		return 0, 0, 0, nil, errors.New("not a relia cache file")
	}
	le := binary.LittleEndian
	r := raw[len(cacheMagic):]
	layout := le.Uint32(r)
	if layout != layoutFloats && layout != layoutCounts {
		return 0, 0, 0, nil, fmt.Errorf("version %d, want %d or %d", layout, layoutFloats, layoutCounts)
	}
	r = r[4:]
	if hex.EncodeToString(r[:sha256.Size]) != key {
		return 0, 0, 0, nil, errors.New("key does not match the file name")
	}
	r = r[sha256.Size:]
	first, last, stepMs = int64(le.Uint64(r)), int64(le.Uint64(r[8:])), int64(le.Uint64(r[16:]))
	n := int64(le.Uint32(r[24:]))
	r = r[28:]
	if stepMs <= 0 || n < 1 || n > maxN || last < first || (last-first)%stepMs != 0 || (last-first)/stepMs != n-1 {
		return 0, 0, 0, nil, errors.New("range does not match the number of values")
	}
	if layout == layoutCounts {
		vals, err = decodeCounts(r, n)
		return first, last, stepMs, vals, err
	}
	if int64(len(r)) != 8*n {
		return 0, 0, 0, nil, fmt.Errorf("%d bytes of values, want %d", len(r), 8*n)
	}
	vals = make([]float64, n)
	for i := range vals {
		v := math.Float64frombits(le.Uint64(r[8*i:]))
		if !math.IsNaN(v) && (math.IsInf(v, 0) || v < 0) {
			return 0, 0, 0, nil, fmt.Errorf("value %s is not a count", strconv.FormatFloat(v, 'g', -1, 64))
		}
		vals[i] = v
	}
	return first, last, stepMs, vals, nil
}

// decodeCounts reads the n values of layout 3, which must fill r exactly.
func decodeCounts(r []byte, n int64) ([]float64, error) {
	vals := make([]float64, n)
	for i := range vals {
		var u uint64
		if len(r) > 0 && r[0] < 0x80 { // most counts of a step: one byte
			u, r = uint64(r[0]), r[1:]
		} else {
			var k int
			if u, k = binary.Uvarint(r); k <= 0 {
				return nil, fmt.Errorf("value %d of %d cut short", i+1, n)
			}
			r = r[k:]
		}
		switch {
		case u == 0:
			vals[i] = math.NaN()
		case u-1 > maxExactCount:
			return nil, fmt.Errorf("count %d is beyond what relia writes", u-1)
		default:
			vals[i] = float64(u - 1)
		}
	}
	if len(r) > 0 {
		return nil, fmt.Errorf("%d bytes after the %d values", len(r), n)
	}
	return vals, nil
}

// inflaters and inflated reuse, across the chunks a build reads, the gzip
// readers' state and the buffers they inflate into. klauspost/compress
// inflates (as for snapshots) faster than compress/gzip; files are still
// written by compress/gzip, so stored bytes do not change.
var (
	inflaters sync.Pool // *inflate.Reader
	inflated  sync.Pool // *[]byte
)

// put stores the values of chunk ch. A cache's failure is a warning for
// the caller; an archive's is an *ArchiveError.
func (c *Cache) put(ctx context.Context, key string, ch chunk, step time.Duration, vals []float64) error {
	data, err := encodeCacheFile(key, ch, step, vals)
	if err != nil {
		return err
	}
	return c.write(ctx, cacheFile(key), data)
}

func encodeCacheFile(key string, ch chunk, step time.Duration, vals []float64) ([]byte, error) {
	sum, err := hex.DecodeString(key)
	if err != nil || len(sum) != sha256.Size {
		return nil, fmt.Errorf("cache: bad key %q", key)
	}
	layout, level := layoutCounts, gzip.NoCompression
	for _, v := range vals {
		if !math.IsNaN(v) && (math.Signbit(v) || v > maxExactCount || v != math.Trunc(v)) {
			layout, level = layoutFloats, gzip.DefaultCompression
			break
		}
	}
	le := binary.LittleEndian
	raw := make([]byte, 0, cacheHead+8*len(vals))
	raw = append(raw, cacheMagic...)
	raw = le.AppendUint32(raw, uint32(layout))
	raw = append(raw, sum...)
	raw = le.AppendUint64(raw, uint64(ch.first.UnixMilli()))
	raw = le.AppendUint64(raw, uint64(ch.last.UnixMilli()))
	raw = le.AppendUint64(raw, uint64(step.Milliseconds()))
	raw = le.AppendUint32(raw, uint32(len(vals)))
	for _, v := range vals {
		switch {
		case layout == layoutFloats:
			raw = le.AppendUint64(raw, math.Float64bits(v))
		case math.IsNaN(v):
			raw = append(raw, 0)
		default:
			raw = binary.AppendUvarint(raw, uint64(v)+1)
		}
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, level) // a valid level: no error
	zw.Write(raw)                             // into memory: cannot fail
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("cache: encode: %v", err)
	}
	return buf.Bytes(), nil
}

// probeFile is a kept scrape-interval probe. Measured is the clock when it
// was measured (the TTL counts from it); At is the time it measured.
type probeFile struct {
	Version    int    `json:"version"`
	Key        string `json:"key"`
	Series     int    `json:"series"`
	IntervalMs int64  `json:"interval_ms"`
	OffsetMs   int64  `json:"offset_ms"`
	AtMs       int64  `json:"at_ms"`
	MeasuredMs int64  `json:"measured_ms"`
}

// getProbe returns the probe kept under key and when it was measured, ok
// false when there is none. Failures are those of get.
func (c *Cache) getProbe(ctx context.Context, key string) (s Scrape, measured time.Time, ok bool, err error) {
	name := probeName(key)
	data, ok, err := c.read(ctx, name, maxProbeFile, "a probe", "measuring again")
	if !ok {
		return Scrape{}, time.Time{}, false, err
	}
	if s, measured, err = decodeProbeFile(data, key); err != nil {
		return Scrape{}, time.Time{}, false, c.damaged(ctx, name, err, "measuring again")
	}
	return s, measured, true, nil
}

// maxProbeFile bounds a probe file: a real one is about 200 bytes.
const maxProbeFile = 4 << 10

func decodeProbeFile(data []byte, key string) (Scrape, time.Time, error) {
	if len(data) > maxProbeFile {
		return Scrape{}, time.Time{}, fmt.Errorf("%d bytes, more than the %d a probe takes", len(data), maxProbeFile)
	}
	var f probeFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Scrape{}, time.Time{}, err
	}
	switch {
	case f.Version != keyVersion:
		return Scrape{}, time.Time{}, fmt.Errorf("version %d, want %d", f.Version, keyVersion)
	case f.Key != key:
		return Scrape{}, time.Time{}, errors.New("key does not match the file name")
	case f.Series < 0 || f.IntervalMs < 0 || f.OffsetMs < -1 || (f.IntervalMs > 0 && f.OffsetMs >= f.IntervalMs) || (f.IntervalMs == 0 && f.OffsetMs != -1):
		return Scrape{}, time.Time{}, errors.New("not a probe's figures")
	case f.IntervalMs > (365*24*time.Hour).Milliseconds() || f.AtMs < 0 || f.AtMs > maxUnix*1000 || f.MeasuredMs < 0 || f.MeasuredMs > maxUnix*1000:
		return Scrape{}, time.Time{}, errors.New("time out of range")
	}
	offset := time.Duration(-1)
	if f.OffsetMs >= 0 {
		offset = time.Duration(f.OffsetMs) * time.Millisecond
	}
	s := Scrape{Series: f.Series, Interval: time.Duration(f.IntervalMs) * time.Millisecond, Offset: offset, At: time.UnixMilli(f.AtMs).UTC()}
	return s, time.UnixMilli(f.MeasuredMs).UTC(), nil
}

// putProbe keeps a probe measured at the clock time measured.
func (c *Cache) putProbe(ctx context.Context, key string, s Scrape, measured time.Time) error {
	off := int64(-1)
	if s.Offset >= 0 {
		off = s.Offset.Milliseconds()
	}
	data, err := json.Marshal(probeFile{Version: keyVersion, Key: key, Series: s.Series, IntervalMs: s.Interval.Milliseconds(),
		OffsetMs: off, AtMs: s.At.UnixMilli(), MeasuredMs: measured.UnixMilli()})
	if err != nil {
		return fmt.Errorf("cache: encode probe: %v", err)
	}
	return c.write(ctx, probeName(key), append(data, '\n'))
}

// Folder is a ChunkStore in a folder on disk, created on the first write.
type Folder string

func (f Folder) String() string { return string(f) }

func (f Folder) path(name string) string { return filepath.Join(string(f), name) }

// Read implements ChunkStore.
func (f Folder) Read(_ context.Context, name string, limit int64) ([]byte, error) {
	file, err := os.Open(f.path(name))
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return io.ReadAll(io.LimitReader(file, limit+1))
}

// Write implements ChunkStore: a temporary file renamed into place.
func (f Folder) Write(_ context.Context, name string, data []byte) error {
	if err := os.MkdirAll(string(f), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(string(f), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), f.path(name))
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

// Remove implements ChunkStore.
func (f Folder) Remove(_ context.Context, name string) error { return os.Remove(f.path(name)) }
