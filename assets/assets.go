// Package assets embeds what Sportello ships beside its code: the UI's
// translations and the application icon.
package assets

import (
	"embed"
	_ "embed"
)

// Translations holds translations/it.json and translations/en.json for
// Fyne's lang package: English source texts as keys.
//
//go:embed translations
var Translations embed.FS

// Icon is the application icon (PNG, 256x256).
//
//go:embed icon.png
var Icon []byte
