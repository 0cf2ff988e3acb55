package metrics

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
)

// seriesStore holds the checked history of a snapshot's SLOs, encoded
// compactly: whole counts as varints (about 3 bytes a step instead of the
// 24 of two float64 and a timestamp). Past spillAfter bytes in memory the
// encodings go to an unlinked temporary file, so a snapshot of a thousand
// SLOs costs the build disk, not memory.
type seriesStore struct {
	spillAfter int64 // negative: never
	inMemory   int64
	mu         sync.Mutex // guards file and fileSize while writing
	file       *os.File
	fileSize   int64
}

// storedSeries is one SLO's encoded history, in memory or in the file.
type storedSeries struct {
	first  int64 // τ of the first step with data, unix seconds
	last   int64 // τ of the last
	n      int   // steps with data
	floats bool  // counts that are not whole numbers: 8-byte floats
	mem    []byte
	off    int64 // in the file when mem is nil
	size   int
}

// maxExact is the largest count a varint stores exactly as a float64.
const maxExact = 1 << 53

func (st *seriesStore) put(s *snapshotSeries, stepSec int64) (*storedSeries, error) {
	out := &storedSeries{n: len(s.ends)}
	if out.n == 0 {
		return out, nil
	}
	out.first, out.last = s.ends[0], s.ends[len(s.ends)-1]
	for i := range s.ends {
		if g, t := s.good[i], s.total[i]; g != math.Trunc(g) || t != math.Trunc(t) || t >= maxExact {
			out.floats = true
			break
		}
	}
	// Each step: the steps since the previous one with data, then total and
	// total − good (bad, mostly 0) as varints, or as two float64.
	buf := make([]byte, 0, 4*len(s.ends))
	prev := out.first
	for i, τ := range s.ends {
		buf = appendUvarint(buf, uint64((τ-prev)/stepSec))
		prev = τ
		if out.floats {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(s.good[i]))
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(s.total[i]))
			continue
		}
		buf = appendUvarint(buf, uint64(s.total[i]))
		buf = appendUvarint(buf, uint64(s.total[i]-s.good[i]))
	}
	out.size = len(buf)
	if st.spillAfter < 0 || st.inMemory+int64(len(buf)) <= st.spillAfter {
		st.inMemory += int64(len(buf))
		out.mem = buf
		return out, nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.file == nil {
		f, err := os.CreateTemp("", "relia-snapshot-*")
		if err != nil {
			return nil, fmt.Errorf("spill to a temporary file: %w", err)
		}
		// Unlinked at once: the data lives while the file is open and
		// vanishes with the process, however it ends.
		os.Remove(f.Name())
		st.file = f
		runtime.AddCleanup(st, func(f *os.File) { f.Close() }, f)
	}
	if _, err := st.file.WriteAt(buf, st.fileSize); err != nil {
		return nil, fmt.Errorf("spill to a temporary file: %w", err)
	}
	out.off = st.fileSize
	st.fileSize += int64(len(buf))
	return out, nil
}

// close releases the temporary file of a snapshot that failed to read.
func (st *seriesStore) close() {
	if st.file != nil {
		st.file.Close()
		st.file = nil
	}
}

// each calls fn for every step with data, in time order.
func (st *seriesStore) each(ss *storedSeries, stepSec int64, fn func(τ int64, good, total float64) bool) error {
	buf := ss.mem
	if buf == nil && ss.size > 0 {
		buf = make([]byte, ss.size)
		if _, err := st.file.ReadAt(buf, ss.off); err != nil {
			return fmt.Errorf("read spilled history: %w", err)
		}
	}
	// The varints are read with their one-byte case inlined: a history is
	// millions of them, and binary.Uvarint is a call each.
	τ := ss.first
	i := 0
	for range ss.n {
		d := uint64(buf[i])
		if i++; d >= 0x80 {
			d, i = uvarintAt(buf, i-1)
		}
		τ += int64(d) * stepSec
		var g, t float64
		if ss.floats {
			g = math.Float64frombits(binary.LittleEndian.Uint64(buf[i:]))
			t = math.Float64frombits(binary.LittleEndian.Uint64(buf[i+8:]))
			i += 16
		} else {
			tot := uint64(buf[i])
			if i++; tot >= 0x80 {
				tot, i = uvarintAt(buf, i-1)
			}
			bad := uint64(buf[i])
			if i++; bad >= 0x80 {
				bad, i = uvarintAt(buf, i-1)
			}
			t, g = float64(tot), float64(tot-bad)
		}
		if !fn(τ, g, t) {
			break
		}
	}
	return nil
}

// appendUvarint is binary.AppendUvarint with the one-byte case, nearly
// every gap and many counts, inlined: a history is millions of them.
func appendUvarint(buf []byte, v uint64) []byte {
	if v < 0x80 {
		return append(buf, byte(v))
	}
	return binary.AppendUvarint(buf, v)
}

// uvarintAt reads the varint at buf[i:] and returns it and the index
// after it.
func uvarintAt(buf []byte, i int) (uint64, int) {
	v, k := binary.Uvarint(buf[i:])
	return v, i + k
}
