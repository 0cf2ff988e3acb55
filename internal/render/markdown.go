// Package render turns the site model into HTML: the goldmark setup for
// Markdown, the charts (go-echarts, drawn by the embedded echarts.min.js) and
// the html/template theme. It writes to the io.Writers it is handed and never
// touches the file system itself.
package render

import (
	"html"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	gmrender "github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"

	"github.com/relia-dev/relia/internal/content"
)

// NewMarkdown returns the one goldmark instance a build uses: GitHub
// Flavored Markdown, footnotes, heading ids, TOML (+++) or YAML (---) front
// matter. Raw HTML in Markdown is shown escaped, as text, unless the site
// opts in with unsafe_html: reports are read by people who did not write
// them, and goldmark's default of dropping it silently hides content.
func NewMarkdown(unsafeHTML bool) goldmark.Markdown {
	rendererOpts := []gmrender.Option{gmhtml.WithXHTML(), gmrender.WithNodeRenderers(util.Prioritized(chartBlockRenderer{}, 100))}
	if unsafeHTML {
		rendererOpts = append(rendererOpts, gmhtml.WithUnsafe())
	} else {
		rendererOpts = append(rendererOpts, gmrender.WithNodeRenderers(util.Prioritized(escapedHTML{}, 100)))
	}
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote, content.FrontMatter()),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(rendererOpts...),
	)
}

// escapedHTML renders raw HTML nodes as visible, escaped text.
type escapedHTML struct{}

func (escapedHTML) RegisterFuncs(reg gmrender.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindRawHTML, renderRawHTML)
	reg.Register(ast.KindHTMLBlock, renderHTMLBlock)
}

func renderRawHTML(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.RawHTML)
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		_, _ = w.WriteString(html.EscapeString(string(seg.Value(source))))
	}
	return ast.WalkSkipChildren, nil
}

func renderHTMLBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.HTMLBlock)
	if entering {
		_, _ = w.WriteString("<pre class=\"raw-html\">")
		for i := 0; i < n.Lines().Len(); i++ {
			line := n.Lines().At(i)
			_, _ = w.WriteString(html.EscapeString(string(line.Value(source))))
		}
		if n.HasClosure() {
			_, _ = w.WriteString(html.EscapeString(string(n.ClosureLine.Value(source))))
		}
		_, _ = w.WriteString("</pre>\n")
	}
	return ast.WalkContinue, nil
}
