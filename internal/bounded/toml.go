package bounded

// MaxTOMLDepth is how deep values may nest in the TOML relia reads
// (relia.toml, front matter, chart blocks): arrays and inline tables
// inside each other, and the parts of a dotted key (a.b.c = 1 nests three
// tables). relia's own keys nest three deep at most. BurntSushi/toml
// spends time and memory that grow faster than the square of the depth:
// 8,000 inline tables inside each other take 85 s to refuse, a key of
// 8,000 dotted parts 37 s, in files of 16 to 24 KB.
const MaxTOMLDepth = 32

// TOMLDepth returns the line on which the values of src first nest deeper
// than max, or 0 when they never do. A table header counts its parts (and
// one more for an array of tables) for the keys under it; a dotted key
// counts its parts for its value. It knows TOML's comments and four kinds
// of string, so that brackets and dots inside them do not count; anything
// else (a syntax error, an unclosed string) is left to the decoder to
// report. The dot of a number (3.14, a time's fraction) counts as a key's
// would: one more, never more. The dots of a key stay counted after its
// "=", for the value that opens there.
func TOMLDepth(src []byte, limit int) int {
	var (
		open   []int // what each open bracket adds: 1, plus its key's dots
		total  int   // the sum of open
		dots   int   // dots of the key being read
		base   int   // the depth of the current table header
		header bool  // inside a table header
		begin  = true
		line   = 1
	)
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\n' {
			line++
			dots, begin = 0, true
			continue
		}
		atBegin := begin
		if c != ' ' && c != '\t' && c != '\r' {
			begin = false
		}
		switch c {
		case '#':
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			i, line = skipString(src, i, line)
		case '.':
			dots++
		case ',':
			dots = 0
		case '[', '{':
			if c == '[' && atBegin && len(open) == 0 {
				header, base = true, 0
			}
			open = append(open, 1+dots)
			total += 1 + dots
			dots = 0
		case ']', '}':
			if len(open) == 0 {
				continue
			}
			if header {
				base = max(base, total+dots)
			}
			total -= open[len(open)-1]
			open = open[:len(open)-1]
			if len(open) == 0 {
				header = false
			}
			dots = 0
		}
		if total+dots+base > limit {
			return line
		}
	}
	return 0
}

// skipString returns the index of the last byte of the string that opens
// at src[i], and the line it ends on. Basic strings (") take backslash
// escapes, literal ones (') do not; tripled quotes open a multi-line
// string, whose closing quotes may follow up to two quotes of content.
func skipString(src []byte, i, line int) (int, int) {
	q := src[i]
	multi := i+2 < len(src) && src[i+1] == q && src[i+2] == q
	if multi {
		i += 2
	}
	for i++; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\n':
			line++
			if !multi {
				return i, line // unclosed: the decoder says so
			}
		case c == '\\' && q == '"':
			if i+1 < len(src) && src[i+1] == '\n' {
				line++
			}
			i++
		case c == q && !multi:
			return i, line
		case c == q && i+2 < len(src) && src[i+1] == q && src[i+2] == q:
			i += 2
			for extra := 0; extra < 2 && i+1 < len(src) && src[i+1] == q; extra++ {
				i++
			}
			return i, line
		}
	}
	return len(src), line
}
