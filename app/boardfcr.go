package app

import (
	"fmt"

	"github.com/sportello/sportello"
)

// trueFCRText is the board's second line of first-contact resolution:
// today's true rate (repeat contacts removed, see sportello.FCRCounts)
// and this week's, as recorded and true.
func trueFCRText(f sportello.BoardFCR) string {
	w := f.Week
	return fmt.Sprintf("%s: %d%% (%d/%d) · %s: %s %d%% (%d/%d), %s %d%% (%d/%d)",
		tr("True today (repeat contacts removed)"), percent(f.TrueRate()), f.TrueResolved, f.FirstContacts,
		tr("This week"), tr("as recorded"), percent(w.Rate()), w.Resolved, w.WrapUps,
		tr("true"), percent(w.TrueRate()), w.TrueResolved, w.FirstContacts)
}
