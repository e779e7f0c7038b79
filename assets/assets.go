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

// AlertSound is the supervisor's board's alert: three beeps (880, 660,
// 880 Hz), WAV, 8 kHz mono 16-bit, as the softphone's audio plays.
//
//go:embed alert.wav
var AlertSound []byte

// RingTone is the ring of an incoming call, one cycle of the Italian
// ringing cadence (425 Hz for 1 s, then 4 s of silence), WAV, 8 kHz mono
// 16-bit: the ringer loops it on the ring device.
//
//go:embed ring.wav
var RingTone []byte
