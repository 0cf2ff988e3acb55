package render

import (
	"bytes"
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
	dip := pts[1000/3].Value.([]any)
	if dip[1] != 0.5 {
		t.Errorf("bucket with the dip draws %v", dip[1])
	}
	if ts := dip[0].(int64); ts != time.Unix(0, 0).Add(1001*time.Minute).UnixMilli() {
		t.Errorf("bucket time %v", ts)
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
