package sportello

import (
	"context"
	"strings"
	"unicode/utf8"
)

// Identity: the codice fiscale of a person and the partita IVA of a
// business both end with a check character, so a mistyped code is caught
// while the citizen is still on the phone.

// cfMonths are the codice fiscale's letters for January..December.
const cfMonths = "ABCDEHLMPRST"

// cfOmocodia are the letters that replace the digits 0-9 in the numeric
// positions of a codice fiscale when two people would otherwise share one
// (omocodia).
const cfOmocodia = "LMNPQRSTUV"

// cfNumeric are the positions of a codice fiscale that hold a digit or its
// omocodia letter: year, day and the municipality's number.
var cfNumeric = [16]bool{6: true, 7: true, 9: true, 10: true, 12: true, 13: true, 14: true}

// cfOdd are the values of 0-9 then A-Z in the odd (1st, 3rd, ...)
// positions of a codice fiscale; in even positions a digit is worth itself
// and a letter its place in the alphabet (A=0).
var cfOdd = [36]int{
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0-9
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // A-J
	2, 4, 18, 20, 11, 3, 6, 8, 12, 14, // K-T
	16, 10, 22, 25, 24, 23, // U-Z
}

// MaxCitizenNameLen bounds a citizen's name, in characters.
const MaxCitizenNameLen = 200

// MaxCitizenPhones bounds the numbers one citizen may list.
const MaxCitizenPhones = 10

// NormalizeTaxCode returns a tax code as it is stored: spaces dropped and
// letters in upper case, so that "rssmra 80a41 f205x" finds RSSMRA80A41F205X.
func NormalizeTaxCode(code string) string {
	return strings.ToUpper(strings.Join(strings.Fields(code), ""))
}

// ValidCodiceFiscale reports why code is not a person's codice fiscale as
// the Agenzia delle Entrate issues it (16 characters, omocodia letters
// accepted), or nil. The error says which rule failed, such as "the check
// character should be K".
func ValidCodiceFiscale(code string) error {
	if n := utf8.RuneCountInString(code); n != 16 {
		return Errorf(EINVALID, "a codice fiscale has 16 characters, this one %d", n)
	}
	digits := make([]byte, 0, 7)
	for i := range 16 {
		c := code[i]
		switch {
		case cfNumeric[i] && c >= '0' && c <= '9':
			digits = append(digits, c)
		case cfNumeric[i] && strings.IndexByte(cfOmocodia, c) >= 0:
			digits = append(digits, '0'+byte(strings.IndexByte(cfOmocodia, c)))
		case cfNumeric[i]:
			return Errorf(EINVALID, "character %d of a codice fiscale is a digit (or one of the letters %s)", i+1, cfOmocodia)
		case c < 'A' || c > 'Z':
			return Errorf(EINVALID, "character %d of a codice fiscale is a letter", i+1)
		}
	}
	if strings.IndexByte(cfMonths, code[8]) < 0 {
		return Errorf(EINVALID, "character 9 of a codice fiscale is the birth month, one of %s", cfMonths)
	}
	// digits holds year (2), day (2), municipality (3).
	day := int(digits[2]-'0')*10 + int(digits[3]-'0')
	if day > 40 {
		day -= 40 // women
	}
	if day < 1 || day > 31 {
		return Errorf(EINVALID, "characters 10-11 of a codice fiscale are the birth day, 01-31 or 41-71")
	}
	if string(digits[4:]) == "000" {
		return Errorf(EINVALID, "characters 12-15 of a codice fiscale are a municipality or country code, not %s000", code[11:12])
	}
	if want := CodiceFiscaleCheck(code[:15]); code[15] != want {
		return Errorf(EINVALID, "the check character should be %c, not %c: a character of the codice fiscale is mistyped", want, code[15])
	}
	return nil
}

// CodiceFiscaleCheck computes the check character of a codice fiscale
// from its first 15 characters (upper-case letters and digits).
func CodiceFiscaleCheck(body string) byte {
	sum := 0
	for i := range min(len(body), 15) {
		v := alnumValue(body[i])
		if i%2 == 0 {
			sum += cfOdd[v]
		} else if v < 10 {
			sum += v
		} else {
			sum += v - 10
		}
	}
	return byte('A' + sum%26)
}

// alnumValue maps 0-9 to 0-9 and A-Z to 10-35 (anything else to 0).
func alnumValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 0
}

// ValidPartitaIVA reports why code is not a partita IVA (11 digits, the
// last a Luhn check digit), or nil.
func ValidPartitaIVA(code string) error {
	if n := utf8.RuneCountInString(code); n != 11 {
		return Errorf(EINVALID, "a partita IVA has 11 digits, this one %d characters", n)
	}
	for i := range 11 {
		if code[i] < '0' || code[i] > '9' {
			return Errorf(EINVALID, "character %d of a partita IVA is not a digit", i+1)
		}
	}
	if code[:7] == "0000000" {
		return Errorf(EINVALID, "digits 1-7 of a partita IVA are the company's number, not 0000000")
	}
	if want := PartitaIVACheck(code[:10]); code[10] != want {
		return Errorf(EINVALID, "the check digit should be %c, not %c: a digit of the partita IVA is mistyped", want, code[10])
	}
	return nil
}

// PartitaIVACheck computes the check digit of a partita IVA from its first
// 10 digits.
func PartitaIVACheck(body string) byte {
	sum := 0
	for i := range min(len(body), 10) {
		d := int(body[i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// ValidTaxCode checks a citizen's tax code by kind: a person has a codice
// fiscale; a business a partita IVA, or the codice fiscale of its owner
// (a sole trader). An empty code is valid: the caller may not know it.
func ValidTaxCode(kind CitizenKind, code string) error {
	switch {
	case code == "":
		return nil
	case kind == CitizenBusiness && len(code) == 16:
		return ValidCodiceFiscale(code)
	case kind == CitizenBusiness:
		return ValidPartitaIVA(code)
	}
	return ValidCodiceFiscale(code)
}

// Validate reports what is wrong with a citizen about to be registered or
// edited: kind, name and tax code (normalized with NormalizeTaxCode first).
// Phone numbers and email are checked in sync/check, which knows E.164.
func (c *Citizen) Validate() error {
	switch {
	case c.Kind != CitizenPerson && c.Kind != CitizenBusiness:
		return Errorf(EINVALID, "kind: a citizen is a person or a business, not %q", c.Kind)
	case strings.TrimSpace(c.Name) == "":
		return Errorf(EINVALID, "name: give the name of the person or business")
	case utf8.RuneCountInString(c.Name) > MaxCitizenNameLen:
		return Errorf(EINVALID, "name: at most %d characters", MaxCitizenNameLen)
	case len(c.Phones) > MaxCitizenPhones:
		return Errorf(EINVALID, "phones: at most %d numbers", MaxCitizenPhones)
	case len(c.PhoneLabels) > len(c.Phones):
		return Errorf(EINVALID, "phone_labels: more labels than numbers")
	}
	for i, l := range c.PhoneLabels {
		if !ValidPhoneLabel(l) {
			return Errorf(EINVALID, "phone_labels[%d]: %q is not a label: use mobile, home or work", i, l)
		}
	}
	if err := ValidTaxCode(c.Kind, c.TaxCode); err != nil {
		return Errorf(EINVALID, "tax_code: %s", ErrorMessage(err))
	}
	return nil
}

// ChangeKindCitizen marks a change to a citizen's record: registered,
// edited, or merged (one change for the survivor and one for the
// duplicate). It carries only the citizen's id: a desktop that holds the
// citizen open reads the record again.
const ChangeKindCitizen = "citizen"

// CitizenEditService registers, edits, finds and merges citizens from the
// desktop. Every write and read is audited as a use of the citizen's
// record, with the reason given (a call id, or what was done).
type CitizenEditService interface {
	// CreateCitizen registers a citizen; its ID, made by the client
	// (UUIDv7), makes a resend harmless. A tax code already registered is
	// ECONFLICT naming the existing record.
	CreateCitizen(ctx context.Context, c Citizen, reason string) (*Citizen, error)
	// UpdateCitizen saves an edit of a known citizen (every field as the
	// form shows it: numbers removed from Phones are removed).
	UpdateCitizen(ctx context.Context, c Citizen, reason string) (*Citizen, error)
	// SearchCitizens finds citizens by name, tax code or number, at most
	// MaxCitizenSearch, merged duplicates left out.
	SearchCitizens(ctx context.Context, query, reason string) ([]Citizen, error)
	// MergeCitizens merges the duplicate into the kept citizen and returns
	// the survivor (supervisors only).
	MergeCitizens(ctx context.Context, keepID, duplicateID, reason string) (*Citizen, error)
}

// MaxCitizenSearch bounds the citizens one search returns.
const MaxCitizenSearch = 20

// CitizenMerge is the body of a merge: the duplicate to merge into the
// citizen of the path.
type CitizenMerge struct {
	DuplicateID string `json:"duplicate_id"`
	Reason      string `json:"reason,omitempty"`
}

// Labels of a citizen's phone numbers (Citizen.PhoneLabels).
const (
	PhoneMobile = "mobile"
	PhoneHome   = "home"
	PhoneWork   = "work"
)

// ValidPhoneLabel reports whether l labels a number ("" is no label).
func ValidPhoneLabel(l string) bool {
	switch l {
	case "", PhoneMobile, PhoneHome, PhoneWork:
		return true
	}
	return false
}

// PhoneLabel returns the label of the i-th number, "" when none.
func (c *Citizen) PhoneLabel(i int) string {
	if i < len(c.PhoneLabels) {
		return c.PhoneLabels[i]
	}
	return ""
}
