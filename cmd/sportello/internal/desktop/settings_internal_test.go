package desktop

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
)

// TestSettings_SaveWritesConfig: the Settings dialog's save writes its
// settings into the config file ParseFlags read, keeping its other keys,
// so that the next start reads them; bad values are refused with
// EINVALID and leave the file as it was; the dialog is offered the
// codecs the file has.
func TestSettings_SaveWritesConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	before := []byte(`{"username":"supervisore","zone":"Europe/Rome","speaker":"null","codecs":["PCMA"]}`)
	if err := os.WriteFile(path, before, 0o600); err != nil {
		t.Fatal(err)
	}
	m := NewMain()
	if err := m.ParseFlags([]string{"-data", dir}, io.Discard); err != nil {
		t.Fatal(err)
	}
	cur := m.appSettings()
	if cur.Speaker != "null" || cur.TextScale != 1 || !slices.Equal(cur.Codecs, []string{"PCMA"}) {
		t.Fatalf("settings offered %+v", cur)
	}

	good := app.Settings{Language: "en", Theme: "high-contrast", TextScale: 1.5, Microphone: "default",
		Speaker: "file:" + filepath.Join(dir, "spk.wav"), RingDevice: "", Codecs: []string{"G722", "PCMU"}}
	for name, bad := range map[string]func(*app.Settings){
		"theme":     func(s *app.Settings) { s.Theme = "dark" },
		"scale":     func(s *app.Settings) { s.TextScale = 4 },
		"language":  func(s *app.Settings) { s.Language = "fr" },
		"codec":     func(s *app.Settings) { s.Codecs = []string{"PCMU", "GSM"} },
		"twice":     func(s *app.Settings) { s.Codecs = []string{"PCMU", "PCMU"} },
		"no codec":  func(s *app.Settings) { s.Codecs = nil },
		"no device": func(s *app.Settings) { s.Speaker = "" },
	} {
		st := good
		bad(&st)
		if err := m.saveSettings(st); sportello.ErrorCode(err) != sportello.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != string(before) {
		t.Fatalf("a refused save changed the file:\n%s", b)
	}

	if err := m.saveSettings(good); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["username"] != "supervisore" || doc["zone"] != "Europe/Rome" {
		t.Fatalf("the other keys were lost:\n%s", b)
	}
	if c, _ := doc["codecs"].([]any); len(c) != 2 || c[0] != "G722" || c[1] != "PCMU" {
		t.Fatalf("codecs in the file: %v", doc["codecs"])
	}
	if _, err := os.Stat(path + ".tmp"); err == nil {
		t.Fatal("the temporary file was left behind")
	}

	next := NewMain()
	if err := next.ParseFlags([]string{"-data", dir}, io.Discard); err != nil {
		t.Fatal(err)
	}
	c := next.Config
	if c.Lang != "en" || c.Theme != "high-contrast" || c.TextScale != 1.5 || c.Username != "supervisore" ||
		c.Sound != (Sound{Microphone: "default", Speaker: good.Speaker}) {
		t.Fatalf("the next start reads %+v", c)
	}
	if got := next.appSettings(); !slices.Equal(got.Codecs, good.Codecs) || got.Theme != "high-contrast" {
		t.Fatalf("the dialog is offered %+v", got)
	}
}
