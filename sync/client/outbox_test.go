package client_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/sqlite"
)

var _ client.Replica = (*sqlite.Replica)(nil)

func openReplica(t *testing.T, path string) *sqlite.Replica {
	t.Helper()
	r := sqlite.NewReplica(path)
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// wrapUpsOf returns the wrap-up events in syncd's change log with note.
func wrapUpsOf(t *testing.T, db *sqlite.DB, note string) []sportello.Change {
	t.Helper()
	chs, err := db.ChangesSince(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var got []sportello.Change
	for _, ch := range chs {
		if ch.Event != nil && ch.Event.Kind == sportello.EventWrapUp && ch.Event.Note == note {
			got = append(got, ch)
		}
	}
	return got
}

func waitPending(t *testing.T, c *client.Client, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * timeout)
	for c.State().Pending != n {
		if time.Now().After(deadline) {
			t.Fatalf("outbox has %d, want %d", c.State().Pending, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOutbox_OfflineThenReconnect: with syncd down the operator still sees
// the caller's card (the kept copy) and records a wrap-up, which waits in
// the outbox and reaches syncd exactly once when it is back.
func TestOutbox_OfflineThenReconnect(t *testing.T) {
	db := openStore(t)
	srv := openServer(t, db, "127.0.0.1:0")
	url := srv.URL()
	c := signIn(t, url, "operatore")
	c.Replica = openReplica(t, filepath.Join(t.TempDir(), "replica.db"))
	states, _ := watch(t, c)
	if err := c.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitState(t, states, "online", online)
	if _, err := c.LookupCaller(ctx(t), "+390212345678", "call 1"); err != nil {
		t.Fatal(err)
	}

	srv.Close()
	waitState(t, states, "offline", func(s sportello.SyncState) bool { return !s.Online })
	card, err := c.LookupCaller(ctx(t), "+390212345678", "call 2")
	if err != nil || !card.Offline || card.Citizen == nil || card.Citizen.Name != "Maria Rossi" {
		t.Fatalf("offline lookup = %+v, %v", card, err)
	}
	if _, err := c.LookupCaller(ctx(t), "+390200000000", "call 3"); sportello.ErrorCode(err) != sportello.EUNAVAILABLE {
		t.Fatalf("offline lookup of a number never seen: %v, want EUNAVAILABLE", err)
	}
	k, err := c.RecordWrapUp(ctx(t), sportello.WrapUp{CallID: "call 2", CallerNumber: "+390212345678", CitizenID: "c-rossi",
		Outcome: sportello.OutcomeResolvedFirstContact, Note: "offline note", Category: "Informazioni"})
	if err != nil {
		t.Fatal(err)
	}
	if !k.Pending || k.Status != sportello.StatusResolved || len(k.Events) != 3 {
		t.Fatalf("provisional case = %+v", k)
	}
	if c.State().Pending != 1 {
		t.Fatalf("pending = %d, want 1", c.State().Pending)
	}
	card, _ = c.LookupCaller(ctx(t), "+390212345678", "call 4")
	if card == nil || len(card.Cases) == 0 || card.Cases[0].ID != k.ID {
		t.Fatalf("the offline wrap-up is not on the kept card: %+v", card)
	}

	openServer(t, db, strings.TrimPrefix(url, "http://"))
	waitPending(t, c, 0)
	got := wrapUpsOf(t, db, "offline note")
	if len(got) != 1 {
		t.Fatalf("syncd has the wrap-up %d times, want 1", len(got))
	}
	if got[0].CaseID != k.ID {
		t.Fatalf("case id on syncd %s, offline %s: an offline case must keep its id", got[0].CaseID, k.ID)
	}
}

// TestOutbox_Refused: a wrap-up syncd refuses comes back as its error and
// stays in the replica as rejected, not resent.
func TestOutbox_Refused(t *testing.T) {
	db := openStore(t)
	srv := openServer(t, db, "127.0.0.1:0")
	c := signIn(t, srv.URL(), "operatore")
	r := openReplica(t, filepath.Join(t.TempDir(), "replica.db"))
	c.Replica = r
	_, err := c.RecordWrapUp(ctx(t), sportello.WrapUp{CallerNumber: "+390212345678", CaseID: "no-such-case", Outcome: sportello.OutcomeTransferred})
	if code := sportello.ErrorCode(err); code != sportello.ENOTFOUND && code != sportello.EINVALID {
		t.Fatalf("wrap-up on a missing case: %v", err)
	}
	if ops, _ := r.Outbox(ctx(t)); len(ops) != 0 {
		t.Fatalf("refused op still queued: %+v", ops)
	}
	if rej, _ := r.Rejected(ctx(t)); len(rej) != 1 || rej[0].Rejected == "" {
		t.Fatalf("rejected ops = %+v, want one with its reason", rej)
	}
}

// TestOutbox_KilledDesktopResends: a desktop killed (SIGKILL) with a
// wrap-up in its outbox sends it after restart.
func TestOutbox_KilledDesktopResends(t *testing.T) {
	if os.Getenv("SPORTELLO_OUTBOX_CHILD") != "" {
		t.Skip("runs only as the parent")
	}
	db := openStore(t)
	srv := openServer(t, db, "127.0.0.1:0")
	url := srv.URL()
	path := filepath.Join(t.TempDir(), "replica.db")

	child := exec.Command(os.Args[0], "-test.run=^TestOutboxChild$", "-test.v")
	child.Env = append(os.Environ(), "SPORTELLO_OUTBOX_CHILD=1", "SPORTELLO_URL="+url, "SPORTELLO_REPLICA="+path)
	stdin, _ := child.StdinPipe()
	stdout, _ := child.StdoutPipe()
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	lines := bufio.NewScanner(stdout)
	expect := func(prefix string) string {
		t.Helper()
		got := make(chan string, 1)
		go func() {
			for lines.Scan() {
				if strings.HasPrefix(lines.Text(), prefix) {
					got <- lines.Text()
					return
				}
			}
			close(got)
		}()
		select {
		case l, ok := <-got:
			if !ok {
				t.Fatalf("child ended before %q", prefix)
			}
			return l
		case <-time.After(30 * time.Second):
			t.Fatalf("child did not say %q", prefix)
		}
		return ""
	}
	expect("signed-in")
	srv.Close()
	fmt.Fprintln(stdin, "record")
	line := expect("queued ")
	caseID := strings.TrimPrefix(line, "queued ")
	if err := child.Process.Kill(); err != nil { // SIGKILL: no chance to flush
		t.Fatal(err)
	}
	_ = child.Wait()
	if n := len(wrapUpsOf(t, db, "before the crash")); n != 0 {
		t.Fatalf("syncd got the wrap-up while down: %d", n)
	}

	openServer(t, db, strings.TrimPrefix(url, "http://"))
	c := signIn(t, url, "operatore")
	c.Replica = openReplica(t, path)
	if err := c.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitPending(t, c, 0)
	got := wrapUpsOf(t, db, "before the crash")
	if len(got) != 1 || got[0].CaseID != caseID {
		t.Fatalf("after restart syncd has %d copies (%+v), want 1 on case %s", len(got), got, caseID)
	}
}

// TestOutboxChild is the desktop that TestOutbox_KilledDesktopResends kills.
func TestOutboxChild(t *testing.T) {
	if os.Getenv("SPORTELLO_OUTBOX_CHILD") == "" {
		t.Skip("a helper process of TestOutbox_KilledDesktopResends")
	}
	c := client.New(os.Getenv("SPORTELLO_URL"), nil)
	r := sqlite.NewReplica(os.Getenv("SPORTELLO_REPLICA"))
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	c.Replica = r
	if _, err := c.Login(context.Background(), "operatore", "demo"); err != nil {
		t.Fatal(err)
	}
	fmt.Println("signed-in")
	in := bufio.NewScanner(os.Stdin)
	in.Scan()
	k, err := c.RecordWrapUp(context.Background(), sportello.WrapUp{CallID: "crash", CallerNumber: "+390212345678", CitizenID: "c-rossi",
		Outcome: sportello.OutcomeResolvedFirstContact, Note: "before the crash"})
	if err != nil || !k.Pending {
		t.Fatalf("record: %+v %v", k, err)
	}
	fmt.Println("queued " + k.ID)
	time.Sleep(time.Minute) // killed before this ends
}

// TestLogout_WipesReplica: signing out leaves nothing of the citizens on
// the desktop, and refuses while changes would be lost.
func TestLogout_WipesReplica(t *testing.T) {
	db := openStore(t)
	srv := openServer(t, db, "127.0.0.1:0")
	url := srv.URL()
	c := signIn(t, url, "operatore")
	r := openReplica(t, filepath.Join(t.TempDir(), "replica.db"))
	c.Replica = r
	if _, err := c.LookupCaller(ctx(t), "+390212345678", "call 1"); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if _, err := c.RecordWrapUp(ctx(t), sportello.WrapUp{CallerNumber: "+390212345678", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(ctx(t), false); sportello.ErrorCode(err) != sportello.ECONFLICT {
		t.Fatalf("logout with an unsent change: %v, want ECONFLICT", err)
	}
	openServer(t, db, strings.TrimPrefix(url, "http://"))
	if err := c.Logout(ctx(t), false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Card(ctx(t), "+390212345678"); sportello.ErrorCode(err) != sportello.ENOTFOUND {
		t.Fatalf("card after logout: %v", err)
	}
	if c.Token() != "" {
		t.Fatal("token kept after logout")
	}
}
