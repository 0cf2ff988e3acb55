package specimport

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestHostileSpecs: an alias bomb and nesting tens of thousands deep in a
// Sloth, OpenSLO or Pyrra spec are refused in milliseconds: yaml.v3 bounds
// the depth (10,000) and the expansion of aliases it decodes, and the
// readers' own walk over the nodes does not follow aliases, or this
// would not return.
func TestHostileSpecs(t *testing.T) {
	var bomb strings.Builder
	bomb.WriteString("a0: &a0 {name: lol}\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&bomb, "a%d: &a%d [", i, i)
		for j := range 9 {
			if j > 0 {
				bomb.WriteString(", ")
			}
			fmt.Fprintf(&bomb, "*a%d", i-1)
		}
		bomb.WriteString("]\n")
	}
	for _, src := range []string{
		"version: prometheus/v1\nservice: web\n" + bomb.String() + "slos: *a9\n",
		"apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\nmetadata: {name: x}\n" + bomb.String() + "spec: {service: web, slos: *a9}\n",
		"apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\n" + bomb.String() + "spec: {service: web, objectives: *a9}\n",
		"apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {name: x}\n" + bomb.String() + "spec: {target: \"99\", window: 28d, indicator: {ratio: {errors: *a9}}}\n",
		strings.Repeat("- ", 20000) + "x\n",
		"version: prometheus/v1\nslos: " + strings.Repeat("[", 100000),
	} {
		_, _, err := Read([]File{{Name: "s.yaml", Src: []byte(src)}}, Options{Step: 5 * time.Minute, Timezone: "UTC"})
		if err == nil {
			t.Errorf("no error for %.80q", src)
		}
	}
}
