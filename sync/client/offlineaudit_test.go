package client_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// TestOfflineAudit_ReadOnReconnect: a card shown from the replica while
// syncd is down reaches syncd's audit log once syncd is back, with the
// time it was read and marked offline, once; it is not counted among
// the operator's changes waiting.
func TestOfflineAudit_ReadOnReconnect(t *testing.T) {
	db := openStore(t)
	srv := openServer(t, db, "127.0.0.1:0")
	url := srv.URL()
	c := signIn(t, url, "operatore")
	r := openReplica(t, filepath.Join(t.TempDir(), "replica.db"))
	c.Replica = r
	readAt := time.Now().UTC().Add(-7 * time.Minute).Truncate(time.Millisecond)
	c.Now = func() time.Time { return readAt }
	states, _ := watch(t, c)
	if err := c.Open(ctx(t)); err != nil {
		t.Fatal(err)
	}
	waitState(t, states, "online", online)
	if card, err := c.LookupCaller(ctx(t), "+390212345678", "call 1"); err != nil || card.Offline {
		t.Fatalf("online lookup = %+v, %v", card, err)
	}
	if ops, _ := r.Outbox(ctx(t)); len(ops) != 0 {
		t.Fatalf("an online read was queued: %+v", ops)
	}

	srv.Close()
	waitState(t, states, "offline", func(s sportello.SyncState) bool { return !s.Online })
	card, err := c.LookupCaller(ctx(t), "+390212345678", "call 2")
	if err != nil || !card.Offline || card.Citizen == nil {
		t.Fatalf("offline lookup = %+v, %v", card, err)
	}
	if ops, _ := r.Outbox(ctx(t)); len(ops) != 1 {
		t.Fatalf("outbox %+v, want the offline read", ops)
	}
	if n := c.State().Pending; n != 0 {
		t.Fatalf("pending = %d: an offline read is no change of the operator's", n)
	}
	if log, _ := db.AccessLog(ctx(t), card.Citizen.ID); len(log) != 1 {
		t.Fatalf("syncd has %d reads while down, want the online one", len(log))
	}

	openServer(t, db, strings.TrimPrefix(url, "http://"))
	deadline := time.Now().Add(2 * timeout)
	for {
		ops, err := r.Outbox(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(ops) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the offline read was never sent: %+v", ops)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if rej, _ := r.Rejected(ctx(t)); len(rej) != 0 {
		t.Fatalf("syncd refused the offline read: %+v", rej)
	}
	log, err := db.AccessLog(ctx(t), card.Citizen.ID)
	if err != nil {
		t.Fatal(err)
	}
	var offline []string
	for _, e := range log {
		if strings.HasPrefix(e.Reason, "offline: ") {
			offline = append(offline, e.Reason)
			if !e.At.Equal(readAt) || e.UserID != "u-a" || e.Number != "+390212345678" {
				t.Fatalf("offline read on syncd %+v, read at %s", e, readAt)
			}
		}
	}
	if len(log) != 2 || len(offline) != 1 || offline[0] != "offline: call 2" {
		t.Fatalf("access log %+v: want the online read and the offline one once", log)
	}
}

// TestOfflineAudit_RejectedListed: a wrap-up syncd refused is listed by
// the client with what it was and syncd's reason.
func TestOfflineAudit_RejectedListed(t *testing.T) {
	db := openStore(t)
	srv := openServer(t, db, "127.0.0.1:0")
	c := signIn(t, srv.URL(), "operatore")
	if got, err := c.Rejected(ctx(t)); err != nil || len(got) != 0 {
		t.Fatalf("without a replica: %+v, %v", got, err)
	}
	c.Replica = openReplica(t, filepath.Join(t.TempDir(), "replica.db"))
	_, refused := c.RecordWrapUp(ctx(t), sportello.WrapUp{CallID: "call-77", CallerNumber: "+390212345678", CaseID: "no-such-case",
		Outcome: sportello.OutcomeTransferred, Note: "da richiamare"})
	if refused == nil {
		t.Fatal("a wrap-up on a missing case was accepted")
	}
	got, err := c.Rejected(ctx(t))
	if err != nil || len(got) != 1 {
		t.Fatalf("rejected = %+v, %v", got, err)
	}
	if got[0].Kind != "wrap_up" || got[0].Summary != "call-77 · +390212345678 · transferred · da richiamare" || got[0].Reason != sportello.ErrorMessage(refused) {
		t.Fatalf("rejected %+v, refused with %v", got[0], refused)
	}
}
