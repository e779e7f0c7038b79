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
// password or an unreachable syncd is said in words and the dialog stays.
func (s *operatorScreen) signIn() {
	username := widget.NewEntry()
	password := widget.NewPasswordEntry()
	message := widget.NewLabel(tr("Server") + ": " + s.cfg.ServerURL)
	message.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{
		widget.NewFormItem(tr("Username"), username),
		widget.NewFormItem(tr("Password"), password),
		widget.NewFormItem("", message),
	}
	var d *dialog.FormDialog
	submit := func(ok bool) {
		if !ok {
			s.win.Close()
			return
		}
		user, pass := username.Text, password.Text
		message.SetText(tr("Signing in..."))
		go func() {
			ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
			defer cancel()
			u, err := s.cfg.Auth.Login(ctx, user, pass)
			if err == nil && s.cfg.OnSignedIn != nil {
				err = s.cfg.OnSignedIn(ctx, u)
			}
			fyne.Do(func() {
				if err != nil {
					message.SetText(errorText(err))
					password.SetText("")
					d.Show()
					s.win.Canvas().Focus(password)
					return
				}
				s.user = u
				s.renderStatus()
			})
		}()
	}
	d = dialog.NewForm(tr("Sign in to Sportello"), tr("Sign in"), tr("Quit"), items, submit, s.win)
	d.Resize(fyne.NewSize(420, 240))
	password.OnSubmitted = func(string) { d.Submit() }
	d.Show()
	s.win.Canvas().Focus(username)
}

// SignedIn reports the signed-in user, nil before sign-in.
func (d *Desktop) SignedIn() *sportello.User {
	return d.op.user
}
