package metrics

import (
	"bytes"
	"compress/gzip"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzReadSnapshot checks that no input makes ReadSnapshot panic, and that
// whatever it accepts survives Fetch and a write → read round trip.
func FuzzReadSnapshot(f *testing.F) {
	files, err := filepath.Glob("testdata/snapshot/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadSnapshot(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			if s != nil {
				t.Fatal("snapshot and error both returned")
			}
			return
		}
		series := map[string]*Series{}
		for _, id := range s.SLOs() {
			ser := s.series[id]
			if ser.n == 0 {
				continue
			}
			// Keep allocations small: only short spans are fetched whole.
			first, last := ser.first, ser.last
			if (last-first)/s.stepSec > 10000 {
				continue
			}
			q := Query{SLO: id, From: time.Unix(first-s.stepSec, 0), To: time.Unix(last, 0), Step: s.step}
			got, err := s.Fetch(context.Background(), q)
			if err != nil {
				t.Fatalf("Fetch(%s): %v", id, err)
			}
			for i := range got.Total {
				g, tot := got.Good[i], got.Total[i]
				if math.IsNaN(g) != math.IsNaN(tot) || g > tot || g < 0 {
					t.Fatalf("%s step %d: good %v total %v", id, i, g, tot)
				}
			}
			series[id] = got
		}
		var buf bytes.Buffer
		if err := WriteSnapshot(&buf, s.step, s.recordedAt, series); err != nil {
			t.Fatalf("WriteSnapshot: %v", err)
		}
		back, err := ReadSnapshot(&buf, "again.json")
		if err != nil {
			t.Fatalf("reading back: %v\n%s", err, buf.Bytes())
		}
		for id, want := range series {
			q := Query{SLO: id, From: want.FirstEnd.Add(-want.Step), To: want.End(want.Len() - 1), Step: want.Step}
			got, err := back.Fetch(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			if !sameFloats(got.Good, want.Good) || !sameFloats(got.Total, want.Total) {
				t.Fatalf("%s: round trip differs", id)
			}
		}
	})
}
