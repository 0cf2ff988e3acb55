package chaos

import (
	"fmt"
	"strings"
	"time"
)

// summary is one line per run with everything the table tests check.
func summary(r *Run) string {
	var acts []string
	for _, a := range r.Activities {
		s := a.Phase + ":" + a.Name + "=" + a.Status
		if a.Error != "" {
			s += "!"
		}
		acts = append(acts, s)
	}
	span := r.Start.Format(time.RFC3339) + " – " + r.End.Format(time.RFC3339)
	if r.TimeUnknown {
		span = "time unknown"
	}
	s := fmt.Sprintf("%s | %s | %s | %s | %s | before %s, during %s, after %s → %s | services %s | %s",
		r.ID, r.Title, r.Source, span, r.Status,
		r.Before, r.During, r.After, r.Hypothesis(), strings.Join(r.Services, ","), strings.Join(acts, "; "))
	for _, p := range r.Problems {
		s += " | " + p.Severity() + ": " + p.Error()
	}
	return s
}
