package app_test

import (
	"testing"

	"fyne.io/fyne/v2/driver/desktop"

	"github.com/sportello/sportello/app"
)

// TestShortcuts_Unique: every action has its own key; two features
// claiming one shortcut would make one of them unreachable by keyboard.
func TestShortcuts_Unique(t *testing.T) {
	all := map[string]*desktop.CustomShortcut{
		"ShortcutAnswer":            app.ShortcutAnswer,
		"ShortcutAnswerHand":        app.ShortcutAnswerHand,
		"ShortcutAnswerReady":       app.ShortcutAnswerReady,
		"ShortcutAnswerWaiting":     app.ShortcutAnswerWaiting,
		"ShortcutAppointments":      app.ShortcutAppointments,
		"ShortcutAssignCase":        app.ShortcutAssignCase,
		"ShortcutAttach":            app.ShortcutAttach,
		"ShortcutBoard":             app.ShortcutBoard,
		"ShortcutBookAppointment":   app.ShortcutBookAppointment,
		"ShortcutBreak":             app.ShortcutBreak,
		"ShortcutCallBack":          app.ShortcutCallBack,
		"ShortcutCallCitizen":       app.ShortcutCallCitizen,
		"ShortcutCallbacks":         app.ShortcutCallbacks,
		"ShortcutCancelAppointment": app.ShortcutCancelAppointment,
		"ShortcutCancelTransfer":    app.ShortcutCancelTransfer,
		"ShortcutCaseNote":          app.ShortcutCaseNote,
		"ShortcutCitizen":           app.ShortcutCitizen,
		"ShortcutClaim":             app.ShortcutClaim,
		"ShortcutCompleteTransfer":  app.ShortcutCompleteTransfer,
		"ShortcutConsult":           app.ShortcutConsult,
		"ShortcutDecline":           app.ShortcutDecline,
		"ShortcutDial":              app.ShortcutDial,
		"ShortcutDirectory":         app.ShortcutDirectory,
		"ShortcutEditKB":            app.ShortcutEditKB,
		"ShortcutExportCSV":         app.ShortcutExportCSV,
		"ShortcutExportPDF":         app.ShortcutExportPDF,
		"ShortcutHangup":            app.ShortcutHangup,
		"ShortcutHold":              app.ShortcutHold,
		"ShortcutInsertKB":          app.ShortcutInsertKB,
		"ShortcutKB":                app.ShortcutKB,
		"ShortcutKBHistory":         app.ShortcutKBHistory,
		"ShortcutKBNext":            app.ShortcutKBNext,
		"ShortcutKBPrev":            app.ShortcutKBPrev,
		"ShortcutMerge":             app.ShortcutMerge,
		"ShortcutMoveAppointment":   app.ShortcutMoveAppointment,
		"ShortcutMute":              app.ShortcutMute,
		"ShortcutNewKB":             app.ShortcutNewKB,
		"ShortcutNote":              app.ShortcutNote,
		"ShortcutQueue":             app.ShortcutQueue,
		"ShortcutRaiseHand":         app.ShortcutRaiseHand,
		"ShortcutRecord":            app.ShortcutRecord,
		"ShortcutRejectWaiting":     app.ShortcutRejectWaiting,
		"ShortcutRejected":          app.ShortcutRejected,
		"ShortcutRelease":           app.ShortcutRelease,
		"ShortcutRegisterAgain":     app.ShortcutRegisterAgain,
		"ShortcutReplyEmail":        app.ShortcutReplyEmail,
		"ShortcutReplyLetter":       app.ShortcutReplyLetter,
		"ShortcutReplyPhone":        app.ShortcutReplyPhone,
		"ShortcutReports":           app.ShortcutReports,
		"ShortcutResolve":           app.ShortcutResolve,
		"ShortcutRetireKB":          app.ShortcutRetireKB,
		"ShortcutSave":              app.ShortcutSave,
		"ShortcutSettings":          app.ShortcutSettings,
		"ShortcutPhonePanel":        app.ShortcutPhonePanel,
		"ShortcutSearch":            app.ShortcutSearch,
		"ShortcutSignOut":           app.ShortcutSignOut,
		"ShortcutSilence":           app.ShortcutSilence,
		"ShortcutSwapCalls":         app.ShortcutSwapCalls,
		"ShortcutTransfer":          app.ShortcutTransfer,
		"ShortcutTransferCall":      app.ShortcutTransferCall,
		"ShortcutUsefulness":        app.ShortcutUsefulness,
	}
	seen := map[string]string{}
	for name, s := range all {
		key := s.ShortcutName()
		if other, ok := seen[key]; ok {
			t.Errorf("%s and %s are both %s", name, other, key)
		}
		seen[key] = name
	}
	if len(seen) < 50 {
		t.Fatalf("only %d shortcuts listed", len(seen))
	}
}
