package chaos

import (
	"fmt"
	"strings"
	"testing"
)

// laughs is a "billion laughs" YAML document: nine levels of anchors of
// nine aliases each, 9^9 strings once expanded, in under a kilobyte.
func laughs(leaf string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "a0: &a0 {%s}\n", leaf)
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "a%d: &a%d {", i, i)
		for j := range 9 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "k%d: *a%d", j, i-1)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// TestHostileLogs: alias bombs and nesting tens of thousands deep cost
// milliseconds in every reader: the YAML and JSON decoders bound them
// (yaml.v3: "excessive aliasing" and a depth of 10,000; encoding/json:
// 10,000), and no reader walks aliases itself, or this would not return.
// Nesting is an error; a bomb is one where a reader decodes it (a Chaos
// Mesh object leaves spec and status to its node walk, which does not
// follow the aliases and finds nothing).
func TestHostileLogs(t *testing.T) {
	bomb := laughs("x: lol")
	deepYAML := strings.Repeat("- ", 20000) + "x\n"
	deepJSON := strings.Repeat("[", 100000)
	for _, c := range []struct {
		format, file, data string
		fails              bool
	}{
		{"litmus", "l.yaml", "apiVersion: litmuschaos.io/v1alpha1\nkind: ChaosResult\n" + bomb + "metadata: *a9\n", true},
		{"litmus", "l.yaml", "apiVersion: v1\nkind: List\n" + bomb + "items: [*a9]\n", true},
		{"litmus", "l.yaml", deepYAML, true},
		{"litmus", "l.json", deepJSON, true},
		{"chaosmesh", "m.yaml", "apiVersion: chaos-mesh.org/v1alpha1\nkind: PodChaos\n" + bomb + "metadata: {name: x}\nspec: *a9\nstatus: *a9\n", false},
		{"chaosmesh", "m.yaml", "apiVersion: chaos-mesh.org/v1alpha1\nkind: PodChaos\n" + bomb + "metadata: *a9\n", true},
		{"chaosmesh", "m.yaml", deepYAML, true},
		{"chaostoolkit", "j.json", deepJSON, true},
		{"chaostoolkit", "j.json", `{"experiment": {"title": ` + deepJSON, true},
		{"generic", "g.json", deepJSON, true},
		{"generic", "g.json", `{"runs": ` + deepJSON, true},
	} {
		if _, err := Parse(c.format, c.file, []byte(c.data), testOptions); c.fails && err == nil {
			t.Errorf("%s %s: no error for %.60q", c.format, c.file, c.data)
		}
	}
}
