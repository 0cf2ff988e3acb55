// Package metrics fetches SLO event history from metric stores behind one
// interface. It knows nothing about objectives or windows: it returns, for
// each step on a fixed grid, how many good and total events happened.
// It writes files in one place only: Cache, the chunk cache under a site's
// .relia/cache (or [archive]) folder, each file renamed into place. A
// SnapshotWriter writes to the io.Writer it is given (publish.File).
package metrics

import (
	"context"
	"errors"
	"math"
	"time"
)

// Query asks a Source for the events of one SLO on a step grid. The series
// returned covers the steps ending at From+Step, From+2·Step, …, To: the step
// ending at τ holds the events in (τ−Step, τ].
type Query struct {
	SLO  string // the SLO id, "service/name"
	From time.Time
	To   time.Time
	Step time.Duration

	// Selectors as configured; exactly two of the three are set for
	// sources that query by selector. A snapshot source ignores them.
	Good, Bad, Total string
}

// Steps is the number of steps in the query range.
func (q Query) Steps() int { return int(q.To.Sub(q.From) / q.Step) }

// Series holds per-step event counts on the grid of a Query. A step with no
// data has NaN in both Good and Total: no data is neither good nor bad.
type Series struct {
	FirstEnd time.Time     // end τ of the step at index 0
	Step     time.Duration // grid spacing
	Good     []float64
	Total    []float64
}

// NewSeries returns a series for q with every step set to no data.
func NewSeries(q Query) *Series {
	n := q.Steps()
	s := &Series{FirstEnd: q.From.Add(q.Step), Step: q.Step, Good: make([]float64, n), Total: make([]float64, n)}
	for i := range n {
		s.Good[i], s.Total[i] = math.NaN(), math.NaN()
	}
	return s
}

// Len is the number of steps.
func (s *Series) Len() int { return len(s.Total) }

// End returns τ, the end of step i.
func (s *Series) End(i int) time.Time { return s.FirstEnd.Add(time.Duration(i) * s.Step) }

// Source is a store of metric history. Implementations must be safe for
// concurrent use: the build fetches several SLOs at once.
type Source interface {
	Fetch(ctx context.Context, q Query) (*Series, error)
}

// ErrUnreachable marks errors where the source could not be reached or kept
// failing, as opposed to errors in the inputs. The CLI maps it to exit code 3.
var ErrUnreachable = errors.New("source unreachable")
