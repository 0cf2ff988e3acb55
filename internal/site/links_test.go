package site

import (
	"context"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestDemoLinks builds the demo site and follows every internal link and
// asset reference of every page: none may point at a missing file, and
// none may leave the site for the internet (a link to an issue tracker in
// a retrospective's text is the author's; the demo has none).
func TestDemoLinks(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	if _, err := Build(context.Background(), Options{ConfigPath: "../../relia.toml", Out: out}); err != nil {
		t.Fatal(err)
	}
	checked := 0
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		page := filepath.ToSlash(rel)
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		z := html.NewTokenizer(f)
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			for {
				key, val, more := z.TagAttr()
				k := string(key)
				if k == "href" || k == "src" || (k == "action") {
					checked++
					checkLink(t, out, page, string(val))
				}
				if !more {
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 200 {
		t.Errorf("only %d links checked", checked)
	}
}

func checkLink(t *testing.T, root, page, ref string) {
	t.Helper()
	u, err := url.Parse(ref)
	if err != nil {
		t.Errorf("%s: bad link %q: %v", page, ref, err)
		return
	}
	switch {
	case u.Scheme == "data" || (u.Scheme == "" && u.Path == "" && u.Fragment != ""):
		return // inline data, or a fragment of the page itself
	case u.Scheme != "" || u.Host != "":
		t.Errorf("%s: link leaves the site: %s", page, ref)
		return
	}
	var target string
	if strings.HasPrefix(u.Path, "/") {
		// Absolute paths appear only on the 404 page, under base_url "/".
		target = strings.TrimPrefix(u.Path, "/")
	} else {
		target = path.Join(path.Dir(page), u.Path)
	}
	if strings.HasPrefix(target, "..") {
		t.Errorf("%s: link %q climbs out of the site", page, ref)
		return
	}
	st, err := os.Stat(filepath.Join(root, filepath.FromSlash(target)))
	switch {
	case err != nil:
		t.Errorf("%s: broken link %q (%s)", page, ref, target)
	case st.IsDir():
		t.Errorf("%s: link %q is a folder; from file:// it needs index.html", page, ref)
	}
}
