// Package publish is the one writer of relia's output: a whole site through
// a Publisher (written into a locked temporary folder beside the output and
// swapped into place on Commit), and a single file such as a snapshot
// through a File (a temporary file renamed into place). Either way a failed
// run leaves the previous output untouched and readers never see half of
// it. Scratch folders for builds that are never published (relia check,
// relia serve) come from here too. Elsewhere only metrics.Cache writes
// files: the chunk cache under .relia/cache (or [archive]), not output.
package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// markerFile marks a folder as written by relia. relia replaces an existing
// output folder only when it carries this marker, so a mistyped --out can
// never swap away someone's source tree.
const markerFile = ".relia-site"

// errNoExchange says the system cannot swap two folders atomically.
var errNoExchange = errors.New("atomic exchange not supported")

// Publisher writes one site into a temporary folder beside the output and
// swaps it into place on Commit: a failed build leaves the previous site
// untouched, and readers never see half a site. On Linux the swap is one
// renameat2(RENAME_EXCHANGE): a web server serving the output folder finds
// the old site or the new one at every moment, never neither.
type Publisher struct {
	out     string // the real folder: a symlinked --out is published through
	tmp     string
	scratch *Scratch

	mu    sync.Mutex
	pages []string // HTML pages written, for the sitemap

	made sync.Map // folders of the site made so far (see mkdir)
}

// NewPublisher prepares a build of the folder out. When out is a symlink,
// the site is published into the folder it points to and the link stays.
// Temporary folders of earlier builds of out that were killed before they
// could clean up are removed.
func NewPublisher(out string) (*Publisher, error) {
	out, err := resolveOut(filepath.Clean(out))
	if err != nil {
		return nil, err
	}
	if err := checkReplaceable(out); err != nil {
		return nil, err
	}
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	sc, err := NewScratch(parent, "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	if err := os.Chmod(sc.Dir, 0o755); err != nil {
		sc.Remove()
		return nil, fmt.Errorf("publish: %w", err)
	}
	p := &Publisher{out: out, tmp: sc.Dir, scratch: sc}
	if err := p.WriteFile(markerFile, []byte("written by relia build; the whole folder is replaced on every build\n")); err != nil {
		p.Abort()
		return nil, err
	}
	return p, nil
}

// resolveOut follows a symlinked output folder to the folder it names, so
// that the link keeps pointing at the published site (replacing the link
// by a folder would leave its target stale).
func resolveOut(out string) (string, error) {
	st, err := os.Lstat(out)
	if err != nil || st.Mode()&fs.ModeSymlink == 0 {
		return out, nil
	}
	target, err := filepath.EvalSymlinks(out)
	if err != nil {
		dest, _ := os.Readlink(out)
		return "", fmt.Errorf("publish: %s is a symlink to %s, which does not exist; create that folder or remove the link", out, dest)
	}
	return target, nil
}

func checkReplaceable(out string) error {
	st, err := os.Stat(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("publish: %s exists and is not a folder", out)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(out, markerFile)); err != nil {
		return fmt.Errorf("publish: refusing to replace %s: it is not empty and was not written by relia (no %s file); remove it or choose another --out", out, markerFile)
	}
	return nil
}

// WriteFile writes data at the slash-separated path rel inside the site.
// Paths that would leave the site folder are refused.
func (p *Publisher) WriteFile(rel string, data []byte) error {
	full, err := p.path(rel)
	if err != nil {
		return err
	}
	if err := p.mkdir(filepath.Dir(full)); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if strings.HasSuffix(rel, ".html") {
		p.mu.Lock()
		p.pages = append(p.pages, rel)
		p.mu.Unlock()
	}
	return nil
}

// mkdir makes the folder dir of the unfinished site and those above it,
// each once: os.MkdirAll would stat the folder and its parent first, two
// system calls per page for a site whose pages each have a folder.
func (p *Publisher) mkdir(dir string) error {
	if dir == p.tmp {
		return nil
	}
	if _, ok := p.made.Load(dir); ok {
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir { // never above tmp, but never looping either
		if err := p.mkdir(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	p.made.Store(dir, struct{}{})
	return nil
}

// Dir is the folder the unfinished site is written in, to be read (relia
// check follows links to its files) before Commit or Abort.
func (p *Publisher) Dir() string { return p.tmp }

// Pages lists the HTML pages written so far, sorted.
func (p *Publisher) Pages() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := slices.Clone(p.pages)
	slices.Sort(out)
	return out
}

func (p *Publisher) path(rel string) (string, error) {
	clean := filepath.Clean(filepath.FromSlash(rel))
	if rel == "" || filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("publish: refusing to write %q: outside the site folder", rel)
	}
	return filepath.Join(p.tmp, clean), nil
}

// Commit swaps the finished site into place.
func (p *Publisher) Commit() error {
	defer p.scratch.unlock()
	if _, err := os.Lstat(p.out); err != nil {
		if err := os.Rename(p.tmp, p.out); err != nil {
			p.Abort()
			return fmt.Errorf("publish: %w", err)
		}
		return nil
	}
	err := exchange(p.tmp, p.out)
	if err == nil {
		// p.tmp now holds the previous site.
		if err := os.RemoveAll(p.tmp); err != nil {
			return fmt.Errorf("publish: remove previous site: %w", err)
		}
		return nil
	}
	if !errors.Is(err, errNoExchange) {
		p.Abort()
		return fmt.Errorf("publish: swap in the new site: %w", err)
	}
	// No atomic exchange here: two renames, with a moment without the
	// output folder.
	old := p.tmp + ".old"
	if err := os.Rename(p.out, old); err != nil {
		p.Abort()
		return fmt.Errorf("publish: move previous site aside: %w", err)
	}
	if err := os.Rename(p.tmp, p.out); err != nil {
		_ = os.Rename(old, p.out)
		p.Abort()
		return fmt.Errorf("publish: %w", err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("publish: remove previous site: %w", err)
	}
	return nil
}

// Abort removes the unfinished site.
func (p *Publisher) Abort() { p.scratch.Remove() }

// Scratch is a temporary folder that carries an exclusive lock while its
// process lives (flock, released by the kernel when the process dies, even
// by SIGKILL). NewScratch removes the unlocked folders of the same name
// pattern: those left by killed builds, never one a running build uses.
type Scratch struct {
	Dir  string
	lock *os.File // open on Dir, holding the lock; nil where locks are unsupported
}

// NewScratch makes a folder named prefix+random in parent, after removing
// the stale ones.
func NewScratch(parent, prefix string) (*Scratch, error) {
	sweepStale(parent, prefix)
	for range 10 {
		dir, err := os.MkdirTemp(parent, prefix)
		if err != nil {
			return nil, err
		}
		f, err := lockDir(dir, true)
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		// Another process's sweep may have taken the folder between its
		// creation and the lock: then it is gone, and we try again.
		if st, err := os.Stat(dir); err == nil && f != nil {
			if fst, err := f.Stat(); err == nil && os.SameFile(st, fst) {
				return &Scratch{Dir: dir, lock: f}, nil
			}
		} else if err == nil {
			return &Scratch{Dir: dir}, nil
		}
		if f != nil {
			f.Close()
		}
	}
	return nil, fmt.Errorf("create a temporary folder in %s: removed by another process each time", parent)
}

// Remove deletes the folder and releases its lock.
func (s *Scratch) Remove() {
	_ = os.RemoveAll(s.Dir)
	s.unlock()
}

func (s *Scratch) unlock() {
	if s.lock != nil {
		s.lock.Close() // closing the last descriptor releases the flock
		s.lock = nil
	}
}

// sweepStale removes the folders prefix* in parent that no live process
// holds locked. Errors are ignored: a folder that cannot be removed is
// someone else's.
func sweepStale(parent, prefix string) {
	matches, _ := filepath.Glob(filepath.Join(parent, globEscape(prefix)+"*"))
	for _, m := range matches {
		st, err := os.Lstat(m)
		if err != nil || !st.IsDir() {
			continue
		}
		f, err := lockDir(m, false)
		if err != nil || f == nil {
			continue // in use, not ours, or no locks on this system
		}
		_ = os.RemoveAll(m)
		f.Close()
	}
}

// globEscape quotes the glob metacharacters of a literal file name part.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
