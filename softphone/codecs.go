package softphone

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/diago/media"
)

// This file names the codecs a build of the phone knows, for settings
// that choose them (the desktop's "codecs"), so a bad choice is an error
// at start rather than WithCodecs's panic.

// ErrNoOpus is returned for "opus" by a build without the opus tag.
var ErrNoOpus = errors.New("this build has no Opus: build with -tags opus (needs libopus)")

// KnownCodecs returns the codec names this build accepts in WithCodecs:
// PCMU, PCMA, G722 and, in builds with the opus tag, opus.
func KnownCodecs() []string {
	names := []string{"PCMU", "PCMA", "G722"}
	if opusBuilt {
		names = append(names, "opus")
	}
	return names
}

// CanonicalCodec returns a codec's name as WithCodecs and SDP spell it
// ("pcmu" and "G.722" give "PCMU" and "G722"); an unknown name is an error
// naming it, and "opus" is ErrNoOpus in builds without the opus tag.
func CanonicalCodec(name string) (string, error) {
	n := strings.TrimSpace(name)
	switch strings.ToUpper(strings.ReplaceAll(n, ".", "")) {
	case "PCMU":
		return "PCMU", nil
	case "PCMA":
		return "PCMA", nil
	case "G722":
		return "G722", nil
	case "OPUS":
		if !opusBuilt {
			return "", fmt.Errorf("codec %q: %w", n, ErrNoOpus)
		}
		return "opus", nil
	}
	return "", fmt.Errorf("unknown codec %q: choose from %s", n, strings.Join(KnownCodecs(), ", "))
}

// CheckCodecs returns names spelled as WithCodecs wants them, in the same
// order, or an error: an unknown or repeated codec, or none at all.
func CheckCodecs(names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("no codec: choose one or more of %s", strings.Join(KnownCodecs(), ", "))
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		c, err := CanonicalCodec(n)
		if err != nil {
			return nil, err
		}
		for _, seen := range out {
			if seen == c {
				return nil, fmt.Errorf("codec %s listed twice", c)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// opusPayloadType returns the payload type Opus arrives with when c, the
// call's negotiated codec, is Opus, and 0 otherwise.
func opusPayloadType(c media.Codec) uint8 {
	if !opusBuilt || !strings.EqualFold(c.Name, "opus") {
		return 0
	}
	return c.PayloadTypeRecv()
}

// rtpClock counts a 48 kHz RTP clock (Opus's) in 8 kHz units: the phone's
// jitter buffer and statistics run on 8 kHz timestamps. It follows the
// steps between packets, so the 8 kHz count wraps as a 32-bit timestamp
// does.
type rtpClock struct {
	seen bool
	ssrc uint32
	last uint32 // the last 48 kHz timestamp
	out  uint32 // its 8 kHz count
}

// narrow returns the 8 kHz timestamp of the 48 kHz timestamp ts of the
// stream ssrc; a new stream starts over.
func (c *rtpClock) narrow(ssrc, ts uint32) uint32 {
	if !c.seen || ssrc != c.ssrc {
		c.seen, c.ssrc, c.last, c.out = true, ssrc, ts, ts/6
		return c.out
	}
	step := int32(ts - c.last)
	c.last = ts
	c.out += uint32(step / 6)
	return c.out
}
