// Package mailtest starts a real SMTP server for tests: Debian's aiosmtpd
// (python3-aiosmtpd) with its Mailbox handler, listening on a free port of
// 127.0.0.1 and writing what it receives to a Maildir in the test's
// temporary directory, from which Messages reads it back.
//
// Without aiosmtpd installed a test is skipped, or fails when
// SPORTELLO_REQUIRE_REAL=1 (as make test sets it).
package mailtest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"encoding/base64"

	smtpmail "github.com/sportello/sportello/sync/mail"
)

// Python is the interpreter that has aiosmtpd: Debian's, not one a
// version manager put first on PATH.
var Python = "/usr/bin/python3"

// EnvRequireReal makes a missing aiosmtpd a test failure, not a skip.
const EnvRequireReal = "SPORTELLO_REQUIRE_REAL"

// Server is a running aiosmtpd.
type Server struct {
	// Host and Port are where it listens.
	Host string
	Port int
	dir  string // the Maildir
	cmd  *exec.Cmd
}

// Start runs aiosmtpd for the test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	if err := exec.Command(Python, "-c", "import aiosmtpd").Run(); err != nil {
		if os.Getenv(EnvRequireReal) == "1" {
			t.Fatalf("mailtest: aiosmtpd is not installed (%s -c 'import aiosmtpd': %v); install python3-aiosmtpd", Python, err)
		}
		t.Skipf("mailtest: aiosmtpd is not installed: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "Maildir")
	var lastErr error
	for range 5 {
		port, err := freePort()
		if err != nil {
			t.Fatalf("mailtest: free port: %v", err)
		}
		s := &Server{Host: "127.0.0.1", Port: port, dir: dir}
		s.cmd = exec.Command(Python, "-m", "aiosmtpd", "-n", "-l", fmt.Sprintf("127.0.0.1:%d", port),
			"-c", "aiosmtpd.handlers.Mailbox", dir)
		var stderr bytes.Buffer
		s.cmd.Stderr = &stderr
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("mailtest: start aiosmtpd: %v", err)
		}
		exited := make(chan struct{})
		go func() { s.cmd.Wait(); close(exited) }()
		if lastErr = waitListening(s.Addr(), exited, 10*time.Second); lastErr == nil {
			t.Cleanup(func() {
				s.cmd.Process.Kill()
				<-exited
			})
			return s
		}
		s.cmd.Process.Kill()
		<-exited
		lastErr = fmt.Errorf("%w: %s", lastErr, stderr.String())
	}
	t.Fatalf("mailtest: aiosmtpd did not start: %v", lastErr)
	return nil
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// SMTP returns a Sender on this server (no STARTTLS: aiosmtpd offers none
// without a certificate) sending from the given address.
func (s *Server) SMTP(from string) *smtpmail.SMTP {
	return &smtpmail.SMTP{Host: s.Host, Port: s.Port, TLS: smtpmail.TLSNone, From: from, Timeout: 10 * time.Second}
}

// Received is one message as the server stored it.
type Received struct {
	// MailFrom and RcptTo are the SMTP envelope (aiosmtpd's X-MailFrom
	// and X-RcptTo headers).
	MailFrom string
	RcptTo   []string
	Header   mail.Header
	// Subject is the decoded Subject header.
	Subject string
	// Text is the decoded text/plain part.
	Text string
	// Attachments are the decoded parts with a file name.
	Attachments []smtpmail.Attachment
	Raw         []byte
}

// Messages returns what the server received, oldest first.
func (s *Server) Messages(t testing.TB) []Received {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(s.dir, "new", "*"))
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	sortDelivered(files)
	var out []Received
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("mailtest: %v", err)
		}
		r, err := Parse(raw)
		if err != nil {
			t.Fatalf("mailtest: parse %s: %v", f, err)
		}
		out = append(out, r)
	}
	return out
}

// sortDelivered sorts Maildir files oldest first. Python's Maildir names
// a message "<seconds>.M<microseconds>P<pid>Q<count>.<host>", the
// microseconds not zero-padded: as text, a message delivered at
// .M99887 sorts after one at .M123456 of the same second, which made
// two replies sent within a second come back in the wrong order (a CI
// run of TestServer_ReplyByEmail). The numbers are compared instead.
func sortDelivered(files []string) {
	key := func(path string) [3]int64 {
		name := filepath.Base(path)
		var k [3]int64
		sec, rest, _ := strings.Cut(name, ".")
		k[0], _ = strconv.ParseInt(sec, 10, 64)
		k[1] = numberAfter(rest, 'M')
		k[2] = numberAfter(rest, 'Q')
		return k
	}
	sort.SliceStable(files, func(i, j int) bool {
		a, b := key(files[i]), key(files[j])
		if a != b {
			for n := range a {
				if a[n] != b[n] {
					return a[n] < b[n]
				}
			}
		}
		return files[i] < files[j]
	})
}

// numberAfter returns the digits that follow the first c in s, as a
// number (0 when none).
func numberAfter(s string, c byte) int64 {
	i := strings.IndexByte(s, c)
	if i < 0 {
		return 0
	}
	j := i + 1
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n, _ := strconv.ParseInt(s[i+1:j], 10, 64)
	return n
}

// Wait returns the messages once at least n have arrived, failing the
// test after timeout. aiosmtpd stores a message before it answers the
// end of DATA, so after a successful Send the message is there already.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msgs := s.Messages(t)
		if len(msgs) >= n || time.Now().After(deadline) {
			if len(msgs) < n {
				t.Fatalf("mailtest: %d messages received, want %d", len(msgs), n)
			}
			return msgs
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Parse decodes a stored message: envelope, subject, text and attachments.
func Parse(raw []byte) (Received, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, err
	}
	r := Received{Raw: raw, Header: m.Header, MailFrom: m.Header.Get("X-MailFrom")}
	for _, to := range strings.Split(m.Header.Get("X-RcptTo"), ",") {
		if to = strings.TrimSpace(to); to != "" {
			r.RcptTo = append(r.RcptTo, to)
		}
	}
	dec := new(mime.WordDecoder)
	if r.Subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		return r, err
	}
	err = r.walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), "", m.Body)
	return r, err
}

func (r *Received) walk(contentType, encoding, disposition string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if err := r.walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	name := params["name"]
	if _, dp, err := mime.ParseMediaType(disposition); err == nil && dp["filename"] != "" {
		name = dp["filename"]
	}
	if name != "" {
		r.Attachments = append(r.Attachments, smtpmail.Attachment{Name: name, ContentType: mt, Data: data})
		return nil
	}
	if mt == "text/plain" && r.Text == "" {
		r.Text = strings.ReplaceAll(string(data), "\r\n", "\n")
	}
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitListening(addr string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-exited:
			return fmt.Errorf("aiosmtpd exited")
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			// aiosmtpd answers with its 220 greeting once ready.
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			buf := make([]byte, 3)
			_, err = io.ReadFull(c, buf)
			c.Close()
			if err == nil && string(buf) == "220" {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening on %s after %s: %v", addr, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
