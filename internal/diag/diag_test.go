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
