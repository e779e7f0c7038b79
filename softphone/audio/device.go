package audio

import "errors"

// ErrNoSound is the error OpenDevices and the device openers wrap when
// the computer has no sound backend or no such device: the desktop then
// falls back to the null devices and says so.
var ErrNoSound = errors.New("no sound device")

// ErrClosedDevice is what a closed device's ReadPCM and WritePCM return.
var ErrClosedDevice = errors.New("sound device closed")

// Backend is one of miniaudio's sound backends (its ma_backend number).
type Backend uint32

// NullBackend is miniaudio's null backend: devices that consume and
// produce silence in real time, for tests.
const NullBackend Backend = 14

// DeviceInfo is a sound device as the system lists it.
type DeviceInfo struct {
	Name    string
	Default bool
}
