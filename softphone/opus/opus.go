//go:build opus

package opus

/*
#cgo pkg-config: opus
#include <opus.h>

// opus_encoder_ctl is variadic, which cgo cannot call: one wrapper per
// request used.
static int sportello_set_bitrate(OpusEncoder *e, opus_int32 bps) {
	return opus_encoder_ctl(e, OPUS_SET_BITRATE(bps));
}
static int sportello_set_signal_voice(OpusEncoder *e) {
	return opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// ErrClosed is returned by an Encoder or Decoder used after Close.
var ErrClosed = errors.New("opus: closed")

// Error is a libopus error code, with libopus's text.
type Error int

func (e Error) Error() string {
	return "opus: " + C.GoString(C.opus_strerror(C.int(e)))
}

// checkRate refuses a sample rate libopus does not take.
func checkRate(rate int) error {
	switch rate {
	case 8000, 12000, 16000, 24000, 48000:
		return nil
	}
	return fmt.Errorf("opus: sample rate %d: choose 8000, 12000, 16000, 24000 or 48000", rate)
}

// Encoder encodes mono 16-bit audio at its sample rate, one frame (2.5 to
// 60 ms) per packet; not safe for concurrent use.
type Encoder struct {
	st   *C.OpusEncoder
	rate int
}

// NewEncoder returns an encoder of mono audio at sampleRate (8000, 12000,
// 16000, 24000 or 48000 Hz) tuned for voice (OPUS_APPLICATION_VOIP);
// libopus resamples internally, the RTP clock stays ClockRate.
func NewEncoder(sampleRate int) (*Encoder, error) {
	if err := checkRate(sampleRate); err != nil {
		return nil, err
	}
	var code C.int
	st := C.opus_encoder_create(C.opus_int32(sampleRate), 1, C.OPUS_APPLICATION_VOIP, &code)
	if code != C.OPUS_OK || st == nil {
		return nil, fmt.Errorf("opus: create encoder: %w", Error(code))
	}
	if code := C.sportello_set_signal_voice(st); code != C.OPUS_OK {
		C.opus_encoder_destroy(st)
		return nil, fmt.Errorf("opus: set signal: %w", Error(code))
	}
	return &Encoder{st: st, rate: sampleRate}, nil
}

// SetBitrate sets the target bit rate in bits per second (500 to 512000).
func (e *Encoder) SetBitrate(bps int) error {
	if e.st == nil {
		return ErrClosed
	}
	if code := C.sportello_set_bitrate(e.st, C.opus_int32(bps)); code != C.OPUS_OK {
		return fmt.Errorf("opus: bitrate %d: %w", bps, Error(code))
	}
	return nil
}

// Encode encodes one frame of pcm (2.5, 5, 10, 20, 40 or 60 ms at the
// encoder's rate) into dst and returns the packet's length; len(dst) caps
// the packet (RFC 7587 packets fit in 1275 octets).
func (e *Encoder) Encode(dst []byte, pcm []int16) (int, error) {
	if e.st == nil {
		return 0, ErrClosed
	}
	if len(pcm) == 0 || len(dst) == 0 {
		return 0, fmt.Errorf("opus: encode %d samples into %d octets", len(pcm), len(dst))
	}
	n := C.opus_encode(e.st, (*C.opus_int16)(unsafe.Pointer(&pcm[0])), C.int(len(pcm)),
		(*C.uchar)(unsafe.Pointer(&dst[0])), C.opus_int32(len(dst)))
	if n < 0 {
		return 0, fmt.Errorf("opus: encode %d samples: %w", len(pcm), Error(n))
	}
	return int(n), nil
}

// Close frees the encoder; it can be called more than once.
func (e *Encoder) Close() {
	if e.st != nil {
		C.opus_encoder_destroy(e.st)
		e.st = nil
	}
}

// Decoder decodes Opus packets (mono or stereo, any bandwidth) to mono
// 16-bit audio at its sample rate; not safe for concurrent use.
type Decoder struct {
	st   *C.OpusDecoder
	rate int
	buf  []int16
}

// NewDecoder returns a decoder to mono audio at sampleRate (8000, 12000,
// 16000, 24000 or 48000 Hz); a stereo stream is mixed down by libopus.
func NewDecoder(sampleRate int) (*Decoder, error) {
	if err := checkRate(sampleRate); err != nil {
		return nil, err
	}
	var code C.int
	st := C.opus_decoder_create(C.opus_int32(sampleRate), 1, &code)
	if code != C.OPUS_OK || st == nil {
		return nil, fmt.Errorf("opus: create decoder: %w", Error(code))
	}
	// 120 ms, the longest a packet carries.
	return &Decoder{st: st, rate: sampleRate, buf: make([]int16, sampleRate*120/1000)}, nil
}

// Decode appends the audio of one packet to dst; an empty packet asks
// libopus to conceal one lost 20 ms frame.
func (d *Decoder) Decode(dst []int16, packet []byte) ([]int16, error) {
	if d.st == nil {
		return dst, ErrClosed
	}
	var data *C.uchar
	frames := len(d.buf)
	if len(packet) > 0 {
		data = (*C.uchar)(unsafe.Pointer(&packet[0]))
	} else {
		frames = d.rate / 50
	}
	n := C.opus_decode(d.st, data, C.opus_int32(len(packet)),
		(*C.opus_int16)(unsafe.Pointer(&d.buf[0])), C.int(frames), 0)
	if n < 0 {
		return dst, fmt.Errorf("opus: decode %d octets: %w", len(packet), Error(n))
	}
	return append(dst, d.buf[:n]...), nil
}

// Close frees the decoder; it can be called more than once.
func (d *Decoder) Close() {
	if d.st != nil {
		C.opus_decoder_destroy(d.st)
		d.st = nil
	}
}
