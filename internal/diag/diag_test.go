package diag

import "testing"

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
