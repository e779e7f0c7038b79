package check_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

func TestNumber(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"+390212345678", "+390212345678"},
		{"02 1234 5678", "+390212345678"},
		{"0039 02 1234 5678", "+390212345678"},
		{"333 123 4567", "+393331234567"},
		{"(02) 8845.0000", "+390288450000"},
		{"+41 44 668 18 00", "+41446681800"},
		{"+1 (212) 555-0100", "+12125550100"},
		{"abc", ""},
		{"+0123456", ""},
		{"123", ""},
		{"+39 02 12++", ""},
		{"+1234567890123456", ""},
		{"02 1234 5678 ext 9", ""},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := check.Number(tt.in)
			if tt.want == "" {
				if sportello.ErrorCode(err) != sportello.EINVALID {
					t.Fatalf("Number(%q) = %q, %v; want EINVALID", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Number(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestCitizenPhone(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{"333 123 4567", "+393331234567", ""},
		{"02 1234 5678", "+390212345678", ""},
		{"+44 20 7946 0958", "+442079460958", ""},
		{"0000 000000", "", "not a number in use"},
		{"+39 999 1234567", "", "not a number in use"},
		{"telefono", "", "not a phone number"},
	} {
		got, err := check.CitizenPhone(tt.in)
		if tt.err == "" && (err != nil || got != tt.want) || tt.err != "" && !strings.Contains(sportello.ErrorMessage(err), tt.err) {
			t.Errorf("CitizenPhone(%q) = %q, %v; want %q %q", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestCitizen(t *testing.T) {
	in := sportello.Citizen{Kind: sportello.CitizenPerson, Name: "  Mario   Rossi ", TaxCode: "rssmra 85t10 a562s",
		Phones: []string{"333 123 4567", "", "+39 333 1234567", "02 1234 5678"}, Email: " mario.rossi@example.it ", Address: " Via Larga 12, Milano "}
	got, err := check.Citizen(in)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == "" || got.Name != "Mario Rossi" || got.TaxCode != "RSSMRA85T10A562S" || got.Email != "mario.rossi@example.it" ||
		got.Address != "Via Larga 12, Milano" || strings.Join(got.Phones, ",") != "+393331234567,+390212345678" {
		t.Fatalf("Citizen = %+v", got)
	}
	for name, tt := range map[string]struct {
		mod  func(*sportello.Citizen)
		want string
	}{
		"BadTaxCode": {func(c *sportello.Citizen) { c.TaxCode = "RSSMRA85T10A562X" }, "tax_code: the check character should be S"},
		"BadPhone":   {func(c *sportello.Citizen) { c.Phones = []string{"333 123 4567", "12"} }, "phones[1]:"},
		"BadEmail":   {func(c *sportello.Citizen) { c.Email = "mario at example" }, "email:"},
		"NoDomain":   {func(c *sportello.Citizen) { c.Email = "mario@localhost" }, "email:"},
		"NamedEmail": {func(c *sportello.Citizen) { c.Email = "Mario <mario@example.it>" }, "email:"},
		"Control":    {func(c *sportello.Citizen) { c.Address = "Via\x00Larga" }, "address:"},
		"Business":   {func(c *sportello.Citizen) { c.Kind = sportello.CitizenBusiness }, ""}, // a sole trader's codice fiscale
		"BadID":      {func(c *sportello.Citizen) { c.ID = "an id" }, "id:"},
		"BadLabel":   {func(c *sportello.Citizen) { c.PhoneLabels = []string{"fax"} }, "phone_labels[0]:"},
		"MoreLabels": {func(c *sportello.Citizen) { c.PhoneLabels = make([]string, 5) }, "more labels than numbers"},
	} {
		t.Run(name, func(t *testing.T) {
			c := in
			tt.mod(&c)
			_, err := check.Citizen(c)
			if tt.want == "" && err != nil || tt.want != "" && (sportello.ErrorCode(err) != sportello.EINVALID || !strings.Contains(sportello.ErrorMessage(err), tt.want)) {
				t.Fatalf("Citizen: %v, want %q", err, tt.want)
			}
		})
	}
}

func BenchmarkNumber(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := check.Number("+39 02 1234 5678"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCitizen_Labels: labels follow their numbers when empty rows and
// repeats go, and are nil when none is set.
func TestCitizen_Labels(t *testing.T) {
	got, err := check.Citizen(sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Mario Rossi",
		Phones: []string{"", "333 123 4567", "02 1234 5678", "+39 333 1234567"}, PhoneLabels: []string{"", "", sportello.PhoneHome, sportello.PhoneMobile}})
	if err != nil || strings.Join(got.Phones, ",") != "+393331234567,+390212345678" || strings.Join(got.PhoneLabels, ",") != "mobile,home" {
		t.Fatalf("Citizen = %+v, %v", got, err)
	}
	got, _ = check.Citizen(sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Mario Rossi", Phones: []string{"333 123 4567"}, PhoneLabels: []string{""}})
	if got.PhoneLabels != nil {
		t.Fatalf("no label set, labels %q", got.PhoneLabels)
	}
}

// BenchmarkNumber_Uncached parses a new number each time: the cost of a
// caller never seen since syncd started.
func BenchmarkNumber_Uncached(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := check.Number(fmt.Sprintf("+39 02 %08d", 10_000_000+i%80_000_000)); err != nil {
			b.Fatal(err)
		}
	}
}
