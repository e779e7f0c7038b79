package app_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
)

// TestCallbacks_PoolNoteRefreshes: syncd's note that it gave an overdue
// callback to the pool makes the Richiamate tab read its list again.
func TestCallbacks_PoolNoteRefreshes(t *testing.T) {
	r, f, _ := callbackRig(t, sportello.RoleOperator)
	apptest.Press(r.w, app.ShortcutCallbacks)
	apptest.WaitText(t, r.w, wait, "No callbacks to make")
	f.set(&sportello.Callback{ID: "cb-4", CaseID: "case-4", Number: "+390212345678", CitizenName: "Maria Rossi",
		From: t0.Add(-2 * time.Hour), To: t0.Add(-time.Hour), Owner: sportello.OwnerPool, State: sportello.CallbackScheduled})
	app.WithUI(func() {})
	r.feed.onChange(sportello.Change{Seq: 8, Kind: sportello.ChangeKindCaseEvent, CaseID: "case-4",
		Event: &sportello.CaseEvent{ID: "n-4", CaseID: "case-4", Kind: sportello.EventNote, CallID: "cb-4", Author: "syncd",
			Note: "Richiamata non fatta entro la finestra: passata al pool (u-a)"}})
	apptest.WaitText(t, r.w, wait, "Callbacks: 1", "Maria Rossi")
}
