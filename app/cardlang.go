package app

import "github.com/sportello/sportello"

// cardLanguage is the caller card's line of the language the citizen
// prefers ("Lingua: Inglese"), none when it is Italian or not known:
// the operator greets a citizen who prefers English in English.
func cardLanguage(ct *sportello.Citizen) []string {
	switch ct.Language {
	case "", sportello.LangItalian:
		return nil
	case sportello.LangEnglish:
		return []string{tr("Language") + ": " + languageText(ct.Language)}
	}
	return []string{tr("Language") + ": " + ct.Language} // a language the desktop cannot name yet
}
