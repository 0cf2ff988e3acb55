package render

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/yuin/goldmark/ast"
	gmrender "github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"

	"github.com/relia-dev/relia/internal/bounded"
	"github.com/relia-dev/relia/internal/diag"
)

// Chart block kinds.
var ChartKinds = []string{"sli", "burn-rate", "burn-down", "events"}

// ChartBlock is a fenced ```chart block of a Markdown page: a chart of one
// SLO over a time range, drawn where the block stands.
type ChartBlock struct {
	SLO   string    `toml:"slo"`
	Kind  string    `toml:"kind"`
	From  time.Time `toml:"from"`
	To    time.Time `toml:"to"`
	Title string    `toml:"title"`

	ID   string // container id in the page
	Line int    // line of the opening fence in the Markdown file

	// Key lists the spans the chart shades (Theme.ChartKey), printed under
	// it. The spans are known once the site is computed, after parsing, so
	// the site sets it before rendering the page's Markdown, or renders the
	// page with KeyLater and inserts it at KeyAt.
	Key template.HTML

	// KeyLater renders the block without its key, and records in KeyAt the
	// offset in the rendered page where the key belongs: a page can then be
	// rendered, and its Markdown tree let go, before the site is computed.
	// The page must be rendered to a util.BufWriter that tells its length
	// (Len), which goldmark writes to directly: it puts a bufio.Writer
	// before any other writer.
	KeyLater bool
	KeyAt    int
}

// InsertKeys is a page rendered with its chart blocks' keys left for later
// (KeyLater) with each block's Key inserted at its KeyAt. blocks are the
// page's, in the order of the page.
func InsertKeys(html string, blocks []*ChartBlock) string {
	n := len(html)
	for _, b := range blocks {
		n += len(b.Key)
	}
	if n == len(html) {
		return html
	}
	var out strings.Builder
	out.Grow(n)
	at := 0
	for _, b := range blocks {
		out.WriteString(html[at:b.KeyAt])
		out.WriteString(string(b.Key))
		at = b.KeyAt
	}
	out.WriteString(html[at:])
	return out.String()
}

// chartBlockNode replaces a chart fence in the AST; it renders as the
// chart's container.
type chartBlockNode struct {
	ast.BaseBlock
	block *ChartBlock
}

var kindChartBlock = ast.NewNodeKind("ChartBlock")

func (n *chartBlockNode) Kind() ast.NodeKind { return kindChartBlock }

func (n *chartBlockNode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"SLO": n.block.SLO, "Kind": n.block.Kind}, nil)
}

// ChartBlockError is a bad chart block, at its line within the block.
// ExtractChartBlocks reports it as a diag.Error at its line in the file.
type ChartBlockError struct {
	File string
	Line int
	Msg  string
}

func (e *ChartBlockError) Error() string {
	return fmt.Sprintf("%s:%d: chart: %s", e.File, e.Line, e.Msg)
}

// ExtractChartBlocks finds the ```chart blocks of a parsed page, checks
// them against the known SLO ids and replaces each with a chart container.
// A bad block is a *diag.Error naming the file and line (key "chart"):
// never a silent blank.
func ExtractChartBlocks(file string, source []byte, doc ast.Node, knownSLOs map[string]bool) ([]*ChartBlock, error) {
	var fences []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if f, ok := n.(*ast.FencedCodeBlock); ok && entering && string(f.Language(source)) == "chart" {
			fences = append(fences, f)
		}
		return ast.WalkContinue, nil
	})
	var blocks []*ChartBlock
	var errs []error
	lines := lineCounter{src: source}
	for i, f := range fences {
		line := lines.at(fenceOffset(f))
		if i == MaxChartBlocks {
			errs = append(errs, &diag.Error{File: file, Line: line, Key: "chart", Msg: fmt.Sprintf("more than %d chart blocks in one page, the limit (a fixed bound; split the page)", MaxChartBlocks)})
			break
		}
		var body bytes.Buffer
		for j := 0; j < f.Lines().Len(); j++ {
			seg := f.Lines().At(j)
			body.Write(seg.Value(source))
		}
		b, err := ParseChartBlock(body.Bytes(), knownSLOs)
		if err != nil {
			var ce *ChartBlockError
			if errors.As(err, &ce) {
				errs = append(errs, &diag.Error{File: file, Line: line + ce.Line, Key: "chart", Msg: ce.Msg})
			} else {
				errs = append(errs, &diag.Error{File: file, Line: line, Key: "chart", Msg: err.Error()})
			}
			continue
		}
		b.ID = fmt.Sprintf("md-chart-%d", i+1)
		b.Line = line
		blocks = append(blocks, b)
		f.Parent().ReplaceChild(f.Parent(), f, &chartBlockNode{block: b})
	}
	return blocks, errors.Join(errs...)
}

// MaxChartBlocks bounds the chart blocks of one page: each draws up to
// about 1,000 points per series into the page, and a page of 10,000 of
// them would weigh hundreds of megabytes.
const MaxChartBlocks = 100

// ParseChartBlock decodes and checks a chart block's TOML body. Errors carry
// the line within the body (1 = the first line after the fence).
func ParseChartBlock(body []byte, knownSLOs map[string]bool) (*ChartBlock, error) {
	if line := bounded.TOMLDepth(body, bounded.MaxTOMLDepth); line > 0 {
		return nil, &ChartBlockError{Line: line, Msg: fmt.Sprintf("values nested more than %d deep, the limit (a fixed bound)", bounded.MaxTOMLDepth)}
	}
	var b ChartBlock
	md, err := toml.Decode(string(body), &b)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			msg := pe.Message
			if pe.LastKey != "" {
				msg = pe.LastKey + ": " + msg
			}
			return nil, &ChartBlockError{Line: pe.Position.Line, Msg: msg}
		}
		return nil, &ChartBlockError{Line: 1, Msg: err.Error()}
	}
	lineOf := func(key string) int {
		for i, l := range strings.Split(string(body), "\n") {
			if k, _, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == key {
				return i + 1
			}
		}
		return 1
	}
	var errs []error
	fail := func(key, format string, args ...any) {
		errs = append(errs, &ChartBlockError{Line: lineOf(key), Msg: key + ": " + fmt.Sprintf(format, args...)})
	}
	for _, k := range md.Undecoded() {
		fail(k.String(), "unknown key; expected slo, kind, from, to or title")
	}
	switch {
	case b.SLO == "":
		fail("slo", `missing; expected an SLO id such as "checkout/availability"`)
	case knownSLOs != nil && !knownSLOs[b.SLO]:
		ids := make([]string, 0, len(knownSLOs))
		for id := range knownSLOs {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		fail("slo", "unknown SLO %q; expected one of %s", b.SLO, strings.Join(ids, ", "))
	}
	if !slices.Contains(ChartKinds, b.Kind) {
		fail("kind", "expected one of %s, got %q", strings.Join(ChartKinds, ", "), b.Kind)
	}
	switch {
	case b.From.IsZero():
		fail("from", "missing; expected a time such as 2026-11-10T13:00:00Z")
	case b.To.IsZero():
		fail("to", "missing; expected a time such as 2026-11-10T16:00:00Z")
	case !b.To.After(b.From):
		fail("to", "must be after from (%s)", b.From.Format(time.RFC3339))
	}
	if len(errs) > 0 {
		// Report the first by line; the others follow from the same block.
		return nil, errs[0]
	}
	return &b, nil
}

// fenceOffset is where the opening fence's line is in the source.
func fenceOffset(f *ast.FencedCodeBlock) int {
	if f.Info != nil {
		return f.Info.Segment.Start
	}
	if f.Lines().Len() > 0 {
		return f.Lines().At(0).Start
	}
	return 0
}

// lineCounter turns offsets into 1-based lines, counting on from the last
// offset asked for when the next is further on (as the fences of a page
// come): counting from the start for each block made a page of many
// blocks quadratic.
type lineCounter struct {
	src       []byte
	off, line int
}

func (c *lineCounter) at(off int) int {
	off = min(off, len(c.src))
	if off < c.off || c.line == 0 {
		c.off, c.line = 0, 1
	}
	c.line += bytes.Count(c.src[c.off:off], []byte("\n"))
	c.off = off
	return c.line
}

// chartBlockRenderer draws a chart block's container; the chart itself is
// drawn by the page's script from the option the site computes.
type chartBlockRenderer struct{}

func (chartBlockRenderer) RegisterFuncs(reg gmrender.NodeRendererFuncRegisterer) {
	reg.Register(kindChartBlock, func(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		b := node.(*chartBlockNode).block
		title := b.Title
		if title == "" {
			title = b.SLO + " · " + b.Kind
		}
		fmt.Fprintf(w, "<figure class=\"chart-box\"><div class=\"chart\" id=\"%s\"></div><figcaption>%s</figcaption>", b.ID, util.EscapeHTML([]byte(title)))
		if b.KeyLater {
			lw, ok := w.(interface{ Len() int })
			if !ok {
				return ast.WalkStop, fmt.Errorf("chart %s: its key cannot be left for later: the page is rendered to a %T", b.ID, w)
			}
			b.KeyAt = lw.Len()
		} else {
			_, _ = w.WriteString(string(b.Key))
		}
		_, _ = w.WriteString("</figure>\n")
		return ast.WalkSkipChildren, nil
	})
}
