package main_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	main "github.com/sportello/sportello/cmd/syncd"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/wire"
)

// trusting returns an HTTP client and a WebSocket dialer that trust only
// the certificate in certFile.
func trusting(t *testing.T, certFile string) (*http.Client, *websocket.Dialer) {
	t.Helper()
	pem, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", certFile)
	}
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Timeout: timeout, Transport: &http.Transport{TLSClientConfig: cfg}},
		&websocket.Dialer{TLSClientConfig: cfg, HandshakeTimeout: timeout}
}

// TestMain_TLSSelfSigned serves HTTPS with a generated certificate that a
// client trusting it signs in over, HTTP and wss; a restart reuses it, and
// it serves as a "real" certificate with --tls-cert/--tls-key too.
func TestMain_TLSSelfSigned(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "syncd.db")
	m, _ := newMain("")
	run(t, m, "serve", "--listen", "127.0.0.1:0", "--db", db, "--demo", "--tls-self-signed")
	if !strings.HasPrefix(m.Server.URL(), "https://") {
		t.Fatalf("URL %s", m.Server.URL())
	}
	certFile := filepath.Join(dir, "data", server.SelfSignedCertFile)
	if m.SelfSignedCert != certFile {
		t.Fatalf("certificate at %q, want %q", m.SelfSignedCert, certFile)
	}
	if fi, err := os.Stat(filepath.Join(dir, "data", server.SelfSignedKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	first, _ := os.ReadFile(certFile)

	httpc, dialer := trusting(t, certFile)
	c := client.New(m.Server.URL(), nil)
	c.HTTP = httpc
	if _, err := c.Login(ctx(t), "operatore", demo.Password); err != nil {
		t.Fatal(err)
	}
	wsURL := strings.Replace(m.Server.URL(), "https://", "wss://", 1) + "/v1/ws?since=0"
	ws, _, err := dialer.DialContext(ctx(t), wsURL, http.Header{"Authorization": {"Bearer " + c.Token()}})
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(timeout))
	var hello wire.ServerFrame
	if err := ws.ReadJSON(&hello); err != nil || hello.Type != wire.FrameHello {
		t.Fatalf("hello over wss: %+v %v", hello, err)
	}
	ws.Close()

	// A client that does not trust the certificate is refused.
	if _, err := http.Get(m.Server.URL() + "/healthz"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusting client: %v", err)
	}
	// Plain HTTP on the TLS port gets no API.
	if resp, err := http.Get(strings.Replace(m.Server.URL(), "https://", "http://", 1) + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP was served on the TLS port")
		}
	}
	m.Close()

	// A restart reuses the certificate.
	m2, _ := newMain("")
	run(t, m2, "serve", "--listen", "127.0.0.1:0", "--db", db, "--tls-self-signed")
	if again, _ := os.ReadFile(certFile); !bytes.Equal(first, again) {
		t.Fatal("the restart made a new certificate")
	}
	resp, err := httpc.Get(m2.Server.URL() + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz after restart: %v %v", resp, err)
	}
	resp.Body.Close()
	m2.Close()

	// The same files as a real certificate from the config.
	config := filepath.Join(dir, "syncd.json")
	cfg, _ := json.Marshal(main.Config{Listen: "127.0.0.1:0", DB: db, TLSCert: certFile, TLSKey: filepath.Join(dir, "data", server.SelfSignedKeyFile)})
	if err := os.WriteFile(config, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	m3, _ := newMain("")
	run(t, m3, "serve", "--config", config)
	resp, err = httpc.Get(m3.Server.URL() + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz with --tls-cert: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestMain_UserAddDesk adds a specialist to a desk by name; an unknown
// desk adds no user.
func TestMain_UserAddDesk(t *testing.T) {
	db := filepath.Join(t.TempDir(), "syncd.db")
	seed, _ := newMain("")
	run(t, seed, "serve", "--listen", "127.0.0.1:0", "--db", db, "--demo")

	add, out := newMain("una-password-lunga\n")
	run(t, add, "user", "add", "--db", db, "--username", "anna", "--name", "Anna Neri", "--role", "specialist", "--desk", "Tributi", "--desk", "multe")
	if !strings.Contains(out.String(), "member of Tributi, multe") {
		t.Fatalf("user add said %q", out)
	}
	desks, err := add.Store.UserDesks(context.Background(), add.NewUser.ID)
	if err != nil || len(desks) != 2 {
		t.Fatalf("desks %v, %v", desks, err)
	}

	bad, _ := newMain("una-password-lunga\n")
	if err := bad.ParseFlags(context.Background(), []string{"user", "add", "--db", db, "--username", "bruno", "--name", "Bruno", "--role", "specialist", "--desk", "Astronomia"}); err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if err := bad.Run(context.Background()); err == nil || !strings.Contains(err.Error(), `no desk is called "Astronomia"`) {
		t.Fatalf("unknown desk: %v", err)
	}
	if _, err := bad.Store.Authenticate(context.Background(), "bruno", "una-password-lunga"); sportello.ErrorCode(err) != sportello.EUNAUTHORIZED {
		t.Fatalf("the user was added without its desk: %v", err)
	}
}

// TestMain_BackupAuditPurge runs the maintenance commands on a database
// that syncd is serving.
func TestMain_BackupAuditPurge(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "syncd.db")
	now := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	srv, _ := newMain("")
	srv.Now = func() time.Time { return now }
	run(t, srv, "serve", "--listen", "127.0.0.1:0", "--db", db, "--demo")
	c := client.New(srv.Server.URL(), nil)
	if _, err := c.Login(ctx(t), "operatore", demo.Password); err != nil {
		t.Fatal(err)
	}
	card, err := c.LookupCaller(ctx(t), demo.KnownCaller, "call-1, \"=cmd\"")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.LookupCaller(ctx(t), demo.KnownCaller, "=HYPERLINK(\"x\")"); err != nil {
		t.Fatal(err)
	}

	t.Run("Backup", func(t *testing.T) {
		out := filepath.Join(dir, "backups", "copy.db")
		m, _ := newMain("")
		run(t, m, "backup", "--db", db, "--out", out)
		cp := sqlite.New(out)
		if err := cp.Open(); err != nil {
			t.Fatal(err)
		}
		defer cp.Close()
		log, err := cp.AccessLog(context.Background(), card.Citizen.ID)
		if err != nil || len(log) != 2 {
			t.Fatalf("the copy's audit log: %v %v", log, err)
		}
		again, _ := newMain("")
		if err := again.ParseFlags(context.Background(), []string{"backup", "--db", db, "--out", out}); err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		if err := again.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "exists") {
			t.Fatalf("backup over a file: %v", err)
		}
	})

	t.Run("AuditExport", func(t *testing.T) {
		m, out := newMain("")
		run(t, m, "audit", "export", "--db", db, "--citizen", card.Citizen.ID)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 2 {
			t.Fatalf("jsonl export:\n%s", out)
		}
		var e wire.AccessEntry
		if err := json.Unmarshal([]byte(lines[0]), &e); err != nil || e.Reason != "call-1, \"=cmd\"" || e.CitizenID != card.Citizen.ID || e.UserID == "" {
			t.Fatalf("first line %s: %+v %v", lines[0], e, err)
		}

		m, out = newMain("")
		run(t, m, "audit", "export", "--db", db, "--citizen", card.Citizen.ID, "--format", "csv")
		rows, err := csv.NewReader(out).ReadAll()
		if err != nil || len(rows) != 3 || rows[0][0] != "at" || rows[1][4] != "call-1, \"=cmd\"" || rows[2][4] != "'=HYPERLINK(\"x\")" {
			t.Fatalf("csv export %q, %v", rows, err)
		}

		m, out = newMain("")
		run(t, m, "audit", "export", "--db", db, "--citizen", "nobody")
		if out.Len() != 0 {
			t.Fatalf("export of an unknown citizen: %q", out)
		}
	})

	t.Run("Purge", func(t *testing.T) {
		// The demo's resolved cases are up to 180 days old.
		_, err := srv.Store.Case(context.Background(), card.Cases[len(card.Cases)-1].ID)
		if err != nil {
			t.Fatal(err)
		}
		m, out := newMain("")
		m.Now = func() time.Time { return now }
		run(t, m, "purge", "--db", db, "--older-than", "30d")
		if !strings.Contains(out.String(), "purged ") || strings.Contains(out.String(), "purged 0 ") {
			t.Fatalf("purge said %q", out)
		}
		after, err := c.LookupCaller(ctx(t), demo.KnownCaller, "call-2")
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range after.Cases {
			if k.Status == sportello.StatusResolved && k.UpdatedAt.Before(now.Add(-30*24*time.Hour)) {
				t.Fatalf("case %s resolved %s was kept", k.ID, k.UpdatedAt)
			}
		}
		if len(after.OpenCases()) != len(card.OpenCases()) {
			t.Fatalf("open cases %d, were %d", len(after.OpenCases()), len(card.OpenCases()))
		}
		log, _ := srv.Store.AccessLog(context.Background(), card.Citizen.ID)
		if len(log) != 3 {
			t.Fatalf("audit log after purge has %d rows, want 3", len(log))
		}
	})
}
