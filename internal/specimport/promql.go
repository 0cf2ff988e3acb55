package specimport

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// relia asks a Prometheus-API store for sum(increase(SELECTOR[STEP])): it
// needs the counter selector of each query, not the query. These functions
// take a query apart just far enough to find it, and refuse anything else
// with a reason: a selector relia guessed wrong would report wrong numbers
// without a word.

var (
	metricNameRe = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*`)
	labelNameRe  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*`)
	// rangeRe is the range of a range vector: a duration, or the template
	// Sloth fills in per alert window.
	rangeRe = regexp.MustCompile(`^\[\s*(\{\{\s*\.window\s*\}\}|[0-9a-zA-Z]+)\s*\]$`)
)

// counterSelector returns the vector selector of query, which must be one
// of SEL, sum(SEL), rate(SEL[R]), increase(SEL[R]), sum(rate(SEL[R])) or
// sum(increase(SEL[R])), in any spacing and inside any parentheses.
func counterSelector(query string) (string, error) {
	q := stripParens(strings.TrimSpace(query))
	if q == "" {
		return "", fmt.Errorf("empty query")
	}
	if fn, args, ok := call(q); ok {
		switch fn {
		case "sum":
			return counterSelector(args)
		case "rate", "increase":
			inner := strings.TrimSpace(args)
			i := strings.LastIndex(inner, "[")
			if i < 0 || !rangeRe.MatchString(inner[i:]) {
				return "", fmt.Errorf("expected %s(SELECTOR[RANGE]), got %q", fn, q)
			}
			return selector(strings.TrimSpace(inner[:i]))
		case "irate", "delta", "deriv", "avg", "max", "min", "count", "histogram_quantile", "sum_over_time", "count_over_time", "avg_over_time":
			return "", fmt.Errorf("%s() does not count events: relia needs a counter selector, optionally inside sum(), rate() or increase(); got %q", fn, q)
		default:
			return "", fmt.Errorf("unsupported function %s(): relia needs a counter selector, optionally inside sum(), rate() or increase(); got %q", fn, q)
		}
	}
	if by := sumByRe.FindString(q); by != "" {
		return "", fmt.Errorf("%q splits the result into several series; relia counts one SLO as one series: drop the grouping", strings.TrimSpace(by))
	}
	return selector(q)
}

var sumByRe = regexp.MustCompile(`^sum\s*(by|without)\s*\(`)

// difference splits "A - B" at its top-level minus, or reports false.
func difference(query string) (string, string, bool) {
	q := stripParens(strings.TrimSpace(query))
	i := scanOutsideStrings(q, 0, func(i, depth int) bool {
		return q[i] == '-' && depth == 0 && i > 0
	})
	if i < 0 {
		return "", "", false
	}
	return strings.TrimSpace(q[:i]), strings.TrimSpace(q[i+1:]), true
}

// call recognises "fn(args)" where the parenthesis closes at the end.
func call(q string) (fn, args string, ok bool) {
	m := metricNameRe.FindString(q)
	if m == "" {
		return "", "", false
	}
	rest := strings.TrimLeft(q[len(m):], " \t\n")
	if !strings.HasPrefix(rest, "(") {
		return "", "", false
	}
	open := len(q) - len(rest)
	if closeAt := matching(q, open); closeAt == len(q)-1 {
		return m, q[open+1 : closeAt], true
	}
	return "", "", false
}

// stripParens removes parentheses that enclose the whole of q.
func stripParens(q string) string {
	for strings.HasPrefix(q, "(") && matching(q, 0) == len(q)-1 {
		q = strings.TrimSpace(q[1 : len(q)-1])
	}
	return q
}

// matching returns the index of the bracket closing the one at open, or -1.
// Brackets inside string literals do not count.
func matching(s string, open int) int {
	return scanOutsideStrings(s, open, func(i, depth int) bool {
		return depth == 0 && strings.IndexByte(")}]", s[i]) >= 0
	})
}

// scanOutsideStrings walks s from index from, skipping string literals, and
// returns the first index where stop holds, or -1. stop sees the bracket
// depth after the byte at i is counted.
func scanOutsideStrings(s string, from int, stop func(i, depth int) bool) int {
	depth := 0
	var quote byte
	for i := from; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote != '`' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		case isQuote(c):
			quote = c
			continue
		case c == '(' || c == '{' || c == '[':
			depth++
		case c == ')' || c == '}' || c == ']':
			depth--
		}
		if stop(i, depth) {
			return i
		}
	}
	return -1
}

// selector checks that s is exactly one instant vector selector: a metric
// name, label matchers in braces, or both. It returns s as written: the
// store is asked in the user's own spelling.
func selector(s string) (string, error) {
	s = strings.TrimSpace(s)
	if _, err := parseSelector(s); err != nil {
		return "", err
	}
	return s, nil
}

// vectorSelector is a parsed instant vector selector. The metric name is
// a matcher on __name__, as Prometheus holds it, so that x and
// {__name__="x"} are the same selector.
type vectorSelector struct {
	matchers []labelMatcher
}

// labelMatcher is one label matcher with its value unquoted.
type labelMatcher struct {
	label, op, value string
}

// parseSelector parses an instant vector selector: a metric name, label
// matchers in braces, or both. Inside the braces, a quoted string alone is
// the metric name and label names may be quoted, as Prometheus 3 writes
// names outside [a-zA-Z_:][a-zA-Z0-9_:]*: {"my.metric", "my.label"="x"}.
func parseSelector(s string) (vectorSelector, error) {
	var sel vectorSelector
	bad := func() error {
		return fmt.Errorf("expected a selector such as http_requests_total{code!~\"5..\"}, got %q", s)
	}
	name := metricNameRe.FindString(s)
	rest := strings.TrimSpace(s[len(name):])
	if name != "" {
		sel.matchers = append(sel.matchers, labelMatcher{"__name__", "=", name})
	}
	if rest == "" {
		if name == "" {
			return sel, bad()
		}
		return sel, nil
	}
	if !strings.HasPrefix(rest, "{") || matching(rest, 0) != len(rest)-1 {
		return sel, bad()
	}
	ms, quotedName, err := matchers(rest[1 : len(rest)-1])
	if err != nil {
		return sel, fmt.Errorf("selector %q: %w", s, err)
	}
	if quotedName != "" {
		if name != "" {
			return sel, fmt.Errorf("selector %q: the metric name is given twice, %s and %q", s, name, quotedName)
		}
		sel.matchers = append(sel.matchers, labelMatcher{"__name__", "=", quotedName})
	}
	sel.matchers = append(sel.matchers, ms...)
	if len(sel.matchers) == 0 {
		return sel, fmt.Errorf("selector %q: expected a metric name or at least one label matcher", s)
	}
	return sel, nil
}

// canonical writes the selector in one spelling: every matcher in braces,
// sorted, each once, names and values quoted alike. Two selectors that
// match the same series by the same matchers have the same canonical form.
func (sel vectorSelector) canonical() string {
	ms := slices.Clone(sel.matchers)
	slices.SortFunc(ms, func(a, b labelMatcher) int {
		return cmp.Or(strings.Compare(a.label, b.label), strings.Compare(a.op, b.op), strings.Compare(a.value, b.value))
	})
	ms = slices.Compact(ms)
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(m.label))
		b.WriteString(m.op)
		b.WriteString(strconv.Quote(m.value))
	}
	b.WriteByte('}')
	return b.String()
}

// sameSelector reports whether two selectors are the same by their
// matchers, whatever their spacing, quoting and order: x{a="b"} and
// x{ a = 'b' } are. Selectors that do not parse are compared as text.
func sameSelector(a, b string) bool {
	sa, errA := parseSelector(strings.TrimSpace(a))
	sb, errB := parseSelector(strings.TrimSpace(b))
	if errA != nil || errB != nil {
		return a == b
	}
	return sa.canonical() == sb.canonical()
}

// matchers parses a comma-separated list of label matchers and the metric
// name given as a quoted string alone among them, if any.
func matchers(s string) (ms []labelMatcher, name string, err error) {
	for {
		s = strings.TrimSpace(s)
		if s == "" {
			return ms, name, nil
		}
		var label string
		if isQuote(s[0]) {
			var n int
			if label, n, err = quoted(s); err != nil {
				return nil, "", err
			}
			s = strings.TrimSpace(s[n:])
			if s == "" || s[0] == ',' {
				// A quoted string alone is the metric name.
				if name != "" {
					return nil, "", fmt.Errorf("the metric name is given twice, %q and %q", name, label)
				}
				if label == "" {
					return nil, "", fmt.Errorf("expected a metric name, got an empty string")
				}
				name = label
				if s != "" {
					s = s[1:]
				}
				continue
			}
		} else {
			label = labelNameRe.FindString(s)
			if label == "" {
				return nil, "", fmt.Errorf("expected a label name at %q", s)
			}
			s = strings.TrimSpace(s[len(label):])
		}
		op := ""
		for _, o := range []string{"=~", "!~", "!=", "="} {
			if strings.HasPrefix(s, o) {
				op = o
				break
			}
		}
		if op == "" {
			return nil, "", fmt.Errorf("expected =, !=, =~ or !~ after %s", label)
		}
		s = strings.TrimSpace(s[len(op):])
		if s == "" || !isQuote(s[0]) {
			return nil, "", fmt.Errorf("expected a quoted value after %s%s", label, op)
		}
		value, n, err := quoted(s)
		if err != nil {
			return nil, "", fmt.Errorf("the value of %s%s: %w", label, op, err)
		}
		ms = append(ms, labelMatcher{label, op, value})
		s = strings.TrimSpace(s[n:])
		if s == "" {
			return ms, name, nil
		}
		if s[0] != ',' {
			return nil, "", fmt.Errorf("expected a comma after the value of %s", label)
		}
		s = s[1:]
	}
}

func isQuote(c byte) bool { return c == '"' || c == '\'' || c == '`' }

// quoted reads the PromQL string literal at the start of s: "…" or '…'
// with Go's escapes, or `…` raw. It returns the string and the length of
// the literal.
func quoted(s string) (string, int, error) {
	q := s[0]
	if q == '`' {
		end := strings.IndexByte(s[1:], '`')
		if end < 0 {
			return "", 0, fmt.Errorf("unterminated string")
		}
		return s[1 : end+1], end + 2, nil
	}
	var b strings.Builder
	for rest := s[1:]; ; {
		if rest == "" {
			return "", 0, fmt.Errorf("unterminated string")
		}
		if rest[0] == q {
			return b.String(), len(s) - len(rest) + 1, nil
		}
		if rest[0] == '\n' {
			return "", 0, fmt.Errorf("unterminated string: a newline inside quotes")
		}
		r, multibyte, tail, err := strconv.UnquoteChar(rest, q)
		if err != nil {
			return "", 0, fmt.Errorf("invalid escape or character in string %s", s[:len(s)-len(rest)+1])
		}
		// As strconv.Unquote: \xFF is a byte, \u00FF and ÿ a character.
		if r < utf8.RuneSelf || !multibyte {
			b.WriteByte(byte(r))
		} else {
			b.WriteRune(r)
		}
		rest = tail
	}
}
