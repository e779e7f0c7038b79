package desktop_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/cmd/sportello/internal/desktop"
	"github.com/sportello/sportello/demo"
)

// TestEndToEnd_KBEditReachesTheOperator is issue 6's editing loop on two
// whole desktops sharing the embedded syncd: the admin's desktop edits a
// free-form answer of the knowledge base and creates a new one, and edits
// a number of the directory, by keyboard; the operator's desktop, signed
// in all along, finds the new texts in Informazioni and in the Rubrica
// (syncd pushed them into its replica).
func TestEndToEnd_KBEditReachesTheOperator(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a := testApp(t)
	op, w1, _ := embeddedOperator(t, ctx, a)
	word := fmt.Sprintf("verifica%d", time.Now().UnixNano()%1_000_000)
	apptest.Press(w1, app.ShortcutKB)
	apptest.TypeFocused(w1, word)
	apptest.WaitText(t, w1, 10*time.Second, "Nothing found: try other words.")
	if strings.Contains(apptest.Text(w1), "Edit entry") {
		t.Fatal("the operator is offered editing")
	}

	// The admin: a second desktop on the same syncd.
	ad := desktop.NewMain()
	ad.Config.DataDir = t.TempDir()
	ad.Config.SIPListen = "off"
	ad.Config.ServerURL = op.Embedded.URL()
	ad.Config.Username = "admin"
	ad.Config.SetPassword(demo.Password)
	ad.Config.Title = "Sportello admin"
	if err := ad.Run(ctx, a); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ad.Close() })
	w2 := ad.Desktop.Window
	w2.Show()
	// The board is an admin's main screen: wait until it is selected at
	// sign-in before going to the knowledge base.
	apptest.WaitText(t, w2, 10*time.Second, "Paolo Galli (administrator)", "syncd: online", "Supervision")
	apptest.Press(w2, app.ShortcutKB)
	apptest.WaitText(t, w2, 10*time.Second, "Edit entry  [Alt+E]", "New entry  [Alt+N]")

	// Edit the TARI deadlines: the title gets the word, by keyboard.
	apptest.TypeFocused(w2, "Scadenze TARI dell'anno")
	apptest.WaitText(t, w2, 10*time.Second, "Prima rata TARI il 16 maggio")
	apptest.Press(w2, app.ShortcutEditKB)
	apptest.WaitText(t, w2, 10*time.Second, "Edit entry: Scadenze TARI dell'anno · answer · version")
	apptest.TypeFocused(w2, word+" ") // the title has the focus
	apptest.Press(w2, app.ShortcutSave)
	apptest.WaitText(t, w2, 10*time.Second, "Saved: "+word+" Scadenze TARI dell'anno (version")

	// The operator, never signed in again, finds it as it types.
	apptest.Press(w1, app.ShortcutKB)
	apptest.TypeFocused(w1, " ") // search again for the same word
	apptest.WaitText(t, w1, 15*time.Second, word+" Scadenze TARI dell'anno", "Prima rata TARI il 16 maggio")

	// A new free-form answer reaches the operator too.
	answer := "Bonus bici " + word
	apptest.Press(w2, app.ShortcutNewKB)
	apptest.WaitText(t, w2, 10*time.Second, "New entry", "Kind")
	apptest.TypeFocused(w2, answer)
	setOverlayEntry(t, w2, "", "Il bonus per la bicicletta si chiede sul portale entro il 30 giugno.")
	apptest.Press(w2, app.ShortcutSave)
	apptest.WaitText(t, w2, 10*time.Second, "Il bonus per la bicicletta si chiede sul portale entro il 30 giugno.")
	apptest.TypeFocused(w1, " ")
	apptest.WaitText(t, w1, 15*time.Second, answer, "Il bonus per la bicicletta si chiede sul portale entro il 30 giugno.")

	// A number of the directory, edited in the admin's Rubrica, shows in
	// the operator's Rubrica as it is searched.
	apptest.Press(w2, app.ShortcutDirectory)
	apptest.TypeFocused(w2, "Municipio 2 - Stazione")
	apptest.WaitText(t, w2, 10*time.Second, "▶ Municipio 2 - Stazione e Greco", "Edit number  [Alt+E]")
	apptest.Press(w2, app.ShortcutEditKB)
	apptest.WaitText(t, w2, 10*time.Second, "Edit number: Municipio 2 - Stazione e Greco")
	apptest.TypeFocused(w2, word+" ") // the name has the focus
	setOverlayEntry(t, w2, "Servizi del Municipio 2.", "Servizi del Municipio 2; il giovedì pomeriggio solo su appuntamento.")
	apptest.Press(w2, app.ShortcutSave)
	apptest.WaitText(t, w2, 10*time.Second, word+" Municipio 2 - Stazione e Greco")
	apptest.Press(w1, app.ShortcutDirectory)
	apptest.TypeFocused(w1, word)
	apptest.WaitText(t, w1, 15*time.Second, word+" Municipio 2 - Stazione e Greco", "il giovedì pomeriggio solo su appuntamento")

	// syncd holds both, with the admin as author.
	hits, err := op.Client.SearchKB(ctx, word, 10)
	if err != nil || len(hits) != 2 {
		t.Fatalf("the operator's replica finds %d entries for %q: %v", len(hits), word, err)
	}
	hist, err := op.Client.History(ctx, "kb", hits[0].Entry.ID)
	if err != nil || len(hist) == 0 || hist[len(hist)-1].Author != "Paolo Galli" {
		t.Fatalf("history %+v: %v", hist, err)
	}
}

// setOverlayEntry replaces the text of the first field of an open form
// (an entry in an overlay) showing old, as typing over it does.
func setOverlayEntry(t *testing.T, w fyne.Window, old, text string) {
	t.Helper()
	found := false
	app.WithUI(func() {
		for _, o := range w.Canvas().Overlays().List() {
			for _, x := range test.LaidOutObjects(o) {
				e, ok := x.(interface{ SetText(string) })
				v := reflect.ValueOf(x)
				if _, focusable := x.(fyne.Focusable); !ok || !focusable || found || v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
					continue
				}
				if f := v.Elem().FieldByName("Text"); f.IsValid() && f.Kind() == reflect.String && f.String() == old {
					e.SetText(text)
					found = true
				}
			}
		}
	})
	if !found {
		t.Fatalf("no form field shows %q", old)
	}
}
