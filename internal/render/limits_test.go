package render

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark/text"

	"github.com/relia-dev/relia/internal/diag"
)

// A page holds at most MaxChartBlocks chart blocks; the one past them is
// an error at its line. Lines are counted on from fence to fence, not from
// the start of the page for each.
func TestChartBlocksBounded(t *testing.T) {
	block := "```chart\nslo = \"a/b\"\nkind = \"sli\"\nfrom = 2026-11-10T13:00:00Z\nto = 2026-11-10T16:00:00Z\n```\n\n"
	for _, n := range []int{MaxChartBlocks, MaxChartBlocks + 5} {
		src := []byte("# Many\n\n" + strings.Repeat(block, n))
		doc := NewMarkdown(false).Parser().Parse(text.NewReader(src))
		blocks, err := ExtractChartBlocks("p.md", src, doc, map[string]bool{"a/b": true})
		if n == MaxChartBlocks {
			if err != nil || len(blocks) != n || blocks[n-1].Line != 3+7*(n-1) {
				t.Errorf("%d blocks: %d read, last at line %d, err %v", n, len(blocks), blocks[len(blocks)-1].Line, err)
			}
			continue
		}
		want := "p.md:703: chart: more than 100 chart blocks in one page, the limit (a fixed bound; split the page)"
		if err == nil || err.Error() != want {
			t.Errorf("%d blocks: err = %v, want %s", n, err, want)
		}
	}
}

// A chart block's TOML nested past the limit is refused before the TOML
// library spends minutes on it.
func TestChartBlockDeep(t *testing.T) {
	_, err := ParseChartBlock([]byte("slo = \"a/b\"\nx = "+strings.Repeat("{a=", 100000)), nil)
	var ce *ChartBlockError
	if !errors.As(err, &ce) || ce.Line != 2 || ce.Msg != "values nested more than 32 deep, the limit (a fixed bound)" {
		t.Errorf("err = %v", err)
	}
}

// A template of a site's templates/ folder is read within
// MaxTemplateBytes, from a regular file.
func TestThemeBounded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "templates")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "slo.html"), []byte(strings.Repeat(" ", MaxTemplateBytes+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadTheme(dir, time.UTC)
	var de *diag.Error
	if !errors.As(err, &de) || de.Error() != "templates/slo.html: template: larger than the limit of 1 MiB for a template (a fixed bound)" {
		t.Errorf("err = %v", err)
	}
}
