package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app/apptest"
)

// TestSpecialist_QueueBySLA: the queue keeps syncd's order (first due
// first, even when escalated later) and shows each due time in the
// office's zone with its flag.
func TestSpecialist_QueueBySLA(t *testing.T) {
	r := newDeskRig(t, luca, func(d *desks) {
		old, late := d.queue[0], d.queue[1]
		late.SLA = &sportello.SLAState{Due: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC), Breached: true}
		old.SLA = &sportello.SLAState{Due: time.Date(2026, 11, 21, 17, 0, 0, 0, time.UTC), AtRisk: true}
		d.queue = []*sportello.Case{late, old}
	})
	apptest.WaitText(t, r.w, wait, "Desk queue · 2 cases",
		"Avviso TARI errato · Maria Rossi · escalated 20/11/2026 11:30 · due 20/11/2026 13:00 · ⚠ PAST DUE",
		"Rimborso TARI 2023 · Maria Rossi · escalated 20/11/2026 10:30 · due 21/11/2026 18:00 · ⚠ AT RISK")
	text := apptest.Text(r.w)
	if strings.Index(text, "Avviso TARI errato") > strings.Index(text, "Rimborso TARI 2023") {
		t.Fatal("the queue is not in syncd's order, first due first")
	}
}
