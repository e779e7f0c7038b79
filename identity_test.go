package sportello_test

import (
	"strings"
	"testing"

	"github.com/sportello/sportello"
)

// codiceFiscaleCases are real-format codes: valid ones (omocodia
// included) and each rule broken once, with the words the error must hold.
var codiceFiscaleCases = []struct {
	name, code, want string // want: "" valid, else part of the error
}{
	{"Valid", "RSSMRA85T10A562S", ""},
	{"ValidWoman", "BNCGLI90E55F205D", ""},
	{"ValidRome", "VRDLCU75C01H501N", ""},
	{"Omocodia", "RSSMRA85T10A56NH", ""},
	{"OmocodiaTwice", "RSSMRA85T1LA56NK", ""},
	{"WrongCheck", "RSSMRA85T10A562X", "check character should be S"},
	{"SwappedDigits", "RSSMRA58T10A562S", "check character should be"},
	{"Short", "RSSMRA85T10A562", "16 characters, this one 15"},
	{"Long", "RSSMRA85T10A562SS", "16 characters, this one 17"},
	{"DigitInSurname", "R5SMRA85T10A562S", "character 2 of a codice fiscale is a letter"},
	{"LetterInYear", "RSSMRA8AT10A562S", "character 8 of a codice fiscale is a digit"},
	{"BadMonth", "RSSMRA85F10A562S", "birth month"},
	{"BadDay", "RSSMRA85T32A562S", "birth day"},
	{"DayZero", "RSSMRA85T00A562S", "birth day"},
	{"BadMunicipality", "RSSMRA85T10A000S", "municipality"},
	{"LowerCase", "rssmra85t10a562s", "is a letter"},
	{"NonASCII", "RSSMRÀ85T10A562S", "is a letter"},
	{"Empty", "", "16 characters, this one 0"},
}

func TestValidCodiceFiscale(t *testing.T) {
	for _, tt := range codiceFiscaleCases {
		t.Run(tt.name, func(t *testing.T) {
			err := sportello.ValidCodiceFiscale(tt.code)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidCodiceFiscale(%q) = %v, want nil", tt.code, err)
				}
				return
			}
			if sportello.ErrorCode(err) != sportello.EINVALID || !strings.Contains(sportello.ErrorMessage(err), tt.want) {
				t.Fatalf("ValidCodiceFiscale(%q) = %v, want EINVALID with %q", tt.code, err, tt.want)
			}
		})
	}
}

var partitaIVACases = []struct {
	name, code, want string
}{
	{"Valid", "00743110157", ""},
	{"Valid2", "07643520567", ""},
	{"Valid3", "12345678903", ""},
	{"WrongCheck", "00743110158", "check digit should be 7"},
	{"Swapped", "07743110157", "check digit should be"},
	{"Short", "0074311015", "11 digits, this one 10"},
	{"Letter", "0074311O157", "character 8 of a partita IVA is not a digit"},
	{"NoCompany", "00000000000", "company's number"},
	{"Empty", "", "11 digits, this one 0"},
}

func TestValidPartitaIVA(t *testing.T) {
	for _, tt := range partitaIVACases {
		t.Run(tt.name, func(t *testing.T) {
			err := sportello.ValidPartitaIVA(tt.code)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidPartitaIVA(%q) = %v, want nil", tt.code, err)
				}
				return
			}
			if sportello.ErrorCode(err) != sportello.EINVALID || !strings.Contains(sportello.ErrorMessage(err), tt.want) {
				t.Fatalf("ValidPartitaIVA(%q) = %v, want EINVALID with %q", tt.code, err, tt.want)
			}
		})
	}
}

// TestValidCodiceFiscale_EveryTypo changes each character of a valid code
// to every other letter or digit the position takes: the check character
// catches every single-character typo.
func TestValidCodiceFiscale_EveryTypo(t *testing.T) {
	const code = "RSSMRA85T10A562S"
	for i := range 15 {
		for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" {
			if byte(c) == code[i] {
				continue
			}
			typo := code[:i] + string(c) + code[i+1:]
			if sportello.ValidCodiceFiscale(typo) == nil {
				t.Errorf("typo %s at %d accepted", typo, i+1)
			}
		}
	}
}

func TestCitizen_Validate(t *testing.T) {
	for name, tt := range map[string]struct {
		c    sportello.Citizen
		want string
	}{
		"Person":         {sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Mario Rossi", TaxCode: "RSSMRA85T10A562S"}, ""},
		"NoTaxCode":      {sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Mario Rossi"}, ""},
		"Business":       {sportello.Citizen{Kind: sportello.CitizenBusiness, Name: "Pirelli", TaxCode: "00743110157"}, ""},
		"SoleTrader":     {sportello.Citizen{Kind: sportello.CitizenBusiness, Name: "Rossi Mario", TaxCode: "RSSMRA85T10A562S"}, ""},
		"PersonWithPIVA": {sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Mario Rossi", TaxCode: "00743110157"}, "tax_code: a codice fiscale has 16"},
		"BadBusiness":    {sportello.Citizen{Kind: sportello.CitizenBusiness, Name: "Pirelli", TaxCode: "00743110158"}, "tax_code: the check digit"},
		"NoName":         {sportello.Citizen{Kind: sportello.CitizenPerson, Name: "  "}, "name:"},
		"NoKind":         {sportello.Citizen{Name: "Mario Rossi"}, "kind:"},
		"TooManyPhones":  {sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Mario Rossi", Phones: make([]string, sportello.MaxCitizenPhones+1)}, "phones:"},
	} {
		t.Run(name, func(t *testing.T) {
			err := tt.c.Validate()
			if tt.want == "" && err != nil || tt.want != "" && !strings.Contains(sportello.ErrorMessage(err), tt.want) {
				t.Fatalf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestNormalizeTaxCode(t *testing.T) {
	if got := sportello.NormalizeTaxCode(" rssmra 85t10 a562s\t"); got != "RSSMRA85T10A562S" {
		t.Fatalf("NormalizeTaxCode = %q", got)
	}
}

// FuzzValidCodiceFiscale checks, from the table's codes, that no input
// panics, that an accepted code is 16 upper-case letters and digits, and
// that it stays accepted with its check character recomputed.
func FuzzValidCodiceFiscale(f *testing.F) {
	for _, tt := range codiceFiscaleCases {
		f.Add(tt.code)
	}
	f.Fuzz(func(t *testing.T, code string) {
		err := sportello.ValidCodiceFiscale(code)
		if err == nil {
			if len(code) != 16 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
				t.Fatalf("accepted %q", code)
			}
			if sportello.CodiceFiscaleCheck(code[:15]) != code[15] {
				t.Fatalf("accepted %q with a wrong check character", code)
			}
		} else if sportello.ErrorCode(err) != sportello.EINVALID {
			t.Fatalf("%q: %v", code, err)
		}
	})
}

// FuzzValidPartitaIVA checks, from the table's codes, that no input
// panics and that an accepted code is 11 digits with its check digit.
func FuzzValidPartitaIVA(f *testing.F) {
	for _, tt := range partitaIVACases {
		f.Add(tt.code)
	}
	f.Fuzz(func(t *testing.T, code string) {
		err := sportello.ValidPartitaIVA(code)
		if err == nil {
			if len(code) != 11 || strings.Trim(code, "0123456789") != "" || sportello.PartitaIVACheck(code[:10]) != code[10] {
				t.Fatalf("accepted %q", code)
			}
		} else if sportello.ErrorCode(err) != sportello.EINVALID {
			t.Fatalf("%q: %v", code, err)
		}
	})
}
