package softphone

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/sportello/sportello"
)

// SRTPMode says whether a call's audio must be encrypted with SRTP, keyed
// by SDES (RFC 4568: the keys travel in the SDP, so SRTP is only as secret
// as the signalling: use it with WithTLS).
type SRTPMode int

// SRTP modes.
const (
	// SRTPOff offers plain RTP, ignores SDES keys offered alongside plain
	// RTP and refuses offers of RTP/SAVP (SRTP only) with 488.
	SRTPOff SRTPMode = iota
	// SRTPOptional offers SDES keys and falls back to plain RTP with a peer
	// that answers without them; it accepts both kinds of offers.
	SRTPOptional
	// SRTPRequired offers SDES keys and takes no call without them: an
	// offer without keys gets 488 Not Acceptable Here, an answer without
	// keys a BYE at once (the call ends with ReasonInsecure).
	SRTPRequired
)

// End reasons of calls refused for security.
const (
	// ReasonInsecure: SRTP is required and the other party does not use it.
	ReasonInsecure = "insecure media"
	// ReasonUntrusted: the other party's TLS certificate is not trusted.
	ReasonUntrusted = "untrusted certificate"
)

// ErrBadSRTPMode is returned by ParseSRTPMode for an unknown name.
var ErrBadSRTPMode = sportello.Errorf(sportello.EINVALID, "SRTP mode must be off, optional or required")

// errPlainMedia marks an offer or an answer without the SRTP the phone
// requires.
var errPlainMedia = errors.New("SRTP required, offer without SDES crypto")

// The phone offers SDES keys on an RTP/AVP stream ("best effort SRTP", as
// Asterisk and baresip's "srtp" mode do) rather than diago's default
// RTP/SAVP: a peer without SRTP then answers plain RTP instead of refusing
// the call, which is what SRTPOptional promises; SRTPRequired is enforced
// by the phone on the answer. Offers of RTP/SAVP are still answered in
// kind. diago keeps this switch global; only the softphone uses diago.
func init() { media.RTPProfileSAVPDisable = true }

// String names the mode as ParseSRTPMode reads it.
func (m SRTPMode) String() string {
	switch m {
	case SRTPOptional:
		return "optional"
	case SRTPRequired:
		return "required"
	default:
		return "off"
	}
}

// ParseSRTPMode reads "off" (or ""), "optional" or "required".
func ParseSRTPMode(s string) (SRTPMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "off":
		return SRTPOff, nil
	case "optional":
		return SRTPOptional, nil
	case "required":
		return SRTPRequired, nil
	}
	return SRTPOff, fmt.Errorf("%q: %w", s, ErrBadSRTPMode)
}

// WithTLS makes the phone use SIP over TLS instead of UDP: it listens for
// TLS with conf's certificate and dials TLS peers (and the registrar)
// trusting conf.RootCAs (the system's roots when nil). A peer whose
// certificate is not trusted gets no call: Dial ends it with
// ReasonUntrusted. conf must hold a certificate for the listening side.
func WithTLS(conf *tls.Config) Option { return func(p *Phone) { p.tlsConf = conf } }

// WithSRTP sets whether calls use SRTP with SDES keys (default SRTPOff).
// The phone offers its keys on an RTP/AVP stream (best-effort SRTP, so an
// optional offer falls back cleanly); a peer that takes only RTP/SAVP
// offers (baresip's srtp-mand) refuses the phone's calls, while its own
// RTP/SAVP calls to the phone are answered in kind.
func WithSRTP(mode SRTPMode) Option { return func(p *Phone) { p.srtpMode = mode } }

// transport is the SIP transport the phone listens and dials on.
func (p *Phone) transport() string {
	if p.tlsConf != nil {
		return "tls"
	}
	return "udp"
}

// mediaSRTP is diago's Transport.MediaSRTP for the phone's mode: diago
// offers SDES and falls back to plain RTP on its own; requiring SRTP is
// the phone's checks (secureOffer, secureAnswer).
func (p *Phone) mediaSRTP() int {
	if p.srtpMode == SRTPOff {
		return 0
	}
	return 1
}

// userAgentTLS is the UA option that makes sipgo dial TLS with the phone's
// trust roots (nil without WithTLS).
func (p *Phone) userAgentTLS() sipgo.UserAgentOption {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if p.tlsConf != nil {
		conf = p.tlsConf.Clone()
		if conf.MinVersion == 0 {
			conf.MinVersion = tls.VersionTLS12
		}
	}
	return sipgo.WithUserAgenTLSConfig(conf)
}

// guarded is guard with the phone's SRTP policy inside it: an INVITE
// whose offer does not fit the policy is answered 488 before diago sees it.
func (p *Phone) guarded(next sipgo.RequestHandler) sipgo.RequestHandler {
	return p.guard(func(req *sip.Request, tx sip.ServerTransaction) {
		if req.IsInvite() && len(req.Body()) > 0 {
			if err := p.secureOffer(req.Body()); err != nil {
				p.log.Warn("refused INVITE", "call_id", callIDOf(req), "error", err)
				respond(req, tx, sip.StatusNotAcceptableHere, "Not Acceptable Here ("+err.Error()+")")
				return
			}
		}
		next(req, tx)
	})
}

// secureOffer checks an SDP offer against the phone's SRTP mode.
func (p *Phone) secureOffer(body []byte) error {
	proto, crypto := sdpSecurity(body)
	switch p.srtpMode {
	case SRTPRequired:
		if !crypto {
			return errPlainMedia
		}
	case SRTPOff:
		if proto == "RTP/SAVP" {
			return errors.New("SRTP offered and not enabled")
		}
	}
	return nil
}

// secureAnswer checks the answer to the phone's offer: with SRTP required
// it must carry SDES keys.
func (p *Phone) secureAnswer(body []byte) error {
	if p.srtpMode != SRTPRequired {
		return nil
	}
	if _, crypto := sdpSecurity(body); !crypto {
		return errors.New("SRTP required, answer without SDES crypto")
	}
	return nil
}

// sdpSecurity reads the audio stream's transport profile and whether it
// carries an SDES key the phone can use (AES_CM_128_HMAC_SHA1_80, the
// suite diago keys).
func sdpSecurity(body []byte) (proto string, crypto bool) {
	for _, line := range strings.Split(string(body), "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "m=audio "); ok {
			if f := strings.Fields(rest); len(f) >= 2 {
				proto = f[1]
			}
		}
		if rest, ok := strings.CutPrefix(line, "a=crypto:"); ok {
			if f := strings.Fields(rest); len(f) >= 3 && f[1] == "AES_CM_128_HMAC_SHA1_80" && strings.HasPrefix(f[2], "inline:") {
				crypto = true
			}
		}
	}
	return proto, crypto
}

// tlsFailure names a call that failed because the peer's certificate was
// not trusted ("" for any other failure).
func tlsFailure(err error) string {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var verify *tls.CertificateVerificationError
	if errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &host) || errors.As(err, &verify) {
		return ReasonUntrusted
	}
	return ""
}

// LoadTLSConfig builds the configuration of WithTLS from PEM files: the
// phone's certificate and key (for the side that takes calls) and caFile,
// the CAs to trust (empty: the system's roots).
func LoadTLSConfig(certFile, keyFile, caFile string) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("load SIP TLS certificate: %w", err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("load SIP TLS CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, sportello.Errorf(sportello.EINVALID, "SIP TLS CA %s: no PEM certificate", caFile)
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// registerTransport sends the REGISTER over TLS when the phone uses TLS,
// with a contact that says so (the registrar reaches the phone over TLS).
func (p *Phone) registerTransport(req *sip.Request, contact *sip.ContactHeader) {
	if p.transport() != "tls" {
		return
	}
	req.SetTransport("TLS")
	contact.Address.UriParams.Add("transport", "tls")
}

// registerClientOptions configures the REGISTER client of the phone
// listening on host:port. Over UDP it sends from the listening socket (the
// registrar answers there); over TLS it dials from an ephemeral port
// (binding the connection to the listening port fails: that port is the
// TLS listener's) and the answer comes back on that connection.
func (p *Phone) registerClientOptions(host string, port int) []sipgo.ClientOption {
	opts := []sipgo.ClientOption{
		sipgo.WithClientHostname(host),
		sipgo.WithClientLogger(p.log.With("subsystem", "sip")),
	}
	if p.transport() != "tls" {
		opts = append(opts, sipgo.WithClientConnectionAddr(joinHostPort(host, port)))
	}
	return opts
}
