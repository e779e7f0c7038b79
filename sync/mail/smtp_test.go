package mail_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/mail"
	"github.com/sportello/sportello/sync/mail/mailtest"
)

func TestSMTP_Send(t *testing.T) {
	srv := mailtest.Start(t)
	s := srv.SMTP("Comune di Milano <sportello@comune.milano.it>")
	err := s.Send(context.Background(), mail.Message{
		To:      []string{"niccolo.sforza@example.it"},
		Subject: "Risposta alla sua richiesta PR-2E3F4A5B: TARI – rimborso",
		Text:    "Gentile Niccolò,\n\nla sua richiesta è stata accolta: 120 €.\n",
		Attachments: []mail.Attachment{
			{Name: "lettera.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.3 fake")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Wait(t, 1, 5*time.Second)
	m := msgs[0]
	if len(m.RcptTo) != 1 || m.RcptTo[0] != "niccolo.sforza@example.it" {
		t.Errorf("envelope recipients = %q", m.RcptTo)
	}
	if m.MailFrom != "sportello@comune.milano.it" {
		t.Errorf("envelope sender = %q", m.MailFrom)
	}
	if m.Subject != "Risposta alla sua richiesta PR-2E3F4A5B: TARI – rimborso" {
		t.Errorf("subject = %q", m.Subject)
	}
	if !strings.Contains(m.Text, "la sua richiesta è stata accolta: 120 €.") || !strings.HasPrefix(m.Text, "Gentile Niccolò,") {
		t.Errorf("text = %q", m.Text)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Name != "lettera.pdf" || string(m.Attachments[0].Data) != "%PDF-1.3 fake" {
		t.Errorf("attachments = %+v", m.Attachments)
	}
	if got := m.Header.Get("Date"); got == "" {
		t.Error("no Date header")
	}
}

func TestSMTP_RelayDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now
	s := &mail.SMTP{Host: "127.0.0.1", Port: port, TLS: mail.TLSNone, From: "sportello@comune.milano.it", Timeout: 2 * time.Second}
	err = s.Send(context.Background(), mail.Message{To: []string{"a@example.it"}, Subject: "x", Text: "y"})
	if sportello.ErrorCode(err) != sportello.EUNAVAILABLE || !strings.Contains(sportello.ErrorMessage(err), "did not accept") {
		t.Fatalf("err = %v, want EUNAVAILABLE saying the relay did not accept the message", err)
	}
}

func TestSMTP_MandatoryTLSRefusesPlainRelay(t *testing.T) {
	srv := mailtest.Start(t)
	s := srv.SMTP("sportello@comune.milano.it")
	s.TLS = mail.TLSMandatory // aiosmtpd offers no STARTTLS here
	err := s.Send(context.Background(), mail.Message{To: []string{"a@example.it"}, Subject: "x", Text: "y"})
	if sportello.ErrorCode(err) != sportello.EUNAVAILABLE {
		t.Fatalf("err = %v, want EUNAVAILABLE", err)
	}
	if n := len(srv.Messages(t)); n != 0 {
		t.Fatalf("%d messages delivered without TLS", n)
	}
}

func TestSMTP_Validate(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    mail.SMTP
		code string
	}{
		{"OK", mail.SMTP{Host: "smtp.comune.it", From: "a@comune.it"}, ""},
		{"NoHost", mail.SMTP{From: "a@comune.it"}, sportello.EINVALID},
		{"BadFrom", mail.SMTP{Host: "h", From: "nobody"}, sportello.EINVALID},
		{"BadTLS", mail.SMTP{Host: "h", From: "a@comune.it", TLS: "sometimes"}, sportello.EINVALID},
		{"UserWithoutPassword", mail.SMTP{Host: "h", From: "a@comune.it", Username: "u"}, sportello.EINVALID},
		{"BadPort", mail.SMTP{Host: "h", From: "a@comune.it", Port: 70000}, sportello.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sportello.ErrorCode(tc.s.Validate()); got != tc.code && !(tc.code == "" && got == "") {
				t.Fatalf("code = %q, want %q", got, tc.code)
			}
		})
	}
}

func TestValidAddress(t *testing.T) {
	for _, ok := range []string{"mario.rossi@example.it", "a+b@sub.example.com"} {
		if err := mail.ValidAddress(ok); err != nil {
			t.Errorf("ValidAddress(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "mario", "mario@localhost", "Mario <m@example.it>", "a@example.it, b@example.it", "a@exa mple.it"} {
		if err := mail.ValidAddress(bad); sportello.ErrorCode(err) != sportello.EINVALID {
			t.Errorf("ValidAddress(%q) = %v, want EINVALID", bad, err)
		}
	}
}

func TestRenderReply(t *testing.T) {
	r := mail.Reply{Reference: "PR-2E3F4A5B", Subject: "TARI", Name: "Niccolò Sforza", Text: "Il rimborso è accolto.", Author: "Luca Esposito", Signature: "Comune di Milano"}
	subj, body, err := mail.RenderReply(sportello.LangItalian, r)
	if err != nil {
		t.Fatal(err)
	}
	if subj != "Risposta alla sua richiesta PR-2E3F4A5B: TARI" {
		t.Errorf("subject = %q", subj)
	}
	for _, want := range []string{"Gentile Niccolò Sforza,", "richiesta PR-2E3F4A5B", "Il rimborso è accolto.", "Cordiali saluti,\nLuca Esposito\nComune di Milano"} {
		if !strings.Contains(body, want) {
			t.Errorf("Italian body lacks %q:\n%s", want, body)
		}
	}
	subj, body, err = mail.RenderReply(sportello.LangEnglish, mail.Reply{Reference: "PR-1", Text: "Done.", Author: "Luca", Signature: "City of Milan"})
	if err != nil {
		t.Fatal(err)
	}
	if subj != "Reply to your request PR-1" || !strings.HasPrefix(body, "Dear citizen,") || !strings.Contains(body, "Kind regards,\nLuca\nCity of Milan") {
		t.Errorf("English: subject %q, body:\n%s", subj, body)
	}
	if _, _, err := mail.RenderReply("fr", r); sportello.ErrorCode(err) != sportello.EINVALID {
		t.Errorf("French: err = %v, want EINVALID", err)
	}
}
