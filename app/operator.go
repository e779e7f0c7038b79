package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// operatorScreen is the first-level operator's view: the call in hand, the
// caller's card and history, and the wrap-up form.
type operatorScreen struct {
	win fyne.Window
	cfg Config

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	unsub  func()

	rejected rejectedBar // changes syncd refused (rejected.go)

	// State, touched only on Fyne's goroutine.
	user    *sportello.User
	call    *sportello.Call       // the call in hand, nil when idle
	ringing string                // the inbound call the ringer rings for (ringer.go)
	wrapFor *sportello.Call       // the ended call waiting for its wrap-up
	card    *sportello.CallerCard // the caller card on screen
	usedKB  []string              // knowledge-base entries that served the call in hand
	sync    sportello.SyncState
	desks   []sportello.Desk // every desk, in the order of deskSelect and queue.desk

	category     *widget.Select  // the wrap-up's service category (wrapcategory.go)
	cats         *categoryPicker // its filter, services met and catalogue (wrapcategory.go)
	replyChannel *widget.Select  // an escalation's preferred reply channel (replychannel.go)

	// Status bar.
	sipStatus  *widget.Label
	syncStatus *widget.Label
	userStatus *widget.Label
	progress   *widget.ProgressBar
	progLabel  *widget.Label

	// Call panel.
	banner      *canvas.Rectangle
	callState   *widget.Label
	callNumber  *widget.Label
	answerBtn   *tipButton
	hangupBtn   *tipButton
	search      *widget.Entry
	citizenName *widget.Label
	citizenInfo *widget.Label
	openCases   *fyne.Container
	history     *fyne.Container

	controls  *callControls // dial, hold, mute, DTMF, registration
	quality   *callQuality  // recording and audio quality (callquality.go)
	kb        *kbPanel
	queue     *queuePanel // nil without a DeskService
	queueTab  *container.TabItem
	tabs      *container.AppTabs
	callerTab *container.TabItem // the caller's card (the board may come first)
	kbTab     *container.TabItem // Informazioni
	board     *boardPanel        // the Supervisione tab; nil without a BoardService (board.go)
	presence  *presenceReporter  // the agent's state for the board (presence.go)
	callbacks *callbackPanel     // the Richiamate tab; nil without a CallbackService (callbacks.go)
	directory *directoryPanel    // the Rubrica tab; nil without a DirectoryService (directory.go)
	// appts is the Appuntamenti tab and picker; nil without an AppointmentService (appointments.go).
	appts *appointmentPanel
	// usefulness is the KB usefulness tab; nil without a KBUsefulnessService (kbusefulness.go).
	usefulness *usefulnessPanel
	// reports is the Rapporti tab; nil without a ReportService (reports.go).
	reports *reportsPanel
	// identity is the Register/Edit citizen button and form; merge the
	// open Merge duplicates form (citizenedit.go, merge.go).
	identity *identityBar
	merge    *mergeForm
	// attach is the wrap-up's "attach to case <ref>" choice (attach.go).
	attach *attachPicker
	// settings is the Settings dialog, nil until opened (settings.go).
	settings *settingsDialog
	// phone folds the phone panel into a strip for supervisors (phonestrip.go).
	phone *phoneLayout
	// declines is the Decline and Register again buttons (decline.go).
	declines *declineControls
	// cardWatch sees every caller card rendered, nil but in benchmarks (cardwatch.go).
	cardWatch func(call *sportello.Call, card *sportello.CallerCard)

	// Wrap-up.
	outcome    *widget.RadioGroup
	deskSelect *widget.Select // the desk of an escalation, shown for that outcome only
	note       *widget.Entry
	saveBtn    *tipButton
	wrapTitle  *widget.Label
	message    *widget.Label
}

func newOperatorScreen(w fyne.Window, cfg Config) *operatorScreen {
	s := &operatorScreen{win: w, cfg: cfg, user: cfg.User}
	s.ctx, s.cancel = context.WithCancel(context.Background())

	s.sipStatus = widget.NewLabel("")
	s.syncStatus = widget.NewLabel("")
	s.userStatus = widget.NewLabel("")
	s.progress = widget.NewProgressBar()
	s.progLabel = widget.NewLabel("")
	s.progress.Hide()
	s.progLabel.Hide()

	s.banner = canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	s.banner.SetMinSize(fyne.NewSize(0, 8))
	s.callState = widget.NewLabelWithStyle(tr("No call"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.callState.SizeName = theme.SizeNameHeadingText
	s.callNumber = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	s.callNumber.SizeName = theme.SizeNameSubHeadingText
	s.answerBtn = newTipButton(tr("Answer"), ShortcutAnswer, s.answer)
	s.answerBtn.Importance = widget.SuccessImportance
	s.hangupBtn = newTipButton(tr("Hang up"), ShortcutHangup, s.hangup)
	s.hangupBtn.Importance = widget.DangerImportance
	s.newDecline() // decline.go

	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(tr("Find a citizen by phone number") + " (" + shortcutText(ShortcutSearch) + ")")
	s.search.OnSubmitted = func(number string) { s.lookup(number, "manual search") }

	s.citizenName = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.citizenName.SizeName = theme.SizeNameSubHeadingText
	s.citizenInfo = widget.NewLabel("")
	s.citizenInfo.Wrapping = fyne.TextWrapWord
	s.openCases = container.NewVBox()
	s.history = container.NewVBox()

	labels := make([]string, len(sportello.Outcomes))
	for i, o := range sportello.Outcomes {
		labels[i] = outcomeText(o) + " (" + shortcutText(ShortcutOutcome(i)) + ")"
	}
	s.outcome = widget.NewRadioGroup(labels, func(string) { s.outcomeChanged() })
	s.deskSelect = widget.NewSelect(nil, nil)
	s.deskSelect.PlaceHolder = tr("Choose the desk (Left/Right arrows)")
	s.deskSelect.Hide()
	s.note = widget.NewMultiLineEntry()
	s.note.SetPlaceHolder(tr("Note for the citizen's history") + " (" + shortcutText(ShortcutNote) + ")")
	s.note.SetMinRowsVisible(3)
	s.note.Wrapping = fyne.TextWrapWord
	s.saveBtn = newTipButton(tr("Save wrap-up"), ShortcutSave, s.saveWrapUp)
	s.saveBtn.Importance = widget.HighImportance
	s.wrapTitle = widget.NewLabelWithStyle(tr("Wrap-up"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.message = widget.NewLabel("")
	s.message.Wrapping = fyne.TextWrapWord

	s.controls = newCallControls(s)
	s.quality = newCallQuality(s)
	s.kb = newKBPanel(s)
	if cfg.Desks != nil {
		s.queue = newQueuePanel(s)
	}
	s.newAttach()
	s.newWrapCategory() // wrapcategory.go
	s.newReplyChannel() // replychannel.go
	s.newSupervision()
	s.newCallbacks()
	s.newDirectory()
	s.newAppointments()
	s.newRejected() // rejected.go
	s.showIdle()
	s.renderCard()
	s.renderStatus()
	return s
}

func (s *operatorScreen) content() fyne.CanvasObject {
	// Two rows: on one, the agent's state, break reasons and raised hand
	// made the window wider than a 1280-pixel screen.
	// The SIP line takes the room left and is cut short with an ellipsis
	// only when the window is too narrow for it, so a long registration or
	// sound warning cannot widen the window past the screen.
	s.sipStatus.Truncation = fyne.TextTruncateEllipsis
	status := container.NewVBox(
		container.NewBorder(nil, nil, nil,
			container.NewHBox(widget.NewSeparator(), s.syncStatus, s.rejected.btn,
				s.progLabel, container.NewGridWrap(fyne.NewSize(160, s.progress.MinSize().Height), s.progress), s.userStatus),
			container.NewBorder(nil, nil, s.declines.rereg, nil, s.sipStatus)),
		container.NewHBox(layout.NewSpacer(), s.presence.box))

	callBox := container.NewVBox(
		s.banner,
		s.callState,
		s.callNumber,
		container.NewGridWithColumns(3, s.answerBtn, s.declines.btn, s.hangupBtn),
		s.controls.content(),
		s.quality.box,
		widget.NewSeparator(),
		s.search,
	)
	wrapBox := container.NewVBox(s.wrapTitle, s.outcome, s.attachContent(), s.deskSelect, s.replyChannel, s.callbacksForm(), s.categoryContent(), s.note, s.saveBtn, s.message)
	left := container.NewBorder(callBox, nil, nil, nil, container.NewVScroll(wrapBox))

	cardHead := container.NewVBox(s.citizenName, s.citizenInfo, s.identityContent(), s.controls.phones,
		widget.NewLabelWithStyle(tr("Open cases"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.openCases,
		widget.NewSeparator(),
		widget.NewLabelWithStyle(tr("History"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	right := container.NewBorder(cardHead, nil, nil, nil, container.NewVScroll(s.history))
	s.callerTab = container.NewTabItem(tr("Caller"), right)
	s.kbTab = container.NewTabItem(tr("Information")+" ("+shortcutText(ShortcutKB)+")", s.kb.content())
	s.tabs = container.NewAppTabs(append([]*container.TabItem{s.callerTab, s.kbTab}, s.directoryTab()...)...)
	s.appointmentsTab()
	if s.queue != nil {
		s.queueTab = container.NewTabItem(tr("Desk queue")+" ("+shortcutText(ShortcutQueue)+")", s.queue.content())
	}

	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(s.tabs))
	split.Offset = 0.38
	return container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), status), nil, nil, s.newPhoneLayout(split, callBox)) // phonestrip.go
}

func (s *operatorScreen) mainMenu() *fyne.MainMenu {
	item := func(label string, sc fyne.Shortcut, f func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, f)
		it.Shortcut = sc
		return it
	}
	callItems := []*fyne.MenuItem{
		item(tr("Answer"), ShortcutAnswer, s.answer),
		item(tr("Hang up"), ShortcutHangup, s.hangup),
	}
	callItems = append(callItems, s.declineMenuItems(item)...) // decline.go
	callItems = append(callItems, s.controls.menuItems(item)...)
	callItems = append(callItems, s.quality.menuItems(item)...)
	callItems = append(callItems,
		fyne.NewMenuItemSeparator(),
		item(tr("Save wrap-up"), ShortcutSave, s.saveWrapUp),
		item(tr("Write note"), ShortcutNote, func() { s.win.Canvas().Focus(s.note) }),
		item(tr("Find citizen"), ShortcutSearch, func() { s.win.Canvas().Focus(s.search) }),
		item(tr("Information"), ShortcutKB, s.focusKB),
		item(tr("Put the answer in the note"), ShortcutInsertKB, s.kb.insert),
	)
	callItems = append(callItems, s.directoryMenuItems(item)...) // directory.go
	callItems = append(callItems, s.attachMenuItems(item)...)    // attach.go
	callItems = append(callItems, s.identityMenuItems(item)...)  // citizenedit.go
	menus := []*fyne.Menu{fyne.NewMenu(tr("Call"), append(callItems,
		fyne.NewMenuItemSeparator(),
		item(tr("Sign out"), ShortcutSignOut, func() { s.signOut(false) }),
	)...)}
	if s.deskView() {
		// In the menu, so that the keys reach the actions while a text
		// field has the focus.
		q := s.queue
		menus = append(menus, fyne.NewMenu(tr("Desk queue"),
			item(tr("Desk queue"), ShortcutQueue, s.focusQueue),
			item(tr("Claim"), ShortcutClaim, q.claim),
			item(tr("Release"), ShortcutRelease, q.release),
			item(tr("Add note"), ShortcutCaseNote, q.addNote),
			item(tr("Answer ready"), ShortcutAnswerReady, q.answerReady),
			item(tr("Resolve"), ShortcutResolve, q.resolve),
			item(tr("Transfer"), ShortcutTransfer, q.transfer),
		)) // replies.go adds its items below
		menus[len(menus)-1].Items = append(menus[len(menus)-1].Items, s.replyMenuItems(item)...)
	}
	menus = append(menus, s.supervisionMenus()...)
	menus = append(menus, s.callbackMenus()...)
	menus = append(menus, s.appointmentMenus()...)
	menus = append(menus, s.settingsMenus()...) // settings.go
	return fyne.NewMainMenu(menus...)
}

// deskView reports whether the signed-in user works desks' queues: the
// Sportello tab shows for specialists and supervisors.
func (s *operatorScreen) deskView() bool {
	return s.queue != nil && s.user != nil && (s.user.Role == sportello.RoleSpecialist || s.user.Role == sportello.RoleSupervisor)
}

func (s *operatorScreen) addShortcuts() {
	c := s.win.Canvas()
	c.AddShortcut(ShortcutAnswer, func(fyne.Shortcut) { s.answer() })
	c.AddShortcut(ShortcutHangup, func(fyne.Shortcut) { s.hangup() })
	c.AddShortcut(ShortcutSave, func(fyne.Shortcut) { s.saveWrapUp() })
	c.AddShortcut(ShortcutNote, func(fyne.Shortcut) { c.Focus(s.note) })
	c.AddShortcut(ShortcutSearch, func(fyne.Shortcut) { c.Focus(s.search) })
	c.AddShortcut(ShortcutSignOut, func(fyne.Shortcut) { s.signOut(false) })
	c.AddShortcut(ShortcutKB, func(fyne.Shortcut) { s.focusKB() })
	c.AddShortcut(ShortcutInsertKB, func(fyne.Shortcut) { s.kb.insert() })
	c.AddShortcut(ShortcutKBNext, func(fyne.Shortcut) { s.move(1) })
	c.AddShortcut(ShortcutKBPrev, func(fyne.Shortcut) { s.move(-1) })
	s.addSupervisionShortcuts()
	s.addCallbackShortcuts()
	s.addReplyShortcuts() // replies.go
	s.addDirectoryShortcuts()
	s.addAppointmentShortcuts()
	s.addAttachShortcuts()   // attach.go
	s.addKBEditShortcuts()   // kbedit.go
	s.addIdentityShortcuts() // citizenedit.go
	s.addSettingsShortcuts() // settings.go
	s.controls.addShortcuts(c)
	s.quality.addShortcuts(c)
	s.addDeclineShortcuts(c) // decline.go
	for i := range sportello.Outcomes {
		c.AddShortcut(ShortcutOutcome(i), func(fyne.Shortcut) {
			s.outcome.SetSelected(s.outcome.Options[i])
			if sportello.Outcomes[i] == sportello.OutcomeEscalated && !s.outcome.Disabled() {
				c.Focus(s.deskSelect) // Left/Right choose the desk
			}
			s.callbacksOutcome(sportello.Outcomes[i], !s.outcome.Disabled())
		})
	}
	if s.queue != nil {
		q := s.queue
		for sc, f := range map[*desktop.CustomShortcut]func(){
			ShortcutQueue: s.focusQueue, ShortcutClaim: q.claim, ShortcutRelease: q.release, ShortcutCaseNote: q.addNote,
			ShortcutAnswerReady: q.answerReady, ShortcutResolve: q.resolve, ShortcutTransfer: q.transfer,
		} {
			c.AddShortcut(sc, func(fyne.Shortcut) {
				if s.deskView() {
					f()
				}
			})
		}
	}
}

// start listens to the phone and to syncd.
func (s *operatorScreen) start() {
	if s.cfg.Phone != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for {
				select {
				case <-s.ctx.Done():
					return
				case c, ok := <-s.cfg.Phone.Calls():
					if !ok {
						return
					}
					do(func() { s.onCall(c) })
				}
			}
		}()
		s.controls.start()
	}
	if s.cfg.Sync != nil {
		// Through do: the phone's registration watcher, started above,
		// renders the status bar from its goroutine already.
		st := s.cfg.Sync.State()
		do(func() { s.sync = st; s.renderStatus() })
		s.unsub = s.cfg.Sync.Subscribe(
			func(st sportello.SyncState) { do(func() { s.sync = st; s.renderStatus() }) },
			func(ch sportello.Change) { do(func() { s.onChange(ch) }) },
		)
	}
	if s.user != nil {
		// Last, and through do like every update: the reads it starts
		// update the same widgets from their goroutines.
		do(s.signedIn)
	}
}

func (s *operatorScreen) stop() {
	s.cancel()
	if s.unsub != nil {
		s.unsub()
	}
	s.wg.Wait()
}

// onCall follows the phone: a ringing call pops the caller's card at once.
func (s *operatorScreen) onCall(c sportello.Call) {
	s.ringOnCall(c)          // ringer.go
	defer s.renderDecline()  // decline.go
	defer s.waitingOnCall(c) // callwaiting.go: a second call takes the place of an ended one
	defer s.reportPresence() // on a call, wrap-up or available, for the board
	defer s.callbacksOnCall(c)
	defer s.directoryOnCall(c)
	defer s.appointmentsOnCall(c) // appointments.go
	if c.Missed() {
		s.recordMissed(c) // on the caller's history, even when refused as busy
	}
	if s.otherCall(c) { // a second call or a consultation (callwaiting.go)
		return
	}
	prev := s.call
	defer func() { s.controls.onCall(prev, c) }()
	defer s.quality.onCall(c)
	switch c.State {
	case sportello.CallRinging:
		s.call = &c
		s.wrapFor = nil
		s.setBanner(theme.ColorNameWarning)
		s.callState.SetText(tr("Ringing"))
		s.callNumber.SetText(displayNumber(c.Number))
		s.win.SetTitle("☎ " + tr("Incoming call") + " " + displayNumber(c.Number) + " - " + s.cfg.Title)
		s.answerBtn.Enable()
		s.hangupBtn.Enable()
		s.card = &sportello.CallerCard{Number: c.Number}
		s.usedKB = nil
		s.tabs.Select(s.callerTab)
		if s.user == nil {
			// Every read of a citizen's record is someone's: it waits for sign-in.
			s.citizenName.SetText(tr("Sign in to see the caller's record"))
		} else {
			s.citizenName.SetText(tr("Looking up the caller..."))
			s.lookup(c.Number, "call "+c.ID)
		}
		s.win.RequestFocus()
	case sportello.CallDialing:
		s.call = &c
		s.wrapFor = nil
		s.setBanner(theme.ColorNameWarning)
		s.callState.SetText(tr("Calling..."))
		s.callNumber.SetText(displayNumber(c.Number))
		s.answerBtn.Disable()
		s.hangupBtn.Enable()
		if s.user != nil && (s.card == nil || !slices.Contains(cardNumbers(s.card), c.Number)) {
			s.card = &sportello.CallerCard{Number: c.Number}
			s.usedKB = nil
			s.citizenName.SetText(tr("Looking up the caller..."))
			s.lookup(c.Number, "call "+c.ID)
		}
	case sportello.CallActive:
		s.call = &c
		if c.OnHold {
			s.setBanner(theme.ColorNameWarning)
		} else {
			s.setBanner(theme.ColorNameSuccess)
		}
		s.callState.SetText(tr("In conversation") + " · " + c.Codec + " · " + s.clock(c.AnsweredAt) + stateText(c))
		s.answerBtn.Disable()
		s.hangupBtn.Enable()
		s.win.SetTitle(s.cfg.Title)
	case sportello.CallEnded:
		s.call = nil
		s.win.SetTitle(s.cfg.Title)
		s.answerBtn.Disable()
		s.hangupBtn.Disable()
		if c.AnsweredAt.IsZero() {
			s.setBanner(theme.ColorNameInputBackground)
			if c.Direction == sportello.CallOutbound {
				s.callState.SetText(tr("Not answered") + " · " + endReasonText(c.EndReason) + " · " + s.clock(c.EndedAt))
				return
			}
			s.callState.SetText(tr("Missed call") + " · " + s.clock(c.EndedAt))
			return
		}
		s.wrapFor = &c
		s.setBanner(theme.ColorNamePrimary)
		s.callState.SetText(tr("Call ended: record the wrap-up") + " · " + durationText(c.EndedAt.Sub(c.AnsweredAt)))
		s.enableWrapUp(true)
		s.outcome.SetSelected(s.outcome.Options[0])
		s.win.Canvas().Focus(s.note)
	}
}

func (s *operatorScreen) answer() {
	if s.call == nil || s.call.State != sportello.CallRinging {
		return
	}
	if err := s.cfg.Phone.Answer(s.call.ID); err != nil {
		s.showError(err)
	}
}

func (s *operatorScreen) hangup() {
	if s.call == nil {
		return
	}
	if err := s.cfg.Phone.Hangup(s.call.ID); err != nil {
		s.showError(err)
	}
}

// lookup fetches a caller card off Fyne's goroutine and shows it.
func (s *operatorScreen) lookup(number, reason string) {
	number = strings.TrimSpace(number)
	if number == "" || s.cfg.Citizens == nil {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		card, err := s.cfg.Citizens.LookupCaller(ctx, number, reason)
		do(func() {
			if err != nil {
				s.citizenName.SetText(tr("Caller's record unavailable"))
				s.showError(err)
				return
			}
			s.card = card
			s.renderCard()
			s.reportPresence() // the caller's name for the board (boardact.go)
		})
	}()
}

func (s *operatorScreen) saveWrapUp() {
	c := s.wrapFor
	if c == nil {
		s.message.SetText(tr("There is no ended call to wrap up."))
		return
	}
	i := indexOf(s.outcome.Options, s.outcome.Selected)
	if i < 0 {
		s.message.SetText(tr("Choose an outcome for the call."))
		return
	}
	var deskID string
	if sportello.Outcomes[i] == sportello.OutcomeEscalated {
		d := s.deskSelect.SelectedIndex()
		if d < 0 || d >= len(s.desks) {
			// Nothing is lost: the form stays as it is.
			s.message.SetText(tr("Choose the desk to escalate to."))
			s.deskSelect.Show()
			s.win.Canvas().Focus(s.deskSelect)
			if len(s.desks) == 0 {
				s.loadDesks()
			}
			return
		}
		deskID = s.desks[d].ID
	}
	w := sportello.WrapUp{
		DeskID:       deskID,
		CallID:       c.ID,
		CallerNumber: c.Number,
		Outcome:      sportello.Outcomes[i],
		Note:         strings.TrimSpace(s.note.Text),
		KBEntries:    s.usedKB,
		Category:     s.wrapCategory(), // wrapcategory.go
		AnsweredAt:   c.AnsweredAt,
		EndedAt:      c.EndedAt,
	}
	if c.Quality != nil {
		w.MOS = c.Quality.MOS
	}
	if s.card != nil && s.card.Citizen != nil && s.card.Number == c.Number {
		w.CitizenID = s.card.Citizen.ID
	}
	if err := s.callbacksFill(&w); err != nil {
		s.showError(err)
		return
	}
	s.appointmentsFill(&w)
	s.attachFill(&w) // attach.go: the open case chosen
	s.replyChannelFill(&w)
	if err := w.Validate(); err != nil {
		s.showError(err)
		return
	}
	s.saveBtn.Disable()
	s.message.SetText(tr("Saving..."))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
		defer cancel()
		k, err := s.cfg.Cases.RecordWrapUp(ctx, w)
		do(func() {
			if err != nil {
				// Keep the form as it is: nothing the operator typed is lost.
				s.saveBtn.Enable()
				s.showError(err)
				return
			}
			s.wrapFor = nil
			s.reportPresence()
			s.usedKB = nil
			s.note.SetText("")
			s.deskSelect.ClearSelected()
			s.callbacksSaved()
			s.appointmentsSaved()
			s.attachSaved()
			s.categorySaved()
			s.replyChannelSaved()
			s.enableWrapUp(false)
			if k.Pending {
				s.message.SetText(tr("Saved on this desktop: it will reach syncd as soon as syncd is reachable."))
			} else {
				s.message.SetText(tr("Saved on case") + " " + shortID(k.ID))
			}
			s.setBanner(theme.ColorNameInputBackground)
			s.callState.SetText(tr("No call"))
			s.mergeCase(k)
		})
	}()
}

// onChange applies a change pushed by syncd to the card on screen, so that
// what another desktop records shows here at once.
func (s *operatorScreen) onChange(ch sportello.Change) {
	if ch.Seq > s.sync.Cursor {
		s.sync.Cursor = ch.Seq
		s.renderStatus()
	}
	if s.deskView() {
		s.queue.onChange(ch)
	}
	s.callbacksOnChange(ch)
	s.appointmentsOnChange(ch)
	s.catalogOnChange(ch) // kbedit.go
	if ch.Event == nil || s.card == nil || s.card.Citizen == nil || ch.CitizenID != s.card.Citizen.ID {
		return
	}
	e := ch.Event
	for i, k := range s.card.Cases {
		if k.ID != ch.CaseID {
			continue
		}
		if k.Pending && e.Kind == sportello.EventOpened {
			// syncd accepted a case this desktop opened offline: its
			// history starts over from syncd's events.
			fresh := &sportello.Case{ID: ch.CaseID, CitizenID: ch.CitizenID}
			if err := fresh.Apply(e); err == nil {
				s.card.Cases[i] = fresh
				s.renderCard()
			}
			return
		}
		for _, have := range k.Events {
			if have.ID == e.ID {
				return
			}
		}
		if err := k.Apply(e); err != nil {
			s.cfg.Logger.Warn("pushed event does not apply", "case_id", k.ID, "error", err)
		}
		s.renderCard()
		return
	}
	if e.Kind == sportello.EventOpened {
		k := &sportello.Case{ID: ch.CaseID, CitizenID: ch.CitizenID}
		if err := k.Apply(e); err == nil {
			s.card.Cases = append([]*sportello.Case{k}, s.card.Cases...)
			s.renderCard()
		}
	}
}

// mergeCase puts a case returned by syncd on the card, replacing its older copy.
func (s *operatorScreen) mergeCase(k *sportello.Case) {
	if s.card == nil || (s.card.Citizen != nil && k.CitizenID != s.card.Citizen.ID) {
		return
	}
	for i, have := range s.card.Cases {
		if have.ID == k.ID {
			s.card.Cases[i] = k
			s.renderCard()
			return
		}
	}
	s.card.Cases = append([]*sportello.Case{k}, s.card.Cases...)
	s.renderCard()
}

func (s *operatorScreen) renderCard() {
	defer s.cardRendered() // cardwatch.go: last, once the card is all on screen
	defer s.appointmentsOnCard()
	defer s.attachRender()   // attach.go
	defer s.renderIdentity() // citizenedit.go
	s.openCases.RemoveAll()
	s.history.RemoveAll()
	s.controls.renderPhones()
	card := s.card
	switch {
	case card == nil:
		s.citizenName.SetText(tr("No caller"))
		s.citizenInfo.SetText(tr("The caller's record appears here as soon as the phone rings."))
		return
	case card.Citizen == nil:
		s.citizenName.SetText(tr("Unknown caller") + " " + displayNumber(card.Number))
		s.citizenInfo.SetText(tr("No citizen has this number. Record the call and open a case for a new citizen."))
	default:
		ct := card.Citizen
		s.citizenName.SetText(ct.Name)
		info := []string{taxCodeLabel(ct) + ": " + ct.TaxCode}
		phones := make([]string, len(ct.Phones))
		for i, p := range ct.Phones {
			phones[i] = displayNumber(p) + phoneLabelText(ct.PhoneLabel(i)) // citizenedit.go
		}
		info = append(info, tr("Phones")+": "+strings.Join(phones, ", "))
		if ct.Email != "" {
			info = append(info, "Email: "+ct.Email)
		}
		if ct.Address != "" {
			info = append(info, ct.Address)
		}
		info = append(info, cardLanguage(ct)...) // cardlang.go
		if card.Offline {
			info = append(info, tr("Copy kept on this desktop: syncd is unreachable, the latest contacts may be missing."))
		}
		s.citizenInfo.SetText(strings.Join(info, "\n"))
	}
	open := card.OpenCases()
	if len(open) == 0 {
		s.openCases.Add(widget.NewLabel(tr("No open cases")))
	}
	for _, k := range open {
		l := widget.NewLabel(fmt.Sprintf("● %s · %s · %s · %s", k.Category, statusText(k.Status), s.date(k.OpenedAt), k.Subject))
		l.Wrapping = fyne.TextWrapWord
		s.openCases.Add(l)
	}
	n := 0
	for _, k := range card.Cases {
		for i := len(k.Events) - 1; i >= 0; i-- {
			e := k.Events[i]
			l := widget.NewLabel(s.eventLine(k, e))
			l.Wrapping = fyne.TextWrapWord
			s.history.Add(l)
			n++
		}
	}
	if n == 0 {
		s.history.Add(widget.NewLabel(tr("No contacts yet")))
	}
}

func (s *operatorScreen) eventLine(k *sportello.Case, e *sportello.CaseEvent) string {
	parts := []string{s.date(e.At), k.Category, eventText(e)}
	if e.Author != "" {
		parts = append(parts, e.Author)
	}
	if k.Pending {
		parts = append(parts, "("+tr("waiting to be sent")+")")
	}
	line := strings.Join(parts, " · ")
	if e.Kind == sportello.EventOpened && repeatsLater(k, e) {
		return line // the subject is the wrap-up's note, shown with it
	}
	if e.Note != "" {
		line += "\n    " + s.noteText(e) // callbacks.go
	}
	return line
}

func (s *operatorScreen) renderStatus() {
	s.sipStatus.SetText(s.controls.sipText() + s.soundWarningText()) // ringer.go
	s.renderDecline()                                                // decline.go
	s.syncStatus.SetText(s.syncText(s.sync))                         // syncstatus.go
	s.renderRejected()                                               // rejected.go
	if s.user != nil {
		s.userStatus.SetText(s.user.Name + " (" + roleText(s.user.Role) + ")")
	} else {
		s.userStatus.SetText(tr("Not signed in"))
	}
}

func (s *operatorScreen) showIdle() {
	s.answerBtn.Disable()
	s.hangupBtn.Disable()
	s.controls.refresh()
	s.enableWrapUp(false)
}

func (s *operatorScreen) enableWrapUp(on bool) {
	if on {
		s.outcome.Enable()
		s.note.Enable()
		s.saveBtn.Enable()
		s.message.SetText("")
		s.attachRender() // attach.go: the services used so far first
		s.categoryEnable(true)
		return
	}
	s.outcome.Disable()
	s.saveBtn.Disable()
	s.categoryEnable(false)
}

func (s *operatorScreen) setBanner(c fyne.ThemeColorName) {
	s.banner.FillColor = theme.Color(c)
	s.banner.Refresh()
}

func (s *operatorScreen) showError(err error) {
	s.message.SetText(errorText(err))
	s.cfg.Logger.Warn("operator action failed", "error", err)
}

func (s *operatorScreen) clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.cfg.Location).Format("15:04:05")
}

func (s *operatorScreen) date(t time.Time) string {
	return t.In(s.cfg.Location).Format("02/01/2006 15:04")
}

// repeatsLater reports whether a later event of k carries e's note.
func repeatsLater(k *sportello.Case, e *sportello.CaseEvent) bool {
	for _, x := range k.Events {
		if x != e && x.Note == e.Note && x.At.Compare(e.At) >= 0 {
			return true
		}
	}
	return false
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}

func durationText(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

// outcomeChanged shows the desk choice for an escalation, where the note
// becomes the hand-off note for the desk.
func (s *operatorScreen) outcomeChanged() {
	i := indexOf(s.outcome.Options, s.outcome.Selected)
	if i >= 0 {
		s.callbacksOutcome(sportello.Outcomes[i], false)
	} else {
		s.callbacksOutcome("", false)
	}
	if i >= 0 && sportello.Outcomes[i] == sportello.OutcomeEscalated {
		s.deskSelect.Show()
		s.replyChannelShow(true)
		s.note.SetPlaceHolder(tr("Hand-off note for the desk") + " (" + shortcutText(ShortcutNote) + ")")
		if len(s.desks) == 0 {
			s.loadDesks()
		}
		return
	}
	s.deskSelect.Hide()
	s.replyChannelShow(false)
	s.note.SetPlaceHolder(tr("Note for the citizen's history") + " (" + shortcutText(ShortcutNote) + ")")
}

// signedIn sets up what depends on the user: the desks for escalations,
// and the Sportello tab for specialists and supervisors.
func (s *operatorScreen) signedIn() {
	s.loadDesks()
	s.kb.refreshEditBar() // kbedit.go
	s.callbacksSignedIn()
	defer s.supervisionSignedIn() // last: a supervisor's board tab is selected
	if !s.deskView() {
		return
	}
	if indexOfTab(s.tabs, s.queueTab) < 0 {
		if s.user != nil && s.user.Role == sportello.RoleSpecialist {
			// The queue is a specialist's main screen: first, where the
			// tab strip never hides it in its overflow.
			s.tabs.SetItems(append([]*container.TabItem{s.queueTab}, s.tabs.Items...))
		} else {
			s.tabs.Append(s.queueTab) // a supervisor's board comes first
		}
	}
	s.win.SetMainMenu(s.mainMenu())
	s.tabs.Select(s.queueTab)
	s.queue.refresh()
}

// signedOut forgets the desks' work shown.
func (s *operatorScreen) signedOut() {
	s.supervisionSignedOut()
	s.callbacksSignedOut()
	if s.queue == nil {
		return
	}
	if indexOfTab(s.tabs, s.queueTab) >= 0 {
		s.tabs.Remove(s.queueTab)
	}
	s.queue.cases, s.queue.selected, s.queue.loaded = nil, "", false
	s.queue.render()
	s.win.SetMainMenu(s.mainMenu())
}

// loadDesks reads the desks off Fyne's goroutine.
func (s *operatorScreen) loadDesks() {
	if s.cfg.Desks == nil || s.user == nil {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		desks, err := s.cfg.Desks.Desks(ctx)
		do(func() {
			if err != nil {
				s.cfg.Logger.Warn("read the desks", "error", err)
				return
			}
			s.desks = desks
			names := make([]string, len(desks))
			var mine map[string]bool
			if s.user != nil && s.user.Role == sportello.RoleSpecialist {
				mine = map[string]bool{}
			}
			for i, d := range desks {
				names[i] = d.Name
				if mine != nil && d.Member {
					mine[d.ID] = true
				}
			}
			s.deskSelect.SetOptions(names)
			if s.queue != nil {
				s.queue.setDesks(mine, desks)
			}
		})
	}()
}

// move chooses in the panel on screen: the desk queue or the knowledge base.
func (s *operatorScreen) move(delta int) {
	if s.directoryMove(delta) {
		return
	}
	if s.deskView() && s.tabs.Selected() == s.queueTab {
		s.queue.move(delta)
		return
	}
	s.kb.move(delta)
}

// focusQueue shows the desk queue and puts the cursor in its note.
func (s *operatorScreen) focusQueue() {
	if !s.deskView() {
		return
	}
	s.tabs.Select(s.queueTab)
	s.win.Canvas().Focus(s.queue.note)
}

func indexOfTab(tabs *container.AppTabs, item *container.TabItem) int {
	for i, t := range tabs.Items {
		if t == item {
			return i
		}
	}
	return -1
}

// focusKB shows the knowledge base and puts the cursor in its search.
func (s *operatorScreen) focusKB() {
	s.tabs.Select(s.kbTab)
	s.win.Canvas().Focus(s.kb.search)
}
