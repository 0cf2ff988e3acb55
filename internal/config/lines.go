package config

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// keyLines maps dotted key paths ("sources.demo.url", "slos[2].objective")
// to the line where they are written. BurntSushi/toml reports positions only
// for syntax and decode errors, not for the keys our validation rejects, so
// this index recovers them for the one shape relia.toml is written in:
// table headers and `key = value` lines. It does not parse values; the TOML
// library has already accepted the file by the time this is consulted.
type keyLines map[string]int

var (
	headerRe = regexp.MustCompile(`^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?`)
	keyRe    = regexp.MustCompile(`^\s*([A-Za-z0-9_\-."' ]+?)\s*=`)
)

func indexKeys(src string) keyLines {
	idx := keyLines{}
	arrays := map[string]int{} // array-of-tables name → entries seen
	prefix := ""
	inMultiline := ""
	for n, line := range strings.Split(src, "\n") {
		lineNo := n + 1
		if inMultiline != "" {
			if strings.Count(line, inMultiline)%2 == 1 {
				inMultiline = ""
			}
			continue
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if m := headerRe.FindStringSubmatch(line); m != nil {
			name := unquoteKey(m[2])
			if i := strings.LastIndex(name, "."); i >= 0 {
				// [slos.foo] and [[slos.alert_rules]] after [[slos]]
				// belong to the latest entry.
				if c, ok := arrays[name[:i]]; ok {
					name = name[:i] + "[" + strconv.Itoa(c-1) + "]" + name[i:]
				}
			}
			if m[1] == "[[" {
				// Counted per qualified name: each [[slos]] entry numbers
				// its own [[slos.alert_rules]] from 0.
				qualified := name
				name = qualified + "[" + strconv.Itoa(arrays[qualified]) + "]"
				arrays[qualified]++
			}
			prefix = name
			setFirst(idx, prefix, lineNo)
			continue
		}
		if m := keyRe.FindStringSubmatch(line); m != nil {
			path := unquoteKey(m[1])
			if prefix != "" {
				path = prefix + "." + path
			}
			setFirst(idx, path, lineNo)
			for _, q := range []string{`"""`, `'''`} {
				if strings.Count(line, q)%2 == 1 {
					inMultiline = q
				}
			}
		}
	}
	return idx
}

func setFirst(idx keyLines, path string, line int) {
	if _, ok := idx[path]; !ok {
		idx[path] = line
	}
}

// line returns the line of path, or of its nearest enclosing table, or 0.
func (k keyLines) line(path string) int {
	for path != "" {
		if l, ok := k[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// byDotted indexes every path by its form without array indices, each
// list in line order: TOML's metadata names an unknown key in an array of
// tables ("slos.bogus") without saying which entries hold it. One index
// for all unknown keys: a scan of every key for each took 31 s for a file
// of 10,000.
func (k keyLines) byDotted() map[string][]string {
	idx := map[string][]string{}
	for p := range k {
		d := stripIndices(p)
		idx[d] = append(idx[d], p)
	}
	for _, paths := range idx {
		slices.SortFunc(paths, func(a, b string) int { return cmp.Or(k[a]-k[b], strings.Compare(a, b)) })
	}
	return idx
}

var indexRe = regexp.MustCompile(`\[\d+\]`)

func stripIndices(p string) string { return indexRe.ReplaceAllString(p, "") }

func unquoteKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}
