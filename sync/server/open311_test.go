package server_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
	"github.com/sportello/sportello/sync/wire"
)

// open311Env serves the city (desks Multe and Tributi, a specialist of
// each) on a real syncd over SQLite, its Open311 endpoint set by cfg
// before it opens.
func open311Env(t *testing.T, cfg func(*server.Server)) *env {
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
	srv.Open311.Jurisdiction = "esempio.it"
	if cfg != nil {
		cfg(srv)
	}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &env{db: db, srv: srv, url: srv.URL()}
}

// o311 sends an Open311 request (a form when form is not nil) and returns
// the status, the content type and the body.
func (e *env) o311(t *testing.T, method, path string, form url.Values) (int, string, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, e.url+"/open311/v2/"+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), data
}

// get311 GETs an Open311 resource that must answer 200 in its format,
// and decodes it into v (JSON or XML by the path's suffix).
func (e *env) get311(t *testing.T, path string, v any) []byte {
	t.Helper()
	status, ctype, body := e.o311(t, "GET", path, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	decode311(t, path, ctype, body, v)
	return body
}

func decode311(t *testing.T, path, ctype string, body []byte, v any) {
	t.Helper()
	if !strings.Contains(path, ".json") {
		if ctype != "text/xml; charset=utf-8" || !strings.HasPrefix(string(body), `<?xml version="1.0" encoding="UTF-8"?>`) {
			t.Fatalf("%s: content type %q, body %.80s", path, ctype, body)
		}
		if err := xml.Unmarshal(body, v); err != nil {
			t.Fatalf("%s: %v in %s", path, err, body)
		}
		return
	}
	if ctype != "application/json; charset=utf-8" {
		t.Fatalf("%s: content type %q", path, ctype)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%s: %v in %s", path, err, body)
	}
}

// open311Errs is the spec's error list, in either format.
type open311Errs struct {
	XMLName xml.Name `xml:"errors"`
	Errors  []struct {
		Code        int    `json:"code" xml:"code"`
		Description string `json:"description" xml:"description"`
	} `xml:"error"`
}

// wantError311 checks an answer is the spec's error with the status as
// its code and a description containing want.
func wantError311(t *testing.T, path string, status int, ctype string, body []byte, wantStatus int, want string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("%s: status %d, want %d (%s)", path, status, wantStatus, body)
	}
	var errs open311Errs
	if strings.Contains(path, ".json") {
		decode311(t, path, ctype, body, &errs.Errors)
	} else {
		decode311(t, path, ctype, body, &errs)
	}
	if len(errs.Errors) != 1 || errs.Errors[0].Code != wantStatus || !strings.Contains(errs.Errors[0].Description, want) {
		t.Fatalf("%s: errors %+v, want %d %q", path, errs.Errors, wantStatus, want)
	}
}

// What the tests read back, as a city app would: in JSON or XML.
type (
	discovery311 struct {
		XMLName   xml.Name `json:"-" xml:"discovery"`
		Changeset string   `json:"changeset" xml:"changeset"`
		Endpoints []struct {
			Specification string   `json:"specification" xml:"specification"`
			URL           string   `json:"url" xml:"url"`
			Type          string   `json:"type" xml:"type"`
			Formats       []string `json:"formats" xml:"formats>format"`
		} `json:"endpoints" xml:"endpoints>endpoint"`
	}
	service311 struct {
		Code        string `json:"service_code" xml:"service_code"`
		Name        string `json:"service_name" xml:"service_name"`
		Description string `json:"description" xml:"description"`
		Metadata    bool   `json:"metadata" xml:"metadata"`
		Type        string `json:"type" xml:"type"`
		Keywords    string `json:"keywords" xml:"keywords"`
		Group       string `json:"group" xml:"group"`
	}
	services311 struct {
		XMLName  xml.Name     `xml:"services"`
		Services []service311 `xml:"service"`
	}
	definition311 struct {
		XMLName    xml.Name `json:"-" xml:"service_definition"`
		Code       string   `json:"service_code" xml:"service_code"`
		Attributes []struct {
			Variable bool   `json:"variable" xml:"variable"`
			Code     string `json:"code" xml:"code"`
			Datatype string `json:"datatype" xml:"datatype"`
			Required bool   `json:"required" xml:"required"`
			Order    int    `json:"order" xml:"order"`
			Values   []struct {
				Key  string `json:"key" xml:"key"`
				Name string `json:"name" xml:"name"`
			} `json:"values" xml:"values>value"`
		} `json:"attributes" xml:"attributes>attribute"`
	}
	request311 struct {
		ID                string   `json:"service_request_id" xml:"service_request_id"`
		Token             string   `json:"token" xml:"token"`
		Status            string   `json:"status" xml:"status"`
		StatusNotes       string   `json:"status_notes" xml:"status_notes"`
		ServiceName       string   `json:"service_name" xml:"service_name"`
		ServiceCode       string   `json:"service_code" xml:"service_code"`
		Description       string   `json:"description" xml:"description"`
		AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
		ServiceNotice     string   `json:"service_notice" xml:"service_notice"`
		RequestedAt       string   `json:"requested_datetime" xml:"requested_datetime"`
		UpdatedAt         string   `json:"updated_datetime" xml:"updated_datetime"`
		Address           string   `json:"address" xml:"address"`
		Lat               *float64 `json:"lat" xml:"lat"`
		Long              *float64 `json:"long" xml:"long"`
		MediaURL          string   `json:"media_url" xml:"media_url"`
	}
	requests311 struct {
		XMLName  xml.Name     `xml:"service_requests"`
		Requests []request311 `xml:"request"`
	}
)

// requests reads GET requests (or a request, or a token) in either format.
func (e *env) requests311(t *testing.T, path string) []request311 {
	t.Helper()
	var out requests311
	if strings.Contains(path, ".json") {
		e.get311(t, path, &out.Requests)
	} else {
		e.get311(t, path, &out)
	}
	return out.Requests
}

func ids311(rs []request311) []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestOpen311_Conformance exercises every endpoint of the GeoReport v2
// endpoint in JSON and XML, with valid and invalid input, on a real syncd:
// a request filed by a city app becomes a case on the Multe desk, pushed
// to its specialist and in the desk's queue; once the specialist resolves
// it the request is closed with the answer as status_notes; no answer ever
// shows the reporter.
func TestOpen311_Conformance(t *testing.T) {
	e := open311Env(t, nil)
	ctx := context.Background()

	// Discovery.
	for _, f := range []string{"json", "xml"} {
		var d discovery311
		e.get311(t, "discovery."+f, &d)
		if d.Changeset == "" || len(d.Endpoints) != 1 || d.Endpoints[0].URL != e.url+"/open311/v2" || d.Endpoints[0].Type != "production" ||
			!slices.Equal(d.Endpoints[0].Formats, []string{"text/xml", "application/json"}) || !strings.Contains(d.Endpoints[0].Specification, "GeoReport_v2") {
			t.Fatalf("discovery.%s: %+v", f, d)
		}
	}

	// The service list: the catalogue's categories of the city's desks.
	for _, f := range []string{"json", "xml"} {
		var list []service311
		if f == "json" {
			e.get311(t, "services.json", &list)
		} else {
			var x services311
			e.get311(t, "services.xml?jurisdiction_id=esempio.it", &x)
			list = x.Services
		}
		var codes []string
		for _, s := range list {
			codes = append(codes, s.Code)
		}
		if !slices.Equal(codes, []string{"imu", "multe", "tari"}) {
			t.Fatalf("services.%s codes %v", f, codes)
		}
		if m := list[1]; m.Name != "Multe e sanzioni" || m.Group != "Multe" || !m.Metadata || m.Type != "realtime" ||
			!strings.Contains(m.Keywords, "verbale per divieto di sosta") || m.Description == "" {
			t.Fatalf("services.%s multe: %+v", f, m)
		}
	}

	// A service definition.
	for _, f := range []string{"json", "xml"} {
		var d definition311
		body := e.get311(t, "services/multe."+f, &d)
		if d.Code != "multe" || len(d.Attributes) != 2 || strings.Contains(string(body), "<values></values>") {
			t.Fatalf("services/multe.%s: %+v", f, d)
		}
		topic, number := d.Attributes[0], d.Attributes[1]
		if topic.Code != "argomento" || topic.Datatype != "singlevaluelist" || topic.Required || !topic.Variable || topic.Order != 1 ||
			len(topic.Values) < 2 || topic.Values[0].Key != "t1" || topic.Values[0].Name != "Verbale per divieto di sosta" {
			t.Fatalf("services/multe.%s topic: %+v", f, topic)
		}
		if number.Code != "numero_verbale" || number.Datatype != "string" || !number.Required || number.Order != 2 {
			t.Fatalf("services/multe.%s number: %+v", f, number)
		}
	}

	// Not found, a format that is not served, a jurisdiction of another city.
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "services/buche.json", "no service has code buche"},
		{"GET", "services/buche.xml", "no service has code buche"},
		{"GET", "services.html", "name a format"},
		{"GET", "services", "name a format"},
		{"GET", "servizi.json", "no such Open311 resource"},
		{"GET", "services.json?jurisdiction_id=altrove.it", "jurisdiction_id altrove.it not found"},
		{"GET", "requests/01950000-0000-7000-8000-00000000dead.json", "not found"},
		{"GET", "requests/01950000-0000-7000-8000-00000000dead.xml", "not found"},
		{"GET", "tokens/nessuno.json", "no request has this token"},
		{"GET", "tokens/nessuno.xml", "no request has this token"},
		{"DELETE", "requests.json", "no such Open311 resource"},
		{"GET", "a/b/c.xml", "no such Open311 resource"},
		{"POST", "services.json", "POST only to requests.json"},
	} {
		status, ctype, body := e.o311(t, tc.method, tc.path, nil)
		wantError311(t, tc.path, status, ctype, body, http.StatusNotFound, tc.want)
	}

	// Filing a request: refusals first, none of which writes anything.
	head, _ := e.db.Head(ctx)
	valid := func() url.Values {
		return url.Values{
			"api_key": {demo.Open311Key}, "jurisdiction_id": {"esempio.it"}, "service_code": {"multe"},
			"lat": {"45.4781"}, "long": {"9.2265"}, "address_string": {"Via Padova 100, Città di Esempio"},
			"description":               {"Verbale per sosta ma l'auto era stata rubata"},
			"attribute[argomento]":      {"t1"},
			"attribute[numero_verbale]": {"V/2025/123456"},
			"first_name":                {"Anna"}, "last_name": {"Neri"}, "email": {"anna.neri@example.org"},
			"phone":     {"340 999 8877"},
			"media_url": {"https://foto.example.org/verbale.jpg"},
		}
	}
	without := func(keys ...string) url.Values {
		v := valid()
		for _, k := range keys {
			v.Del(k)
		}
		return v
	}
	with := func(k, val string) url.Values {
		v := valid()
		v.Set(k, val)
		return v
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"no key", without("api_key"), 403, "api_key was not provided or is invalid"},
		{"wrong key", with("api_key", "not-the-demo-key-at-all"), 403, "api_key was not provided or is invalid"},
		{"other jurisdiction", with("jurisdiction_id", "altrove.it"), 404, "jurisdiction_id altrove.it not found"},
		{"no service", without("service_code"), 400, "service_code is required"},
		{"unknown service", with("service_code", "buche"), 400, "service_code buche is not a service of this City"},
		{"no location", without("lat", "long", "address_string"), 400, "a location is required"},
		{"half a position", without("long", "address_string"), 400, "lat and long go together"},
		{"lat not a number", with("lat", "nord"), 400, "lat must be a number"},
		{"lat out of range", with("lat", "145"), 400, "lat must be within -90..90"},
		{"required attribute", without("attribute[numero_verbale]"), 400, "attribute numero_verbale is required"},
		{"attribute not a value", with("attribute[argomento]", "t99"), 400, `"t99" is not one of its values`},
		{"unknown attribute", with("attribute[colore]", "rosso"), 400, "has no attribute colore"},
		{"malformed attribute", with("attribute", "x"), 400, "write attributes as attribute[CODE]=VALUE"},
		{"bad email", with("email", "anna at example"), 400, "email is not an email address"},
		{"bad phone", with("phone", "chiamatemi"), 400, "phone is not a phone number"},
		{"bad media", with("media_url", "file:///etc/passwd"), 400, "media_url must be an http or https URL"},
		{"too long", with("description", strings.Repeat("a", 70<<10)), 400, "larger than"},
	} {
		for _, f := range []string{"json", "xml"} {
			status, ctype, body := e.o311(t, "POST", "requests."+f, tc.form)
			wantError311(t, tc.name+" requests."+f, status, ctype, body, tc.status, tc.want)
		}
	}
	if h, _ := e.db.Head(ctx); h != head {
		t.Fatal("a refused request wrote changes")
	}

	// The Multe specialist is online; a city app files in JSON.
	spec, other := e.signIn(t, "specialista"), e.signIn(t, "specialista2")
	ws := e.dialWS(t, spec, head)
	if f := readFrame(t, ws); f.Type != wire.FrameHello {
		t.Fatalf("first frame %+v", f)
	}
	status, ctype, body := e.o311(t, "POST", "requests.json", valid())
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	var created []struct {
		ID            string  `json:"service_request_id"`
		Token         string  `json:"token"`
		ServiceNotice string  `json:"service_notice"`
		AccountID     *string `json:"account_id"`
	}
	decode311(t, "requests.json", ctype, body, &created)
	if len(created) != 1 || created[0].ID == "" || created[0].Token == "" || !strings.Contains(created[0].ServiceNotice, "Multe") || created[0].AccountID != nil {
		t.Fatalf("created %s", body)
	}
	id, token := created[0].ID, created[0].Token
	for i := range 3 {
		ch := wantChange(t, ws, head+int64(i)+1)
		if ch.CaseID != id || ch.DeskID != "desk-multe" || ch.Kind == wire.ChangeKindHidden {
			t.Fatalf("the specialist got %+v", ch)
		}
	}
	status, body = e.call(t, "GET", "/v1/queue", spec, nil)
	var q wire.QueueResponse
	json.Unmarshal(body, &q)
	if status != http.StatusOK || !slices.ContainsFunc(q.Cases, func(k *sportello.Case) bool {
		// Anna Neri is a citizen: matched by her phone.
		return k.ID == id && k.CitizenName == "Anna Neri" && k.Category == "Multe e sanzioni" && k.Status == sportello.StatusEscalated
	}) {
		t.Fatalf("the Multe queue lacks the request: %d %s", status, body)
	}
	if _, body = e.call(t, "GET", "/v1/queue", other, nil); strings.Contains(string(body), id) {
		t.Fatal("the Tributi specialist has the Multe request in the queue")
	}

	// In XML, from an unknown reporter, with an address only.
	x := url.Values{"api_key": {demo.Open311Key}, "service_code": {"tari"}, "address_string": {"Via Larga 12"},
		"description": {"Avviso TARI doppio"}, "first_name": {"Ugo"}, "last_name": {"Forestiero"}, "email": {"ugo@example.org"},
		"account_id": {"acct-42"}}
	status, ctype, body = e.o311(t, "POST", "requests.xml", x)
	var createdXML struct {
		XMLName  xml.Name `xml:"service_requests"`
		Requests []struct {
			ID        string `xml:"service_request_id"`
			Token     string `xml:"token"`
			Notice    string `xml:"service_notice"`
			AccountID string `xml:"account_id"`
		} `xml:"request"`
	}
	if status != http.StatusCreated {
		t.Fatalf("create in XML: %d %s", status, body)
	}
	decode311(t, "requests.xml", ctype, body, &createdXML)
	if len(createdXML.Requests) != 1 || createdXML.Requests[0].ID == "" || createdXML.Requests[0].AccountID != "acct-42" ||
		!strings.Contains(createdXML.Requests[0].Notice, "Tributi") {
		t.Fatalf("created in XML: %s", body)
	}
	tariID := createdXML.Requests[0].ID
	if k, err := e.db.Case(ctx, tariID); err != nil || k.CitizenID != "" || k.DeskID != "desk-tributi" ||
		!strings.Contains(k.Events[1].Note, "Ugo Forestiero, ugo@example.org") {
		t.Fatalf("case of an unknown reporter: %+v, %v", k, err)
	}

	// Tokens.
	for _, f := range []string{"json", "xml"} {
		got := e.requests311(t, "tokens/"+token+"."+f)
		if len(got) != 1 || got[0].ID != id || got[0].Token != token {
			t.Fatalf("tokens.%s: %+v", f, got)
		}
	}

	// One request and the list: what was filed, never who filed it.
	for _, f := range []string{"json", "xml"} {
		path := "requests/" + id + "." + f
		got := e.requests311(t, path)
		if len(got) != 1 {
			t.Fatalf("%s: %+v", path, got)
		}
		r := got[0]
		if r.ID != id || r.Status != "open" || r.StatusNotes != "" || r.ServiceCode != "multe" || r.ServiceName != "Multe e sanzioni" ||
			r.AgencyResponsible != "Multe" || r.Address != "Via Padova 100, Città di Esempio" || r.Lat == nil || *r.Lat != 45.4781 ||
			r.Long == nil || *r.Long != 9.2265 || r.MediaURL != "https://foto.example.org/verbale.jpg" || r.Description == "" || r.Token != "" {
			t.Fatalf("%s: %+v", path, r)
		}
		if _, err := time.Parse(time.RFC3339, r.RequestedAt); err != nil {
			t.Fatalf("%s: requested_datetime %q", path, r.RequestedAt)
		}
	}
	for _, path := range []string{"requests.json", "requests.xml", "requests/" + id + ".json", "requests/" + tariID + ".xml"} {
		_, _, body := e.o311(t, "GET", path, nil)
		for _, personal := range []string{"Anna", "Neri", "anna.neri", "+393409998877", "999 8877", "Ugo", "Forestiero", "ugo@example.org", "acct-42", "c-neri", "V/2025/123456"} {
			if strings.Contains(string(body), personal) {
				t.Fatalf("GET %s shows %q: %s", path, personal, body)
			}
		}
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{tariID, id}},
		{"?service_code=multe", []string{id}},
		{"?service_code=multe,tari&status=open", []string{tariID, id}},
		{"?status=closed", nil},
		{"?service_request_id=" + id + ",sconosciuto&status=closed", []string{id}},
		{"?start_date=" + url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)), nil},
		{"?end_date=" + url.QueryEscape(time.Now().Add(-time.Hour).Format(time.RFC3339)), nil},
		{"?start_date=" + url.QueryEscape(time.Now().Add(-time.Hour).Format(time.RFC3339)) + "&end_date=" + url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)), []string{tariID, id}},
	} {
		for _, f := range []string{"json", "xml"} {
			if got := ids311(e.requests311(t, "requests."+f+tc.query)); !slices.Equal(got, tc.want) {
				t.Fatalf("requests.%s%s: %v, want %v", f, tc.query, got, tc.want)
			}
		}
	}
	for _, tc := range []struct{ query, want string }{
		{"?status=pending", `status is open or closed, not "pending"`},
		{"?start_date=ieri", "start_date must be a date and time"},
		{"?end_date=2025-13-01", "end_date must be a date and time"},
		{"?start_date=2025-03-14T00:00:00Z&end_date=2025-03-13T00:00:00Z", "end_date is before start_date"},
		{"?service_request_id=" + strings.Repeat("a,", 101), "at most 100 service_request_id"},
	} {
		for _, f := range []string{"json", "xml"} {
			path := "requests." + f + tc.query
			status, ctype, body := e.o311(t, "GET", path, nil)
			wantError311(t, path, status, ctype, body, http.StatusBadRequest, tc.want)
		}
	}

	// The specialist answers and resolves: the request is closed, with
	// the resolution as its notes; a later working note stays inside.
	for _, b := range []string{
		`{"kind":"claimed"}`,
		`{"kind":"answer_ready","note":"Furto verificato: verbale da archiviare."}`,
	} {
		if status, body := e.act(t, spec, id, b); status != http.StatusCreated {
			t.Fatalf("%s: %d %s", b, status, body)
		}
	}
	if r := e.requests311(t, "requests/"+id+".json")[0]; r.Status != "open" || r.StatusNotes != "Furto verificato: verbale da archiviare." {
		t.Fatalf("answered: %+v", r)
	}
	for _, b := range []string{
		`{"kind":"resolved","note":"Verbale archiviato in autotutela."}`,
		`{"kind":"note","note":"Interno: la cittadina ha chiamato tre volte."}`,
	} {
		if status, body := e.act(t, spec, id, b); status != http.StatusCreated {
			t.Fatalf("%s: %d %s", b, status, body)
		}
	}
	for _, f := range []string{"json", "xml"} {
		r := e.requests311(t, "requests/"+id+"."+f)[0]
		if r.Status != "closed" || r.StatusNotes != "Verbale archiviato in autotutela." || r.AgencyResponsible != "Multe" || r.UpdatedAt < r.RequestedAt {
			t.Fatalf("resolved, in %s: %+v", f, r)
		}
	}
	if got := ids311(e.requests311(t, "requests.xml?status=closed")); !slices.Equal(got, []string{id}) {
		t.Fatalf("closed requests %v", got)
	}
}

// TestOpen311_BadKeysThrottled: wrong api_keys from one address are
// throttled like failed sign-ins: after DelayAfter of them even the right
// key waits (429 with Retry-After), and it is served once the wait is over.
func TestOpen311_BadKeysThrottled(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(t0)
	e := open311Env(t, func(s *server.Server) {
		s.Now = clk.Now
		s.AddrThrottle = server.Throttle{DelayAfter: 3, LockAfter: 10, MaxDelay: time.Minute, Lockout: 15 * time.Minute}
	})
	form := func(key string) url.Values {
		return url.Values{"api_key": {key}, "service_code": {"imu"}, "address_string": {"Via Roma 1"}}
	}
	for range 3 {
		status, ctype, body := e.o311(t, "POST", "requests.json", form("wrong-key-wrong-key"))
		wantError311(t, "requests.json", status, ctype, body, http.StatusForbidden, "api_key")
	}
	status, ctype, body := e.o311(t, "POST", "requests.xml", form(demo.Open311Key))
	wantError311(t, "requests.xml", status, ctype, body, http.StatusTooManyRequests, "too many requests with a wrong api_key")
	// Reads are not held back.
	var list []service311
	e.get311(t, "services.json", &list)
	clk.Set(t0.Add(2 * time.Second))
	if status, _, body := e.o311(t, "POST", "requests.json", form(demo.Open311Key)); status != http.StatusCreated {
		t.Fatalf("after the wait: %d %s", status, body)
	}
	// Sign-ins from the same address are counted apart.
	if status, _ := e.call(t, "POST", "/v1/login", "", strings.NewReader(`{"username":"operatore","password":"demo"}`)); status != http.StatusOK {
		t.Fatalf("sign-in after bad api keys: %d", status)
	}
}
