package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// identity is a fake CitizenEditService: it keeps what it was asked and
// refuses Mario Rossi's tax code as syncd would (already registered).
type identity struct {
	mu      sync.Mutex
	created []sportello.Citizen
	updated []sportello.Citizen
	reasons []string
	merges  [][2]string
	found   map[string][]sportello.Citizen
}

func (f *identity) CreateCitizen(_ context.Context, c sportello.Citizen, reason string) (*sportello.Citizen, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created, f.reasons = append(f.created, c), append(f.reasons, reason)
	c.ID = "c-new"
	c.Phones = []string{"+390299999999"}
	return &c, nil
}

func (f *identity) UpdateCitizen(_ context.Context, c sportello.Citizen, reason string) (*sportello.Citizen, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updated = append(f.updated, c)
	if c.TaxCode == "RSSMRA85T10A562S" {
		return nil, sportello.Errorf(sportello.ECONFLICT, "tax_code: RSSMRA85T10A562S is already registered for Mario Rossi (id c-9): open that record, or ask a supervisor to merge duplicates")
	}
	return &c, nil
}

func (f *identity) SearchCitizens(_ context.Context, q, reason string) ([]sportello.Citizen, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reasons = append(f.reasons, reason)
	return f.found[q], nil
}

func (f *identity) MergeCitizens(_ context.Context, keepID, dupID, reason string) (*sportello.Citizen, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.merges = append(f.merges, [2]string{keepID, dupID})
	return &sportello.Citizen{ID: keepID, Kind: sportello.CitizenPerson, Name: "Maria Rossi", Phones: []string{"+390212345678", "+393339876543"}}, nil
}

func (f *identity) snapshot() identity {
	f.mu.Lock()
	defer f.mu.Unlock()
	return identity{created: append([]sportello.Citizen(nil), f.created...), updated: append([]sportello.Citizen(nil), f.updated...),
		merges: append([][2]string(nil), f.merges...), reasons: append([]string(nil), f.reasons...)}
}

func openIdentity(t *testing.T, role sportello.Role, f *identity) fyne.Window {
	t.Helper()
	cases := &cases{result: func(w sportello.WrapUp) *sportello.Case { return &sportello.Case{ID: "k"} }}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{cards: map[string]*sportello.CallerCard{"+390212345678": maria()}}, Cases: cases,
		Identity: f, User: &sportello.User{ID: "u-1", Name: "Giulia Bianchi", Role: role},
	})
	t.Cleanup(d.Close)
	d.Window.Show()
	return d.Window
}

// lookUp shows a number's caller card through the search field.
func lookUp(w fyne.Window, number string) {
	apptest.Press(w, app.ShortcutSearch)
	apptest.TypeFocused(w, number)
	apptest.Enter(w)
}

// TestCitizenEdit_RegisterUnknownCaller: the unknown caller's card offers
// Register citizen with its shortcut; the form has the caller's number;
// a mistyped codice fiscale is refused on its own line, in Italian words
// computed here (the check character it should have), and nothing is
// sent; corrected, the citizen is registered and the card shows it, now
// with Edit citizen. An edit refused by syncd (a tax code already
// registered) shows on the tax code's line; Esc cancels.
func TestCitizenEdit_RegisterUnknownCaller(t *testing.T) {
	f := &identity{}
	w := openIdentity(t, sportello.RoleOperator, f)
	lookUp(w, "+390299999999")
	apptest.WaitText(t, w, wait, "Unknown caller +39 02 9999 9999", "Register citizen  [Ctrl+Shift+I]")
	apptest.Press(w, app.ShortcutCitizen)
	apptest.WaitText(t, w, wait, "Phone numbers (one a line; after the number: mobile, home or work)", "+39 02 9999 9999", "Codice fiscale", "Save  [Ctrl+S]", "Cancel  [Escape]")
	apptest.TypeFocused(w, "Giulia Bianchi") // the name has the focus
	setField(t, w, "", "bncgli90e55f205x")   // the first empty field: the tax code
	apptest.Press(w, app.ShortcutSave)
	apptest.WaitText(t, w, wait, "The check character should be D: a character of the codice fiscale is mistyped.", "Correct the field marked in red")
	if got := f.snapshot(); len(got.created) != 0 {
		t.Fatalf("a refused form was sent: %+v", got.created)
	}
	setField(t, w, "bncgli90e55f205x", "BNCGLI90E55F205D")
	setField(t, w, "+39 02 9999 9999", "+39 02 9999 9999 cellulare") // a label, in Italian
	apptest.Press(w, app.ShortcutSave)
	apptest.WaitText(t, w, wait, "Citizen registered: Giulia Bianchi", "Edit citizen  [Ctrl+Shift+I]", "BNCGLI90E55F205D", "+39 02 9999 9999 (mobile)")
	got := f.snapshot()
	if len(got.created) != 1 || got.created[0].Name != "Giulia Bianchi" || got.created[0].TaxCode != "BNCGLI90E55F205D" ||
		got.created[0].Kind != sportello.CitizenPerson || len(got.created[0].Phones) != 1 || got.created[0].Phones[0] != "+39 02 9999 9999" ||
		got.created[0].PhoneLabel(0) != sportello.PhoneMobile || got.reasons[0] != "manual edit" {
		t.Fatalf("created %+v (reasons %q)", got.created, got.reasons)
	}
	if strings.Contains(apptest.Text(w), "Ctrl+S saves, Esc cancels.") {
		t.Fatal("the form is still open")
	}

	// An edit syncd refuses: the tax code's line says why.
	apptest.Press(w, app.ShortcutCitizen)
	apptest.WaitText(t, w, wait, "Edit citizen: Giulia Bianchi")
	setField(t, w, "BNCGLI90E55F205D", "RSSMRA85T10A562S")
	apptest.Press(w, app.ShortcutSave)
	apptest.WaitText(t, w, wait, "Already registered: RSSMRA85T10A562S is already registered for Mario Rossi (id c-9)")
	apptest.Key(w, fyne.KeyEscape)
	apptest.WaitText(t, w, wait, "Nothing was saved.")
	if got := f.snapshot(); len(got.updated) != 1 {
		t.Fatalf("updates %+v", got.updated)
	}
}

// TestCitizenEdit_AdminHasNoForm: admins do not touch citizens' records.
func TestCitizenEdit_AdminHasNoForm(t *testing.T) {
	w := openIdentity(t, sportello.RoleAdmin, &identity{})
	lookUp(w, "+390299999999")
	apptest.WaitText(t, w, wait, "Unknown caller +39 02 9999 9999")
	apptest.Press(w, app.ShortcutCitizen)
	time.Sleep(100 * time.Millisecond)
	if text := apptest.Text(w); strings.Contains(text, "Register citizen") || strings.Contains(text, "Phone numbers (one a line;") {
		t.Fatalf("an admin gets the citizen's form:\n%s", text)
	}
}

// TestMerge_Supervisor: Alt+U opens Merge duplicates for a supervisor;
// each side is found by a search (Enter), the first press of Merge says
// what will happen, the second merges; an operator gets nothing.
func TestMerge_Supervisor(t *testing.T) {
	f := &identity{found: map[string][]sportello.Citizen{
		"rossi":        {{ID: "c-rossi", Kind: sportello.CitizenPerson, Name: "Maria Rossi", TaxCode: "RSSMRA80A41F205X", Phones: []string{"+390212345678"}}},
		"333 987 6543": {{ID: "c-dup", Kind: sportello.CitizenPerson, Name: "Maria Rossi", Phones: []string{"+393339876543"}, Address: "Corso Como 1"}},
	}}
	w := openIdentity(t, sportello.RoleSupervisor, f)
	apptest.Press(w, app.ShortcutMerge)
	apptest.WaitText(t, w, wait, "Merge duplicates", "Record to keep", "Duplicate to merge into it", "Merge  [Ctrl+S]")
	apptest.TypeFocused(w, "rossi")
	apptest.Enter(w)
	apptest.WaitText(t, w, wait, "Maria Rossi · RSSMRA80A41F205X · +39 02 1234 5678")
	apptest.TypeFocused(w, "333 987 6543") // the duplicate's search has the focus now
	apptest.Enter(w)
	apptest.WaitText(t, w, wait, "Maria Rossi · +39 333 9876 543 · Corso Como 1")
	apptest.Press(w, app.ShortcutSave)
	apptest.WaitText(t, w, wait, "Press Merge again to confirm.")
	if got := f.snapshot(); len(got.merges) != 0 {
		t.Fatal("merged without a confirmation")
	}
	apptest.Press(w, app.ShortcutSave)
	apptest.WaitText(t, w, wait, "Duplicates merged: Maria Rossi")
	got := f.snapshot()
	if len(got.merges) != 1 || got.merges[0] != [2]string{"c-rossi", "c-dup"} || got.reasons[0] != "merge duplicates" {
		t.Fatalf("merges %v (reasons %q)", got.merges, got.reasons)
	}

	op := openIdentity(t, sportello.RoleOperator, &identity{})
	apptest.Press(op, app.ShortcutMerge)
	time.Sleep(100 * time.Millisecond)
	if strings.Contains(apptest.Text(op), "Record to keep") {
		t.Fatal("an operator gets Merge duplicates")
	}
}
