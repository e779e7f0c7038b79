package server

import (
	"context"
	"math"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// MOSStore is the part of the store behind the board's call quality
// (issues 3 and 7): the MOS each wrap-up carried, kept with it.
type MOSStore interface {
	// WrapUpMOS sums, by author, the MOS of the wrap-ups recorded since a
	// moment that carried one.
	WrapUpMOS(ctx context.Context, since time.Time) ([]wire.WrapUpMOS, error)
}

// checkPresenceMOS refuses a live MOS outside 1 to 4.5 (0 is none) and
// rounds it to a tenth, so that the board moves only when the quality a
// supervisor can read does.
func checkPresenceMOS(p *sportello.Presence) error {
	if p.MOS != 0 && (p.MOS < 1 || p.MOS > 4.5 || math.IsNaN(p.MOS)) {
		return sportello.Errorf(sportello.EINVALID, "a call's MOS is between 1 and 4.5")
	}
	p.MOS = math.Round(p.MOS*10) / 10
	return nil
}

// applyMOS gives each agent on the board the average MOS of the calls
// they wrapped up today that carried one.
func applyMOS(mos []wire.WrapUpMOS, b *sportello.Board) {
	by := map[string]wire.WrapUpMOS{}
	for _, m := range mos {
		by[m.AuthorID] = m
	}
	for i := range b.Agents {
		a := &b.Agents[i]
		if m, ok := by[a.ID]; ok && m.Calls > 0 {
			a.MOSCalls = m.Calls
			a.AvgMOS = math.Round(m.Sum/float64(m.Calls)*100) / 100
		}
	}
}
