package app_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// TestMOS_BoardShowsQuality: the board shows the live audio quality of
// an agent's call and the average of today's calls; a pushed board where
// the call has ended drops the live one, and an agent without any
// measured call shows neither.
func TestMOS_BoardShowsQuality(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	first := morningBoard()
	first.Agents[0].BoardAgentDetail = sportello.BoardAgentDetail{
		PresenceCall: sportello.PresenceCall{Caller: "+390212345678", CallerName: "Maria Rossi", MOS: 3.4},
		MOSCalls:     4, AvgMOS: 3.87}
	b := &boards{first: first}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{},
		Board: b, Presence: &presences{}, User: supervisor, Location: rome,
	})
	w := d.Window
	app.WithUI(func() { w.Resize(fyne.NewSize(2400, 800)); w.Show() }) // the agents' lines are long
	t.Cleanup(d.Close)

	apptest.WaitText(t, w, wait,
		"Giulia Bianchi · on a call · since 10:00 · calls today: 3 · ☎ +39 02 1234 5678 (Maria Rossi) · Audio quality 3.4 · audio quality today 3.9 over 4 calls")
	if n := strings.Count(apptest.Text(w), "audio quality today"); n != 1 {
		t.Fatalf("%d agents with today's quality, want 1 (Marco has none)", n)
	}

	next := morningBoard()
	next.Agents[0].State = sportello.AgentAvailable
	next.Agents[0].BoardAgentDetail = sportello.BoardAgentDetail{MOSCalls: 5, AvgMOS: 3.52}
	b.push(next)
	apptest.WaitText(t, w, wait, "Giulia Bianchi · available · since 10:00 · calls today: 3 · audio quality today 3.5 over 5 calls")
	if strings.Contains(apptest.Text(w), "Audio quality 3.4") {
		t.Fatal("the ended call's live quality is still shown")
	}
}

// TestMOS_PresenceCarriesLiveMOS: the operator's presence reports carry
// the call's MOS as the phone estimates it, rounded to a tenth, and none
// once the call is saved; the wrap-up carries the call's last MOS.
func TestMOS_PresenceCarriesLiveMOS(t *testing.T) {
	r := newRig(t)
	p := &presences{}
	r.d.Close()
	r.d = app.Create(test.NewTempApp(t), app.Config{
		Phone: r.phone, Citizens: r.cits, Cases: r.cases, Sync: r.feed, Presence: p, Board: &boards{},
		User: &sportello.User{ID: "u-a", Name: "Giulia Bianchi", Role: sportello.RoleOperator},
	})
	r.w = r.d.Window
	app.WithUI(r.w.Show)
	t.Cleanup(r.d.Close)
	apptest.WaitText(t, r.w, wait, "State: available")

	mosOf := func(mos float64) func() bool {
		return func() bool {
			p.mu.Lock()
			defer p.mu.Unlock()
			return slices.ContainsFunc(p.all, func(pr sportello.Presence) bool {
				return pr.State == sportello.AgentOnCall && pr.MOS == mos
			})
		}
	}
	active := call(sportello.CallActive, "+390212345678")
	r.phone.CallsCh <- active
	apptest.WaitText(t, r.w, wait, "State: on a call")
	waitFor(t, "on a call with no MOS yet", mosOf(0))
	active.Quality = &sportello.CallQuality{MOS: 4.06, JitterMS: 3}
	r.phone.CallsCh <- active
	waitFor(t, "on a call with MOS 4.1", mosOf(4.1))
	active.Quality = &sportello.CallQuality{MOS: 3.12, JitterMS: 30}
	r.phone.CallsCh <- active
	waitFor(t, "on a call with MOS 3.1", mosOf(3.1))

	ended := call(sportello.CallEnded, "+390212345678")
	ended.Quality = &sportello.CallQuality{MOS: 3.12}
	r.phone.CallsCh <- ended
	apptest.WaitText(t, r.w, wait, "State: wrap-up")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case", "State: available")
	p.mu.Lock()
	last := p.all[len(p.all)-1]
	p.mu.Unlock()
	if last.State != sportello.AgentAvailable || last.MOS != 0 {
		t.Fatalf("after saving: %+v, want available without a MOS", last)
	}
	r.cases.mu.Lock()
	defer r.cases.mu.Unlock()
	if n := len(r.cases.got); n == 0 || r.cases.got[n-1].MOS != 3.12 {
		t.Fatalf("wrap-ups %+v, want the last with MOS 3.12", r.cases.got)
	}
}
