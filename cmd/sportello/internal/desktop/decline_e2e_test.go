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

// TestEndToEnd_DeclineRecordedAsMissed: a citizen calls the desktop's real
// softphone (sipp); while it rings the operator presses Alt+D: sipp gets
// 603 Decline (its scenario fails on anything else, such as Hang up's 486),
// and the call goes on her history in syncd as missed.
func TestEndToEnd_DeclineRecordedAsMissed(t *testing.T) {
	requireTool(t, "sipp")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a := testApp(t)
	m, w, sipPort := embeddedOperator(t, ctx, a)

	own, err := desktop.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	sipp := startSipp(t, ctx, "uac_decline.xml", "-key", "caller", demo.KnownCaller,
		"-p", strconv.Itoa(own), fmt.Sprintf("127.0.0.1:%d", sipPort))
	apptest.WaitText(t, w, 10*time.Second, "Ringing", "Maria Rossi", "Decline  [Alt+D]")
	apptest.Press(w, app.ShortcutDecline)
	sipp.wait(t, 20*time.Second)
	apptest.WaitText(t, w, 10*time.Second, "Missed call · ", "Chiamata persa · Missed call")

	card, err := m.Client.LookupCaller(ctx, demo.KnownCaller, "test: declined call")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range card.Cases {
		for _, e := range k.Events {
			if e.Kind == sportello.EventWrapUp && e.Outcome == sportello.OutcomeMissed {
				return
			}
		}
	}
	t.Fatalf("syncd has no missed call for %s", demo.KnownCaller)
}
