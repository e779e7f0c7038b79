package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sportello/sportello"
)

// availabilityTTL is how long the Rubrica shows who is available at the
// desks before it asks syncd again.
const availabilityTTL = 10 * time.Second

// deskAvailability is what the Rubrica knows of who is available at each
// desk. Touched only on Fyne's goroutine.
type deskAvailability struct {
	byDesk  map[string]sportello.DeskAvailability
	at      time.Time // when read; zero: never
	failed  bool      // the last read did not reach syncd
	reading bool
}

// availabilityText is the line of a directory entry that is one of the
// City's desks: who is available there right now, from syncd. It reads
// syncd again when what it has is older than availabilityTTL; offline it
// says the availability is unknown. "" for other entries.
func (p *directoryPanel) availabilityText(e sportello.DirectoryEntry) string {
	s := p.s
	if e.DeskID == "" || s.cfg.Availability == nil {
		return ""
	}
	a := &p.avail
	if !a.reading && (a.at.IsZero() || s.cfg.Now().Sub(a.at) >= availabilityTTL) {
		p.readAvailability()
	}
	switch {
	case a.failed:
		return tr("availability unknown (offline)")
	case a.at.IsZero():
		return tr("reading...")
	}
	d, ok := a.byDesk[e.DeskID]
	if !ok {
		return tr("availability unknown (offline)")
	}
	var extra []string
	if d.OnCall > 0 {
		extra = append(extra, fmt.Sprintf("%d %s", d.OnCall, tr("on a call")))
	}
	if len(d.Available) == 0 {
		return tr("nobody") + " (" + strings.Join(append([]string{fmt.Sprintf("%d %s", d.Members, tr("members"))}, extra...), "; ") + ")"
	}
	counts := fmt.Sprintf("%d %s %d %s", len(d.Available), tr("of"), d.Members, tr("members"))
	return strings.Join(d.Available, ", ") + " (" + strings.Join(append([]string{counts}, extra...), "; ") + ")"
}

// readAvailability asks syncd who is available, off Fyne's goroutine,
// and shows the selected entry again with the answer.
func (p *directoryPanel) readAvailability() {
	s, a := p.s, &p.avail
	a.reading = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
		defer cancel()
		desks, err := s.cfg.Availability.DeskAvailability(ctx)
		do(func() {
			a.reading, a.at, a.failed = false, s.cfg.Now(), err != nil
			if err != nil {
				s.cfg.Logger.Debug("desk availability", "error", err)
			} else {
				a.byDesk = map[string]sportello.DeskAvailability{}
				for _, d := range desks {
					a.byDesk[d.DeskID] = d
				}
			}
			p.showDetails()
		})
	}()
}
