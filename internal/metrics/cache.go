package metrics

import (
	"bytes"
	"compress/gzip"
	"context"
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
//	magic "relia-cache\n", version uint32, key [32]byte,
//	first, last, step int64 (Unix milliseconds), n uint32,
//	n × float64 (one per step of the chunk, NaN where no point)
//
// all little-endian.
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

// cacheVersion changes whenever the key or the file layout does; files of
// another version are discarded.
const cacheVersion = 2

const cacheMagic = "relia-cache\n"

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

func cacheFile(key string) string { return key + ".json.gz" }

// cacheHead is the size of a cache file's header, before the values.
const cacheHead = len(cacheMagic) + 4 + sha256.Size + 3*8 + 4

// maxCacheFile bounds the size of the file of a chunk of n steps, which a
// read never exceeds: its raw size, plus what gzip adds to data it cannot
// compress (5 bytes per 64 KiB block, 18 of header and trailer), with room.
func maxCacheFile(n int64) int64 {
	raw := int64(cacheHead) + 8*n
	return raw + raw/1024 + 1024
}

// get returns the values of chunk ch (NaN where no point) when the cache
// holds it. A cache's damaged file is removed and reported in err, with ok
// false: the caller warns and fetches again. An archive reports every
// failure as an *ArchiveError, and the caller stops.
func (c *Cache) get(ctx context.Context, key string, ch chunk, step time.Duration) (vals []float64, ok bool, err error) {
	name := cacheFile(key)
	n := int64(ch.last.Sub(ch.first)/step) + 1
	limit := maxCacheFile(n)
	data, err := c.store.Read(ctx, name, limit)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		if c.strict {
			return nil, false, &ArchiveError{Where: c.store.String(), Object: "read " + name, Unreachable: true, Err: err}
		}
		return nil, false, fmt.Errorf("cache: read %s in %s: %v; fetching again", name, c.store, err)
	}
	if int64(len(data)) > limit {
		err = fmt.Errorf("over the limit of %d bytes for a chunk of %d steps", limit, n)
	} else {
		vals, err = decodeCacheFile(data, key, ch, step)
	}
	if err != nil {
		if c.strict {
			return nil, false, &ArchiveError{Where: c.store.String(), Object: name, Err: fmt.Errorf("damaged: %w", err)}
		}
		c.store.Remove(ctx, name)
		return nil, false, fmt.Errorf("cache: %s in %s is damaged (%v); discarded, fetching again", name, c.store, err)
	}
	return vals, true, nil
}

func decodeCacheFile(data []byte, key string, ch chunk, step time.Duration) ([]float64, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	stepMs := step.Milliseconds()
	first, last := ch.first.UnixMilli(), ch.last.UnixMilli()
	n := (last-first)/stepMs + 1
	// Read one byte more than the file should hold: a small file that
	// inflates to gigabytes must not be read whole.
	raw, err := io.ReadAll(io.LimitReader(zr, int64(cacheHead)+8*n+1)) // verifies the CRC at the end
	if err != nil {
		return nil, err
	}
	if len(raw) < cacheHead || string(raw[:len(cacheMagic)]) != cacheMagic {
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

// put stores the values of chunk ch. A cache's failure is a warning for
// the caller; an archive's is an *ArchiveError.
func (c *Cache) put(ctx context.Context, key string, ch chunk, step time.Duration, vals []float64) error {
	sum, err := hex.DecodeString(key)
	if err != nil || len(sum) != sha256.Size {
		return fmt.Errorf("cache: bad key %q", key)
	}
	le := binary.LittleEndian
	raw := make([]byte, 0, cacheHead+8*len(vals))
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
	name := cacheFile(key)
	if err := c.store.Write(ctx, name, buf.Bytes()); err != nil {
		if c.strict {
			return &ArchiveError{Where: c.store.String(), Object: "write " + name, Unreachable: true, Err: err}
		}
		return fmt.Errorf("cache: write %s in %s: %v; continuing without it", name, c.store, err)
	}
	return nil
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
