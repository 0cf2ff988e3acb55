package site

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/relia-dev/relia/internal/content"
)

// The feed and the sitemap are well-formed XML with the right entries; the
// actions page lists overdue items first; search indexes retrospectives.
func TestFeedSitemapActionsSearch(t *testing.T) {
	dir, now := handSite(t)
	write(t, filepath.Join(dir, "relia.toml"), strings.Replace(mustRead(t, filepath.Join(dir, "relia.toml")), `title = "Hand"`, `title = "Hand"
base_url = "https://intra.example/sre/"`, 1))
	write(t, filepath.Join(dir, "content/retros/burst.md"), `+++
title = "Burst <of> errors"
date = 2026-11-02T15:00:00Z
slos = ["web/availability"]
[[actions]]
title = "Later one"
owner = "bo"
due = 2026-12-01
status = "open"
[[actions]]
title = "Overdue one"
owner = "al"
due = 2026-11-01
status = "open"
[[actions]]
title = "Finished"
owner = "al"
status = "done"
+++
The database fell over. Searchable words: flamingo.
`)
	out := filepath.Join(dir, "public")
	buildAt(t, dir, now, out)

	var feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Title   string   `xml:"title"`
		Entries []struct {
			Title   string `xml:"title"`
			ID      string `xml:"id"`
			Updated string `xml:"updated"`
			Link    struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
			Summary string `xml:"summary"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(mustRead(t, filepath.Join(out, "feed.xml"))), &feed); err != nil {
		t.Fatalf("feed.xml: %v", err)
	}
	if len(feed.Entries) != 1 {
		t.Fatalf("feed entries: %+v", feed.Entries)
	}
	e := feed.Entries[0]
	if e.Title != "Burst <of> errors" || e.Updated != "2026-11-02T15:00:00Z" ||
		e.ID != "https://intra.example/sre/retros/burst/" || e.Link.Href != "https://intra.example/sre/retros/burst/index.html" ||
		!strings.HasPrefix(e.Summary, "The database fell over.") {
		t.Errorf("entry %+v", e)
	}

	var sitemap struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(mustRead(t, filepath.Join(out, "sitemap.xml"))), &sitemap); err != nil {
		t.Fatalf("sitemap.xml: %v", err)
	}
	var locs []string
	for _, u := range sitemap.URLs {
		locs = append(locs, strings.TrimPrefix(u.Loc, "https://intra.example/sre/"))
	}
	want := "actions/index.html calendar/index.html index.html months/2026-11/index.html retros/burst/index.html retros/index.html reviews/2026-W45/index.html reviews/index.html search/index.html slos/web/availability/index.html summary/index.html"
	if got := strings.Join(locs, " "); got != want {
		t.Errorf("sitemap:\n got %s\nwant %s", got, want)
	}

	actions := mustRead(t, filepath.Join(out, "actions/index.html"))
	iOver, iLater, iDone := strings.Index(actions, "Overdue one"), strings.Index(actions, "Later one"), strings.Index(actions, "Finished")
	if !(iOver >= 0 && iOver < iLater && iLater < iDone) {
		t.Errorf("actions order: overdue %d, later %d, done %d", iOver, iLater, iDone)
	}
	if !strings.Contains(actions, `<option value="al">al</option><option value="bo">bo</option>`) {
		t.Error("owner filter options missing")
	}
	index := mustRead(t, filepath.Join(out, "search/index.js"))
	if !strings.Contains(index, "flamingo") || !strings.Contains(index, `Burst \u003cof\u003e errors`) {
		t.Errorf("search index: %s", index)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Summaries cut from a paragraph count characters, not bytes, so the feed
// stays valid UTF-8 for text without spaces (Japanese) and with them.
func TestCutSummary(t *testing.T) {
	ja := strings.Repeat("障害", 150) // 300 runes, 900 bytes, no space
	for _, tt := range []struct {
		name, text string
		n          int
		want       string
	}{
		{"short stays", "all good", 280, "all good"},
		{"exactly n stays", "abcde", 5, "abcde"},
		{"cut at last space", "one two three", 9, "one two…"},
		{"no space: cut at n runes", "abcdefgh", 5, "abcde…"},
		{"japanese: 280 runes, not 280 bytes", ja, 280, strings.Repeat("障害", 140) + "…"},
		{"japanese with a space", "決済 が失敗した", 5, "決済…"},
		{"leading space is no cut point", " abcdefgh", 4, " abc…"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := cutSummary(tt.text, tt.n)
			if got != tt.want {
				t.Errorf("cutSummary(%q, %d) = %q, want %q", tt.text, tt.n, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("cutSummary(%q, %d) = %q is not valid UTF-8", tt.text, tt.n, got)
			}
		})
	}
}

// The search index's words are those of strings.Fields, joined by one
// space, for any text: Unicode spaces, invalid UTF-8, text cut in pieces.
func TestWordWriter(t *testing.T) {
	for _, text := range []string{"", " ", "a", "  two  words ", "tab\tnew\nline\r\n", "no\u00a0break\u2003em\u3000ideographic",
		"日本語のテキスト", "bad \xff\xfe utf8\xe2\x80", "\u0085next\u2028line", "x\vy\fz", "cut \xe3\x81", "\xe3\x81 \xe3"} {
		want := strings.Join(strings.Fields(text), " ")
		for cut := range len(text) + 1 {
			var w wordWriter
			w.write([]byte(text[:cut]))
			w.write([]byte(text[cut:]))
			if got := w.String(); got != want {
				t.Errorf("%q cut at %d: %q, want %q", text, cut, got, want)
			}
		}
	}
}

// An action item in a list carries every field of the content.Action it
// shows, with its name and type: a field added to the one and not the
// other would be missing from every page.
func TestActionItemFields(t *testing.T) {
	item := reflect.TypeFor[actionItem]()
	action := reflect.TypeFor[content.Action]()
	for i := range action.NumField() {
		f := action.Field(i)
		got, ok := item.FieldByName(f.Name)
		if !ok || got.Type != f.Type || len(got.Index) != 1 {
			t.Errorf("actionItem lacks content.Action's %s %s as its own field", f.Name, f.Type)
		}
	}
	a := content.Action{Title: "t", Owner: "o", Status: "done", Link: "l", Due: time.Unix(1, 0), Closed: time.Unix(2, 0)}
	got := newActionItem(a, &content.Page{Slug: "s", Meta: content.Meta{Title: "r"}})
	v, want := reflect.ValueOf(got), reflect.ValueOf(a)
	for i := range action.NumField() {
		if name := action.Field(i).Name; !reflect.DeepEqual(v.FieldByName(name).Interface(), want.Field(i).Interface()) {
			t.Errorf("newActionItem: %s = %v, want %v", name, v.FieldByName(name), want.Field(i))
		}
	}
}

// The search index is the documents as json.Encoder writes them, written
// one at a time, escapes included.
func TestSearchIndexEncoding(t *testing.T) {
	for _, docs := range [][]searchDoc{nil, {}, {{Title: "a"}}, {
		{Title: "</script> & <b>", Path: "retros/x/index.html", Kind: "Retrospective", Text: "line\u2028sep \"quoted\" ü"},
		{Title: "second", Text: strings.Repeat("words ", 100)},
	}} {
		got, err := searchIndex(docs)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		want.WriteString("// Generated by relia build: the search index of this site.\nwindow.reliaSearchIndex = ")
		if err := json.NewEncoder(&want).Encode(docs); err != nil {
			t.Fatal(err)
		}
		if string(got) != want.String() {
			t.Errorf("%d documents:\n got %s\nwant %s", len(docs), got, want.String())
		}
	}
}
