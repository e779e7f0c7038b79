package server

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// Open311Store is the part of the store behind the Open311 GeoReport v2
// endpoint: the service list (code -> category -> desk), the city apps'
// API keys and the requests they file, each a case on a desk's queue.
type Open311Store interface {
	// Open311Services returns the services in code order; Open311Service
	// one of them, or ENOTFOUND.
	Open311Services(ctx context.Context) ([]sportello.Open311Service, error)
	Open311Service(ctx context.Context, code string) (*sportello.Open311Service, error)
	// Open311KeyFor returns the API key key is, or EFORBIDDEN.
	Open311KeyFor(ctx context.Context, key string) (*sportello.Open311Key, error)
	// CreateOpen311Request opens the case of a request filed with key
	// (EINVALID for a request its service refuses) and returns it as
	// Open311 shows it, with its token.
	CreateOpen311Request(ctx context.Context, key *sportello.Open311Key, r sportello.Open311Request) (*sportello.Open311Status, error)
	// Open311Requests returns the requests a filter selects, newest first;
	// Open311Token the one a token was given for, or ENOTFOUND.
	Open311Requests(ctx context.Context, f sportello.Open311Filter) ([]sportello.Open311Status, error)
	Open311Token(ctx context.Context, token string) (*sportello.Open311Status, error)
}

// Open311Config is what the Open311 endpoint tells city apps about itself.
type Open311Config struct {
	// Jurisdiction, when set, is the one jurisdiction_id accepted; a
	// request naming another gets 404. Requests may leave it out.
	Jurisdiction string `json:"jurisdiction_id,omitempty"`
	// Contact and KeyService are the discovery's contact and where to ask
	// for an API key.
	Contact    string `json:"contact,omitempty"`
	KeyService string `json:"key_service,omitempty"`
	// BaseURL is the endpoint's public URL (such as
	// https://sportello.example.org/open311/v2); empty: from the request.
	BaseURL string `json:"base_url,omitempty"`
}

// Defaults of the Open311 endpoint.
const (
	// Open311Changeset is when the endpoint's definition last changed.
	Open311Changeset     = "2026-11-26T00:00:00Z"
	defaultOpen311Window = 90 * 24 * time.Hour
	maxOpen311Body       = 64 << 10
	maxOpen311IDs        = 100
	open311Spec          = "http://wiki.open311.org/GeoReport_v2"
)

// The two formats of every Open311 resource, chosen by its suffix.
const (
	formatXML  = "xml"
	formatJSON = "json"
)

// routeOpen311 adds the GeoReport v2 endpoint under /open311/v2/. It is
// not behind syncd's sessions: reads are public, as the spec has them,
// and POST requests needs a city app's api_key.
func (s *Server) routeOpen311(mux *http.ServeMux) {
	mux.HandleFunc("GET /open311/v2/{file}", s.open311(s.handleOpen311Root))
	mux.HandleFunc("POST /open311/v2/{file}", s.open311(s.handleOpen311Create))
	mux.HandleFunc("GET /open311/v2/services/{file}", s.open311(s.handleOpen311Definition))
	mux.HandleFunc("GET /open311/v2/requests/{file}", s.open311(s.handleOpen311Request))
	mux.HandleFunc("GET /open311/v2/tokens/{file}", s.open311(s.handleOpen311Token))
	mux.HandleFunc("/open311/", s.open311(func(w http.ResponseWriter, r *http.Request, name, format string) {
		s.open311Error(w, r, format, sportello.Errorf(sportello.ENOTFOUND, "no such Open311 resource: see %s/discovery.xml", "/open311/v2"))
	}))
}

// open311 splits the last path segment into a resource name and its
// format, refusing a format other than xml or json, and checks
// jurisdiction_id.
func (s *Server) open311(h func(w http.ResponseWriter, r *http.Request, name, format string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		file := r.PathValue("file")
		if file == "" {
			file = r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		}
		name, format := file, ""
		if i := strings.LastIndexByte(file, '.'); i >= 0 {
			name, format = file[:i], file[i+1:]
		}
		if format != formatXML && format != formatJSON {
			s.open311Error(w, r, formatXML, sportello.Errorf(sportello.ENOTFOUND, "name a format: .xml or .json"))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxOpen311Body)
		if err := r.ParseForm(); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				s.open311Error(w, r, format, sportello.Errorf(sportello.EINVALID, "the request body is larger than %d bytes", tooLarge.Limit))
				return
			}
			s.open311Error(w, r, format, sportello.Errorf(sportello.EINVALID, "the request is not a well-formed form"))
			return
		}
		if j := r.Form.Get("jurisdiction_id"); j != "" && s.Open311.Jurisdiction != "" && j != s.Open311.Jurisdiction {
			s.open311Error(w, r, format, sportello.Errorf(sportello.ENOTFOUND, "jurisdiction_id %s not found", check.Clip(j, 64)))
			return
		}
		h(w, r, name, format)
	}
}

// open311Error is an error in the spec's format: a list of code (the HTTP
// status) and description.
type open311Error struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

type open311Errors struct {
	XMLName xml.Name       `xml:"errors"`
	Errors  []open311Error `xml:"error"`
}

func (s *Server) open311Error(w http.ResponseWriter, r *http.Request, format string, err error) {
	code, msg := sportello.ErrorCode(err), sportello.ErrorMessage(err)
	status := StatusOf(code)
	if code == sportello.EINTERNAL {
		s.logger.Error("open311 request failed", logMethod, r.Method, logPath, r.URL.Path, logErr, err)
	} else {
		s.logger.Debug("open311 request refused", logMethod, r.Method, logPath, r.URL.Path, logCode, code, logErr, msg)
	}
	errs := []open311Error{{Code: status, Description: msg}}
	s.open311Write(w, format, status, errs, open311Errors{Errors: errs})
}

// open311Write answers with asJSON or asXML as format asks.
func (s *Server) open311Write(w http.ResponseWriter, format string, status int, asJSON, asXML any) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if format == formatJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		if err := json.NewEncoder(w).Encode(asJSON); err != nil {
			s.logger.Debug("write response", logErr, err)
		}
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write([]byte(xml.Header))
	if err == nil {
		err = xml.NewEncoder(w).Encode(asXML)
	}
	if err != nil {
		s.logger.Debug("write response", logErr, err)
	}
}

// The discovery document.
type open311Discovery struct {
	XMLName    xml.Name          `json:"-" xml:"discovery"`
	Changeset  string            `json:"changeset" xml:"changeset"`
	Contact    string            `json:"contact" xml:"contact"`
	KeyService string            `json:"key_service" xml:"key_service"`
	Endpoints  []open311Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

type open311Endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

// handleOpen311Root serves discovery, services and GET requests, which
// share the pattern /open311/v2/{file}.
func (s *Server) handleOpen311Root(w http.ResponseWriter, r *http.Request, name, format string) {
	switch name {
	case "discovery":
		s.handleOpen311Discovery(w, r, format)
	case "services":
		s.handleOpen311Services(w, r, format)
	case "requests":
		s.handleOpen311Requests(w, r, format)
	default:
		s.open311Error(w, r, format, sportello.Errorf(sportello.ENOTFOUND, "no such Open311 resource %s", check.Clip(name, 64)))
	}
}

func (s *Server) handleOpen311Discovery(w http.ResponseWriter, r *http.Request, format string) {
	base := s.Open311.BaseURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host + "/open311/v2"
	}
	d := open311Discovery{
		Changeset:  Open311Changeset,
		Contact:    cmpOr(s.Open311.Contact, "Il contact center della città: chiedere all'amministratore di Sportello"),
		KeyService: cmpOr(s.Open311.KeyService, "Le chiavi (api_key) sono date dall'amministratore di syncd con: syncd apikey add NOME"),
		Endpoints: []open311Endpoint{{Specification: open311Spec, URL: base, Changeset: Open311Changeset, Type: "production",
			Formats: []string{"text/xml", "application/json"}}},
	}
	s.open311Write(w, format, http.StatusOK, d, d)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// open311ServiceView is one entry of GET services.
type open311ServiceView struct {
	Code        string `json:"service_code" xml:"service_code"`
	Name        string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	Keywords    string `json:"keywords" xml:"keywords"`
	Group       string `json:"group" xml:"group"`
}

type open311ServicesXML struct {
	XMLName  xml.Name             `xml:"services"`
	Services []open311ServiceView `xml:"service"`
}

func (s *Server) handleOpen311Services(w http.ResponseWriter, r *http.Request, format string) {
	services, err := s.store.Open311Services(r.Context())
	if err != nil {
		s.open311Error(w, r, format, err)
		return
	}
	views := make([]open311ServiceView, len(services))
	for i, svc := range services {
		views[i] = open311ServiceView{Code: svc.Code, Name: svc.Name, Description: svc.Description, Metadata: svc.Metadata(),
			Type: "realtime", Keywords: strings.Join(svc.Keywords, ", "), Group: svc.Group}
	}
	s.open311Write(w, format, http.StatusOK, views, open311ServicesXML{Services: views})
}

// open311Definition is GET services/{code}: the service's attributes.
type open311Definition struct {
	XMLName    xml.Name               `json:"-" xml:"service_definition"`
	Code       string                 `json:"service_code" xml:"service_code"`
	Attributes []open311AttributeView `json:"attributes" xml:"attributes>attribute"`
}

type open311AttributeView struct {
	Variable            bool               `json:"variable" xml:"variable"`
	Code                string             `json:"code" xml:"code"`
	Datatype            string             `json:"datatype" xml:"datatype"`
	Required            bool               `json:"required" xml:"required"`
	DatatypeDescription *string            `json:"datatype_description" xml:"datatype_description"`
	Order               int                `json:"order" xml:"order"`
	Description         string             `json:"description" xml:"description"`
	Values              []open311ValueView `json:"values,omitempty" xml:"-"`
	// XMLValues is Values in XML, where a list without values has no
	// element at all.
	XMLValues *open311Values `json:"-" xml:"values,omitempty"`
}

type open311Values struct {
	Values []open311ValueView `xml:"value"`
}

// open311ValueView is one choice of a list attribute.
type open311ValueView struct {
	Key  string `json:"key" xml:"key"`
	Name string `json:"name" xml:"name"`
}

func (s *Server) handleOpen311Definition(w http.ResponseWriter, r *http.Request, code, format string) {
	svc, err := s.store.Open311Service(r.Context(), code)
	if err != nil {
		s.open311Error(w, r, format, err)
		return
	}
	d := open311Definition{Code: svc.Code, Attributes: []open311AttributeView{}}
	for _, a := range svc.Attributes {
		v := open311AttributeView{Variable: true, Code: a.Code, Datatype: a.Datatype, Required: a.Required,
			Order: a.Order, Description: a.Description}
		for _, x := range a.Values {
			v.Values = append(v.Values, open311ValueView{Key: x.Key, Name: x.Name})
		}
		if len(v.Values) > 0 {
			v.XMLValues = &open311Values{Values: v.Values}
		}
		if a.DatatypeDescription != "" {
			v.DatatypeDescription = &a.DatatypeDescription
		}
		d.Attributes = append(d.Attributes, v)
	}
	s.open311Write(w, format, http.StatusOK, d, d)
}

// open311Created is the answer to POST requests.
type open311Created struct {
	ID            string  `json:"service_request_id" xml:"service_request_id"`
	Token         string  `json:"token" xml:"token"`
	ServiceNotice string  `json:"service_notice" xml:"service_notice"`
	AccountID     *string `json:"account_id" xml:"account_id"`
}

type open311CreatedXML struct {
	XMLName  xml.Name         `xml:"service_requests"`
	Requests []open311Created `xml:"request"`
}

// attributeParam matches attribute[CODE] and attribute[CODE][].
var attributeParam = regexp.MustCompile(`^attribute\[([^\[\]]+)\](\[\])?$`)

// handleOpen311Create serves POST requests: a city app files a request
// with its api_key (form-encoded, as the spec has it). A wrong key is
// 403 and counts like a failed sign-in from the app's address.
func (s *Server) handleOpen311Create(w http.ResponseWriter, r *http.Request, name, format string) {
	if name != "requests" {
		s.open311Error(w, r, format, sportello.Errorf(sportello.ENOTFOUND, "POST only to requests.%s", format))
		return
	}
	now, addr := s.Now(), "open311 "+remoteHost(r)
	if wait, _ := s.addrs.wait(addr, s.AddrThrottle, now); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.metrics.inc(`syncd_ops_total{kind="open311_request",result="throttled"}`)
		errs := []open311Error{{Code: http.StatusTooManyRequests, Description: "too many requests with a wrong api_key: wait " + strconv.Itoa(secs) + " seconds"}}
		s.open311Write(w, format, http.StatusTooManyRequests, errs, open311Errors{Errors: errs})
		return
	}
	apiKey := r.PostForm.Get("api_key")
	if apiKey == "" {
		apiKey = r.URL.Query().Get("api_key")
	}
	if apiKey == "" || len(apiKey) > maxTokenLen {
		s.addrs.fail(addr, s.AddrThrottle, now)
		s.open311Error(w, r, format, sportello.Errorf(sportello.EFORBIDDEN, "api_key was not provided or is invalid"))
		return
	}
	key, err := s.store.Open311KeyFor(r.Context(), apiKey)
	if err != nil {
		if sportello.ErrorCode(err) == sportello.EFORBIDDEN {
			s.addrs.fail(addr, s.AddrThrottle, now)
			s.logger.Info("open311 key refused", logRemote, remoteHost(r))
			err = sportello.Errorf(sportello.EFORBIDDEN, "api_key was not provided or is invalid")
		}
		s.open311Error(w, r, format, err)
		return
	}
	req, err := open311RequestOf(r)
	if err != nil {
		s.open311Error(w, r, format, err)
		return
	}
	if err := req.Validate(); err != nil {
		s.open311Error(w, r, format, err)
		return
	}
	// The publish cursor must predate the write, as for signed-in requests.
	if err := s.ensurePublishCursor(r.Context()); err != nil {
		s.open311Error(w, r, format, err)
		return
	}
	st, err := s.store.CreateOpen311Request(r.Context(), key, req)
	if err != nil {
		s.metrics.inc(`syncd_ops_total{kind="open311_request",result="refused"}`)
		s.open311Error(w, r, format, err)
		return
	}
	s.metrics.inc(`syncd_ops_total{kind="open311_request",result="created"}`)
	// Desktops of the desk have the new case pushed before the app hears back.
	s.publishNew(r.Context())
	s.logger.Info("open311 request filed", "case_id", st.ID, "service_code", st.ServiceCode, "app", key.Name)
	c := open311Created{ID: st.ID, Token: st.Token, ServiceNotice: st.ServiceNotice}
	if req.Reporter.AccountID != "" {
		c.AccountID = &req.Reporter.AccountID
	}
	s.open311Write(w, format, http.StatusCreated, []open311Created{c}, open311CreatedXML{Requests: []open311Created{c}})
}

// open311RequestOf reads a request's form fields.
func open311RequestOf(r *http.Request) (sportello.Open311Request, error) {
	f := r.PostForm
	req := sportello.Open311Request{
		ServiceCode:   strings.TrimSpace(f.Get("service_code")),
		AddressString: f.Get("address_string"),
		AddressID:     f.Get("address_id"),
		Description:   f.Get("description"),
		MediaURL:      f.Get("media_url"),
		Reporter: sportello.Open311Reporter{FirstName: f.Get("first_name"), LastName: f.Get("last_name"),
			Email: f.Get("email"), Phone: f.Get("phone"), DeviceID: f.Get("device_id"), AccountID: f.Get("account_id")},
	}
	for name, p := range map[string]**float64{"lat": &req.Lat, "long": &req.Long} {
		v := strings.TrimSpace(f.Get(name))
		if v == "" {
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return req, sportello.Errorf(sportello.EINVALID, "%s must be a number of degrees, not %q", name, check.Clip(v, 32))
		}
		*p = &x
	}
	for k, vals := range f {
		m := attributeParam.FindStringSubmatch(k)
		if m == nil {
			if strings.HasPrefix(k, "attribute") {
				return req, sportello.Errorf(sportello.EINVALID, "write attributes as attribute[CODE]=VALUE, not %s", check.Clip(k, 64))
			}
			continue
		}
		if req.Attributes == nil {
			req.Attributes = map[string][]string{}
		}
		for _, v := range vals {
			if v = strings.TrimSpace(v); v != "" {
				req.Attributes[m[1]] = append(req.Attributes[m[1]], v)
			}
		}
	}
	return req, nil
}

// open311RequestView is one request of GET requests: never the reporter.
type open311RequestView struct {
	ID                string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       string   `json:"description" xml:"description"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string   `json:"service_notice" xml:"service_notice"`
	RequestedAt       string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedAt         string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedAt        *string  `json:"expected_datetime" xml:"expected_datetime"`
	Address           string   `json:"address" xml:"address"`
	AddressID         string   `json:"address_id" xml:"address_id"`
	Zipcode           *string  `json:"zipcode" xml:"zipcode"`
	Lat               *float64 `json:"lat" xml:"lat"`
	Long              *float64 `json:"long" xml:"long"`
	MediaURL          string   `json:"media_url" xml:"media_url"`
}

type open311RequestsXML struct {
	XMLName  xml.Name             `xml:"service_requests"`
	Requests []open311RequestView `xml:"request"`
}

func open311View(st sportello.Open311Status) open311RequestView {
	return open311RequestView{ID: st.ID, Status: st.Status, StatusNotes: st.StatusNotes, ServiceName: st.ServiceName,
		ServiceCode: st.ServiceCode, Description: st.Description, AgencyResponsible: st.AgencyResponsible,
		ServiceNotice: st.ServiceNotice, RequestedAt: st.RequestedAt.UTC().Format(time.RFC3339),
		UpdatedAt: st.UpdatedAt.UTC().Format(time.RFC3339), Address: st.Address, AddressID: st.AddressID,
		Lat: st.Lat, Long: st.Long, MediaURL: st.MediaURL}
}

func (s *Server) writeOpen311Requests(w http.ResponseWriter, format string, found []sportello.Open311Status) {
	views := make([]open311RequestView, len(found))
	for i, st := range found {
		views[i] = open311View(st)
	}
	s.open311Write(w, format, http.StatusOK, views, open311RequestsXML{Requests: views})
}

// open311List splits a comma-separated parameter.
func open311List(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// handleOpen311Requests serves GET requests: by service_request_id
// (which overrides the rest), or by service_code, start_date, end_date
// and status; without dates, the last 90 days.
func (s *Server) handleOpen311Requests(w http.ResponseWriter, r *http.Request, format string) {
	q := r.URL.Query()
	var f sportello.Open311Filter
	if ids := open311List(q.Get("service_request_id")); len(ids) > 0 {
		if len(ids) > maxOpen311IDs {
			s.open311Error(w, r, format, sportello.Errorf(sportello.EINVALID, "at most %d service_request_id at once", maxOpen311IDs))
			return
		}
		f.IDs = ids
	} else {
		f.ServiceCodes = open311List(q.Get("service_code"))
		for _, st := range open311List(q.Get("status")) {
			if st != sportello.Open311Open && st != sportello.Open311Closed {
				s.open311Error(w, r, format, sportello.Errorf(sportello.EINVALID, "status is open or closed, not %q", check.Clip(st, 32)))
				return
			}
			f.Statuses = append(f.Statuses, st)
		}
		for name, t := range map[string]*time.Time{"start_date": &f.Start, "end_date": &f.End} {
			v := q.Get(name)
			if v == "" {
				continue
			}
			x, err := time.Parse(time.RFC3339, v)
			if err != nil {
				s.open311Error(w, r, format, sportello.Errorf(sportello.EINVALID, "%s must be a date and time such as 2025-03-14T09:00:00+01:00", name))
				return
			}
			*t = x
		}
		if !f.Start.IsZero() && !f.End.IsZero() && f.End.Before(f.Start) {
			s.open311Error(w, r, format, sportello.Errorf(sportello.EINVALID, "end_date is before start_date"))
			return
		}
		if f.Start.IsZero() {
			end := f.End
			if end.IsZero() {
				end = s.Now()
			}
			f.Start = end.Add(-defaultOpen311Window)
		}
	}
	found, err := s.store.Open311Requests(r.Context(), f)
	if err != nil {
		s.open311Error(w, r, format, err)
		return
	}
	s.writeOpen311Requests(w, format, found)
}

// handleOpen311Request serves GET requests/{id}: one request, or 404.
func (s *Server) handleOpen311Request(w http.ResponseWriter, r *http.Request, id, format string) {
	if id == "" || len(id) > 64 {
		s.open311Error(w, r, format, sportello.Errorf(sportello.ENOTFOUND, "service_request_id not found"))
		return
	}
	found, err := s.store.Open311Requests(r.Context(), sportello.Open311Filter{IDs: []string{id}})
	if err != nil {
		s.open311Error(w, r, format, err)
		return
	}
	if len(found) == 0 {
		s.open311Error(w, r, format, sportello.Errorf(sportello.ENOTFOUND, "service_request_id %s not found", check.Clip(id, 64)))
		return
	}
	s.writeOpen311Requests(w, format, found)
}

// open311TokenView is the answer to GET tokens/{token}.
type open311TokenView struct {
	ID    string `json:"service_request_id" xml:"service_request_id"`
	Token string `json:"token" xml:"token"`
}

type open311TokensXML struct {
	XMLName  xml.Name           `xml:"service_requests"`
	Requests []open311TokenView `xml:"request"`
}

// handleOpen311Token serves GET tokens/{token}: the request id a token
// stands for. Syncd opens the case at once, so every token has its id.
func (s *Server) handleOpen311Token(w http.ResponseWriter, r *http.Request, token, format string) {
	if token == "" || len(token) > maxTokenLen {
		s.open311Error(w, r, format, sportello.Errorf(sportello.ENOTFOUND, "token not found"))
		return
	}
	st, err := s.store.Open311Token(r.Context(), token)
	if err != nil {
		s.open311Error(w, r, format, err)
		return
	}
	v := []open311TokenView{{ID: st.ID, Token: token}}
	s.open311Write(w, format, http.StatusOK, v, open311TokensXML{Requests: v})
}
