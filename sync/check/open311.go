package check

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sportello/sportello"
)

// Open311Request checks a service request a city app files against its
// service and returns it normalized: text trimmed, the reporter's phone
// in E.164 and email in lower case.
func Open311Request(svc *sportello.Open311Service, r sportello.Open311Request) (sportello.Open311Request, error) {
	r.ServiceCode = strings.TrimSpace(r.ServiceCode)
	r.AddressString = strings.TrimSpace(r.AddressString)
	r.AddressID = strings.TrimSpace(r.AddressID)
	r.Description = strings.TrimSpace(r.Description)
	r.MediaURL = strings.TrimSpace(r.MediaURL)
	p := &r.Reporter
	p.FirstName, p.LastName = strings.TrimSpace(p.FirstName), strings.TrimSpace(p.LastName)
	p.Email = strings.ToLower(strings.TrimSpace(p.Email))
	p.DeviceID, p.AccountID = strings.TrimSpace(p.DeviceID), strings.TrimSpace(p.AccountID)
	if err := r.Validate(); err != nil {
		return r, err
	}
	if p.Phone = strings.TrimSpace(p.Phone); p.Phone != "" {
		n, err := Number(p.Phone)
		if err != nil {
			return r, sportello.Errorf(sportello.EINVALID, "phone is not a phone number")
		}
		p.Phone = n
	}
	if svc.Code != r.ServiceCode {
		return r, sportello.Errorf(sportello.EINVALID, "service_code %s is not the service checked", r.ServiceCode)
	}
	if err := svc.CheckAttributes(r.Attributes); err != nil {
		return r, err
	}
	return r, nil
}

// Open311Events are the events of the case a request opens, not yet
// stamped with ids, case and time: opened (the service's category, its
// name as subject), a note with what the app sent (where, what, the
// answers and, when no citizen matched, who reported it) and escalated
// to the service's desk. The author is the app named by key.
func Open311Events(key *sportello.Open311Key, svc *sportello.Open311Service, r sportello.Open311Request, citizenMatched bool) []*sportello.CaseEvent {
	author := "Open311: " + key.Name
	subject := svc.Name
	if d := r.Description; d != "" {
		subject += ": " + d
	}
	if n := []rune(subject); len(n) > MaxSubjectLen {
		subject = string(n[:MaxSubjectLen-1]) + "…"
	}
	var note strings.Builder
	fmt.Fprintf(&note, "Segnalazione Open311 da %s.\n", key.Name)
	if r.Description != "" {
		fmt.Fprintf(&note, "Descrizione: %s\n", r.Description)
	}
	if r.AddressString != "" {
		fmt.Fprintf(&note, "Indirizzo: %s\n", r.AddressString)
	}
	if r.AddressID != "" {
		fmt.Fprintf(&note, "Codice indirizzo: %s\n", r.AddressID)
	}
	if r.Lat != nil {
		fmt.Fprintf(&note, "Posizione: %s, %s\n", strconv.FormatFloat(*r.Lat, 'f', -1, 64), strconv.FormatFloat(*r.Long, 'f', -1, 64))
	}
	if r.MediaURL != "" {
		fmt.Fprintf(&note, "Foto: %s\n", r.MediaURL)
	}
	for _, a := range svc.Attributes {
		vals := r.Attributes[a.Code]
		if len(vals) == 0 {
			continue
		}
		names := make([]string, len(vals))
		for i, v := range vals {
			names[i] = v
			if j := slices.IndexFunc(a.Values, func(x sportello.Open311Value) bool { return x.Key == v }); j >= 0 {
				names[i] = a.Values[j].Name
			}
		}
		fmt.Fprintf(&note, "%s: %s\n", a.Description, strings.Join(names, ", "))
	}
	if p := r.Reporter; !citizenMatched && (p.Name() != "" || p.Email != "" || p.Phone != "") {
		fmt.Fprintf(&note, "Segnalante (non trovato tra i cittadini): %s\n", strings.Join(nonEmpty(p.Name(), p.Email, p.Phone), ", "))
	}
	text := strings.TrimSpace(note.String())
	if n := []rune(text); len(n) > sportello.MaxNoteLen {
		text = string(n[:sportello.MaxNoteLen-1]) + "…"
	}
	return []*sportello.CaseEvent{
		{Kind: sportello.EventOpened, Author: author, Category: svc.Category, Note: subject},
		{Kind: sportello.EventNote, Author: author, Note: text},
		{Kind: sportello.EventEscalated, Author: author, DeskID: svc.DeskID},
	}
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// NewOpen311Secret returns a fresh random secret for an Open311 API key
// or request token: 24 random bytes, base64url (32 characters).
func NewOpen311Secret() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Open311KeyName returns a key's name trimmed, or EINVALID.
func Open311KeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", sportello.Errorf(sportello.EINVALID, "an API key needs a name of 1 to 100 characters")
	}
	return name, nil
}

// MaxOpen311Requests bounds the requests one GET requests answers.
const MaxOpen311Requests = 1000

// Open311Fill sets what a request read from a store takes from its
// service (name and notice; body is the service as stored, decoded once
// per code into services) and the Open311 status of its case's status.
func Open311Fill(st *sportello.Open311Status, services map[string]*sportello.Open311Service, body, caseStatus string) error {
	svc, ok := services[st.ServiceCode]
	if !ok {
		svc = &sportello.Open311Service{}
		if body != "" {
			if err := json.Unmarshal([]byte(body), svc); err != nil {
				return err
			}
		}
		services[st.ServiceCode] = svc
	}
	st.ServiceName, st.ServiceNotice = svc.Name, svc.Notice
	st.Status = sportello.Open311StatusOf(sportello.CaseStatus(caseStatus))
	return nil
}
