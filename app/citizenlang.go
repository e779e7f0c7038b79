package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// citizenLanguages are the languages a citizen may prefer for replies,
// in the order the form offers them (Left/Right choose).
var citizenLanguages = []string{sportello.LangItalian, sportello.LangEnglish}

// languageText names a reply language in the user's language.
func languageText(lang string) string {
	if lang == sportello.LangEnglish {
		return tr("English")
	}
	return tr("Italian")
}

// addLanguage adds the citizen's preferred language for replies to the
// form, after the address: Italian unless the record says English.
func (ed *citizenEditor) addLanguage(form *fyne.Container) {
	names := make([]string, len(citizenLanguages))
	for i, l := range citizenLanguages {
		names[i] = languageText(l)
	}
	ed.lang = widget.NewSelect(names, nil)
	ed.lang.SetSelected(languageText(ed.citizen.Language))
	ed.errs["language"] = errorLabel()
	form.Add(widget.NewLabel(tr("Language for replies (Left/Right arrows)")))
	form.Add(ed.lang)
	form.Add(ed.errs["language"])
}

// language is the language chosen: "" (Italian, the default) stays so on
// a record that never had one, so that opening and saving it changes
// nothing.
func (ed *citizenEditor) language() string {
	for i, l := range citizenLanguages {
		if ed.lang.SelectedIndex() == i {
			if l == sportello.LangItalian && ed.citizen.Language == "" {
				return ""
			}
			return l
		}
	}
	return ed.citizen.Language
}

// citizenLanguage chooses the language the citizen of k prefers for
// replies (the desk queue carries it), when a new case is taken up: the
// user may still change it.
func (r *replyActions) citizenLanguage(k *sportello.Case) {
	want := 0
	if k.CitizenLanguage == sportello.LangEnglish {
		want = 1
	}
	if r.language.SelectedIndex() != want {
		r.language.SetSelectedIndex(want)
	}
}
