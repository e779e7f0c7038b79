package softphone_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sportello/sportello/softphone"
)

// TestCodec_Check: settings' codec names are spelled as WithCodecs wants,
// in their order; unknown, repeated and missing codecs are errors naming
// the problem; opus is known exactly in builds with the opus tag.
func TestCodec_Check(t *testing.T) {
	got, err := softphone.CheckCodecs([]string{"g.722", " pcma", "PCMU"})
	if err != nil || !slices.Equal(got, []string{"G722", "PCMA", "PCMU"}) {
		t.Fatalf("CheckCodecs = %q, %v", got, err)
	}
	for _, tc := range []struct {
		names []string
		err   string
	}{
		{[]string{"PCMU", "G729"}, `unknown codec "G729": choose from PCMU, PCMA, G722`},
		{[]string{"PCMA", "pcma"}, "codec PCMA listed twice"},
		{nil, "no codec"},
	} {
		if _, err := softphone.CheckCodecs(tc.names); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("CheckCodecs(%q) = %v, want %q", tc.names, err, tc.err)
		}
	}
	opus := slices.Contains(softphone.KnownCodecs(), "opus")
	name, err := softphone.CanonicalCodec("Opus")
	switch {
	case opus && (err != nil || name != "opus"):
		t.Fatalf("opus build: CanonicalCodec(Opus) = %q, %v", name, err)
	case !opus && !errors.Is(err, softphone.ErrNoOpus):
		t.Fatalf("build without opus: CanonicalCodec(Opus) = %q, %v, want ErrNoOpus", name, err)
	}
}
