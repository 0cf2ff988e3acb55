package metrics

import (
	"fmt"
	"time"
)

// MaxCount is the largest event count per step relia accepts: 2^53, past
// which a float64 no longer counts by ones, and sums over a window could
// overflow to +Inf and turn ratios into NaN.
const MaxCount = 1 << 53

// The report times relia handles. time.Time goes further, but UnixNano
// (the step grid) ends in 2262 and Prometheus's timestamps start at the
// epoch; 2200 leaves room for windows and history on either side.
var (
	EarliestTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	LatestTime   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// CheckTime reports whether t lies in the range relia handles, with the
// range in the error.
func CheckTime(t time.Time) error {
	if t.Before(EarliestTime) || t.After(LatestTime) {
		return fmt.Errorf("out of range; relia handles times from %s to %s",
			EarliestTime.Format(time.RFC3339), LatestTime.Format(time.RFC3339))
	}
	return nil
}
