package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// signIn shows the sign-in dialog until syncd accepts the user. A wrong
// password is said in words and the dialog stays; while syncd is
// unreachable the dialog says so and tries again by itself.
func (s *operatorScreen) signIn() {
	username := widget.NewEntry()
	username.SetText(s.cfg.Username)
	password := widget.NewPasswordEntry()
	password.SetText(s.cfg.Password)
	message := widget.NewLabel(tr("Server") + ": " + s.cfg.ServerURL)
	message.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{
		widget.NewFormItem(tr("Username"), username),
		widget.NewFormItem(tr("Password"), password),
		widget.NewFormItem("", message),
	}
	var d *dialog.FormDialog
	var retry *time.Timer
	attempt := 0
	signedIn := false
	var submit func(ok bool)
	submit = func(ok bool) {
		if retry != nil {
			retry.Stop()
		}
		if !ok {
			s.win.Close()
			return
		}
		attempt++
		this := attempt
		user, pass := username.Text, password.Text
		message.SetText(tr("Signing in..."))
		go func() {
			ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
			defer cancel()
			u, err := s.cfg.Auth.Login(ctx, user, pass)
			if err == nil && s.cfg.OnSignedIn != nil {
				err = s.cfg.OnSignedIn(ctx, u)
			}
			do(func() {
				if this != attempt || s.ctx.Err() != nil {
					return // a newer attempt or shutdown took over
				}
				if err == nil {
					signedIn = true // Hide answers the dialog's callback with "cancel"
					d.Hide()
					s.user = u
					s.renderStatus()
					s.signedIn()
					if s.call != nil && s.call.State != sportello.CallEnded {
						s.lookup(s.call.Number, "call "+s.call.ID) // the call that rang before sign-in
					}
					return
				}
				text := errorText(err)
				if sportello.ErrorCode(err) == sportello.EUNAVAILABLE {
					at := time.Now().Add(s.cfg.RetryEvery)
					text += " · " + tr("retrying at") + " " + s.clock(at)
					retry = time.AfterFunc(s.cfg.RetryEvery, func() {
						do(func() {
							if this == attempt && s.user == nil {
								submit(true)
							}
						})
					})
				} else {
					password.SetText("")
				}
				message.SetText(text)
				d.Show()
				s.win.Canvas().Focus(password)
			})
		}()
	}
	d = dialog.NewForm(tr("Sign in to Sportello"), tr("Sign in"), tr("Quit"), items, func(ok bool) {
		if !signedIn {
			submit(ok)
		}
	}, s.win)
	d.Resize(fyne.NewSize(440, 260))
	password.OnSubmitted = func(string) { d.Submit() }
	d.Show()
	if s.cfg.Username != "" && s.cfg.Password != "" {
		submit(true)
		return
	}
	if s.cfg.Username != "" {
		s.win.Canvas().Focus(password)
		return
	}
	s.win.Canvas().Focus(username)
}

// SignedIn reports the signed-in user, nil before sign-in.
func (d *Desktop) SignedIn() *sportello.User {
	return d.op.user
}

// signOut ends the session: the desktop forgets the citizens it showed
// (the replica is wiped) and asks for a sign-in again. Changes not yet on
// syncd are never dropped without the operator saying so.
func (s *operatorScreen) signOut(force bool) {
	if s.user == nil || s.cfg.Auth == nil {
		return
	}
	if s.call != nil {
		s.message.SetText(tr("End the call before signing out."))
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
		defer cancel()
		err := s.cfg.Auth.Logout(ctx, force)
		do(func() {
			if sportello.ErrorCode(err) == sportello.ECONFLICT {
				dialog.ShowConfirm(tr("Sign out"), errorText(err)+"\n\n"+tr("Sign out anyway?"), func(ok bool) {
					if ok {
						s.signOut(true)
					}
				}, s.win)
				return
			}
			if err != nil {
				s.showError(err)
			}
			s.user, s.card, s.wrapFor = nil, nil, nil
			s.signedOut()
			s.callNumber.SetText("")
			s.renderCard()
			s.renderStatus()
			s.cfg.Username, s.cfg.Password = "", "" // never sign in again by itself
			s.signIn()
		})
	}()
}
