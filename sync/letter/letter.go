// Package letter renders a reply to a citizen as a postal letter in PDF,
// ready to print and post, with github.com/go-pdf/fpdf: the City's
// letterhead, the citizen's name and address in the window, the date in
// the office's zone, the case reference, the answer and the signature.
package letter

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Rome where the OS has no zone database

	"github.com/go-pdf/fpdf"

	"github.com/sportello/sportello"
)

// Letter is what a reply letter says.
type Letter struct {
	// City and Office head the letter, e.g. "Comune di Milano" and
	// "Milano Semplice - contact center 020202"; OfficeAddress is the
	// office's postal address and Place the town the letter is dated in.
	City, Office, OfficeAddress, Place string
	// Name and Address are the citizen's; the address may hold several
	// lines, separated by newlines or commas.
	Name, Address string
	// Date is when the reply was recorded, shown in Location.
	Date     time.Time
	Location *time.Location
	// Reference is the case's reference, Subject its subject.
	Reference, Subject string
	// Text is the answer, Author the specialist who signs it, Signature
	// the office's closing.
	Text, Author, Signature string
	// Language is sportello.LangItalian (the default) or LangEnglish.
	Language string
}

// words are a letter's fixed words per language.
var words = map[string]struct {
	months                          [12]string
	reference, subject, dear, close string
}{
	sportello.LangItalian: {
		months:    [12]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
		reference: "Riferimento", subject: "Oggetto", dear: "Gentile %s,", close: "Cordiali saluti,",
	},
	sportello.LangEnglish: {
		months:    [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		reference: "Reference", subject: "Subject", dear: "Dear %s,", close: "Kind regards,",
	},
}

// DateText renders the letter's date as written in a letter in lang, in
// loc (Europe/Rome when nil): "26 novembre 2026", "26 November 2026".
func DateText(t time.Time, loc *time.Location, lang string) string {
	if loc == nil {
		loc = rome()
	}
	w, ok := words[lang]
	if !ok {
		w = words[sportello.LangItalian]
	}
	t = t.In(loc)
	return fmt.Sprintf("%d %s %d", t.Day(), w.months[t.Month()-1], t.Year())
}

func rome() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC // time/tzdata is linked in: cannot happen
	}
	return loc
}

// Render returns the letter as a PDF (A4). Text outside Windows-1252 (the
// core fonts' code page, which holds Italian's accented letters, € and
// typographic quotes) is replaced by "?".
func Render(l Letter) ([]byte, error) {
	w, ok := words[l.Language]
	if !ok {
		l.Language = sportello.LangItalian
		w = words[l.Language]
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(l.City+" - "+l.Reference, true)
	pdf.SetAuthor(l.City, true)
	pdf.SetCreator("Sportello", false)
	pdf.SetCreationDate(l.Date.UTC())
	pdf.SetModificationDate(l.Date.UTC())
	pdf.SetMargins(25, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252
	pdf.AddPage()

	// Letterhead.
	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 8, tr(l.City), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	for _, line := range []string{l.Office, l.OfficeAddress} {
		if line != "" {
			pdf.CellFormat(0, 5, tr(line), "", 1, "L", false, 0, "")
		}
	}
	pdf.SetDrawColor(120, 120, 120)
	pdf.Line(25, pdf.GetY()+2, 190, pdf.GetY()+2)

	// The recipient, where a DL window envelope shows it.
	pdf.SetXY(110, 50)
	pdf.SetFont("Helvetica", "", 11)
	pdf.SetX(110)
	pdf.CellFormat(0, 5.5, tr(l.Name), "", 1, "L", false, 0, "")
	for _, line := range addressLines(l.Address) {
		pdf.SetX(110)
		pdf.CellFormat(0, 5.5, tr(line), "", 1, "L", false, 0, "")
	}

	// Place and date, reference and subject.
	pdf.SetXY(25, 90)
	date := DateText(l.Date, l.Location, l.Language)
	if l.Place != "" {
		date = l.Place + ", " + date
	}
	pdf.CellFormat(0, 6, tr(date), "", 1, "R", false, 0, "")
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 6, tr(w.reference+": "+l.Reference), "", 1, "L", false, 0, "")
	if l.Subject != "" {
		pdf.MultiCell(0, 6, tr(w.subject+": "+l.Subject), "", "L", false)
	}
	pdf.Ln(6)

	// The answer.
	pdf.SetFont("Helvetica", "", 11)
	if l.Name != "" {
		pdf.CellFormat(0, 6, tr(fmt.Sprintf(w.dear, l.Name)), "", 1, "L", false, 0, "")
		pdf.Ln(3)
	}
	for _, para := range strings.Split(strings.ReplaceAll(l.Text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(para) == "" {
			pdf.Ln(3)
			continue
		}
		pdf.MultiCell(0, 5.5, tr(para), "", "J", false)
	}
	pdf.Ln(8)
	pdf.CellFormat(0, 6, tr(w.close), "", 1, "L", false, 0, "")
	pdf.Ln(6)
	pdf.SetX(110)
	pdf.CellFormat(0, 6, tr(l.Author), "", 1, "L", false, 0, "")
	if l.Signature != "" {
		pdf.SetX(110)
		pdf.SetFont("Helvetica", "I", 10)
		pdf.MultiCell(0, 5, tr(l.Signature), "", "L", false)
	}

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render letter: %w", err)
	}
	return buf.Bytes(), nil
}

// addressLines splits a postal address into its lines.
func addressLines(addr string) []string {
	sep := "\n"
	if !strings.Contains(addr, "\n") {
		sep = ","
	}
	var lines []string
	for _, l := range strings.Split(addr, sep) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}
