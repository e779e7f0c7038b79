package app

import (
	"sync"

	"fyne.io/fyne/v2"
)

// uiMu serialises every widget update the desktop makes from its own
// goroutines. With a real driver fyne.Do already runs them one at a time
// on the UI thread; Fyne's test driver runs them inline on the calling
// goroutine, so without this lock a test's key press and a pushed change
// could touch the same widgets at once.
var uiMu sync.Mutex

// do runs f on Fyne's goroutine, holding uiMu.
func do(f func()) {
	fyne.Do(func() {
		uiMu.Lock()
		defer uiMu.Unlock()
		f()
	})
}

// WithUI runs f holding the lock of the desktop's widget updates: tests
// that drive the UI from their own goroutine (app/apptest) act through it,
// as the one UI thread of a real driver would.
func WithUI(f func()) {
	uiMu.Lock()
	defer uiMu.Unlock()
	f()
}
