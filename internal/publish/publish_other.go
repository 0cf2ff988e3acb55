//go:build !unix

package publish

import "os"

// lockDir has no flock here: no folder counts as stale, so killed builds'
// temporary folders stay until removed by hand.
func lockDir(dir string, wait bool) (*os.File, error) { return nil, nil }
