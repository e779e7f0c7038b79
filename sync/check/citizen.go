package check

import (
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/sportello/sportello"
)

// Bounds of a citizen's contact fields.
const (
	MaxEmailLen   = 254 // RFC 5321's path limit
	MaxAddressLen = 300
)

// OpCitizen is the kind of op a registration or an edit of a citizen is.
const OpCitizen = "citizen"

// Citizen checks a citizen a user registers or edits and returns it as it
// is stored: name and address trimmed, tax code normalized and validated
// for its kind (sportello.ValidTaxCode), every number in E.164 and in use
// (CitizenPhone) without repeats, email a bare address. A new citizen
// without an id gets a UUIDv7. Each error names its field, as the form
// shows it ("phones[1]: ...").
func Citizen(c sportello.Citizen) (sportello.Citizen, error) {
	c.Name = strings.Join(strings.Fields(c.Name), " ")
	c.Address = strings.TrimSpace(c.Address)
	c.Email = strings.TrimSpace(c.Email)
	c.TaxCode = sportello.NormalizeTaxCode(c.TaxCode)
	if c.ID == "" {
		c.ID = uuid.Must(uuid.NewV7()).String()
	} else if len(c.ID) > MaxRefLen || !Storable(c.ID) || strings.IndexFunc(c.ID, unicode.IsSpace) >= 0 {
		return c, sportello.Errorf(sportello.EINVALID, "id: a citizen id has at most %d characters and no spaces", MaxRefLen)
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	lang, err := CitizenLanguage(c.Language)
	if err != nil {
		return c, err
	}
	c.Language = lang
	for _, f := range [][2]string{{"name", c.Name}, {"address", c.Address}, {"email", c.Email}} {
		name, v := f[0], f[1]
		if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 || strings.IndexByte(v, 0) >= 0 {
			return c, sportello.Errorf(sportello.EINVALID, "%s: holds a control character or is not UTF-8 text", name)
		}
	}
	if utf8.RuneCountInString(c.Address) > MaxAddressLen {
		return c, sportello.Errorf(sportello.EINVALID, "address: at most %d characters", MaxAddressLen)
	}
	if c.Email != "" {
		a, err := mail.ParseAddress(c.Email)
		if err != nil || a.Address != c.Email || len(c.Email) > MaxEmailLen || !strings.Contains(c.Email[strings.LastIndexByte(c.Email, '@')+1:], ".") {
			return c, sportello.Errorf(sportello.EINVALID, "email: %q is not an email address such as nome@example.it", Clip(c.Email, 60))
		}
	}
	phones := make([]string, 0, len(c.Phones))
	labels := make([]string, 0, len(c.Phones))
	for i, p := range c.Phones {
		if strings.TrimSpace(p) == "" {
			continue // an empty row of the form
		}
		n, err := CitizenPhone(p)
		if err != nil {
			return c, sportello.Errorf(sportello.EINVALID, "phones[%d]: %s", i, sportello.ErrorMessage(err))
		}
		if j := slices.Index(phones, n); j >= 0 {
			if labels[j] == "" {
				labels[j] = c.PhoneLabel(i)
			}
			continue
		}
		phones, labels = append(phones, n), append(labels, c.PhoneLabel(i))
	}
	c.Phones, c.PhoneLabels = phones, PhoneLabels(labels)
	return c, nil
}

// Merge checks a request to merge the duplicate citizen into the kept one.
func Merge(actor *sportello.User, keepID, duplicateID string) error {
	switch {
	case actor == nil:
		return sportello.Errorf(sportello.EUNAUTHORIZED, "sign in to merge citizens")
	case keepID == "" || duplicateID == "":
		return sportello.Errorf(sportello.EINVALID, "duplicate_id: name the citizen to merge into this one")
	case keepID == duplicateID:
		return sportello.Errorf(sportello.EINVALID, "duplicate_id: a citizen cannot be merged into itself")
	case len(keepID) > MaxRefLen || len(duplicateID) > MaxRefLen || !Storable(keepID) || !Storable(duplicateID):
		return sportello.Errorf(sportello.ENOTFOUND, "no such citizen")
	}
	return nil
}

// CitizenRefTables are the tables whose citizen_id a merge moves from the
// duplicate to the kept citizen (the same names in both stores).
var CitizenRefTables = []string{"cases", "callbacks", "appointments", "wrap_up_facts", "audit"}

// CitizenReason is the audit reason of a write of a citizen's record:
// what was done, then the reason the user gave (a call id), if any.
func CitizenReason(done, reason string) (string, error) {
	if strings.TrimSpace(reason) == "" {
		return done, nil
	}
	r, err := Reason(reason)
	if err != nil {
		return "", err
	}
	return Clip(done+": "+r, MaxReasonLen+100), nil
}

// SameCitizen reports whether two records hold the same data (ids and
// merge aside), so that a resend or an empty edit writes nothing.
func SameCitizen(a, b *sportello.Citizen) bool {
	return a.Kind == b.Kind && a.Name == b.Name && a.TaxCode == b.TaxCode && a.Email == b.Email &&
		a.Address == b.Address && slices.Equal(a.Phones, b.Phones) && slices.Equal(a.PhoneLabels, b.PhoneLabels) &&
		ReplyLanguage(a) == ReplyLanguage(b)
}

// PhoneLabels returns a citizen's labels as stored: nil when no number
// has one, so that a record without labels reads as it always did.
func PhoneLabels(labels []string) []string {
	if !slices.ContainsFunc(labels, func(l string) bool { return l != "" }) {
		return nil
	}
	return labels
}

// MergedCitizen is the error for a write to a merged duplicate.
func MergedCitizen(c *sportello.Citizen) error {
	return sportello.Errorf(sportello.ECONFLICT, "the citizen %s (%s) was merged into %s: use that record", c.ID, c.Name, c.MergedInto)
}

// TaxCodeTaken is the error for a tax code another citizen has.
func TaxCodeTaken(code, id, name string) error {
	return sportello.Errorf(sportello.ECONFLICT, "tax_code: %s is already registered for %s (id %s): open that record, or ask a supervisor to merge duplicates", code, name, id)
}

// MergedRecord returns the kept citizen as a merge leaves it: its own
// fields, the tax code, email and address it lacks taken from the
// duplicate, and its numbers followed by the duplicate's. Two records
// that cannot be one citizen (kinds or tax codes differ), a merge into a
// duplicate and a duplicate already merged elsewhere are ECONFLICT.
func MergedRecord(keep, dup *sportello.Citizen) (*sportello.Citizen, error) {
	switch {
	case keep.MergedInto != "":
		return nil, sportello.Errorf(sportello.ECONFLICT, "the citizen %s was itself merged into %s: merge into that record", keep.ID, keep.MergedInto)
	case dup.MergedInto != "":
		return nil, sportello.Errorf(sportello.ECONFLICT, "the citizen %s was already merged into %s", dup.ID, dup.MergedInto)
	case keep.Kind != dup.Kind:
		return nil, sportello.Errorf(sportello.ECONFLICT, "%s is a %s and %s a %s: they are not the same citizen", keep.Name, keep.Kind, dup.Name, dup.Kind)
	case keep.TaxCode != "" && dup.TaxCode != "" && keep.TaxCode != dup.TaxCode:
		return nil, sportello.Errorf(sportello.ECONFLICT, "%s has the tax code %s and %s the tax code %s: they are not the same citizen", keep.Name, keep.TaxCode, dup.Name, dup.TaxCode)
	}
	m := *keep
	m.Phones = slices.Clone(keep.Phones)
	labels := make([]string, len(keep.Phones))
	for i := range labels {
		labels[i] = keep.PhoneLabel(i)
	}
	if m.TaxCode == "" {
		m.TaxCode = dup.TaxCode
	}
	if m.Email == "" {
		m.Email = dup.Email
	}
	if m.Address == "" {
		m.Address = dup.Address
	}
	for i, p := range dup.Phones {
		if !slices.Contains(m.Phones, p) {
			m.Phones, labels = append(m.Phones, p), append(labels, dup.PhoneLabel(i))
		}
	}
	m.PhoneLabels = PhoneLabels(labels)
	return &m, nil
}

// CitizenSearch is a search for citizens, as CitizenQuery reads it: by tax
// code, by number, or by a part of the name (one of the three is set).
type CitizenSearch struct {
	TaxCode, Number, Name string
}

// CitizenQuery reads what a user typed to find a citizen: a tax code (a
// valid codice fiscale or partita IVA), a phone number, or else at least
// two characters of a name.
func CitizenQuery(query string) (CitizenSearch, error) {
	q := strings.Join(strings.Fields(query), " ")
	if code := sportello.NormalizeTaxCode(q); sportello.ValidCodiceFiscale(code) == nil || sportello.ValidPartitaIVA(code) == nil {
		return CitizenSearch{TaxCode: code}, nil
	}
	if strings.ContainsAny(q, "0123456789") {
		if n, err := Number(q); err == nil {
			return CitizenSearch{Number: n}, nil
		}
	}
	if utf8.RuneCountInString(q) < 2 || len(q) > MaxCitizenQueryLen || !Storable(q) || strings.IndexFunc(q, unicode.IsControl) >= 0 {
		return CitizenSearch{}, sportello.Errorf(sportello.EINVALID, "q: type at least two letters of the name, a tax code or a number")
	}
	return CitizenSearch{Name: q}, nil
}

// MaxCitizenQueryLen bounds a search for citizens.
const MaxCitizenQueryLen = 100
