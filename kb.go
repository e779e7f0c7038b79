package sportello

import (
	"context"
	"strings"
	"time"
)

// EntryKind tells the three kinds of knowledge-base entries apart.
type EntryKind string

// Knowledge-base entry kinds (DOMAIN.md: the portal's information).
const (
	EntryService EntryKind = "service" // what it is, who, documents, cost, how and where
	EntryOffice  EntryKind = "office"  // address, phone, services, opening hours
	EntryAnswer  EntryKind = "answer"  // a free-form answer (summer shops, tax deadlines)
)

// KBEntry is one entry of the knowledge base (informazioni / schede).
type KBEntry struct {
	ID         string       `json:"id"`
	Kind       EntryKind    `json:"kind"`
	Title      string       `json:"title"`
	Summary    string       `json:"summary"` // what the operator reads out; inserted into the note
	Body       string       `json:"body,omitempty"`
	Who        string       `json:"who,omitempty"`       // service: who is entitled
	Documents  []string     `json:"documents,omitempty"` // service: what to bring
	Cost       string       `json:"cost,omitempty"`
	HowTo      string       `json:"how_to,omitempty"`
	Link       string       `json:"link,omitempty"`
	OfficeID   string       `json:"office_id,omitempty"` // service: where
	Address    string       `json:"address,omitempty"`   // office
	Phone      string       `json:"phone,omitempty"`     // office
	HoursText  string       `json:"hours_text,omitempty"`
	Hours      *WeeklyHours `json:"hours,omitempty"` // office
	Keywords   []string     `json:"keywords,omitempty"`
	OwnerDesk  string       `json:"owner_desk,omitempty"`
	ReviewedAt time.Time    `json:"reviewed_at,omitzero"`
	UpdatedAt  time.Time    `json:"updated_at,omitzero"`
	// Version counts the saved versions (kbedit.go): an edit names the
	// version it started from.
	Version int `json:"version,omitempty"`
}

// KBHit is a search result: the entry and its title and summary with the
// matched words marked between Mark and MarkEnd.
type KBHit struct {
	Entry   *KBEntry `json:"entry"`
	Title   string   `json:"title"`
	Snippet string   `json:"snippet"`
}

// Marks around the citizen's words in KBHit texts.
const (
	Mark    = "\x02"
	MarkEnd = "\x03"
)

// KBService searches the knowledge base.
type KBService interface {
	// SearchKB returns at most limit entries matching what the operator
	// typed, best first; words match by prefix, accents and case folded,
	// with the synonyms of Synonyms.
	SearchKB(ctx context.Context, query string, limit int) ([]KBHit, error)
}

// Synonyms maps a word people say to the words the portal writes, so
// that "cie" finds "carta d'identità elettronica" and "rifiuti" finds TARI.
// Keys and values are lower case without accents.
var Synonyms = map[string][]string{
	"cie":          {"carta identita elettronica"},
	"carta":        {"cie"},
	"identita":     {"cie"},
	"tari":         {"tassa rifiuti"},
	"rifiuti":      {"tari", "amsa"},
	"spazzatura":   {"rifiuti", "tari"},
	"multa":        {"verbale", "sanzione"},
	"multe":        {"verbale", "sanzione"},
	"verbale":      {"multa"},
	"residenza":    {"anagrafe", "certificato"},
	"certificato":  {"anagrafe"},
	"orari":        {"orario"},
	"orario":       {"orari"},
	"scia":         {"commercio", "segnalazione certificata"},
	"negozi":       {"commercio", "esercizi"},
	"imu":          {"imposta municipale"},
	"casa":         {"aler", "alloggio"},
	"metro":        {"atm", "trasporto"},
	"tram":         {"atm", "trasporto"},
	"id":           {"cie"},
	"registry":     {"anagrafe"},
	"fine":         {"multa", "verbale"},
	"waste":        {"rifiuti", "tari"},
	"opening":      {"orari"},
	"hours":        {"orari"},
	"identity":     {"cie"},
	"appointment":  {"appuntamento", "prenotazione"},
	"appuntamento": {"prenotazione"},
}

// FoldText lowers s and removes Italian accents and apostrophes, as the
// search index does: "Identità d'Italia" -> "identita d italia".
func FoldText(s string) string {
	r := strings.NewReplacer("à", "a", "á", "a", "è", "e", "é", "e", "ì", "i", "í", "i", "ò", "o", "ó", "o", "ù", "u", "ú", "u",
		"À", "a", "È", "e", "É", "e", "Ì", "i", "Ò", "o", "Ù", "u", "'", " ", "’", " ")
	return strings.ToLower(r.Replace(s))
}
