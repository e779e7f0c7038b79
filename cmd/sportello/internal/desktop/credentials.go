package desktop

import (
	"fmt"
	"strings"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
)

// sipPasswordRef is the reference a SIP password is stored under: the
// user at the registrar ("1001@pbx.city.example:5061"), so two accounts
// on one desktop do not collide.
func (c Config) sipPasswordRef() string {
	if strings.Contains(c.SIPUser, "@") {
		return c.SIPUser
	}
	return c.SIPUser + "@" + strings.TrimPrefix(strings.TrimPrefix(c.Registrar, "sips:"), "sip:")
}

// SaveSIPPassword stores password in the encrypted credential store of the
// data directory and writes only its reference (sip_password_ref) into
// the JSON config file at configPath, keeping the file's other settings
// and dropping any sip_password left in it.
func (m *Main) SaveSIPPassword(configPath, password string) error {
	if m.Config.Registrar == "" || m.Config.SIPUser == "" {
		return sportello.Errorf(sportello.EINVALID, "save SIP password: set the registrar and the SIP user first")
	}
	if password == "" {
		return sportello.Errorf(sportello.EINVALID, "save SIP password: SPORTELLO_SIP_PASSWORD is empty")
	}
	ref := m.Config.sipPasswordRef()
	if err := softphone.OpenCredentials(m.Config.DataDir).Save(ref, password); err != nil {
		return fmt.Errorf("save SIP password: %w", err)
	}
	if err := updateConfigFile(configPath, map[string]any{"sip_password_ref": ref, "sip_password": nil}); err != nil {
		return err
	}
	m.Config.SIPPasswordRef = ref
	return nil
}

// loadSIPPassword reads the SIP password named by SIPPasswordRef unless
// SPORTELLO_SIP_PASSWORD gave one.
func (c *Config) loadSIPPassword() error {
	if c.sipPassword != "" || c.SIPPasswordRef == "" {
		return nil
	}
	pw, err := softphone.OpenCredentials(c.DataDir).Load(c.SIPPasswordRef)
	if err != nil {
		return fmt.Errorf("SIP password %q: %w", c.SIPPasswordRef, err)
	}
	c.sipPassword = pw
	return nil
}
