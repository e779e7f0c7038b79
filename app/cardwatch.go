package app

import "github.com/sportello/sportello"

// WatchCard calls f each time the desktop has rendered the caller card, with
// the call in hand (nil when idle) and the card on screen: cmd/loadgen's
// BenchmarkRingToCard times the phone's ring to the caller's data in the UI
// with it. f runs on Fyne's goroutine holding the widgets' lock, so it must
// not block nor keep the pointers; nil stops watching.
func (d *Desktop) WatchCard(f func(call *sportello.Call, card *sportello.CallerCard)) {
	WithUI(func() { d.op.cardWatch = f })
}

// cardRendered tells the watcher, if any, that renderCard is done.
func (s *operatorScreen) cardRendered() {
	if s.cardWatch != nil {
		s.cardWatch(s.call, s.card)
	}
}
