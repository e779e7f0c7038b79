package app

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// ShortcutRecord switches recording of the call in hand on or off.
var ShortcutRecord = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierControl | fyne.KeyModifierAlt}

// recColor is the red of the REC mark.
var recColor = color.NRGBA{R: 0xd0, G: 0x10, B: 0x10, A: 0xff}

// callQuality is the call area's line for the call in hand: the record
// button, a REC mark while recording, and the audio quality (MOS, with
// jitter, loss and round trip in its tooltip) as the phone measures it.
type callQuality struct {
	s       *operatorScreen
	recBtn  *tipButton
	recMark *canvas.Text
	mos     *tipLabel
	box     *fyne.Container

	call *sportello.Call // the call in hand, nil when none is answered
}

func newCallQuality(s *operatorScreen) *callQuality {
	q := &callQuality{s: s}
	q.recBtn = newTipButton(tr("Record"), ShortcutRecord, q.toggleRecord)
	q.recBtn.Disable()
	q.recMark = canvas.NewText("● REC", recColor)
	q.recMark.TextStyle = fyne.TextStyle{Bold: true}
	q.recMark.Hide()
	q.mos = newTipLabel()
	q.box = container.NewHBox(q.recBtn, q.recMark, q.mos)
	return q
}

// onCall follows the call in hand.
func (q *callQuality) onCall(c sportello.Call) {
	if c.State == sportello.CallActive {
		q.call = &c
	} else {
		q.call = nil
	}
	label := tr("Record")
	if q.call != nil && c.Recording {
		label = tr("Stop recording")
	}
	q.recBtn.relabel(label, ShortcutRecord)
	if q.call == nil {
		q.recBtn.Disable()
	} else {
		q.recBtn.Enable()
	}
	if q.call != nil && c.Recording {
		q.recMark.Show()
	} else {
		q.recMark.Hide()
	}
	q.mos.set(qualityText(c.Quality))
}

// toggleRecord switches recording of the call in hand.
func (q *callQuality) toggleRecord() {
	if q.call == nil || q.s.cfg.Phone == nil {
		return
	}
	id, on := q.call.ID, !q.call.Recording
	go func() {
		if err := q.s.cfg.Phone.Record(id, on); err != nil {
			do(func() { q.s.showError(err) })
		}
	}()
}

// menuItems are the recording's entries of the Call menu.
func (q *callQuality) menuItems(item func(string, fyne.Shortcut, func()) *fyne.MenuItem) []*fyne.MenuItem {
	return []*fyne.MenuItem{item(tr("Record / stop recording"), ShortcutRecord, q.toggleRecord)}
}

// addShortcuts registers the recording's key on the window.
func (q *callQuality) addShortcuts(cv fyne.Canvas) {
	cv.AddShortcut(ShortcutRecord, func(fyne.Shortcut) { q.toggleRecord() })
}

// qualityText renders a call's quality: the line ("Qualità 4,4 (buona)")
// and the tooltip with the measurements; "" without any.
func qualityText(cq *sportello.CallQuality) (line, tip string) {
	if cq == nil || cq.MOS == 0 {
		return "", ""
	}
	verdict := tr("poor")
	switch {
	case cq.MOS >= 4:
		verdict = tr("good")
	case cq.MOS >= 3.6:
		verdict = tr("fair")
	}
	line = fmt.Sprintf("%s %.1f (%s)", tr("Audio quality"), cq.MOS, verdict)
	tip = fmt.Sprintf("MOS %.2f · %s %.1f ms · %s %.1f%% · %s %.1f%% · %s %.0f ms · %s %.0f ms",
		cq.MOS, tr("jitter"), cq.JitterMS, tr("loss"), cq.LossPct, tr("loss at the other side"), cq.PeerLossPct,
		tr("round trip"), cq.RTTMS, tr("buffer"), cq.DelayMS)
	return line, tip
}

// tipLabel is a label with a tooltip on hover, like tipButton's.
type tipLabel struct {
	widget.Label
	tip   string
	popup *widget.PopUp
	timer *time.Timer
}

var _ desktop.Hoverable = (*tipLabel)(nil)

func newTipLabel() *tipLabel {
	l := &tipLabel{}
	l.ExtendBaseWidget(l)
	return l
}

// set changes the text and the tooltip.
func (l *tipLabel) set(text, tip string) {
	l.tip = tip
	if l.Text != text {
		l.SetText(text)
	}
}

// Tooltip returns the text shown when the pointer rests on the label.
func (l *tipLabel) Tooltip() string { return l.tip }

// MouseIn shows the tooltip after a short rest.
func (l *tipLabel) MouseIn(e *desktop.MouseEvent) {
	if l.timer != nil {
		l.timer.Stop()
	}
	if l.tip == "" {
		return
	}
	pos := e.AbsolutePosition.Subtract(e.Position).AddXY(0, l.Size().Height+2)
	l.timer = time.AfterFunc(600*time.Millisecond, func() {
		do(func() {
			c := fyne.CurrentApp().Driver().CanvasForObject(l)
			if c == nil {
				return
			}
			l.popup = widget.NewPopUp(widget.NewLabel(l.tip), c)
			l.popup.ShowAtPosition(pos)
		})
	})
}

// MouseMoved does nothing: the tooltip stays where it opened.
func (l *tipLabel) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the tooltip.
func (l *tipLabel) MouseOut() {
	if l.timer != nil {
		l.timer.Stop()
	}
	if l.popup != nil {
		l.popup.Hide()
		l.popup = nil
	}
}
