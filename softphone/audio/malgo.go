//go:build cgo

package audio

import (
	"fmt"
	"sync"
	"time"

	"github.com/gen2brain/malgo"
)

// malgo v0.11.24's BackendNull is one short of miniaudio's null backend
// (its enumeration misses ma_backend_custom): NullBackend is that plus one.
var _ [0]struct{} = [NullBackend - Backend(malgo.BackendNull) - 1]struct{}{}

// deviceBuffer is how much audio a device keeps between the phone and
// the sound card before dropping the oldest: 200 ms.
const deviceBuffer = SampleRate / 5

// Devices is the computer's sound through miniaudio (malgo): it lists
// microphones and speakers and opens them at 8 kHz mono 16-bit, miniaudio
// converting from the card's own format.
type Devices struct {
	ctx *malgo.AllocatedContext
}

// OpenDevices opens the sound system with the given backends (none: the
// platform's, in miniaudio's order; NullBackend is a silent device for
// tests). It returns an error wrapping ErrNoSound when none works.
func OpenDevices(backends ...Backend) (*Devices, error) {
	bs := make([]malgo.Backend, len(backends))
	for i, b := range backends {
		bs[i] = malgo.Backend(b)
	}
	ctx, err := malgo.InitContext(bs, malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: no sound backend (PulseAudio, PipeWire, ALSA, JACK, ...) works on this computer: %v", ErrNoSound, err)
	}
	return &Devices{ctx: ctx}, nil
}

// Close releases the sound system; close the devices opened first.
func (d *Devices) Close() error {
	err := d.ctx.Uninit()
	d.ctx.Free()
	return err
}

// List returns the microphones and the speakers.
func (d *Devices) List() (capture, playback []DeviceInfo, err error) {
	for _, k := range []malgo.DeviceType{malgo.Capture, malgo.Playback} {
		infos, err := d.ctx.Devices(k)
		if err != nil {
			return nil, nil, fmt.Errorf("list sound devices: %w", err)
		}
		out := make([]DeviceInfo, len(infos))
		for i, in := range infos {
			out[i] = DeviceInfo{Name: in.Name(), Default: in.IsDefault != 0}
		}
		if k == malgo.Capture {
			capture = out
		} else {
			playback = out
		}
	}
	return capture, playback, nil
}

// open starts a device of kind named name ("" or "default": the
// system's default) with data moving samples in its callback.
func (d *Devices) open(kind malgo.DeviceType, name string, data malgo.DataProc) (*malgo.Device, error) {
	cfg := malgo.DefaultDeviceConfig(kind)
	cfg.SampleRate = SampleRate
	cfg.PeriodSizeInMilliseconds = 20
	sub := malgo.SubConfig{Format: malgo.FormatS16, Channels: 1}
	if name != "" && name != "default" {
		infos, err := d.ctx.Devices(kind)
		if err != nil {
			return nil, fmt.Errorf("list sound devices: %w", err)
		}
		found := false
		for i := range infos {
			if infos[i].Name() == name {
				sub.DeviceID = infos[i].ID.Pointer() // a small C copy, kept for the device's life
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: no sound device named %q", ErrNoSound, name)
		}
	}
	if kind == malgo.Capture {
		cfg.Capture = sub
	} else {
		cfg.Playback = sub
	}
	dev, err := malgo.InitDevice(d.ctx.Context, cfg, malgo.DeviceCallbacks{Data: data})
	if err != nil {
		return nil, fmt.Errorf("%w: open %q: %v", ErrNoSound, name, err)
	}
	if err := dev.Start(); err != nil {
		dev.Uninit()
		return nil, fmt.Errorf("%w: start %q: %v", ErrNoSound, name, err)
	}
	return dev, nil
}

// pcm is the samples between the phone and a device's callback.
type pcm struct {
	mu     sync.Mutex
	cond   *sync.Cond
	buf    []int16
	closed bool
}

func newPCM() *pcm {
	p := &pcm{}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// push appends samples, dropping the oldest beyond deviceBuffer.
func (p *pcm) push(s []int16) {
	p.mu.Lock()
	p.buf = append(p.buf, s...)
	if over := len(p.buf) - deviceBuffer; over > 0 {
		p.buf = append(p.buf[:0], p.buf[over:]...)
	}
	p.cond.Broadcast()
	p.mu.Unlock()
}

// pushBytes appends little-endian 16-bit samples.
func (p *pcm) pushBytes(b []byte) {
	s := make([]int16, len(b)/2)
	for i := range s {
		s[i] = int16(uint16(b[2*i]) | uint16(b[2*i+1])<<8)
	}
	p.push(s)
}

// pullBytes fills b with little-endian samples, silence where there are
// none (an underrun).
func (p *pcm) pullBytes(b []byte) {
	p.mu.Lock()
	n := min(len(b)/2, len(p.buf))
	for i := range n {
		b[2*i], b[2*i+1] = byte(p.buf[i]), byte(uint16(p.buf[i])>>8)
	}
	p.buf = append(p.buf[:0], p.buf[n:]...)
	p.mu.Unlock()
	clear(b[2*n:])
}

// Microphone is a capture device: a Source.
type Microphone struct {
	dev *malgo.Device
	in  *pcm
}

var _ Source = (*Microphone)(nil)

// Microphone opens the capture device named name ("" or "default": the
// system's default).
func (d *Devices) Microphone(name string) (*Microphone, error) {
	m := &Microphone{in: newPCM()}
	dev, err := d.open(malgo.Capture, name, func(_, input []byte, _ uint32) { m.in.pushBytes(input) })
	if err != nil {
		return nil, err
	}
	m.dev = dev
	return m, nil
}

// ReadPCM waits for a whole frame of what the microphone heard; it
// returns ErrNoSound when the device gives nothing for a second.
func (m *Microphone) ReadPCM(frame []int16) error {
	p := m.in
	p.mu.Lock()
	defer p.mu.Unlock()
	deadline := time.Now().Add(time.Second)
	for len(p.buf) < len(frame) && !p.closed {
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: the microphone gives no audio", ErrNoSound)
		}
		t := time.AfterFunc(100*time.Millisecond, func() { p.mu.Lock(); p.cond.Broadcast(); p.mu.Unlock() })
		p.cond.Wait()
		t.Stop()
	}
	if p.closed {
		return ErrClosedDevice
	}
	copy(frame, p.buf)
	p.buf = append(p.buf[:0], p.buf[len(frame):]...)
	return nil
}

// Close stops the microphone.
func (m *Microphone) Close() error {
	m.dev.Uninit()
	m.in.mu.Lock()
	m.in.closed = true
	m.in.cond.Broadcast()
	m.in.mu.Unlock()
	return nil
}

// Speaker is a playback device: a Sink.
type Speaker struct {
	dev *malgo.Device
	out *pcm
}

var _ Sink = (*Speaker)(nil)

// Speaker opens the playback device named name ("" or "default": the
// system's default).
func (d *Devices) Speaker(name string) (*Speaker, error) {
	s := &Speaker{out: newPCM()}
	dev, err := d.open(malgo.Playback, name, func(output, _ []byte, _ uint32) { s.out.pullBytes(output) })
	if err != nil {
		return nil, err
	}
	s.dev = dev
	return s, nil
}

// WritePCM queues frame for the speaker (at most 200 ms ahead: beyond,
// the oldest audio is dropped).
func (s *Speaker) WritePCM(frame []int16) error {
	s.out.mu.Lock()
	closed := s.out.closed
	s.out.mu.Unlock()
	if closed {
		return ErrClosedDevice
	}
	s.out.push(frame)
	return nil
}

// Buffered returns the samples queued and not played yet.
func (s *Speaker) Buffered() int {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	return len(s.out.buf)
}

// Close stops the speaker.
func (s *Speaker) Close() error {
	s.dev.Uninit()
	s.out.mu.Lock()
	s.out.closed = true
	s.out.mu.Unlock()
	return nil
}
