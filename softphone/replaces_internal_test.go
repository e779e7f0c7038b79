package softphone

import (
	"errors"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/sportello/sportello"
)

// TestParseReplaces reads RFC 3891's examples and refuses headers without
// a Call-ID or either tag.
func TestParseReplaces(t *testing.T) {
	r, err := parseReplaces("425928@bobster.example.org;to-tag=7743;from-tag=6472")
	if err != nil || r != (replaces{callID: "425928@bobster.example.org", toTag: "7743", fromTag: "6472"}) {
		t.Fatalf("parse = %+v, %v", r, err)
	}
	r, err = parseReplaces(" 98732@sip.example.com ; From-Tag = r33th4x0r ; TO-TAG=ff87ff;early-only")
	if err != nil || r != (replaces{callID: "98732@sip.example.com", toTag: "ff87ff", fromTag: "r33th4x0r", earlyOnly: true}) {
		t.Fatalf("parse with spaces and case = %+v, %v", r, err)
	}
	for _, bad := range []string{"", ";to-tag=a;from-tag=b", "x@y;to-tag=a", "x@y;from-tag=b", "x@y;to-tag=;from-tag=b"} {
		if _, err := parseReplaces(bad); !errors.Is(err, errBadReplaces) {
			t.Errorf("parse %q error = %v, want errBadReplaces", bad, err)
		}
	}
}

// TestReplacedCall matches the Call-ID and both tags of an answered call,
// and refuses (481) a wrong tag, swapped tags, a ringing call and
// early-only; a malformed header gets 400.
func TestReplacedCall(t *testing.T) {
	p := New()
	answered := &call{snap: sportello.Call{ID: "c1", State: sportello.CallActive}, peer: &dialogPeer{callID: "c1", localTag: "mine", remoteTag: "theirs"}}
	ringing := &call{snap: sportello.Call{ID: "c2", State: sportello.CallRinging}, peer: &dialogPeer{callID: "c2", localTag: "mine2", remoteTag: "theirs2"}}
	p.active["c1"], p.active["c2"] = answered, ringing
	invite := func(replaces string) *sip.Request {
		req := sip.NewRequest(sip.INVITE, sip.Uri{User: "desk", Host: "127.0.0.1"})
		if replaces != "" {
			req.AppendHeader(sip.NewHeader("Replaces", replaces))
		}
		return req
	}
	for _, tc := range []struct {
		replaces string
		want     *call
		code     int
	}{
		{"", nil, 0},
		{"c1;to-tag=mine;from-tag=theirs", answered, 0},
		{"c1;to-tag=theirs;from-tag=mine", nil, 481},
		{"c1;to-tag=mine;from-tag=other", nil, 481},
		{"c1;to-tag=mine;from-tag=theirs;early-only", nil, 481},
		{"c2;to-tag=mine2;from-tag=theirs2", nil, 481},
		{"c3;to-tag=mine;from-tag=theirs", nil, 481},
		{"c1;to-tag=mine", nil, 400},
	} {
		got, code, _ := p.replacedCall(invite(tc.replaces))
		if got != tc.want || code != tc.code {
			t.Errorf("Replaces %q: call %p code %d, want %p %d", tc.replaces, got, code, tc.want, tc.code)
		}
	}
}
