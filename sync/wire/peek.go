package wire

import "bytes"

// serverFrameHead is how every frame syncd writes begins: "type" first.
var serverFrameHead = []byte(`{"type":"`)

// ServerFrameType peeks at the type of a frame from syncd without
// decoding it. syncd writes "type" first, so a known type is read from
// the frame's start instead of scanning the whole frame once for it: a
// board frame is large, and at 2,000 desktops in one process that scan
// was a quarter of the simulated desktops' CPU. Any other layout is
// scanned; DecodeServerFrame still checks the frame whole.
func ServerFrameType(data []byte) (FrameType, error) {
	if rest, ok := bytes.CutPrefix(data, serverFrameHead); ok {
		if i := bytes.IndexByte(rest, '"'); i > 0 && i+1 < len(rest) && (rest[i+1] == ',' || rest[i+1] == '}') {
			switch t := FrameType(rest[:i]); t {
			case FrameHello, FramePong, FrameChange, FrameBoard, FrameHand, FrameCallbackDue:
				return t, nil
			}
		}
	}
	return frameType(data)
}
