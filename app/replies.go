package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// The replies' shortcuts (replies.go): on the desk queue's selected case,
// reply by email, print a letter, or mark the answer ready for a callback.
var (
	ShortcutReplyEmail  = &desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: fyne.KeyModifierAlt}
	ShortcutReplyLetter = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierAlt}
	ShortcutReplyPhone  = &desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierAlt}
)

// replyActions is the reply part of the desk queue: an editor prefilled
// from the reply template for the selected case, the language and the
// address, and the three ways to give the citizen the answer.
type replyActions struct {
	p *queuePanel

	text     *widget.Entry
	to       *widget.Entry
	language *widget.Select

	emailBtn, letterBtn, phoneBtn *tipButton

	// State, touched only on Fyne's goroutine.
	prefilledFor string // the case the editor's template text is for
	prefill      string // that text, replaced when untouched
}

// replyLanguages are the language choice's options, in order.
var replyLanguages = []string{sportello.LangItalian, sportello.LangEnglish}

func newReplyActions(p *queuePanel) *replyActions {
	r := &replyActions{p: p}
	r.text = widget.NewMultiLineEntry()
	r.text.SetPlaceHolder(tr("Reply to the citizen"))
	r.text.SetMinRowsVisible(3)
	r.text.Wrapping = fyne.TextWrapWord
	r.to = widget.NewEntry()
	r.to.SetPlaceHolder(tr("Email address (empty: the citizen's)"))
	r.language = widget.NewSelect([]string{tr("Italian"), tr("English")}, func(string) { r.refill() })
	r.language.SetSelectedIndex(0)
	r.emailBtn = newTipButton(tr("Reply by email"), ShortcutReplyEmail, r.email)
	r.letterBtn = newTipButton(tr("Print letter"), ShortcutReplyLetter, r.letter)
	r.phoneBtn = newTipButton(tr("Answer ready by phone"), ShortcutReplyPhone, r.phone)
	return r
}

func (r *replyActions) content() fyne.CanvasObject {
	return container.NewVBox(
		r.text,
		container.NewBorder(nil, nil, nil, r.language, r.to),
		// Two columns: three long labels side by side widened the window
		// past a 1280-pixel screen.
		container.NewGridWithColumns(2, r.emailBtn, r.letterBtn, r.phoneBtn),
	)
}

// lang is the chosen language's code.
func (r *replyActions) lang() string {
	if i := r.language.SelectedIndex(); i >= 0 && i < len(replyLanguages) {
		return replyLanguages[i]
	}
	return sportello.LangItalian
}

// replyOpenings open a reply in the citizen's language (not the user's):
// the server's template adds the greeting, the reference and the
// signature around the text.
var replyOpenings = map[string]string{
	sportello.LangItalian: "In merito alla sua richiesta %s (%s), le comunichiamo che ",
	sportello.LangEnglish: "Regarding your request %s (%s), we can tell you that ",
}

// template is the editor's prefilled text for case k.
func (r *replyActions) template(k *sportello.Case) string {
	return fmt.Sprintf(replyOpenings[r.lang()], sportello.CaseReference(k.ID), k.Subject)
}

// refill puts the template in the editor for the selected case when the
// editor is empty or still holds an earlier template, so that typed text
// is never lost.
func (r *replyActions) refill() {
	k := r.p.current()
	if k == nil {
		return
	}
	if cur := r.text.Text; cur != "" && cur != r.prefill {
		return
	}
	r.prefill, r.prefilledFor = r.template(k), k.ID
	r.text.SetText(r.prefill)
}

// enable turns the reply actions on for the holder of a claimed (or
// answered) case; syncd still decides.
func (r *replyActions) enable(k *sportello.Case, mine bool) {
	if k != nil && k.ID != r.prefilledFor && mine {
		r.citizenLanguage(k) // citizenlang.go
		if r.text.Text == r.prefill {
			r.text.SetText("")
		}
		r.refill()
	}
	on := k != nil && mine && !r.p.busy && r.p.s.cfg.Replies != nil &&
		(k.Status == sportello.StatusClaimed || k.Status == sportello.StatusAnswerReady)
	for _, b := range []*tipButton{r.emailBtn, r.letterBtn} {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if k != nil && mine && !r.p.busy && k.Status == sportello.StatusClaimed {
		r.phoneBtn.Enable()
	} else {
		r.phoneBtn.Disable()
	}
	r.preferChannel(k) // replychannel.go
}

// answer returns the reply's text, or says it is missing.
func (r *replyActions) answer() (string, bool) {
	text := strings.TrimSpace(r.text.Text)
	if text == "" || text == strings.TrimSpace(r.prefill) {
		r.p.status.SetText(tr("Write the reply first."))
		r.p.s.win.Canvas().Focus(r.text)
		return "", false
	}
	return text, true
}

func (r *replyActions) email() {
	if !r.p.available(r.emailBtn) {
		return
	}
	if text, ok := r.answer(); ok {
		r.send(sportello.ReplyRequest{Channel: sportello.ReplyEmail, Text: text, Language: r.lang(), To: strings.TrimSpace(r.to.Text)})
	}
}

func (r *replyActions) letter() {
	if !r.p.available(r.letterBtn) {
		return
	}
	if text, ok := r.answer(); ok {
		r.send(sportello.ReplyRequest{Channel: sportello.ReplyLetter, Text: text, Language: r.lang()})
	}
}

// phone marks the answer ready with the reply's text as its note: syncd
// then schedules the callback for the operator who took the call (or the
// pool), who reads the answer to the citizen.
func (r *replyActions) phone() {
	if !r.p.available(r.phoneBtn) {
		return
	}
	text, ok := r.answer()
	if !ok {
		return
	}
	r.p.note.SetText(text)
	r.p.act(sportello.CaseEvent{Kind: sportello.EventAnswerReady})
	r.text.SetText("")
	r.prefill = ""
}

// send records a reply on syncd (which sends the email), and for a letter
// fetches its PDF and saves it where the user can print it.
func (r *replyActions) send(req sportello.ReplyRequest) {
	p := r.p
	k := p.current()
	if k == nil {
		p.status.SetText(tr("Choose a case in the queue first."))
		return
	}
	p.busy = true
	p.enable(k)
	p.status.SetText(tr("Sending the reply..."))
	caseID, name := k.ID, k.CitizenName
	dir := p.s.cfg.LetterDir
	p.s.wg.Add(1)
	go func() {
		defer p.s.wg.Done()
		ctx, cancel := context.WithTimeout(p.s.ctx, 60*time.Second)
		defer cancel()
		res, err := p.s.cfg.Replies.Reply(ctx, caseID, req)
		var saved string
		if err == nil && req.Channel == sportello.ReplyLetter {
			saved, err = saveLetter(ctx, p.s.cfg.Replies, dir, caseID, res.Event.ID)
		}
		do(func() {
			p.busy = false
			if err != nil {
				p.enable(p.current())
				p.status.SetText(replyErrorText(err))
				p.s.cfg.Logger.Warn("reply failed", "case_id", caseID, "channel", string(req.Channel), "error", err)
				return
			}
			r.text.SetText("")
			r.prefill, r.prefilledFor = "", ""
			got := res.Case
			if got.CitizenName == "" {
				got.CitizenName = name
			}
			p.merge(got)
			switch req.Channel {
			case sportello.ReplyEmail:
				p.status.SetText(tr("Email sent to") + " " + res.Event.Number + " · " + res.Subject)
			case sportello.ReplyLetter:
				p.status.SetText(tr("Letter saved, ready to print:") + " " + saved)
			}
		})
	}()
}

// saveLetter fetches a letter's PDF and writes it in dir (the user's
// Documents folder, or home, when empty), returning the file's path.
func saveLetter(ctx context.Context, replies sportello.ReplyService, dir, caseID, replyID string) (string, error) {
	pdf, err := replies.LetterPDF(ctx, caseID, replyID)
	if err != nil {
		return "", err
	}
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", sportello.Errorf(sportello.EINTERNAL, "no folder to save the letter in: %v", err)
		}
		dir = filepath.Join(home, "Documents")
		if _, err := os.Stat(dir); err != nil {
			dir = home
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("save the letter: %w", err)
	}
	path := filepath.Join(dir, "lettera-"+sportello.CaseReference(caseID)+"-"+replyID[max(0, len(replyID)-8):]+".pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		return "", fmt.Errorf("save the letter: %w", err)
	}
	return path, nil
}

// replyMenuItems are the reply actions in the desk queue's menu, so that
// their keys work while a text field has the focus.
func (s *operatorScreen) replyMenuItems(item func(string, fyne.Shortcut, func()) *fyne.MenuItem) []*fyne.MenuItem {
	if s.queue == nil || s.queue.replies == nil {
		return nil
	}
	r := s.queue.replies
	return []*fyne.MenuItem{
		item(tr("Reply by email"), ShortcutReplyEmail, r.email),
		item(tr("Print letter"), ShortcutReplyLetter, r.letter),
		item(tr("Answer ready by phone"), ShortcutReplyPhone, r.phone),
	}
}

// addReplyShortcuts registers the reply actions' keys, live while the
// user works desks' queues.
func (s *operatorScreen) addReplyShortcuts() {
	if s.queue == nil || s.queue.replies == nil {
		return
	}
	r := s.queue.replies
	c := s.win.Canvas()
	for sc, f := range map[*desktop.CustomShortcut]func(){ShortcutReplyEmail: r.email, ShortcutReplyLetter: r.letter, ShortcutReplyPhone: r.phone} {
		c.AddShortcut(sc, func(fyne.Shortcut) {
			if s.deskView() {
				f()
			}
		})
	}
}

// replyText is a replied event in the history: the channel and to whom.
func replyText(e *sportello.CaseEvent) string {
	var how string
	switch sportello.ReplyChannel(e.Outcome) {
	case sportello.ReplyEmail:
		how = tr("by email")
	case sportello.ReplyLetter:
		how = tr("by letter")
	case sportello.ReplyPhone:
		how = tr("by phone")
	}
	text := strings.TrimSpace(tr("Reply") + " " + how)
	if e.Number != "" {
		text += " · " + e.Number
	}
	return text
}

// replyErrorText is errorText, except that a relay refusing the email is
// not syncd being unreachable: syncd answered, and says what went wrong.
func replyErrorText(err error) string {
	msg := sportello.ErrorMessage(err)
	if sportello.ErrorCode(err) == sportello.EUNAVAILABLE && msg != "" && !strings.HasPrefix(msg, "syncd unreachable") {
		return tr("The reply was not sent") + ": " + msg
	}
	return errorText(err)
}
