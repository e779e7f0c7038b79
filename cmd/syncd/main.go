// Command syncd is Sportello's central sync server: it serves the API and
// the live change feed to the desktops, and manages its users.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	m := NewMain()
	if err := m.ParseFlags(ctx, os.Args[1:]); errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	} else if err != nil {
		fmt.Fprintln(m.Stderr, "syncd:", err)
		os.Exit(2)
	}
	if err := m.Run(ctx); err != nil {
		m.Close()
		fmt.Fprintln(m.Stderr, "syncd:", err)
		os.Exit(1)
	}
	if m.Command == CommandServe {
		<-ctx.Done()
		m.Logger.Info("shutting down")
	}
	if err := m.Close(); err != nil {
		fmt.Fprintln(m.Stderr, "syncd:", err)
		os.Exit(1)
	}
}

// Config is what a config file may set; flags override it.
type Config struct {
	Listen string `json:"listen"`
	DB     string `json:"db"`
	Demo   bool   `json:"demo"`
	// SQLiteSync is the SQLite store's synchronous setting, full (the
	// default: durable commits) or normal; PostgreSQL ignores it
	// (sqlite.SetSynchronous, store.go).
	SQLiteSync string `json:"sqlite_sync,omitempty"`
	// SQLiteCacheMB sizes the SQLite writer's page cache in MB (0:
	// SQLite's 2 MB); at a million citizens 32 MB takes the writes a
	// second up by a third for ~100 MB of memory (sqlite.SetWriterCacheMB).
	SQLiteCacheMB int `json:"sqlite_cache_mb,omitempty"`
	// MemoryLimitMB is a soft limit on syncd's Go memory in MB
	// (DefaultMemoryLimitMB unless GOMEMLIMIT is set; 0: none): the
	// collector works harder near it (memory.go).
	MemoryLimitMB int `json:"memory_limit_mb,omitempty"`
	// TLSCert and TLSKey are PEM files of a real certificate and its key.
	TLSCert string `json:"tls_cert,omitempty"`
	TLSKey  string `json:"tls_key,omitempty"`
	// TLSSelfSigned makes (once) and serves a self-signed certificate
	// kept beside the database, for development.
	TLSSelfSigned bool `json:"tls_self_signed,omitempty"`
	// Board sets the supervisor's board's SLA and thresholds; zero
	// fields keep server.BoardConfig's defaults.
	Board BoardSettings `json:"board,omitzero"`
	// SLA is the SLA per desk and category on the service hours (sla.go);
	// a pointer, as its maps make it incomparable.
	SLA *SLASettings `json:"sla,omitempty"`
	// Callbacks says when overdue callbacks go to the pool (sla.go).
	Callbacks CallbackSettings `json:"callbacks,omitzero"`
	// Mail is the SMTP relay of replies to citizens (mail.go).
	Mail MailSettings `json:"mail,omitzero"`
	// Open311 is what the Open311 endpoint says of itself and the
	// jurisdiction_id it accepts (server.Open311Config, apikey.go).
	Open311 server.Open311Config `json:"open311,omitzero"`
}

// BoardSettings is the "board" section of the config file.
type BoardSettings struct {
	SLADays       int     `json:"sla_days,omitempty"`         // business days from escalation (2)
	RiskDays      int     `json:"risk_days,omitempty"`        // at risk this many business days before (1)
	FCRTarget     float64 `json:"fcr_target,omitempty"`       // 0.8
	FCRMinWrapUps int     `json:"fcr_min_wrap_ups,omitempty"` // no FCR alert before this many wrap-ups today (10)
	// TrueFCRTarget: true first-contact resolution today (repeat
	// contacts removed) under it raises an alert (fcr_target).
	TrueFCRTarget float64 `json:"true_fcr_target,omitempty"`
	// RepeatContactDays: a wrap-up is a repeat contact when the citizen
	// had one on the same service within this many days before (7).
	RepeatContactDays int `json:"repeat_contact_days,omitempty"`
	// CallbacksOverdueAlert: more overdue callbacks raise an alert (5);
	// CallbackTarget is the share done inside the window aimed at (0.95).
	CallbacksOverdueAlert int     `json:"callbacks_overdue_alert,omitempty"`
	CallbackTarget        float64 `json:"callback_target,omitempty"`
	// DeskSLADays overrides sla_days per desk id (a pointer, as a map
	// would make the section incomparable).
	DeskSLADays *map[string]int `json:"desk_sla_days,omitempty"`
	// DebounceMS is the least time between two recomputes of the board,
	// in milliseconds (50; flag --board-debounce); PresenceTTLSeconds how
	// long another node's agents keep their state once that node is
	// silent (30).
	DebounceMS         int `json:"debounce_ms,omitempty"`
	PresenceTTLSeconds int `json:"presence_ttl_seconds,omitempty"`
	// ReadShare bounds the share of time the board spends reading the
	// store (0.03): a busy day's counts are read again less often, agents'
	// states still every debounce.
	ReadShare float64 `json:"read_share,omitempty"`
}

// DefaultListen is where syncd serve listens unless told otherwise.
const DefaultListen = "127.0.0.1:8080"

// The commands of syncd.
const (
	CommandServe       = "serve"
	CommandUserAdd     = "user add"
	CommandBackup      = "backup"
	CommandAuditExport = "audit export"
	CommandPurge       = "purge"
)

// Main is the program, so that tests run it in-process: ParseFlags, Run,
// then Close.
type Main struct {
	Config

	// Command is the command ParseFlags chose.
	Command string
	// NewUser is the user that "user add" creates, NewUserDesks its desks.
	NewUser      sportello.User
	NewUserDesks []string
	// BackupOut is the file "backup" writes.
	BackupOut string
	// AuditCitizen and AuditFormat ("jsonl" or "csv") are what "audit
	// export" writes to Stdout.
	AuditCitizen, AuditFormat string
	// PurgeOlderThan is the retention "purge" applies.
	PurgeOlderThan time.Duration
	// APIKeyName is the app "apikey add" gives a key to; APIKey the key
	// it made (apikey.go).
	APIKeyName, APIKey string
	// Open311ServicesFile is the JSON file "open311 services" imports
	// (open311.go).
	Open311ServicesFile string
	// Catalog is what "import" and "export" do (catalog.go).
	Catalog CatalogCommand
	// Report is what "report" writes (report.go).
	Report ReportCommand
	// SelfSignedCert is the certificate file serve made or reused with
	// TLSSelfSigned: what a development desktop trusts.
	SelfSignedCert string

	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Logger         *slog.Logger
	// Now dates the demo data.
	Now func() time.Time

	// Store and Server are open after Run of serve.
	Store  Store
	Server *server.Server

	stopWatch chan struct{} // ends watchMemory (memory.go); closed by Close
}

// NewMain returns a Main on the process's standard streams.
func NewMain() *Main {
	return &Main{
		Config: Config{Listen: DefaultListen, MemoryLimitMB: defaultMemoryLimitMB()}, // memory.go
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Now:    time.Now,
	}
}

const usage = `syncd is Sportello's central sync server.

Usage:

	syncd <command> [flags]

Commands:

	serve         serve the API and the live change feed
	              --listen ADDR --db PATH|postgres://URL [--config FILE] [--demo]
	              [--tls-cert FILE --tls-key FILE | --tls-self-signed]
	user add      add a user, reading the password from stdin
	              --db PATH --username U --name N --role operator|specialist|supervisor|admin
	              [--desk DESK]... (a specialist's desks, by id or name)
	backup        copy the database consistently while syncd serves
	              --db PATH --out FILE
	audit export  write a citizen's access log (GDPR Art. 15) to stdout
	              --db PATH --citizen ID [--format jsonl|csv]
	purge         remove resolved cases whose last event is older than the retention
	              --db PATH --older-than DURATION (such as 1825d, 5y, 720h)
	import        import services, offices, answers and the directory (docs/CATALOG.md), all or nothing
	              FILE... (catalog.json, services.csv, offices.csv, answers.csv, directory.csv)
	              --db PATH | --server URL --user ADMIN (password on stdin) [--table T]
	              [--retire-missing] (retire the stored entries of those tables the files do not name)
	export        export services, offices, answers and the directory
	              --db PATH | --server URL --user ADMIN (password on stdin)
	              [--format json|csv] [--table T] [--out FILE|DIR]
	report        write the daily or monthly report (Europe/Rome; docs/REPORTS.md)
	              --db PATH [--period day|month] [--date YYYY-MM-DD|YYYY-MM]
	              [--format csv|pdf|json] [--lang it|en] [--out FILE]
	apikey add    give a city app an api_key for the Open311 endpoint (/open311/v2/)
	              NAME --db PATH
	open311 services
	              write the Open311 service mapping (code -> category -> desk) as JSON,
	              after storing those of a JSON file: --db PATH [--import FILE]

Run "syncd <command> -h" for a command's flags.
`

// ParseFlags reads the command line (without the program name). It
// returns flag.ErrHelp after printing help.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	if m.Logger == nil {
		m.Logger = slog.New(slog.NewTextHandler(m.Stderr, nil))
	}
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(m.Stdout, usage)
		return flag.ErrHelp
	case "serve":
		m.Command = CommandServe
		return m.parseServe(args[1:])
	case "user":
		if len(args) < 2 || args[1] != "add" {
			return errors.New(`unknown user command: use "syncd user add"`)
		}
		m.Command = CommandUserAdd
		return m.parseUserAdd(args[2:])
	case "backup":
		m.Command = CommandBackup
		return m.parseBackup(args[1:])
	case "audit":
		if len(args) < 2 || args[1] != "export" {
			return errors.New(`unknown audit command: use "syncd audit export"`)
		}
		m.Command = CommandAuditExport
		return m.parseAuditExport(args[2:])
	case "purge":
		m.Command = CommandPurge
		return m.parsePurge(args[1:])
	case CommandImport, CommandExport:
		m.Command = args[0]
		return m.parseCatalog(args[0], args[1:])
	case CommandReport:
		m.Command = CommandReport
		return m.parseReport(args[1:])
	case "apikey":
		if len(args) < 2 || args[1] != "add" {
			return errors.New(`unknown apikey command: use "syncd apikey add NAME"`)
		}
		m.Command = CommandAPIKeyAdd
		return m.parseAPIKeyAdd(args[2:])
	case "open311":
		if len(args) < 2 || args[1] != "services" {
			return errors.New(`unknown open311 command: use "syncd open311 services"`)
		}
		m.Command = CommandOpen311Services
		return m.parseOpen311Services(args[2:])
	}
	fmt.Fprint(m.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func (m *Main) newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("syncd "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	return fs
}

func (m *Main) parseServe(args []string) error {
	fs := m.newFlagSet("serve")
	configPath := fs.String("config", "", "JSON config file with listen, db and demo; flags override it")
	listen := fs.String("listen", DefaultListen, "address to listen on")
	db := fs.String("db", "", "SQLite database file (created if missing), or a postgres:// URL of a PostgreSQL database shared by several syncd nodes")
	seedDemo := fs.Bool("demo", false, "seed the demo city when the database has no citizens")
	tlsCert := fs.String("tls-cert", "", "PEM certificate file: serve HTTPS and wss")
	tlsKey := fs.String("tls-key", "", "PEM private key file of --tls-cert")
	selfSigned := fs.Bool("tls-self-signed", false, "serve HTTPS with a self-signed certificate kept beside the database (development)")
	sqliteSync := fs.String("sqlite-sync", "", "SQLite synchronous setting: full (default: no acknowledged change lost to a power cut) or normal (a power cut may lose the last commits; faster writes)")
	sqliteCache := fs.Int("sqlite-cache-mb", 0, "SQLite writer's page cache in MB (default 0: SQLite's 2 MB; 32 for a city of a million citizens)")
	memoryLimit := fs.Int("memory-limit-mb", m.MemoryLimitMB, "soft limit on syncd's memory in MB: the garbage collector works harder near it (0: none; GOMEMLIMIT in the environment is kept unless this is given)")
	repeatDays := fs.Int("repeat-contact-days", 0, "days within which a citizen's new wrap-up on the same service is a repeat contact (default 7)")
	debounce := fs.Duration("board-debounce", 0, "least time between two recomputes of the supervisor's board (default 50ms)")
	smtpFlags := m.addMailFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *configPath != "" {
		if err := m.readConfig(*configPath); err != nil {
			return err
		}
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "listen":
			m.Listen = *listen
		case "db":
			m.DB = *db
		case "demo":
			m.Demo = *seedDemo
		case "tls-cert":
			m.TLSCert = *tlsCert
		case "tls-key":
			m.TLSKey = *tlsKey
		case "tls-self-signed":
			m.TLSSelfSigned = *selfSigned
		case "repeat-contact-days":
			m.Board.RepeatContactDays = *repeatDays
		case "board-debounce":
			m.Board.DebounceMS = int(*debounce / time.Millisecond)
		case "sqlite-sync":
			m.SQLiteSync = *sqliteSync
		case "sqlite-cache-mb":
			m.SQLiteCacheMB = *sqliteCache
		case "memory-limit-mb":
			m.MemoryLimitMB = *memoryLimit
		}
	})
	if err := m.applyMailFlags(fs, smtpFlags); err != nil {
		return err
	}
	if m.DB == "" {
		return errors.New("syncd serve needs --db PATH or --db postgres://URL (or db in the config file)")
	}
	if err := m.Board.check(); err != nil { // board.go
		return err
	}
	if m.MemoryLimitMB < 0 {
		return fmt.Errorf("--memory-limit-mb must not be negative, not %d", m.MemoryLimitMB)
	}
	if err := m.checkSQLiteSync(); err != nil { // durability.go
		return err
	}
	if (m.TLSCert == "") != (m.TLSKey == "") {
		return errors.New("syncd serve needs both --tls-cert and --tls-key")
	}
	if m.TLSCert != "" && m.TLSSelfSigned {
		return errors.New("use either --tls-cert/--tls-key or --tls-self-signed, not both")
	}
	if m.Listen == "" {
		m.Listen = DefaultListen
	}
	return nil
}

// readConfig reads a JSON config file strictly: a misspelt key is an error.
func (m *Main) readConfig(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	cfg := m.Config
	if err := dec.Decode(&cfg); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	m.Config = cfg
	return nil
}

func (m *Main) parseUserAdd(args []string) error {
	fs := m.newFlagSet("user add")
	db := fs.String("db", "", "SQLite database file, or a postgres:// URL")
	username := fs.String("username", "", "username to sign in with")
	name := fs.String("name", "", "full name as the desktop shows it")
	role := fs.String("role", "", "operator, specialist, supervisor or admin")
	fs.Bool("password-stdin", true, "read the password from stdin (always on: passwords never go on the command line)")
	fs.Func("desk", "a desk the user works, by id or name (repeat for several)", func(v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New("empty desk")
		}
		m.NewUserDesks = append(m.NewUserDesks, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case *db == "":
		return errors.New("syncd user add needs --db PATH")
	case *username == "" || *name == "":
		return errors.New("syncd user add needs --username and --name")
	case !sportello.Role(*role).Valid():
		return fmt.Errorf("unknown role %q: use operator, specialist, supervisor or admin", *role)
	}
	m.DB = *db
	m.NewUser = sportello.User{Username: *username, Name: *name, Role: sportello.Role(*role)}
	return nil
}

// Run runs the command. For serve it returns once the server listens;
// Close stops it.
func (m *Main) Run(ctx context.Context) error {
	switch m.Command {
	case CommandServe:
		return m.serve(ctx)
	case CommandUserAdd:
		return m.userAdd(ctx)
	case CommandBackup:
		return m.backup(ctx)
	case CommandAuditExport:
		return m.auditExport(ctx)
	case CommandPurge:
		return m.purge(ctx)
	case CommandImport:
		return m.importCatalog(ctx)
	case CommandExport:
		return m.exportCatalog(ctx)
	case CommandAPIKeyAdd:
		return m.apiKeyAdd(ctx)
	case CommandReport:
		return m.writeReport(ctx)
	case CommandOpen311Services:
		return m.open311Services(ctx)
	}
	return errors.New("no command: call ParseFlags first")
}

func (m *Main) serve(ctx context.Context) error {
	log := m.Logger.With("subsystem", "syncd")
	m.stopWatch = make(chan struct{})
	m.applyMemoryLimit(log, m.stopWatch) // memory.go
	if err := m.openStore(); err != nil {
		return err
	}
	if m.Demo {
		empty, err := m.Store.IsEmpty(ctx)
		if err != nil {
			return err
		}
		if empty {
			if err := m.Store.Seed(ctx, demo.Generate(1, m.Now())); err != nil {
				return fmt.Errorf("seed demo data: %w", err)
			}
			log.Info("seeded the demo city", "db", m.dbForLog(), "password", demo.Password)
		} else if err := m.demoAppointments(ctx); err != nil { // appointments.go
			return err
		}
	}
	m.Server = server.New(m.Store, m.Logger)
	m.Server.Addr = m.Listen
	m.Server.FilterChanges = true
	m.Server.Open311 = m.Open311
	m.Server.Board = server.BoardConfig{SLADays: m.Board.SLADays, RiskDays: m.Board.RiskDays,
		FCRTarget: m.Board.FCRTarget, FCRMinWrapUps: m.Board.FCRMinWrapUps, TrueFCRTarget: m.Board.TrueFCRTarget,
		RepeatContactWindow:   time.Duration(m.Board.RepeatContactDays) * 24 * time.Hour,
		CallbacksOverdueAlert: m.Board.CallbacksOverdueAlert, CallbackTarget: m.Board.CallbackTarget,
		DeskSLADays: m.Board.deskSLADays(), Debounce: time.Duration(m.Board.DebounceMS) * time.Millisecond, // board.go
		PresenceTTL: time.Duration(m.Board.PresenceTTLSeconds) * time.Second, ReadShare: m.Board.ReadShare}
	sla, err := m.SLA.policy() // sla.go
	if err != nil {
		return err
	}
	m.Server.Board.SLA = sla
	m.Server.Overdue = m.Callbacks.overdue()
	if err := m.configureMail(log); err != nil {
		return err
	}
	switch {
	case m.TLSCert != "":
		cert, err := tls.LoadX509KeyPair(m.TLSCert, m.TLSKey)
		if err != nil {
			return fmt.Errorf("tls: %w", err)
		}
		m.Server.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	case m.TLSSelfSigned:
		host, _, _ := net.SplitHostPort(m.Listen)
		hosts := []string{host}
		if name, err := os.Hostname(); err == nil {
			hosts = append(hosts, name)
		}
		dir := filepath.Dir(m.DB)
		if m.onPostgres() {
			dir = "." // no file to keep it beside: the working directory
		}
		cert, path, err := server.SelfSignedCert(dir, hosts, m.Now())
		if err != nil {
			return err
		}
		m.SelfSignedCert = path
		m.Server.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		log.Warn("serving a self-signed certificate: for development only; desktops must trust it", "cert", path)
	}
	if err := m.Server.Open(); err != nil {
		return err
	}
	log.Info("syncd serving", "url", m.Server.URL(), "db", m.dbForLog())
	return nil
}

func (m *Main) userAdd(ctx context.Context) error {
	password, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	password = strings.TrimRight(password, "\r\n")
	if password == "" {
		return errors.New("no password on stdin")
	}
	if err := m.openStore(); err != nil {
		return err
	}
	u := m.NewUser
	if err := m.Store.CreateUserInDesks(ctx, &u, password, m.NewUserDesks); err != nil {
		if msg := sportello.ErrorMessage(err); sportello.ErrorCode(err) != sportello.EINTERNAL {
			return errors.New(msg)
		}
		return err
	}
	m.NewUser = u
	fmt.Fprintf(m.Stdout, "added %s %q (%s) with id %s\n", u.Role, u.Username, u.Name, u.ID)
	if len(m.NewUserDesks) > 0 {
		fmt.Fprintf(m.Stdout, "member of %s\n", strings.Join(m.NewUserDesks, ", "))
	}
	return nil
}

// Close stops the server and closes the database.
func (m *Main) Close() error {
	if m.stopWatch != nil {
		close(m.stopWatch)
		m.stopWatch = nil
	}
	var errs []error
	if m.Server != nil {
		errs = append(errs, m.Server.Close())
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
	}
	return errors.Join(errs...)
}
