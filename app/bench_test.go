package app_test

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/softphone/phonetest"
)

// BenchmarkOperatorScreen measures building the operator's window.
func BenchmarkOperatorScreen(b *testing.B) {
	a := test.NewTempApp(b)
	b.ReportAllocs()
	for range b.N {
		d := app.Create(a, app.Config{Phone: phonetest.New(), User: &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator}})
		d.Close()
		d.Window.Close()
	}
}
