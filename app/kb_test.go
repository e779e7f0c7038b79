package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// kb is a fake KBService over a few entries.
type kb struct{ entries []sportello.KBEntry }

func (k *kb) SearchKB(_ context.Context, typed string, limit int) ([]sportello.KBHit, error) {
	var hits []sportello.KBHit
	for i := range k.entries {
		e := &k.entries[i]
		if typed != "" && strings.Contains(sportello.FoldText(e.Title), sportello.FoldText(typed)) {
			hits = append(hits, sportello.KBHit{Entry: e, Title: strings.Replace(e.Title, "Ufficio", sportello.Mark+"Ufficio"+sportello.MarkEnd, 1), Snippet: e.Summary})
		}
	}
	return hits, nil
}

func TestOperator_KnowledgeBase(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	hours, _ := sportello.ParseHours("lun-ven 8:30-12:30, 14:00-16:00")
	fake := &kb{entries: []sportello.KBEntry{
		{ID: "o1", Kind: sportello.EntryOffice, Title: "Ufficio Tributi", Summary: "Via del Lavoro 18, orari lun-ven.", Hours: &hours, HoursText: "lun-ven 8:30-12:30, 14:00-16:00"},
		{ID: "s1", Kind: sportello.EntryService, Title: "Ufficio oggetti smarriti", Summary: "Gli oggetti trovati restano un anno.", Documents: []string{"Documento di identità"}},
	}}
	now := time.Date(2026, 11, 25, 13, 0, 0, 0, rome) // Wednesday, lunch break
	ph := phonetest.New()
	ph.HangupFn = func(string) error { return nil }
	ph.AnswerFn = func(string) error { return nil }
	cases := &cases{result: func(w sportello.WrapUp) *sportello.Case { return &sportello.Case{ID: "k"} }}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: ph, Citizens: &citizens{cards: map[string]*sportello.CallerCard{}}, Cases: cases, KB: fake,
		User:     &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator},
		Location: rome, Now: func() time.Time { return now },
	})
	t.Cleanup(d.Close)
	w := d.Window
	w.Show()

	ph.CallsCh <- call(sportello.CallRinging, "+390299999999")
	ph.CallsCh <- call(sportello.CallActive, "+390299999999")
	apptest.WaitText(t, w, wait, "In conversation")
	apptest.Press(w, app.ShortcutKB)
	apptest.TypeFocused(w, "ufficio")
	apptest.WaitText(t, w, wait, "Ufficio Tributi", "closed · opens at 14:00", "Ufficio oggetti smarriti")
	apptest.Press(w, app.ShortcutKBNext)
	apptest.WaitText(t, w, wait, "▶ Ufficio oggetti smarriti", "What to bring: Documento di identità")
	apptest.Press(w, app.ShortcutInsertKB)
	apptest.WaitText(t, w, wait, "Answer put in the note: Ufficio oggetti smarriti")

	ph.CallsCh <- call(sportello.CallEnded, "+390299999999")
	apptest.WaitText(t, w, wait, "Call ended")
	apptest.Press(w, app.ShortcutSave)
	apptest.WaitText(t, w, wait, "Saved on case")
	cases.mu.Lock()
	defer cases.mu.Unlock()
	if len(cases.got) != 1 || cases.got[0].Note != "Gli oggetti trovati restano un anno." || len(cases.got[0].KBEntries) != 1 || cases.got[0].KBEntries[0] != "s1" {
		t.Fatalf("wrap-up = %+v, want the answer in the note and s1 recorded", cases.got)
	}
}
