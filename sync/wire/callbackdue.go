package wire

import (
	"encoding/json"

	"github.com/sportello/sportello"
)

// FrameCallbackDue carries a callback that has just become due to the
// WebSockets of its owner: the user, every operator for the pool, a
// desk's members for the desk.
const FrameCallbackDue FrameType = "callback_due"

// CallbackDueFrame returns the frame that tells an owner cb is due.
func CallbackDueFrame(cb *sportello.Callback) ServerFrame {
	return ServerFrame{Type: FrameCallbackDue, Due: cb}
}

type callbackDueJSON struct {
	Type     FrameType           `json:"type"`
	Callback *sportello.Callback `json:"callback"`
}

func marshalCallbackDue(f ServerFrame) ([]byte, error) {
	if f.Due == nil {
		return nil, sportello.Errorf(sportello.EINVALID, "a callback_due frame needs a callback")
	}
	return json.Marshal(callbackDueJSON{Type: f.Type, Callback: f.Due})
}

func unmarshalCallbackDue(data []byte) (ServerFrame, error) {
	var v callbackDueJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return ServerFrame{}, decodeError(err)
	}
	if v.Callback == nil {
		return ServerFrame{}, sportello.Errorf(sportello.EINVALID, "a callback_due frame needs a callback")
	}
	return ServerFrame{Type: FrameCallbackDue, Due: v.Callback}, nil
}
