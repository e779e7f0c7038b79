package wire_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/sportello/sportello/sync/wire"
)

// TestGolden_ChangeAfter: a change frame of the visible-only feed carries
// prev, 0 included, and reads back with it; a frame of the default feed
// has no prev.
func TestGolden_ChangeAfter(t *testing.T) {
	for _, tt := range []struct {
		file string
		prev int64
	}{{"frame_change_prev.json", 37}, {"frame_change_prev_zero.json", 0}} {
		t.Run(tt.file, func(t *testing.T) {
			got, err := json.MarshalIndent(wire.ChangeFrameAfter(change, tt.prev), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encoding differs from %s (run with -update to accept):\ngot:\n%s\nwant:\n%s", path, got, want)
			}
			f, err := wire.DecodeServerFrame(want)
			if err != nil {
				t.Fatal(err)
			}
			if f.Type != wire.FrameChange || f.Change.Seq != change.Seq || f.Prev == nil || *f.Prev != tt.prev {
				t.Fatalf("decoded %+v (prev %v), want change %d after %d", f, f.Prev, change.Seq, tt.prev)
			}
		})
	}
	f, err := wire.DecodeServerFrame([]byte(`{"type":"change","change":{"seq":5,"at":"2025-03-14T09:00:00Z","kind":"case_event"}}`))
	if err != nil || f.Prev != nil {
		t.Fatalf("default feed frame: prev %v, %v; want none", f.Prev, err)
	}
}
