package softphone

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

func TestGrantedExpiry(t *testing.T) {
	ours := sip.Uri{Scheme: "sip", User: "1001", Host: "127.0.0.1", Port: 5062}
	for _, tc := range []struct {
		name    string
		headers [][2]string
		want    time.Duration
		ok      bool
	}{
		{"ContactParam", [][2]string{{"Contact", "<sip:1001@127.0.0.1:5062>;expires=60"}}, 60 * time.Second, true},
		{"ContactBeatsHeader", [][2]string{{"Expires", "300"}, {"Contact", "<sip:1001@127.0.0.1:5062;transport=udp>;expires=45"}}, 45 * time.Second, true},
		{"OtherDevicesToo", [][2]string{{"Contact", "<sip:1001@10.0.0.9:5060>;expires=3000, <sip:1001@127.0.0.1:5062>;expires=90"}}, 90 * time.Second, true},
		{"HeaderOnly", [][2]string{{"Expires", "120"}}, 120 * time.Second, true},
		{"NothingSaid", nil, time.Hour, true},
		{"NotOurs", [][2]string{{"Contact", "<sip:1001@10.0.0.9:5060>;expires=3000"}}, 0, false},
		{"ZeroGranted", [][2]string{{"Contact", "<sip:1001@127.0.0.1:5062>;expires=0"}}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := sip.NewResponse(200, "OK")
			for _, h := range tc.headers {
				if h[0] == "Contact" {
					for _, part := range splitContacts(h[1]) {
						var c sip.ContactHeader
						if _, err := sip.ParseAddressValue(part, &c.Address, &c.Params); err != nil {
							t.Fatal(err)
						}
						res.AppendHeader(&c)
					}
					continue
				}
				res.AppendHeader(sip.NewHeader(h[0], h[1]))
			}
			got, ok := grantedExpiry(res, &ours, time.Hour)
			if ok != tc.ok || (ok && got != tc.want) {
				t.Fatalf("grantedExpiry = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func splitContacts(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if r == ',' {
			out = append(out, s[start:i])
			start = i + 2
		}
	}
	return append(out, s[start:])
}

func TestRefreshIn(t *testing.T) {
	for _, tc := range []struct{ expiry, want time.Duration }{
		{time.Hour, 59 * time.Minute},
		{60 * time.Second, 30 * time.Second},
		{4 * time.Second, 2 * time.Second},
		{time.Second, time.Second},
	} {
		if got := refreshIn(tc.expiry); got != tc.want {
			t.Errorf("refreshIn(%v) = %v, want %v", tc.expiry, got, tc.want)
		}
	}
}
