package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	main "github.com/sportello/sportello/cmd/syncd"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/mail"
	"github.com/sportello/sportello/sync/mail/mailtest"
)

// TestMain_MailRelay serves the demo city with the relay given by flags
// (a real aiosmtpd): a specialist claims a case of their queue and
// replies by email through the client; the relay gets it.
func TestMain_MailRelay(t *testing.T) {
	smtp := mailtest.Start(t)
	srv, _ := newMain("")
	run(t, srv, "serve", "--listen", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "syncd.db"), "--demo",
		"--smtp-host", smtp.Host, "--smtp-port", strconv.Itoa(smtp.Port), "--smtp-tls", "none",
		"--smtp-from", "Comune di Milano <sportello@comune.milano.it>", "--smtp-timeout", "10s")
	s, ok := srv.Server.Mail.(*mail.SMTP)
	if !ok || s.Host != smtp.Host || s.Port != smtp.Port || s.TLS != mail.TLSNone || s.Timeout != 10*time.Second {
		t.Fatalf("the server's relay is %#v", srv.Server.Mail)
	}

	c := client.New(srv.Server.URL(), nil)
	if _, err := c.Login(ctx(t), "specialista", demo.Password); err != nil {
		t.Fatal(err)
	}
	queue, err := c.Queue(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var k *sportello.Case
	for _, q := range queue {
		if q.Status == sportello.StatusEscalated {
			k = q
			break
		}
	}
	if k == nil {
		t.Fatalf("no waiting case in the demo specialist's queue of %d", len(queue))
	}
	if _, err := c.CaseAction(ctx(t), k.ID, sportello.CaseEvent{Kind: sportello.EventClaimed}); err != nil {
		t.Fatal(err)
	}
	res, err := c.Reply(ctx(t), k.ID, sportello.ReplyRequest{Channel: sportello.ReplyEmail, To: "cittadino@example.it", Text: "La pratica è definita."})
	if err != nil {
		t.Fatal(err)
	}
	m := smtp.Wait(t, 1, 5*time.Second)[0]
	if m.RcptTo[0] != "cittadino@example.it" || !strings.Contains(m.Subject, sportello.CaseReference(k.ID)) ||
		!strings.Contains(m.Text, "La pratica è definita.") || !strings.Contains(m.Text, "Luca Esposito") {
		t.Fatalf("received %+v", m)
	}
	if res.Event.Kind != sportello.EventReplied || res.Event.Number != "cittadino@example.it" {
		t.Fatalf("reply event %+v", res.Event)
	}
}

// TestMain_MailSettings: the relay from the config file, the password
// from the environment, and the settings syncd refuses.
func TestMain_MailSettings(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "syncd.json")
	os.WriteFile(cfg, []byte(`{"db":"x.db","mail":{"host":"smtp.comune.it","port":2525,"username":"sportello","tls":"opportunistic","from":"sportello@comune.it"}}`), 0o600)
	t.Setenv(main.EnvSMTPPassword, "segreta")
	m, _ := newMain("")
	if err := m.ParseFlags(context.Background(), []string{"serve", "--config", cfg, "--smtp-port", "587"}); err != nil {
		t.Fatal(err)
	}
	if got := m.Mail; got.Host != "smtp.comune.it" || got.Port != 587 || got.Username != "sportello" || got.Password != "segreta" || got.TLS != "opportunistic" {
		t.Fatalf("mail settings %+v", got)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--smtp-host", "h", "--smtp-from", "nobody"}, "not an email address"},
		{[]string{"--smtp-host", "h", "--smtp-from", "a@comune.it", "--smtp-tls", "maybe"}, "unknown STARTTLS policy"},
		{[]string{"--smtp-host", "h", "--smtp-from", "a@comune.it", "--smtp-timeout", "soon"}, "not a duration"},
		{[]string{"--smtp-from", "a@comune.it"}, "name the SMTP relay"},
	} {
		m, _ := newMain("")
		err := m.ParseFlags(context.Background(), append([]string{"serve", "--db", "x.db"}, tc.args...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
}
