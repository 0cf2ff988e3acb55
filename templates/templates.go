// Package templates is relia's default theme: html/template files and the
// static assets (CSS, scripts, echarts.min.js) every site ships. A site's
// own templates/ folder overrides these by file name.
package templates

import "embed"

// FS holds the theme: *.html templates and assets/.
//
//go:embed *.html assets
var FS embed.FS
