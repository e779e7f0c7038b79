package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Theme is Sportello's look: Fyne's default theme with scalable text and an
// optional high-contrast palette (black on white, strong focus and state
// colours) for operators who need it.
type Theme struct {
	HighContrast bool
	TextScale    float32 // 1 is Fyne's size; 0 means 1
}

var _ fyne.Theme = (*Theme)(nil)

// Color implements fyne.Theme.
func (t *Theme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if !t.HighContrast {
		return theme.DefaultTheme().Color(n, v)
	}
	black, white := color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 255, 255, 255}
	switch n {
	case theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameMenuBackground, theme.ColorNameOverlayBackground, theme.ColorNameHeaderBackground:
		return white
	case theme.ColorNameForeground, theme.ColorNameInputBorder, theme.ColorNameSeparator, theme.ColorNameShadow:
		return black
	case theme.ColorNamePlaceHolder, theme.ColorNameDisabled:
		return color.NRGBA{60, 60, 60, 255}
	case theme.ColorNameButton, theme.ColorNameDisabledButton:
		return color.NRGBA{230, 230, 230, 255}
	case theme.ColorNamePrimary, theme.ColorNameFocus, theme.ColorNameHyperlink:
		return color.NRGBA{0, 0, 170, 255}
	case theme.ColorNameSuccess:
		return color.NRGBA{0, 110, 0, 255}
	case theme.ColorNameWarning:
		return color.NRGBA{200, 90, 0, 255}
	case theme.ColorNameError:
		return color.NRGBA{180, 0, 0, 255}
	case theme.ColorNameForegroundOnPrimary, theme.ColorNameForegroundOnSuccess, theme.ColorNameForegroundOnError, theme.ColorNameForegroundOnWarning:
		return white
	case theme.ColorNameSelection:
		return color.NRGBA{255, 230, 0, 255}
	case theme.ColorNameHover, theme.ColorNamePressed:
		return color.NRGBA{255, 230, 0, 160}
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

// Font implements fyne.Theme.
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

// Icon implements fyne.Theme.
func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size implements fyne.Theme: text sizes follow TextScale.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	s := theme.DefaultTheme().Size(n)
	scale := t.TextScale
	if scale <= 0 {
		scale = 1
	}
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText, theme.SizeNameCaptionText, theme.SizeNameInlineIcon:
		return s * scale
	case theme.SizeNameInputBorder, theme.SizeNameSeparatorThickness:
		if t.HighContrast {
			return s * 2
		}
	}
	return s
}
