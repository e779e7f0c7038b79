package app_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// savedSettings is a fake SaveSettings: it records what it was given and
// refuses with refuse when set, as the desktop refuses a bad value.
type savedSettings struct {
	mu     sync.Mutex
	got    []app.Settings
	refuse error
}

func (s *savedSettings) save(st app.Settings) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse != nil {
		return s.refuse
	}
	s.got = append(s.got, st)
	return nil
}

func (s *savedSettings) saved() []app.Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// focusNext moves the focus as Tab does in a window.
func focusNext(w fyne.Window) {
	app.WithUI(func() { w.Canvas().(interface{ FocusNext() }).FocusNext() })
}

// TestSettings_ThemeScaleSaved: Ctrl+, opens the Settings dialog on the
// language; Tab goes through theme, text size, microphone (the devices
// the sound layer lists), speaker, ring device and codecs. A text size
// out of 0.5-3 and a codec twice are refused with a message and the
// dialog keeps what was typed; a value the desktop refuses likewise.
// Enter saves: the save func gets the values and the theme and text
// size apply at once; Esc closes without saving.
func TestSettings_ThemeScaleSaved(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(&app.Theme{TextScale: 1})
	store := &savedSettings{}
	d := app.Create(a, app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{},
		User: &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator},
		Settings: app.Settings{Language: "it", Theme: "default", TextScale: 1, Microphone: "default", Speaker: "file:/tmp/x.wav",
			Codecs: []string{"PCMU", "PCMA"}},
		SaveSettings: store.save,
		SoundDevices: func() ([]string, []string) { return []string{"Microfono USB"}, []string{"Cuffie USB"} },
	})
	w := d.Window
	app.WithUI(w.Show)
	t.Cleanup(d.Close)
	if !menuHas(w, "Settings...", app.ShortcutSettings) {
		t.Fatal("no Settings... menu item with Ctrl+,")
	}

	apptest.Press(w, app.ShortcutSettings)
	apptest.WaitText(t, w, wait, "Language", "Italiano", "Text size (0.5 to 3)", "file:/tmp/x.wav", "PCMU, PCMA",
		"Theme and text size change at once.", "Save  [Enter]", "Cancel  [Escape]")
	if f := apptest.Focused(w); !strings.Contains(fmt.Sprintf("%T", f), "settingsSelect") {
		t.Fatalf("the dialog opens with %T focused, want the language", f)
	}
	focusNext(w) // theme
	apptest.Key(w, fyne.KeyRight)
	apptest.WaitText(t, w, wait, "High contrast")
	focusNext(w) // text size
	apptest.Key(w, fyne.KeyEnd)
	apptest.Key(w, fyne.KeyBackspace)
	apptest.TypeFocused(w, "3.5")
	apptest.Enter(w)
	apptest.WaitText(t, w, wait, "Not saved: Check the data: Text size: choose a number between 0.5 and 3", "3.5")
	if len(store.saved()) != 0 {
		t.Fatal("a text size of 3.5 was saved")
	}
	apptest.Key(w, fyne.KeyBackspace)
	apptest.Key(w, fyne.KeyBackspace)
	apptest.Key(w, fyne.KeyBackspace)
	apptest.TypeFocused(w, "1,5")
	focusNext(w) // microphone: the system default, then the sound layer's
	apptest.Key(w, fyne.KeyRight)
	apptest.WaitText(t, w, wait, "Microfono USB")
	focusNext(w) // speaker
	focusNext(w) // ring device
	focusNext(w) // codecs
	apptest.Key(w, fyne.KeyEnd)
	apptest.TypeFocused(w, ", pcmu")
	apptest.Enter(w)
	apptest.WaitText(t, w, wait, "Codecs: list PCMU, PCMA and G722, each once")
	for range len(", pcmu") {
		apptest.Key(w, fyne.KeyBackspace)
	}
	apptest.TypeFocused(w, ", g722")

	// The desktop refuses: the dialog stays with what was chosen.
	store.mu.Lock()
	store.refuse = sportello.Errorf(sportello.EINVALID, "speaker: no such device")
	store.mu.Unlock()
	apptest.Enter(w)
	apptest.WaitText(t, w, wait, "speaker: no such device", "1,5", "Microfono USB")
	store.mu.Lock()
	store.refuse = nil
	store.mu.Unlock()
	apptest.Enter(w)
	waitGone(t, w, "Text size (0.5 to 3)")
	apptest.WaitText(t, w, wait, "Settings saved.")

	got := store.saved()
	want := app.Settings{Language: "it", Theme: "high-contrast", TextScale: 1.5, Microphone: "Microfono USB", Speaker: "file:/tmp/x.wav",
		RingDevice: "", Codecs: []string{"PCMU", "PCMA", "G722"}}
	if len(got) != 1 || fmt.Sprint(got[0]) != fmt.Sprint(want) {
		t.Fatalf("saved %+v, want %+v", got, want)
	}
	var th fyne.Theme
	app.WithUI(func() { th = a.Settings().Theme() })
	if at, ok := th.(*app.Theme); !ok || !at.HighContrast || at.TextScale != 1.5 {
		t.Fatalf("theme after saving: %#v, want high contrast at 1.5", th)
	}

	// Opened again it shows what was saved; Esc closes it, nothing saved.
	apptest.Press(w, app.ShortcutSettings)
	apptest.WaitText(t, w, wait, "Text size (0.5 to 3)", "1.5", "PCMU, PCMA, G722", "High contrast")
	apptest.Key(w, fyne.KeyEscape)
	waitGone(t, w, "Text size (0.5 to 3)")
	if len(store.saved()) != 1 {
		t.Fatalf("Esc saved: %+v", store.saved())
	}
}

// TestSettings_NoSaveNoDialog: without a SaveSettings there is no dialog.
func TestSettings_NoSaveNoDialog(t *testing.T) {
	r := newRig(t)
	apptest.Press(r.w, app.ShortcutSettings)
	if strings.Contains(apptest.Text(r.w), "Text size (0.5 to 3)") || menuHas(r.w, "Settings...", app.ShortcutSettings) {
		t.Fatal("a Settings dialog with nowhere to save")
	}
}
