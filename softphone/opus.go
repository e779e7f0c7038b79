//go:build opus

package softphone

import (
	"runtime"
	"time"

	"github.com/emiago/diago/media"

	"github.com/sportello/sportello/softphone/opus"
)

// This file adds Opus (RFC 7587) to the media path in builds with the opus
// tag: the devices stay at 8 kHz and libopus takes and gives 8 kHz audio
// (it resamples inside), while the wire runs Opus's 48 kHz RTP clock. Opus
// is negotiated only when WithCodecs lists "opus".

// opusBuilt tells whether this build speaks Opus.
const opusBuilt = true

// codecOpus names Opus inside the phone; on the wire its payload type is
// dynamic and negotiated (rtpVoice.opusPT).
const codecOpus codec = opus.PayloadType

// mediaCodecOpus is Opus as diago offers it: "a=rtpmap:111 opus/48000/2"
// (RFC 7587 always names two channels; the phone sends mono), 20 ms
// packets, RTP clock 48000.
var mediaCodecOpus = media.Codec{PayloadType: opus.PayloadType, SampleRate: opus.ClockRate,
	SampleDur: 20 * time.Millisecond, NumChannels: 2, Name: "opus"}

// opusDecoder decodes one received Opus stream to 8 kHz.
type opusDecoder struct{ d *opus.Decoder }

// newOpusDecoder returns a decoder whose libopus state is freed when it
// is collected.
func newOpusDecoder() *opusDecoder {
	d, err := opus.NewDecoder(8000)
	if err != nil {
		panic(err) // 8000 is a rate libopus takes: only out of memory
	}
	o := &opusDecoder{d: d}
	runtime.AddCleanup(o, func(d *opus.Decoder) { d.Close() }, d)
	return o
}

// decode appends the 8 kHz samples of payload to dst; a payload libopus
// refuses adds nothing (the jitter buffer conceals it).
func (o *opusDecoder) decode(dst []int16, payload []byte) []int16 {
	if len(payload) == 0 {
		return dst
	}
	out, err := o.d.Decode(dst, payload)
	if err != nil {
		return dst
	}
	return out
}

// opusEncoder encodes one sent stream from 8 kHz.
type opusEncoder struct{ e *opus.Encoder }

// newOpusEncoder returns an encoder whose libopus state is freed when it
// is collected.
func newOpusEncoder() *opusEncoder {
	e, err := opus.NewEncoder(8000)
	if err != nil {
		panic(err) // 8000 is a rate libopus takes: only out of memory
	}
	o := &opusEncoder{e: e}
	runtime.AddCleanup(o, func(e *opus.Encoder) { e.Close() }, e)
	return o
}

// encode writes the Opus packet of one 20 ms frame into dst and returns
// its length (len(dst) caps it); 0 when libopus fails.
func (o *opusEncoder) encode(dst []byte, pcm []int16) int {
	n, err := o.e.Encode(dst, pcm)
	if err != nil {
		return 0
	}
	return n
}
