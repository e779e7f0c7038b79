package check

import (
	"strings"

	"github.com/sportello/sportello"
)

// CitizenLanguage checks a citizen's preferred language and returns it
// as stored: empty (Italian, the default, as records made before the
// language was stored), LangItalian or LangEnglish.
func CitizenLanguage(lang string) (string, error) {
	switch l := strings.ToLower(strings.TrimSpace(lang)); l {
	case "", sportello.LangItalian, sportello.LangEnglish:
		return l, nil
	}
	return "", sportello.Errorf(sportello.EINVALID, "language: %q is not it or en", Clip(lang, 20))
}

// ReplyLanguage is the language of a reply to c when the request names
// none: the citizen's preferred one, Italian by default.
func ReplyLanguage(c *sportello.Citizen) string {
	if c != nil && c.Language == sportello.LangEnglish {
		return sportello.LangEnglish
	}
	return sportello.LangItalian
}
