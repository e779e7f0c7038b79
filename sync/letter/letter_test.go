package letter_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/letter"
)

// PDFText runs pdftotext on a PDF and returns its text; without pdftotext
// the test is skipped, or fails under SPORTELLO_REQUIRE_REAL=1.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("SPORTELLO_REQUIRE_REAL") == "1" {
			t.Fatalf("pdftotext is not installed (poppler-utils): %v", err)
		}
		t.Skipf("pdftotext is not installed: %v", err)
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestRender(t *testing.T) {
	// 23:30 UTC on 30 November is 00:30 on 1 December in Rome.
	at := time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)
	pdf, err := letter.Render(letter.Letter{
		City: "Comune di Milano", Office: "Milano Semplice – 020202", OfficeAddress: "Via Larga 12, 20122 Milano", Place: "Milano",
		Name: "Niccolò Sforza", Address: "Corso di Porta Romana 3\n20122 Milano MI",
		Date: at, Reference: "PR-2E3F4A5B", Subject: "TARI – rimborso",
		Text:   "La sua richiesta è stata accolta: il rimborso di 120 € arriverà entro trenta giorni.\n\nPerché? Perché l'importo era già stato versato.",
		Author: "Luca Esposito", Signature: "Area Tributi – Comune di Milano",
		Language: sportello.LangItalian,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(20, len(pdf))])
	}
	text := pdfText(t, pdf)
	for _, want := range []string{
		"Comune di Milano", "Niccolò Sforza", "Corso di Porta Romana 3", "20122 Milano MI",
		"Milano, 1 dicembre 2026", "Riferimento: PR-2E3F4A5B", "Oggetto: TARI – rimborso",
		"è stata accolta", "120 €", "Perché", "l'importo", "Gentile Niccolò Sforza,", "Cordiali saluti,", "Luca Esposito",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter lacks %q; pdftotext gave:\n%s", want, text)
		}
	}
}

func TestRender_English(t *testing.T) {
	pdf, err := letter.Render(letter.Letter{City: "Comune di Milano", Name: "Jane Doe", Address: "Via Roma 1, 20100 Milano",
		Date: time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC), Reference: "PR-1", Text: "Your card is ready.", Author: "Luca", Language: sportello.LangEnglish})
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"Dear Jane Doe,", "29 March 2026", "Reference: PR-1", "Via Roma 1", "20100 Milano", "Kind regards,"} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter lacks %q; pdftotext gave:\n%s", want, text)
		}
	}
}
