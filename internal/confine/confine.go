// Package confine keeps what a site reads inside the site folder: a file
// that lies in the site folder but resolves, through a symlink, to a place
// outside it (a review note linked to /etc/passwd) would be published. It
// only judges paths; it reads nothing.
package confine

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
		return outside(realPath, realRoot)
	}
	return nil
}

// Checker is Check for many paths in one root, safe for concurrent use:
// it resolves the root and each folder once, and then each path with one
// Lstat, where Check walks every element of both. Reading a thousand pages
// spent more in those walks than in reading the files.
type Checker struct {
	root    string
	absRoot string // "" when root has no absolute form: every path passes
	wd      string // the working folder, for relative paths

	mu   sync.Mutex
	real map[string]string // resolved folders; "" for one that does not resolve
}

// NewChecker returns a Checker of paths in root.
func NewChecker(root string) *Checker {
	absRoot, _ := filepath.Abs(root)
	wd, _ := os.Getwd()
	return &Checker{root: root, absRoot: absRoot, wd: wd, real: map[string]string{}}
}

// Check is Check(root, path).
func (c *Checker) Check(path string) error {
	// filepath.Abs asks for the working folder each time, two stats of
	// its own: as many again as reading the file takes.
	absPath := path
	if !filepath.IsAbs(path) {
		if c.wd == "" {
			return nil // no absolute form, as for the root
		}
		absPath = filepath.Join(c.wd, path)
	}
	if c.absRoot == "" || !within(c.absRoot, absPath) {
		return nil
	}
	st, err := os.Lstat(absPath)
	if err != nil {
		return nil // missing: left to its reader, as Check does
	}
	dir, base := filepath.Split(absPath)
	realDir := c.resolve(filepath.Clean(dir))
	if st.Mode()&fs.ModeSymlink != 0 || realDir == "" {
		return Check(c.root, path) // a link itself, or a folder gone meanwhile
	}
	realRoot := c.resolve(c.absRoot)
	if realRoot == "" {
		return nil
	}
	if realPath := filepath.Join(realDir, base); !within(realRoot, realPath) {
		return outside(realPath, realRoot)
	}
	return nil
}

// resolve is filepath.EvalSymlinks of an absolute path, once for each;
// "" when it does not resolve.
func (c *Checker) resolve(abs string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	real, ok := c.real[abs]
	if !ok {
		real, _ = filepath.EvalSymlinks(abs)
		c.real[abs] = real
	}
	return real
}

func outside(realPath, realRoot string) error {
	return fmt.Errorf("it is a symlink to %s, outside the site folder %s; relia reads only files inside the site: copy the file in", realPath, realRoot)
}

func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
