// Command sportello is the agent desktop of the citizen-services contact
// center: the operator's softphone, the caller's history and the wrap-up.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	_ "time/tzdata" // the office's zone works where the OS has no zone database

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/sportello/sportello/assets"
	"github.com/sportello/sportello/cmd/sportello/internal/desktop"
)

func main() {
	m := desktop.NewMain()
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := m.ParseFlags(os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "sportello:", err)
		os.Exit(2)
	}
	if err := desktop.SetupLanguage(m.Config.Lang); err != nil {
		fmt.Fprintln(os.Stderr, "sportello:", err)
		os.Exit(2)
	}
	a := fyneapp.NewWithID("it.comune.sportello")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	if err := m.Run(context.Background(), a); err != nil {
		fmt.Fprintln(os.Stderr, "sportello:", err)
		os.Exit(1)
	}
	m.Desktop.Window.SetMaster()
	m.Desktop.Window.ShowAndRun()
	if err := m.Close(); err != nil {
		m.Logger.Warn("shutdown", "error", err)
	}
}
