package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/wire"
)

var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// city has every role, two desks and a case waiting at the Multe desk;
// deskWork adds, for each user of the table, cases at the Multe desk to
// act on.
var city = deskWork(&demo.Data{
	Users: []demo.User{
		{User: sportello.User{ID: "u-a", Username: "operatore", Name: "Giulia Bianchi", Role: sportello.RoleOperator}, Password: "demo"},
		{User: sportello.User{ID: "u-b", Username: "operatore2", Name: "Marco Ferri", Role: sportello.RoleOperator}, Password: "demo"},
		{User: sportello.User{ID: "u-sup", Username: "supervisore", Name: "Francesca Romano", Role: sportello.RoleSupervisor}, Password: "demo"},
		{User: sportello.User{ID: "u-adm", Username: "admin", Name: "Paolo Galli", Role: sportello.RoleAdmin}, Password: "demo"},
	},
	Desks: []sportello.Desk{{ID: "desk-multe", Name: "Multe"}, {ID: "desk-tributi", Name: "Tributi"}},
	Citizens: []sportello.Citizen{
		{ID: "c-rossi", Kind: sportello.CitizenPerson, Name: "Maria Rossi", Phones: []string{"+390212345678"}},
		{ID: "c-verdi", Kind: sportello.CitizenPerson, Name: "Luca Verdi", Phones: []string{"+393351112233"}},
		{ID: "c-neri", Kind: sportello.CitizenPerson, Name: "Anna Neri", Phones: []string{"+393409998877"}},
	},
	Cases: []*sportello.Case{{ID: "k-multa", CitizenID: "c-neri", Events: []*sportello.CaseEvent{
		{ID: "e-1", CaseID: "k-multa", Kind: sportello.EventOpened, At: t0, Note: "Multa contestata"},
		{ID: "e-2", CaseID: "k-multa", Kind: sportello.EventEscalated, At: t0, DeskID: "desk-multe"},
	}}},
})

// deskWork seeds, for each username of the authorization table, cases of
// Carla Galli (a citizen of their own) at the Multe desk: k-USER-waiting and k-USER-waiting2
// escalated, k-USER-held and k-USER-held2 taken by specialista (u-specialista),
// so that each role's actions on cases are tried on cases of their own.
func deskWork(d *demo.Data) *demo.Data {
	d.Citizens = append(d.Citizens, sportello.Citizen{ID: "c-galli", Kind: sportello.CitizenPerson, Name: "Carla Galli", Phones: []string{"+393401112222"}})
	for _, u := range []string{"operatore", "specialista", "supervisore", "admin"} {
		for _, name := range []string{"waiting", "waiting2", "held", "held2"} {
			id := "k-" + u + "-" + name
			events := []*sportello.CaseEvent{
				{ID: id + "-1", CaseID: id, Kind: sportello.EventOpened, At: t0, Note: "Multa da verificare"},
				{ID: id + "-2", CaseID: id, Kind: sportello.EventEscalated, At: t0, DeskID: "desk-multe"},
			}
			if strings.HasPrefix(name, "held") {
				events = append(events, &sportello.CaseEvent{ID: id + "-3", CaseID: id, Kind: sportello.EventClaimed, At: t0,
					AuthorID: "u-specialista", Author: "Specialista Multe", AuthorRole: sportello.RoleSpecialist})
			}
			d.Cases = append(d.Cases, &sportello.Case{ID: id, CitizenID: "c-galli", Events: events})
		}
	}
	return d
}

// newCityEnv serves the city with the change feed filtered, and adds a
// specialist of each desk (password "password-lunga").
func newCityEnv(t *testing.T) *env {
	t.Helper()
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := db.Seed(ctx, city); err != nil {
		t.Fatal(err)
	}
	for username, desk := range map[string]string{"specialista": "Multe", "specialista2": "desk-tributi"} {
		u := &sportello.User{ID: "u-" + username, Username: username, Name: "Specialista " + desk, Role: sportello.RoleSpecialist}
		if err := db.CreateUserInDesks(ctx, u, "password-lunga", []string{desk}); err != nil {
			t.Fatal(err)
		}
	}
	srv := server.New(db, nil)
	srv.FilterChanges = true
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &env{db: db, srv: srv, url: srv.URL()}
}

// signIn signs in a user of the city, whatever its password.
func (e *env) signIn(t *testing.T, username string) string {
	t.Helper()
	for _, pw := range []string{"demo", "password-lunga"} {
		b, _ := json.Marshal(wire.LoginRequest{Username: username, Password: pw})
		status, body := e.call(t, "POST", "/v1/login", "", bytes.NewReader(b))
		if status == http.StatusOK {
			var resp wire.LoginResponse
			json.Unmarshal(body, &resp)
			return resp.Token
		}
	}
	t.Fatalf("cannot sign in %s", username)
	return ""
}

// wsStatus opens /v1/ws and returns the status of the handshake.
func (e *env) wsStatus(t *testing.T, token string) int {
	t.Helper()
	u := strings.Replace(e.url, "http://", "ws://", 1) + "/v1/ws?token=" + url.QueryEscape(token)
	ws, resp, err := websocket.DefaultDialer.Dial(u, nil)
	if err == nil {
		ws.Close()
		return http.StatusSwitchingProtocols
	}
	if resp == nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// TestServer_Authorization is the one table of who may do what: every
// role against every endpoint (the status it gets), then every role
// against every kind of change (whether the feed shows it, over
// GET /v1/changes and over the WebSocket).
func TestServer_Authorization(t *testing.T) {
	users := []string{"operatore", "specialista", "supervisore", "admin"}
	const (
		ok   = http.StatusOK
		made = http.StatusCreated
		no   = http.StatusForbidden
		ws   = http.StatusSwitchingProtocols
	)
	endpoints := []struct {
		name, method, path, body string
		want                     map[string]int // by username (one per role)
	}{
		{"Health", "GET", "/healthz", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"Ready", "GET", "/readyz", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		// Open311 (open311.go) is for city apps, outside sessions: reads are
		// public; filing needs an api_key, not a role (open311_test.go).
		{"Open311Services", "GET", "/open311/v2/services.json", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"Open311Requests", "GET", "/open311/v2/requests.xml", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"Me", "GET", "/v1/me", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"LookupCaller", "GET", "/v1/callers/+390212345678?reason=call-1", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"RecordWrapUp", "POST", "/v1/wrapups", `{"call_id":"c","citizen_id":"c-verdi","outcome":"transferred"}`, map[string]int{"operatore": made, "specialista": made, "supervisore": no, "admin": no}},
		// A desktop's outbox in one request (batch.go): each op gets its own
		// result, a wrap-up by a supervisor refused inside (batch_test.go).
		{"PushOps", "POST", "/v1/ops", `{"ops":[{"id":"01950000-0000-7000-8000-00000000b0d1","kind":"offline_read","body":{"at":"{now}","citizen_id":"c-rossi","number":"+390212345678","reason":"call-1"}}]}`, map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"Changes", "GET", "/v1/changes", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"WebSocket", "WS", "/v1/ws", "", map[string]int{"operatore": ws, "specialista": ws, "supervisore": ws, "admin": ws}},
		{"AuditLog", "GET", "/v1/audit?citizen_id=c-rossi", "", map[string]int{"operatore": no, "specialista": no, "supervisore": ok, "admin": ok}},
		{"OfflineRead", "POST", "/v1/audit/offline", `{"id":"01950000-0000-7000-8000-00000000a0d1","at":"{now}","citizen_id":"c-rossi","number":"+390212345678","reason":"call-1"}`, map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"KnowledgeBase", "GET", "/v1/kb?limit=500&after=", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"Directory", "GET", "/v1/directory?limit=500&after=", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		// Editing (kbedit.go): admins edit everything, specialists the KB
		// entries of their desks (specialista is at Multe); everyone reads
		// the history. Admins import and export the catalogue (catalog.go).
		{"CreateKB", "POST", "/v1/kb", `{"id":"kb-new","kind":"answer","title":"Orari estivi","summary":"Dal 1 luglio.","owner_desk":"desk-multe"}`, map[string]int{"operatore": no, "specialista": made, "supervisore": no, "admin": http.StatusConflict}},
		{"EditKB", "PUT", "/v1/kb/kb-new", `{"version":{v},"kind":"answer","title":"Orari estivi","summary":"Dal 1 luglio, {user}.","owner_desk":"desk-multe"}`, map[string]int{"operatore": no, "specialista": ok, "supervisore": no, "admin": ok}},
		{"EditKBOtherDesk", "POST", "/v1/kb", `{"kind":"answer","title":"Scadenze IMU","summary":"16 giugno.","owner_desk":"desk-tributi"}`, map[string]int{"operatore": no, "specialista": no, "supervisore": no, "admin": made}},
		{"KBHistory", "GET", "/v1/kb/kb-new/history", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"CreateDirectory", "POST", "/v1/directory", `{"id":"dir-a","name":"Polizia locale","number":"+390277271"}`, map[string]int{"operatore": no, "specialista": no, "supervisore": no, "admin": made}},
		{"EditDirectory", "PUT", "/v1/directory/dir-a", `{"version":1,"name":"Polizia locale","number":"+390277270"}`, map[string]int{"operatore": no, "specialista": no, "supervisore": no, "admin": ok}},
		{"DirectoryHistory", "GET", "/v1/directory/dir-a/history", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"RetireDirectory", "DELETE", "/v1/directory/dir-a?version=2", "", map[string]int{"operatore": no, "specialista": no, "supervisore": no, "admin": ok}},
		{"CatalogExport", "GET", "/v1/catalog/export?format=csv&table=directory", "", map[string]int{"operatore": no, "specialista": no, "supervisore": no, "admin": ok}},
		{"CatalogImport", "POST", "/v1/catalog/import?table=directory", "id,name,number\ndir-imp,Numero verde,+39800000000\n", map[string]int{"operatore": no, "specialista": no, "supervisore": no, "admin": ok}},
		{"Desks", "GET", "/v1/desks", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"Queue", "GET", "/v1/queue", "", map[string]int{"operatore": no, "specialista": ok, "supervisore": ok, "admin": ok}},
		// Each user acts on cases of their own ({user}), so that one
		// user's action does not change what the next one finds.
		{"ClaimCase", "POST", "/v1/cases/k-{user}-waiting/events", `{"kind":"claimed"}`, map[string]int{"operatore": no, "specialista": made, "supervisore": no, "admin": no}},
		{"NoteCase", "POST", "/v1/cases/k-{user}-waiting/events", `{"kind":"note","note":"Sentito il comando"}`, map[string]int{"operatore": made, "specialista": made, "supervisore": made, "admin": no}},
		{"AnswerReady", "POST", "/v1/cases/k-{user}-held/events", `{"kind":"answer_ready","note":"Multa annullata"}`, map[string]int{"operatore": no, "specialista": made, "supervisore": no, "admin": no}},
		// Replies (replies.go): the holder replies to the citizen; the
		// desk and supervisors print letters (none recorded here yet).
		{"ReplyToCitizen", "POST", "/v1/cases/k-{user}-held/replies", `{"channel":"phone","text":"Multa annullata, detto al telefono"}`, map[string]int{"operatore": no, "specialista": made, "supervisore": no, "admin": no}},
		{"PrintLetter", "GET", "/v1/cases/k-{user}-held/letter.pdf", "", map[string]int{"operatore": no, "specialista": http.StatusNotFound, "supervisore": http.StatusNotFound, "admin": no}},
		{"ReleaseCase", "POST", "/v1/cases/k-{user}-held2/events", `{"kind":"released"}`, map[string]int{"operatore": no, "specialista": made, "supervisore": made, "admin": no}},
		{"ResolveCase", "POST", "/v1/cases/k-{user}-waiting/events", `{"kind":"resolved","note":"Risposto"}`, map[string]int{"operatore": no, "specialista": made, "supervisore": no, "admin": no}},
		// Supervisors and admins give a waiting case to a specialist of
		// its desk (assign.go).
		{"AssignCase", "POST", "/v1/cases/k-{user}-waiting/assign", `{"assignee_id":"u-specialista"}`, map[string]int{"operatore": no, "specialista": no, "supervisore": made, "admin": made}},
		{"EscalateCase", "POST", "/v1/cases/k-{user}-waiting2/events", `{"kind":"escalated","desk_id":"desk-tributi","note":"È un tributo"}`, map[string]int{"operatore": made, "specialista": made, "supervisore": made, "admin": no}},
		// Specialists work only their desks' cases: specialista2 is at
		// Tributi, k-multa at Multe (see DeskRule below).
		// The supervisor's board: agents report their state, supervisors
		// and admins read the board.
		{"Presence", "POST", "/v1/presence", `{"state":"break","reason":"pausa caffè"}`, map[string]int{"operatore": http.StatusNoContent, "specialista": http.StatusNoContent, "supervisore": no, "admin": no}},
		{"Board", "GET", "/v1/board", "", map[string]int{"operatore": no, "specialista": no, "supervisore": ok, "admin": ok}},
		// Acting from the board (boardact.go): those who take calls raise
		// (and first lower) a hand, supervisors and admins answer operatore's
		// (u-a), give each their own callback ({cb}) to the pool and move
		// Marco Ferri (u-b) to Tributi.
		{"LowerHand", "DELETE", "/v1/hand", "", map[string]int{"operatore": http.StatusNoContent, "specialista": http.StatusNoContent, "supervisore": no, "admin": no}},
		{"RaiseHand", "POST", "/v1/hand", `{"note":"Cittadino agitato"}`, map[string]int{"operatore": ok, "specialista": ok, "supervisore": no, "admin": no}},
		{"AnswerHand", "POST", "/v1/hands/u-a/answer", "", map[string]int{"operatore": no, "specialista": no, "supervisore": ok, "admin": ok}},
		{"ReassignCallback", "POST", "/v1/callbacks/{cb}/owner", `{"owner":"pool"}`, map[string]int{"operatore": no, "specialista": no, "supervisore": ok, "admin": ok}},
		{"MoveAgent", "POST", "/v1/agents/u-b/desks", `{"to":"desk-tributi"}`, map[string]int{"operatore": no, "specialista": no, "supervisore": http.StatusNoContent, "admin": http.StatusNoContent}},
		// Reports (reports.go): supervisors and admins, in every format.
		{"Report", "GET", "/v1/reports?period=day&date=2025-03-14", "", map[string]int{"operatore": no, "specialista": no, "supervisore": ok, "admin": ok}},
		{"ReportPDF", "GET", "/v1/reports?period=month&date=2025-03-14&format=pdf", "", map[string]int{"operatore": no, "specialista": no, "supervisore": ok, "admin": ok}},
		// Callbacks: everyone reads those they may work; those who take
		// calls record attempts, each on a pool callback of their own ({cb}).
		{"Callbacks", "GET", "/v1/callbacks", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"CallbackAttempt", "POST", "/v1/callbacks/{cb}/attempts", `{"outcome":"no_answer"}`, map[string]int{"operatore": made, "specialista": made, "supervisore": no, "admin": no}},
		// First-contact resolution (fcr.go): how much KB entries helped
		// (specialists see their desks' entries), who is available at a desk.
		{"KBUsefulness", "GET", "/v1/kb/usefulness", "", map[string]int{"operatore": no, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"DeskAvailability", "GET", "/v1/desks/availability", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		// Appointments (appointments.go): everyone reads; those who take
		// calls book, move and cancel, each their own ({appt}).
		{"AppointmentServices", "GET", "/v1/appointments/services", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"FreeSlots", "GET", "/v1/appointments/slots?office_id=o-urp&service=info", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"BookAppointment", "POST", "/v1/appointments", `{"id":"{appt}","office_id":"o-urp","service":"info","start":"{slot}","citizen_id":"c-galli"}`, map[string]int{"operatore": made, "specialista": made, "supervisore": no, "admin": no}},
		{"MoveAppointment", "POST", "/v1/appointments/{appt}/move", `{"start":"{slot2}"}`, map[string]int{"operatore": ok, "specialista": ok, "supervisore": no, "admin": no}},
		{"CancelAppointment", "POST", "/v1/appointments/{appt}/cancel", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": no, "admin": no}},
		{"CitizenAppointments", "GET", "/v1/appointments?citizen_id=c-galli", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		// Citizens' identity (citizens.go): those who talk to citizens
		// register (a new id each time), edit and search; supervisors
		// merge duplicates; admins do not touch citizens' data.
		{"SearchCitizens", "GET", "/v1/citizens?q=rossi&reason=duplicati", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": no}},
		{"CreateCitizen", "POST", "/v1/citizens?reason=call-9", `{"kind":"person","name":"Nuovo Cittadino","phones":["333 000 1111"]}`, map[string]int{"operatore": made, "specialista": made, "supervisore": made, "admin": no}},
		{"EditCitizen", "PUT", "/v1/citizens/c-galli", `{"kind":"person","name":"Carla Galli","phones":["+393401112222","02 8845 0000"]}`, map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": no}},
		{"MergeCitizens", "POST", "/v1/citizens/c-rossi/merge", `{"duplicate_id":"c-verdi"}`, map[string]int{"operatore": no, "specialista": no, "supervisore": ok, "admin": no}},
		{"Metrics", "GET", "/metrics", "", map[string]int{"operatore": ok, "specialista": ok, "supervisore": ok, "admin": ok}},
		{"Logout", "POST", "/v1/logout", "", map[string]int{"operatore": http.StatusNoContent, "specialista": http.StatusNoContent, "supervisore": http.StatusNoContent, "admin": http.StatusNoContent}},
	}
	t.Run("Endpoints", func(t *testing.T) {
		e := newCityEnv(t)
		cbs := poolCallbacks(t, e, users)
		appts := newBookable(t, e, users)
		for _, username := range users {
			token := e.signIn(t, username)
			for _, ep := range endpoints {
				t.Run(username+"/"+ep.name, func(t *testing.T) {
					want, listed := ep.want[username]
					if !listed {
						t.Fatalf("the table has no answer for %s", username)
					}
					head, _ := e.db.Head(context.Background())
					var status int
					var body []byte
					if ep.method == "WS" {
						status = e.wsStatus(t, token)
					} else {
						var rd *strings.Reader
						if ep.body != "" {
							rd = strings.NewReader(ep.body)
						} else {
							rd = strings.NewReader("")
						}
						if strings.Contains(ep.body, "{v}") { // the version the edit starts from
							rd = strings.NewReader(strings.NewReplacer("{v}", strconv.Itoa(kbVersion(t, e, token, "kb-new")), "{user}", username).Replace(ep.body))
						}
						if strings.Contains(ep.body, "{now}") { // an offline read just made
							rd = strings.NewReader(strings.Replace(ep.body, "{now}", time.Now().UTC().Format(time.RFC3339), 1))
						}
						if strings.Contains(ep.body, "{appt}") || strings.Contains(ep.body, "{slot") {
							rd = strings.NewReader(appts.replace(ep.body, username))
						}
						status, body = e.call(t, ep.method, appts.replace(strings.NewReplacer("{user}", username, "{cb}", cbs[username]).Replace(ep.path), username), token, rd)
					}
					if status != want {
						t.Fatalf("%s %s as %s: %d %s, want %d", ep.method, ep.path, username, status, body, want)
					}
					if status == no {
						wantError(t, status, body, no, sportello.EFORBIDDEN, "may not")
						if h, _ := e.db.Head(context.Background()); h != head {
							t.Fatal("a forbidden request wrote changes")
						}
					}
				})
			}
			// Signed out by the last endpoint: the token is dead.
			status, body := e.call(t, "GET", "/v1/me", token, nil)
			wantError(t, status, body, http.StatusUnauthorized, sportello.EUNAUTHORIZED, "sign in")
		}
	})

	t.Run("DeskRule", func(t *testing.T) {
		e := newCityEnv(t)
		token := e.signIn(t, "specialista2") // Tributi
		head, _ := e.db.Head(context.Background())
		for _, body := range []string{`{"kind":"claimed"}`, `{"kind":"note","note":"x"}`, `{"kind":"escalated","desk_id":"desk-tributi"}`} {
			status, resp := e.call(t, "POST", "/v1/cases/k-multa/events", token, strings.NewReader(body))
			wantError(t, status, resp, no, sportello.EFORBIDDEN, "not at one of your desks")
		}
		status, resp := e.call(t, "GET", "/v1/queue", token, nil)
		var q wire.QueueResponse
		json.Unmarshal(resp, &q)
		for _, k := range q.Cases {
			if k.DeskID != "desk-tributi" {
				t.Fatalf("specialista2's queue has %s at %s: %d %s", k.ID, k.DeskID, status, resp)
			}
		}
		if h, _ := e.db.Head(context.Background()); h != head {
			t.Fatal("a refused action wrote changes")
		}
	})

	t.Run("Feed", func(t *testing.T) {
		e := newCityEnv(t)
		ctx := context.Background()
		tokens := map[string]string{}
		for _, u := range []string{"operatore", "operatore2", "specialista", "specialista2", "supervisore", "admin"} {
			tokens[u] = e.signIn(t, u)
		}
		// operatore holds Maria Rossi's card open.
		if status, body := e.call(t, "GET", "/v1/callers/+390212345678?reason=call-0", tokens["operatore"], nil); status != ok {
			t.Fatalf("lookup: %d %s", status, body)
		}
		// Sockets open before the changes: they get them live.
		sockets := map[string]*websocket.Conn{}
		for u, token := range tokens {
			sockets[u] = e.dialWS(t, token, 0)
			if f := readFrame(t, sockets[u]); f.Type != wire.FrameHello {
				t.Fatalf("%s: %+v", u, f)
			}
		}
		post := func(username string, w sportello.WrapUp) *sportello.Case {
			return e.wrapUp(t, tokens[username], w)
		}
		type kind struct {
			name string
			seqs []int64
			want map[string]bool // visible to each user
		}
		own := post("operatore", sportello.WrapUp{CallID: "c1", CitizenID: "c-verdi", Outcome: sportello.OutcomeTransferred})
		post("operatore2", sportello.WrapUp{CallID: "c2", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred})
		post("operatore2", sportello.WrapUp{CallID: "c3", CaseID: "k-multa", Outcome: sportello.OutcomeTransferred})
		kinds := []kind{
			// A supervisor's feed is its own working set, like anyone's:
			// the board tells it the rest (policy.go).
			{"OwnCase", []int64{1, 2, 3},
				map[string]bool{"operatore": true, "operatore2": false, "specialista": false, "specialista2": false, "supervisore": false, "admin": true}},
			{"CitizenLookedUp", []int64{4, 5, 6},
				map[string]bool{"operatore": true, "operatore2": true, "specialista": false, "specialista2": false, "supervisore": false, "admin": true}},
			{"DeskCase", []int64{7, 8},
				map[string]bool{"operatore": false, "operatore2": true, "specialista": true, "specialista2": false, "supervisore": false, "admin": true}},
		}
		// check reads seqs from the socket (and from GET /v1/changes when
		// pull) and compares each with the table.
		check := func(kinds []kind, pull bool) {
			t.Helper()
			for username, token := range tokens {
				var pulled []sportello.Change
				if pull {
					status, body := e.call(t, "GET", "/v1/changes", token, nil)
					var resp wire.ChangesResponse
					json.Unmarshal(body, &resp)
					if status != ok || resp.Cursor != 8 || len(resp.Changes) != 8 {
						t.Fatalf("%s: %d %s, want every seq to 8", username, status, body)
					}
					pulled = resp.Changes
				}
				for _, k := range kinds {
					for _, seq := range k.seqs {
						got := []sportello.Change{wantChange(t, sockets[username], seq)}
						if pull {
							got = append(got, pulled[seq-1])
						}
						for _, c := range got {
							hidden := c.Kind == wire.ChangeKindHidden
							if hidden == k.want[username] {
								t.Errorf("%s / %s (seq %d): visible %v, want %v", username, k.name, seq, !hidden, k.want[username])
							}
							if hidden && (c.Event != nil || c.CaseID != "" || c.CitizenID != "" || c.DeskID != "") {
								t.Errorf("%s: a hidden change tells %+v", username, c)
							}
						}
					}
				}
			}
		}
		check(kinds, true)

		// operatore2 writes on operatore's case: operatore sees it (a case
		// they wrote on), and so does its author.
		post("operatore2", sportello.WrapUp{CallID: "c4", CaseID: own.ID, Outcome: sportello.OutcomeResolvedFirstContact})
		check([]kind{{"OthersEventOnOwnCase", []int64{9, 10},
			map[string]bool{"operatore": true, "operatore2": true, "specialista": false, "specialista2": false, "supervisore": false, "admin": true}}}, false)

		// specialista claims the Multe desk's case: the desk and whoever
		// wrote on the case (operatore2) see it.
		if status, body := e.call(t, "POST", "/v1/cases/k-multa/events", tokens["specialista"], strings.NewReader(`{"kind":"claimed"}`)); status != made {
			t.Fatalf("claim: %d %s", status, body)
		}
		check([]kind{{"DeskClaim", []int64{11},
			map[string]bool{"operatore": false, "operatore2": true, "specialista": true, "specialista2": false, "supervisore": false, "admin": true}}}, false)

		// An edit of the knowledge base or of the directory goes to every
		// desktop (kbedit.go).
		if status, body := e.call(t, "POST", "/v1/kb", tokens["admin"], strings.NewReader(`{"id":"kb-estate","kind":"answer","title":"Negozi aperti in estate","summary":"Elenco sul portale."}`)); status != made {
			t.Fatalf("create kb: %d %s", status, body)
		}
		if status, body := e.call(t, "POST", "/v1/directory", tokens["admin"], strings.NewReader(`{"id":"dir-estate","name":"Numero verde estate","number":"+39800123456"}`)); status != made {
			t.Fatalf("create directory entry: %d %s", status, body)
		}
		everyone := map[string]bool{"operatore": true, "operatore2": true, "specialista": true, "specialista2": true, "supervisore": true, "admin": true}
		check([]kind{{"KBEdit", []int64{12}, everyone}, {"DirectoryEdit", []int64{13}, everyone}}, false)

		// The supervisor writes on the Multe desk's case: it sees its note
		// and, from then on, the case's other events.
		for _, w := range []struct{ user, body string }{
			{"supervisore", `{"kind":"note","note":"Seguo io il caso"}`},
			{"specialista", `{"kind":"note","note":"Risposta domani"}`},
		} {
			if status, body := e.call(t, "POST", "/v1/cases/k-multa/events", tokens[w.user], strings.NewReader(w.body)); status != made {
				t.Fatalf("note by %s: %d %s", w.user, status, body)
			}
		}
		check([]kind{{"SupervisorWroteOn", []int64{14, 15},
			map[string]bool{"operatore": false, "operatore2": true, "specialista": true, "specialista2": false, "supervisore": true, "admin": true}}}, false)
		_ = ctx
	})
}

// kbVersion returns the version of a KB entry as its newest history row
// says, 0 when it has none.
func kbVersion(t *testing.T, e *env, token, id string) int {
	t.Helper()
	_, body := e.call(t, "GET", "/v1/kb/"+id+"/history", token, nil)
	var h wire.HistoryResponse
	json.Unmarshal(body, &h)
	if n := len(h.Versions); n > 0 {
		return h.Versions[n-1].Version
	}
	return 0
}

// poolCallbacks schedules, for each username, a pool callback for Carla
// Galli (recorded by operatore straight in the store) and returns their ids.
func poolCallbacks(t *testing.T, e *env, users []string) map[string]string {
	t.Helper()
	actor := &sportello.User{ID: "u-a", Username: "operatore", Name: "Giulia Bianchi", Role: sportello.RoleOperator}
	ids := map[string]string{}
	for i, u := range users {
		k, err := e.db.RecordWrapUp(context.Background(), actor, sportello.WrapUp{
			CallID: "cb-" + u, CallerNumber: "+393401112222", Outcome: sportello.OutcomeCallbackScheduled,
			CallbackFrom: t0.Add(time.Duration(i) * time.Hour), CallbackTo: t0.Add(time.Duration(i+2) * time.Hour), CallbackOwner: sportello.OwnerPool,
		})
		if err != nil {
			t.Fatal(err)
		}
		ids[u] = k.Events[len(k.Events)-1].ID
	}
	return ids
}
