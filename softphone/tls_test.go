package softphone_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

// newTestCA makes a self-signed CA.
func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// tlsConfig returns a configuration with a certificate for 127.0.0.1
// signed by the CA, trusting trust.
func (ca *testCA) tlsConfig(t *testing.T, trust *x509.CertPool) *tls.Config {
	t.Helper()
	der, key := ca.issue(t)
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		RootCAs:      trust,
		MinVersion:   tls.VersionTLS12,
	}
}

// issue makes a certificate for 127.0.0.1 signed by the CA.
func (ca *testCA) issue(t *testing.T) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "desk.sportello.test"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}

// writePEM writes a certificate for 127.0.0.1 signed by the CA and its key
// as PEM files in dir.
func (ca *testCA) writePEM(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	der, key := ca.issue(t)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// addrOf returns the "host:port" part of Addr, checking the transport.
func addrOf(t *testing.T, p *softphone.Phone, network string) string {
	t.Helper()
	n, addr, ok := strings.Cut(p.Addr(), " ")
	if !ok || n != network {
		t.Fatalf("Addr() = %q, want %q host:port", p.Addr(), network)
	}
	return addr
}

// rtpTap watches the PCMU RTP packets (version 2, payload type 0) that
// cross the loopback while it runs, for rtpSizes. It needs a raw socket
// (root or CAP_NET_RAW); without one it returns nil and the caller skips
// the check.
func rtpTap(t *testing.T) (stop func() []rtpPacket) {
	t.Helper()
	conn, err := net.ListenPacket("ip4:udp", "127.0.0.1")
	if err != nil {
		t.Logf("no raw socket, packets on the wire not checked: %v", err)
		return nil
	}
	var seen []rtpPacket
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			n, _, err := conn.ReadFrom(buf) // the IPv4 header stripped: UDP header, payload
			if err != nil {
				return
			}
			if n > 8+12 && buf[8] == 0x80 && buf[9]&0x7f == 0 {
				seen = append(seen, rtpPacket{size: n - 8,
					src: int(buf[0])<<8 | int(buf[1]), dst: int(buf[2])<<8 | int(buf[3])})
			}
		}
	}()
	return func() []rtpPacket {
		conn.Close()
		<-done
		return seen
	}
}

// rtpPacket is a UDP payload size and its ports.
type rtpPacket struct{ size, src, dst int }

// rtpSizes counts by size the packets of the flows (port pairs) that
// carried at least one packet of size want: the call under test's, not
// those of other programs on the loopback. 172 bytes is plain RTP of
// 20 ms, 182 bytes SRTP (the same plus the 10-byte HMAC-SHA1-80 tag).
func rtpSizes(seen []rtpPacket, want int) map[int]int {
	ports := map[int]bool{}
	for _, p := range seen {
		if p.size == want {
			ports[p.src], ports[p.dst] = true, true
		}
	}
	counts := map[int]int{}
	for _, p := range seen {
		if ports[p.src] && ports[p.dst] {
			counts[p.size]++
		}
	}
	return counts
}

// TestPhone_TLSAndSRTP: two phones with SIP over TLS (certificates from a
// CA the test makes) and SRTP required call each other: the callee rings,
// answers, each hears the other's tone through SRTP (both sides would hang
// up a call without SDES keys; on the wire every RTP packet carries the
// SRTP tag), the caller holds and resumes the call (re-INVITEs over TLS,
// the same keys) and the tone comes back, and the caller hangs up.
func TestPhone_TLSAndSRTP(t *testing.T) {
	ca := newTestCA(t, "Sportello test CA")
	recA, recB := &audio.Recorder{}, &audio.Recorder{}
	a := startPhone(t, withToneAndSink(700, recA), softphone.WithTLS(ca.tlsConfig(t, ca.pool)), softphone.WithSRTP(softphone.SRTPRequired))
	b := startPhone(t, withToneAndSink(1300, recB), softphone.WithTLS(ca.tlsConfig(t, ca.pool)), softphone.WithSRTP(softphone.SRTPRequired))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	tap := rtpTap(t)
	id, err := a.Dial("sip:desk@" + addrOf(t, b, "tls"))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	ring := nextCall(ctx, t, b.Calls(), sportello.CallRinging)
	if ring.ID != id {
		t.Fatalf("callee's ringing snapshot = %+v, want call %s", ring, id)
	}
	if err := b.Answer(id); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitCallID(ctx, t, a, id, sportello.CallActive)
	time.Sleep(1500 * time.Millisecond)
	checkTone(t, "caller", recA.Samples(), 1300)
	checkTone(t, "callee", recB.Samples(), 700)
	if tap != nil {
		counts := rtpSizes(tap(), 182)
		t.Logf("RTP packets by size: %v", counts)
		if counts[182] < 100 || counts[172] != 0 {
			t.Fatalf("RTP packets by size %v: want only SRTP ones (182 bytes)", counts)
		}
	}

	// Hold and resume over TLS keep the SRTP keys: the tone comes back.
	if err := a.Hold(id); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	if err := a.Resume(id); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	_, n := heardSince(recB, 0)
	time.Sleep(time.Second)
	if after, _ := heardSince(recB, n); len(after) < audio.SampleRate/2 {
		t.Fatalf("after hold and resume the callee heard %d samples", len(after))
	} else {
		checkTone(t, "callee after resume", after, 700)
	}

	if err := a.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	if ended := waitCallID(ctx, t, b, id, sportello.CallEnded); ended.EndReason != softphone.ReasonRemoteHangup {
		t.Fatalf("callee's end = %+v", ended)
	}
}

// TestPhone_TLSUntrusted: a phone that does not trust the callee's CA
// gets no call: the TLS handshake fails, the call ends with
// ReasonUntrusted, and the callee never rings.
func TestPhone_TLSUntrusted(t *testing.T) {
	ca, other := newTestCA(t, "Sportello test CA"), newTestCA(t, "Somebody else")
	a := startPhone(t, softphone.WithTLS(other.tlsConfig(t, other.pool)))
	b := startPhone(t, softphone.WithTLS(ca.tlsConfig(t, ca.pool)))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()

	id, err := a.Dial("sip:desk@" + addrOf(t, b, "tls"))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if ended := waitCallID(ctx, t, a, id, sportello.CallEnded); ended.EndReason != softphone.ReasonUntrusted {
		t.Fatalf("caller's end = %q, want %q", ended.EndReason, softphone.ReasonUntrusted)
	}
	select {
	case c := <-b.Calls():
		t.Fatalf("the callee saw a call: %+v", c)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestPhone_SRTPModes: over UDP, an optional-SRTP caller falls back to
// plain RTP with a callee that has SRTP off (audio checked); a caller
// requiring SRTP hangs up on that callee's plain answer (ReasonInsecure);
// a callee requiring SRTP answers a plain offer 488, and a callee with
// SRTP off answers an RTP/SAVP offer 488.
func TestPhone_SRTPModes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	recA, recB := &audio.Recorder{}, &audio.Recorder{}
	optional := startPhone(t, withToneAndSink(700, recA), softphone.WithSRTP(softphone.SRTPOptional))
	plain := startPhone(t, withToneAndSink(1300, recB))
	required := startPhone(t, softphone.WithSRTP(softphone.SRTPRequired))

	t.Run("OptionalFallsBack", func(t *testing.T) {
		tap := rtpTap(t)
		id, err := optional.Dial("sip:desk@" + addrOf(t, plain, "udp"))
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		nextCall(ctx, t, plain.Calls(), sportello.CallRinging)
		if err := plain.Answer(id); err != nil {
			t.Fatalf("Answer: %v", err)
		}
		waitCallID(ctx, t, optional, id, sportello.CallActive)
		time.Sleep(1500 * time.Millisecond)
		checkTone(t, "optional caller", recA.Samples(), 1300)
		checkTone(t, "plain callee", recB.Samples(), 700)
		if tap != nil {
			seen := tap()
			if srtp := rtpSizes(seen, 182); len(srtp) != 0 {
				t.Fatalf("SRTP flows on the wire: %v", srtp)
			}
			if plain := rtpSizes(seen, 172); plain[172] < 100 {
				t.Fatalf("RTP packets by size %v: want plain ones (172 bytes)", plain)
			}
		}
		if err := optional.Hangup(id); err != nil {
			t.Fatalf("Hangup: %v", err)
		}
		waitCallID(ctx, t, plain, id, sportello.CallEnded)
	})

	t.Run("RequiredRefusesPlainAnswer", func(t *testing.T) {
		id, err := required.Dial("sip:desk@" + addrOf(t, plain, "udp"))
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		nextCall(ctx, t, plain.Calls(), sportello.CallRinging)
		// The caller's BYE may overtake its ACK: Answer may then fail.
		if err := plain.Answer(id); err != nil {
			t.Logf("Answer: %v", err)
		}
		if ended := waitCallID(ctx, t, required, id, sportello.CallEnded); ended.EndReason != softphone.ReasonInsecure {
			t.Fatalf("caller's end = %q, want %q", ended.EndReason, softphone.ReasonInsecure)
		}
		if ended := nextCall(ctx, t, plain.Calls(), sportello.CallEnded); ended.EndReason == softphone.ReasonLocalHangup {
			t.Fatalf("callee's end = %q, want the caller's hangup", ended.EndReason)
		}
	})

	invite := func(proto, crypto string) string {
		return "INVITE sip:desk@${REMOTE} SIP/2.0\nVia: SIP/2.0/UDP ${LOCAL};branch=z9hG4bK-" + proto[4:] + "\n" +
			"From: <sip:3331234567@${LOCAL}>;tag=s1\nTo: <sip:desk@${REMOTE}>\nCall-ID: srtp-" + proto[4:] + "@sportello.test\n" +
			"CSeq: 1 INVITE\nContact: <sip:3331234567@${LOCAL}>\nMax-Forwards: 70\nContent-Type: application/sdp\nContent-Length: ${LENGTH}\n\n" +
			"v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 40000 " + proto + " 0\na=rtpmap:0 PCMU/8000\n" + crypto
	}
	for _, tc := range []struct {
		name   string
		callee *softphone.Phone
		offer  string
	}{
		{"RequiredRefusesPlainOffer", required, invite("RTP/AVP", "")},
		{"OffRefusesSAVPOffer", plain, invite("RTP/SAVP", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			remote, err := net.ResolveUDPAddr("udp", addrOf(t, tc.callee, "udp"))
			if err != nil {
				t.Fatal(err)
			}
			if got := exchange(t, conn, remote, sipMessage(tc.offer, conn.LocalAddr().String(), remote.String())); got != 488 {
				t.Fatalf("status %d, want 488", got)
			}
		})
	}
}

// TestPhone_RegisterTLS: the phone registers with Kamailio (its tls
// module, the certificate from the test's CA) over TLS, with digest auth;
// it listens on TLS only, so the binding can only have come that way. A
// phone that does not trust Kamailio's CA fails to register and says why.
func TestPhone_RegisterTLS(t *testing.T) {
	requireKamailio(t)
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so"); err != nil && os.Getenv("SPORTELLO_REQUIRE_REAL") == "1" {
		t.Fatalf("Kamailio's tls module missing (install Debian's kamailio-tls-modules): %v", err)
	} else if err != nil {
		t.Skip("kamailio-tls-modules not installed; set SPORTELLO_REQUIRE_REAL=1 to make this a failure")
	}
	ca := newTestCA(t, "Sportello test CA")
	dir := t.TempDir()
	cert, key := ca.writePEM(t, dir)
	tlsCfg := filepath.Join(dir, "tls.cfg")
	conf := fmt.Sprintf("[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n"+
		"private_key = %s\ncertificate = %s\n\n[client:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n", key, cert)
	if err := os.WriteFile(tlsCfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tlsPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	startKamailio(t, map[string]string{"1001": "pw1001"}, "WITH_TLS",
		"TLS_LISTEN=tls:127.0.0.1:"+strconv.Itoa(tlsPort), `TLS_CONFIG="`+tlsCfg+`"`)
	registrar := "sip:127.0.0.1:" + strconv.Itoa(tlsPort)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	p := startPhone(t, softphone.WithTLS(ca.tlsConfig(t, ca.pool)), softphone.WithRegistrar(registrar, "1001", "pw1001"))
	addrOf(t, p, "tls")
	if reg := waitRegistration(ctx, t, p, softphone.RegistrationOK); reg.AOR != "sip:1001@127.0.0.1:"+strconv.Itoa(tlsPort) {
		t.Fatalf("registered as %q", reg.AOR)
	}

	other := newTestCA(t, "Somebody else")
	q := startPhone(t, softphone.WithTLS(other.tlsConfig(t, other.pool)), softphone.WithRegistrar(registrar, "1001", "pw1001"),
		softphone.WithRegisterRetry(time.Minute, time.Minute))
	reg := waitRegistration(ctx, t, q, softphone.RegistrationFailed)
	if !strings.Contains(reg.Reason, "certificate") {
		t.Fatalf("failed registration's reason %q does not name the certificate", reg.Reason)
	}
	t.Logf("untrusted registrar: %s", reg.Reason)
}

// TestBaresip_SRTP: SRTP with baresip both ways, audio and the packets
// on the wire checked. The phone (SRTP required) calls baresip in its
// best-effort mode (mediaenc=srtp: keys on an RTP/AVP stream, the phone's
// own way of offering); baresip with SRTP mandatory (srtp-mand: RTP/SAVP
// only) calls the phone, which answers in kind. (baresip in srtp-mand
// refuses the phone's RTP/AVP offers: see WithSRTP.)
func TestBaresip_SRTP(t *testing.T) {
	check := func(t *testing.T, p *softphone.Phone, id string, rec *audio.Recorder, tap func() []rtpPacket) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		waitCallID(ctx, t, p, id, sportello.CallActive)
		time.Sleep(1500 * time.Millisecond)
		checkTone(t, "the phone", rec.Samples(), phoneTone)
		if tap != nil {
			counts := rtpSizes(tap(), 182)
			t.Logf("RTP packets by size: %v", counts)
			if counts[182] < 100 || len(counts) != 1 {
				t.Fatalf("RTP packets by size %v: want only SRTP ones (182 bytes), both ways", counts)
			}
		}
		if err := p.Hangup(id); err != nil {
			t.Fatalf("Hangup: %v", err)
		}
		waitCallID(ctx, t, p, id, sportello.CallEnded)
	}
	t.Run("PhoneCalls", func(t *testing.T) {
		peer := startAnsweringBaresip(t, ";mediaenc=srtp")
		rec := &audio.Recorder{}
		p := startPhone(t, withToneAndSink(700, rec), softphone.WithSRTP(softphone.SRTPRequired))
		tap := rtpTap(t)
		id, err := p.Dial("sip:desk@" + peer.addr)
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		check(t, p, id, rec, tap)
	})
	t.Run("BaresipCalls", func(t *testing.T) {
		rec := &audio.Recorder{}
		p := startPhone(t, withToneAndSink(700, rec), softphone.WithSRTP(softphone.SRTPRequired))
		tap := rtpTap(t)
		startAnsweringBaresip(t, ";mediaenc=srtp-mand", "-e", "/dial sip:desk@"+addrOf(t, p, "udp"))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		ring := nextCall(ctx, t, p.Calls(), sportello.CallRinging)
		if err := p.Answer(ring.ID); err != nil {
			t.Fatalf("Answer: %v", err)
		}
		check(t, p, ring.ID, rec, tap)
	})
}
