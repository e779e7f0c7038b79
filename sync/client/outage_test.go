package client_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// outage is how long syncd stays down in TestClient_SyncdDown: 10 s in
// make test, SPORTELLO_OUTAGE (a Go duration such as 60s) for a longer
// local run.
func outage(t *testing.T) time.Duration {
	t.Helper()
	v := os.Getenv("SPORTELLO_OUTAGE")
	if v == "" {
		return 10 * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second {
		t.Fatalf("SPORTELLO_OUTAGE=%q: want a duration of at least 1s", v)
	}
	return d
}

// TestClient_SyncdDown: syncd is down for a while (10 s, or
// SPORTELLO_OUTAGE) while the operator keeps working on a desktop with a
// replica: the state says offline with N changes waiting, one more after
// each wrap-up; another node writes meanwhile. When syncd is back every
// wrap-up reaches it exactly once with the case id the desktop gave it,
// the outbox empties, and the desktop receives every change of the log
// once, in order, its own and the other node's.
func TestClient_SyncdDown(t *testing.T) {
	down := outage(t)
	db := openStore(t)
	srv := openServer(t, db, "127.0.0.1:0")
	url := srv.URL()
	c := signIn(t, url, "operatore")
	c.Replica = openReplica(t, filepath.Join(t.TempDir(), "replica.db"))
	states, changes := watch(t, c)
	if err := c.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitState(t, states, "online", online)
	if _, err := c.LookupCaller(ctx(t), "+390212345678", "call 0"); err != nil {
		t.Fatal(err)
	}

	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitState(t, states, "offline", func(s sportello.SyncState) bool { return !s.Online })

	const works = 5
	caseIDs := map[string]string{} // note -> case id on the desktop
	for i := 1; i <= works; i++ {
		note := fmt.Sprintf("offline work %d", i)
		k, err := c.RecordWrapUp(ctx(t), sportello.WrapUp{CallID: fmt.Sprintf("call %d", i), CallerNumber: "+390212345678", CitizenID: "c-rossi",
			Outcome: sportello.OutcomeResolvedFirstContact, Category: "Informazioni", Note: note})
		if err != nil {
			t.Fatalf("wrap-up %d offline: %v", i, err)
		}
		if !k.Pending {
			t.Fatalf("wrap-up %d offline: case not marked pending", i)
		}
		caseIDs[note] = k.ID
		if s := c.State(); s.Online || s.Pending != i || s.Err == "" {
			t.Fatalf("after wrap-up %d offline: state %+v, want offline with %d waiting and why", i, s, i)
		}
		if i == 2 { // another node writes while this one is down
			author := &sportello.User{ID: "u-b", Name: "Marco Ferri"}
			if _, err := db.RecordWrapUp(context.Background(), author, sportello.WrapUp{CallID: "elsewhere", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Until(start.Add(down * time.Duration(i) / works)))
	}
	if s := c.State(); s.Online || s.Pending != works {
		t.Fatalf("after %v down: state %+v, want offline with %d waiting", time.Since(start).Round(time.Millisecond), s, works)
	}

	openServer(t, db, strings.TrimPrefix(url, "http://"))
	back := time.Now()
	waitPending(t, c, 0)
	t.Logf("syncd down %v; outbox of %d sent %v after restart", back.Sub(start).Round(time.Millisecond), works, time.Since(back).Round(time.Millisecond))

	for note, id := range caseIDs {
		got := wrapUpsOf(t, db, note)
		if len(got) != 1 {
			t.Fatalf("syncd has %q %d times, want once", note, len(got))
		}
		if got[0].CaseID != id {
			t.Fatalf("%q: case %s on syncd, %s on the desktop", note, got[0].CaseID, id)
		}
	}
	head, err := db.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(3 + works*3); head != want { // the other node's wrap-up and 5 new cases of 3 events
		t.Fatalf("head %d, want %d", head, want)
	}
	waitState(t, states, "caught up", func(s sportello.SyncState) bool { return s.Online && s.Cursor == head })
	seen := map[int64]int{}
	for len(changes) > 0 {
		seen[(<-changes).Seq]++
	}
	for seq := int64(1); seq <= head; seq++ {
		if seen[seq] != 1 {
			t.Fatalf("change %d delivered %d times, want once (all: %v)", seq, seen[seq], seen)
		}
	}
	if len(seen) != int(head) {
		t.Fatalf("delivered %v, want 1..%d", seen, head)
	}
}
