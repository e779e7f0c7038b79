package sportello_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection checks DESIGN.md's layout with `go list -deps`:
// syncd links neither Fyne nor the softphone, the UI links no SIP, media,
// database or WebSocket code, and the root package only the standard library.
func TestDependencyDirection(t *testing.T) {
	for _, tc := range []struct {
		pkg       string
		forbidden []string
	}{
		{"./cmd/syncd", []string{"fyne.io/", "github.com/sportello/sportello/softphone", "github.com/sportello/sportello/app", "github.com/emiago/"}},
		{"./app/...", []string{"github.com/emiago/", "github.com/pion/", "modernc.org/sqlite", "github.com/jackc/pgx", "github.com/gorilla/websocket", "database/sql", "github.com/sportello/sportello/sync/", "github.com/sportello/sportello/softphone"}},
		{"./sync/...", []string{"fyne.io/", "github.com/sportello/sportello/app", "github.com/sportello/sportello/softphone", "github.com/emiago/"}},
		{"./softphone/...", []string{"fyne.io/", "github.com/sportello/sportello/sync/", "github.com/sportello/sportello/app", "modernc.org/sqlite"}},
	} {
		t.Run(tc.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", tc.pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list -deps %s: %v\n%s", tc.pkg, err, out)
			}
			deps := strings.Fields(string(out))
			if len(deps) < 5 {
				t.Fatalf("go list -deps %s listed only %d packages", tc.pkg, len(deps))
			}
			for _, d := range deps {
				for _, f := range tc.forbidden {
					if strings.HasPrefix(d, f) {
						t.Errorf("%s links %s", tc.pkg, d)
					}
				}
			}
		})
	}
	t.Run("root", func(t *testing.T) {
		out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, ".").CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		for _, imp := range strings.Fields(string(out)) {
			if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
				t.Errorf("root package imports %s: it must use only the standard library", imp)
			}
		}
	})
}
