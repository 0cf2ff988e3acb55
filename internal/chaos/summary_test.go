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
	return fmt.Sprintf("%s | %s | %s | %s – %s | %s | before %s, during %s, after %s → %s | services %s | %s",
		r.ID, r.Title, r.Source, r.Start.Format(time.RFC3339), r.End.Format(time.RFC3339), r.Status,
		r.Before, r.During, r.After, r.Hypothesis(), strings.Join(r.Services, ","), strings.Join(acts, "; "))
}
