package app

import (
	"fmt"
	"strconv"

	"github.com/sportello/sportello"
)

// syncText is the status bar's words for the link to syncd: online or
// offline, the changes waiting to be sent, when it tries again, and how
// far the desktop is in sync. That position is the client's cursor, which
// a pong moves to syncd's head once every change up to it the user may
// see has arrived (sync/client/position.go): a desktop pushed nothing yet
// is in sync through the head, not at 0. At 0 (syncd's change log is
// empty, as in the seeded demo) it shows no position.
func (s *operatorScreen) syncText(st sportello.SyncState) string {
	if s.cfg.Sync == nil {
		return "syncd: " + tr("not configured")
	}
	position := " · " + tr("in sync through") + " " + groupThousands(st.Cursor)
	waiting := ""
	if st.Pending > 0 {
		waiting = fmt.Sprintf(" · %d %s", st.Pending, tr("changes waiting"))
	}
	if st.Cursor == 0 {
		position = "" // nothing in syncd's change log yet (a fresh or seeded store): no number to read
	}
	if st.Online {
		return "syncd: " + tr("online") + position + waiting
	}
	text := "syncd: " + tr("offline") + waiting + position
	if !st.RetryAt.IsZero() {
		text += " · " + tr("retrying at") + " " + s.clock(st.RetryAt)
	}
	if st.Err != "" {
		text += " · " + st.Err
	}
	return text
}

// groupThousands writes n with its digits in groups of three as the
// desktop's language does: 1.234.567 in Italian, 1,234,567 in English
// (the reports' choice of language, reports.go).
func groupThousands(n int64) string {
	sep := byte('.')
	if reportLanguage() == sportello.LangEnglish {
		sep = ','
	}
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	out := make([]byte, 0, len(digits)+len(digits)/3)
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, sep)
		}
		out = append(out, digits[i])
	}
	return sign + string(out)
}
