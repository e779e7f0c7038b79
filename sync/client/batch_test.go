package client_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/sportello/sportello"
)

// TestOutbox_OlderSyncd: against a syncd without POST /v1/ops (a proxy
// answers 404 for it, as an older syncd's mux does), the desktop sends
// one op per request from then on: every wrap-up is recorded once, on
// the first try, and the batch endpoint is asked only once.
func TestOutbox_OlderSyncd(t *testing.T) {
	db := openStore(t)
	srv := openServer(t, db, "127.0.0.1:0")
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	requests := &countRequests{next: http.DefaultTransport, n: map[string]int{}}
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/ops" {
			http.NotFound(w, r)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(old.Close)
	c := signIn(t, old.URL, "operatore")
	c.HTTP.Transport = requests
	c.Replica = openReplica(t, filepath.Join(t.TempDir(), "replica.db"))
	for i := range 3 {
		note := fmt.Sprintf("older syncd %d", i)
		k, err := c.RecordWrapUp(ctx(t), sportello.WrapUp{CallID: "c", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred, Note: note})
		if err != nil || k.Pending {
			t.Fatalf("wrap-up %d: %+v, %v, want it recorded on syncd", i, k, err)
		}
		if got := wrapUpsOf(t, db, note); len(got) != 1 {
			t.Fatalf("%q recorded %d times", note, len(got))
		}
	}
	if n := requests.get("POST /v1/ops"); n != 1 {
		t.Fatalf("POST /v1/ops asked %d times, want once", n)
	}
	if n := requests.get("POST /v1/wrapups"); n != 3 {
		t.Fatalf("%d single wrap-up requests, want 3", n)
	}
	if s := c.State(); s.Pending != 0 {
		t.Fatalf("state %+v, want nothing waiting", s)
	}
}
