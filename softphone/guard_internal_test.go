package softphone

import (
	"errors"
	"testing"
)

func TestNormalizeNumber(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+390212345678", "+390212345678"},
		{" +39 02 1234-5678 ", "+390212345678"},
		{"0212345678", "0212345678"},
		{"39+02", "3902"},
		{"anonymous", ""},
		{"", ""},
	} {
		if got := normalizeNumber(tc.in); got != tc.want {
			t.Errorf("normalizeNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

var sdpCases = []struct {
	name  string
	sdp   string
	voice []string // the phone's voice codecs; nil is the default PCMU, PCMA
	want  error    // nil, errBadRequest or errNotAcceptable
}{
	{"PCMU", "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 101\r\n", nil, nil},
	{"CTwoFields", "v=0\r\nc=IN IP4\r\nm=audio 4000 RTP/AVP 0\r\n", nil, errBadRequest},
	{"MediaThreeFields", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP\r\n", nil, errBadRequest},
	{"BadPort", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio x RTP/AVP 0\r\n", nil, errBadRequest},
	{"ShortOrigin", "v=0\r\no=a 1\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n", nil, errBadRequest},
	{"NotSDP", "hello", nil, errBadRequest},
	{"OnlyPCMA", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 8\r\n", nil, nil},
	{"OnlyG729", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 18 101\r\n", nil, errNotAcceptable},
	{"VideoOnly", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=video 4000 RTP/AVP 0\r\n", nil, errNotAcceptable},
	{"G722OnlyNotEnabled", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 9 101\r\na=rtpmap:9 G722/8000\r\n", nil, errNotAcceptable},
	{"G722OnlyEnabled", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 9 101\r\na=rtpmap:9 G722/8000\r\n", []string{"g722", "pcmu"}, nil},
	{"G722OnlyNoRtpmap", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 9\r\n", []string{"pcmu", "g722"}, nil},
	{"PCMUNotEnabled", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n", []string{"g722"}, errNotAcceptable},
	{"OpusEnabled", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 96 101\r\na=rtpmap:96 opus/48000/2\r\n", []string{"opus", "pcmu"}, nil},
	{"OpusNotEnabled", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 96 101\r\na=rtpmap:96 opus/48000/2\r\n", nil, errNotAcceptable},
	{"OpusRtpmapOtherStream", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 18\r\na=rtpmap:97 opus/48000/2\r\n", []string{"opus"}, errNotAcceptable},
	{"RtpmapNoName", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0\r\n", nil, nil},
}

func TestValidateSDP(t *testing.T) {
	for _, tc := range sdpCases {
		t.Run(tc.name, func(t *testing.T) {
			err := validateSDP([]byte(tc.sdp), tc.voice)
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("validateSDP = %v, want %v", err, tc.want)
			}
		})
	}
}

// FuzzValidateSDP checks that no body makes the validator panic.
func FuzzValidateSDP(f *testing.F) {
	for _, tc := range sdpCases {
		f.Add([]byte(tc.sdp))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_ = validateSDP(body, nil)
		_ = validateSDP(body, []string{"g722", "opus"})
	})
}
