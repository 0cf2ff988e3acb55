package site

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"

	"github.com/relia-dev/relia/internal/api"
	"github.com/relia-dev/relia/internal/content"
	"github.com/relia-dev/relia/internal/publish"
)

// actionsPage lists every action item of every retrospective.
type actionsPage struct {
	Actions  []actionItem
	Owners   []string
	Open     int
	Overdue  int
	Statuses []string
}

func (b *build) allActions() actionsPage {
	var page actionsPage
	owners := map[string]bool{}
	for _, p := range b.content.Retros {
		for _, a := range p.Meta.Actions {
			if a.Status == "" {
				a.Status = "open"
			}
			item := newActionItem(a, p)
			item.Overdue = a.Status == "open" && !a.Due.IsZero() && a.Due.Before(b.now)
			page.Actions = append(page.Actions, item)
			if a.Owner != "" {
				owners[a.Owner] = true
			}
			if a.Status == "open" {
				page.Open++
			}
			if item.Overdue {
				page.Overdue++
			}
		}
	}
	rank := func(a actionItem) int {
		switch {
		case a.Overdue:
			return 0
		case a.Status == "open":
			return 1
		case a.Status == "done":
			return 2
		default:
			return 3
		}
	}
	slices.SortStableFunc(page.Actions, func(x, y actionItem) int {
		if c := rank(x) - rank(y); c != 0 {
			return c
		}
		if c := x.Due.Compare(y.Due); c != 0 {
			return c
		}
		return strings.Compare(x.Title, y.Title)
	})
	for o := range owners {
		page.Owners = append(page.Owners, o)
	}
	slices.Sort(page.Owners)
	page.Statuses = content.ActionStatuses
	return page
}

// Atom feed of retrospectives (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

// feedEntry is one item of the feed: a retrospective, or a Chaos Day write-up.
type feedEntry struct {
	Title, Path, Summary string
	Date                 time.Time
}

// siteURL joins base_url and a site path. With a relative base_url ("/")
// links stay relative to the site root.
func (b *build) siteURL(path string) string { return b.cfg.BaseURL + path }

// pageID is a stable Atom id: the absolute URL when base_url is absolute,
// else a tag URI that does not depend on where the site is published.
func (b *build) pageID(path string) string {
	if strings.HasPrefix(b.cfg.BaseURL, "http://") || strings.HasPrefix(b.cfg.BaseURL, "https://") {
		return b.siteURL(path)
	}
	return "tag:relia," + content.Slug(b.cfg.Title) + ":" + path
}

func (b *build) feed(entries []feedEntry) ([]byte, error) {
	slices.SortStableFunc(entries, func(x, y feedEntry) int {
		if c := y.Date.Compare(x.Date); c != 0 {
			return c
		}
		return strings.Compare(x.Path, y.Path)
	})
	updated := b.now
	if len(entries) > 0 {
		updated = entries[0].Date
	}
	f := atomFeed{
		Title: b.cfg.Title, ID: b.pageID(""), Updated: api.RFC3339(updated),
		Links:  []atomLink{{Href: b.siteURL("feed.xml"), Rel: "self"}, {Href: b.siteURL("index.html")}},
		Author: atomAuthor{Name: b.cfg.Title},
	}
	for _, e := range entries {
		f.Entries = append(f.Entries, atomEntry{Title: e.Title, ID: b.pageID(e.Path), Updated: api.RFC3339(e.Date),
			Link: atomLink{Href: b.siteURL(e.Path + "index.html")}, Summary: e.Summary})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("encode feed: %w", err)
	}
	buf.WriteString("\n")
	return buf.Bytes(), nil
}

type sitemapURLSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc string `xml:"loc"`
}

// sitemap lists every page written, 404 excepted. The sitemap protocol
// wants absolute URLs: they are when base_url is.
func (b *build) sitemap(pages []string) ([]byte, error) {
	var set sitemapURLSet
	for _, p := range pages {
		if p == "404.html" {
			continue
		}
		set.URLs = append(set.URLs, sitemapURL{Loc: b.siteURL(p)})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(set); err != nil {
		return nil, fmt.Errorf("encode sitemap: %w", err)
	}
	buf.WriteString("\n")
	return buf.Bytes(), nil
}

// searchDoc is one entry of the client-side search index.
type searchDoc struct {
	Title string `json:"t"`
	Path  string `json:"p"`
	Kind  string `json:"k"`
	Text  string `json:"x"`
}

// searchIndex is a script that defines the index: a script, not JSON
// fetched at run time, because browsers refuse fetch() on file:// pages.
func searchIndex(docs []searchDoc) ([]byte, error) {
	// Sized once: grown by doubling, the index of a large site (megabytes)
	// took twice its size in fresh memory.
	n := 128
	for _, d := range docs {
		n += len(d.Title) + len(d.Path) + len(d.Kind) + len(d.Text) + 32
	}
	var buf bytes.Buffer
	buf.Grow(n + n/16)
	buf.WriteString("// Generated by relia build: the search index of this site.\nwindow.reliaSearchIndex = ")
	// The array as json.Encoder writes it, one document at a time: the
	// encoder's own buffer would grow by doubling to the whole index. Each
	// document is escaped (<, >, &) so the data cannot end the script.
	if docs == nil {
		buf.WriteString("null\n")
		return buf.Bytes(), nil
	}
	buf.WriteByte('[')
	for i, d := range docs {
		if i > 0 {
			buf.WriteByte(',')
		}
		b, err := json.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("encode search index: %w", err)
		}
		buf.Write(b)
	}
	buf.WriteString("]\n")
	return buf.Bytes(), nil
}

// plainText is the text of a Markdown page, for the search index: its
// words, one space between each.
func plainText(p *content.Page) string {
	// A page's words are about as long as its file: room for them at
	// once, rather than grown to by doubling.
	return words(p.Source, p.Doc, len(p.Source))
}

// words is the text of the Markdown tree doc, its words one space apart,
// in a builder of room first.
func words(source []byte, doc ast.Node, room int) string {
	var w wordWriter
	w.b.Grow(room)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Text:
			w.write(t.Segment.Value(source))
			if t.SoftLineBreak() || t.HardLineBreak() {
				w.space()
			}
		case *ast.String:
			w.write(t.Value)
		case *ast.CodeSpan:
			// its Text children carry the code
		case *ast.Paragraph, *ast.Heading, *ast.ListItem:
			w.space()
		}
		return ast.WalkContinue, nil
	})
	return w.String()
}

// wordWriter keeps the words of what it is given, one space between
// each, as strings.Join(strings.Fields(text), " ") would: joining the
// fields of each page's whole text cost the search index more than
// walking the pages.
type wordWriter struct {
	b       strings.Builder
	pending bool   // a space is due before the next word
	carry   []byte // the start of a character cut off at the end of a write
}

func (w *wordWriter) space() {
	w.flush()
	w.pending = w.b.Len() > 0
}

func (w *wordWriter) write(text []byte) {
	if len(w.carry) > 0 {
		text = append(w.carry, text...)
		w.carry = nil
	}
	for i := 0; i < len(text); {
		c, size := rune(text[i]), 1
		if c >= utf8.RuneSelf {
			if !utf8.FullRune(text[i:]) {
				w.carry = append([]byte(nil), text[i:]...)
				return
			}
			c, size = utf8.DecodeRune(text[i:])
		}
		if unicode.IsSpace(c) {
			w.space()
		} else {
			w.word(text[i : i+size]) // the bytes as they are, invalid UTF-8 too
		}
		i += size
	}
}

func (w *wordWriter) word(b []byte) {
	if w.pending {
		w.b.WriteByte(' ')
		w.pending = false
	}
	w.b.Write(b)
}

// flush writes a cut-off character that no write completed: invalid
// UTF-8, which is no space.
func (w *wordWriter) flush() {
	if len(w.carry) > 0 {
		w.word(w.carry)
		w.carry = nil
	}
}

func (w *wordWriter) String() string {
	w.flush()
	return w.b.String()
}

// summaryOf is the page's summary from front matter, or its first
// paragraph cut at about 280 characters.
func summaryOf(p *content.Page) string {
	if p.Meta.Summary != "" {
		return p.Meta.Summary
	}
	var para ast.Node
	_ = ast.Walk(p.Doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if _, ok := n.(*ast.Paragraph); ok && entering {
			para = n
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	if para == nil {
		return ""
	}
	return cutSummary(words(p.Source, para, 0), summaryRunes)
}

// summaryRunes is the length of a summary cut from a paragraph.
const summaryRunes = 280

// cutSummary shortens text to at most n characters plus an ellipsis, at
// the last space when there is one. It counts runes, not bytes: a cut
// inside a multi-byte character would put invalid UTF-8 in the feed, and
// Japanese or Chinese text has no spaces to fall back on.
func cutSummary(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	end := 0
	for range n {
		_, size := utf8.DecodeRuneInString(text[end:])
		end += size
	}
	head := text[:end]
	if cut := strings.LastIndex(head, " "); cut > 0 {
		head = head[:cut]
	}
	return head + "…"
}

// writeExtras writes the actions page, the search page and its index, and
// the feed. The sitemap comes last, from every page written.
func (b *build) writeExtras(pub *publish.Publisher, results []sloResult, reviews []searchDoc) (int, error) {
	if err := b.renderPage(pub, "actions/index.html", "actions.html", pageData{Site: b.siteInfo(), Root: "../", Title: "Action items", Section: "actions", Page: b.allActions()}); err != nil {
		return 0, err
	}

	var docs []searchDoc
	for _, res := range results {
		docs = append(docs, searchDoc{Title: res.cfg.ID(), Path: sloPath(res.cfg) + "index.html", Kind: "SLO",
			Text: res.cfg.Description + " " + res.cfg.Service + " " + res.report.Status})
	}
	var entries []feedEntry
	for _, p := range b.content.Retros {
		r := b.retros[p]
		docs = append(docs, searchDoc{Title: p.Meta.Title, Path: retroPath(p) + "index.html", Kind: "Retrospective", Text: r.text})
		entries = append(entries, feedEntry{Title: p.Meta.Title, Path: retroPath(p), Summary: r.summary, Date: p.Meta.Date})
	}
	docs = append(docs, reviews...)
	docs = append(docs, b.chaosSearchDocs()...)
	entries = append(entries, b.chaosFeedEntries()...)
	index, err := searchIndex(docs)
	if err != nil {
		return 0, err
	}
	if err := pub.WriteFile("search/index.js", index); err != nil {
		return 0, err
	}
	if err := b.renderPage(pub, "search/index.html", "search.html", pageData{Site: b.siteInfo(), Root: "../", Title: "Search", Section: "search"}); err != nil {
		return 0, err
	}
	feed, err := b.feed(entries)
	if err != nil {
		return 0, err
	}
	return 2, pub.WriteFile("feed.xml", feed)
}
