// Package apptest drives Sportello's windows in Fyne's headless test driver
// the way a user does: it reads what is on screen and presses shortcuts.
package apptest

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello/app"
)

// Text returns every text visible in the window and its overlays (dialogs),
// one per line.
func Text(w fyne.Window) (text string) {
	app.WithUI(func() { text = readText(w) })
	return text
}

func readText(w fyne.Window) string {
	var b strings.Builder
	objs := []fyne.CanvasObject{w.Canvas().Content()}
	objs = append(objs, w.Canvas().Overlays().List()...)
	for _, root := range objs {
		test.LaidOutObjects(root) // lays the tree out, as a window would
		visibleText(&b, root)
	}
	return b.String()
}

// visibleText writes the texts of o and its children, leaving out what a
// hidden object holds (a hidden widget's children keep their own flag).
func visibleText(b *strings.Builder, o fyne.CanvasObject) {
	if o == nil || !o.Visible() {
		return
	}
	switch v := o.(type) {
	case *canvas.Text:
		b.WriteString(v.Text + "\n")
	case *widget.Entry:
		b.WriteString(v.Text + "\n")
	}
	switch v := o.(type) {
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			visibleText(b, c)
		}
	case *fyne.Container:
		for _, c := range v.Objects {
			visibleText(b, c)
		}
	}
}

// WaitText waits until the window shows every one of want, or fails the test
// after timeout with what it showed.
func WaitText(t testing.TB, w fyne.Window, timeout time.Duration, want ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := Text(w)
		// Wrapped labels come as one text per line: match across lines too.
		joined := strings.Join(strings.Fields(got), " ")
		missing := ""
		for _, s := range want {
			if !strings.Contains(got, s) && !strings.Contains(joined, s) {
				missing = s
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("window does not show %q after %s; it shows:\n%s", missing, timeout, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Press types a keyboard shortcut into the window.
func Press(w fyne.Window, s fyne.Shortcut) {
	app.WithUI(func() { w.Canvas().(fyne.Shortcutable).TypedShortcut(s) })
}

// TypeFocused types text into the focused widget; nothing when none is.
func TypeFocused(w fyne.Window, text string) {
	app.WithUI(func() {
		if f := w.Canvas().Focused(); f != nil {
			test.Type(f, text)
		}
	})
}

// Enter presses Return in the focused widget, as submitting a form does.
func Enter(w fyne.Window) {
	app.WithUI(func() {
		if f := w.Canvas().Focused(); f != nil {
			f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		}
	})
}

// Key presses one key (an arrow, Space, Tab) in the focused widget, as
// choosing in a Select by keyboard does.
func Key(w fyne.Window, name fyne.KeyName) {
	app.WithUI(func() {
		if f := w.Canvas().Focused(); f != nil {
			f.TypedKey(&fyne.KeyEvent{Name: name})
		}
	})
}

// Focused returns the focused widget, nil when none is.
func Focused(w fyne.Window) (f fyne.Focusable) {
	app.WithUI(func() { f = w.Canvas().Focused() })
	return f
}

// Tap taps the visible button (or other tappable widget) that shows text
// containing label, as a click does; it reports whether it found one.
func Tap(w fyne.Window, label string) (found bool) {
	app.WithUI(func() {
		var target fyne.Tappable
		for _, root := range append([]fyne.CanvasObject{w.Canvas().Content()}, w.Canvas().Overlays().List()...) {
			test.LaidOutObjects(root)
			if target = findTappable(root, nil, label); target != nil {
				break
			}
		}
		if target != nil {
			if d, ok := target.(fyne.Disableable); ok && d.Disabled() {
				return
			}
			target.Tapped(&fyne.PointEvent{})
			found = true
		}
	})
	return found
}

// findTappable returns the innermost tappable ancestor of the first
// visible text containing label.
func findTappable(o fyne.CanvasObject, in fyne.Tappable, label string) fyne.Tappable {
	if o == nil || !o.Visible() {
		return nil
	}
	if t, ok := o.(fyne.Tappable); ok {
		in = t
	}
	switch v := o.(type) {
	case *canvas.Text:
		if in != nil && strings.Contains(v.Text, label) {
			return in
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			if t := findTappable(c, in, label); t != nil {
				return t
			}
		}
	case *fyne.Container:
		for _, c := range v.Objects {
			if t := findTappable(c, in, label); t != nil {
				return t
			}
		}
	}
	return nil
}
