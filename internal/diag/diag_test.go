package diag

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

func TestError(t *testing.T) {
	for _, c := range []struct {
		e    Error
		want string
	}{
		{Error{File: "relia.toml", Line: 3, Key: "step", Msg: "bad"}, "relia.toml:3: step: bad"},
		{Error{File: "relia.toml", Key: "sources", Msg: "missing"}, "relia.toml: sources: missing"},
		{Error{File: "a.md", Line: 1, Msg: "unclosed"}, "a.md:1: unclosed"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestSeverity(t *testing.T) {
	if s := (&Error{File: "a.json"}).Severity(); s != "error" {
		t.Errorf("got %q", s)
	}
	w := &Error{File: "a.json", Line: 2, Msg: "unreadable", Warning: true}
	if w.Severity() != "warning" || w.Error() != "a.json:2: unreadable" {
		t.Errorf("got %q, %q", w.Severity(), w.Error())
	}
}

func TestText(t *testing.T) {
	for _, c := range []struct {
		e    Error
		want string
	}{
		{Error{File: "a.md", Line: 3, Key: "actions[0]", Msg: "overdue", Warning: true}, "a.md:3: warning: actions[0]: overdue"},
		{Error{File: "a.md", Msg: "whole file"}, "a.md: whole file"},
		{Error{Msg: "no file at fault"}, "no file at fault"},
		{Error{Msg: "no file", Warning: true}, "warning: no file"},
	} {
		if got := c.e.Text(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

// Every field is written, always, and a Windows path or a space stays in
// its field.
func TestMarshalJSON(t *testing.T) {
	for _, c := range []struct {
		e    Error
		want string
	}{
		{Error{File: "content/retros/db outage.md", Line: 3, Key: "date", Msg: `got C:\runs\x.json`},
			`{"file":"content/retros/db outage.md","line":3,"key":"date","severity":"error","message":"got C:\\runs\\x.json"}`},
		{Error{File: "a.json", Warning: true, Msg: "unreadable"},
			`{"file":"a.json","line":0,"key":"","severity":"warning","message":"unreadable"}`},
	} {
		got, err := json.Marshal(c.e)
		if err != nil || string(got) != c.want {
			t.Errorf("got %s (%v), want %s", got, err, c.want)
		}
		ptr, _ := json.Marshal(&c.e)
		if string(ptr) != string(got) {
			t.Errorf("pointer: got %s, want %s", ptr, got)
		}
	}
}

func TestFlatten(t *testing.T) {
	a := &Error{File: "a.toml", Line: 1, Msg: "a"}
	b := &Error{File: "b.md", Msg: "b"}
	plain := errors.New("compute x/y: no data")
	for _, c := range []struct {
		name string
		err  error
		want []Error
	}{
		{"nil", nil, nil},
		{"one", a, []Error{*a}},
		{"joined", errors.Join(a, b), []Error{*a, *b}},
		{"nested", errors.Join(errors.Join(a), transparent{errors.Join(b, plain)}), []Error{*a, *b, {Msg: plain.Error()}}},
		// A wrapper that adds words is kept whole: its words are part of
		// the problem, and no position is read out of them.
		{"worded", fmt.Errorf("render: %w", a), []Error{{Msg: "render: a.toml:1: a"}}},
	} {
		var got []Error
		for _, e := range Flatten(c.err) {
			got = append(got, *e)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

// transparent wraps an error without words of its own, as site.InputError.
type transparent struct{ err error }

func (t transparent) Error() string { return t.err.Error() }
func (t transparent) Unwrap() error { return t.err }

func TestList(t *testing.T) {
	var l List
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { l.Add(&Error{File: "f", Line: i}) })
	}
	wg.Wait()
	if l.Len() != 8 || len(l.All()) != 8 {
		t.Errorf("len %d, all %d; want 8", l.Len(), len(l.All()))
	}
}
