package desktop_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/cmd/sportello/internal/desktop"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
)

func TestMain_Help(t *testing.T) {
	var out bytes.Buffer
	err := desktop.NewMain().ParseFlags([]string{"-h"}, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	for _, f := range []string{"-data", "-sip", "-server", "-config", "-lang", "-theme", "-text-scale", "-registrar", "-sip-user", "SPORTELLO_SIP_PASSWORD"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("sportello -h does not list %s:\n%s", f, out.String())
		}
	}
}

func TestMain_ParseFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		err  string
	}{
		{"Defaults", nil, ""},
		{"BadTheme", []string{"-theme", "neon"}, `theme "neon"`},
		{"BadScale", []string{"-text-scale", "9"}, "text scale 9"},
		{"Extra", []string{"stray"}, `unexpected argument "stray"`},
		{"MissingConfig", []string{"-config", "/nonexistent/sportello.json"}, "config:"},
		{"RegistrarWithoutUser", []string{"-registrar", "sip:127.0.0.1:5070"}, "give the phone's user with -sip-user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := desktop.NewMain()
			err := m.ParseFlags(append([]string{"-data", t.TempDir()}, tc.args...), &bytes.Buffer{})
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if m.Config.SIPListen != "127.0.0.1:5060" || m.Config.Zone != "Europe/Rome" || m.Config.ServerURL != "" {
					t.Fatalf("defaults = %+v", m.Config)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error = %v, want %q", err, tc.err)
			}
		})
	}
}

// TestMain_SyncdUnreachableAtStart: pointed at a syncd that is not up, the
// desktop says so in the sign-in dialog and keeps trying; when syncd comes
// up it signs in by itself.
func TestMain_SyncdUnreachableAtStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now

	a := test.NewTempApp(t)
	if err := desktop.SetupLanguage("en"); err != nil {
		t.Fatal(err)
	}
	m := desktop.NewMain()
	m.Config.DataDir = t.TempDir()
	m.Config.SIPListen = "off"
	m.Config.ServerURL = "http://" + addr
	m.Config.Username = "operatore"
	m.Config.SetPassword(demo.Password)
	m.RetryEvery = 200 * time.Millisecond
	if err := m.Run(ctx, a); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	w := m.Desktop.Window
	w.Show()
	apptest.WaitText(t, w, 10*time.Second, fmt.Sprintf("syncd is unreachable: syncd unreachable at http://%s", addr), "retrying at")

	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Seed(ctx, demo.Generate(1, time.Now().UTC())); err != nil {
		t.Fatal(err)
	}
	srv := server.New(db, nil)
	srv.Addr = addr
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	apptest.WaitText(t, w, 10*time.Second, "Giulia Bianchi (operator)", "syncd: online")
}

// TestMain_RegistrarFlags: the registrar and the SIP user come from the
// config file or the flags, flags first. (That the SIP password is never
// read from the file is TestEndToEnd_SIPPasswordNotFromConfigFile's.)
func TestMain_RegistrarFlags(t *testing.T) {
	dir := t.TempDir()
	cfg := `{"registrar": "sip:pbx.city.example", "sip_user": "1001"}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	m := desktop.NewMain()
	if err := m.ParseFlags([]string{"-data", dir, "-sip-user", "1002"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if m.Config.Registrar != "sip:pbx.city.example" || m.Config.SIPUser != "1002" {
		t.Fatalf("config = %+v", m.Config)
	}
}
