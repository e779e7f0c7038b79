package softphone

import (
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// errBadRequest marks a request the phone refuses with 400 Bad Request.
var errBadRequest = errors.New("bad request")

// errNotAcceptable marks an offer without a codec the phone speaks (488).
var errNotAcceptable = errors.New("not acceptable here")

// guard wraps every SIP request handler: it refuses malformed requests
// before diago sees them (diago v0.42.1 dereferences missing headers and
// indexes SDP fields without checks, and one datagram would otherwise crash
// the process) and turns any panic left into a logged 500.
func (p *Phone) guard(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		defer func() {
			if v := recover(); v != nil {
				p.log.Error("panic handling SIP request", "method", req.Method.String(),
					"call_id", callIDOf(req), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				respond(req, tx, sip.StatusInternalServerError, "Server Internal Error")
			}
		}()
		var voice []string // only an offer needs the phone's codecs
		if req.IsInvite() {
			voice = p.voiceNames()
		}
		if err := validate(req, voice); err != nil {
			p.log.Warn("refused SIP request", "method", req.Method.String(), "call_id", callIDOf(req), "error", err)
			if errors.Is(err, errNotAcceptable) {
				respond(req, tx, sip.StatusNotAcceptableHere, "Not Acceptable Here")
				return
			}
			respond(req, tx, sip.StatusBadRequest, "Bad Request ("+reasonOf(err)+")")
			return
		}
		next(req, tx)
	}
}

// respond answers req unless it is an ACK (never answered); it survives a
// transaction that is already gone.
func respond(req *sip.Request, tx sip.ServerTransaction, code int, reason string) {
	if req.IsAck() || tx == nil {
		return
	}
	defer func() { _ = recover() }()
	_ = tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil))
}

func callIDOf(req *sip.Request) string {
	if h := req.CallID(); h != nil {
		return h.Value()
	}
	return ""
}

// reasonOf keeps a reason phrase on one short printable line.
func reasonOf(err error) string {
	s := strings.TrimPrefix(err.Error(), errBadRequest.Error()+": ")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return -1
		}
		return r
	}, s)
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

// validate checks what diago relies on without checking, and that an
// offer has one of the voice codecs named (lowercase SDP names).
func validate(req *sip.Request, voice []string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{errBadRequest}, args...)...)
	}
	switch {
	case req.From() == nil:
		return bad("missing From")
	case req.To() == nil:
		return bad("missing To")
	case req.CallID() == nil || req.CallID().Value() == "":
		return bad("missing Call-ID")
	case req.CSeq() == nil:
		return bad("missing CSeq")
	case req.Via() == nil:
		return bad("missing Via")
	case req.Recipient.Host == "":
		return bad("bad Request-URI")
	}
	if m := req.CSeq().MethodName; m != req.Method {
		return bad("CSeq method %s does not match %s", m, req.Method)
	}
	if !req.IsInvite() {
		return nil
	}
	if req.Contact() == nil {
		return bad("missing Contact")
	}
	if body := req.Body(); len(body) > 0 {
		if ct := req.ContentType(); ct != nil && !strings.EqualFold(strings.TrimSpace(strings.Split(ct.Value(), ";")[0]), "application/sdp") {
			return fmt.Errorf("%w: content type %s", errNotAcceptable, ct.Value())
		}
		return validateSDP(body, voice)
	}
	return nil
}

// staticNames are the lowercase SDP names of the static payload types the
// phone can speak (RFC 3551), for offers without an rtpmap for them.
var staticNames = map[string]string{"0": "pcmu", "8": "pcma", "9": "g722"}

// voiceNames are the lowercase SDP names of the phone's voice codecs, in
// its order of preference.
func (p *Phone) voiceNames() []string {
	codecs := p.mediaCodecs()
	names := make([]string, 0, len(codecs))
	for _, c := range codecs {
		if !strings.EqualFold(c.Name, "telephone-event") {
			names = append(names, strings.ToLower(c.Name))
		}
	}
	return names
}

// validateSDP checks the lines diago's SDP parser indexes blindly, and that
// an RTP audio stream of the offer has one of the voice codecs named
// (lowercase SDP names: "pcmu", "pcma", "g722", "opus"); nil voice means
// the default PCMU and PCMA. A format is named by its rtpmap or, for the
// static types 0, 8 and 9, by RFC 3551.
func validateSDP(body []byte, voice []string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{errBadRequest}, args...)...)
	}
	if voice == nil {
		voice = []string{"pcmu", "pcma"}
	}
	var formats []string          // the formats of the RTP audio streams
	rtpmap := map[string]string{} // format -> lowercase encoding name
	for line := range strings.Lines(string(body)) {
		line = strings.TrimRight(line, "\r\n")
		if len(line) < 2 || line[1] != '=' {
			if strings.TrimSpace(line) == "" {
				continue
			}
			return bad("malformed SDP line")
		}
		fields := strings.Fields(line[2:])
		switch line[0] {
		case 'c':
			if len(fields) != 3 {
				return bad("SDP c= line needs 3 fields")
			}
		case 'o':
			if len(fields) != 6 {
				return bad("SDP o= line needs 6 fields")
			}
		case 'm':
			if len(fields) < 4 {
				return bad("SDP m= line needs 4 fields")
			}
			port, _, _ := strings.Cut(fields[1], "/")
			if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
				return bad("SDP m= line has a bad port")
			}
			if fields[0] == "audio" && strings.HasPrefix(fields[2], "RTP/") {
				formats = append(formats, fields[3:]...)
			}
		case 'a':
			if pt, ok := strings.CutPrefix(fields0(fields), "rtpmap:"); ok && len(fields) >= 2 {
				name, _, _ := strings.Cut(fields[1], "/")
				rtpmap[pt] = strings.ToLower(name)
			}
		}
	}
	for _, f := range formats {
		name, ok := rtpmap[f]
		if !ok {
			name = staticNames[f]
		}
		if name != "" && slices.Contains(voice, name) {
			return nil
		}
	}
	names := make([]string, len(voice))
	for i, n := range voice {
		if names[i] = strings.ToUpper(n); n == "opus" {
			names[i] = n
		}
	}
	return fmt.Errorf("%w: no %s audio offered", errNotAcceptable, strings.Join(names, " or "))
}

// fields0 is the first of fields, or "".
func fields0(fields []string) string {
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}
