package wire

import (
	"encoding/json"

	"github.com/sportello/sportello"
)

// FrameCallbackDue tells the WebSockets of a user that callbacks they may
// make have just become due (theirs, the pool's to every operator, a
// desk's to its members): the first in the calling order, and how many
// more ("more", left out when none). One frame a look, whatever the
// number due: a look that found 341 due had pushed 341 frames to each
// owner and each pool callback to every operator (issue 4).
const FrameCallbackDue FrameType = "callback_due"

// CallbackDueFrame returns the frame that tells an owner cb is due, and
// more others after it.
func CallbackDueFrame(cb *sportello.Callback, more int) ServerFrame {
	return ServerFrame{Type: FrameCallbackDue, Due: cb, DueMore: more}
}

type callbackDueJSON struct {
	Type     FrameType           `json:"type"`
	Callback *sportello.Callback `json:"callback"`
	More     int                 `json:"more,omitempty"`
}

func marshalCallbackDue(f ServerFrame) ([]byte, error) {
	if f.Due == nil {
		return nil, sportello.Errorf(sportello.EINVALID, "a callback_due frame needs a callback")
	}
	if f.DueMore < 0 {
		return nil, sportello.Errorf(sportello.EINVALID, "a callback_due frame cannot have %d more", f.DueMore)
	}
	return json.Marshal(callbackDueJSON{Type: f.Type, Callback: f.Due, More: f.DueMore})
}

func unmarshalCallbackDue(data []byte) (ServerFrame, error) {
	var v callbackDueJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return ServerFrame{}, decodeError(err)
	}
	if v.Callback == nil {
		return ServerFrame{}, sportello.Errorf(sportello.EINVALID, "a callback_due frame needs a callback")
	}
	if v.More < 0 {
		return ServerFrame{}, sportello.Errorf(sportello.EINVALID, "a callback_due frame cannot have %d more", v.More)
	}
	return ServerFrame{Type: FrameCallbackDue, Due: v.Callback, DueMore: v.More}, nil
}
