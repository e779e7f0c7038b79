package desktop

import (
	"flag"
	"fmt"
	"strings"

	"github.com/sportello/sportello/softphone"
)

// DefaultCodecs are the phone's codecs when none are set: G.711 only,
// which every PBX and phone speaks.
var DefaultCodecs = []string{"PCMU", "PCMA"}

// codecsFlag registers -codecs on fs and returns what applies it over the
// config file and checks the result: each name known to this build
// (opus only with the opus tag), none twice; none at all means
// DefaultCodecs.
func (c *Config) codecsFlag(fs *flag.FlagSet) func(set map[string]bool) error {
	def := c.Codecs
	if len(def) == 0 {
		def = DefaultCodecs
	}
	list := fs.String("codecs", strings.Join(def, ","), "the phone's audio codecs in order of preference, comma-separated: "+
		strings.Join(softphone.KnownCodecs(), ", ")+" (opus only in builds with -tags opus)")
	return func(set map[string]bool) error {
		if set["codecs"] {
			c.Codecs = nil
			for n := range strings.SplitSeq(*list, ",") {
				if n = strings.TrimSpace(n); n != "" {
					c.Codecs = append(c.Codecs, n)
				}
			}
			if len(c.Codecs) == 0 {
				return fmt.Errorf("codecs %q: choose one or more of %s", *list, strings.Join(softphone.KnownCodecs(), ", "))
			}
		}
		if len(c.Codecs) == 0 {
			c.Codecs = append([]string(nil), DefaultCodecs...)
		}
		codecs, err := softphone.CheckCodecs(c.Codecs)
		if err != nil {
			return fmt.Errorf("codecs: %w", err)
		}
		c.Codecs = codecs
		return nil
	}
}
