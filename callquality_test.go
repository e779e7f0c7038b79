package sportello_test

import (
	"math"
	"testing"

	"github.com/sportello/sportello"
)

// TestWrapUp_MOS: a wrap-up may carry the call's MOS, 1 to 4.5, or none.
func TestWrapUp_MOS(t *testing.T) {
	for _, tc := range []struct {
		mos float64
		ok  bool
	}{{0, true}, {1, true}, {4.41, true}, {4.5, true}, {0.5, false}, {4.6, false}, {-1, false}, {math.NaN(), false}} {
		w := sportello.WrapUp{CallID: "c", CallerNumber: "+390212345678", Outcome: sportello.OutcomeResolvedFirstContact, MOS: tc.mos}
		if err := w.Validate(); (err == nil) != tc.ok {
			t.Errorf("MOS %v: Validate = %v, want ok=%v", tc.mos, err, tc.ok)
		}
	}
}
