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
	f.Add(good)
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
