//go:build !linux

package publish

// exchange has no atomic form outside Linux here; Commit falls back to two
// renames.
func exchange(a, b string) error { return errNoExchange }
