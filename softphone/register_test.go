package softphone_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// TestPhone_Register registers with Kamailio using digest auth, checks the
// phone keeps the expiry Kamailio grants in Contact;expires (not the one it
// asked for), takes a call that Kamailio routes to the AOR, and removes its
// binding on Close.
func TestPhone_Register(t *testing.T) {
	requireSipp(t)
	k := startKamailio(t, map[string]string{"1001": "s3cret"}, "MAX_EXPIRES=60")
	rec := &audio.Recorder{}
	p := startPhone(t,
		softphone.WithRegistrar("sip:"+k.addr, "1001", "s3cret"),
		softphone.WithRegisterExpiry(600*time.Second),
		softphone.WithAudio(func(string) (audio.Source, audio.Sink, error) { return audio.NewTone(1000, 0), rec, nil }),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	reg := waitRegistration(ctx, t, p, softphone.RegistrationOK)
	if want := "sip:1001@" + k.addr; reg.AOR != want {
		t.Errorf("AOR = %q, want %q", reg.AOR, want)
	}
	if left := time.Until(reg.Expires); left < 50*time.Second || left > 61*time.Second {
		t.Fatalf("registration expires in %v, want the 60 s Kamailio grants", left)
	}

	sipp := startSippTo(ctx, t, k.addr, "uac_proxy.xml", "-s", "1001", "-d", "2000",
		"-rtp_echo", "-mp", strconv.Itoa(freeMediaPort(t)))
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	letRing()
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitCall(ctx, t, p, callerNumber, sportello.CallActive)
	ended := waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	if ended.EndReason != softphone.ReasonRemoteHangup {
		t.Fatalf("end reason = %q, want %q", ended.EndReason, softphone.ReasonRemoteHangup)
	}
	sipp.wait(ctx, t)
	if r := audio.Goertzel(rec.Samples(), 1000); r < 0.5 {
		t.Fatalf("echoed tone energy at 1000 Hz = %.3f over %d samples", r, len(rec.Samples()))
	}

	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := p.Registration().State; got != softphone.RegistrationUnregistered {
		t.Fatalf("state after Close = %q, want %q", got, softphone.RegistrationUnregistered)
	}
	if code := inviteStatus(t, k.addr, "1001"); code != 404 {
		t.Fatalf("INVITE to the AOR after Close: status %d, want 404 (binding removed)", code)
	}
}

// inviteStatus sends a bare INVITE for user through the proxy at addr and
// returns the final status.
func inviteStatus(t *testing.T, addr, user string) int {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	remote, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	invite := "INVITE sip:" + user + "@${REMOTE} SIP/2.0\nVia: SIP/2.0/UDP ${LOCAL};branch=z9hG4bK-inv1;rport\n" +
		"From: <sip:probe@${LOCAL}>;tag=i1\nTo: <sip:" + user + "@${REMOTE}>\nCall-ID: invite-probe@sportello.test\n" +
		"CSeq: 1 INVITE\nContact: <sip:probe@${LOCAL}>\nMax-Forwards: 70\nContent-Length: ${LENGTH}\n\n"
	return exchange(t, conn, remote, sipMessage(invite, conn.LocalAddr().String(), remote.String()))
}

// TestPhone_RegisterRefused checks that refused credentials leave the phone
// in RegistrationFailed with the registrar's reason.
func TestPhone_RegisterRefused(t *testing.T) {
	k := startKamailio(t, map[string]string{"1001": "s3cret"})
	for _, tc := range []struct {
		name, user, pass, reason, phrase string
		code                             int
	}{
		{"WrongPassword", "1001", "wrong", "Wrong Password", "Wrong Password", 403},
		{"UnknownUser", "1999", "s3cret", "Unknown User", "Unknown User", 403},
		{"NoPassword", "1001", "", "none is set", "Unauthorized", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startPhone(t, softphone.WithRegistrar(k.addr, tc.user, tc.pass))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			reg := waitRegistration(ctx, t, p, softphone.RegistrationFailed)
			t.Logf("failed registration: %+v", reg)
			if reg.Code != tc.code || !strings.Contains(reg.Reason, tc.reason) || reg.Phrase != tc.phrase {
				t.Fatalf("registration = %+v, want code %d, phrase %q and a reason with %q", reg, tc.code, tc.phrase, tc.reason)
			}
			if reg.RetryAt.IsZero() || reg.RetryAt.After(time.Now().Add(2*time.Second)) {
				t.Fatalf("registration = %+v, want the retry within the first backoff (1 s)", reg)
			}
		})
	}
}

// TestPhone_ReRegister restarts Kamailio, which forgets every binding: the
// phone notices at its next refresh, reports the failure, retries with
// backoff, registers again by itself, and a call to its AOR rings again.
// While the registrar is lost, Dial of a number fails at once with
// ErrNotRegistered instead of waiting for the INVITE to time out.
func TestPhone_ReRegister(t *testing.T) {
	requireSipp(t)
	k := startKamailio(t, map[string]string{"1001": "s3cret"}, "MAX_EXPIRES=4", "MIN_EXPIRES=1")
	p := startPhone(t,
		softphone.WithRegistrar(k.addr, "1001", "s3cret"),
		softphone.WithRegisterRetry(200*time.Millisecond, time.Second),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	first := waitRegistration(ctx, t, p, softphone.RegistrationOK)
	if left := time.Until(first.Expires); left > 4*time.Second {
		t.Fatalf("registration expires in %v, want at most the 4 s Kamailio grants", left)
	}

	k.stop()
	failed := waitRegistration(ctx, t, p, softphone.RegistrationFailed)
	if failed.Code != 0 || !strings.Contains(failed.Reason, "did not answer") {
		t.Fatalf("failure while Kamailio is down = %+v, want \"did not answer\"", failed)
	}
	dialed := time.Now()
	_, err := p.Dial("2000")
	if took := time.Since(dialed); took > 200*time.Millisecond {
		t.Errorf("Dial while not registered took %v, want an answer at once", took)
	}
	if !errors.Is(err, softphone.ErrNotRegistered) || sportello.ErrorCode(err) != sportello.EUNAVAILABLE ||
		!strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("Dial while not registered: %v, want ErrNotRegistered (unavailable) with the reason", err)
	}
	k.start()
	again := waitRegistration(ctx, t, p, softphone.RegistrationOK)
	t.Logf("registered again, expires %v", again.Expires)

	sipp := startSippTo(ctx, t, k.addr, "uac_proxy.xml", "-s", "1001", "-d", "500")
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	letRing()
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	sipp.wait(ctx, t)
}

// TestPhone_RegistrarConfig checks Start refuses a registrar it cannot use,
// and that a phone without one reports no registration.
func TestPhone_RegistrarConfig(t *testing.T) {
	for _, tc := range []struct{ name, uri, user string }{
		{"NoHost", "sip:", "1001"},
		{"NoUser", "127.0.0.1:5060", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := softphone.New(softphone.WithListenAddr("127.0.0.1:0"), softphone.WithLogger(testLogger(t)),
				softphone.WithRegistrar(tc.uri, tc.user, "x"))
			defer p.Close()
			if err := p.Start(context.Background()); err == nil {
				t.Fatalf("Start with registrar %q user %q: no error", tc.uri, tc.user)
			}
		})
	}
	p := startPhone(t)
	if r := p.Registration(); r.State != softphone.RegistrationNone {
		t.Fatalf("Registration without a registrar = %+v", r)
	}
}
