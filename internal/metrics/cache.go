package metrics

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// Cache keeps the answers of settled past query_range chunks on disk (a
// site's .relia/cache/), so that a rebuild asks the store only for what is
// new. Each chunk is one gzip-compressed file named by a SHA-256 of the
// source URL (without credentials), the extra headers, the query, the step
// and the range: no credential and no query text is stored, and gzip's CRC
// catches a damaged file. A file that does not read back exactly as
// written is discarded with a warning and fetched again, never trusted.
// Writes go to a temporary file renamed into place, so concurrent builds
// and a killed build leave either the old file or the new one.
//
// The layout is binary, not JSON: a warm build reads millions of values
// from the cache, and decoding them as JSON took most of its time.
//
//	magic "relia-cache\n", version uint32, key [32]byte,
//	first, last, step int64 (Unix milliseconds), n uint32,
//	n × float64 (one per step of the chunk, NaN where no point)
//
// all little-endian.
type Cache struct {
	dir string
}

// cacheVersion changes whenever the key or the file layout does; files of
// another version are discarded.
const cacheVersion = 2

const cacheMagic = "relia-cache\n"

// NewCache returns a cache in dir, created on the first write.
func NewCache(dir string) *Cache { return &Cache{dir: dir} }

// Dir is the folder the cache writes to.
func (c *Cache) Dir() string { return c.dir }

// cacheKey hashes what determines the answer of a chunk. Credentials are
// not part of it: they decide whether the store answers, not what.
func cacheKey(url string, headers map[string]string, query string, step time.Duration, c chunk) string {
	h := sha256.New()
	fmt.Fprintf(h, "relia query_range cache v%d\x00%s\x00", cacheVersion, url)
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		fmt.Fprintf(h, "%s: %s\x00", k, headers[k])
	}
	fmt.Fprintf(h, "%s\x00%d\x00%d\x00%d", query, step.Milliseconds(), c.first.UnixMilli(), c.last.UnixMilli())
	return hex.EncodeToString(h.Sum(nil))
}

func (c *Cache) path(key string) string { return filepath.Join(c.dir, key+".json.gz") }

// get returns the values of chunk ch (NaN where no point) when the cache
// holds it. A damaged file is removed and reported in err, with ok false:
// the caller fetches again.
func (c *Cache) get(key string, ch chunk, step time.Duration) (vals []float64, ok bool, err error) {
	path := c.path(key)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cache: read %s: %v; fetching again", path, err)
	}
	vals, err = decodeCacheFile(data, key, ch, step)
	if err != nil {
		os.Remove(path)
		return nil, false, fmt.Errorf("cache: %s is damaged (%v); discarded, fetching again", path, err)
	}
	return vals, true, nil
}

func decodeCacheFile(data []byte, key string, ch chunk, step time.Duration) ([]float64, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr) // verifies the CRC at the end
	if err != nil {
		return nil, err
	}
	stepMs := step.Milliseconds()
	first, last := ch.first.UnixMilli(), ch.last.UnixMilli()
	n := (last-first)/stepMs + 1
	const head = len(cacheMagic) + 4 + sha256.Size + 3*8 + 4
	if len(raw) < head || string(raw[:len(cacheMagic)]) != cacheMagic {
		return nil, errors.New("not a relia cache file")
	}
	le := binary.LittleEndian
	r := raw[len(cacheMagic):]
	if v := le.Uint32(r); v != cacheVersion {
		return nil, fmt.Errorf("version %d, want %d", v, cacheVersion)
	}
	r = r[4:]
	if hex.EncodeToString(r[:sha256.Size]) != key {
		return nil, errors.New("key does not match the file name")
	}
	r = r[sha256.Size:]
	if int64(le.Uint64(r)) != first || int64(le.Uint64(r[8:])) != last || int64(le.Uint64(r[16:])) != stepMs || int64(le.Uint32(r[24:])) != n {
		return nil, errors.New("range does not match the key")
	}
	r = r[28:]
	if int64(len(r)) != 8*n {
		return nil, fmt.Errorf("%d bytes of values, want %d", len(r), 8*n)
	}
	vals := make([]float64, n)
	for i := range vals {
		v := math.Float64frombits(le.Uint64(r[8*i:]))
		if !math.IsNaN(v) && (math.IsInf(v, 0) || v < 0) {
			return nil, fmt.Errorf("value %s is not a count", strconv.FormatFloat(v, 'g', -1, 64))
		}
		vals[i] = v
	}
	return vals, nil
}

// put stores the values of chunk ch.
func (c *Cache) put(key string, ch chunk, step time.Duration, vals []float64) error {
	sum, err := hex.DecodeString(key)
	if err != nil || len(sum) != sha256.Size {
		return fmt.Errorf("cache: bad key %q", key)
	}
	le := binary.LittleEndian
	raw := make([]byte, 0, len(cacheMagic)+4+sha256.Size+28+8*len(vals))
	raw = append(raw, cacheMagic...)
	raw = le.AppendUint32(raw, cacheVersion)
	raw = append(raw, sum...)
	raw = le.AppendUint64(raw, uint64(ch.first.UnixMilli()))
	raw = le.AppendUint64(raw, uint64(ch.last.UnixMilli()))
	raw = le.AppendUint64(raw, uint64(step.Milliseconds()))
	raw = le.AppendUint32(raw, uint32(len(vals)))
	for _, v := range vals {
		raw = le.AppendUint64(raw, math.Float64bits(v))
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw) // into memory: cannot fail
	if err := zw.Close(); err != nil {
		return fmt.Errorf("cache: encode: %v", err)
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return fmt.Errorf("cache: %v; continuing without it", err)
	}
	tmp, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("cache: %v; continuing without it", err)
	}
	_, werr := tmp.Write(buf.Bytes())
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), c.path(key))
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cache: write %s: %v", c.path(key), werr)
	}
	return nil
}
