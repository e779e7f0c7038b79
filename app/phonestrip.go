package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// ShortcutPhonePanel shows a supervisor the whole phone panel, or folds
// it back into the strip above the board.
var ShortcutPhonePanel = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}

// phoneLayout is the screen's main area. Operators and specialists work
// with the phone panel on the left and the tabs on the right; for a
// supervisor the board is the main screen: the phone folds into a strip
// above the tabs (call state, number, Answer, Hang up) and the tabs take
// the whole width, until the supervisor unfolds it (Ctrl+Shift+F).
type phoneLayout struct {
	s        *operatorScreen
	body     *fyne.Container // what shows: the split, or the strip over the tabs
	split    *container.Split
	tabs     fyne.CanvasObject // the split's right side, moved under the strip when folded
	callBox  *fyne.Container
	callObjs []fyne.CanvasObject // callBox's objects as built
	strip    *fyne.Container
	toggle   *tipButton

	// State, touched only on Fyne's goroutine.
	folded bool
}

// stripObjects is how many of the call box's first objects (banner, call
// state, number, Answer and Hang up) go into the strip when folded.
const stripObjects = 4

// phoneLayout builds the main area around the split of the phone panel
// and the tabs; callBox is the phone panel's top.
func (s *operatorScreen) newPhoneLayout(split *container.Split, callBox *fyne.Container) fyne.CanvasObject {
	l := &phoneLayout{s: s, split: split, tabs: split.Trailing, callBox: callBox}
	l.callObjs = append([]fyne.CanvasObject(nil), callBox.Objects...)
	l.toggle = newTipButton(tr("Phone panel"), ShortcutPhonePanel, l.toggleFolded)
	l.strip = container.NewVBox()
	l.body = container.NewStack(split)
	s.phone = l
	return l.body
}

// supervisorLayout folds the phone into the strip for the board's
// viewers and unfolds it for everyone else (sign-in, sign-out).
func (l *phoneLayout) supervisorLayout(on bool) {
	l.setFolded(on)
}

func (l *phoneLayout) toggleFolded() {
	if !l.s.boardView() {
		return
	}
	l.setFolded(!l.folded)
}

func (l *phoneLayout) setFolded(on bool) {
	if len(l.callObjs) < stripObjects {
		return
	}
	l.folded = on
	if !on {
		l.strip.RemoveAll()
		l.callBox.Objects = append([]fyne.CanvasObject(nil), l.callObjs...)
		if l.s.boardView() {
			l.callBox.Objects = append(l.callBox.Objects, l.toggle)
		}
		l.callBox.Refresh()
		l.split.Trailing = l.tabs
		l.body.Objects = []fyne.CanvasObject{l.split}
		l.split.Refresh()
		l.body.Refresh()
		return
	}
	banner, state, number, buttons := l.callObjs[0], l.callObjs[1], l.callObjs[2], l.callObjs[3]
	l.callBox.Objects = append([]fyne.CanvasObject(nil), l.callObjs[stripObjects:]...)
	l.callBox.Refresh()
	l.split.Trailing = widget.NewLabel("") // the tabs show under the strip now
	l.strip.Objects = []fyne.CanvasObject{container.NewBorder(nil, banner, nil,
		container.NewHBox(buttons, l.toggle), // the buttons at their own width: none cut short
		container.NewHBox(state, number))}
	l.strip.Refresh()
	l.body.Objects = []fyne.CanvasObject{container.NewBorder(container.NewVBox(l.strip, widget.NewSeparator()), nil, nil, nil, l.tabs)}
	l.body.Refresh()
}

func (s *operatorScreen) addPhoneLayoutShortcuts() {
	s.win.Canvas().AddShortcut(ShortcutPhonePanel, func(fyne.Shortcut) { s.phone.toggleFolded() })
}
