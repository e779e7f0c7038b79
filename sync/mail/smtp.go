package mail

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/sportello/sportello"
)

// TLSPolicy says whether the connection to the relay must use STARTTLS.
type TLSPolicy string

// STARTTLS policies: mandatory refuses a relay without STARTTLS,
// opportunistic uses it when offered, none never does (a relay on the
// same host or network).
const (
	TLSMandatory     TLSPolicy = "mandatory"
	TLSOpportunistic TLSPolicy = "opportunistic"
	TLSNone          TLSPolicy = "none"
)

// DefaultTimeout bounds one delivery to the relay.
const DefaultTimeout = 30 * time.Second

// SMTP is a Sender that hands messages to an SMTP relay with
// github.com/wneessen/go-mail. Set the fields, then call Send; it dials
// the relay for every message, which suits the rate of case replies.
type SMTP struct {
	// Host and Port name the relay; Port 0 means 587 (submission).
	Host string
	Port int
	// Username and Password, when set, sign in to the relay (PLAIN or
	// LOGIN, whichever it offers, only over TLS unless TLS is none).
	Username, Password string
	// TLS is the STARTTLS policy; empty means mandatory.
	TLS TLSPolicy
	// From is the sender's address, e.g. "Comune di Milano <sportello@comune.milano.it>".
	From string
	// Timeout bounds one delivery; 0 means DefaultTimeout.
	Timeout time.Duration
}

var _ Sender = (*SMTP)(nil)

// Validate checks the relay's settings.
func (s *SMTP) Validate() error {
	if s.Host == "" {
		return sportello.Errorf(sportello.EINVALID, "name the SMTP relay's host")
	}
	if s.Port < 0 || s.Port > 65535 {
		return sportello.Errorf(sportello.EINVALID, "the SMTP port %d is not a port", s.Port)
	}
	switch s.TLS {
	case "", TLSMandatory, TLSOpportunistic, TLSNone:
	default:
		return sportello.Errorf(sportello.EINVALID, "unknown STARTTLS policy %q: use mandatory, opportunistic or none", s.TLS)
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return sportello.Errorf(sportello.EINVALID, "the sender address %q is not an email address", s.From)
	}
	if (s.Username == "") != (s.Password == "") {
		return sportello.Errorf(sportello.EINVALID, "give both the SMTP username and password, or neither")
	}
	return nil
}

// Send delivers m through the relay. A relay that cannot be reached or
// refuses the message gives an EUNAVAILABLE error that says so; a message
// without a valid recipient is EINVALID.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := s.Validate(); err != nil {
		return err
	}
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	c, err := gomail.NewClient(s.Host, s.options()...)
	if err != nil {
		return sportello.Errorf(sportello.EINVALID, "the SMTP relay settings are not valid: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return sportello.Errorf(sportello.EUNAVAILABLE, "the mail relay %s did not accept the message: %v", s.addr(), err)
	}
	return nil
}

func (s *SMTP) port() int {
	if s.Port == 0 {
		return 587
	}
	return s.Port
}

func (s *SMTP) addr() string { return fmt.Sprintf("%s:%d", s.Host, s.port()) }

func (s *SMTP) options() []gomail.Option {
	policy := gomail.TLSMandatory
	switch s.TLS {
	case TLSOpportunistic:
		policy = gomail.TLSOpportunistic
	case TLSNone:
		policy = gomail.NoTLS
	}
	opts := []gomail.Option{gomail.WithPort(s.port()), gomail.WithTLSPolicy(policy), gomail.WithTimeout(s.timeout())}
	if s.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	return opts
}

func (s *SMTP) timeout() time.Duration {
	if s.Timeout <= 0 {
		return DefaultTimeout
	}
	return s.Timeout
}

// message builds the MIME message: UTF-8, quoted-printable text, HTML as
// an alternative, attachments base64.
func (s *SMTP) message(m Message) (*gomail.Msg, error) {
	if len(m.To) == 0 {
		return nil, sportello.Errorf(sportello.EINVALID, "a message needs a recipient")
	}
	for _, to := range m.To {
		if err := ValidAddress(to); err != nil {
			return nil, err
		}
	}
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(s.From); err != nil {
		return nil, sportello.Errorf(sportello.EINVALID, "the sender address %q is not an email address", s.From)
	}
	if err := msg.To(m.To...); err != nil {
		return nil, sportello.Errorf(sportello.EINVALID, "the recipient is not an email address: %v", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return nil, fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	return msg, nil
}

// ValidAddress checks that s is one plain email address (local@domain,
// no display name, no list), as a citizen's address or one typed by a
// specialist must be.
func ValidAddress(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return sportello.Errorf(sportello.EINVALID, "%q is not an email address", clip(s, 80))
	}
	return nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}
