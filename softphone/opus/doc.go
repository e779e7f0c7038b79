// Package opus encodes and decodes Opus (RFC 6716) through the system's
// libopus, for RTP as RFC 7587 carries it: dynamic payload type
// (PayloadType offered), RTP clock 48000 whatever the audio's rate,
// "opus/48000/2" in SDP. Mono only. The binding is cgo and built only with
// the opus build tag (Debian: libopus-dev); without it the package is
// empty and the default build asks nothing of the system.
package opus

// PayloadType is the dynamic RTP payload type the phone offers for Opus.
const PayloadType = 111

// ClockRate is Opus's RTP clock (RFC 7587), whatever the audio's rate.
const ClockRate = 48000
