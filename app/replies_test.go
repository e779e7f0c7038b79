package app_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// replies is a fake ReplyService: reply answers Reply (by default, the
// case after Case.Apply of the replied event), and LetterPDF returns pdf.
type replies struct {
	mu    sync.Mutex
	sent  []sportello.ReplyRequest
	pdfs  []string // the reply ids whose letter was fetched
	pdf   []byte
	reply func(caseID string, r sportello.ReplyRequest) (*sportello.ReplyResult, error)
}

var _ sportello.ReplyService = (*replies)(nil)

func (f *replies) Reply(_ context.Context, caseID string, r sportello.ReplyRequest) (*sportello.ReplyResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, r)
	return f.reply(caseID, r)
}

func (f *replies) LetterPDF(_ context.Context, caseID, replyID string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pdfs = append(f.pdfs, replyID)
	return f.pdf, nil
}

func (f *replies) got() []sportello.ReplyRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sportello.ReplyRequest(nil), f.sent...)
}

// newReplyRig is newDeskRig with replies and a folder for letters.
func newReplyRig(t *testing.T, u *sportello.User) (*deskRig, *replies, string) {
	t.Helper()
	r := &deskRig{phone: phonetest.New(), feed: &syncFeed{}, desks: &desks{
		desks: []sportello.Desk{{ID: "desk-tributi", Name: "Tributi", Member: true}},
		queue: []*sportello.Case{waiting("k-old", "Rimborso TARI 2023", t0)},
	}}
	r.desks.act = r.desks.applying(u)
	r.cases = &cases{}
	fake := &replies{pdf: []byte("%PDF-1.3 lettera")}
	fake.reply = func(caseID string, req sportello.ReplyRequest) (*sportello.ReplyResult, error) {
		r.desks.mu.Lock()
		defer r.desks.mu.Unlock()
		k := *r.desks.queue[0]
		k.Events = append([]*sportello.CaseEvent(nil), k.Events...)
		to := req.To
		if to == "" {
			to = "maria.rossi@example.org"
		}
		if req.Channel == sportello.ReplyLetter {
			to = "Via Larga 1, 20122 Milano"
		}
		e := &sportello.CaseEvent{ID: "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a" + string(req.Channel[:2]), CaseID: caseID, Kind: sportello.EventReplied,
			At: t0.Add(2 * time.Hour), AuthorID: u.ID, Author: u.Name, AuthorRole: u.Role, Outcome: sportello.Outcome(req.Channel), Number: to, Note: req.Text}
		if err := k.Apply(e); err != nil {
			return nil, err
		}
		r.desks.queue[0] = &k
		return &sportello.ReplyResult{Case: &k, Event: e, Subject: "Risposta alla sua richiesta " + sportello.CaseReference(caseID)}, nil
	}
	r.phone.AnswerFn = func(string) error { return nil }
	r.phone.HangupFn = func(string) error { return nil }
	dir := t.TempDir()
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: r.phone, Citizens: &citizens{cards: map[string]*sportello.CallerCard{}},
		Cases: r.cases, Sync: r.feed, Desks: r.desks, Replies: fake, LetterDir: dir, User: u,
	})
	r.w = d.Window
	app.WithUI(r.w.Show)
	t.Cleanup(d.Close)
	return r, fake, dir
}

// TestSpecialist_Replies: on a case they hold, the specialist replies by
// email (the editor prefilled from the template), prints a letter (saved
// where the status says) and marks the answer ready for a callback by
// phone, all by keyboard; nothing goes out on a case not theirs or with
// only the template typed, and a refused reply keeps the text.
func TestSpecialist_Replies(t *testing.T) {
	r, fake, dir := newReplyRig(t, luca)
	ref := sportello.CaseReference("k-old")
	apptest.WaitText(t, r.w, wait, "Desk queue · 1 cases",
		"Reply by email  [Alt+M]", "Print letter  [Alt+L]", "Answer ready by phone  [Alt+T]")

	// Not claimed: the keys do nothing.
	apptest.Press(r.w, app.ShortcutReplyEmail)
	apptest.Press(r.w, app.ShortcutReplyPhone)
	apptest.WaitText(t, r.w, wait, "Not possible on the selected case.")
	if len(fake.got()) != 0 || len(r.desks.got()) != 0 {
		t.Fatal("a reply went out on a case not claimed")
	}

	apptest.Press(r.w, app.ShortcutClaim)
	apptest.WaitText(t, r.w, wait, "taken by Luca Esposito", "In merito alla sua richiesta "+ref+" (Rimborso TARI 2023), le comunichiamo che ")
	// The template alone is not a reply.
	apptest.Press(r.w, app.ShortcutReplyEmail)
	apptest.WaitText(t, r.w, wait, "Write the reply first.")
	if len(fake.got()) != 0 {
		t.Fatal("the bare template was sent")
	}
	apptest.TypeFocused(r.w, "il rimborso di 84 € è disposto.")

	// The relay refuses: the text stays.
	fake.mu.Lock()
	ok := fake.reply
	fake.reply = func(string, sportello.ReplyRequest) (*sportello.ReplyResult, error) {
		return nil, sportello.Errorf(sportello.EUNAVAILABLE, "the mail relay did not accept the reply: nothing was sent")
	}
	fake.mu.Unlock()
	apptest.Press(r.w, app.ShortcutReplyEmail)
	apptest.WaitText(t, r.w, wait, "The reply was not sent: the mail relay did not accept the reply", "il rimborso di 84 € è disposto.")
	fake.mu.Lock()
	fake.reply = ok
	fake.mu.Unlock()

	apptest.Press(r.w, app.ShortcutReplyEmail)
	apptest.WaitText(t, r.w, wait, "Email sent to maria.rossi@example.org · Risposta alla sua richiesta "+ref, "Reply by email · maria.rossi@example.org")
	got := fake.got()
	if len(got) != 2 {
		t.Fatalf("replies sent: %+v", got)
	}
	if e := got[1]; e.Channel != sportello.ReplyEmail || e.Language != sportello.LangItalian || e.To != "" ||
		!strings.Contains(e.Text, "il rimborso di 84 € è disposto.") || !strings.Contains(e.Text, "le comunichiamo che") {
		t.Fatalf("email reply = %+v", e)
	}

	// The letter: the editor is prefilled again; the PDF is saved and the
	// status says where.
	apptest.WaitText(t, r.w, wait, "In merito alla sua richiesta "+ref)
	apptest.Press(r.w, app.ShortcutReplyLetter)
	apptest.WaitText(t, r.w, wait, "Write the reply first.")
	apptest.TypeFocused(r.w, "la pratica è chiusa.")
	apptest.Press(r.w, app.ShortcutReplyLetter)
	apptest.WaitText(t, r.w, wait, "Letter saved, ready to print: "+dir)
	got = fake.got()
	if e := got[len(got)-1]; e.Channel != sportello.ReplyLetter || !strings.Contains(e.Text, "la pratica è chiusa.") {
		t.Fatalf("letter reply = %+v", e)
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 || !strings.HasPrefix(files[0].Name(), "lettera-"+ref) {
		t.Fatalf("letters saved: %v", files)
	}
	if b, _ := os.ReadFile(dir + "/" + files[0].Name()); string(b) != "%PDF-1.3 lettera" {
		t.Fatalf("saved %q", b)
	}

	// By phone: the answer ready carries the reply for the operator who
	// calls the citizen back.
	apptest.Press(r.w, app.ShortcutReplyPhone)
	apptest.WaitText(t, r.w, wait, "Write the reply first.")
	apptest.TypeFocused(r.w, "la multa è annullata.")
	apptest.Press(r.w, app.ShortcutReplyPhone)
	apptest.WaitText(t, r.w, wait, "answer ready · taken by Luca Esposito")
	acts := r.desks.got()
	if a := acts[len(acts)-1]; a.e.Kind != sportello.EventAnswerReady || !strings.Contains(a.e.Note, "la multa è annullata.") {
		t.Fatalf("phone: action %+v", a)
	}
}

// TestSpecialist_ReplyInEnglish: choosing English prefills the English
// template and sends the reply in English.
func TestSpecialist_ReplyInEnglish(t *testing.T) {
	r, fake, _ := newReplyRig(t, luca)
	apptest.WaitText(t, r.w, wait, "Desk queue · 1 cases")
	apptest.Press(r.w, app.ShortcutClaim)
	apptest.WaitText(t, r.w, wait, "taken by Luca Esposito", "In merito alla sua richiesta")
	if !apptest.Tap(r.w, "Italian") {
		t.Fatal("no language choice")
	}
	apptest.WaitText(t, r.w, wait, "English")
	apptest.Tap(r.w, "English")
	apptest.WaitText(t, r.w, wait, "Regarding your request "+sportello.CaseReference("k-old"))
	apptest.Press(r.w, app.ShortcutReplyEmail)
	apptest.TypeFocused(r.w, "your refund is granted.")
	apptest.Press(r.w, app.ShortcutReplyEmail)
	waitFor(t, "the reply", func() bool { return len(fake.got()) == 1 })
	if e := fake.got()[0]; e.Language != sportello.LangEnglish || !strings.Contains(e.Text, "your refund is granted.") {
		t.Fatalf("reply = %+v", e)
	}
}
