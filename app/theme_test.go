package app_test

import (
	"testing"

	"fyne.io/fyne/v2/theme"

	"github.com/sportello/sportello/app"
)

func TestTheme(t *testing.T) {
	def := theme.DefaultTheme()
	big := &app.Theme{TextScale: 1.5}
	if got, want := big.Size(theme.SizeNameText), def.Size(theme.SizeNameText)*1.5; got != want {
		t.Fatalf("scaled text = %v, want %v", got, want)
	}
	if big.Size(theme.SizeNamePadding) != def.Size(theme.SizeNamePadding) {
		t.Fatal("padding must not scale with text")
	}
	hc := &app.Theme{HighContrast: true}
	r, g, b, _ := hc.Color(theme.ColorNameForeground, theme.VariantDark).RGBA()
	br, bg, bb, _ := hc.Color(theme.ColorNameBackground, theme.VariantDark).RGBA()
	if r+g+b != 0 || br+bg+bb != 3*0xffff {
		t.Fatal("high contrast must be black on white whatever the variant")
	}
}
