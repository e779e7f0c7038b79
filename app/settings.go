package app

import (
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// ShortcutSettings opens the Settings dialog.
var ShortcutSettings = &desktop.CustomShortcut{KeyName: fyne.KeyComma, Modifier: fyne.KeyModifierControl}

// shortcutEnter is Enter as the Settings dialog's Save button shows it.
var shortcutEnter = &desktop.CustomShortcut{KeyName: fyne.KeyReturn}

// Settings are the desktop's settings the operator edits in the Settings
// dialog; cmd/sportello keeps them in the desktop's config file.
type Settings struct {
	Language   string  // "it", "en", or "" for the system's
	Theme      string  // "default" or "high-contrast"
	TextScale  float32 // 0.5 to 3, 1 is normal size
	Microphone string  // "default", a device's name, "null", or "file:PATH"
	Speaker    string  // likewise
	RingDevice string  // likewise; "" rings on the speaker
	// Codecs are the call codecs in order of preference (PCMU, PCMA,
	// G722); empty: the softphone's default order.
	Codecs []string
}

// SettingsCodecs are the codecs the Settings dialog offers.
var SettingsCodecs = []string{"PCMU", "PCMA", "G722"}

// settingsSelect is a Select of the Settings dialog: Enter saves and Esc
// closes while it has the focus, as in the dialog's text fields.
type settingsSelect struct {
	widget.Select
	values           []string // the setting's value of each option
	onSave, onCancel func()
}

func newSettingsSelect(labels, values []string, current string, save, cancel func()) *settingsSelect {
	sel := &settingsSelect{values: values, onSave: save, onCancel: cancel}
	if i := slices.Index(values, current); i < 0 {
		// A value the list does not offer (a file device, a device
		// unplugged): kept as it is.
		sel.values = append(slices.Clone(values), current)
		labels = append(slices.Clone(labels), current)
	}
	sel.Options = labels
	sel.ExtendBaseWidget(sel)
	sel.SetSelectedIndex(slices.Index(sel.values, current))
	return sel
}

// TypedKey saves on Enter and closes on Esc; other keys choose.
func (sel *settingsSelect) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		sel.onSave()
	case fyne.KeyEscape:
		sel.onCancel()
	default:
		sel.Select.TypedKey(k)
	}
}

// value is the setting chosen.
func (sel *settingsSelect) value() string {
	if i := sel.SelectedIndex(); i >= 0 && i < len(sel.values) {
		return sel.values[i]
	}
	return ""
}

// settingsDialog is the Settings dialog: language, theme, text size,
// sound devices and codecs. Theme and text size apply as soon as it is
// saved; the rest from the next call or start.
type settingsDialog struct {
	s      *operatorScreen
	lang   *settingsSelect
	theme  *settingsSelect
	scale  *formEntry
	mic    *settingsSelect
	spk    *settingsSelect
	ring   *settingsSelect
	codecs *formEntry
	status *widget.Label
	popup  *widget.PopUp
}

// settingsView reports whether the desktop has a Settings dialog.
func (s *operatorScreen) settingsView() bool { return s.cfg.SaveSettings != nil }

// openSettings shows the Settings dialog with the settings in force.
func (s *operatorScreen) openSettings() {
	if !s.settingsView() || (s.settings != nil && s.settings.popup.Visible()) {
		return
	}
	cur := s.cfg.Settings
	if cur.TextScale == 0 {
		cur.TextScale = 1
	}
	if cur.Theme == "" {
		cur.Theme = "default"
	}
	d := &settingsDialog{s: s}
	save, cancel := d.submit, d.close
	d.lang = newSettingsSelect([]string{"Italiano", "English", tr("System language")}, []string{"it", "en", ""}, cur.Language, save, cancel)
	d.theme = newSettingsSelect([]string{tr("Normal"), tr("High contrast")}, []string{"default", "high-contrast"}, cur.Theme, save, cancel)
	d.scale = newFormEntry(strconv.FormatFloat(float64(cur.TextScale), 'f', -1, 32), false, save, cancel)
	d.scale.OnSubmitted = func(string) { save() }
	var mics, spks []string
	if s.cfg.SoundDevices != nil {
		mics, spks = s.cfg.SoundDevices()
	}
	devices := func(names []string, extra ...string) ([]string, []string) {
		labels, values := []string{tr("System default")}, []string{"default"}
		for _, n := range names {
			if n != "" && n != "default" && n != "null" {
				labels, values = append(labels, n), append(values, n)
			}
		}
		labels, values = append(labels, tr("None (silent)")), append(values, "null")
		if len(extra) > 0 {
			labels, values = append(labels, tr("Same as the speaker")), append(values, "")
		}
		return labels, values
	}
	def := func(v string) string {
		if v == "" {
			return "default"
		}
		return v
	}
	l, v := devices(mics)
	d.mic = newSettingsSelect(l, v, def(cur.Microphone), save, cancel)
	l, v = devices(spks)
	d.spk = newSettingsSelect(l, v, def(cur.Speaker), save, cancel)
	l, v = devices(spks, "")
	d.ring = newSettingsSelect(l, v, cur.RingDevice, save, cancel)
	codecs := cur.Codecs
	if len(codecs) == 0 {
		codecs = SettingsCodecs
	}
	d.codecs = newFormEntry(strings.Join(codecs, ", "), false, save, cancel)
	d.codecs.OnSubmitted = func(string) { save() }

	d.status = widget.NewLabel(tr("Theme and text size change at once. Microphone and speaker apply from the next call; language, ring device and codecs when Sportello starts again."))
	d.status.Wrapping = fyne.TextWrapWord
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(tr("Language")), d.lang,
		widget.NewLabel(tr("Theme")), d.theme,
		widget.NewLabel(tr("Text size (0.5 to 3)")), d.scale,
		widget.NewLabel(tr("Microphone")), d.mic,
		widget.NewLabel(tr("Speaker")), d.spk,
		widget.NewLabel(tr("Ring device")), d.ring,
		widget.NewLabel(tr("Codecs in order (PCMU, PCMA, G722)")), d.codecs,
	)
	saveBtn := newTipButton(tr("Save"), shortcutEnter, d.submit)
	saveBtn.Importance = widget.HighImportance
	cancelBtn := newTipButton(tr("Cancel"), shortcutEscape, d.close)
	title := widget.NewLabelWithStyle(tr("Settings"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	body := container.NewBorder(title, container.NewVBox(d.status, container.NewHBox(saveBtn, cancelBtn)), nil, nil, container.NewVScroll(form))
	d.popup = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(620, 520), body), s.win.Canvas())
	s.settings = d
	d.popup.Show()
	s.win.Canvas().Focus(d.lang)
}

// read returns the settings in the dialog, or why they cannot be saved.
func (d *settingsDialog) read() (Settings, error) {
	st := Settings{Language: d.lang.value(), Theme: d.theme.value(),
		Microphone: d.mic.value(), Speaker: d.spk.value(), RingDevice: d.ring.value()}
	scale, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(d.scale.Text), ",", ".", 1), 32)
	if err != nil || scale < 0.5 || scale > 3 {
		return st, sportello.Errorf(sportello.EINVALID, "Text size: choose a number between 0.5 and 3")
	}
	st.TextScale = float32(scale)
	// The three of every build, and any the desktop has already (opus in
	// builds with it).
	known := append(slices.Clone(SettingsCodecs), d.s.cfg.Settings.Codecs...)
	for _, c := range strings.FieldsFunc(d.codecs.Text, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		i := slices.IndexFunc(known, func(k string) bool { return strings.EqualFold(k, c) })
		if i < 0 || slices.Contains(st.Codecs, known[i]) {
			return st, sportello.Errorf(sportello.EINVALID, "Codecs: list PCMU, PCMA and G722, each once, separated by commas")
		}
		st.Codecs = append(st.Codecs, known[i])
	}
	if len(st.Codecs) == 0 {
		return st, sportello.Errorf(sportello.EINVALID, "Codecs: list PCMU, PCMA and G722, each once, separated by commas")
	}
	return st, nil
}

// submit saves the settings and applies theme and text size; refused,
// the dialog stays open with what was typed and says why.
func (d *settingsDialog) submit() {
	s := d.s
	st, err := d.read()
	if err == nil {
		err = s.cfg.SaveSettings(st)
	}
	if err != nil {
		d.status.SetText(tr("Not saved") + ": " + errorText(err))
		d.status.Importance = widget.DangerImportance
		d.status.Refresh()
		s.cfg.Logger.Warn("settings not saved", "error", err)
		return
	}
	s.cfg.Settings = st
	fyne.CurrentApp().Settings().SetTheme(&Theme{HighContrast: st.Theme == "high-contrast", TextScale: st.TextScale})
	d.close()
	s.message.SetText(tr("Settings saved."))
}

// close closes the dialog without saving.
func (d *settingsDialog) close() {
	d.popup.Hide()
	d.s.win.Canvas().Unfocus()
}

// settingsMenus is the Settings menu, so that its key works while a text
// field has the focus.
func (s *operatorScreen) settingsMenus() []*fyne.Menu {
	if !s.settingsView() {
		return nil
	}
	it := fyne.NewMenuItem(tr("Settings")+"...", s.openSettings)
	it.Shortcut = ShortcutSettings
	return []*fyne.Menu{fyne.NewMenu(tr("Settings"), it)}
}

func (s *operatorScreen) addSettingsShortcuts() {
	s.win.Canvas().AddShortcut(ShortcutSettings, func(fyne.Shortcut) { s.openSettings() })
}
