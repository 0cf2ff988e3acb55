package metrics

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCacheRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "cache")
	c := NewCache(dir)
	ch := chunk{first: promT0.Add(time.Minute), last: promT0.Add(5 * time.Minute)}
	key := cacheKey("http://127.0.0.1:9090", nil, "sum(increase(x[1m]))", time.Minute, ch)
	if _, ok, err := c.get(ctx, key, ch, time.Minute); ok || err != nil {
		t.Fatalf("empty cache: ok %v err %v", ok, err)
	}
	in := []float64{1, math.NaN(), 0, 2.5, 1e12}
	if err := c.put(ctx, key, ch, time.Minute, in); err != nil {
		t.Fatal(err)
	}
	out, ok, err := c.get(ctx, key, ch, time.Minute)
	if !ok || err != nil || len(out) != len(in) {
		t.Fatalf("get: %v %v %v", out, ok, err)
	}
	for i := range in {
		if in[i] != out[i] && !(math.IsNaN(in[i]) && math.IsNaN(out[i])) {
			t.Errorf("value %d: %v, want %v", i, out[i], in[i])
		}
	}
	// Another chunk under the same file name is not trusted.
	other := chunk{first: ch.first, last: ch.last.Add(time.Minute)}
	if _, ok, err := c.get(ctx, key, other, time.Minute); ok || err == nil || !strings.Contains(err.Error(), "is damaged") {
		t.Errorf("mismatched range: ok %v err %v", ok, err)
	}
	if _, err := os.Stat(filepath.Join(dir, cacheFile(key))); err == nil {
		t.Error("damaged file kept")
	}
}

// TestCacheFailures: what a cache (warn, discard, fetch again) and an
// archive (stop with an *ArchiveError) each do with a file that is
// damaged, over its size limit, or in a folder that cannot be read or
// written.
func TestCacheFailures(t *testing.T) {
	ctx := context.Background()
	ch := chunk{first: promT0.Add(time.Minute), last: promT0.Add(5 * time.Minute)}
	key := cacheKey("http://127.0.0.1:9090", nil, "sum(increase(x[1m]))", time.Minute, ch)
	// A 5-step chunk: 76 bytes of header and 40 of values raw, so the
	// limit is 116 + 116/1024 + 1024 = 1140 bytes.
	if got := maxCacheFile(5); got != 1140 {
		t.Fatalf("maxCacheFile(5) = %d, want 1140", got)
	}
	valid := func(extra int) []byte {
		// A true header for 5 values, then 5+extra values: what a file
		// that inflates far beyond its size looks like.
		sum, _ := hex.DecodeString(key)
		raw := append([]byte(cacheMagic), 2, 0, 0, 0)
		raw = append(raw, sum...)
		le := binary.LittleEndian
		raw = le.AppendUint64(raw, uint64(ch.first.UnixMilli()))
		raw = le.AppendUint64(raw, uint64(ch.last.UnixMilli()))
		raw = le.AppendUint64(raw, uint64(time.Minute.Milliseconds()))
		raw = le.AppendUint32(raw, 5)
		raw = append(raw, make([]byte, 8*(5+extra))...)
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(raw)
		zw.Close()
		return buf.Bytes()
	}
	if len(valid(1<<16)) > 1140 {
		t.Fatal("the inflating file is over the limit: the test cannot tell")
	}
	tests := []struct {
		name    string
		content []byte // the chunk's file; nil: the folder is a file
		cache   string // the cache's warning
		archive string // the archive's error
		reach   bool   // the archive is unreachable (exit 3)
	}{
		{name: "valid", content: valid(0)},
		{name: "damaged", content: []byte("not a gzip file at all"),
			cache:   "is damaged (gzip: invalid header); discarded, fetching again",
			archive: ".json.gz: damaged: gzip: invalid header; relia stops rather than fetch the chunk"},
		{name: "over the limit", content: make([]byte, 1141),
			cache:   "is damaged (over the limit of 1140 bytes for a chunk of 5 steps)",
			archive: "damaged: over the limit of 1140 bytes for a chunk of 5 steps"},
		// 512 KiB of values in a file under the limit: read only up to
		// one byte past the 40 expected.
		{name: "inflates too far", content: valid(1 << 16),
			cache:   "is damaged (41 bytes of values, want 40)",
			archive: "damaged: 41 bytes of values, want 40"},
		// The values whole but the trailer cut or its CRC wrong: read
		// to the end, the stream must be verified, not just long enough.
		{name: "trailer cut", content: func() []byte { v := valid(0); return v[:len(v)-8] }(),
			cache:   "is damaged (unexpected EOF)",
			archive: "damaged: unexpected EOF"},
		{name: "wrong CRC", content: func() []byte { v := valid(0); v[len(v)-8] ^= 1; return v }(),
			cache:   "is damaged (gzip: invalid checksum)",
			archive: "damaged: gzip: invalid checksum"},
		{name: "unreadable folder", content: nil,
			cache:   ": not a directory; fetching again",
			archive: ": not a directory; relia stops rather than report only", reach: true},
	}
	for _, tt := range tests {
		for _, strict := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/archive=%v", tt.name, strict), func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "history")
				if tt.content == nil {
					if err := os.WriteFile(dir, []byte("a file where the folder should be"), 0o644); err != nil {
						t.Fatal(err)
					}
				} else {
					if err := os.MkdirAll(dir, 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(dir, cacheFile(key)), tt.content, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				c := NewCache(dir)
				want := tt.cache
				if strict {
					c, want = NewArchive(Folder(dir)), tt.archive
				}
				vals, ok, err := c.get(ctx, key, ch, time.Minute)
				if want == "" {
					if !ok || err != nil || len(vals) != 5 {
						t.Fatalf("get: %v %v %v", vals, ok, err)
					}
					return
				}
				if ok || err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("get: ok %v, err %v; want %q", ok, err, want)
				}
				var ae *ArchiveError
				if isArchive := errors.As(err, &ae); isArchive != strict {
					t.Errorf("an *ArchiveError: %v, want %v", isArchive, strict)
				}
				if reach := errors.Is(err, ErrUnreachable); reach != (strict && tt.reach) {
					t.Errorf("errors.Is(err, ErrUnreachable) = %v, want %v", reach, strict && tt.reach)
				}
				if tt.content == nil {
					// Writing fails too: an archive stops, a cache goes on.
					err := c.put(ctx, key, ch, time.Minute, []float64{1, 2, 3, 4, 5})
					if err == nil || errors.Is(err, ErrUnreachable) != strict {
						t.Errorf("put into a file: %v; want an error, unreachable: %v", err, strict)
					}
					return
				}
				// A cache discards the damaged file; an archive keeps it for
				// a person to look at.
				_, serr := os.Stat(filepath.Join(dir, cacheFile(key)))
				if kept := serr == nil; kept != strict {
					t.Errorf("damaged file kept: %v, want %v", kept, strict)
				}
			})
		}
	}
}

// FuzzCacheFile: a cache file is outside input (a disk, another version of
// relia); decoding must never panic nor accept values that are not counts.
func FuzzCacheFile(f *testing.F) {
	ch := chunk{first: promT0.Add(time.Minute), last: promT0.Add(5 * time.Minute)}
	key := cacheKey("u", nil, "q", time.Minute, ch)
	dir := f.TempDir()
	c := NewCache(dir)
	if err := c.put(context.Background(), key, ch, time.Minute, []float64{1, 2, math.NaN(), 4, 5}); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(filepath.Join(dir, cacheFile(key)))
	f.Add(good) // layout 3
	floats, err := encodeCacheFile(key, ch, time.Minute, []float64{0.5, 2, math.NaN(), 4, 5})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(floats) // layout 2
	f.Add(good[:len(good)/2])
	var raw bytes.Buffer
	zr, _ := gzip.NewReader(bytes.NewReader(good))
	raw.ReadFrom(zr)
	f.Add(raw.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		var zipped bytes.Buffer
		zw := gzip.NewWriter(&zipped)
		zw.Write(data)
		zw.Close()
		for _, in := range [][]byte{data, zipped.Bytes()} {
			vals, err := decodeCacheFile(in, key, ch, time.Minute)
			if err != nil {
				continue
			}
			if len(vals) != 5 {
				t.Fatalf("%d values for a 5-step chunk", len(vals))
			}
			for _, v := range vals {
				if !math.IsNaN(v) && (v < 0 || math.IsInf(v, 0)) {
					t.Fatalf("accepted %v", v)
				}
			}
		}
	})
}

// FuzzProbeFile: a kept probe is outside input too; decoding must never
// panic nor accept figures no probe gives.
func FuzzProbeFile(f *testing.F) {
	key := probeKey("u", nil, "up", time.Minute)
	dir := f.TempDir()
	c := NewCache(dir)
	if err := c.putProbe(context.Background(), key, Scrape{Series: 2, Interval: 15 * time.Second, Offset: 7 * time.Second, At: promT0}, promT0); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(filepath.Join(dir, probeName(key)))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(`{"version":2,"key":"` + key + `","interval_ms":0,"offset_ms":-1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, measured, err := decodeProbeFile(data, key)
		if err != nil {
			return
		}
		if s.Series < 0 || s.Interval < 0 || s.Offset < -1 || (s.Interval > 0 && s.Offset >= s.Interval) || measured.Before(time.Unix(0, 0)) {
			t.Fatalf("accepted %+v measured %s", s, measured)
		}
	})
}

// TestCacheLayouts: whole counts are kept as varints (layout 3), anything
// else as floats (layout 2), each read back exactly; a chunk written by
// an earlier relia (floats, whatever its values) still reads, since an
// archive may hold history the store no longer has; and a damaged layout
// 3 file is refused with its fault.
func TestCacheLayouts(t *testing.T) {
	ctx := context.Background()
	ch := chunk{first: promT0.Add(time.Minute), last: promT0.Add(5 * time.Minute)}
	key := cacheKey("http://127.0.0.1:9090", nil, "q", time.Minute, ch)
	layoutOf := func(data []byte) uint32 {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		var raw bytes.Buffer
		if _, err := raw.ReadFrom(zr); err != nil {
			t.Fatal(err)
		}
		return binary.LittleEndian.Uint32(raw.Bytes()[len(cacheMagic):])
	}
	negZero := math.Copysign(0, -1)
	for _, tt := range []struct {
		name   string
		vals   []float64
		layout uint32
	}{
		{"counts", []float64{0, 1, 127, 128, 1 << 53}, layoutCounts},
		{"no data", []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()}, layoutCounts},
		{"counts and gaps", []float64{math.NaN(), 3, 0, math.NaN(), 300000}, layoutCounts},
		{"a fraction", []float64{1, 2, 2.5, 3, 4}, layoutFloats},
		{"beyond exact", []float64{1, 2, 1<<53 + 2, 3, 4}, layoutFloats},
		{"negative zero", []float64{1, negZero, 0, 3, 4}, layoutFloats},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data, err := encodeCacheFile(key, ch, time.Minute, tt.vals)
			if err != nil {
				t.Fatal(err)
			}
			if got := layoutOf(data); got != tt.layout {
				t.Errorf("layout %d, want %d", got, tt.layout)
			}
			got, err := decodeCacheFile(data, key, ch, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range tt.vals {
				if math.Float64bits(got[i]) != math.Float64bits(v) && !(math.IsNaN(v) && math.IsNaN(got[i])) {
					t.Errorf("value %d: %v, want %v", i, got[i], v)
				}
			}
		})
	}

	// What relia wrote before layout 3: floats, compressed, for counts too.
	le := binary.LittleEndian
	header := func(layout uint32, n uint32) []byte {
		sum, _ := hex.DecodeString(key)
		raw := append([]byte(cacheMagic), 0, 0, 0, 0)
		le.PutUint32(raw[len(cacheMagic):], layout)
		raw = append(raw, sum...)
		raw = le.AppendUint64(raw, uint64(ch.first.UnixMilli()))
		raw = le.AppendUint64(raw, uint64(ch.last.UnixMilli()))
		raw = le.AppendUint64(raw, uint64(time.Minute.Milliseconds()))
		return le.AppendUint32(raw, n)
	}
	zip := func(raw []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(raw)
		zw.Close()
		return buf.Bytes()
	}
	old := header(layoutFloats, 5)
	for _, v := range []float64{4, math.NaN(), 0, 7, 1000} {
		old = le.AppendUint64(old, math.Float64bits(v))
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, cacheFile(key)), zip(old), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Cache{NewCache(dir), NewArchive(Folder(dir))} {
		got, ok, err := c.get(ctx, key, ch, time.Minute)
		if !ok || err != nil || got[0] != 4 || !math.IsNaN(got[1]) || got[4] != 1000 {
			t.Fatalf("a layout 2 file of counts: %v %v %v", got, ok, err)
		}
	}

	for _, tt := range []struct {
		name, values, want string
	}{
		{"cut short", "\x01\x02\x03\x04", "value 5 of 5 cut short"},
		{"cut inside a value", "\x01\x02\x03\x04\x80", "value 5 of 5 cut short"},
		{"a value too many", "\x01\x02\x03\x04\x05\x06", "1 bytes after the 5 values"},
		{"beyond exact", "\x01\x02\x03\x04\x82\x80\x80\x80\x80\x80\x80\x10", "is beyond what relia writes"},
		{"overlong varint", "\x01\x02\x03\x04\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", "value 5 of 5 cut short"},
		{"another layout", "", "version 4, want 2 or 3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			layout := uint32(layoutCounts)
			if tt.values == "" {
				layout = 4
			}
			raw := append(header(layout, 5), tt.values...)
			if _, err := decodeCacheFile(zip(raw), key, ch, time.Minute); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want %q", err, tt.want)
			}
		})
	}
}
