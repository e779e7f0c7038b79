package app

import "fyne.io/fyne/v2"

// assignMenuItems is the Supervisione menu's entry for giving the chosen
// waiting case to the chosen specialist (Alt+G, as the board's button),
// when the desktop can assign cases.
func (s *operatorScreen) assignMenuItems(item func(string, fyne.Shortcut, func()) *fyne.MenuItem) []*fyne.MenuItem {
	if !s.boardView() || s.board.act == nil || s.board.act.assign.service() == nil {
		return nil
	}
	return []*fyne.MenuItem{item(tr("Assign to the specialist"), ShortcutAssignCase, func() {
		if s.boardView() {
			s.board.act.assign.assign()
		}
	})}
}
