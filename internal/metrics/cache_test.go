package metrics

import (
	"bytes"
	"compress/gzip"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCacheRoundTrip(t *testing.T) {
	c := NewCache(filepath.Join(t.TempDir(), "cache"))
	ch := chunk{first: promT0.Add(time.Minute), last: promT0.Add(5 * time.Minute)}
	key := cacheKey("http://127.0.0.1:9090", nil, "sum(increase(x[1m]))", time.Minute, ch)
	if _, ok, err := c.get(key, ch, time.Minute); ok || err != nil {
		t.Fatalf("empty cache: ok %v err %v", ok, err)
	}
	in := []float64{1, math.NaN(), 0, 2.5, 1e12}
	if err := c.put(key, ch, time.Minute, in); err != nil {
		t.Fatal(err)
	}
	out, ok, err := c.get(key, ch, time.Minute)
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
	if _, ok, err := c.get(key, other, time.Minute); ok || err == nil || !strings.Contains(err.Error(), "is damaged") {
		t.Errorf("mismatched range: ok %v err %v", ok, err)
	}
	if _, err := os.Stat(c.path(key)); err == nil {
		t.Error("damaged file kept")
	}
}

// FuzzCacheFile: a cache file is outside input (a disk, another version of
// relia); decoding must never panic nor accept values that are not counts.
func FuzzCacheFile(f *testing.F) {
	ch := chunk{first: promT0.Add(time.Minute), last: promT0.Add(5 * time.Minute)}
	key := cacheKey("u", nil, "q", time.Minute, ch)
	dir := f.TempDir()
	c := NewCache(dir)
	if err := c.put(key, ch, time.Minute, []float64{1, 2, math.NaN(), 4, 5}); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(c.path(key))
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
