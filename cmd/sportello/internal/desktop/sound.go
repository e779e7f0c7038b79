package desktop

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sportello/sportello/assets"
	"github.com/sportello/sportello/softphone/audio"
)

// Sound is the desktop's choice of sound devices. Each is "" or
// "default" (the system's default device), a device's name as the system
// lists it, "null" (silence), or "file:PATH": a WAV file (8 kHz mono
// 16-bit) the microphone plays once per call, or that the speaker
// records each call into (PATH with the call's id before .wav) and the
// ring device records the rings into. A device that does not open is
// replaced by silence, and the status bar says so.
type Sound struct {
	Microphone string `json:"microphone"`
	Speaker    string `json:"speaker"`
	RingDevice string `json:"ring_device"` // empty: the speaker's choice
}

// soundFlags registers the sound flags on fs and returns what applies
// those given over the config file.
func (s *Sound) soundFlags(fs *flag.FlagSet) func(set map[string]bool) {
	mic := fs.String("microphone", s.Microphone, "microphone: default, a device name, null, or file:PATH (a WAV played on each call)")
	spk := fs.String("speaker", s.Speaker, "speaker: default, a device name, null, or file:PATH (each call recorded to PATH-CALL.wav)")
	ring := fs.String("ring-device", s.RingDevice, "ring device: default, a device name, null, or file:PATH (the rings recorded); empty: the speaker's")
	return func(set map[string]bool) {
		for name, p := range map[string]struct{ dst, v *string }{
			"microphone": {&s.Microphone, mic}, "speaker": {&s.Speaker, spk}, "ring-device": {&s.RingDevice, ring},
		} {
			if set[name] {
				*p.dst = *p.v
			}
		}
	}
}

// sound is the desktop's open sound: the system's devices when any
// setting needs them, the ringer on the ring device, and the devices
// that did not open ("microphone", "speaker", "ring device").
type sound struct {
	cfg    Sound
	devs   *audio.Devices
	ring   audio.Sink
	ringer *audio.Ringer
	alert  *alertPlayer // the board's alert on the speaker (alert.go)
	failed []string
	logger *slog.Logger

	// mu guards cfg.Microphone and cfg.Speaker, which the Settings
	// dialog changes for the next call (setCallDevices).
	mu sync.Mutex
}

// systemDevice reports whether a setting names a device of the system.
func systemDevice(spec string) bool {
	return spec != "null" && !strings.HasPrefix(spec, "file:")
}

// openSound opens what cfg chooses, falling back to silence (and
// logging why) for each device that does not open.
func openSound(cfg Sound, logger *slog.Logger) *sound {
	if cfg.RingDevice == "" {
		cfg.RingDevice = cfg.Speaker
	}
	s := &sound{cfg: cfg, logger: logger}
	if systemDevice(cfg.Microphone) || systemDevice(cfg.Speaker) || systemDevice(cfg.RingDevice) {
		devs, err := audio.OpenDevices()
		if err != nil {
			logger.Warn("no sound: silent devices instead", "error", err)
		}
		s.devs = devs
	}
	// Check the system's call devices now, so that the warning shows at
	// start (files open with each call).
	if systemDevice(cfg.Microphone) {
		if src, err := s.source("check"); err != nil {
			s.fail("microphone", &s.cfg.Microphone, err)
		} else {
			closeDevice(src)
		}
	}
	if systemDevice(cfg.Speaker) {
		if snk, err := s.sink(s.cfg.Speaker, ""); err != nil {
			s.fail("speaker", &s.cfg.Speaker, err)
		} else {
			closeDevice(snk)
		}
	}
	ring, err := s.sink(s.cfg.RingDevice, "")
	if err != nil {
		s.fail("ring device", &s.cfg.RingDevice, err)
		ring = audio.Null{}
	}
	s.ring = ring
	tone, err := audio.DecodeWAV(assets.RingTone)
	if err != nil {
		logger.Error("ring tone", "error", err) // the embedded asset: a build error, rung as silence
	}
	s.ringer = audio.NewRinger(ring, tone)
	s.alert = newAlertPlayer(s)
	return s
}

// setCallDevices chooses the microphone and speaker of the next calls
// (and of the board's alerts), as the Settings dialog saved them.
func (s *sound) setCallDevices(mic, spk string) {
	if s.devs == nil && (systemDevice(mic) || systemDevice(spk)) {
		// Opened only when a setting needs the system's devices: the
		// ones chosen now are tried, and fall back to silence, per call.
		if devs, err := audio.OpenDevices(); err == nil {
			s.mu.Lock()
			if s.devs == nil {
				s.devs = devs
				devs = nil
			}
			s.mu.Unlock()
			if devs != nil {
				_ = devs.Close()
			}
		} else {
			s.logger.Warn("no sound: silent devices instead", "error", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.Microphone, s.cfg.Speaker = mic, spk
}

// speaker returns the speaker chosen now.
func (s *sound) speaker() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.Speaker
}

// fail records a device that did not open and turns it to silence.
func (s *sound) fail(name string, spec *string, err error) {
	s.logger.Warn("sound device did not open: silent instead", "device", name, "choice", *spec, "error", err)
	s.failed = append(s.failed, name)
	*spec = "null"
}

// source opens the microphone as chosen.
func (s *sound) source(string) (audio.Source, error) {
	s.mu.Lock()
	spec, devs := s.cfg.Microphone, s.devs
	s.mu.Unlock()
	switch {
	case spec == "null":
		return audio.Null{}, nil
	case strings.HasPrefix(spec, "file:"):
		return audio.OpenWAV(strings.TrimPrefix(spec, "file:"))
	case devs == nil:
		return nil, fmt.Errorf("%w: no sound system", audio.ErrNoSound)
	}
	return devs.Microphone(spec)
}

// sink opens a speaker as chosen; a file gets callID before its .wav.
func (s *sound) sink(spec, callID string) (audio.Sink, error) {
	s.mu.Lock()
	devs := s.devs
	s.mu.Unlock()
	switch {
	case spec == "null":
		return audio.Null{}, nil
	case strings.HasPrefix(spec, "file:"):
		path := strings.TrimPrefix(spec, "file:")
		if callID != "" {
			ext := filepath.Ext(path)
			path = strings.TrimSuffix(path, ext) + "-" + callID + ext
		}
		return audio.CreateWAV(path)
	case devs == nil:
		return nil, fmt.Errorf("%w: no sound system", audio.ErrNoSound)
	}
	return devs.Speaker(spec)
}

// devices opens a call's sound devices (softphone.WithAudio): silence
// for any that does not open now.
func (s *sound) devices(callID string) (audio.Source, audio.Sink, error) {
	src, err := s.source(callID)
	if err != nil {
		s.logger.Warn("microphone did not open: silent instead", "call", callID, "error", err)
		src = audio.Null{}
	}
	snk, err := s.sink(s.speaker(), callID)
	if err != nil {
		s.logger.Warn("speaker did not open: silent instead", "call", callID, "error", err)
		snk = audio.Null{}
	}
	return src, snk, nil
}

// close stops the ringer and closes the ring device and the system's sound.
func (s *sound) close() error {
	s.ringer.Stop()
	s.alert.close()
	err := closeDevice(s.ring)
	if s.devs != nil {
		err = errors.Join(err, s.devs.Close())
	}
	return err
}

func closeDevice(d any) error {
	if c, ok := d.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
