package site

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

// Publisher writes one site into a temporary folder beside the output and
// swaps it into place on Commit: a failed build leaves the previous site
// untouched, and readers never see half a site.
type Publisher struct {
	out string
	tmp string

	mu    sync.Mutex
	pages []string // HTML pages written, for the sitemap
}

// NewPublisher prepares a build of the folder out.
func NewPublisher(out string) (*Publisher, error) {
	out = filepath.Clean(out)
	if err := checkReplaceable(out); err != nil {
		return nil, err
	}
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	p := &Publisher{out: out, tmp: tmp}
	if err := p.WriteFile(markerFile, []byte("written by relia build; the whole folder is replaced on every build\n")); err != nil {
		p.Abort()
		return nil, err
	}
	return p, nil
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
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
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
	old := ""
	if _, err := os.Stat(p.out); err == nil {
		old = p.tmp + ".old"
		if err := os.Rename(p.out, old); err != nil {
			p.Abort()
			return fmt.Errorf("publish: move previous site aside: %w", err)
		}
	}
	if err := os.Rename(p.tmp, p.out); err != nil {
		if old != "" {
			_ = os.Rename(old, p.out)
		}
		p.Abort()
		return fmt.Errorf("publish: %w", err)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("publish: remove previous site: %w", err)
		}
	}
	return nil
}

// Abort removes the unfinished site.
func (p *Publisher) Abort() { _ = os.RemoveAll(p.tmp) }
