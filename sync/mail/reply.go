package mail

import (
	"embed"
	"strings"
	"text/template"

	"github.com/sportello/sportello"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// replyTemplates holds one template set per language: "subject",
// "greeting" and "body".
var replyTemplates = map[string]*template.Template{
	sportello.LangItalian: template.Must(template.ParseFS(templateFS, "templates/reply.it.tmpl")),
	sportello.LangEnglish: template.Must(template.ParseFS(templateFS, "templates/reply.en.tmpl")),
}

// Reply is what a reply to a citizen says, before the template wraps it.
type Reply struct {
	// Reference is the case's reference as the citizen quotes it.
	Reference string
	// Subject is the case's subject, Name the citizen's name (empty:
	// a generic greeting).
	Subject, Name string
	// Text is the specialist's answer.
	Text string
	// Author is the specialist's name, Signature the office's.
	Author, Signature string
}

// RenderReply renders a reply in language lang (sportello.LangItalian or
// sportello.LangEnglish): the email's subject and plain-text body.
func RenderReply(lang string, r Reply) (subject, body string, err error) {
	t, ok := replyTemplates[lang]
	if !ok {
		return "", "", sportello.Errorf(sportello.EINVALID, "no reply template in language %q: use it or en", lang)
	}
	var sb, bb strings.Builder
	if err := t.ExecuteTemplate(&sb, "subject", r); err != nil {
		return "", "", err
	}
	if err := t.ExecuteTemplate(&bb, "body", r); err != nil {
		return "", "", err
	}
	// A subject is one line.
	subject = strings.Join(strings.Fields(sb.String()), " ")
	return subject, bb.String(), nil
}
