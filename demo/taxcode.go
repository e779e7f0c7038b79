package demo

import (
	"fmt"
	"strings"
	"time"
)

// monthLetters are the codice fiscale's letters for January..December.
const monthLetters = "ABCDEHLMPRST"

// oddValues are the values of 0-9 then A-Z in the odd (1st, 3rd, ...)
// positions of a codice fiscale; in even positions a digit is worth itself
// and a letter its place in the alphabet (A=0).
var oddValues = [36]int{
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0-9
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // A-J
	2, 4, 18, 20, 11, 3, 6, 8, 12, 14, // K-T
	16, 10, 22, 25, 24, 23, // U-Z
}

// codiceFiscale encodes a person's codice fiscale: surname, name, birth
// date and sex, the cadastral code of the birth municipality and the check
// character. Homocody (omocodia) is left to the caller, which avoids
// duplicates instead.
func codiceFiscale(surname, name string, birth time.Time, female bool, municipality string) string {
	day := birth.Day()
	if female {
		day += 40
	}
	body := fmt.Sprintf("%s%s%02d%c%02d%s",
		surnameCode(surname), nameCode(name),
		birth.Year()%100, monthLetters[birth.Month()-1], day, municipality)
	return body + string(checkCharacter(body))
}

// checkCharacter computes the 16th character of a codice fiscale from the
// first 15.
func checkCharacter(body string) byte {
	sum := 0
	for i := range len(body) {
		v := alnumIndex(body[i])
		if i%2 == 0 {
			sum += oddValues[v]
		} else if v < 10 {
			sum += v
		} else {
			sum += v - 10
		}
	}
	return byte('A' + sum%26)
}

// alnumIndex maps 0-9 to 0-9 and A-Z to 10-35.
func alnumIndex(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	return int(c-'A') + 10
}

// surnameCode takes the surname's consonants, then its vowels, then X.
func surnameCode(surname string) string {
	cons, vows := splitLetters(surname)
	return (cons + vows + "XXX")[:3]
}

// nameCode is like surnameCode, except that a name with four or more
// consonants gives its first, third and fourth.
func nameCode(name string) string {
	cons, vows := splitLetters(name)
	if len(cons) >= 4 {
		return cons[:1] + cons[2:4]
	}
	return (cons + vows + "XXX")[:3]
}

// splitLetters returns the consonants and the vowels of s in upper case,
// dropping spaces, apostrophes and anything else that is not A-Z.
func splitLetters(s string) (consonants, vowels string) {
	var c, v strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case strings.ContainsRune("AEIOU", r):
			v.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			c.WriteRune(r)
		}
	}
	return c.String(), v.String()
}

// partitaIVA completes a partita IVA from a 7-digit company number and a
// 3-digit provincial office code with its check digit (a Luhn digit).
func partitaIVA(company int, office string) string {
	body := fmt.Sprintf("%07d%s", company, office)
	sum := 0
	for i := range len(body) {
		d := int(body[i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return fmt.Sprintf("%s%d", body, (10-sum%10)%10)
}
