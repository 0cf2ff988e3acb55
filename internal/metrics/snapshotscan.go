package metrics

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// snapScanner reads the JSON of a snapshot from a stream, one token at a
// time, and always knows where it is: byte offset, line and column.
//
// It is written by hand because what a snapshot holds is hundreds of
// thousands of small numbers in flat arrays. encoding/json's Decoder ran
// its byte-at-a-time state machine over every SLO twice (once to find the
// value's end, once to decode it) before the column parser saw a digit:
// two thirds of the time of reading the demo snapshot. json-iterator
// reads numbers fast but cannot say where in the file an error is and
// accepts some input that is not JSON; jsontext (go-json-experiment)
// positions errors but hands out one Token per number. Here a column is
// one loop over the buffer that turns digits into float64, while the
// grammar, its error messages and their positions stay those of
// encoding/json.
type snapScanner struct {
	r       io.Reader
	buf     []byte // buf[i:n] is not yet read
	i, n    int
	base    int64 // offset in the input of buf[0]
	line    int   // line of the next byte, from 1
	lineOff int64 // offset of the first byte of that line
	keep    int64 // offset of the token being read, which a refill keeps; -1 for none
	rerr    error // the reader's error, io.EOF at the end; sticky

	mark     int64 // offset where the value being read started
	maxValue int64 // bytes a value may span from mark
}

// scanPos is a place in the input.
type scanPos struct {
	off       int64
	line, col int
}

// syntaxError is input that is not JSON, or ends too early.
type syntaxError struct {
	at  scanPos
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// errValueLimit is a value that spans more than maxValue bytes.
var errValueLimit = errors.New("value too large")

// maxDepth is how deeply arrays and objects may nest, as in encoding/json.
const maxDepth = 10000

func newSnapScanner(r io.Reader, maxValue int64) *snapScanner {
	return &snapScanner{r: r, buf: make([]byte, 256<<10), line: 1, keep: -1, maxValue: maxValue}
}

func (s *snapScanner) pos() scanPos {
	off := s.base + int64(s.i)
	return scanPos{off: off, line: s.line, col: int(off-s.lineOff) + 1}
}

// setMark starts a value whose size is limited.
func (s *snapScanner) setMark() { s.mark = s.base + int64(s.i) }

// endValue checks the size of the value started at the mark, which the
// refills only check each time the buffer runs dry.
func (s *snapScanner) endValue() error {
	if s.base+int64(s.i)-s.mark > s.maxValue {
		return errValueLimit
	}
	return nil
}

// fill reads more input once buf[:n] is used up, keeping the token being
// read. It returns false at the end of the input, on a read error, and
// when the value being read grows past its limit; eofErr says which.
func (s *snapScanner) fill() bool {
	if s.rerr != nil {
		return false
	}
	if s.base+int64(s.n)-s.mark > s.maxValue {
		s.rerr = errValueLimit
		return false
	}
	from := s.i
	if s.keep >= 0 {
		from = int(s.keep - s.base)
	}
	if from > 0 {
		copy(s.buf, s.buf[from:s.n])
		s.n -= from
		s.i -= from
		s.base += int64(from)
	}
	if s.n == len(s.buf) {
		// A token longer than the buffer: numbers and strings are
		// bounded by the value limit checked above.
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	// Fill the buffer, not just take what one Read gives: gunzip hands
	// over a few KiB at a time, and a full buffer usually holds a whole
	// column, whose commas size it (snapshotParser.columnSize).
	start := s.n
	for s.n < len(s.buf) && s.rerr == nil {
		m, err := s.r.Read(s.buf[s.n:])
		s.n += m
		if err != nil {
			s.rerr = err
		}
	}
	return s.n > start
}

// hold keeps the input from the next byte on in memory until release,
// unless an outer hold already does (took is false then), and returns
// the next byte's offset.
func (s *snapScanner) hold() (at int64, took bool) {
	at = s.base + int64(s.i)
	if s.keep >= 0 {
		return at, false
	}
	s.keep = at
	return at, true
}

// release ends a hold that took.
func (s *snapScanner) release(took bool) {
	if took {
		s.keep = -1
	}
}

// eofErr is the error for input that stopped where a token must follow.
func (s *snapScanner) eofErr() error {
	if s.rerr == io.EOF || s.rerr == nil {
		return &syntaxError{s.pos(), "unexpected end of file"}
	}
	return s.rerr
}

// errAt is a syntax error at the next byte, worded as encoding/json's.
func (s *snapScanner) errAt(c byte, context string) error {
	return &syntaxError{s.pos(), "invalid character " + quoteChar(c) + " " + context}
}

// quoteChar formats c as encoding/json's errors do.
func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	q := strconv.Quote(string(rune(c)))
	return "'" + q[1:len(q)-1] + "'"
}

// next skips white space and returns the next byte without reading it.
// Only white space holds line breaks: JSON strings cannot.
func (s *snapScanner) next() (byte, error) {
	for {
		for s.i < s.n {
			c := s.buf[s.i]
			switch c {
			case ' ', '\t', '\r':
			case '\n':
				s.line++
				s.lineOff = s.base + int64(s.i) + 1
			default:
				return c, nil
			}
			s.i++
		}
		if !s.fill() {
			return 0, s.eofErr()
		}
	}
}

// nextByte returns the byte at s.i, reading more input if needed.
func (s *snapScanner) nextByte() (byte, error) {
	if s.i == s.n && !s.fill() {
		return 0, s.eofErr()
	}
	return s.buf[s.i], nil
}

// kindOf names the JSON value that starts with c, or "" when none does.
func kindOf(c byte) string {
	switch {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == '-' || c >= '0' && c <= '9':
		return "number"
	case c == 't' || c == 'f':
		return "bool"
	case c == 'n':
		return "null"
	}
	return ""
}

// member moves to the next member of an object, after its opening brace
// (first) or after a member's value, and reads its key. It returns false
// after the closing brace.
func (s *snapScanner) member(first bool) (key string, at scanPos, ok bool, err error) {
	c, err := s.next()
	if err != nil {
		return "", at, false, err
	}
	if c == '}' {
		s.i++
		return "", at, false, nil
	}
	if !first {
		if c != ',' {
			return "", at, false, s.errAt(c, "after object key:value pair")
		}
		s.i++
		if c, err = s.next(); err != nil {
			return "", at, false, err
		}
	}
	if c != '"' {
		return "", at, false, s.errAt(c, "looking for beginning of object key string")
	}
	at = s.pos()
	if key, err = s.str(); err != nil {
		return "", at, false, err
	}
	if c, err = s.next(); err != nil {
		return "", at, false, err
	}
	if c != ':' {
		return "", at, false, s.errAt(c, "after object key")
	}
	s.i++
	return key, at, true, nil
}

// str reads a string token, at its opening quote.
func (s *snapScanner) str() (string, error) {
	raw, plain, err := s.strRaw()
	if err != nil {
		return "", err
	}
	if plain {
		return string(raw[1 : len(raw)-1]), nil
	}
	// Escapes and bytes that are not UTF-8 are rare in a snapshot: let
	// encoding/json decode them, so that they read as they always did.
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", &syntaxError{s.pos(), err.Error()}
	}
	return v, nil
}

// strRaw reads a string token and returns its text, quotes included,
// valid until the next read. plain is false when it has escapes or bytes
// that are not valid UTF-8.
func (s *snapScanner) strRaw() (raw []byte, plain bool, err error) {
	start, took := s.hold()
	defer s.release(took)
	s.i++
	plain, ascii := true, true
	// esc: 0 outside an escape, 1 after the backslash, 2–5 in \uXXXX.
	esc := 0
	for {
		for s.i < s.n {
			c := s.buf[s.i]
			switch {
			case esc == 1:
				switch c {
				case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
					esc = 0
				case 'u':
					esc = 2
				default:
					return nil, false, s.errAt(c, "in string escape code")
				}
			case esc > 1:
				if !isHex(c) {
					return nil, false, s.errAt(c, `in \u hexadecimal character escape`)
				}
				if esc++; esc == 6 {
					esc = 0
				}
			case c == '"':
				s.i++
				raw = s.buf[start-s.base : s.i]
				if !ascii && plain {
					plain = utf8.Valid(raw)
				}
				return raw, plain, nil
			case c == '\\':
				plain, esc = false, 1
			case c < 0x20:
				return nil, false, s.errAt(c, "in string literal")
			case c >= utf8.RuneSelf:
				ascii = false
			}
			s.i++
		}
		if !s.fill() {
			return nil, false, s.eofErr()
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number reads a number token, at its first byte, and returns its text,
// valid until the next read.
func (s *snapScanner) number() ([]byte, error) {
	start, took := s.hold()
	defer s.release(took)
	// state: 0 start, 1 after '-', 2 after a leading 0, 3 in the integer
	// part, 4 after '.', 5 in the fraction, 6 after 'e', 7 after the
	// exponent's sign, 8 in the exponent.
	state := 0
	for {
		for s.i < s.n {
			c := s.buf[s.i]
			digit := c >= '0' && c <= '9'
			switch state {
			case 0, 1:
				switch {
				case c == '-' && state == 0:
					state = 1
				case c == '0':
					state = 2
				case digit:
					state = 3
				default:
					return nil, s.errAt(c, "in numeric literal")
				}
			case 2, 3:
				switch {
				case digit && state == 3:
				case c == '.':
					state = 4
				case c == 'e' || c == 'E':
					state = 6
				default:
					return s.buf[start-s.base : s.i], nil
				}
			case 4, 5:
				switch {
				case digit:
					state = 5
				case state == 4:
					return nil, s.errAt(c, "after decimal point in numeric literal")
				case c == 'e' || c == 'E':
					state = 6
				default:
					return s.buf[start-s.base : s.i], nil
				}
			case 6, 7, 8:
				switch {
				case digit:
					state = 8
				case state == 6 && (c == '+' || c == '-'):
					state = 7
				case state == 8:
					return s.buf[start-s.base : s.i], nil
				default:
					return nil, s.errAt(c, "in exponent of numeric literal")
				}
			}
			s.i++
		}
		if !s.fill() {
			if s.rerr == io.EOF && (state == 2 || state == 3 || state == 5 || state == 8) {
				return s.buf[start-s.base : s.i], nil
			}
			return nil, s.eofErr()
		}
	}
}

// literal reads true, false or null, whichever starts at the next byte.
func (s *snapScanner) literal() error {
	c, err := s.nextByte()
	if err != nil {
		return err
	}
	word := "null"
	switch c {
	case 't':
		word = "true"
	case 'f':
		word = "false"
	}
	s.i++
	for k := 1; k < len(word); k++ {
		c, err := s.nextByte()
		if err != nil {
			return err
		}
		if c != word[k] {
			return s.errAt(c, "in literal "+word+" (expecting "+quoteChar(word[k])+")")
		}
		s.i++
	}
	return nil
}

// skip reads one value of any kind and checks its grammar. With text set
// it returns the value's text, valid until the next read: the value stays
// in memory whole, which the value limit bounds.
func (s *snapScanner) skip(text bool) ([]byte, error) {
	c, err := s.next()
	if err != nil {
		return nil, err
	}
	var start int64
	if text {
		var took bool
		start, took = s.hold()
		defer s.release(took)
	}
	var stack []byte // the open arrays and objects
	for {
		// A value starts at c.
		switch c {
		case '{', '[':
			if len(stack) == maxDepth {
				return nil, &syntaxError{s.pos(), "exceeded max depth"}
			}
			s.i++
			stack = append(stack, c)
			if c, err = s.next(); err != nil {
				return nil, err
			}
			if c == '}' && stack[len(stack)-1] == '{' || c == ']' && stack[len(stack)-1] == '[' {
				s.i++
				stack = stack[:len(stack)-1]
				break
			}
			if stack[len(stack)-1] == '{' {
				if err := s.key(c); err != nil {
					return nil, err
				}
				if c, err = s.next(); err != nil {
					return nil, err
				}
			}
			continue
		case '"':
			_, _, err = s.strRaw()
		case 't', 'f', 'n':
			err = s.literal()
		default:
			if c == '-' || c >= '0' && c <= '9' {
				_, err = s.number()
			} else {
				err = s.errAt(c, "looking for beginning of value")
			}
		}
		if err != nil {
			return nil, err
		}
		// A value has ended: close what it ends, then find the next one.
		for {
			if len(stack) == 0 {
				if text {
					return s.buf[start-s.base : s.i], nil
				}
				return nil, nil
			}
			if c, err = s.next(); err != nil {
				return nil, err
			}
			top := stack[len(stack)-1]
			if c == ',' {
				s.i++
				if c, err = s.next(); err != nil {
					return nil, err
				}
				if top == '{' {
					if err := s.key(c); err != nil {
						return nil, err
					}
					if c, err = s.next(); err != nil {
						return nil, err
					}
				}
				break
			}
			if top == '[' && c == ']' || top == '{' && c == '}' {
				s.i++
				stack = stack[:len(stack)-1]
				continue
			}
			if top == '[' {
				return nil, s.errAt(c, "after array element")
			}
			return nil, s.errAt(c, "after object key:value pair")
		}
	}
}

// key reads an object key starting at c and the colon after it, inside
// skip.
func (s *snapScanner) key(c byte) error {
	if c != '"' {
		return s.errAt(c, "looking for beginning of object key string")
	}
	_, _, err := s.strRaw()
	if err != nil {
		return err
	}
	if c, err = s.next(); err != nil {
		return err
	}
	if c != ':' {
		return s.errAt(c, "after object key")
	}
	s.i++
	return nil
}
