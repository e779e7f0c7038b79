package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// ShortcutRejected opens the list of the changes syncd refused, counted
// in the status bar as "N non inviate" (issue 4).
var ShortcutRejected = &desktop.CustomShortcut{KeyName: fyne.KeyX, Modifier: fyne.KeyModifierAlt}

// rejectedBar is the status bar's count of the changes syncd refused and
// the list it opens; shown only when the sync service keeps any
// (sportello.RejectedService).
type rejectedBar struct {
	btn  *tipButton
	list []sportello.RejectedChange
}

// rejectedTimeout bounds a read of the refused changes: the replica is a
// local file, so this only guards the status bar against a stuck disk.
const rejectedTimeout = 2 * time.Second

// newRejected makes the count (hidden while there is none) and its shortcut.
func (s *operatorScreen) newRejected() {
	s.rejected.btn = newTipButton(tr("not sent"), ShortcutRejected, s.showRejected)
	s.rejected.btn.Importance = widget.DangerImportance
	s.rejected.btn.Hide()
	s.win.Canvas().AddShortcut(ShortcutRejected, func(fyne.Shortcut) { s.showRejected() })
}

// renderRejected reads the refused changes again and shows their count;
// it runs with every render of the status bar, as a refusal comes with a
// change of the sync state (the outbox shrinks).
func (s *operatorScreen) renderRejected() {
	svc, ok := s.cfg.Sync.(sportello.RejectedService)
	if !ok || s.rejected.btn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), rejectedTimeout)
	list, err := svc.Rejected(ctx)
	cancel()
	if err != nil {
		return // keep what shows
	}
	s.rejected.list = list
	b := s.rejected.btn
	if len(list) == 0 {
		b.Hide()
		return
	}
	label := fmt.Sprintf("%d %s", len(list), tr("not sent"))
	b.tip = label + " (" + shortcutText(ShortcutRejected) + ")"
	b.SetText(label + "  [" + shortcutText(ShortcutRejected) + "]")
	b.Show()
}

// showRejected opens the list of the refused changes: what each was and
// syncd's reason.
func (s *operatorScreen) showRejected() {
	if len(s.rejected.list) == 0 {
		return
	}
	var lines []string
	for _, r := range s.rejected.list {
		line := rejectedKindText(r.Kind)
		if r.Summary != "" {
			line += ": " + r.Summary
		}
		lines = append(lines, line+"\n    "+tr("Refused by syncd")+": "+r.Reason)
	}
	text := widget.NewLabel(strings.Join(lines, "\n"))
	text.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel(tr("syncd refused these changes: they are kept on this desktop and not sent again."))
	intro.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(text)
	scroll.SetMinSize(fyne.NewSize(520, 240))
	d := dialog.NewCustom(tr("Changes not sent"), tr("Close"), container.NewBorder(intro, nil, nil, nil, scroll), s.win)
	d.Show()
}

// rejectedKindText names the kind of a refused change.
func rejectedKindText(kind string) string {
	switch kind {
	case "wrap_up":
		return tr("Wrap-up")
	case "offline_read":
		return tr("Offline read")
	}
	return kind
}
