package publish

import (
	"os"
	"path/filepath"
)

// File is one output file written whole or not at all: it is written
// into a temporary file beside its path and renamed into place by Commit,
// so a failed write leaves no half file and the previous one untouched.
// Errors are the system's own, for the caller to say what it was writing.
type File struct {
	*os.File
	path string
	done bool
}

// NewFile starts writing the file at path.
func NewFile(path string) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &File{File: tmp, path: path}, nil
}

// Commit makes the file readable by all (0644, as the site's files) and
// renames it into place.
func (f *File) Commit() error {
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), f.path); err != nil {
		return err
	}
	f.done = true
	return nil
}

// Abort removes the unfinished file; after Commit it does nothing.
func (f *File) Abort() {
	if !f.done {
		f.Close()
		os.Remove(f.Name())
	}
}
