package softphone

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/emiago/diago/media"

	"github.com/sportello/sportello/softphone/g722"
)

// This file adds G.722 (wideband, static payload type 9) to the media path:
// the devices stay at 8 kHz, so what the codec decodes at 16 kHz is
// filtered and decimated, and what the device gives is interpolated before
// encoding. G.722 is negotiated only when WithCodecs lists it.

// codecG722 is G.722 by its static RTP payload type.
const codecG722 codec = g722.PayloadType

// mediaCodecG722 is G.722 as diago negotiates it: RFC 3551 gives it an RTP
// clock of 8000 although it samples at 16000, so timestamps and the jitter
// buffer count as for G.711.
var mediaCodecG722 = media.Codec{PayloadType: g722.PayloadType, SampleRate: g722.ClockRate,
	SampleDur: 20 * time.Millisecond, NumChannels: 1, Name: "G722"}

// WithCodecs sets the audio codecs the phone offers and accepts, in its
// order of preference, by SDP name: "PCMU", "PCMA", "G722" and, in builds
// with the opus tag, "opus" (the default is PCMU then PCMA; G.722 and Opus
// are used only when listed here). Unknown names panic, as a programming
// error: CheckCodecs checks a setting first.
func WithCodecs(names ...string) Option {
	codecs := make([]media.Codec, 0, len(names)+1)
	for _, n := range names {
		switch {
		case strings.EqualFold(n, "PCMU"):
			codecs = append(codecs, media.CodecAudioUlaw)
		case strings.EqualFold(n, "PCMA"):
			codecs = append(codecs, media.CodecAudioAlaw)
		case strings.EqualFold(n, "G722"):
			codecs = append(codecs, mediaCodecG722)
		case strings.EqualFold(n, "opus") && opusBuilt:
			codecs = append(codecs, mediaCodecOpus)
		default:
			panic(fmt.Sprintf("softphone.WithCodecs: unknown codec %q", n))
		}
	}
	codecs = append(codecs, media.CodecTelephoneEvent8000)
	return func(p *Phone) { p.codecs = codecs }
}

// mediaCodecs are the codecs the phone offers and answers with.
func (p *Phone) mediaCodecs() []media.Codec {
	if len(p.codecs) > 0 {
		return p.codecs
	}
	return phoneCodecs
}

// isVoice tells whether an RTP payload type is one of the phone's voice
// codecs.
func isVoice(pt uint8) bool {
	return pt == uint8(codecPCMU) || pt == uint8(codecPCMA) || pt == uint8(codecG722)
}

// streamDecoder decodes the payloads of one received stream to 8 kHz,
// keeping the state G.722 and Opus need between packets.
type streamDecoder struct {
	g722 *g722.Decoder
	down resampler
	wide []int16
	opus *opusDecoder
}

// decode appends the 8 kHz samples of a payload in codec c to dst.
func (s *streamDecoder) decode(c codec, dst []int16, payload []byte) []int16 {
	if c == codecOpus && opusBuilt {
		if s.opus == nil {
			s.opus = newOpusDecoder()
		}
		return s.opus.decode(dst, payload)
	}
	if c != codecG722 {
		return c.decode(dst, payload)
	}
	if s.g722 == nil {
		s.g722 = g722.NewDecoder()
	}
	s.wide = s.g722.Decode(s.wide[:0], payload)
	return s.down.decimate(dst, s.wide)
}

// streamEncoder encodes the 8 kHz frames of one sent stream, keeping the
// state G.722 and Opus need between packets.
type streamEncoder struct {
	g722 *g722.Encoder
	up   resampler
	wide []int16
	out  []byte
	opus *opusEncoder
}

// encode writes the payload of pcm in codec c into dst and returns its
// length: one octet per sample for G.711, and for G.722 also one per 8 kHz
// sample (two 16 kHz samples per octet); for Opus what libopus makes of it
// (len(dst) caps it).
func (s *streamEncoder) encode(c codec, dst []byte, pcm []int16) int {
	if c == codecOpus && opusBuilt {
		if s.opus == nil {
			s.opus = newOpusEncoder()
		}
		return s.opus.encode(dst, pcm)
	}
	if c != codecG722 {
		c.encode(dst, pcm)
		return len(pcm)
	}
	if s.g722 == nil {
		s.g722 = g722.NewEncoder()
	}
	s.wide = s.up.interpolate(s.wide[:0], pcm)
	s.out = s.g722.Encode(s.out[:0], s.wide)
	return copy(dst, s.out)
}

// halfband is a 63-tap Hamming-windowed low-pass at 3.8 kHz for 16 kHz
// audio: it keeps the 8 kHz band and removes its image (interpolating) or
// what would alias into it (decimating).
var halfband = func() [63]float64 {
	var h [63]float64
	const fc = 3800.0 / 16000
	for k := range h {
		x := float64(k - len(h)/2)
		v := 2 * fc
		if x != 0 {
			v = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		h[k] = v * (0.54 - 0.46*math.Cos(2*math.Pi*float64(k)/float64(len(h)-1)))
	}
	return h
}()

// resampler converts between 8 and 16 kHz with halfband, keeping the
// filter's history across frames.
type resampler struct {
	hist [len(halfband)]float64 // the last inputs at 16 kHz, newest last
	odd  bool                   // decimate: the next input is dropped
}

// push adds a 16 kHz sample to the history and returns the filter output.
func (r *resampler) push(v float64) float64 {
	copy(r.hist[:], r.hist[1:])
	r.hist[len(r.hist)-1] = v
	var y float64
	for k, h := range halfband {
		y += h * r.hist[k]
	}
	return y
}

// interpolate appends the 16 kHz version of 8 kHz pcm to dst.
func (r *resampler) interpolate(dst, pcm []int16) []int16 {
	for _, v := range pcm {
		dst = append(dst, clip16(2*r.push(float64(v))), clip16(2*r.push(0)))
	}
	return dst
}

// decimate appends the 8 kHz version of 16 kHz pcm to dst.
func (r *resampler) decimate(dst, pcm []int16) []int16 {
	for _, v := range pcm {
		y := r.push(float64(v))
		if !r.odd {
			dst = append(dst, clip16(y))
		}
		r.odd = !r.odd
	}
	return dst
}

// clip16 rounds v to the nearest 16-bit sample.
func clip16(v float64) int16 {
	return int16(max(min(math.Round(v), 32767), -32768))
}

// codecList is the phone's codec preference (WithCodecs).
type codecList = []media.Codec
