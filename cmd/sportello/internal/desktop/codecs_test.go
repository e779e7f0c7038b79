package desktop_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/cmd/sportello/internal/desktop"
	"github.com/sportello/sportello/softphone"
)

// TestCodecs_Settings: the codecs come from the flag over config.json over
// the default (PCMU, PCMA), spelled as SDP does whatever the case given,
// in the order given.
func TestCodecs_Settings(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config string
		args   []string
		want   []string
	}{
		{"Default", ``, nil, []string{"PCMU", "PCMA"}},
		{"ConfigFile", `{"codecs": ["g722", "pcmu"]}`, nil, []string{"G722", "PCMU"}},
		{"ConfigFileEmpty", `{"codecs": []}`, nil, []string{"PCMU", "PCMA"}},
		{"FlagOverConfig", `{"codecs": ["G722"]}`, []string{"-codecs", "PCMA, G.722"}, []string{"PCMA", "G722"}},
		{"FlagOnly", ``, []string{"-codecs", "G722"}, []string{"G722"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.config != "" {
				if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(tc.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			m := desktop.NewMain()
			if err := m.ParseFlags(append([]string{"-data", dir}, tc.args...), &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(m.Config.Codecs, tc.want) {
				t.Fatalf("codecs %q, want %q", m.Config.Codecs, tc.want)
			}
		})
	}
}

// TestCodecs_Refused: a codec this build does not know is an error naming
// it, as are a codec listed twice and an empty list; opus is refused with
// the reason in a build without the opus tag, and taken in one with it.
func TestCodecs_Refused(t *testing.T) {
	opus := slices.Contains(softphone.KnownCodecs(), "opus")
	for _, tc := range []struct {
		name   string
		config string
		args   []string
		err    string
	}{
		{"Unknown", ``, []string{"-codecs", "PCMU,G729"}, `codecs: unknown codec "G729": choose from PCMU, PCMA, G722`},
		{"UnknownInConfig", `{"codecs": ["speex"]}`, nil, `unknown codec "speex"`},
		{"Twice", ``, []string{"-codecs", "PCMU,pcmu"}, "codec PCMU listed twice"},
		{"Empty", ``, []string{"-codecs", " , "}, "choose one or more of PCMU, PCMA, G722"},
		{"Opus", ``, []string{"-codecs", "opus,PCMU"}, map[bool]string{false: `codec "opus": this build has no Opus: build with -tags opus`}[opus]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.config != "" {
				if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(tc.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			m := desktop.NewMain()
			err := m.ParseFlags(append([]string{"-data", dir}, tc.args...), &bytes.Buffer{})
			if tc.err == "" {
				if err != nil || !slices.Equal(m.Config.Codecs, []string{"opus", "PCMU"}) {
					t.Fatalf("opus build: codecs %q, %v", m.Config.Codecs, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error = %v, want %q", err, tc.err)
			}
		})
	}
}

// TestCodecs_PhoneSpeaksThem: the desktop's phone offers and accepts the
// codecs of its setting. A caller offering only G.722 gets a call on G.722
// from a desktop set to "G722,PCMU", and 488 (the call fails unanswered)
// from a desktop with the default codecs.
func TestCodecs_PhoneSpeaksThem(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	caller := softphone.New(softphone.WithListenAddr("127.0.0.1:0"), softphone.WithCodecs("G722"))
	if err := caller.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer caller.Close()

	for _, tc := range []struct {
		name   string
		codecs []string
		want   string // the codec of the answered call; "" for refused
	}{
		{"G722", []string{"-codecs", "G722,PCMU"}, "G722"},
		{"Default", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := codecsDesktop(t, ctx, tc.codecs)
			_, addr, _ := strings.Cut(m.Phone.Addr(), " ")
			id, err := caller.Dial("sip:desk@" + addr)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			if tc.want != "" {
				// The desktop rings; the operator's answer is the phone's.
				for err := m.Phone.Answer(id); err != nil; err = m.Phone.Answer(id) {
					select {
					case <-ctx.Done():
						t.Fatalf("Answer: %v", err)
					case <-time.After(20 * time.Millisecond):
					}
				}
			}
			var c sportello.Call
			for c.ID != id || (c.State != sportello.CallActive && c.State != sportello.CallEnded) {
				select {
				case c = <-caller.Calls():
				case <-ctx.Done():
					t.Fatalf("the caller's call never got answered or ended: %+v", c)
				}
			}
			switch {
			case tc.want == "" && (c.State != sportello.CallEnded || c.EndReason != softphone.ReasonFailed):
				t.Fatalf("a G.722-only offer to a desktop without G.722: %+v, want it failed (488)", c)
			case tc.want != "" && (c.State != sportello.CallActive || c.Codec != tc.want):
				t.Fatalf("the caller's call %+v, want active on %s", c, tc.want)
			}
			if tc.want != "" {
				if err := caller.Hangup(id); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// codecsDesktop runs the embedded default desktop with args (the codecs)
// on a free SIP port, silent devices.
func codecsDesktop(t *testing.T, ctx context.Context, args []string) *desktop.Main {
	t.Helper()
	a := test.NewTempApp(t)
	if err := desktop.SetupLanguage("en"); err != nil {
		t.Fatal(err)
	}
	sipPort, err := desktop.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	m := desktop.NewMain()
	if err := m.ParseFlags(append([]string{"-data", t.TempDir(), "-sip", fmt.Sprintf("127.0.0.1:%d", sipPort),
		"-microphone", "null", "-speaker", "null"}, args...), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(ctx, a); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}
