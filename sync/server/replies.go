package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/letter"
	"github.com/sportello/sportello/sync/mail"
)

// ReplyStore is the replies' part of Store (issue 5).
type ReplyStore interface {
	// ReplyCase returns a case with its events and its citizen (nil for
	// a case without one).
	ReplyCase(ctx context.Context, caseID string) (*sportello.Case, *sportello.Citizen, error)
	// RecordReply adds a replied event by actor (channel in Outcome,
	// recipient in Number, text in Note), or a callback_scheduled event
	// with the callback cb it promises, in one transaction after allow
	// accepts the actor on the case as stored; a repeat of e.ID by its
	// author returns the case and event as first recorded, replayed.
	RecordReply(ctx context.Context, actor *sportello.User, caseID string, e sportello.CaseEvent, cb *sportello.Callback, allow func(*sportello.Case) error) (c *sportello.Case, ev *sportello.CaseEvent, replayed bool, err error)
}

// DefaultAnswerCallbackWindow is how long the callback that an answer
// ready creates gives its owner to call the citizen.
const DefaultAnswerCallbackWindow = 4 * time.Hour

// ReplyConfig is what replies to citizens say about the City: the
// letterhead, the signature, and the callback an answer ready creates.
type ReplyConfig struct {
	// City heads letters ("Comune di Milano"); Office, OfficeAddress and
	// Place follow it and date the letter.
	City, Office, OfficeAddress, Place string
	// Signature closes emails and letters, under the specialist's name.
	Signature string
	// AnswerCallbackWindow is the window of the callback an answer
	// ready creates; 0 means DefaultAnswerCallbackWindow.
	AnswerCallbackWindow time.Duration
}

// DefaultReplyConfig is Milan's service, the model of DOMAIN.md.
var DefaultReplyConfig = ReplyConfig{
	City:          "Comune di Milano",
	Office:        "Milano Semplice – contact center 020202",
	OfficeAddress: "Piazza della Scala 2, 20121 Milano",
	Place:         "Milano",
	Signature:     "Comune di Milano – Milano Semplice 020202",
}

func (s *Server) replyConfig() ReplyConfig {
	c := s.Replies
	if c.City == "" {
		c = DefaultReplyConfig
		c.AnswerCallbackWindow = s.Replies.AnswerCallbackWindow
	}
	if c.AnswerCallbackWindow <= 0 {
		c.AnswerCallbackWindow = DefaultAnswerCallbackWindow
	}
	return c
}

// handleReply serves POST /v1/cases/{id}/replies: the holder of a case
// replies to its citizen by email (sent through Server.Mail before
// anything is recorded: a relay that refuses it leaves the case as it
// was), by postal letter (recorded; GET .../letter.pdf prints it) or by
// phone (recorded). The text given is stored on the case as a replied
// event; the case can then be resolved.
func (s *Server) handleReply(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var req sportello.ReplyRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	caseID := r.PathValue("id")
	c, citizen, allow, err := s.replyCase(r.Context(), u, caseID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, msg, err := s.replyEvent(u, c, citizen, req)
	if err != nil {
		s.metrics.inc(`syncd_ops_total{kind="reply",result="refused"}`)
		s.writeError(w, r, err)
		return
	}
	if e.ID != "" {
		if prev := check.EventByID(c, e.ID); prev != nil {
			// A resend: the citizen has the reply already.
			s.replyRecorded(w, r, u, caseID, e, msg, false, allow)
			return
		}
	}
	// The transition must be legal before anything leaves syncd.
	dry := e
	dry.At, dry.AuthorID, dry.Author, dry.AuthorRole = s.Now().UTC(), u.ID, u.Name, u.Role
	if err := c.Apply(&dry); err != nil {
		s.metrics.inc(`syncd_ops_total{kind="reply",result="refused"}`)
		s.writeError(w, r, err)
		return
	}
	if msg != nil {
		if s.Mail == nil {
			s.writeError(w, r, sportello.Errorf(sportello.EUNAVAILABLE, "syncd has no mail relay configured: the reply was not sent"))
			return
		}
		if err := s.Mail.Send(r.Context(), *msg); err != nil {
			s.metrics.inc(`syncd_ops_total{kind="mail",result="refused"}`)
			s.logger.Warn("reply not sent", logAgent, u.Username, logCaseID, caseID, logErr, err)
			if sportello.ErrorCode(err) == sportello.EINTERNAL {
				err = sportello.Errorf(sportello.EUNAVAILABLE, "the mail relay did not accept the reply: nothing was sent")
			}
			s.writeError(w, r, err)
			return
		}
		s.metrics.inc(`syncd_ops_total{kind="mail",result="created"}`)
	}
	s.replyRecorded(w, r, u, caseID, e, msg, msg != nil, allow)
}

// replyRecorded records a reply (msg is its email, sent when the relay
// took it just now) and answers.
func (s *Server) replyRecorded(w http.ResponseWriter, r *http.Request, u *sportello.User, caseID string, e sportello.CaseEvent, msg *mail.Message, sent bool, allow func(*sportello.Case) error) {
	k, ev, replayed, err := s.store.RecordReply(r.Context(), u, caseID, e, nil, allow)
	if err != nil {
		if sent {
			s.logger.Error("reply sent but not recorded", logAgent, u.Username, logCaseID, caseID, logErr, err)
			err = sportello.Errorf(sportello.ECONFLICT, "the email was sent to %s but could not be recorded on the case: %s", e.Number, sportello.ErrorMessage(err))
		}
		s.metrics.inc(`syncd_ops_total{kind="reply",result="refused"}`)
		s.writeError(w, r, err)
		return
	}
	res := &sportello.ReplyResult{Case: k, Event: ev}
	if msg != nil {
		res.Subject = msg.Subject
	}
	if replayed {
		s.metrics.inc(`syncd_ops_total{kind="reply",result="replayed"}`)
		w.Header().Set(HeaderReplayed, "true")
		s.writeJSON(w, http.StatusOK, res)
		return
	}
	s.metrics.inc(`syncd_ops_total{kind="reply",result="created"}`)
	s.logger.Info("reply", logAgent, u.Username, logCaseID, caseID, logKind, string(e.Outcome))
	s.publishNew(r.Context())
	s.writeJSON(w, http.StatusCreated, res)
}

// replyCase reads a case for a reply and checks the desk rule on it.
func (s *Server) replyCase(ctx context.Context, u *sportello.User, caseID string) (*sportello.Case, *sportello.Citizen, func(*sportello.Case) error, error) {
	var desks []string
	if u.Role == sportello.RoleSpecialist {
		var err error
		if desks, err = s.store.UserDesks(ctx, u.ID); err != nil {
			return nil, nil, nil, err
		}
	}
	allow := deskRule(u, desks)
	c, citizen, err := s.store.ReplyCase(ctx, caseID)
	if err != nil {
		return nil, nil, nil, err
	}
	if allow != nil {
		if err := allow(c); err != nil {
			return nil, nil, nil, err
		}
	}
	return c, citizen, allow, nil
}

// replyEvent builds the replied event of a request, and the email to send
// for the email channel. The event's Category holds the reply's language,
// so that a letter prints again as it was.
func (s *Server) replyEvent(u *sportello.User, c *sportello.Case, citizen *sportello.Citizen, req sportello.ReplyRequest) (sportello.CaseEvent, *mail.Message, error) {
	e := sportello.CaseEvent{Kind: sportello.EventReplied, Outcome: sportello.Outcome(req.Channel), CaseID: c.ID}
	if req.ID != "" {
		id, err := check.OpID(req.ID)
		if err != nil {
			return e, nil, err
		}
		e.ID = id
	}
	lang := req.Language
	if lang == "" {
		lang = check.ReplyLanguage(citizen) // the citizen's preferred one, Italian by default
	}
	if lang != sportello.LangItalian && lang != sportello.LangEnglish {
		return e, nil, sportello.Errorf(sportello.EINVALID, "a reply is written in it or en, not %q", check.Clip(lang, 10))
	}
	e.Category = lang
	text := strings.TrimSpace(req.Text)
	if text == "" {
		return e, nil, sportello.Errorf(sportello.EINVALID, "write the reply first")
	}
	name := ""
	if citizen != nil {
		name = citizen.Name
	}
	cfg := s.replyConfig()
	switch req.Channel {
	case sportello.ReplyEmail:
		to := strings.TrimSpace(req.To)
		if to == "" && citizen != nil {
			to = citizen.Email
		}
		if to == "" {
			return e, nil, sportello.Errorf(sportello.EINVALID, "the citizen has no email address: type one")
		}
		if err := mail.ValidAddress(to); err != nil {
			return e, nil, err
		}
		subject, body, err := mail.RenderReply(lang, mail.Reply{
			Reference: sportello.CaseReference(c.ID), Subject: c.Subject, Name: name,
			Text: text, Author: u.Name, Signature: cfg.Signature,
		})
		if err != nil {
			return e, nil, err
		}
		e.Number, e.Note = to, body
		if len(e.Note) > sportello.MaxNoteLen {
			return e, nil, sportello.Errorf(sportello.EINVALID, "the reply is longer than %d characters", sportello.MaxNoteLen)
		}
		return e, &mail.Message{To: []string{to}, Subject: subject, Text: body}, nil
	case sportello.ReplyLetter:
		if citizen == nil || strings.TrimSpace(citizen.Address) == "" {
			return e, nil, sportello.Errorf(sportello.EINVALID, "the citizen has no postal address: a letter cannot be sent")
		}
		e.Number, e.Note = citizen.Address, text
	case sportello.ReplyPhone:
		if citizen != nil && len(citizen.Phones) > 0 {
			e.Number = citizen.Phones[0]
		}
		e.Note = text
	default:
		return e, nil, sportello.Errorf(sportello.EINVALID, "unknown reply channel %q: use email, letter or phone", check.Clip(string(req.Channel), 20))
	}
	if len(e.Note) > sportello.MaxNoteLen {
		return e, nil, sportello.Errorf(sportello.EINVALID, "the reply is longer than %d characters", sportello.MaxNoteLen)
	}
	return e, nil, nil
}

// handleLetter serves GET /v1/cases/{id}/letter.pdf?reply=EVENT: the
// letter a replied event (channel letter) recorded, as a PDF to print:
// the same text, address, date and signer every time it is asked for.
func (s *Server) handleLetter(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	caseID, replyID := r.PathValue("id"), r.URL.Query().Get("reply")
	c, citizen, _, err := s.replyCase(r.Context(), u, caseID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var e *sportello.CaseEvent
	if replyID == "" {
		// The newest letter.
		for _, ev := range c.Events {
			if ev.Kind == sportello.EventReplied && ev.Outcome == sportello.Outcome(sportello.ReplyLetter) {
				e = ev
			}
		}
	} else if ev := check.EventByID(c, strings.ToLower(replyID)); ev != nil && ev.Kind == sportello.EventReplied && ev.Outcome == sportello.Outcome(sportello.ReplyLetter) {
		e = ev
	}
	if e == nil {
		s.writeError(w, r, sportello.Errorf(sportello.ENOTFOUND, "case %s has no letter reply %s", caseID, check.Clip(replyID, 40)))
		return
	}
	cfg := s.replyConfig()
	l := letter.Letter{
		City: cfg.City, Office: cfg.Office, OfficeAddress: cfg.OfficeAddress, Place: cfg.Place,
		Address: e.Number, Date: e.At, Location: s.boardLocation(),
		Reference: sportello.CaseReference(c.ID), Subject: c.Subject,
		Text: e.Note, Author: e.Author, Signature: cfg.Signature, Language: e.Category,
	}
	if citizen != nil {
		l.Name = citizen.Name
	}
	pdf, err := letter.Render(l)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger.Info("letter printed", logAgent, u.Username, logCaseID, caseID)
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+sportello.CaseReference(c.ID)+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(pdf)
}

// boardLocation is the office's zone: Europe/Rome unless the board says
// otherwise.
func (s *Server) boardLocation() *time.Location {
	if s.Board.Location != nil {
		return s.Board.Location
	}
	return nil // letter.DateText uses Europe/Rome
}

// answerReadyCallback creates, once a case's answer is ready, the callback
// that gives the citizen the answer by phone: for the operator who took
// the case's first call when they are on shift (signed in and not
// offline on this node's board), for the pool otherwise. It returns the
// case with the callback_scheduled event, or nil when there is no one to
// call (no call and no citizen's number) or the callback could not be
// recorded (logged: the answer ready stands, and the desk still sees it).
func (s *Server) answerReadyCallback(ctx context.Context, u *sportello.User, c *sportello.Case) *sportello.Case {
	var call *sportello.CaseEvent
	for _, e := range c.Events {
		if e.Kind == sportello.EventCall {
			call = e
			break
		}
	}
	number := ""
	if call != nil {
		number = call.Number
	}
	if number == "" {
		_, citizen, err := s.store.ReplyCase(ctx, c.ID)
		if err != nil {
			s.logger.Error("answer callback", logCaseID, c.ID, logErr, err)
			return nil
		}
		if citizen != nil && len(citizen.Phones) > 0 {
			number = citizen.Phones[0]
		}
	}
	if number == "" {
		s.logger.Info("answer ready without a number to call", logCaseID, c.ID)
		return nil
	}
	owner := sportello.OwnerPool
	if call != nil && call.AuthorID != "" && s.Presence(call.AuthorID) != sportello.AgentOffline {
		owner = call.AuthorID
	}
	now := s.Now().UTC()
	cfg := s.replyConfig()
	cb := &sportello.Callback{Number: number, Reason: c.Subject, From: now, To: now.Add(cfg.AnswerCallbackWindow), Owner: owner}
	e := sportello.CaseEvent{
		Kind: sportello.EventCallbackScheduled, Number: number,
		Note: cb.From.Format(time.RFC3339) + " – " + cb.To.Format(time.RFC3339) + ": " + check.Clip(c.Subject, 200),
	}
	k, _, _, err := s.store.RecordReply(ctx, u, c.ID, e, cb, nil)
	if err != nil {
		s.logger.Error("answer callback", logCaseID, c.ID, logErr, err)
		return nil
	}
	s.logger.Info("answer callback", logCaseID, c.ID, "owner", owner)
	return k
}
