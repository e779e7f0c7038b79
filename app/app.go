// Package app is Sportello's desktop UI on Fyne: the operator screen with its
// softphone controls, the caller card, the wrap-up form, the sign-in dialog
// and the status bar. It sees the rest of Sportello only through the
// interfaces of the root package, never through SIP, SQL or WebSocket code.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/assets"
)

// Config is what the desktop needs from its wiring in cmd/sportello.
type Config struct {
	Phone    sportello.Phone
	Citizens sportello.CitizenService
	Cases    sportello.CaseService
	Sync     sportello.SyncService
	KB       sportello.KBService   // nil: no knowledge-base panel
	Desks    sportello.DeskService // nil: no desks to escalate to, no desk queue
	// Presence reports an agent's state; Board gives supervisors and
	// admins the supervisor's board. nil: none.
	Presence sportello.PresenceService
	Board    sportello.BoardService
	// Hands lets operators raise a hand for help; BoardActions lets
	// supervisors act from the board; AlertSound sounds the board's new
	// alerts; BreakReasons are offered for a break
	// (sportello.DefaultBreakReasons when empty). nil: none, silent
	// (boardact.go).
	Hands        sportello.HandService
	BoardActions sportello.BoardActionService
	AlertSound   AlertSound
	BreakReasons []string
	// Ringer rings the ring device while an inbound call rings
	// (ringer.go). nil: silent. NoSound lists the sound devices that
	// did not open ("microphone", "speaker", "ring device"), replaced by
	// silence: the status bar warns of them.
	Ringer  Ringer
	NoSound []string
	// Callbacks lists and records callbacks (the Richiamate tab,
	// callbacks.go). nil: none. CallbackDueSpread: when syncd pushes
	// callbacks just due, the list is read again at a random moment
	// within it (DefaultCallbackDueSpread when 0; at once when negative).
	Callbacks         sportello.CallbackService
	CallbackDueSpread time.Duration
	// Replies sends replies to citizens by email and letter from the
	// desk queue (replies.go); LetterDir is where printed letters are
	// saved (the user's Documents folder when empty). nil: no replies.
	Replies   sportello.ReplyService
	LetterDir string
	// Directory searches the transfer directory (the Rubrica tab,
	// directory.go). nil: none.
	Directory sportello.DirectoryService
	// Edits saves edits of the knowledge base (the Edit form and History
	// of the Informazioni tab, kbedit.go) for admins and desk owners. nil: none.
	Edits sportello.EditService
	// Availability tells the Rubrica who is available at internal desks;
	// Usefulness gives supervisors and admins the knowledge base's
	// usefulness tab (availability.go, kbusefulness.go). nil: none.
	Availability sportello.DeskAvailabilityService
	Usefulness   sportello.KBUsefulnessService
	// Appointments books citizens' appointments at the offices (the
	// Appuntamenti tab and picker, appointments.go). nil: none.
	Appointments sportello.AppointmentService
	// Reports gives supervisors and admins the Rapporti tab (reports.go);
	// ReportDir is where exports are saved (the user's Documents folder
	// when empty). nil: no tab.
	Reports   sportello.ReportService
	ReportDir string
	// Identity registers, edits and searches citizens, and merges
	// duplicates for supervisors (citizenedit.go, merge.go). nil: none.
	Identity sportello.CitizenEditService
	// Settings are the settings in force, shown by the Settings dialog
	// (settings.go); SaveSettings keeps the edited ones (the desktop's
	// config file) or refuses bad values; SoundDevices lists the
	// microphones and speakers to offer (nil: only the default and none).
	// nil SaveSettings: no Settings dialog.
	Settings     Settings
	SaveSettings func(Settings) error
	SoundDevices func() (microphones, speakers []string)

	// Auth signs in when User is nil: the desktop then opens the sign-in
	// dialog and calls OnSignedIn once the user is in.
	Auth       sportello.AuthService
	User       *sportello.User
	OnSignedIn func(ctx context.Context, u *sportello.User) error
	Username   string        // prefilled in the sign-in dialog
	Password   string        // with Username, signs in without typing (kiosks, tests)
	RetryEvery time.Duration // sign-in retry while syncd is unreachable; 5 s when zero

	ServerURL string             // shown in the sign-in dialog and status bar
	Location  *time.Location     // the office's zone; Europe/Rome when nil
	Calendar  sportello.Calendar // holidays; Italy's with Milan's patron day when empty
	Now       func() time.Time   // the clock; time.Now when nil
	Logger    *slog.Logger
	Title     string // window title; "Sportello" when empty
}

// Desktop is the running desktop: its window and operator screen.
type Desktop struct {
	Window fyne.Window
	op     *operatorScreen
}

// LoadTranslations registers Sportello's Italian and English texts with
// Fyne's lang package; call it once before Create.
func LoadTranslations() error {
	return lang.AddTranslationsFS(assets.Translations, "translations")
}

// Create builds the desktop's main window on a and returns it, not shown.
func Create(a fyne.App, cfg Config) *Desktop {
	if cfg.Location == nil {
		cfg.Location = time.UTC
		if loc, err := time.LoadLocation("Europe/Rome"); err == nil {
			cfg.Location = loc
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Calendar.Fixed == nil {
		cfg.Calendar = sportello.ItalianCalendar(1207, "Sant'Ambrogio")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RetryEvery <= 0 {
		cfg.RetryEvery = 5 * time.Second
	}
	if cfg.Title == "" {
		cfg.Title = "Sportello"
	}
	w := a.NewWindow(cfg.Title)
	op := newOperatorScreen(w, cfg)
	w.SetContent(op.content())
	w.SetMainMenu(op.mainMenu())
	op.addShortcuts()
	w.Resize(fyne.NewSize(1280, 800))
	d := &Desktop{Window: w, op: op}
	op.start()
	if cfg.User == nil {
		op.signIn()
	}
	return d
}

// Close stops the desktop's background work; the window is closed by Fyne.
func (d *Desktop) Close() { d.op.stop() }

// Progress shows long work in the status bar ("Informazioni 120/5000");
// done == total hides it. Safe from any goroutine.
func (d *Desktop) Progress(label string, done, total int) {
	op := d.op
	do(func() {
		if total <= 0 || done >= total {
			op.progress.Hide()
			op.progLabel.Hide()
			if op.kb.search.Text != "" {
				op.kb.schedule() // what was typed during the copy finds it now
			}
			return
		}
		op.progLabel.SetText(fmt.Sprintf("%s %d/%d", tr(label), done, total))
		op.progress.SetValue(float64(done) / float64(total))
		op.progLabel.Show()
		op.progress.Show()
	})
}
