package specimport

import (
	"fmt"
	"regexp"
	"strings"
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
	depth := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == '\\' && quote != '`' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '(' || c == '{' || c == '[':
			depth++
		case c == ')' || c == '}' || c == ']':
			depth--
		case c == '-' && depth == 0 && i > 0:
			return strings.TrimSpace(q[:i]), strings.TrimSpace(q[i+1:]), true
		}
	}
	return "", "", false
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
	depth := 0
	var quote byte
	for i := open; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote != '`' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '(' || c == '{' || c == '[':
			depth++
		case c == ')' || c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// selector checks that s is exactly one instant vector selector: a metric
// name, label matchers in braces, or both.
func selector(s string) (string, error) {
	s = strings.TrimSpace(s)
	name := metricNameRe.FindString(s)
	rest := strings.TrimSpace(s[len(name):])
	if rest == "" {
		if name == "" {
			return "", fmt.Errorf("expected a selector such as http_requests_total{code!~\"5..\"}, got %q", s)
		}
		return s, nil
	}
	if !strings.HasPrefix(rest, "{") || matching(rest, 0) != len(rest)-1 {
		return "", fmt.Errorf("expected a selector such as http_requests_total{code!~\"5..\"}, got %q", s)
	}
	n, err := matchers(rest[1 : len(rest)-1])
	if err != nil {
		return "", fmt.Errorf("selector %q: %w", s, err)
	}
	if name == "" && n == 0 {
		return "", fmt.Errorf("selector %q: expected a metric name or at least one label matcher", s)
	}
	return s, nil
}

// matchers checks a comma-separated list of label matchers and counts them.
func matchers(s string) (int, error) {
	n := 0
	for {
		s = strings.TrimSpace(s)
		if s == "" {
			return n, nil
		}
		label := labelNameRe.FindString(s)
		if label == "" {
			return 0, fmt.Errorf("expected a label name at %q", s)
		}
		s = strings.TrimSpace(s[len(label):])
		op := ""
		for _, o := range []string{"=~", "!~", "!=", "="} {
			if strings.HasPrefix(s, o) {
				op = o
				break
			}
		}
		if op == "" {
			return 0, fmt.Errorf("expected =, !=, =~ or !~ after %s", label)
		}
		s = strings.TrimSpace(s[len(op):])
		if s == "" || (s[0] != '"' && s[0] != '\'' && s[0] != '`') {
			return 0, fmt.Errorf("expected a quoted value after %s%s", label, op)
		}
		end := -1
		for i := 1; i < len(s); i++ {
			if s[i] == '\\' && s[0] != '`' {
				i++
				continue
			}
			if s[i] == s[0] {
				end = i
				break
			}
		}
		if end < 0 {
			return 0, fmt.Errorf("unterminated string after %s%s", label, op)
		}
		n++
		s = strings.TrimSpace(s[end+1:])
		if s == "" {
			return n, nil
		}
		if s[0] != ',' {
			return 0, fmt.Errorf("expected a comma after the value of %s", label)
		}
		s = s[1:]
	}
}
