// Package bounded reads the text files a site is written in — relia.toml,
// Markdown pages, templates, certificates — within a size the caller
// names, and checks the nesting of TOML before a decoder sees it. A path
// that names a device (/dev/zero), a named pipe or a folder never ends or
// never answers, and a TOML value nested thousands deep costs the TOML
// library minutes: both must stop with an error that names the bound.
// It judges and reads; what a file means is its reader's business.
package bounded

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrTooLarge marks a file over its reader's size limit.
var ErrTooLarge = errors.New("over the size limit")

// TooLargeError is a file larger than the limit ReadFile was given.
type TooLargeError struct {
	Limit int64 // bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("larger than the limit of %s", Size(e.Limit))
}

// Is lets errors.Is(err, ErrTooLarge) find it.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// ErrNotRegular marks a path that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// ReadFile reads the regular file at path, of at most limit bytes. Other
// kinds of file are refused before they are opened: opening a named pipe
// blocks until something writes to it. Errors are *fs.PathError values
// naming path, wrapping ErrNotRegular or a *TooLargeError where those
// apply, and read "open PATH: not a regular file (a named pipe)" or
// "read PATH: larger than the limit of 1 MiB".
func ReadFile(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: path, Err: notRegular(st.Mode())}
	}
	if st.Size() > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Limit: limit}}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The size can change between the stat and the read: read one byte
	// more than the limit to tell.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if int64(len(data)) > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Limit: limit}}
	}
	return data, nil
}

// CheckRegular returns an error wrapping ErrNotRegular, naming the kind
// of file, when path exists and is not a regular file; a missing path is
// left to the reader to report.
func CheckRegular(path string) error {
	st, err := os.Stat(path)
	if err != nil || st.Mode().IsRegular() {
		return nil
	}
	return &fs.PathError{Op: "open", Path: path, Err: notRegular(st.Mode())}
}

type notRegularError struct{ kind string }

func (e *notRegularError) Error() string { return "not a regular file (" + e.kind + ")" }
func (e *notRegularError) Is(target error) bool {
	return target == ErrNotRegular
}

func notRegular(m fs.FileMode) error {
	kind := "a special file"
	switch {
	case m.IsDir():
		kind = "a folder"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeCharDevice != 0, m&fs.ModeDevice != 0:
		kind = "a device"
	}
	return &notRegularError{kind}
}

// Size prints a byte count the way limits are written: "64 MiB" when it is
// a whole number of MiB or KiB, else the bytes.
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
