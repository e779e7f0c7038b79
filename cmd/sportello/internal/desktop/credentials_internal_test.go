package desktop

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sportello/sportello/softphone"
)

// TestMain_SaveSIPPassword: -save-sip-password stores SPORTELLO_SIP_PASSWORD
// encrypted and puts only its reference in config.json (other settings
// kept, a stray sip_password dropped); the next start, without the
// variable, has the password; a spoiled key file stops the start with a
// clear error instead of registering with a wrong password.
func TestMain_SaveSIPPassword(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.json")
	cfg := `{"registrar": "sip:pbx.city.example", "sip_user": "1001", "title": "Sportello Nord", "sip_password": "old"}`
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SPORTELLO_SIP_PASSWORD", "s3cret-1001")
	m := NewMain()
	if err := m.ParseFlags([]string{"-data", dir, "-save-sip-password"}, &bytes.Buffer{}); err != nil {
		t.Fatalf("ParseFlags: %v", err)
	}
	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "s3cret") || strings.Contains(string(raw), `"old"`) {
		t.Fatalf("config.json holds a password:\n%s", raw)
	}
	var saved map[string]any
	if err := json.Unmarshal(raw, &saved); err != nil {
		t.Fatal(err)
	}
	if saved["sip_password_ref"] != "1001@pbx.city.example" || saved["title"] != "Sportello Nord" {
		t.Fatalf("config.json = %s", raw)
	}

	t.Setenv("SPORTELLO_SIP_PASSWORD", "")
	m = NewMain()
	if err := m.ParseFlags([]string{"-data", dir}, &bytes.Buffer{}); err != nil {
		t.Fatalf("ParseFlags after saving: %v", err)
	}
	if m.Config.sipPassword != "s3cret-1001" {
		t.Fatalf("password read back %q", m.Config.sipPassword)
	}

	if err := os.WriteFile(softphone.OpenCredentials(dir).KeyPath, bytes.Repeat([]byte{7}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	err = NewMain().ParseFlags([]string{"-data", dir}, &bytes.Buffer{})
	if !errors.Is(err, softphone.ErrCredentialsLocked) {
		t.Fatalf("start with another key: %v, want ErrCredentialsLocked", err)
	}
	t.Logf("error: %v", err)
}

// TestMain_SIPSecurityFlags: TLS needs both certificate and key, SRTP
// modes are checked, and the settings become softphone options.
func TestMain_SIPSecurityFlags(t *testing.T) {
	dir := t.TempDir()
	if err := NewMain().ParseFlags([]string{"-data", dir, "-srtp", "always"}, &bytes.Buffer{}); !errors.Is(err, softphone.ErrBadSRTPMode) {
		t.Fatalf("-srtp always: %v", err)
	}
	if err := NewMain().ParseFlags([]string{"-data", dir, "-sip-tls-cert", "x.pem"}, &bytes.Buffer{}); err == nil {
		t.Fatal("-sip-tls-cert without -sip-tls-key accepted")
	}
	m := NewMain()
	if err := m.ParseFlags([]string{"-data", dir, "-srtp", "required", "-sip-tls-cert", "missing.pem", "-sip-tls-key", "missing.key"}, &bytes.Buffer{}); err != nil {
		t.Fatalf("ParseFlags: %v", err)
	}
	if _, err := m.Config.sipSecurity(); err == nil || !strings.Contains(err.Error(), "load SIP TLS certificate") {
		t.Fatalf("missing certificate: %v", err)
	}
	m.Config.SIPTLSCert, m.Config.SIPTLSKey = "", ""
	if opts, err := m.Config.sipSecurity(); err != nil || len(opts) != 1 {
		t.Fatalf("SRTP only: %d options, %v", len(opts), err)
	}
}
