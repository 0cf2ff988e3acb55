package metrics

import (
	"fmt"
	"io"
	"net/http"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// DefaultMaxResponseBytes caps one answer body of a Prometheus-API store.
// An answer of 11,000 points for one series is about 400 KB; a store that
// streams gigabytes (a proxy's loop, a query gone wrong) must not fill
// memory, since the client buffers the whole body before decoding it,
// in a buffer grown by doubling, for each of up to max_concurrency
// requests at once: 64 MiB let an endless answer take 700 MB with the 4
// requests in flight of one SLO, and would let 64 take 9 GB.
const DefaultMaxResponseBytes = 8 << 20

// bodyLimit is a RoundTripper that stops reading an answer body past max
// bytes. It sits in the transport so that every request of a source is
// bounded, whatever the query code above does with the body.
type bodyLimit struct {
	base http.RoundTripper
	max  int64
}

// limitBodies wraps base; max ≤ 0 means DefaultMaxResponseBytes.
func limitBodies(base http.RoundTripper, max int64) http.RoundTripper {
	if max <= 0 {
		max = DefaultMaxResponseBytes
	}
	return &bodyLimit{base: base, max: max}
}

// errTooLarge is a bad_data error so that the query is not retried: the
// same query gives the same answer. The message names the limit's key.
func (l *bodyLimit) errTooLarge() error {
	return &v1.Error{Type: v1.ErrBadData, Msg: fmt.Sprintf("the answer is larger than the limit of %d bytes (raise it with max_response_bytes in [limits])", l.max)}
}

func (l *bodyLimit) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(req)
	if err != nil || resp == nil {
		return resp, err
	}
	if resp.ContentLength > l.max {
		resp.Body.Close()
		return nil, l.errTooLarge()
	}
	resp.Body = &limitedBody{rc: resp.Body, left: l.max, l: l}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
	l    *bodyLimit
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, b.l.errTooLarge()
		}
		return b.rc.Read(p)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
