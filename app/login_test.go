package app_test

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

type auth struct {
	calls   int
	logouts []bool
	pending int // changes not yet on syncd
}

func (a *auth) Logout(_ context.Context, force bool) error {
	a.logouts = append(a.logouts, force)
	if a.pending > 0 && !force {
		return sportello.Errorf(sportello.ECONFLICT, "1 changes are not yet on syncd")
	}
	return nil
}

func (a *auth) Login(_ context.Context, user, pass string) (*sportello.User, error) {
	a.calls++
	if user == "operatore" && pass == "demo" {
		return &sportello.User{Username: user, Name: "Giulia Bianchi", Role: sportello.RoleOperator}, nil
	}
	if user == "down" {
		return nil, sportello.Errorf(sportello.EUNAVAILABLE, "syncd unreachable at http://127.0.0.1:9")
	}
	return nil, sportello.Errorf(sportello.EUNAUTHORIZED, "wrong username or password")
}

func TestSignIn(t *testing.T) {
	for _, tc := range []struct {
		name, user, pass string
		want             []string
	}{
		{"WrongPassword", "operatore", "nope", []string{"Sign-in needed: wrong username or password"}},
		{"Unreachable", "down", "x", []string{"syncd is unreachable: syncd unreachable at http://127.0.0.1:9"}},
		{"OK", "operatore", "demo", []string{"Giulia Bianchi (operator)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &auth{}
			signedIn := 0
			d := app.Create(test.NewTempApp(t), app.Config{
				Auth: a, ServerURL: "http://127.0.0.1:8080",
				OnSignedIn: func(context.Context, *sportello.User) error { signedIn++; return nil },
			})
			t.Cleanup(d.Close)
			d.Window.Show()
			apptest.WaitText(t, d.Window, wait, "Server: http://127.0.0.1:8080", "Not signed in")
			// The username field has the focus when the dialog opens.
			apptest.TypeFocused(d.Window, tc.user)
			test.FocusNext(d.Window.Canvas())
			apptest.TypeFocused(d.Window, tc.pass)
			apptest.Enter(d.Window)
			apptest.WaitText(t, d.Window, wait, tc.want...)
			if tc.name == "OK" && (signedIn != 1 || d.SignedIn() == nil) {
				t.Fatalf("signed in %d times, user %v", signedIn, d.SignedIn())
			}
			if tc.name != "OK" && d.SignedIn() != nil {
				t.Fatalf("signed in with bad credentials")
			}
		})
	}
}

// flaky is an AuthService whose syncd is down for the first n attempts.
type flaky struct {
	down  int
	calls int
}

func (f *flaky) Logout(context.Context, bool) error { return nil }

func (f *flaky) Login(_ context.Context, user, pass string) (*sportello.User, error) {
	f.calls++
	if f.calls <= f.down {
		return nil, sportello.Errorf(sportello.EUNAVAILABLE, "syncd unreachable at http://127.0.0.1:9")
	}
	return &sportello.User{Username: user, Name: "Giulia Bianchi", Role: sportello.RoleOperator}, nil
}

func TestSignIn_RetriesWhileUnreachable(t *testing.T) {
	f := &flaky{down: 2}
	d := app.Create(test.NewTempApp(t), app.Config{
		Auth: f, ServerURL: "http://127.0.0.1:9",
		Username: "operatore", Password: "demo", RetryEvery: 50 * time.Millisecond,
	})
	t.Cleanup(d.Close)
	d.Window.Show()
	apptest.WaitText(t, d.Window, wait, "Giulia Bianchi (operator)")
	if f.calls != 3 {
		t.Fatalf("signed in after %d attempts, want 3", f.calls)
	}
}

// A call that rings before sign-in shows the caller's record once signed in.
func TestSignIn_CallBeforeSignIn(t *testing.T) {
	f := &flaky{down: 1}
	ph := phonetest.New()
	cits := &citizens{cards: map[string]*sportello.CallerCard{"+390212345678": maria()}}
	d := app.Create(test.NewTempApp(t), app.Config{
		Auth: f, Phone: ph, Citizens: cits, ServerURL: "http://127.0.0.1:9",
		Username: "operatore", Password: "demo", RetryEvery: 300 * time.Millisecond,
	})
	t.Cleanup(d.Close)
	d.Window.Show()
	ph.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, d.Window, wait, "Sign in to see the caller's record")
	apptest.WaitText(t, d.Window, wait, "Giulia Bianchi (operator)", "Maria Rossi", "Manca la foto")
	cits.mu.Lock()
	defer cits.mu.Unlock()
	if len(cits.reasons) != 1 || cits.reasons[0] != "call call-1" {
		t.Fatalf("lookups = %q, want one for the call, after sign-in", cits.reasons)
	}
}

func TestSignOut(t *testing.T) {
	a := &auth{pending: 1}
	d := app.Create(test.NewTempApp(t), app.Config{Auth: a, Username: "operatore", Password: "demo"})
	t.Cleanup(d.Close)
	d.Window.Show()
	apptest.WaitText(t, d.Window, wait, "Giulia Bianchi (operator)")

	// A change not yet on syncd: the desktop asks before dropping it.
	apptest.Press(d.Window, app.ShortcutSignOut)
	apptest.WaitText(t, d.Window, wait, "1 changes are not yet on syncd", "Sign out anyway?")
	if d.SignedIn() == nil {
		t.Fatal("signed out without asking")
	}

	a.pending = 0
	apptest.Press(d.Window, app.ShortcutSignOut)
	apptest.WaitText(t, d.Window, wait, "Not signed in", "Sign in to Sportello")
	if d.SignedIn() != nil || len(a.logouts) != 2 || a.logouts[1] {
		t.Fatalf("after sign-out: user %v, logouts %v", d.SignedIn(), a.logouts)
	}
}
