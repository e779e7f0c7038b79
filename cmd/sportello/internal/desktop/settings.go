package desktop

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// configFile is the config file the Settings dialog writes: the one
// ParseFlags read, else config.json in the data directory.
func (m *Main) configFile() string {
	if m.configPath != "" {
		return m.configPath
	}
	return filepath.Join(m.Config.DataDir, "config.json")
}

// appSettings returns the settings in force for the Settings dialog.
func (m *Main) appSettings() app.Settings {
	c := m.Config
	return app.Settings{Language: c.Lang, Theme: c.Theme, TextScale: c.TextScale,
		Microphone: c.Microphone, Speaker: c.Speaker, RingDevice: c.RingDevice, Codecs: slices.Clone(c.Codecs)}
}

// checkSettings refuses settings the desktop could not start with.
func checkSettings(st app.Settings) error {
	switch {
	case st.Language != "" && st.Language != "it" && st.Language != "en":
		return sportello.Errorf(sportello.EINVALID, "language %q: choose it, en or the system's", st.Language)
	case st.Theme != "default" && st.Theme != "high-contrast":
		return sportello.Errorf(sportello.EINVALID, "theme %q: choose default or high-contrast", st.Theme)
	case st.TextScale < 0.5 || st.TextScale > 3:
		return sportello.Errorf(sportello.EINVALID, "text scale %v: choose between 0.5 and 3", st.TextScale)
	}
	for name, spec := range map[string]string{"microphone": st.Microphone, "speaker": st.Speaker} {
		if spec == "" || spec == "file:" {
			return sportello.Errorf(sportello.EINVALID, "%s: choose a device, default or null", name)
		}
	}
	if st.RingDevice == "file:" {
		return sportello.Errorf(sportello.EINVALID, "ring device: a file needs its path")
	}
	if _, err := softphone.CheckCodecs(st.Codecs); err != nil {
		return sportello.Errorf(sportello.EINVALID, "codecs: %v", err)
	}
	return nil
}

// saveSettings writes the Settings dialog's settings into the config
// file, keeping every other key it holds, and applies what applies
// without a restart: the microphone and speaker of the next call.
func (m *Main) saveSettings(st app.Settings) error {
	if err := checkSettings(st); err != nil {
		return err
	}
	st.Codecs, _ = softphone.CheckCodecs(st.Codecs) // as SDP spells them
	if err := updateConfigFile(m.configFile(), map[string]any{
		"lang": st.Language, "theme": st.Theme, "text_scale": st.TextScale,
		"microphone": st.Microphone, "speaker": st.Speaker, "ring_device": st.RingDevice, "codecs": st.Codecs,
	}); err != nil {
		return err
	}
	m.Config.Lang, m.Config.Theme, m.Config.TextScale = st.Language, st.Theme, st.TextScale
	m.Config.Microphone, m.Config.Speaker, m.Config.RingDevice = st.Microphone, st.Speaker, st.RingDevice
	m.Config.Codecs = st.Codecs
	if m.sound != nil {
		m.sound.setCallDevices(st.Microphone, st.Speaker)
	}
	m.Logger.Info("settings saved", "path", m.configFile(), "lang", st.Language, "theme", st.Theme, "text_scale", st.TextScale,
		"microphone", st.Microphone, "speaker", st.Speaker, "ring_device", st.RingDevice, "codecs", strings.Join(st.Codecs, ","))
	return nil
}

// soundDevices lists the system's microphones and speakers for the
// Settings dialog: none without the cgo sound layer or a sound system.
func (m *Main) soundDevices() (mics, speakers []string) {
	var devs *audio.Devices
	if m.sound != nil {
		m.sound.mu.Lock()
		devs = m.sound.devs
		m.sound.mu.Unlock()
	}
	if devs == nil {
		return nil, nil
	}
	capture, playback, err := devs.List()
	if err != nil {
		m.Logger.Warn("list the sound devices", "error", err)
		return nil, nil
	}
	for _, d := range capture {
		mics = append(mics, d.Name)
	}
	for _, d := range playback {
		speakers = append(speakers, d.Name)
	}
	return mics, speakers
}

// updateConfigFile sets keys in the JSON config file at path (nil removes
// a key), keeping every other key it holds. It writes aside and renames,
// so a crash never leaves half a config file.
func updateConfigFile(path string, set map[string]any) error {
	doc := map[string]json.RawMessage{}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &doc); err != nil {
			return sportello.Errorf(sportello.EINVALID, "config %s is not JSON: %v", path, err)
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return fmt.Errorf("read config: %w", err)
	}
	for k, v := range set {
		if v == nil {
			delete(doc, k)
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("config %s: %w", k, err)
		}
		doc[k] = raw
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("config directory: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(out, '\n'), 0o600); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}
