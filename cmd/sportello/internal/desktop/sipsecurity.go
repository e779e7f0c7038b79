package desktop

import (
	"fmt"

	"github.com/sportello/sportello/softphone"
)

// sipSecurity turns the TLS and SRTP settings into softphone options.
func (c Config) sipSecurity() ([]softphone.Option, error) {
	mode, err := softphone.ParseSRTPMode(c.SRTP)
	if err != nil {
		return nil, fmt.Errorf("srtp: %w", err)
	}
	opts := []softphone.Option{softphone.WithSRTP(mode)}
	if c.SIPTLSCert != "" {
		conf, err := softphone.LoadTLSConfig(c.SIPTLSCert, c.SIPTLSKey, c.SIPTLSCA)
		if err != nil {
			return nil, err
		}
		opts = append(opts, softphone.WithTLS(conf))
	}
	return opts, nil
}
