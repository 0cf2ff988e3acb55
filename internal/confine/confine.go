// Package confine keeps what a site reads inside the site folder: a file
// that lies in the site folder but resolves, through a symlink, to a place
// outside it (a review note linked to /etc/passwd) would be published. It
// only judges paths; it reads nothing.
package confine

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Check returns an error when path lies in the folder root as written but
// resolves outside it. Symlinks within the site are fine, and so is a path
// written outside the site (an absolute path in relia.toml): that is the
// author's explicit choice, not a link slipped into the content. A path
// that does not resolve (missing) is left to its reader to report.
func Check(root, path string) error {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil
	}
	absPath, err := filepath.Abs(path)
	if err != nil || !within(absRoot, absPath) {
		return nil
	}
	realPath, err := filepath.EvalSymlinks(absPath)
	if err != nil {
		return nil
	}
	realRoot, err := filepath.EvalSymlinks(absRoot)
	if err != nil {
		return nil
	}
	if !within(realRoot, realPath) {
		return fmt.Errorf("it is a symlink to %s, outside the site folder %s; relia reads only files inside the site: copy the file in", realPath, realRoot)
	}
	return nil
}

func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
