package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/mail"
)

// EnvSMTPPassword holds the SMTP relay's password, so that it never goes
// on the command line.
const EnvSMTPPassword = "SYNCD_SMTP_PASSWORD"

// MailSettings is the "mail" section of the config file: the SMTP relay
// that replies to citizens go through. Without a host syncd sends no
// email and says so when a specialist tries.
type MailSettings struct {
	Host     string `json:"host,omitempty"`
	Port     int    `json:"port,omitempty"`     // 587 when 0
	Username string `json:"username,omitempty"` // with the password in SYNCD_SMTP_PASSWORD
	Password string `json:"password,omitempty"` // better: SYNCD_SMTP_PASSWORD
	// TLS is the STARTTLS policy: mandatory (default), opportunistic or none.
	TLS     string `json:"tls,omitempty"`
	From    string `json:"from,omitempty"`
	Timeout string `json:"timeout,omitempty"` // such as "30s"
}

// mailFlags are serve's flags for the relay.
type mailFlags struct {
	host, user, tls, from, timeout *string
	port                           *int
}

// addMailFlags declares serve's relay flags on fs.
func (m *Main) addMailFlags(fs *flag.FlagSet) *mailFlags {
	return &mailFlags{
		host:    fs.String("smtp-host", "", "SMTP relay for replies to citizens (none: syncd sends no email)"),
		port:    fs.Int("smtp-port", 0, "SMTP relay port (587)"),
		user:    fs.String("smtp-user", "", "SMTP username; the password is read from "+EnvSMTPPassword),
		tls:     fs.String("smtp-tls", "", "STARTTLS policy: mandatory (default), opportunistic or none"),
		from:    fs.String("smtp-from", "", "sender of replies, such as \"Comune di Milano <sportello@comune.milano.it>\""),
		timeout: fs.String("smtp-timeout", "", "bound on one delivery, such as 30s"),
	}
}

// applyMailFlags lets the relay flags given override the config file.
func (m *Main) applyMailFlags(fs *flag.FlagSet, f *mailFlags) error {
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "smtp-host":
			m.Mail.Host = *f.host
		case "smtp-port":
			m.Mail.Port = *f.port
		case "smtp-user":
			m.Mail.Username = *f.user
		case "smtp-tls":
			m.Mail.TLS = *f.tls
		case "smtp-from":
			m.Mail.From = *f.from
		case "smtp-timeout":
			m.Mail.Timeout = *f.timeout
		}
	})
	if pw := os.Getenv(EnvSMTPPassword); pw != "" {
		m.Mail.Password = pw
	}
	_, err := m.Mail.sender()
	return err
}

// sender returns the relay of the settings, nil when no host is set.
func (s MailSettings) sender() (*mail.SMTP, error) {
	if s.Host == "" {
		if s.From != "" || s.Username != "" {
			return nil, errors.New("mail: name the SMTP relay with --smtp-host (or mail.host in the config file)")
		}
		return nil, nil
	}
	smtp := &mail.SMTP{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password, TLS: mail.TLSPolicy(s.TLS), From: s.From}
	if s.Timeout != "" {
		d, err := time.ParseDuration(s.Timeout)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("mail: the SMTP timeout %q is not a duration such as 30s", s.Timeout)
		}
		smtp.Timeout = d
	}
	if err := smtp.Validate(); err != nil {
		return nil, fmt.Errorf("mail: %s", sportello.ErrorMessage(err))
	}
	return smtp, nil
}

// configureMail gives the server its relay, when one is set.
func (m *Main) configureMail(log *slog.Logger) error {
	smtp, err := m.Mail.sender()
	if err != nil {
		return err
	}
	if smtp == nil {
		log.Info("no SMTP relay: replies by email are refused")
		return nil
	}
	m.Server.Mail = smtp
	log.Info("replies by email through the SMTP relay", "host", smtp.Host, "port", smtp.Port, "tls", string(smtp.TLS), "from", smtp.From)
	return nil
}
