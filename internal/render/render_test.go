package render

import (
	"bytes"
	"encoding/json"
	"html/template"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark/text"

	"github.com/relia-dev/relia/internal/slo"
)

func TestMarkdownRawHTML(t *testing.T) {
	src := []byte("Inline <script>alert(1)</script> here.\n\n<div onclick=\"x()\">block</div>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nNote[^1].\n\n[^1]: foot\n")
	tests := []struct {
		unsafe  bool
		want    []string
		wantNot []string
	}{
		{false,
			[]string{"&lt;script&gt;alert(1)&lt;/script&gt;", `<pre class="raw-html">&lt;div onclick=&#34;x()&#34;&gt;block&lt;/div&gt;`, "<table>", `class="footnotes"`},
			[]string{"<script>", "<div onclick"}},
		{true, []string{"<script>alert(1)</script>", `<div onclick="x()">block</div>`}, nil},
	}
	for _, tt := range tests {
		md := NewMarkdown(tt.unsafe)
		var buf bytes.Buffer
		if err := md.Renderer().Render(&buf, src, md.Parser().Parse(text.NewReader(src))); err != nil {
			t.Fatal(err)
		}
		html := buf.String()
		for _, w := range tt.want {
			if !strings.Contains(html, w) {
				t.Errorf("unsafe=%v: missing %q in\n%s", tt.unsafe, w, html)
			}
		}
		for _, w := range tt.wantNot {
			if strings.Contains(html, w) {
				t.Errorf("unsafe=%v: found %q in\n%s", tt.unsafe, w, html)
			}
		}
	}
}

// Chart options carry user text (incident titles); html/template must
// escape it for the script context.
func TestChartEscapesScript(t *testing.T) {
	theme, err := LoadTheme("", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	r := &slo.Report{Spec: slo.Spec{Objective: 99, Window: slo.Window{Rolling: time.Hour}},
		Timeline: slo.Timeline{FirstEnd: time.Unix(600, 0), Step: time.Minute, SLI: []float64{0.99, math.NaN()}, BudgetRemaining: []float64{1, 0.5}}}
	evil := `</script><script>alert("x")</script>`
	chart := SLIChart("c1", r, []Mark{{Name: evil, Start: time.Unix(600, 0), End: time.Unix(660, 0)}})
	var buf bytes.Buffer
	data := map[string]any{
		"Site": map[string]string{"Title": "t", "Now": "n", "Timezone": "UTC"}, "Root": "", "Title": "x",
		"Section": "", "Charts": []Chart{chart}, "Page": nil,
	}
	if err := theme.Execute(&buf, "404.html", data); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, `<script>alert("x")`) || strings.Contains(out, `</script><script>alert`) {
		t.Fatalf("chart option not escaped:\n%s", out)
	}
	if !strings.Contains(out, `reliaChart("c1"`) {
		t.Fatalf("chart call missing:\n%s", out)
	}
	if !strings.Contains(out, `null`) {
		t.Errorf("NaN should be drawn as a gap (null)")
	}
}

func TestLineDataThinsKeepingWorst(t *testing.T) {
	n := 2500 // buckets of 3 → 834 points
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	v[1000] = 0.5
	v[2000] = math.NaN()
	pts := lineData(time.Unix(0, 0), time.Minute, v, pickMin, 1, 4)
	if len(pts) != 834 {
		t.Fatalf("%d points", len(pts))
	}
	dip := pts[1000/3]
	if dip.y != 0.5 {
		t.Errorf("bucket with the dip draws %v", dip.y)
	}
	if dip.ms != time.Unix(0, 0).Add(1001*time.Minute).UnixMilli() {
		t.Errorf("bucket time %v", dip.ms)
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Percent(0.99912, 3), "99.912%"},
		{Percent(math.NaN(), 3), "—"},
		{Burn(14.4), "14.40×"},
		{Count(1234567), "1,234,567"},
		{Count(-1500), "-1,500"},
		{Count(12.5), "12.5"},
		{Duration(45 * time.Minute), "45m"},
		{Duration(3*time.Hour + 5*time.Minute), "3h 05m"},
		{Duration(90 * 24 * time.Hour), "90d"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestStepRange(t *testing.T) {
	t0 := time.Unix(3600, 0) // τ_0; steps every minute
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	for _, c := range []struct {
		from, to       time.Time
		wantLo, wantHi int
	}{
		{at(0), at(9), 1, 10},                          // (τ0, τ9] → steps 1..9
		{at(-1), at(0), 0, 1},                          // just the first step
		{at(-100), at(200), 0, 60},                     // clamped to the data
		{at(2).Add(30 * time.Second), at(4), 3, 5},     // off-grid start
		{at(70), at(80), 60, 60},                       // after the data: empty
		{at(-10).Add(-30 * time.Second), at(-5), 0, 0}, // before the data: empty
	} {
		lo, hi := stepRange(t0, time.Minute, 60, c.from, c.to)
		if lo != c.wantLo || hi != c.wantHi {
			t.Errorf("(%v, %v]: got [%d, %d), want [%d, %d)", c.from.Sub(t0), c.to.Sub(t0), lo, hi, c.wantLo, c.wantHi)
		}
	}
}

func TestChartBlockErrors(t *testing.T) {
	known := map[string]bool{"a/b": true}
	src := "# T\n\ntext\n\n```chart\nslo = \"a/b\"\nkind = \"pie\"\nfrom = 2026-11-10T13:00:00Z\nto = 2026-11-10T16:00:00Z\n```\n\n```chart\nslo = \"x/y\"\n```\n\n```chart\nslo = \"a/b\"\nkind = \"sli\"\nfrom = 2026-11-10T13:00:00Z\nto = 2026-11-10T16:00:00Z\ncolour = \"red\"\n```\n\n```chart\nslo = \"a/b\"\nkind = \"sli\"\nfrom = 2026-11-10T13:00:00Z\nto = 2026-11-10T12:00:00Z\n```\n\n```chart\nslo = \"a/b\"\nkind = sli\n```\n"
	md := NewMarkdown(false)
	doc := md.Parser().Parse(text.NewReader([]byte(src)))
	_, err := ExtractChartBlocks("p.md", []byte(src), doc, known)
	want := []string{
		`p.md:7: chart: kind: expected one of sli, burn-rate, burn-down, events, got "pie"`,
		`p.md:13: chart: slo: unknown SLO "x/y"; expected one of a/b`,
		`p.md:21: chart: colour: unknown key; expected slo, kind, from, to or title`,
		`p.md:28: chart: to: must be after from (2026-11-10T13:00:00Z)`,
		`p.md:33: chart: kind: expected value but found "sli" instead`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Fatalf("got:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}

func TestChartBlockRenders(t *testing.T) {
	src := []byte("```chart\nslo = \"a/b\"\nkind = \"burn-down\"\nfrom = 2026-11-10T13:00:00Z\nto = 2026-11-10T16:00:00Z\ntitle = \"<b>Budget</b>\"\n```\n")
	md := NewMarkdown(false)
	doc := md.Parser().Parse(text.NewReader(src))
	blocks, err := ExtractChartBlocks("p.md", src, doc, map[string]bool{"a/b": true})
	if err != nil || len(blocks) != 1 {
		t.Fatalf("%v %v", blocks, err)
	}
	if b := blocks[0]; b.ID != "md-chart-1" || b.Line != 1 || b.Kind != "burn-down" || b.To.Sub(b.From) != 3*time.Hour {
		t.Errorf("block %+v", b)
	}
	// The site sets the key of the shaded spans before rendering.
	blocks[0].Key = `<ul class="chart-key"><li>run</li></ul>`
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, src, doc); err != nil {
		t.Fatal(err)
	}
	want := `<figure class="chart-box"><div class="chart" id="md-chart-1"></div><figcaption>&lt;b&gt;Budget&lt;/b&gt;</figcaption><ul class="chart-key"><li>run</li></ul></figure>`
	if !strings.Contains(buf.String(), want) {
		t.Errorf("got %s", buf.String())
	}
}

// A page rendered with its chart keys left for later and given them after
// reads exactly as one rendered with its keys; a writer that cannot tell
// where the key goes is an error, not a page without it.
func TestChartKeyLater(t *testing.T) {
	block := func(slo string) string {
		return "```chart\nslo = \"" + slo + "\"\nkind = \"sli\"\nfrom = 2026-11-10T13:00:00Z\nto = 2026-11-10T16:00:00Z\n```\n"
	}
	src := []byte("# Title\n\n" + block("a/b") + "\nBetween *the* charts.\n\n" + block("c/d") + "\nAfter.\n")
	keys := []template.HTML{`<ul class="chart-key"><li>first &amp; one</li></ul>`, ""}
	md := NewMarkdown(false)
	render := func(later bool, w io.Writer) ([]*ChartBlock, error) {
		doc := md.Parser().Parse(text.NewReader(src))
		blocks, err := ExtractChartBlocks("p.md", src, doc, map[string]bool{"a/b": true, "c/d": true})
		if err != nil || len(blocks) != 2 {
			t.Fatalf("%v %v", blocks, err)
		}
		for i, b := range blocks {
			if later {
				b.KeyLater = true
			} else {
				b.Key = keys[i]
			}
		}
		return blocks, md.Renderer().Render(w, src, doc)
	}
	var want strings.Builder
	if _, err := render(false, &want); err != nil {
		t.Fatal(err)
	}
	var got htmlWriter
	blocks, err := render(true, &got)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range blocks {
		b.Key = keys[i]
	}
	if page := InsertKeys(got.String(), blocks); page != want.String() {
		t.Errorf("keys inserted later:\n%s\nrendered with the keys:\n%s", page, want.String())
	}
	// goldmark puts a bufio.Writer before a writer that is no
	// util.BufWriter, a bytes.Buffer too: the offset would be the bufio's.
	for _, w := range []io.Writer{&bytes.Buffer{}, io.Discard} {
		if _, err := render(true, w); err == nil || !strings.Contains(err.Error(), "md-chart-1") {
			t.Errorf("%T: %v", w, err)
		}
	}
}

// htmlWriter is a strings.Builder that goldmark writes to directly.
type htmlWriter struct{ strings.Builder }

func (w *htmlWriter) Available() int { return w.Cap() - w.Len() }
func (w *htmlWriter) Buffered() int  { return 0 }
func (w *htmlWriter) Flush() error   { return nil }

func FuzzParseChartBlock(f *testing.F) {
	f.Add([]byte("slo = \"a/b\"\nkind = \"sli\"\nfrom = 2026-11-10T13:00:00Z\nto = 2026-11-10T16:00:00Z\n"))
	f.Add([]byte("kind = 1\n[x]\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := ParseChartBlock(body, map[string]bool{"a/b": true})
		if err == nil && (b == nil || !b.To.After(b.From)) {
			t.Fatalf("accepted a bad block: %+v", b)
		}
	})
}

// TestPickerMatchesMathMinMax: the inlined comparison keeps what math.Min
// and math.Max would, signed zeros included (a −0 bucket must not turn
// into "-0" on the page where math.Max gave 0).
func TestPickerMatchesMathMinMax(t *testing.T) {
	vals := []float64{math.Copysign(0, -1), 0, -1.5, 2, 2, 1e-9, -1e300, 7}
	for _, a := range vals {
		for _, b := range vals {
			for _, tc := range []struct {
				p    picker
				want float64
			}{{pickMax, math.Max(a, b)}, {pickMin, math.Min(a, b)}} {
				got := a
				if tc.p.better(a, b) {
					got = b
				}
				if got != tc.want || math.Signbit(got) != math.Signbit(tc.want) {
					t.Errorf("picker %v on (%v, %v) keeps %v, want %v", tc.p, a, b, got, tc.want)
				}
			}
		}
	}
}

// A chart's option is encoded once, ahead of the page, with its points
// spliced in; the page must read exactly what html/template writes when
// it is handed the option itself, escapes of user text included, and so
// must an option whose slots cannot be told apart from the rest.
func TestEncodeOptionAsTemplate(t *testing.T) {
	evil := "</script><!-- a & b \u2028 \u2029 ü \xff0"
	page := template.Must(template.New("p").Parse(`<script>reliaChart("c", {{.}});</script>`))
	for _, c := range []struct {
		name  string
		extra any // one more value in the option
	}{
		{"spliced", nil},
		{"slot look-alike", json.RawMessage("\"\xff0\"")},
	} {
		line := newTimeChart("c", "%", false)
		addLine(line, evil, points{{ms: 1, y: 0.5}, {ms: 2, y: math.NaN()}, {ms: 3, y: 1e-7, raw: 2e21, hasRaw: true}}, markAreas([]Mark{{Name: evil}}))
		addLine(line, "second", points{{ms: 1, y: 120}})
		option := finish(line)
		if c.extra != nil {
			option["extra"] = c.extra
		}
		got := encodeOption(line, option)
		var want, gotPage strings.Builder
		if err := page.Execute(&want, option); err != nil {
			t.Fatal(err)
		}
		if err := page.Execute(&gotPage, got); err != nil {
			t.Fatal(err)
		}
		if gotPage.String() != want.String() {
			t.Errorf("%s: encoded once:\n%s\nby the template:\n%s", c.name, gotPage.String(), want.String())
		}
		if strings.Contains(gotPage.String(), "</script><!--") || !strings.Contains(gotPage.String(), `{"value":[3,1e-7,2e+21]}`) {
			t.Errorf("%s: user text not escaped, or points missing: %s", c.name, gotPage.String())
		}
	}
}
