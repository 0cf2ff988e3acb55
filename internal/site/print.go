package site

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/relia-dev/relia/internal/pdf"
	"github.com/relia-dev/relia/internal/publish"
)

// printJob is a page that --pdf prints beside itself: its folder, its
// template and data (to write it again without the PDF link when the PDF
// could not be made), and the PDF's file name.
type printJob struct {
	dir, tmpl, pdf string
	data           pageData
}

// writePrintable writes the page dir+"index.html". With --pdf and a
// pdfName it links the PDF it will be printed to, and is queued for
// printing; pdfName "" is a page that is never printed.
func (b *build) writePrintable(pub *publish.Publisher, dir, tmpl string, data pageData, pdfName string) error {
	if b.opts.PDF && pdfName != "" {
		data.PDF = pdfName
		b.printMu.Lock()
		b.printQueue = append(b.printQueue, printJob{dir: dir, tmpl: tmpl, pdf: pdfName, data: data})
		b.printMu.Unlock()
	}
	_, err := b.writePage(pub, dir+"index.html", tmpl, data)
	return err
}

// printPDFs prints the queued pages from the unfinished site (before the
// swap, from file://) with a Chromium found on the machine. Without one,
// or for a page that fails to print, it warns and writes the page again
// without its PDF link: the rest of the site builds. Only a cancelled
// build is an error.
func (b *build) printPDFs(ctx context.Context, pub *publish.Publisher) error {
	if len(b.printQueue) == 0 {
		return nil
	}
	// Queued by writers running side by side: printed in the order of
	// their folders, so that warnings come in the same order every time.
	slices.SortFunc(b.printQueue, func(x, y printJob) int { return strings.Compare(x.dir, y.dir) })
	began := time.Now()
	// Chromium opens file:// URLs, which need an absolute path; --out is
	// usually relative ("public").
	root, err := filepath.Abs(pub.Dir())
	if err != nil {
		return fmt.Errorf("--pdf: %w", err)
	}
	exe, err := pdf.Find()
	var printer *pdf.Printer
	if err == nil {
		printer, err = pdf.Start(ctx, pdf.Options{Exec: exe, Date: b.now, Root: root, URL: publishedURL(b.cfg.BaseURL)})
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fmt.Fprintf(b.log, "warning: --pdf: %v; the site is built without PDFs\n", err)
		for _, job := range b.printQueue {
			if err := b.unlinkPDF(pub, job); err != nil {
				return err
			}
		}
		return nil
	}
	defer printer.Close()
	made := 0
	for _, job := range b.printQueue {
		doc, err := printer.Print(ctx, filepath.Join(root, filepath.FromSlash(job.dir+"index.html")))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fmt.Fprintf(b.log, "warning: --pdf: %s%s not made: %v\n", job.dir, job.pdf, err)
			if err := b.unlinkPDF(pub, job); err != nil {
				return err
			}
			continue
		}
		if err := pub.WriteFile(job.dir+job.pdf, doc); err != nil {
			return err
		}
		made++
	}
	// Wall time says nothing about the site's content: it goes to the
	// log, never into a page.
	fmt.Fprintf(b.log, "printed %d PDF(s) with %s in %v\n", made, exe, time.Since(began).Round(time.Millisecond))
	return nil
}

// unlinkPDF writes a queued page again without its PDF link.
func (b *build) unlinkPDF(pub *publish.Publisher, job printJob) error {
	job.data.PDF = ""
	_, err := b.writePage(pub, job.dir+"index.html", job.tmpl, job.data)
	return err
}

// latestComplete is the review --pdf prints: the newest week that is over
// (a review of a Monday morning's few hours would tell management
// nothing), or the newest when none is.
func latestComplete(weeks []*reviewWeek) *reviewWeek {
	for i := len(weeks) - 1; i >= 0; i-- {
		if !weeks[i].Current {
			return weeks[i]
		}
	}
	if len(weeks) == 0 {
		return nil
	}
	return weeks[len(weeks)-1]
}

// publishedURL is base_url when it names a web address: the PDFs' links
// point there. A relative base_url ("/") means nothing on paper, and the
// links are dropped.
func publishedURL(base string) string {
	if u, err := url.Parse(base); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return base
	}
	return ""
}
