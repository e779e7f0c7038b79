// Package desktop wires the Sportello desktop from its configuration: the
// embedded syncd (or a remote one), the sync client, the softphone and the
// Fyne UI. It never creates the Fyne app itself, so tests run it on Fyne's
// headless test driver.
package desktop

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
)

// Config is the desktop's configuration: a JSON file in the data directory
// (config.json), then flags, then environment overrides.
type Config struct {
	DataDir   string  `json:"data_dir"`
	SIPListen string  `json:"sip_listen"` // UDP address, "off" for none
	Registrar string  `json:"registrar"`  // SIP registrar URI, e.g. "sip:pbx.city.example:5060"; empty: direct calls only
	SIPUser   string  `json:"sip_user"`   // the phone's user at the registrar, e.g. "1001" or "1001@pbx.city.example"
	ServerURL string  `json:"server_url"` // empty: the embedded syncd
	Username  string  `json:"username"`   // prefilled; with SPORTELLO_PASSWORD, signs in by itself
	Lang      string  `json:"lang"`       // "it", "en" or "" for the system's
	Zone      string  `json:"zone"`       // the office's time zone
	Title     string  `json:"title"`
	Theme     string  `json:"theme"`      // "default" or "high-contrast"
	TextScale float32 `json:"text_scale"` // 1 is normal size

	// SIP over TLS when SIPTLSCert and SIPTLSKey (PEM files) are set,
	// trusting the CAs of SIPTLSCA (empty: the system's); SRTP is "off",
	// "optional" or "required" (softphone.ParseSRTPMode).
	SIPTLSCert string `json:"sip_tls_cert"`
	SIPTLSKey  string `json:"sip_tls_key"`
	SIPTLSCA   string `json:"sip_tls_ca"`
	SRTP       string `json:"srtp"`
	// SIPPasswordRef names the SIP password in the encrypted credential
	// store of the data directory (softphone.Credentials); the password
	// itself is never in this file.
	SIPPasswordRef string `json:"sip_password_ref"`
	// Codecs are the phone's audio codecs in order of preference, by SDP
	// name: PCMU, PCMA, G722 and, in builds with the opus tag, opus
	// (softphone.CheckCodecs); empty means DefaultCodecs (codecs.go).
	Codecs []string `json:"codecs"`
	Sound           // microphone, speaker, ring device (sound.go)

	password    string // only from the environment, never from a file
	sipPassword string // likewise: SPORTELLO_SIP_PASSWORD
}

// DefaultConfig returns the embedded default.
func DefaultConfig() Config {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		dir = d
	} else if home, err := os.UserHomeDir(); err == nil && filepath.Separator == '/' {
		dir = filepath.Join(home, ".local", "share")
	}
	return Config{
		DataDir:   filepath.Join(dir, "sportello"),
		SIPListen: "127.0.0.1:5060",
		Zone:      "Europe/Rome",
	}
}

// Main is the desktop program, started in-process by tests.
type Main struct {
	Config Config
	Logger *slog.Logger

	// Embedded is the in-process syncd when no server is configured.
	Embedded *server.Server
	Client   *client.Client
	Phone    *softphone.Phone
	Desktop  *app.Desktop

	// RetryEvery is how often sign-in is retried while syncd is unreachable.
	RetryEvery time.Duration

	db      *sqlite.DB
	replica *sqlite.Replica
	cancel  context.CancelFunc
	sound   *sound // sound.go
	// configPath is the config file ParseFlags read or would have: the
	// Settings dialog writes there (settings.go).
	configPath string
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main {
	return &Main{Config: DefaultConfig(), Logger: slog.Default()}
}

// ParseFlags reads the config file and the flags (args without the program name).
func (m *Main) ParseFlags(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("sportello", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: sportello [flags]\n\nThe Sportello agent desktop. With no -server it starts syncd in-process\non an SQLite file in the data directory, with demo data, and signs in\nas the demo operator.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	configPath := fs.String("config", "", "config file (JSON; default DATA/config.json when it exists)")
	data := fs.String("data", m.Config.DataDir, "data directory (embedded syncd database, settings)")
	sip := fs.String("sip", m.Config.SIPListen, "softphone SIP listen address (UDP host:port, port 0 picks one; \"off\" for no phone)")
	registrar := fs.String("registrar", m.Config.Registrar, "SIP registrar to register with, e.g. sip:pbx.city.example:5060 (empty: no registration, direct calls only)")
	sipUser := fs.String("sip-user", m.Config.SIPUser, "the phone's user at the registrar, e.g. 1001 (the password is read from SPORTELLO_SIP_PASSWORD, never from the config file)")
	sipTLSCert := fs.String("sip-tls-cert", m.Config.SIPTLSCert, "PEM certificate of the softphone: SIP over TLS instead of UDP (with -sip-tls-key)")
	sipTLSKey := fs.String("sip-tls-key", m.Config.SIPTLSKey, "PEM private key of -sip-tls-cert")
	sipTLSCA := fs.String("sip-tls-ca", m.Config.SIPTLSCA, "PEM CAs trusted for SIP over TLS (empty: the system's)")
	srtp := fs.String("srtp", m.Config.SRTP, "SRTP (SDES) for call audio: off, optional or required")
	saveSIPPassword := fs.Bool("save-sip-password", false, "store SPORTELLO_SIP_PASSWORD encrypted in the data directory and its reference in the config file, so later starts need no environment variable")
	srv := fs.String("server", m.Config.ServerURL, "syncd URL, e.g. https://syncd.example:8443 (empty: embedded syncd with demo data)")
	user := fs.String("user", m.Config.Username, "username to prefill (the password is asked, or read from SPORTELLO_PASSWORD)")
	lng := fs.String("lang", m.Config.Lang, "UI language: it or en (default: the system's, Italian when neither)")
	zone := fs.String("zone", m.Config.Zone, "the office's time zone")
	thm := fs.String("theme", m.Config.Theme, "look: default or high-contrast")
	scale := fs.Float64("text-scale", 1, "text size, 1 is normal (e.g. 1.25, 1.5)")
	applySound := m.Config.Sound.soundFlags(fs) // sound.go
	applyCodecs := m.Config.codecsFlag(fs)      // codecs.go
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	// The config file sits under the flags: read it, then re-apply the flags given.
	path := *configPath
	if path == "" {
		path = filepath.Join(*data, "config.json")
	}
	m.configPath = path // settings.go
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &m.Config); err != nil {
			return fmt.Errorf("config %s: %w", path, err)
		}
	} else if *configPath != "" {
		return fmt.Errorf("config: %w", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	apply := func(name string, dst *string, v string) {
		if set[name] || *dst == "" {
			*dst = v
		}
	}
	apply("data", &m.Config.DataDir, *data)
	applySound(set)
	if err := applyCodecs(set); err != nil {
		return err
	}
	apply("sip", &m.Config.SIPListen, *sip)
	apply("registrar", &m.Config.Registrar, *registrar)
	apply("sip-user", &m.Config.SIPUser, *sipUser)
	apply("sip-tls-cert", &m.Config.SIPTLSCert, *sipTLSCert)
	apply("sip-tls-key", &m.Config.SIPTLSKey, *sipTLSKey)
	apply("sip-tls-ca", &m.Config.SIPTLSCA, *sipTLSCA)
	apply("srtp", &m.Config.SRTP, *srtp)
	if _, err := softphone.ParseSRTPMode(m.Config.SRTP); err != nil {
		return fmt.Errorf("srtp: %w", err)
	}
	if (m.Config.SIPTLSCert == "") != (m.Config.SIPTLSKey == "") {
		return fmt.Errorf("SIP over TLS needs both -sip-tls-cert and -sip-tls-key")
	}
	apply("server", &m.Config.ServerURL, *srv)
	apply("user", &m.Config.Username, *user)
	apply("lang", &m.Config.Lang, *lng)
	apply("zone", &m.Config.Zone, *zone)
	apply("theme", &m.Config.Theme, *thm)
	if set["text-scale"] || m.Config.TextScale == 0 {
		m.Config.TextScale = float32(*scale)
	}
	if m.Config.Theme != "" && m.Config.Theme != "default" && m.Config.Theme != "high-contrast" {
		return fmt.Errorf("theme %q: choose default or high-contrast", m.Config.Theme)
	}
	if m.Config.TextScale < 0.5 || m.Config.TextScale > 3 {
		return fmt.Errorf("text scale %v: choose between 0.5 and 3", m.Config.TextScale)
	}
	if v := os.Getenv("SPORTELLO_SERVER"); v != "" && !set["server"] {
		m.Config.ServerURL = v
	}
	if m.Config.Registrar != "" && m.Config.SIPUser == "" {
		return fmt.Errorf("registrar %s: give the phone's user with -sip-user", m.Config.Registrar)
	}
	m.Config.password = os.Getenv("SPORTELLO_PASSWORD")
	m.Config.sipPassword = os.Getenv("SPORTELLO_SIP_PASSWORD")
	if *saveSIPPassword {
		if err := m.SaveSIPPassword(path, m.Config.sipPassword); err != nil {
			return err
		}
	}
	return m.Config.loadSIPPassword()
}

// SetPassword gives the password for signing in without the dialog (tests, kiosks).
func (c *Config) SetPassword(p string) { c.password = p }

// SetSIPPassword gives the phone's digest password at the registrar
// (SPORTELLO_SIP_PASSWORD does it for the program; never a config file).
func (c *Config) SetSIPPassword(p string) { c.sipPassword = p }

// SetupLanguage chooses the UI language before Fyne loads translations:
// the setting, else the system's when it is Italian or English, else Italian.
func SetupLanguage(setting string) error {
	l := strings.ToLower(setting)
	if l == "" {
		sys := strings.ToLower(os.Getenv("LANGUAGE") + os.Getenv("LC_ALL") + os.Getenv("LC_MESSAGES") + os.Getenv("LANG"))
		switch {
		case strings.HasPrefix(sys, "it"):
			l = "it"
		case strings.HasPrefix(sys, "en"):
			l = "en"
		default:
			l = "it"
		}
	}
	if l != "it" && l != "en" {
		return fmt.Errorf("language %q: choose it or en", setting)
	}
	// Fyne's lang package reads the locale from these variables.
	os.Setenv("LANGUAGE", l)
	return app.LoadTranslations()
}

// Run starts the parts and builds the window on a; it does not show it.
func (m *Main) Run(ctx context.Context, a fyne.App) error {
	ctx, m.cancel = context.WithCancel(ctx)
	cfg := m.Config
	loc, err := time.LoadLocation(cfg.Zone)
	if err != nil {
		return fmt.Errorf("time zone %q: %w", cfg.Zone, err)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}

	serverURL := cfg.ServerURL
	username, password := cfg.Username, cfg.password
	replicaName := "replica-" + fileSafe(serverURL) + ".db"
	if serverURL == "" {
		replicaName = "replica-embedded.db"
		if serverURL, err = m.startEmbedded(ctx); err != nil {
			return err
		}
		if username == "" {
			username, password = "operatore", demo.Password
		}
	}
	m.Client = client.New(serverURL, m.Logger.With("subsystem", "sync"))
	// The replica keeps the outbox and the cards last seen, so the desktop
	// works while syncd is unreachable. One file per syncd: a desktop
	// pointed elsewhere does not mix two cities' data.
	m.replica = sqlite.NewReplica(filepath.Join(cfg.DataDir, replicaName))
	if err := m.replica.Open(); err != nil {
		return err
	}
	m.Client.Replica = m.replica

	if cfg.SIPListen != "" && cfg.SIPListen != "off" {
		opts := []softphone.Option{softphone.WithListenAddr(cfg.SIPListen), softphone.WithLogger(m.Logger.With("subsystem", "sip"))}
		sipSecurity, err := cfg.sipSecurity()
		if err != nil {
			return err
		}
		opts = append(opts, sipSecurity...)
		if cfg.Registrar != "" {
			opts = append(opts, softphone.WithRegistrar(cfg.Registrar, cfg.SIPUser, cfg.sipPassword))
		}
		// Call recordings (Record) go next to the desktop's data.
		recordings := filepath.Join(cfg.DataDir, "recordings")
		if err := os.MkdirAll(recordings, 0o700); err != nil {
			return fmt.Errorf("recordings directory: %w", err)
		}
		opts = append(opts, softphone.WithRecordDir(recordings))
		m.sound = openSound(cfg.Sound, m.Logger.With("subsystem", "sound")) // sound.go
		opts = append(opts, softphone.WithAudio(m.sound.devices))
		if len(cfg.Codecs) > 0 {
			opts = append(opts, softphone.WithCodecs(cfg.Codecs...)) // checked by ParseFlags (codecs.go)
		}
		m.Phone = softphone.New(opts...)
		if err := m.Phone.Start(ctx); err != nil {
			return fmt.Errorf("softphone on %s: %w", cfg.SIPListen, err)
		}
	}

	acfg := app.Config{
		Citizens:  m.Client,
		Cases:     m.Client,
		Sync:      m.Client,
		KB:        m.Client,
		Directory: m.Client,
		Edits:     m.Client, // editing the knowledge base (app/kbedit.go)
		Desks:     m.Client,
		Presence:  m.Client,
		Board:     m.Client,
		// Raised hands and acting from the board (app/boardact.go).
		Hands:        m.Client,
		BoardActions: m.Client,
		Callbacks:    m.Client,
		Replies:      m.Client, // replies by email and letter (app/replies.go)
		Auth:         m.Client,
		// Who is available at the desks (Rubrica), the KB usefulness tab.
		Availability: m.Client,
		Usefulness:   m.Client,
		Appointments: m.Client, // online only (app/appointments.go)
		Reports:      m.Client, // supervisors' reports, online only (app/reports.go)
		Identity:     m.Client, // register, edit, merge citizens, online only (app/citizenedit.go)
		ServerURL:    serverURL,
		Location:     loc,
		Logger:       m.Logger,
		Title:        cfg.Title,
		RetryEvery:   m.RetryEvery,
		OnSignedIn: func(_ context.Context, u *sportello.User) error {
			m.Logger.Info("signed in", "agent", u.Username, "server", serverURL)
			go m.syncKB(ctx)
			go m.syncDirectory(ctx)
			return m.Client.Open(ctx) // lives as long as the desktop, not the sign-in
		},
	}
	if m.Phone != nil {
		acfg.Phone = m.Phone
		acfg.Ringer, acfg.NoSound = m.sound.ringer, m.sound.failed // sound.go
		acfg.AlertSound = m.sound.alert                            // the board's alert on the speaker (alert.go)
	}
	// Sign-in goes through the desktop's dialog, which retries while syncd
	// is unreachable; with a password given it needs no typing.
	acfg.Username, acfg.Password = username, password
	// The Settings dialog (app/settings.go) edits config.json (settings.go).
	acfg.Settings, acfg.SaveSettings, acfg.SoundDevices = m.appSettings(), m.saveSettings, m.soundDevices
	a.Settings().SetTheme(&app.Theme{HighContrast: cfg.Theme == "high-contrast", TextScale: cfg.TextScale})
	m.Desktop = app.Create(a, acfg)
	return nil
}

// startEmbedded opens the SQLite store in the data directory, seeds it with
// the demo city on first start, and serves syncd on a loopback port.
func (m *Main) startEmbedded(ctx context.Context) (string, error) {
	m.db = sqlite.New(filepath.Join(m.Config.DataDir, "syncd.db"))
	if err := m.db.Open(); err != nil {
		return "", fmt.Errorf("open embedded store: %w", err)
	}
	empty, err := m.db.IsEmpty(ctx)
	if err != nil {
		return "", err
	}
	if empty {
		m.Logger.Info("seeding demo data", "db", m.db.Path())
		if err := m.db.Seed(ctx, demo.Generate(1, time.Now().UTC())); err != nil {
			return "", fmt.Errorf("seed demo data: %w", err)
		}
	}
	m.Embedded = server.New(m.db, m.Logger.With("subsystem", "syncd"))
	m.Embedded.Addr = "127.0.0.1:0"
	if err := m.Embedded.Open(); err != nil {
		return "", fmt.Errorf("start embedded syncd: %w", err)
	}
	return m.Embedded.URL(), nil
}

// Close stops everything Run started.
func (m *Main) Close() error {
	var errs []error
	if m.Desktop != nil {
		m.Desktop.Close()
	}
	if m.cancel != nil {
		m.cancel()
	}
	if m.Phone != nil {
		errs = append(errs, m.Phone.Close())
	}
	if m.sound != nil {
		errs = append(errs, m.sound.close())
	}
	if m.Client != nil {
		errs = append(errs, m.Client.Close())
	}
	if m.replica != nil {
		errs = append(errs, m.replica.Close())
	}
	if m.Embedded != nil {
		errs = append(errs, m.Embedded.Close())
	}
	if m.db != nil {
		errs = append(errs, m.db.Close())
	}
	return errors.Join(errs...)
}

// fileSafe turns a URL into a file-name part: "http://127.0.0.1:8080" ->
// "127.0.0.1_8080".
func fileSafe(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			return r
		}
		return '_'
	}, u)
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func FreeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

// syncDirectory copies the transfer directory into the replica.
func (m *Main) syncDirectory(ctx context.Context) {
	if err := m.Client.SyncDirectory(ctx); err != nil {
		m.Logger.Warn("transfer directory not copied: searching what this desktop kept", "error", err)
	}
}

// syncKB copies the knowledge base into the replica, showing progress.
func (m *Main) syncKB(ctx context.Context) {
	err := m.Client.SyncKB(ctx, func(done, total int) {
		if m.Desktop != nil {
			m.Desktop.Progress("Information", done, total)
		}
	})
	if err != nil {
		m.Logger.Warn("knowledge base not copied: searching what this desktop kept", "error", err)
	}
}
