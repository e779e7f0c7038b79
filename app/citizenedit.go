package app

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// Registering an unknown caller and editing a known citizen from the
// caller card (issue 5, identity). Ctrl+I puts the knowledge base's answer
// in the note, so the citizen's form takes Ctrl+Shift+I.
var ShortcutCitizen = &desktop.CustomShortcut{KeyName: fyne.KeyI, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}

// identityBar is the Register/Edit citizen button under the caller's
// details, shown when the card has a caller and the user may do it.
type identityBar struct {
	s   *operatorScreen
	btn *tipButton
	box *fyne.Container
	ed  *citizenEditor // the open form, nil when none
}

// mayEditCitizens reports whether the signed-in user registers and edits
// citizens: those who talk to them (syncd's policy says the same).
func (s *operatorScreen) mayEditCitizens() bool {
	u := s.user
	return s.cfg.Identity != nil && u != nil && u.Role != sportello.RoleAdmin
}

// identityContent returns the bar for the caller card.
func (s *operatorScreen) identityContent() fyne.CanvasObject {
	if s.identity == nil {
		s.identity = &identityBar{s: s}
		s.identity.btn = newTipButton(tr("Register citizen"), ShortcutCitizen, s.openCitizenForm)
		s.identity.box = container.NewHBox(s.identity.btn)
		s.renderIdentity()
	}
	return s.identity.box
}

// renderIdentity shows Register for an unknown caller, Edit for a known
// one, nothing without a card.
func (s *operatorScreen) renderIdentity() {
	b := s.identity
	if b == nil || b.btn == nil {
		return
	}
	if s.card == nil || !s.mayEditCitizens() {
		b.box.Hide()
		return
	}
	label := tr("Register citizen")
	if s.card.Citizen != nil {
		label = tr("Edit citizen")
	}
	b.btn.Text = label + "  [" + shortcutText(ShortcutCitizen) + "]"
	b.btn.tip = label + " (" + shortcutText(ShortcutCitizen) + ")"
	b.btn.Refresh()
	b.box.Show()
}

// addIdentityShortcuts registers Ctrl+Shift+I (the citizen's form) and
// Alt+U (merge duplicates, merge.go).
func (s *operatorScreen) addIdentityShortcuts() {
	c := s.win.Canvas()
	c.AddShortcut(ShortcutCitizen, func(fyne.Shortcut) { s.openCitizenForm() })
	c.AddShortcut(ShortcutMerge, func(fyne.Shortcut) { s.openMerge() })
}

// identityMenuItems are the Call menu's items for citizens.
func (s *operatorScreen) identityMenuItems(item func(string, fyne.Shortcut, func()) *fyne.MenuItem) []*fyne.MenuItem {
	if s.cfg.Identity == nil {
		return nil
	}
	items := []*fyne.MenuItem{item(tr("Register or edit citizen"), ShortcutCitizen, s.openCitizenForm)}
	return append(items, item(tr("Merge duplicates"), ShortcutMerge, s.openMerge))
}

// citizenEditor is the form registering or editing a citizen: every field
// with its own error line, Save (Ctrl+S), Cancel (Esc).
type citizenEditor struct {
	s       *operatorScreen
	citizen sportello.Citizen // as opened; ID empty for a new one
	kind    *widget.RadioGroup
	fields  map[string]*formEntry
	errs    map[string]*widget.Label
	taxHint *widget.Label
	lang    *widget.Select // the language of replies (citizenlang.go)
	status  *widget.Label
	save    *tipButton
	popup   *widget.PopUp
	busy    bool
}

// citizenFields are the form's fields: JSON name (as syncd names them in
// its errors) and label.
var citizenFields = [][2]string{
	{"name", "Name"}, {"tax_code", "Tax code"}, {"phones", "Phone numbers (one a line; after the number: mobile, home or work)"}, {"email", "Email"}, {"address", "Address"},
}

// openCitizenForm opens the form on the card's citizen, or a new citizen
// with the caller's number for an unknown caller.
func (s *operatorScreen) openCitizenForm() {
	if s.identity == nil || s.identity.ed != nil || !s.mayEditCitizens() {
		return
	}
	if s.card == nil {
		s.message.SetText(tr("Look up a caller first: the form opens on the caller's card."))
		return
	}
	c := sportello.Citizen{Kind: sportello.CitizenPerson, Phones: []string{s.card.Number}}
	title := tr("Register citizen")
	if s.card.Citizen != nil {
		c = *s.card.Citizen
		title = tr("Edit citizen") + ": " + c.Name
	}
	ed := &citizenEditor{s: s, citizen: c, fields: map[string]*formEntry{}, errs: map[string]*widget.Label{}}
	form := container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	ed.kind = widget.NewRadioGroup([]string{tr("Person"), tr("Business")}, func(string) { ed.kindChanged() })
	ed.kind.Horizontal = true
	ed.errs["kind"] = errorLabel()
	form.Add(ed.kind)
	form.Add(ed.errs["kind"])
	for _, f := range citizenFields {
		var text string
		multi := false
		switch f[0] {
		case "name":
			text = c.Name
		case "tax_code":
			text = c.TaxCode
		case "phones":
			shown := make([]string, len(c.Phones))
			for i, p := range c.Phones {
				shown[i] = displayNumber(p)
				if l := c.PhoneLabel(i); l != "" {
					shown[i] += " " + phoneLabelWord(l)
				}
			}
			text, multi = strings.Join(shown, "\n"), true
		case "email":
			text = c.Email
		case "address":
			text = c.Address
		}
		fe := newFormEntry(text, multi, ed.submit, ed.cancel)
		ed.fields[f[0]], ed.errs[f[0]] = fe, errorLabel()
		label := widget.NewLabel(tr(f[1]))
		if f[0] == "tax_code" {
			ed.taxHint = label
		}
		form.Add(label)
		form.Add(fe)
		form.Add(ed.errs[f[0]])
	}
	ed.addLanguage(form) // citizenlang.go
	if c.Kind == sportello.CitizenBusiness {
		ed.kind.SetSelected(tr("Business"))
	} else {
		ed.kind.SetSelected(tr("Person"))
	}
	ed.status = widget.NewLabel(tr("Ctrl+S saves, Esc cancels."))
	ed.status.Wrapping = fyne.TextWrapWord
	ed.save = newTipButton(tr("Save"), ShortcutSave, ed.submit)
	ed.save.Importance = widget.HighImportance
	cancel := newTipButton(tr("Cancel"), shortcutEscape, ed.cancel)
	body := container.NewBorder(nil, container.NewVBox(ed.status, container.NewHBox(ed.save, cancel)), nil, nil, container.NewVScroll(form))
	ed.popup = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(560, 600), body), s.win.Canvas())
	s.identity.ed = ed
	// While the form is open Ctrl+S saves it, not the wrap-up.
	s.win.Canvas().AddShortcut(ShortcutSave, func(fyne.Shortcut) { ed.submit() })
	ed.popup.Show()
	s.win.Canvas().Focus(ed.fields["name"])
}

// errorLabel is a field's error line, empty until a check fails.
func errorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// kindChanged names the tax code as the kind has it.
func (ed *citizenEditor) kindChanged() {
	if ed.taxHint == nil {
		return
	}
	if ed.kind.Selected == tr("Business") {
		ed.taxHint.SetText(tr("Partita IVA (or the owner's codice fiscale)"))
	} else {
		ed.taxHint.SetText(tr("Codice fiscale"))
	}
}

// read builds the citizen the form holds.
func (ed *citizenEditor) read() sportello.Citizen {
	c := ed.citizen
	c.Kind = sportello.CitizenPerson
	if ed.kind.Selected == tr("Business") {
		c.Kind = sportello.CitizenBusiness
	}
	c.Name = strings.TrimSpace(ed.fields["name"].Text)
	c.TaxCode = sportello.NormalizeTaxCode(ed.fields["tax_code"].Text)
	c.Email = strings.TrimSpace(ed.fields["email"].Text)
	c.Address = strings.TrimSpace(ed.fields["address"].Text)
	c.Language = ed.language() // citizenlang.go
	c.Phones, c.PhoneLabels = nil, nil
	for _, line := range strings.Split(ed.fields["phones"].Text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			number, label := splitPhoneLine(line)
			c.Phones, c.PhoneLabels = append(c.Phones, number), append(c.PhoneLabels, label)
		}
	}
	return c
}

// showErrors puts an error on the line of the field it names ("tax_code:
// the check character should be K"), or in the status line.
func (ed *citizenEditor) showErrors(err error) {
	for _, l := range ed.errs {
		l.SetText("")
		l.Hide()
	}
	if err == nil {
		return
	}
	msg := sportello.ErrorMessage(err)
	field, detail, ok := strings.Cut(msg, ": ")
	if i := strings.IndexByte(field, '['); i > 0 {
		field = field[:i] // phones[1]
	}
	if l, known := ed.errs[field]; ok && known {
		l.SetText(tr(fieldErrorHead(sportello.ErrorCode(err))) + ": " + detail)
		l.Show()
		ed.status.SetText(tr("Correct the field marked in red, then save again."))
		return
	}
	ed.status.SetText(errorText(err))
}

// fieldErrorHead is the first words of a field's error line.
func fieldErrorHead(code string) string {
	if code == sportello.ECONFLICT {
		return "Already registered"
	}
	return "Not valid"
}

// submit checks the form here (kind, name and tax code: the check
// character is known without syncd), then saves on syncd, which checks the
// numbers and the email and refuses a tax code already registered.
func (ed *citizenEditor) submit() {
	if ed.busy {
		return
	}
	c := ed.read()
	ed.showErrors(nil)
	if problems := citizenProblems(c); len(problems) > 0 {
		for field, text := range problems {
			ed.errs[field].SetText(text)
			ed.errs[field].Show()
		}
		ed.status.SetText(tr("Correct the field marked in red, then save again."))
		return
	}
	ed.busy = true
	ed.save.Disable()
	ed.status.SetText(tr("Saving…"))
	s := ed.s
	reason := "manual edit"
	if s.call != nil {
		reason = "call " + s.call.ID
	} else if s.wrapFor != nil {
		reason = "call " + s.wrapFor.ID
	}
	isNew := c.ID == ""
	go func() {
		ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
		defer cancel()
		var saved *sportello.Citizen
		var err error
		if isNew {
			saved, err = s.cfg.Identity.CreateCitizen(ctx, c, reason)
		} else {
			saved, err = s.cfg.Identity.UpdateCitizen(ctx, c, reason)
		}
		do(func() {
			ed.busy = false
			ed.save.Enable()
			if err != nil {
				ed.showErrors(err)
				return
			}
			ed.close()
			if s.card != nil {
				card := *s.card
				card.Citizen = saved
				s.card = &card
			}
			s.renderCard()
			if isNew {
				s.message.SetText(tr("Citizen registered") + ": " + saved.Name)
			} else {
				s.message.SetText(tr("Citizen saved") + ": " + saved.Name)
			}
		})
	}()
}

// close closes the form and gives Ctrl+S back to the wrap-up.
func (ed *citizenEditor) close() {
	ed.popup.Hide()
	s := ed.s
	s.identity.ed = nil
	s.win.Canvas().AddShortcut(ShortcutSave, func(fyne.Shortcut) { s.saveWrapUp() })
	s.win.Canvas().Focus(s.note)
}

func (ed *citizenEditor) cancel() {
	if !ed.busy {
		ed.close()
		ed.s.message.SetText(tr("Nothing was saved."))
	}
}

// citizenProblems checks what the desktop can check without syncd, in the
// user's language: kind, name, and the tax code's form and check
// character (sportello.ValidTaxCode decides; the words are the desktop's).
func citizenProblems(c sportello.Citizen) map[string]string {
	problems := map[string]string{}
	if strings.TrimSpace(c.Name) == "" {
		problems["name"] = tr("Give the name of the person or business.")
	}
	if len(c.Phones) > sportello.MaxCitizenPhones {
		problems["phones"] = fmt.Sprintf(tr("At most %d numbers."), sportello.MaxCitizenPhones)
	}
	if err := sportello.ValidTaxCode(c.Kind, c.TaxCode); err != nil {
		problems["tax_code"] = taxCodeProblem(c, sportello.ErrorMessage(err))
	}
	return problems
}

// taxCodeProblem words why a tax code was refused.
func taxCodeProblem(c sportello.Citizen, msg string) string {
	code := c.TaxCode
	switch {
	case strings.Contains(msg, "check character"):
		return fmt.Sprintf(tr("The check character should be %c: a character of the codice fiscale is mistyped."), sportello.CodiceFiscaleCheck(code[:15]))
	case strings.Contains(msg, "check digit"):
		return fmt.Sprintf(tr("The check digit should be %c: a digit of the partita IVA is mistyped."), sportello.PartitaIVACheck(code[:10]))
	case strings.Contains(msg, "partita IVA"):
		return fmt.Sprintf(tr("A partita IVA has 11 digits (this one has %d characters)."), utf8.RuneCountInString(code))
	case strings.Contains(msg, "16 characters"):
		return fmt.Sprintf(tr("A codice fiscale has 16 characters (this one has %d)."), utf8.RuneCountInString(code))
	}
	return tr("The codice fiscale is not in its form: 6 letters, 2 digits, the month's letter, 2 digits, a letter, 3 digits and the check letter.")
}

// phoneLabels are the words of each phone label, the user's language's
// first; the other language's are read too.
var phoneLabels = []string{sportello.PhoneMobile, sportello.PhoneHome, sportello.PhoneWork}

// phoneLabelWord is a label as the form and the card write it.
func phoneLabelWord(l string) string {
	switch l {
	case sportello.PhoneMobile:
		return tr("mobile")
	case sportello.PhoneHome:
		return tr("home")
	case sportello.PhoneWork:
		return tr("work")
	}
	return l
}

// phoneLabelText is a number's label on the card: " (cellulare)", or "".
func phoneLabelText(l string) string {
	if l == "" {
		return ""
	}
	return " (" + phoneLabelWord(l) + ")"
}

// splitPhoneLine reads a line of the phones field: a number, then maybe
// its label in either language ("333 123 4567 cellulare"). A last word that
// is no label stays part of the number, for syncd to judge.
func splitPhoneLine(line string) (number, label string) {
	i := strings.LastIndexByte(line, ' ')
	if i < 0 {
		return line, ""
	}
	word := strings.ToLower(strings.Trim(line[i+1:], "()"))
	for _, l := range phoneLabels {
		if word == l || word == strings.ToLower(phoneLabelWord(l)) || word == phoneLabelsIT[l] {
			return strings.TrimSpace(line[:i]), l
		}
	}
	return line, ""
}

// phoneLabelsIT are the Italian words, read whatever the user's language.
var phoneLabelsIT = map[string]string{sportello.PhoneMobile: "cellulare", sportello.PhoneHome: "casa", sportello.PhoneWork: "lavoro"}
