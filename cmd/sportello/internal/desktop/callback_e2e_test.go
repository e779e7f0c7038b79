package desktop_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/cmd/sportello/internal/desktop"
	"github.com/sportello/sportello/demo"
)

// TestEndToEnd_CallbackThroughKamailio: a callback scheduled for the
// operator shows in her Richiamate tab; Ctrl+Shift+B calls the citizen
// through Kamailio to a sipp gateway that answers; after the hang-up the
// tab asks the outcome, Alt+Shift+1 records it on syncd, and the callback
// is done (gone from the list, the attempt on the case).
func TestEndToEnd_CallbackThroughKamailio(t *testing.T) {
	requireTool(t, "sipp")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	gwPort, err := desktop.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	mediaPort, err := desktop.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	gw := fmt.Sprintf("127.0.0.1:%d", gwPort)
	sipp := startSipp(t, ctx, "uas.xml", "-p", strconv.Itoa(gwPort), "-mp", strconv.Itoa(mediaPort), "-rtp_echo",
		"-key", "codec", "0", "-key", "codecname", "PCMU")
	sipp.waitListening(t, gw)
	registrar := startKamailio(t, map[string]string{"1001": "s3cret"}, `GATEWAY="sip:`+gw+`"`)

	m := registeredDesktop(t, ctx, registrar, "s3cret")
	w := m.Desktop.Window
	apptest.WaitText(t, w, 10*time.Second, "SIP: registered as 1001@"+registrar, "Giulia Bianchi (operator)")

	now := time.Now().UTC()
	k, err := m.Client.RecordWrapUp(ctx, sportello.WrapUp{
		CallID: "e2e-cb", CallerNumber: demo.KnownCaller, Outcome: sportello.OutcomeCallbackScheduled, Note: "Esito della pratica",
		CallbackFrom: now.Add(-time.Hour), CallbackTo: now.Add(-time.Minute), CallbackOwner: sportello.OwnerSelf,
	})
	if err != nil {
		t.Fatal(err)
	}
	apptest.Press(w, app.ShortcutCallbacks)
	apptest.WaitText(t, w, 10*time.Second, "Callbacks: 1 · overdue: 1", "Maria Rossi", "Esito della pratica")

	apptest.Press(w, app.ShortcutCallBack)
	apptest.WaitText(t, w, 10*time.Second, "In conversation · PCMU")
	apptest.Press(w, app.ShortcutHangup)
	apptest.WaitText(t, w, 10*time.Second, "How did the callback go?", "it looks like: Answered, resolved")
	apptest.Press(w, app.ShortcutAttempt(0))
	apptest.WaitText(t, w, 10*time.Second, "Callback: Answered, resolved · done", "No callbacks to make")
	sipp.wait(t, 20*time.Second)

	if cbs, err := m.Client.Callbacks(ctx); err != nil || len(cbs) != 0 {
		t.Fatalf("callbacks after the answer: %+v, %v", cbs, err)
	}
	card, err := m.Client.LookupCaller(ctx, demo.KnownCaller, "e2e check")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range card.Cases {
		if c.ID != k.ID {
			continue
		}
		last := c.Events[len(c.Events)-1]
		if last.Kind != sportello.EventCallbackAttempt || last.Outcome != sportello.Outcome(sportello.AttemptResolved) {
			t.Fatalf("the case's last event %+v, want the answered attempt", last)
		}
		return
	}
	t.Fatalf("case %s not on the citizen's card", k.ID)
}
