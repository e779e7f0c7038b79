//go:build !cgo

package audio

import "fmt"

// errNoCgo is why a build without cgo has no sound devices.
var errNoCgo = fmt.Errorf("%w: built without cgo, so without miniaudio", ErrNoSound)

// Devices is the computer's sound; built without cgo there is none.
type Devices struct{}

// OpenDevices returns an error wrapping ErrNoSound: built without cgo.
func OpenDevices(...Backend) (*Devices, error) { return nil, errNoCgo }

// Close does nothing.
func (d *Devices) Close() error { return nil }

// List returns an error wrapping ErrNoSound.
func (d *Devices) List() (capture, playback []DeviceInfo, err error) { return nil, nil, errNoCgo }

// Microphone is a capture device; built without cgo there is none.
type Microphone struct{ Null }

// Microphone returns an error wrapping ErrNoSound.
func (d *Devices) Microphone(string) (*Microphone, error) { return nil, errNoCgo }

// Speaker is a playback device; built without cgo there is none.
type Speaker struct{ Null }

// Speaker returns an error wrapping ErrNoSound.
func (d *Devices) Speaker(string) (*Speaker, error) { return nil, errNoCgo }
